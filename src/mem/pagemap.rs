//! `pagemap-*.img`: which pages of an address space (or of a shared memory
//! object) a checkpoint holds, as runs of consecutive pages with flags.

use std::path::Path;

use crate::error::{Error, Result};
use crate::image::ImageReader;
use crate::proto::{PagemapEntry, PagemapHead};
use crate::schema::Schema;
use crate::wire::{FieldIter, WireValue};
use crate::CRIU_FORMAT_VERSION;

/// The page size of x86_64 (and s390x): 4 KiB. A checkpoint's own page size
/// is [`Source::page_size`](crate::source::Source::page_size).
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
    /// The checkpoint's page size in bytes.
    pub page_size: u64,
}

impl Run {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.nr_pages.saturating_mul(self.page_size)
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
pub(crate) fn entry_pages(pe: &PagemapEntry) -> u64 {
    pe.nr_pages.unwrap_or(u64::from(pe.compat_nr_pages))
}

impl Pagemap {
    /// Reads `pagemap-*.img`. Runs must be sorted and not overlap, as CRIU
    /// writes them: lookups binary-search them.
    ///
    /// ```no_run
    /// let pm = crit::mem::Pagemap::read("checkpoint/pagemap-1.img", crit::mem::PAGE_SIZE)?;
    /// println!("{} runs in pages-{}.img", pm.runs.len(), pm.pages_id);
    /// # Ok::<(), crit::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>, page_size: u64) -> Result<Self> {
        Pagemap::from_reader(ImageReader::open(path.as_ref())?, page_size)
    }

    /// Reads a pagemap image from an opened reader (e.g. an archive's
    /// member), its runs in pages of `page_size` bytes.
    pub(crate) fn from_reader<R: std::io::Read>(mut r: ImageReader<R>, page_size: u64) -> Result<Self> {
        let mut buf = Vec::new();
        let file = r.file().to_string();
        let head = next_checked::<PagemapHead, _>(&mut r, &mut buf, &Known::of("pagemap_head"))?
            .ok_or_else(|| Error::missing_field(&file, "pagemap_head", "the pagemap has no head entry"))?
            .0;
        let mut runs = Vec::new();
        let known = Known::of("pagemap_entry");
        while let Some((pe, entry, at)) = next_checked::<PagemapEntry, _>(&mut r, &mut buf, &known)? {
            // Before the `flags` field, `in_parent` alone said where pages were.
            let mut flags = pe.flags.unwrap_or(if pe.in_parent() { PE_PARENT } else { PE_PRESENT });
            if pe.in_parent() {
                flags |= PE_PARENT;
            }
            let run = Run {
                vaddr: pe.vaddr,
                nr_pages: entry_pages(&pe),
                flags,
                page_size,
            };
            let bad = |what: String| Error::bad_image(&file, format!("entry {entry} at byte {at}: {what}"));
            if run
                .nr_pages
                .checked_mul(page_size)
                .and_then(|l| run.vaddr.checked_add(l))
                .is_none()
            {
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

/// What this crate's format knows of a pagemap message: its field numbers
/// and, for a `(criu).flags` field, the bits that have names.
struct Known {
    message: &'static str,
    desc: &'static crate::schema::Message,
    /// Field numbers below 64, one bit each: the usual case, checked without a search.
    low: u64,
    /// The flags field's number and its named bits.
    flags: Option<(u32, u64)>,
}

impl Known {
    fn of(message: &'static str) -> Self {
        let desc = Schema::get()
            .message(message)
            .expect("pagemap messages are in the schema");
        let low = desc
            .fields
            .iter()
            .filter(|f| f.number < 64)
            .fold(0, |all, f| all | 1 << f.number);
        let flags = desc.fields.iter().find_map(|f| match f.opts.flags {
            Some(Some(table)) => Some((f.number, table.iter().fold(0, |all, (_, bit)| all | bit))),
            _ => None,
        });
        Known {
            message,
            desc,
            low,
            flags,
        }
    }

    fn knows(&self, number: u32) -> bool {
        if number < 64 {
            self.low & 1 << number != 0
        } else {
            self.desc.field_by_number(number).is_some()
        }
    }
}

/// The next entry as `T`, with its index and byte offset, refused when it
/// holds what this crate's format does not know: a field number not in the
/// message, or a flag bit of `pagemap_entry.flags` without a name. A newer
/// CRIU may use either to store pages elsewhere or differently (compressed
/// pages add a field and a flag), so reading on would show wrong memory.
/// prost drops unknown fields, so the raw payload is checked here, the one
/// place every reader of page contents goes through.
fn next_checked<T: prost::Message + Default, R: std::io::Read>(
    r: &mut ImageReader<R>,
    buf: &mut Vec<u8>,
    known: &Known,
) -> Result<Option<(T, usize, u64)>> {
    let (entry, at) = (r.entry_index(), r.offset());
    if !r.next_payload(buf)? {
        return Ok(None);
    }
    let msg = T::decode(buf.as_slice()).map_err(|e| r.malformed(at, e))?;
    let mut fields: Vec<u32> = Vec::new();
    let mut bits = 0u64;
    // A malformed payload was refused by the decode above.
    for f in FieldIter::new(buf).map_while(std::result::Result::ok) {
        if !known.knows(f.number) {
            if !fields.contains(&f.number) {
                fields.push(f.number);
            }
        } else if let (Some((number, named)), WireValue::Varint(v)) = (known.flags, f.value) {
            if f.number == number {
                bits |= v & !named;
            }
        }
    }
    if !fields.is_empty() || bits != 0 {
        let mut what = Vec::new();
        if !fields.is_empty() {
            let list: Vec<String> = fields.iter().map(u32::to_string).collect();
            let s = if fields.len() > 1 { "s" } else { "" };
            what.push(format!("field{s} {}", list.join(", ")));
        }
        if bits != 0 {
            let s = if bits.count_ones() > 1 { "s" } else { "" };
            what.push(format!("flag bit{s} {bits:#x}"));
        }
        return Err(r.error_at(
            at,
            &format!(
                "{} has {}, which crit does not know: the checkpoint is newer than crit's format (CRIU {CRIU_FORMAT_VERSION}); refusing to read its pages",
                known.message,
                what.join(" and ")
            ),
        ));
    }
    r.finish_entry();
    Ok(Some((msg, entry, at)))
}
