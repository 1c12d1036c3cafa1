//! The temporary file raw memory is copied to (`mem read`, `diff`,
//! `coredump` and `inspect` on a compressed archive): written sparsely, a
//! page of zeros seeked over rather than written (a hole costs no disk, and
//! reads back as zeros), and under a limit on what the whole process writes
//! to temporary files, so that a small archive that decompresses to
//! gigabytes cannot fill the disk.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// The limit when none is set: 4 GiB. Sparse copies make zero pages free, so
/// this counts only the memory a checkpoint really holds; a container's
/// non-zero memory is seldom near it, and a `TMPDIR` on tmpfs (half the RAM
/// by default) can take it on most machines. More must be asked for.
pub(crate) const DEFAULT_TEMP_LIMIT: u64 = 4 << 30;

static LIMIT: AtomicU64 = AtomicU64::new(DEFAULT_TEMP_LIMIT);
static WRITTEN: AtomicU64 = AtomicU64::new(0);

/// Sets how many bytes this process may write to temporary files, in all
/// (the default is `DEFAULT_TEMP_LIMIT`).
pub fn set_temp_limit(bytes: u64) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// How many bytes this process may write to temporary files, in all.
pub(crate) fn temp_limit() -> u64 {
    LIMIT.load(Ordering::Relaxed)
}

/// `4 GiB`, `512 MiB`, `3000 bytes`: a size as people read it.
pub fn human_size(n: u64) -> String {
    crate::size::format_size(n, crate::size::SizeForm::Exact)
}

/// Takes `n` bytes of the budget, or says which limit refused them.
fn take(n: u64, label: &str) -> Result<()> {
    let limit = temp_limit();
    let mut now = WRITTEN.load(Ordering::Relaxed);
    loop {
        let next = now.saturating_add(n);
        if next > limit {
            return Err(Error::limit(label, crate::error::Limit::TempFiles { max: limit }));
        }
        match WRITTEN.compare_exchange_weak(now, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Ok(()),
            Err(seen) => now = seen,
        }
    }
}

/// Pages are seeked over when all zeros, in steps of this many bytes.
const PAGE: usize = 4096;
/// A page of zeros, to compare pages with.
static ZEROS: [u8; PAGE] = [0; PAGE];
/// Bytes read from the member at a time.
const READ: usize = 256 << 10;
/// Bytes gathered before they are written.
const BUFFER: usize = 1 << 20;

/// An unlinked temporary file written front to back, zero pages left as holes.
pub(crate) struct Spill {
    file: File,
    /// Where the next byte goes.
    end: u64,
    /// Bytes not yet written, to go at `end - pending.len()`.
    pending: Vec<u8>,
}

impl Spill {
    /// A new, empty temporary file (in `TMPDIR`).
    pub fn new() -> Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| Error::io("<temporary file>", e))?;
        Ok(Spill {
            file,
            end: 0,
            pending: Vec::with_capacity(BUFFER),
        })
    }

    /// Where the next byte will go.
    pub fn position(&self) -> u64 {
        self.end
    }

    /// Copies all of `r` (a member called `label`, for errors), returning how
    /// many bytes it gave.
    pub fn copy(&mut self, r: &mut dyn io::Read, label: &str) -> Result<u64> {
        let start = self.end;
        let mut buf = vec![0u8; READ];
        loop {
            let n = crate::image::read_full(&mut &mut *r, &mut buf).map_err(|e| {
                Error::bad_archive_from(label, format!("truncated or corrupt compressed stream: {e}"), e)
            })?;
            for page in buf[..n].chunks(PAGE) {
                if page == &ZEROS[..page.len()] {
                    self.flush()?;
                } else {
                    if self.pending.len() + page.len() > BUFFER {
                        self.flush()?;
                    }
                    take(page.len() as u64, label)?;
                    self.pending.extend_from_slice(page);
                }
                self.end += page.len() as u64;
            }
            if n < READ {
                return Ok(self.end - start);
            }
        }
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            let at = self.end - self.pending.len() as u64;
            self.file
                .write_all_at(&self.pending, at)
                .map_err(|e| Error::io("<temporary file>", e))?;
            self.pending.clear();
        }
        Ok(())
    }

    /// The file, every byte written and its length that of all copied (a
    /// trailing run of zeros included).
    pub fn finish(mut self) -> Result<File> {
        self.flush()?;
        self.file
            .set_len(self.end)
            .map_err(|e| Error::io("<temporary file>", e))?;
        Ok(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn zero_pages_are_holes() {
        let mut s = Spill::new().unwrap();
        let mut data = vec![0u8; 64 * PAGE + 100];
        data[5 * PAGE + 7] = 1;
        data[64 * PAGE + 99] = 2;
        assert_eq!(s.copy(&mut &data[..], "m").unwrap(), data.len() as u64);
        let zeros = vec![0u8; 32 * PAGE];
        assert_eq!(s.copy(&mut &zeros[..], "z").unwrap(), zeros.len() as u64);
        let f = s.finish().unwrap();
        let meta = f.metadata().unwrap();
        assert_eq!(meta.len(), (data.len() + zeros.len()) as u64);
        let mut back = vec![0u8; meta.len() as usize];
        f.read_exact_at(&mut back, 0).unwrap();
        assert_eq!(&back[..data.len()], &data[..]);
        assert!(back[data.len()..].iter().all(|&b| b == 0));
        // Two pages hold bytes; a file system allocates at most a few blocks more.
        assert!(meta.blocks() * 512 <= 16 * PAGE as u64, "{} blocks", meta.blocks());
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(4 << 30), "4 GiB");
        assert_eq!(human_size(32 << 20), "32 MiB");
        assert_eq!(human_size(1536), "1536 bytes");
    }
}
