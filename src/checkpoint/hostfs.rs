//! A checkpoint's files on this machine, under a root directory: paths
//! resolved as if the root were `/`, and whether a file found there is the
//! one the checkpoint recorded (size, ELF build-id), as CRIU's restore
//! decides it. `check` and `coredump` both stand on it.
//!
//! Paths come from the checkpoint, so they are resolved as in a chroot:
//! `..` stops at the root and symbolic links, absolute or relative, are
//! followed inside it. Hand-written: `openat2(RESOLVE_IN_ROOT)` does the
//! same but needs Linux 5.6 and unsafe code.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::hex;
use crate::proto::RegFileEntry;

/// CRIU maps at most this much of a file to find its build-id (`BUILD_ID_MAP_SIZE`).
const BUILD_ID_MAP_SIZE: usize = 1 << 20;
/// Symbolic links followed for one path before giving up (the kernel's limit).
const MAX_LINKS: usize = 40;

/// `path` (as the checkpoint names it) resolved under `root`, or why not.
pub fn resolve(root: &Path, path: &str) -> Result<PathBuf, String> {
    let mut todo: VecDeque<OsString> = components(Path::new(path));
    let mut cur: Vec<OsString> = Vec::new();
    let mut links = 0;
    while let Some(c) = todo.pop_front() {
        if c == ".." {
            cur.pop();
            continue;
        }
        cur.push(c);
        let here: PathBuf = cur.iter().fold(root.to_path_buf(), |p, c| p.join(c));
        let meta = std::fs::symlink_metadata(&here).map_err(|e| format!("{}: {e}", here.display()))?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return Err(format!("{}: too many symbolic links", here.display()));
            }
            let target = std::fs::read_link(&here).map_err(|e| format!("{}: {e}", here.display()))?;
            cur.pop();
            if target.is_absolute() {
                cur.clear();
            }
            let mut rest = components(&target);
            rest.extend(todo);
            todo = rest;
        }
    }
    Ok(cur.iter().fold(root.to_path_buf(), |p, c| p.join(c)))
}

/// The normal and `..` components of `p` (root and `.` dropped).
fn components(p: &Path) -> VecDeque<OsString> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

/// Whether the file at `path` is the one the checkpoint recorded as `r`,
/// as CRIU's restore decides it (`validate_file`): its size when one was
/// recorded, then its ELF build-id when one was recorded and can be read
/// here. `Err` says how it differs: `size 2014249, the checkpoint has 2014248`.
pub fn matches_record(r: &RegFileEntry, path: &Path) -> std::result::Result<(), String> {
    let meta = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(want) = r.size else { return Ok(()) };
    if meta.len() != want {
        return Err(format!("size {}, the checkpoint has {want}", meta.len()));
    }
    if r.build_id.is_empty() || !meta.is_file() {
        return Ok(());
    }
    let head = read_head(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let want: Vec<u8> = r.build_id.iter().flat_map(|w| w.to_le_bytes()).collect();
    match build_id(&head) {
        Some(got) if !(got.len().div_ceil(4) * 4 == want.len() && want[..got.len()] == got[..]) => Err(format!(
            "build-id {}, the checkpoint has {}",
            hex::encode(&got),
            hex::encode(&want)
        )),
        _ => Ok(()),
    }
}

pub(crate) fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = fs::File::open(path)?;
    let mut buf = Vec::new();
    f.by_ref().take(BUILD_ID_MAP_SIZE as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The ELF build-id of a file whose first bytes are `head`, found as CRIU's
/// `get_build_id` finds it: the first `NT_GNU_BUILD_ID` note of the
/// `PT_NOTE` program headers within the first MiB. `None` when there is none.
pub fn build_id(head: &[u8]) -> Option<Vec<u8>> {
    if head.len() < 16 || &head[..4] != b"\x7fELF" {
        return None;
    }
    let wide = match head[4] {
        1 => false,
        2 => true,
        _ => return None,
    };
    let le = head[5] != 2;
    let u16_at = |o: usize| -> Option<u64> {
        let b: [u8; 2] = head.get(o..o + 2)?.try_into().ok()?;
        Some(u64::from(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }))
    };
    let u32_at = |o: usize| -> Option<u64> {
        let b: [u8; 4] = head.get(o..o + 4)?.try_into().ok()?;
        Some(u64::from(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }))
    };
    let u64_at = |o: usize| -> Option<u64> {
        let b: [u8; 8] = head.get(o..o + 8)?.try_into().ok()?;
        Some(if le {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    };
    let word = |o: usize| if wide { u64_at(o) } else { u32_at(o) };
    let (phoff, phnum, phsize) = if wide {
        (u64_at(0x20)?, u16_at(0x38)?, 56usize)
    } else {
        (u32_at(0x1c)?, u16_at(0x2c)?, 32usize)
    };
    let phoff = usize::try_from(phoff).ok().filter(|&o| o > 0)?;
    for i in 0..phnum as usize {
        let ph = phoff.checked_add(i.checked_mul(phsize)?)?;
        if ph + phsize > head.len() {
            break;
        }
        if u32_at(ph)? != 4 {
            continue; // not PT_NOTE
        }
        let (off, filesz) = if wide {
            (u64_at(ph + 8)?, u64_at(ph + 32)?)
        } else {
            (word(ph + 4)?, word(ph + 16)?)
        };
        if let Some(id) = note_in(head, off, filesz, &u32_at) {
            return Some(id);
        }
    }
    None
}

/// The build-id note among the notes at `off..off+len` of `head`.
fn note_in(head: &[u8], off: u64, len: u64, u32_at: &dyn Fn(usize) -> Option<u64>) -> Option<Vec<u8>> {
    let start = usize::try_from(off).ok().filter(|&o| o > 0)?;
    let end = usize::try_from(off.saturating_add(len))
        .unwrap_or(usize::MAX)
        .min(head.len().checked_sub(12)?);
    let mut n = start;
    while n <= end {
        let (namesz, descsz, ty) = (u32_at(n)?, u32_at(n + 4)?, u32_at(n + 8)?);
        let desc = n
            .checked_add(12)?
            .checked_add(usize::try_from(namesz.div_ceil(4) * 4).ok()?)?;
        if ty == 3 {
            if descsz == 0 || descsz > 512 {
                return None;
            }
            return head.get(desc..desc + descsz as usize).map(<[u8]>::to_vec);
        }
        n = desc.checked_add(usize::try_from(descsz.div_ceil(4) * 4).ok()?)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn stays_inside_the_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("usr/lib")).unwrap();
        std::fs::write(root.join("usr/lib/libx.so"), b"x").unwrap();
        std::fs::write(t.path().join("secret"), b"s").unwrap();
        symlink("usr/lib", root.join("lib")).unwrap();
        symlink("/usr/lib/libx.so", root.join("abs")).unwrap();
        symlink("../../secret", root.join("usr/up")).unwrap();
        assert_eq!(resolve(&root, "/lib/libx.so").unwrap(), root.join("usr/lib/libx.so"));
        assert_eq!(resolve(&root, "/abs").unwrap(), root.join("usr/lib/libx.so"));
        assert_eq!(
            resolve(&root, "/../../usr/lib/libx.so").unwrap(),
            root.join("usr/lib/libx.so")
        );
        // `..` through a link stops at the root: the file outside is not reached.
        assert!(resolve(&root, "/usr/up").is_err());
        symlink("loop", root.join("loop")).unwrap();
        assert!(resolve(&root, "/loop").unwrap_err().contains("too many"));
    }
}
