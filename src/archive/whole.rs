//! A whole checkpoint archive given where one image was expected (`crit
//! decode -i ARCHIVE`, `info`, `show`): told by the names of its first
//! members, so that the command can say how to name an image inside it
//! instead of reading the archive as an image (a gzip tar reads as CRIU's
//! tmpfs image, `TMPFS_DEV`).

use std::io::Read;
use std::path::Path;

use super::{detect, Compression};
use crate::error::{Error, Result};

/// Members looked at, at most: Podman and CRI-O put their metadata
/// (`config.dump`, `checkpoint/`) among the first few, a pod its
/// `pod.options`; past this many, the archive is taken for something else.
const LOOKED_AT: usize = 256;

/// What kind of checkpoint archive a file is. (A folder's entry is named
/// with a trailing `/`: `checkpoint/`, a file `checkpoint` is no sign.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Whole {
    /// One container: `config.dump`, `spec.dump`, `checkpoint/` at the top.
    Container,
    /// A pod: `pod.options`, or a folder per container holding
    /// `checkpoint/`; the first such folder, when its name is plain.
    Pod(Option<String>),
    /// A tar of CRIU images: `pstree.img`, `inventory.img` at the top.
    Images,
}

/// Whether `path` is a checkpoint archive rather than one image: `None` for
/// anything else (an image, a tmpfs image's tar, a tar of other files, a
/// corrupt archive, which the image reader then reports).
///
/// # Errors
///
/// `path` cannot be opened or read.
pub(crate) fn checkpoint_archive(path: &Path) -> Result<Option<Whole>> {
    let Some(kind) = detect(path)? else {
        return Ok(None);
    };
    let label = path.display().to_string();
    let f = crate::regular::open(path).map_err(|e| Error::io(&label, e))?;
    let r: Box<dyn Read> = match kind {
        Compression::None => Box::new(f),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
        Compression::Zstd => match zstd::stream::read::Decoder::new(f) {
            Ok(d) => Box::new(d),
            Err(_) => return Ok(None),
        },
    };
    // Watched as every tar is: a name of a gigabyte is refused unread.
    let mut ar = tar::Archive::new(super::guard::Guarded::new(r));
    let Ok(entries) = ar.entries() else {
        return Ok(None);
    };
    let mut found = None;
    for e in entries.take(LOOKED_AT) {
        let Ok(e) = e else { break };
        let raw = e.path_bytes();
        let name = String::from_utf8_lossy(&raw);
        let name = name.trim_start_matches("./");
        match telling(name) {
            Some(Whole::Pod(None)) => found = Some(Whole::Pod(None)),
            Some(w @ Whole::Pod(Some(_))) => return Ok(Some(w)),
            Some(w) if found.is_none() => return Ok(Some(w)),
            _ => {}
        }
    }
    Ok(found)
}

/// What one member's name says of the archive.
fn telling(name: &str) -> Option<Whole> {
    match name {
        "config.dump" | "spec.dump" => return Some(Whole::Container),
        "pod.options" | "pod.dump" => return Some(Whole::Pod(None)),
        "pstree.img" | "inventory.img" => return Some(Whole::Images),
        _ => {}
    }
    if name.starts_with("checkpoint/") {
        return Some(Whole::Container);
    }
    let (folder, rest) = name.split_once('/')?;
    if !rest.starts_with("checkpoint/") {
        return None;
    }
    let plain = !folder.is_empty() && folder.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    Some(Whole::Pod(plain.then(|| folder.to_string())))
}

/// The error for a whole checkpoint archive `label` given where one image
/// was expected: what it is, how to name an image in it, and where to see
/// what it holds.
pub(crate) fn not_one_image(label: &str, whole: &Whole) -> Error {
    let (what, member) = match whole {
        Whole::Container => ("a container checkpoint archive", "checkpoint/NAME.img".to_string()),
        Whole::Pod(folder) => (
            "a pod checkpoint archive",
            format!("{}/checkpoint/NAME.img", folder.as_deref().unwrap_or("FOLDER")),
        ),
        Whole::Images => ("a tar archive of checkpoint images", "NAME.img".to_string()),
    };
    Error::Unsupported {
        file: label.to_string(),
        what: format!(
            "{what}, not one image: name an image in it as {label}:{member} (`crit inspect {label}` lists what is inside)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_tell() {
        assert_eq!(telling("config.dump"), Some(Whole::Container));
        assert_eq!(telling("checkpoint/"), Some(Whole::Container));
        assert_eq!(telling("checkpoint/pstree.img"), Some(Whole::Container));
        assert_eq!(telling("pod.options"), Some(Whole::Pod(None)));
        assert_eq!(
            telling("a1b2-web/checkpoint/core-1.img"),
            Some(Whole::Pod(Some("a1b2-web".into())))
        );
        assert_eq!(telling("x\u{1b}[2J/checkpoint/"), Some(Whole::Pod(None)));
        assert_eq!(telling("pstree.img"), Some(Whole::Images));
        for other in [
            "shm/",
            "shm/checkpoint",
            "checkpoint",
            "a/b/checkpoint/x",
            "checkpoints/",
            "artifacts/",
        ] {
            assert_eq!(telling(other), None, "{other}");
        }
    }
}
