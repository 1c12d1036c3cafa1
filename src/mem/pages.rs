//! The files holding raw memory (`pages-N.img`, inline SysV shm data), read
//! with positioned reads in caller-sized blocks: nothing is mapped, so the
//! resident set stays small whatever the dump's size. The bytes may be a
//! file of a directory, a member in place in a plain tar, or a member a
//! compressed archive spilled to a temporary file.

use crate::error::Result;
use crate::source::Positioned;
use crate::source::Source;

/// Index of a file in [`PagesFiles`].
pub(crate) type FileId = usize;

struct PagesFile {
    /// Image name relative to the checkpoint (`parent/pages-1.img`), for people.
    label: String,
    bytes: Positioned,
}

/// The raw memory files one reader uses, each opened once.
#[derive(Default)]
pub(crate) struct PagesFiles {
    files: Vec<PagesFile>,
}

impl PagesFiles {
    /// Opens image `name` of `src` (or returns the id it already has).
    pub fn open(&mut self, src: &Source, name: &str) -> Result<FileId> {
        if let Some(id) = self.files.iter().position(|f| f.label == name) {
            return Ok(id);
        }
        let bytes = src.pages(name)?;
        self.files.push(PagesFile {
            label: name.to_string(),
            bytes,
        });
        Ok(self.files.len() - 1)
    }

    /// Every file's label, by id.
    pub fn labels(&self) -> Vec<String> {
        self.files.iter().map(|f| f.label.clone()).collect()
    }

    pub fn label(&self, id: FileId) -> &str {
        &self.files[id].label
    }

    pub fn len(&self, id: FileId) -> u64 {
        self.files[id].bytes.len()
    }

    /// Fills `buf` from `offset`; the range was checked against the length when resolved.
    pub fn read_at(&self, id: FileId, offset: u64, buf: &mut [u8]) -> Result<()> {
        self.files[id].bytes.read_exact_at(buf, offset)
    }
}
