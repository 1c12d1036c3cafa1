//! Member names and kinds: the checks that keep every name inside the
//! archive, and the listing of nested tars (`rootfs-diff.tar`, volumes).

use std::io::{self, Read};

use serde::Serialize;

use super::guard::{refusal, Guarded, PATH_MAX};
use crate::error::{Error, Result};

/// What a member (or a nested tar's entry) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link.
    Hardlink,
    /// Anything else (devices, fifos).
    Other,
}

impl EntryKind {
    pub(crate) fn of(t: tar::EntryType) -> Self {
        match t {
            tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            _ => EntryKind::Other,
        }
    }
}

/// One file of a nested tar, as `tar -tv` would list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NestedEntry {
    /// Its path, as stored (without a leading `./`).
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Its size in bytes (0 for all but regular files).
    pub size: u64,
    /// A link's target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Its permission bits (`0o7777` of the header's mode), as `crit check` compares them.
    #[serde(skip)]
    pub mode: u32,
}

/// Most entries listed of one nested tar: a hostile one cannot grow memory
/// without bound.
const MAX_NESTED: usize = 1_000_000;

/// Lists the entries of a tar read from `r`; `label` names it in errors.
pub(crate) fn list_tar(r: impl Read, label: &str) -> Result<Vec<NestedEntry>> {
    let mut ar = tar::Archive::new(Guarded::new(r));
    let bad = |e: io::Error| match refusal(&e) {
        Some(what) => Error::bad_archive(label, what),
        None => Error::bad_archive_from(label, format!("not a valid tar: {e}"), e),
    };
    let entries = ar.entries().map_err(bad)?;
    let mut out = Vec::new();
    for e in entries {
        let e = e.map_err(bad)?;
        if out.len() == MAX_NESTED {
            return Err(Error::bad_archive(label, format!("more than {MAX_NESTED} entries")));
        }
        let raw = e.path_bytes();
        too_long(&raw, "name").map_err(|what| Error::bad_archive(label, format!("refused: {what}")))?;
        let path = strip_dot(&String::from_utf8_lossy(&raw)).to_string();
        if path.is_empty() {
            continue;
        }
        let kind = EntryKind::of(e.header().entry_type());
        let target = e.link_name_bytes();
        if let Some(t) = &target {
            too_long(t, "link target")
                .map_err(|what| Error::bad_archive(format!("{label}:{}", quoted(&raw)), format!("refused: {what}")))?;
        }
        let target = target.map(|t| String::from_utf8_lossy(&t).into_owned());
        out.push(NestedEntry {
            path,
            kind,
            size: if kind == EntryKind::File { e.size() } else { 0 },
            target,
            mode: e.header().mode().unwrap_or(0) & 0o7777,
        });
    }
    Ok(out)
}

/// The first bytes of a name from an archive, for an error message: at most
/// [`QUOTED`] characters, then `…` and its length. (The error is escaped
/// where it is printed.)
pub(crate) fn quoted(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    match s.char_indices().nth(QUOTED) {
        None => s.into_owned(),
        Some((cut, _)) => format!("{}… ({} bytes)", &s[..cut], raw.len()),
    }
}

/// Characters of a name an error quotes, at most.
const QUOTED: usize = 64;

/// `Err` when a name or link target is longer than [`PATH_MAX`].
fn too_long(raw: &[u8], what: &str) -> std::result::Result<(), String> {
    if raw.len() > PATH_MAX {
        return Err(format!(
            "a {what} of {} bytes, \"{}\": longer than {PATH_MAX} bytes (PATH_MAX)",
            raw.len(),
            quoted(raw)
        ));
    }
    Ok(())
}

/// `name` without leading `./` (and `/` after them).
fn strip_dot(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("./") {
        name = rest.trim_start_matches('/');
    }
    if name == "." {
        ""
    } else {
        name
    }
}

/// A member's name, checked: relative, no `..` component. `Ok("")` for the
/// archive's own root (`./`). `Err` says what is wrong.
pub(crate) fn checked_name(raw: &[u8], kind: EntryKind) -> std::result::Result<String, String> {
    too_long(raw, "name")?;
    let name = String::from_utf8_lossy(raw);
    if name.starts_with('/') {
        return Err(format!("absolute path \"{}\"", quoted(raw)));
    }
    let name = strip_dot(&name);
    if name.split('/').any(|c| c == "..") {
        return Err(format!("path \"{}\" leads outside the archive (`..`)", quoted(raw)));
    }
    let mut name = name.trim_end_matches('/').to_string();
    if kind == EntryKind::Dir && !name.is_empty() {
        name.push('/');
    }
    Ok(name)
}

/// Checks a link's target stays inside the archive: a symlink's relative to
/// its own folder, a hard link's relative to the archive's root.
pub(crate) fn check_link(name: &str, kind: EntryKind, target: &[u8]) -> std::result::Result<(), String> {
    too_long(target, "link target")?;
    let t = String::from_utf8_lossy(target);
    if t.starts_with('/') {
        return Err(format!(
            "link to absolute path \"{}\" points outside the archive",
            quoted(target)
        ));
    }
    // Depth of the folder the target is resolved from.
    let mut depth: i64 = match kind {
        EntryKind::Symlink => name.trim_end_matches('/').matches('/').count() as i64,
        _ => 0,
    };
    for c in t.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("link to \"{}\" points outside the archive", quoted(target)));
                }
            }
            _ => depth += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            checked_name(b"./checkpoint/core-1.img", EntryKind::File).unwrap(),
            "checkpoint/core-1.img"
        );
        assert_eq!(checked_name(b"checkpoint", EntryKind::Dir).unwrap(), "checkpoint/");
        assert_eq!(checked_name(b"./", EntryKind::Dir).unwrap(), "");
        assert!(checked_name(b"/etc/passwd", EntryKind::File).is_err());
        assert!(checked_name(b"a/../../x", EntryKind::File).is_err());
    }

    #[test]
    fn links() {
        assert!(check_link("a/b", EntryKind::Symlink, b"../c").is_ok());
        assert!(check_link("a/b", EntryKind::Symlink, b"../../c").is_err());
        assert!(check_link("a", EntryKind::Symlink, b"/etc").is_err());
        assert!(check_link("a/b", EntryKind::Hardlink, b"a/c").is_ok());
        assert!(check_link("a/b", EntryKind::Hardlink, b"../c").is_err());
    }
}
