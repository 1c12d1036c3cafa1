//! `tmpfs-dev-N.tar.gz.img`: the files of a tmpfs mount (N is its device
//! number, `root_dev` of `mountpoints-M.img`), as CRIU saves them with
//! `tar --create --gzip` from the mount's root. No magic: a gzip stream.
//!
//! Decoding lists the members. Extracting (`--extract DIR`) writes them into a
//! fresh directory of ours beside DIR and renames it to DIR only when every
//! member was safe, so a hostile archive leaves nothing behind: member paths
//! must be relative without `..`; nothing is written through a symbolic link;
//! hard links must name a file extracted before them; symbolic links are made
//! only when they point down inside DIR (relative, no `..`), the others are
//! listed as skipped; device nodes and FIFOs are listed, never created.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::{output_error, Doc};
use crate::error::{Error, Result};
use crate::json::writer::JsonWriter;

/// One member of the tar.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TmpfsEntry {
    /// The path as stored (`./shm/`, `./s`); bytes that are not UTF-8 become U+FFFD.
    pub path: String,
    /// `file`, `dir`, `symlink`, `hardlink`, `char`, `block`, `fifo` or `other`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Bytes of a regular file's contents (0 for the others).
    pub size: u64,
    /// Permission bits, with setuid/setgid/sticky (`0o1777` is 1023).
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Last modification, seconds since the epoch.
    pub mtime: u64,
    /// What a symbolic or hard link points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// A device node's `major:minor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

impl TmpfsEntry {
    /// The JSON form `decode` writes; `--pretty` shows the mode in octal.
    pub fn doc(&self, pretty: bool) -> Doc {
        let mut d = Doc::map();
        d.put("path", self.path.as_str().into());
        d.put("type", self.kind.into());
        d.put("size", self.size.into());
        if pretty {
            d.put("mode", format!("{:04o}", self.mode).into());
        } else {
            d.put("mode", self.mode.into());
        }
        d.put("uid", self.uid.into());
        d.put("gid", self.gid.into());
        d.put("mtime", self.mtime.into());
        if let Some(t) = &self.target {
            d.put("target", t.as_str().into());
        }
        if let Some(dev) = &self.device {
            d.put("device", dev.as_str().into());
        }
        d
    }
}

/// What a pass over the tar found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Members listed.
    pub entries: usize,
    /// Bytes of regular files.
    pub file_bytes: u64,
    /// Members not extracted, and why (only with `--extract`).
    pub skipped: Vec<String>,
}

/// Calls `f` with each member, reading the gzip'd tar as one stream.
pub fn for_each<R: Read>(
    input: R,
    file: &str,
    mut f: impl FnMut(TmpfsEntry, &mut dyn Read) -> Result<()>,
) -> Result<()> {
    let bad = |what: String| Error::bad_image(file, what);
    let gz = flate2::read::GzDecoder::new(input);
    // Guarded: a GNU long name or PAX header is refused past a small cap
    // before the `tar` crate reads it whole.
    let mut archive = tar::Archive::new(crate::archive::Guarded::new(gz));
    let entries = archive.entries().map_err(|e| bad(format!("not a gzip'd tar: {e}")))?;
    for (i, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| bad(format!("member {i}: {}", tar_error(&e))))?;
        let info = describe(&entry).map_err(|e| bad(format!("member {i}: {}", tar_error(&e))))?;
        f(info, &mut entry)?;
    }
    Ok(())
}

/// Every member, in archive order.
pub fn list<R: Read>(input: R, file: &str) -> Result<Vec<TmpfsEntry>> {
    let mut v = Vec::new();
    for_each(input, file, |e, _| {
        v.push(e);
        Ok(())
    })?;
    Ok(v)
}

fn tar_error(e: &io::Error) -> String {
    if let Some(what) = crate::archive::refusal(e) {
        return what;
    }
    // flate2 and tar say "corrupt deflate stream", "unexpected EOF", …
    let s = e.to_string();
    if s.is_empty() {
        format!("{:?}", e.kind())
    } else {
        s.replace('\n', " ")
    }
}

fn describe<R: Read>(entry: &tar::Entry<'_, R>) -> io::Result<TmpfsEntry> {
    use tar::EntryType as T;
    let h = entry.header();
    let kind = match h.entry_type() {
        T::Regular | T::Continuous => "file",
        T::Directory => "dir",
        T::Symlink => "symlink",
        T::Link => "hardlink",
        T::Char => "char",
        T::Block => "block",
        T::Fifo => "fifo",
        _ => "other",
    };
    let device = match kind {
        "char" | "block" => Some(format!(
            "{}:{}",
            h.device_major()?.unwrap_or(0),
            h.device_minor()?.unwrap_or(0)
        )),
        _ => None,
    };
    let target = match kind {
        "symlink" | "hardlink" => entry
            .link_name_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        _ => None,
    };
    Ok(TmpfsEntry {
        path: String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
        kind,
        size: if kind == "file" { entry.size() } else { 0 },
        mode: h.mode()? & 0o7777,
        uid: h.uid()?,
        gid: h.gid()?,
        mtime: h.mtime()?,
        target,
        device,
    })
}

/// Writes `{"magic": "TMPFS_DEV", "entries": [...]}`, one entry per member
/// (`pretty`: modes in octal); with `extract`, also unpacks the members into
/// that directory (see the module's rules).
pub fn decode<R: Read, W: Write>(
    input: R,
    file: &str,
    w: &mut JsonWriter<W>,
    extract: Option<&Path>,
    pretty: bool,
) -> Result<Summary> {
    let mut into = extract.map(|d| Extraction::begin(d, file)).transpose()?;
    w.begin_object().map_err(output_error)?;
    w.key("magic").map_err(output_error)?;
    w.string("TMPFS_DEV").map_err(output_error)?;
    w.key("entries").map_err(output_error)?;
    w.begin_array().map_err(output_error)?;
    let mut summary = Summary::default();
    for_each(input, file, |e, data| {
        summary.entries += 1;
        if e.kind == "file" {
            summary.file_bytes += e.size;
        }
        if let Some(x) = into.as_mut() {
            x.member(&e, data)?;
        }
        e.doc(pretty).write(w).map_err(output_error)
    })?;
    w.end_array().map_err(output_error)?;
    w.end_object().map_err(output_error)?;
    if let Some(x) = into {
        summary.skipped = x.finish()?;
    }
    Ok(summary)
}

/// An extraction in progress: a temporary directory beside the target.
struct Extraction {
    tmp: tempfile::TempDir,
    dest: PathBuf,
    file: String,
    /// Directories' modes and times, applied last so a read-only directory
    /// can still be filled.
    dirs: Vec<(PathBuf, u32, u64)>,
    skipped: Vec<String>,
}

impl Extraction {
    fn begin(dest: &Path, file: &str) -> Result<Extraction> {
        let name = dest.display().to_string();
        match fs::symlink_metadata(dest) {
            Ok(m) if m.is_dir() => {
                let mut it = fs::read_dir(dest).map_err(|e| Error::io(&name, e))?;
                if it.next().is_some() {
                    return Err(Error::Checkpoint(format!(
                        "{name}: not empty; --extract writes into a new or empty directory"
                    )));
                }
            }
            Ok(_) => {
                return Err(Error::Checkpoint(format!(
                    "{name}: exists and is not a directory; --extract writes into a new or empty directory"
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&name, e)),
        }
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".crit-extract-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(format!("{}: cannot create a temporary directory", parent.display()), e))?;
        Ok(Extraction {
            tmp,
            dest: dest.to_path_buf(),
            file: file.to_string(),
            dirs: Vec::new(),
            skipped: Vec::new(),
        })
    }

    fn refuse(&self, e: &TmpfsEntry, why: &str) -> Error {
        Error::bad_image(&self.file, format!("member {:?}: {why}; nothing was extracted", e.path))
    }

    /// The member's path inside our directory, after checking every parent
    /// that exists is a real directory (never a symbolic link).
    fn place(&self, e: &TmpfsEntry, rel: &Path) -> Result<Option<PathBuf>> {
        let rel = safe_relative(rel).ok_or_else(|| self.refuse(e, "an absolute path or one with `..` is refused"))?;
        if rel.as_os_str().is_empty() {
            return Ok(None); // the mount's root itself
        }
        let mut at = self.tmp.path().to_path_buf();
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
                    fs::create_dir(&at).map_err(|err| Error::io(at.display().to_string(), err))?;
                }
                Err(_) => {}
            }
        }
        Ok(Some(at))
    }

    fn member(&mut self, e: &TmpfsEntry, data: &mut dyn Read) -> Result<()> {
        let Some(at) = self.place(e, Path::new(&e.path))? else {
            self.dirs
                .push((self.tmp.path().to_path_buf(), e.mode & 0o1777, e.mtime));
            return Ok(());
        };
        let io = |err: io::Error| Error::io(at.display().to_string(), err);
        match e.kind {
            "dir" => {
                if !at.is_dir() {
                    fs::create_dir(&at).map_err(io)?;
                }
                self.dirs.push((at, e.mode & 0o1777, e.mtime));
            }
            "file" => {
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    // create_new (O_EXCL) never follows a symbolic link.
                    .mode(0o600)
                    .open(&at)
                    .map_err(io)?;
                let n = io::copy(&mut data.take(e.size), &mut f)
                    .map_err(|err| Error::bad_image(&self.file, format!("member {:?}: {}", e.path, tar_error(&err))))?;
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
                f.set_permissions(fs::Permissions::from_mode(e.mode & 0o777))
                    .map_err(io)?;
                f.set_modified(epoch(e.mtime)).map_err(io)?;
            }
            "symlink" => {
                let target = e.target.clone().unwrap_or_default();
                if points_down(&target) {
                    std::os::unix::fs::symlink(&target, &at).map_err(io)?;
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
                let src = self.tmp.path().join(rel);
                let ok = fs::symlink_metadata(&src).is_ok_and(|m| m.is_file())
                    && src.parent().is_some_and(|p| no_symlink_between(self.tmp.path(), p));
                if !ok {
                    return Err(self.refuse(e, "a hard link must name a file extracted before it"));
                }
                fs::hard_link(&src, &at).map_err(io)?;
            }
            kind => self.skipped.push(format!("{:?} ({kind}: listed, not created)", e.path)),
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<String>> {
        // Deepest first, so a read-only parent is set after its children.
        self.dirs
            .sort_by_key(|(p, _, _)| std::cmp::Reverse(p.components().count()));
        for (p, mode, mtime) in &self.dirs {
            let io = |err: io::Error| Error::io(p.display().to_string(), err);
            fs::set_permissions(p, fs::Permissions::from_mode(*mode)).map_err(io)?;
            if let Ok(d) = fs::File::open(p) {
                let _ = d.set_modified(epoch(*mtime));
            }
        }
        let tmp = self.tmp.keep();
        if let Err(e) = fs::rename(&tmp, &self.dest) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(Error::io(self.dest.display().to_string(), e));
        }
        Ok(self.skipped)
    }
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
}
