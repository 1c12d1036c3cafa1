//! `--extract DIR`: the members of a tmpfs image written as files.
//!
//! - DIR is a new directory, or an existing empty one filled in place: its
//!   inode, mode and owner stay (`--extract .` works). A directory with
//!   anything in it is refused. A symbolic link given as DIR is followed by
//!   the kernel's `protected_symlinks` rule ([`crate::symlinks`]).
//! - Modes are the archive's less the umask, as `tar -x` gives them to a user
//!   who is not root (and to root here too); setuid and setgid are dropped.
//!   A new DIR takes the mode of the archive's root (`./`), so a `1777`
//!   tmpfs becomes `1755` under the usual umask 022.
//! - Nothing is left behind when a member is refused: members go first into
//!   a new DIR of mode 0700, or into `.crit-extract-XXXXXX` inside an existing
//!   one, moved into place only when all were safe. Member paths must be
//!   relative without `..`; nothing is written through a symbolic link; hard
//!   links must name a file extracted before them; symbolic links are made
//!   only when they point down inside DIR (relative, no `..`), the others are
//!   listed as skipped; device nodes and FIFOs are listed, never created.
//! - The files' bytes in all are capped ([`Extract::max_bytes`], 1 GiB unless
//!   raised): an 18 MB image cannot fill a disk. Runs of zeros are holes.
//! - The caller is told of the directory being filled ([`Staging`]) so that
//!   an interrupted process can remove it.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::tmpfs::{tar_error, TmpfsEntry};
use crate::error::{Error, Result};

/// The bytes `--extract` writes at most unless told otherwise: 1 GiB.
pub const DEFAULT_MAX_EXTRACT: u64 = 1 << 30;

/// What an extraction tells its caller about the directory it fills.
#[derive(Debug, Clone, Copy)]
pub enum Staging<'a> {
    /// A step that must not be cut short begins (the staging directory is
    /// made, or the members moved into place): let it finish first.
    Busy,
    /// This directory now holds a partial extraction: should the process be
    /// interrupted, remove it and all it holds. Ends `Busy`.
    Started(&'a Path),
    /// Complete, or removed: nothing is left to clean. Ends `Busy`.
    Ended,
}

/// Where and how much to extract.
#[derive(Debug, Clone)]
pub struct Extract {
    /// The directory to fill (new, or empty).
    pub dir: PathBuf,
    /// Bytes of file contents allowed in all ([`DEFAULT_MAX_EXTRACT`]).
    pub max_bytes: u64,
    /// Told of the staging directory (see [`Staging`]).
    pub on_staging: Option<fn(Staging<'_>)>,
}

impl Extract {
    /// Into `dir`, with the default budget and no one told of the staging.
    pub fn new(dir: impl Into<PathBuf>) -> Extract {
        Extract {
            dir: dir.into(),
            max_bytes: DEFAULT_MAX_EXTRACT,
            on_staging: None,
        }
    }
}

/// An extraction in progress.
pub(super) struct Extraction {
    /// DIR as the user named it (for messages) and as it resolved.
    name: String,
    dest: PathBuf,
    /// Where members are written: `dest` when new, else a directory inside it.
    root: PathBuf,
    fresh: bool,
    file: String,
    umask: u32,
    left: u64,
    opts: Extract,
    /// The archive's root entry: mode and time (for a new DIR).
    top: Option<(u32, u64)>,
    /// Directories (relative), modes and times, applied last so a read-only
    /// directory can still be filled.
    dirs: Vec<(PathBuf, u32, u64)>,
    skipped: Vec<String>,
    done: bool,
    /// Bytes of file contents written (their total is not known ahead).
    meter: crate::progress::Meter,
}

impl Extraction {
    pub(super) fn begin(opts: &Extract, file: &str) -> Result<Extraction> {
        let name = opts.dir.display().to_string();
        let dest = crate::symlinks::resolve(&name, &opts.dir)?;
        if let Some(f) = opts.on_staging {
            f(Staging::Busy);
        }
        let made = Self::make_root(&name, &dest);
        if let Some(f) = opts.on_staging {
            match &made {
                Ok((root, _)) => f(Staging::Started(root)),
                Err(_) => f(Staging::Ended),
            }
        }
        let (root, fresh) = made?;
        Ok(Extraction {
            name,
            dest,
            root,
            fresh,
            file: file.to_string(),
            umask: umask(),
            left: opts.max_bytes,
            opts: opts.clone(),
            top: None,
            dirs: Vec::new(),
            skipped: Vec::new(),
            done: false,
            meter: crate::progress::Meter::start(&format!("extracting {}", crate::progress::file_name(file)), 0),
        })
    }

    /// Where members go: a new `dest` (mode 0700 until the end), or a new
    /// directory inside an empty one; and whether `dest` is new.
    fn make_root(name: &str, dest: &Path) -> Result<(PathBuf, bool)> {
        Ok(match fs::symlink_metadata(dest) {
            Ok(m) if m.is_dir() => {
                let mut it = fs::read_dir(dest).map_err(|e| Error::io(name, e))?;
                if it.next().is_some() {
                    return Err(Error::InvalidArgument {
                        what: format!("{name}: not empty; --extract fills an empty directory or creates a new one"),
                    });
                }
                let staging = tempfile::Builder::new()
                    .prefix(".crit-extract-")
                    .tempdir_in(dest)
                    .map_err(|e| Error::io(format!("{name}: cannot create a directory in it"), e))?;
                (staging.keep(), false)
            }
            Ok(_) => {
                return Err(Error::InvalidArgument {
                    what: format!(
                        "{name}: exists and is not a directory; --extract fills an empty directory or creates a new one"
                    ),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .mode(0o700)
                    .create(dest)
                    .map_err(|e| Error::io(name, e))?;
                (dest.to_path_buf(), true)
            }
            Err(e) => return Err(Error::io(name, e)),
        })
    }

    fn refuse(&self, e: &TmpfsEntry, why: &str) -> Error {
        Error::bad_image(&self.file, format!("member {:?}: {why}; nothing was extracted", e.path))
    }

    /// An I/O error at `at`, named as the user's path (DIR/…), not ours.
    fn io_at(&self, at: &Path, err: io::Error) -> Error {
        let shown = match at.strip_prefix(&self.root) {
            Ok(rel) => Path::new(&self.name).join(rel),
            Err(_) => at.to_path_buf(),
        };
        Error::io(shown.display().to_string(), err)
    }

    /// The member's path inside our directory, after checking every parent
    /// that exists is a real directory (never a symbolic link).
    fn place(&self, e: &TmpfsEntry, rel: &Path) -> Result<Option<PathBuf>> {
        let rel = safe_relative(rel).ok_or_else(|| self.refuse(e, "an absolute path or one with `..` is refused"))?;
        if rel.as_os_str().is_empty() {
            return Ok(None); // the mount's root itself
        }
        let mut at = self.root.clone();
        let parts: Vec<_> = rel.components().collect();
        for (i, c) in parts.iter().enumerate() {
            at.push(c);
            let last = i + 1 == parts.len();
            match fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(self.refuse(e, "it would be written through a symbolic link"));
                }
                Ok(m) if !last && !m.is_dir() => {
                    return Err(self.refuse(e, "a parent of it is not a directory"));
                }
                Ok(_) if last => {
                    if e.kind != "dir" {
                        return Err(self.refuse(e, "it is given twice"));
                    }
                }
                Ok(_) => {}
                Err(_) if !last => {
                    fs::create_dir(&at).map_err(|err| self.io_at(&at, err))?;
                }
                Err(_) => {}
            }
        }
        Ok(Some(at))
    }

    pub(super) fn member(&mut self, e: &TmpfsEntry, data: &mut dyn Read) -> Result<()> {
        let Some(at) = self.place(e, Path::new(&e.path))? else {
            self.top = Some((e.mode & 0o1777 & !self.umask, e.mtime));
            return Ok(());
        };
        match e.kind {
            "dir" => {
                if !at.is_dir() {
                    fs::create_dir(&at).map_err(|err| self.io_at(&at, err))?;
                }
                let rel = at.strip_prefix(&self.root).expect("inside").to_path_buf();
                self.dirs.push((rel, e.mode & 0o1777 & !self.umask, e.mtime));
            }
            "file" => self.file_member(e, &at, data)?,
            "symlink" => {
                let target = e.target.clone().unwrap_or_default();
                if points_down(&target) {
                    std::os::unix::fs::symlink(&target, &at).map_err(|err| self.io_at(&at, err))?;
                } else {
                    self.skipped.push(format!(
                        "{:?} -> {target:?} (a symbolic link out of the directory)",
                        e.path
                    ));
                }
            }
            "hardlink" => {
                let target = e.target.clone().unwrap_or_default();
                let rel = safe_relative(Path::new(&target))
                    .filter(|p| !p.as_os_str().is_empty())
                    .ok_or_else(|| self.refuse(e, "a hard link to an absolute path or one with `..` is refused"))?;
                let src = self.root.join(rel);
                let ok = fs::symlink_metadata(&src).is_ok_and(|m| m.is_file())
                    && src.parent().is_some_and(|p| no_symlink_between(&self.root, p));
                if !ok {
                    return Err(self.refuse(e, "a hard link must name a file extracted before it"));
                }
                fs::hard_link(&src, &at).map_err(|err| self.io_at(&at, err))?;
            }
            kind => self.skipped.push(format!("{:?} ({kind}: listed, not created)", e.path)),
        }
        Ok(())
    }

    fn file_member(&mut self, e: &TmpfsEntry, at: &Path, data: &mut dyn Read) -> Result<()> {
        if e.size > self.left {
            return Err(Error::limit(
                &self.file,
                crate::error::Limit::Extract {
                    member: e.path.clone(),
                    size: e.size,
                    max: self.opts.max_bytes,
                },
            ));
        }
        self.left -= e.size;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            // create_new (O_EXCL) never follows a symbolic link.
            .mode(0o600)
            .open(at)
            .map_err(|err| self.io_at(at, err))?;
        let n = copy_sparse(&mut data.take(e.size), &mut f).map_err(|err| match err {
            Copy::Read(err) => {
                Error::bad_image_from(&self.file, format!("member {:?}: {}", e.path, tar_error(&err)), err)
            }
            Copy::Write(err) => self.io_at(at, err),
        })?;
        self.meter.advance(n);
        if n < e.size {
            return Err(Error::bad_image(
                &self.file,
                format!(
                    "member {:?}: the archive ends inside it ({n} of {} bytes)",
                    e.path, e.size
                ),
            ));
        }
        // No setuid/setgid from an archive.
        f.set_permissions(fs::Permissions::from_mode(e.mode & 0o777 & !self.umask))
            .map_err(|err| self.io_at(at, err))?;
        f.set_modified(epoch(e.mtime)).map_err(|err| self.io_at(at, err))?;
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<Vec<String>> {
        if let Some(f) = self.opts.on_staging {
            f(Staging::Busy);
        }
        let r = self.move_into_place();
        if r.is_ok() {
            self.done = true;
            if let Some(f) = self.opts.on_staging {
                f(Staging::Ended);
            }
        }
        // On an error, dropping `self` removes what is left and says Ended.
        r.map(|()| std::mem::take(&mut self.skipped))
    }

    fn move_into_place(&mut self) -> Result<()> {
        if !self.fresh {
            let it = fs::read_dir(&self.root).map_err(|e| self.io_at(&self.root, e))?;
            for child in it {
                let child = child.map_err(|e| self.io_at(&self.root, e))?;
                let to = self.dest.join(child.file_name());
                if fs::symlink_metadata(&to).is_ok() {
                    return Err(self.io_at(&child.path(), io::Error::from(io::ErrorKind::AlreadyExists)));
                }
                fs::rename(child.path(), &to).map_err(|e| self.io_at(&child.path(), e))?;
            }
            fs::remove_dir(&self.root).map_err(|e| self.io_at(&self.root, e))?;
        }
        // Deepest first, so a read-only parent is set after its children.
        self.dirs
            .sort_by_key(|(p, _, _)| std::cmp::Reverse(p.components().count()));
        let mut all = std::mem::take(&mut self.dirs);
        if self.fresh {
            // A new DIR: the archive root's mode (or a plain directory's).
            let (mode, mtime) = self.top.unwrap_or((0o777 & !self.umask, 0));
            all.push((PathBuf::new(), mode, mtime));
        }
        for (rel, mode, mtime) in &all {
            let p = self.dest.join(rel);
            let shown = Path::new(&self.name).join(rel).display().to_string();
            fs::set_permissions(&p, fs::Permissions::from_mode(*mode)).map_err(|e| Error::io(&shown, e))?;
            if *mtime > 0 || !rel.as_os_str().is_empty() {
                if let Ok(d) = fs::File::open(&p) {
                    let _ = d.set_modified(epoch(*mtime));
                }
            }
        }
        Ok(())
    }
}

impl Drop for Extraction {
    /// Unfinished: what was written goes.
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.root);
            if let Some(f) = self.opts.on_staging {
                f(Staging::Ended);
            }
        }
    }
}

enum Copy {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `from` to the new file `to`, leaving a hole for each all-zero
/// 4 KiB block; returns the bytes read.
fn copy_sparse(from: &mut dyn Read, to: &mut fs::File) -> std::result::Result<u64, Copy> {
    const BLOCK: usize = 4096;
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    loop {
        // Fill the buffer as far as the input goes, so blocks stay aligned.
        let mut got = 0;
        while got < buf.len() {
            match from.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Copy::Read(e)),
            }
        }
        if got == 0 {
            break;
        }
        for block in buf[..got].chunks(BLOCK) {
            if block.iter().all(|&b| b == 0) {
                to.seek(SeekFrom::Current(block.len() as i64)).map_err(Copy::Write)?;
            } else {
                to.write_all(block).map_err(Copy::Write)?;
            }
        }
        n += got as u64;
        if got < buf.len() {
            break;
        }
    }
    // A trailing hole still counts toward the length.
    to.set_len(n).map_err(Copy::Write)?;
    Ok(n)
}

/// The process's umask, from `/proc/self/status` (reading it by setting it
/// would race with other threads creating files); 022 when unknown.
fn umask() -> u32 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

fn epoch(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs.min(i64::MAX as u64 / 2))
}

/// `rel` without `.` components, or `None` when it is absolute or climbs
/// with `..`.
fn safe_relative(rel: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::CurDir => {}
            Component::Normal(p) => out.push(p),
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// A symbolic link whose target can only lead further down from where it
/// stands: relative, with no `..`. Such links stay inside whatever they are
/// combined with.
fn points_down(target: &str) -> bool {
    !target.is_empty() && safe_relative(Path::new(target)).is_some_and(|p| !p.as_os_str().is_empty())
}

fn no_symlink_between(root: &Path, dir: &Path) -> bool {
    let Ok(rel) = dir.strip_prefix(root) else { return false };
    let mut at = root.to_path_buf();
    rel.components().all(|c| {
        at.push(c);
        fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(safe_relative(Path::new("./a/b")), Some(PathBuf::from("a/b")));
        assert_eq!(safe_relative(Path::new("./")), Some(PathBuf::new()));
        assert_eq!(safe_relative(Path::new("../a")), None);
        assert_eq!(safe_relative(Path::new("a/../../b")), None);
        assert_eq!(safe_relative(Path::new("/etc/passwd")), None);
        assert!(points_down("pts/ptmx"));
        assert!(!points_down("/proc/kcore"));
        assert!(!points_down("../x"));
        assert!(!points_down("."));
    }

    #[test]
    fn zeros_become_holes() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let mut f = fs::File::create(&p).unwrap();
        let mut data = vec![0u8; 1 << 20];
        data[5000] = 7;
        let n = copy_sparse(&mut &data[..], &mut f).ok().unwrap();
        drop(f);
        assert_eq!(n, 1 << 20);
        assert_eq!(fs::read(&p).unwrap(), data);
        // One 4 KiB block holds data; the rest is holes (512-byte blocks).
        assert!(fs::metadata(&p).unwrap().blocks() * 512 <= 64 * 1024);
    }
}
