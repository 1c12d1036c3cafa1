//! Where commands write: standard output, or the file `-o` names, without ever
//! destroying what that names.
//!
//! - A regular file, or a path that does not exist yet, is written to a
//!   temporary file in the same directory, renamed into place only when the
//!   command succeeds: a failure leaves the old file as it was. The replaced
//!   file's mode is kept (and its owner, when we may set it); a new file gets
//!   `0666 & ~umask`, as the shell's `>` gives.
//!   The temporary file is an anonymous `O_TMPFILE` where the file system
//!   allows it, given a name only at commit; else a named `.crit-XXXXXX`
//!   removed should a signal end the process ([`cleanup`](super::cleanup)).
//!   Either way SIGINT, SIGTERM or SIGHUP leave nothing of ours behind.
//! - A symlink is followed, hop by hop (a dangling one too), and its target is
//!   written the same way; the link itself stays. As the kernel's
//!   `protected_symlinks` rule says, a link in a sticky world-writable
//!   directory (`/tmp`) is followed only when it is ours or the directory
//!   owner's ([`crit::symlinks`]).
//! - Anything else (a character or block device, a FIFO, a socket) is opened
//!   and written in place, never replaced.
//! - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` (what
//!   `-o >(cmd)` passes) name this process's own descriptors: they are
//!   duplicated, as the shell does, so their offset and append mode hold.
//! - A descriptor written in place that is a regular file (standard output
//!   redirected to a file, `/dev/fd/N`) is cut back to its length at start when
//!   the command fails or a signal ends it: `crit encode < bad.json > core.img` leaves no half image.
//! - The input is never written over.
//!
//! [`Output`] is the whole API: [`Output::create`], write to it, then
//! [`Output::commit`]; dropping it uncommitted undoes what it can.

use std::fs::{self, File, Metadata};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, Result};
use tempfile::TempPath;

use super::cleanup::{self, Registered};

/// How outputs are named in errors when they are standard output (the
/// library's name for whatever it writes to).
pub const STDOUT_NAME: &str = "<output>";

/// Symlink hops followed before giving up, as the kernel's limit (`ELOOP`).
const MAX_HOPS: usize = 40;

/// Bytes buffered before a write reaches the file.
const BUFFER: usize = 128 * 1024;

/// True when `path` is absent or `-`: use standard input/output.
pub fn is_std(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p.as_os_str() == "-")
}

/// An I/O error on standard output, keeping its reason in the one-line message.
pub fn stdout_error(e: io::Error) -> crit::Error {
    crit::Error::io(STDOUT_NAME, e)
}

/// Runs `write` against the output `output` names (standard output when
/// absent or `-`), then commits it; on an error nothing is left half-written
/// (see the module's rules). `input` is the file being read, never written over.
pub fn with_output(
    output: Option<&Path>,
    input: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let mut out = Output::create(output, input)?;
    let name = out.name().to_string();
    write(&mut out).map_err(|e| name_output(e, &name))?;
    out.commit()?;
    Ok(())
}

/// Runs `write` against the file `path` names, which it may seek in (a core
/// file's holes), then commits it, by the module's rules. Seeking needs a
/// file: a regular file or a new path (symlinks followed); a device, FIFO,
/// socket or one of our descriptors (`/dev/stdout`) is refused, never
/// replaced. A new file gets `new_mode` less the umask (a core file: 0600,
/// as the kernel writes one); a replaced one keeps its mode. `input` is never
/// written over.
pub fn with_seekable_output(
    path: &Path,
    input: Option<&Path>,
    new_mode: u32,
    write: impl FnOnce(&mut File) -> Result<u64>,
) -> Result<u64> {
    let mut out = Output::create_seekable(path, input, new_mode)?;
    let name = out.name().to_string();
    // Nothing is buffered yet: the file itself is written.
    let file = out.out.as_mut().expect("not yet committed").get_mut();
    let n = write(file).map_err(|e| name_output(e, &name))?;
    out.commit()?;
    Ok(n)
}

/// The library names whatever it writes to `<output>`; give the real name.
fn name_output(e: anyhow::Error, name: &str) -> anyhow::Error {
    match e.downcast::<crit::Error>() {
        Ok(crit::Error::Io { file, source }) if file == STDOUT_NAME => crit::Error::io(name, source).into(),
        Ok(other) => other.into(),
        Err(e) => e,
    }
}

/// An output being written. Commit it to keep what was written.
pub struct Output {
    name: String,
    out: Option<BufWriter<File>>,
    /// `None` once committed.
    undo: Option<Undo>,
}

/// What dropping an uncommitted output undoes.
enum Undo {
    /// A temporary file, deleted on drop (or on a signal), renamed to
    /// `dest` on commit.
    Replace {
        tmp: TempPath,
        dest: PathBuf,
        _signal: Registered,
    },
    /// An anonymous file (`O_TMPFILE`) in `dest`'s directory: it goes away
    /// by itself unless linked to `dest` on commit.
    Anonymous { dest: PathBuf },
    /// Written in place; a regular file is cut back to `len` and its offset
    /// put back to `pos`.
    InPlace(Option<Rollback>),
}

struct Rollback {
    len: u64,
    pos: u64,
    /// The same cut should a signal end the process; dropped before the file.
    signal: Registered,
}

/// Where a path leads, once symlinks are followed.
enum Dest {
    /// One of this process's descriptors.
    Fd(RawFd),
    /// A regular file (with its metadata) or a new one.
    Replace(PathBuf, Option<Metadata>),
    /// A device, FIFO or socket.
    Direct(PathBuf, Metadata),
}

impl Output {
    /// Opens the output `path` names (standard output when absent or `-`),
    /// refusing to write over `input`.
    pub fn create(path: Option<&Path>, input: Option<&Path>) -> Result<Output> {
        let input = input.filter(|p| !is_std(Some(p))).and_then(|p| fs::metadata(p).ok());
        let Some(path) = path.filter(|p| !is_std(Some(p))) else {
            return Self::in_place(STDOUT_NAME.into(), dup(1, STDOUT_NAME)?, input.as_ref());
        };
        let name = path.display().to_string();
        match resolve(path)? {
            Dest::Fd(fd) => Self::in_place(name.clone(), dup(fd, &name)?, input.as_ref()),
            Dest::Direct(target, meta) => {
                let file = if meta.file_type().is_socket() {
                    UnixStream::connect(&target).map(|s| File::from(OwnedFd::from(s)))
                } else {
                    fs::OpenOptions::new().write(true).open(&target)
                }
                .map_err(|e| crit::Error::io(&name, e))?;
                Self::in_place(name, file, input.as_ref())
            }
            Dest::Replace(target, old) => {
                if let (Some(old), Some(input)) = (&old, &input) {
                    if same_file(old, input) {
                        return Err(anyhow!("{name}: refusing to overwrite the input file"));
                    }
                }
                Self::replace(name, target, old.as_ref(), 0o666)
            }
        }
    }

    /// Like [`Output::create`] for `path`, but only where one may seek: see
    /// [`with_seekable_output`].
    fn create_seekable(path: &Path, input: Option<&Path>, new_mode: u32) -> Result<Output> {
        let name = path.display().to_string();
        let refuse = || anyhow!("{name}: not a regular file: this output is written by seeking (it has holes)");
        match resolve(path)? {
            // Standard output carries the command's report; a pipe cannot seek.
            Dest::Fd(_) => Err(refuse()),
            // Not opened: opening a FIFO for writing waits for a reader.
            Dest::Direct(..) => Err(refuse()),
            Dest::Replace(target, old) => {
                let input = input.and_then(|p| fs::metadata(p).ok());
                if let (Some(old), Some(input)) = (&old, &input) {
                    if same_file(old, input) {
                        return Err(anyhow!("{name}: refusing to overwrite the input file"));
                    }
                }
                Self::replace(name, target, old.as_ref(), new_mode)
            }
        }
    }

    fn in_place(name: String, mut file: File, input: Option<&Metadata>) -> Result<Output> {
        let meta = file.metadata().map_err(|e| crit::Error::io(&name, e))?;
        let rollback = if meta.is_file() {
            if input.is_some_and(|i| same_file(&meta, i)) {
                return Err(anyhow!("{name}: refusing to overwrite the input file"));
            }
            let pos = file.stream_position().map_err(|e| crit::Error::io(&name, e))?;
            let signal = cleanup::register_cut_back(file.as_raw_fd(), meta.len());
            Some(Rollback {
                len: meta.len(),
                pos,
                signal,
            })
        } else {
            None
        };
        Ok(Output {
            name,
            out: Some(BufWriter::with_capacity(BUFFER, file)),
            undo: Some(Undo::InPlace(rollback)),
        })
    }

    /// A temporary file beside `dest`; `new_mode` (less the umask) when
    /// `dest` is new, else `old`'s mode and owner.
    fn replace(name: String, dest: PathBuf, old: Option<&Metadata>, new_mode: u32) -> Result<Output> {
        let dir = parent_dir(&dest);
        // A new file: 0666, less the umask (open(2) applies it). A replaced
        // one: private until it has the old file's owner and mode.
        let mode = if old.is_some() { 0o600 } else { new_mode };
        let (file, undo) = match anonymous(&dir, mode) {
            Some(file) => (file, Undo::Anonymous { dest }),
            None => Self::named_temp(&dir, mode, dest)?,
        };
        if let Some(old) = old {
            // Root may give the file back to its owner; others cannot, and the
            // file is theirs, as with any editor's save.
            let new = file.metadata().map_err(|e| crit::Error::io(&name, e))?;
            if (old.uid(), old.gid()) != (new.uid(), new.gid()) {
                let _ = std::os::unix::fs::fchown(&file, Some(old.uid()), Some(old.gid()));
            }
            file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o7777))
                .map_err(|e| crit::Error::io(&name, e))?;
        }
        Ok(Output {
            name,
            out: Some(BufWriter::with_capacity(BUFFER, file)),
            undo: Some(undo),
        })
    }

    /// A named temporary file in `dir`, removed on drop or on a signal.
    fn named_temp(dir: &Path, mode: u32, dest: PathBuf) -> Result<(File, Undo)> {
        // A signal waits until the name is known, to be removed.
        let _hold = cleanup::hold();
        let tmp = tempfile::Builder::new()
            .prefix(".crit-")
            .permissions(fs::Permissions::from_mode(mode))
            .tempfile_in(dir)
            .map_err(|e| crit::Error::io(format!("{}: cannot create a temporary file", dir.display()), e))?;
        let _signal = cleanup::register(tmp.path());
        let (file, tmp) = tmp.into_parts();
        Ok((file, Undo::Replace { tmp, dest, _signal }))
    }

    /// How errors name this output: the path as given, or `<output>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Flushes what was written and, for a file written beside its
    /// destination, renames it into place.
    pub fn commit(mut self) -> Result<()> {
        let out = self.out.take().expect("not yet committed");
        let undo = self.undo.take().expect("not yet committed");
        let name = &self.name;
        let file = match out.into_inner() {
            Ok(f) => f,
            Err(e) => {
                // Undo what the failed flush may have left.
                let (e, w) = e.into_parts();
                abandon(Some(w.into_parts().0), undo);
                return Err(crit::Error::io(name, e).into());
            }
        };
        match undo {
            Undo::Replace { tmp, dest, _signal } => {
                drop(file);
                // A signal now waits until the file is in place.
                let _hold = cleanup::hold();
                tmp.persist(&dest).map_err(|e| crit::Error::io(name, e.error))?;
            }
            Undo::Anonymous { dest } => link_into_place(&file, &dest).map_err(|e| crit::Error::io(name, e))?,
            Undo::InPlace(rb) => {
                // Its registration goes before the descriptor closes.
                drop(rb);
                drop(file);
            }
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.as_mut().expect("not yet committed").write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.as_mut().expect("not yet committed").write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.as_mut().expect("not yet committed").flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some(undo) = self.undo.take() {
            // The buffer is thrown away, not flushed after the cut.
            let file = self.out.take().map(|w| w.into_parts().0);
            abandon(file, undo);
        }
    }
}

/// Undoes an uncommitted output: the temporary file goes (its drop deletes
/// it); a regular file written in place is cut back.
fn abandon(file: Option<File>, undo: Undo) {
    if let Undo::InPlace(Some(Rollback { len, pos, signal })) = undo {
        if let Some(file) = &file {
            if file.metadata().is_ok_and(|m| m.len() > len) {
                let _ = file.set_len(len);
            }
            let _ = (&*file).seek(SeekFrom::Start(pos));
        }
        // Before the descriptor closes.
        drop(signal);
    }
    drop(file);
}

/// Follows `path` to what it names. Symlinks are read hop by hop, so a
/// dangling one leads to the file to create, and this process's own
/// descriptors are recognised before the kernel's magic links would be read.
fn resolve(path: &Path) -> Result<Dest> {
    let name = path.display().to_string();
    let mut p = path.to_path_buf();
    for _ in 0..MAX_HOPS {
        if let Some(fd) = own_fd(&p) {
            return Ok(Dest::Fd(fd));
        }
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                crit::symlinks::may_follow(&name, &p, &m)?;
                let target = fs::read_link(&p).map_err(|e| crit::Error::io(&name, e))?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(m) if m.is_file() => return Ok(Dest::Replace(p, Some(m))),
            Ok(m) if m.is_dir() => return Err(anyhow!("{name}: is a directory")),
            Ok(m) => return Ok(Dest::Direct(p, m)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = parent_dir(&p);
                return match fs::metadata(&dir) {
                    Ok(d) if d.is_dir() => Ok(Dest::Replace(p, None)),
                    Ok(_) => Err(anyhow!("{name}: {} is not a directory", dir.display())),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        Err(anyhow!("{name}: directory {} does not exist", dir.display()))
                    }
                    Err(e) => Err(crit::Error::io(dir.display().to_string(), e).into()),
                };
            }
            Err(e) => return Err(crit::Error::io(&name, e).into()),
        }
    }
    Err(crit::Error::io(&name, io::Error::from_raw_os_error(libc::ELOOP)).into())
}

/// The descriptor `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`,
/// `/proc/self/fd/N` or `/proc/PID/fd/N` (PID ours) stands for.
fn own_fd(p: &Path) -> Option<RawFd> {
    // Only plain absolute spellings; anything else is followed like any path.
    if !p.is_absolute() {
        return None;
    }
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::RootDir => {}
            Component::Normal(s) => parts.push(s.to_str()?),
            _ => return None,
        }
    }
    let me = std::process::id().to_string();
    let fd = match parts.as_slice() {
        ["dev", "stdin"] => return Some(0),
        ["dev", "stdout"] => return Some(1),
        ["dev", "stderr"] => return Some(2),
        ["dev", "fd", n] => n,
        ["proc", "self" | "thread-self", "fd", n] => n,
        ["proc", pid, "fd", n] if *pid == me => n,
        _ => return None,
    };
    // Only plain decimal: `/dev/fd/03` is not what the kernel would open either.
    fd.parse().ok().filter(|n: &RawFd| n.to_string() == *fd)
}

/// A duplicate of descriptor `fd`, closed on exec.
fn dup(fd: RawFd, name: &str) -> Result<File> {
    // SAFETY: fcntl only reads `fd` (failing with EBADF when it is not open);
    // the descriptor it returns is new and ours alone.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if new < 0 {
        return Err(crit::Error::io(name, io::Error::last_os_error()).into());
    }
    // SAFETY: `new` is an open descriptor nothing else owns.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(new) }))
}

/// An anonymous file in `dir` (`O_TMPFILE`, created with `mode` less the
/// umask), when the file system allows one and it can later be linked into
/// place. `CRIT_NO_O_TMPFILE` in the environment (for tests) says not to try.
fn anonymous(dir: &Path, mode: u32) -> Option<File> {
    if std::env::var_os("CRIT_NO_O_TMPFILE").is_some() {
        return None;
    }
    // Linking it needs /proc/self/fd, or CAP_DAC_READ_SEARCH (root) for AT_EMPTY_PATH.
    // SAFETY: geteuid has no preconditions and cannot fail.
    if !Path::new("/proc/self/fd").is_dir() && unsafe { libc::geteuid() } != 0 {
        return None;
    }
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE | libc::O_CLOEXEC)
        .mode(mode)
        .open(dir)
        .ok()
}

/// Gives the anonymous `file` the name `dest`, replacing what is there: it is
/// linked under a fresh name beside `dest`, then renamed over it, with any
/// signal held off in between so that name never stays behind.
fn link_into_place(file: &File, dest: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let dir = parent_dir(dest);
    let _hold = cleanup::hold();
    let fd = file.as_raw_fd();
    let proc_path = CString::new(format!("/proc/self/fd/{fd}")).expect("no NUL");
    let mut err = io::Error::from_raw_os_error(libc::EEXIST);
    for i in 0..100u32 {
        let tmp = dir.join(format!(".crit-{}-{i}-{}", std::process::id(), nanos()));
        let c = CString::new(tmp.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: both strings are NUL-terminated and live across the calls;
        // `fd` is open. The first links by the descriptor itself (needs
        // CAP_DAC_READ_SEARCH), the second through /proc.
        let linked = unsafe {
            libc::linkat(fd, c"".as_ptr(), libc::AT_FDCWD, c.as_ptr(), libc::AT_EMPTY_PATH) == 0
                || libc::linkat(
                    libc::AT_FDCWD,
                    proc_path.as_ptr(),
                    libc::AT_FDCWD,
                    c.as_ptr(),
                    libc::AT_SYMLINK_FOLLOW,
                ) == 0
        };
        if !linked {
            err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EEXIST) {
                continue;
            }
            return Err(err);
        }
        return fs::rename(&tmp, dest).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        });
    }
    Err(err)
}

fn nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}
