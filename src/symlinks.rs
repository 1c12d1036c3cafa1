//! The kernel's `protected_symlinks` rule, for the symbolic links crit
//! follows itself (hop by hop, to write through them): in a sticky
//! world-writable directory such as `/tmp`, a link is followed only when it
//! belongs to the directory's owner or to us. Another user's link planted
//! there (`/tmp/core.1234 -> /etc/shadow`) is refused, as the kernel refuses
//! it to `open(2)` when `fs.protected_symlinks` is 1.

use std::fs::{self, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::error::{Error, Result};

/// Checks that the symbolic link at `link` (whose own metadata is `meta`)
/// may be followed; `name` is how the error names what the user gave.
pub fn may_follow(name: &str, link: &Path, meta: &Metadata) -> Result<()> {
    let dir = match link.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(d) = fs::metadata(dir) else {
        return Ok(()); // Nothing to judge by: opening it will say why.
    };
    let sticky_world_writable = d.mode() & 0o1002 == 0o1002;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if sticky_world_writable && meta.uid() != d.uid() && meta.uid() != me {
        return Err(Error::UnsafeSymlink {
            file: name.to_string(),
            link: link.to_path_buf(),
            owner: meta.uid(),
        });
    }
    Ok(())
}

/// Follows `path` hop by hop, each hop by [`may_follow`]'s rule, to what it
/// finally names (itself when it is no symbolic link). A dangling link leads
/// to the path it names.
pub fn resolve(name: &str, path: &Path) -> Result<std::path::PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                may_follow(name, &p, &m)?;
                let target = fs::read_link(&p).map_err(|e| Error::io(name, e))?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::io(name, std::io::Error::from_raw_os_error(libc::ELOOP)))
}
