//! Mapped files found under a root directory (`--files ROOT`): the host's `/`
//! for a local checkpoint, an extracted container root file system otherwise.
//!
//! Paths come from the checkpoint, so they are resolved as if ROOT were `/`
//! (a chroot): `..` stops at ROOT and symbolic links, absolute or relative,
//! are followed inside it. Hand-written: `openat2(RESOLVE_IN_ROOT)` does the
//! same but needs Linux 5.6 and unsafe code.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use crate::checkpoint::hostfs::{matches_record, resolve};
use crate::proto::RegFileEntry;

/// The mapped files of one core, each opened once.
#[derive(Default)]
pub(crate) struct MappedFiles {
    root: Option<PathBuf>,
    by_path: HashMap<String, Result<usize, String>>,
    files: Vec<(File, u64)>,
    /// What the checkpoint recorded of each file (size, build-id), by path:
    /// a file that differs is not read, unless `force`.
    records: HashMap<String, RegFileEntry>,
    force: bool,
    /// Where header pages are read from without a root (`None`: `/`).
    header_root: Option<PathBuf>,
    headers: HashMap<String, Option<usize>>,
}

impl MappedFiles {
    pub fn new(root: Option<PathBuf>) -> Self {
        MappedFiles {
            root,
            ..MappedFiles::default()
        }
    }

    /// Reads header pages under `root` instead of `/` (for tests).
    pub(crate) fn headers_from(&mut self, root: Option<PathBuf>) {
        self.header_root = root;
    }

    /// Without a root: the id of the file at `path` on this machine (or
    /// under the header root) when it is an ELF file and the one the
    /// checkpoint recorded (size, build-id), to read its first page from, as
    /// the kernel writes the ELF header page of each mapped file.
    pub fn header(&mut self, path: &str) -> Option<usize> {
        if self.root.is_some() {
            return None;
        }
        if let Some(h) = self.headers.get(path) {
            return *h;
        }
        let root = self.header_root.clone().unwrap_or_else(|| PathBuf::from("/"));
        let id = self.records.get(path).and_then(|r| {
            let p = resolve(&root, path).ok()?;
            let f = File::open(&p).ok()?;
            let meta = f.metadata().ok()?;
            let mut magic = [0u8; 4];
            f.read_exact_at(&mut magic, 0).ok()?;
            if !meta.is_file() || &magic != b"\x7fELF" {
                return None;
            }
            matches_record(r, &p).ok()?;
            self.files.push((f, meta.len()));
            Some(self.files.len() - 1)
        });
        self.headers.insert(path.to_string(), id);
        id
    }

    /// Checks the file at `path` against `record` before reading it: one
    /// whose size or build-id differs is refused with the reason, unless
    /// `force`.
    pub fn expect(&mut self, path: &str, record: RegFileEntry, force: bool) {
        self.records.insert(path.to_string(), record);
        self.force = force;
    }

    /// The id of the regular file `path` names under the root, or why it
    /// cannot be read (no root given, missing, not a regular file, not the
    /// file the checkpoint recorded).
    pub fn open(&mut self, path: &str) -> Result<usize, String> {
        let Some(root) = &self.root else {
            return Err("no --files root given".to_string());
        };
        if let Some(r) = self.by_path.get(path) {
            return r.clone();
        }
        let r = resolve(root, path).and_then(|p| {
            let f = crate::regular::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let meta = f.metadata().map_err(|e| format!("{}: {e}", p.display()))?;
            if !meta.is_file() {
                return Err(format!("{}: not a regular file", p.display()));
            }
            if let Some(r) = self.records.get(path).filter(|_| !self.force) {
                matches_record(r, &p).map_err(|why| format!("{}: {why} (--force reads it anyway)", p.display()))?;
            }
            self.files.push((f, meta.len()));
            Ok(self.files.len() - 1)
        });
        self.by_path.insert(path.to_string(), r.clone());
        r
    }

    /// Fills `buf` from `offset` of file `id`; past the end of the file reads
    /// as zeros (a mapping may run past it).
    pub fn read_at(&self, id: usize, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let (f, len) = &self.files[id];
        let avail = len.saturating_sub(offset).min(buf.len() as u64) as usize;
        f.read_exact_at(&mut buf[..avail], offset)?;
        buf[avail..].fill(0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_as_zeros() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("f"), b"abc").unwrap();
        let mut m = MappedFiles::new(Some(t.path().to_path_buf()));
        let id = m.open("/f").unwrap();
        let mut buf = [9u8; 5];
        m.read_at(id, 1, &mut buf).unwrap();
        assert_eq!(buf, *b"bc\0\0\0");
        assert!(m.open("/missing").is_err());
        assert!(MappedFiles::new(None).open("/f").is_err());
    }
}
