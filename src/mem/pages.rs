//! The files holding raw memory (`pages-N.img`, inline SysV shm data), read
//! with positioned reads in caller-sized blocks: nothing is mapped, so the
//! resident set stays small whatever the dump's size.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Index of a file in [`PagesFiles`].
pub(crate) type FileId = usize;

struct PagesFile {
    /// Path relative to the checkpoint directory (`parent/pages-1.img`), for people.
    label: String,
    path: PathBuf,
    file: File,
    len: u64,
}

/// The raw memory files one reader uses, each opened once.
#[derive(Default)]
pub(crate) struct PagesFiles {
    files: Vec<PagesFile>,
}

impl PagesFiles {
    /// Opens `path` (or returns the id it already has).
    pub fn open(&mut self, path: &Path, label: String) -> Result<FileId> {
        if let Some(id) = self.files.iter().position(|f| f.path == path) {
            return Ok(id);
        }
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io(&name, e))?;
        let len = file.metadata().map_err(|e| Error::io(&name, e))?.len();
        self.files.push(PagesFile {
            label,
            path: path.to_path_buf(),
            file,
            len,
        });
        Ok(self.files.len() - 1)
    }

    pub fn label(&self, id: FileId) -> &str {
        &self.files[id].label
    }

    pub fn len(&self, id: FileId) -> u64 {
        self.files[id].len
    }

    /// Fills `buf` from `offset`; the range was checked against the length when resolved.
    pub fn read_at(&self, id: FileId, offset: u64, buf: &mut [u8]) -> Result<()> {
        let f = &self.files[id];
        f.file
            .read_exact_at(buf, offset)
            .map_err(|e| Error::io(f.path.display().to_string(), e))
    }
}
