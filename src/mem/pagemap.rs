//! `pagemap-*.img`: which pages of an address space (or of a shared memory
//! object) a checkpoint holds, as runs of consecutive pages with flags.

use std::path::Path;

use crate::error::{Error, Result};
use crate::image::ImageReader;
use crate::proto::{PagemapEntry, PagemapHead};

/// The size of a page in every image this crate reads (x86_64, 4 KiB).
pub const PAGE_SIZE: u64 = 4096;

/// The run's pages are in the parent checkpoint (a pre-dump).
pub const PE_PARENT: u32 = 1 << 0;
/// The run's pages may be restored lazily (by `criu lazy-pages`).
pub const PE_LAZY: u32 = 1 << 1;
/// The run's pages are in this checkpoint's `pages-N.img`.
pub const PE_PRESENT: u32 = 1 << 2;

/// One `pagemap_entry`: `nr_pages` pages from `vaddr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// First address (for `pagemap-shmem-*`, the offset in the object).
    pub vaddr: u64,
    /// Number of pages.
    pub nr_pages: u64,
    /// `PE_*` bits, normalised for images older than the `flags` field.
    pub flags: u32,
}

impl Run {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.nr_pages * PAGE_SIZE
    }

    /// True for a run of no pages.
    pub fn is_empty(&self) -> bool {
        self.nr_pages == 0
    }

    /// One past the last address.
    pub fn end(&self) -> u64 {
        self.vaddr + self.len()
    }

    /// The pages are in this checkpoint's pages file.
    pub fn present(&self) -> bool {
        self.flags & PE_PRESENT != 0 && !self.in_parent()
    }

    /// The pages are in the parent checkpoint.
    pub fn in_parent(&self) -> bool {
        self.flags & PE_PARENT != 0
    }

    /// The pages may be restored lazily.
    pub fn lazy(&self) -> bool {
        self.flags & PE_LAZY != 0
    }
}

/// A whole pagemap image: the id of its pages file and its runs, in address order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagemap {
    /// The pages are in `pages-<pages_id>.img`.
    pub pages_id: u32,
    /// Its runs, in address order.
    pub runs: Vec<Run>,
}

/// How many pages a `pagemap_entry` covers: CRIU 4.2's `nr_pages` (field 5)
/// when present, else the 4.1-and-older `compat_nr_pages` (field 2), as CRIU
/// itself reads them. Every reader of pagemaps asks this, never the fields.
pub fn entry_pages(pe: &PagemapEntry) -> u64 {
    pe.nr_pages.unwrap_or(u64::from(pe.compat_nr_pages))
}

impl Pagemap {
    /// Reads `pagemap-*.img`. Runs must be sorted and not overlap, as CRIU
    /// writes them: lookups binary-search them.
    ///
    /// ```no_run
    /// let pm = crit::mem::Pagemap::read("checkpoint/pagemap-1.img")?;
    /// println!("{} runs in pages-{}.img", pm.runs.len(), pm.pages_id);
    /// # Ok::<(), crit::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        Pagemap::from_reader(ImageReader::open(path.as_ref())?)
    }

    /// Reads a pagemap image from an opened reader (e.g. an archive's member).
    pub fn from_reader<R: std::io::Read>(mut r: ImageReader<R>) -> Result<Self> {
        let mut buf = Vec::new();
        let file = r.file().to_string();
        let head = r
            .next_message::<PagemapHead>(&mut buf)?
            .ok_or_else(|| Error::bad_image(&file, "the pagemap has no head entry"))?;
        let mut runs = Vec::new();
        loop {
            let (entry, at) = (r.entry_index(), r.offset());
            let Some(pe) = r.next_message::<PagemapEntry>(&mut buf)? else {
                break;
            };
            // Before the `flags` field, `in_parent` alone said where pages were.
            let mut flags = pe.flags.unwrap_or(if pe.in_parent() { PE_PARENT } else { PE_PRESENT });
            if pe.in_parent() {
                flags |= PE_PARENT;
            }
            let run = Run {
                vaddr: pe.vaddr,
                nr_pages: entry_pages(&pe),
                flags,
            };
            let bad = |what: String| Error::bad_image(&file, format!("entry {entry} at byte {at}: {what}"));
            if run.vaddr.checked_add(run.len()).is_none() {
                return Err(bad(format!(
                    "run of {} pages at {:#x} runs past the end of the address space",
                    run.nr_pages, run.vaddr
                )));
            }
            if let Some(prev) = runs.last().copied().filter(|p: &Run| p.end() > run.vaddr) {
                return Err(bad(format!(
                    "run at {:#x} overlaps or precedes the run {:#x}-{:#x}; runs must be in address order",
                    run.vaddr,
                    prev.vaddr,
                    prev.end()
                )));
            }
            runs.push(run);
        }
        Ok(Pagemap {
            pages_id: head.pages_id,
            runs,
        })
    }
}
