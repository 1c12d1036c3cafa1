//! Checks on the directory a command is given, made before reading images
//! in it, so an error says what is wrong with the path itself ("not a
//! directory", "not a checkpoint directory") rather than naming an image
//! inside a path that cannot hold one.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// `dir` exists and is a directory (symlinks followed).
pub fn require_dir(dir: &Path) -> Result<()> {
    let meta = fs::metadata(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    if !meta.is_dir() {
        return Err(Error::Checkpoint(format!("{}: not a directory", dir.display())));
    }
    Ok(())
}

/// `dir` is a directory holding `pstree.img`, the one image every checkpoint has.
pub fn require_checkpoint(dir: &Path) -> Result<()> {
    require_dir(dir)?;
    match fs::symlink_metadata(dir.join("pstree.img")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Checkpoint(format!(
            "{}: not a checkpoint directory: no pstree.img",
            dir.display()
        ))),
        // Any other trouble is reported by the read that follows, naming the image.
        _ => Ok(()),
    }
}
