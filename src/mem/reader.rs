//! [`MemReader`]: one task's memory, read by address.

use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use super::pagemap::{PE_LAZY, PE_PARENT, PE_PRESENT};
use super::pages::PagesFiles;
use super::resolve::{clip, overlapping, Extent, Resolver};
use super::shmem::{self, SharedIndex, SharedMapping};
use super::vma::{self, Vma};
use crate::error::{Error, Result};
use crate::proto::{MmEntry, PstreeEntry};
use crate::source::{OpenOptions, Source};

/// Where a piece of a pagemap run lives: `len` bytes from address `start` are
/// `file` (relative to the checkpoint directory) from `offset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    /// First address of the piece.
    pub start: u64,
    /// Its length in bytes.
    pub len: u64,
    /// `pages-1.img`, `parent/pages-1.img`, `ipcns-shm-10.img`, …
    pub file: String,
    /// Byte offset of the piece in `file`.
    pub offset: u64,
}

/// One run of the pagemap, at the addresses the task sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapRun {
    /// First address of the run.
    pub start: u64,
    /// Address just past the run.
    pub end: u64,
    /// Its length in pages.
    pub nr_pages: u64,
    /// `PE_*` bits.
    pub flags: u32,
    /// The pagemap image of the run (`pagemap-1.img`, `pagemap-shmem-5.img`).
    pub image: String,
    /// Where its bytes are; empty when the checkpoint holds none of them
    /// (pages left to `lazy-pages`, or a parent checkpoint that is missing).
    pub pieces: Vec<Piece>,
}

impl MapRun {
    /// The run's pages are in this checkpoint's pages file.
    pub fn present(&self) -> bool {
        self.flags & PE_PRESENT != 0 && !self.in_parent()
    }

    /// The pages were left for `lazy-pages` to serve.
    pub fn lazy(&self) -> bool {
        self.flags & PE_LAZY != 0
    }

    /// The pages are in a parent (pre-dump) checkpoint.
    pub fn in_parent(&self) -> bool {
        self.flags & PE_PARENT != 0
    }

    /// Bytes of the run the checkpoint (or its parents) holds.
    pub fn held(&self) -> u64 {
        self.pieces.iter().map(|p| p.len).sum()
    }
}

/// Bytes read from memory, and the ranges that the checkpoint does not hold
/// (returned as zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemRead {
    /// The first address read.
    pub addr: u64,
    /// The bytes, zeros where not held.
    pub data: Vec<u8>,
    /// Sorted, disjoint address ranges not held.
    pub missing: Vec<Range<u64>>,
}

/// The memory of one task of a checkpoint, as CRIU would restore it: private
/// pages from `pagemap-PID.img` (and the parent chain), shared mappings from
/// their shared memory images.
///
/// Opening reads only the metadata (mm, pagemaps); page contents are read on
/// demand with positioned reads, so memory use does not grow with the dump.
///
/// ```no_run
/// use crit::mem::MemReader;
///
/// let mem = MemReader::open("checkpoint", None)?; // the root task
/// println!("argv: {:?}", mem.args()?);
/// let r = mem.read(0x7ffc3ea2cf46, 64)?;
/// assert!(r.missing.is_empty(), "some bytes are not in the checkpoint");
/// # Ok::<(), crit::Error>(())
/// ```
pub struct MemReader {
    src: Source,
    pid: u32,
    mm: MmEntry,
    vmas: Vec<Vma>,
    pageless: Vec<Vma>,
    pub(super) files: PagesFiles,
    /// Every held byte of the address space: sorted, disjoint.
    pub(super) extents: Vec<Extent>,
    maps: Vec<MapRun>,
    shared: Vec<SharedMapping>,
    page_size: u64,
}

impl MemReader {
    /// Opens the memory of task `pid` (a pid of `pstree.img`, or one of its
    /// threads), or of the root task for `None`.
    ///
    /// `path` is a checkpoint directory or archive (one container); see
    /// [`MemReader::from_source`] to pick a pod's container.
    pub fn open(path: impl AsRef<Path>, pid: Option<u32>) -> Result<Self> {
        let opts = OpenOptions {
            pages: true,
            ..OpenOptions::default()
        };
        MemReader::from_source(Source::open(path, &opts)?, pid)
    }

    /// Opens the memory of task `pid` (or the root task) of `src`, which
    /// should have been opened with [`OpenOptions::pages`].
    pub fn from_source(src: Source, pid: Option<u32>) -> Result<Self> {
        let pid = task_pid(&src, pid)?;
        MemReader::of_task(src, pid)
    }

    /// The memory of process `pid` (not a thread) from its images alone:
    /// `pstree.img` is not read.
    pub(crate) fn of_task(src: Source, pid: u32) -> Result<Self> {
        let mm_name = crate::image::name::mm(pid);
        if !src.has_image(&mm_name) {
            return Err(Error::ImageMissing {
                checkpoint: src.label().to_string(),
                pid,
                image: mm_name,
            });
        }
        let mm: MmEntry = src.read_first(&mm_name)?;
        let page_size = src.page_size()?;
        check_aligned(&mm, page_size).map_err(|what| Error::bad_image(src.image_label(&mm_name), what))?;
        // Guard ranges lie inside other mappings: kept apart, so that the
        // mappings stay disjoint for lookups.
        let (mut pageless, mut vmas): (Vec<Vma>, Vec<Vma>) = mm.vmas.iter().map(Vma::from).partition(|v| v.is_guard());
        vmas.sort_by_key(|v| v.start);
        pageless.extend(vmas.iter().filter(|v| !v.holds_pages()));
        pageless.sort_by_key(|v| v.start);
        // Guard ranges and `[uprobes]` hold no pages, whatever a pagemap says.
        let holes: Vec<Range<u64>> = pageless.iter().map(|v| v.start..v.end).collect();

        let mut files = PagesFiles::default();
        let mut resolver = Resolver::new(&src, &mut files, page_size);
        let name = crate::image::name::pagemap(pid);
        let mut private = resolver.resolve(0, &name)?.ok_or_else(|| Error::ImageMissing {
            checkpoint: src.label().to_string(),
            pid,
            image: name.clone(),
        })?;
        private.extents = super::resolve::cut(private.extents, &holes);
        let mut maps: Vec<MapRun> = private
            .runs
            .iter()
            .map(|r| MapRun {
                start: r.vaddr,
                end: r.end(),
                nr_pages: r.nr_pages,
                flags: r.flags,
                image: name.clone(),
                pieces: overlapping(&private.extents, r.vaddr, r.end())
                    .map(|e| {
                        let e = clip(e, r.vaddr, r.end());
                        Piece {
                            start: e.start,
                            len: e.len,
                            file: resolver.files.label(e.file).to_string(),
                            offset: e.offset,
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut extents = private.extents;

        let mut index = SharedIndex::new(&src, pid);
        let mut shared = Vec::new();
        for v in vmas.iter().filter(|v| v.is_shared()) {
            let res = shmem::resolve(&mut resolver, &mut index, v)?;
            extents.extend(res.extents);
            maps.extend(res.runs);
            shared.push(res.mapping);
        }
        maps.sort_by_key(|m| m.start);
        // Shared mappings never lie in the holes, but an image may say otherwise.
        let clean = super::resolve::cut(first_wins(extents), &holes);
        Ok(MemReader {
            src,
            pid,
            mm,
            vmas,
            pageless,
            files,
            extents: clean,
            maps,
            shared,
            page_size,
        })
    }

    /// Where each held byte is read from, and the mappings: what decides
    /// a search's answer.
    pub(crate) fn layout(&self) -> MemLayout {
        MemLayout {
            vmas: self.vmas.clone(),
            extents: self
                .extents
                .iter()
                .map(|e| (e.start, e.len, e.offset, e.file))
                .collect(),
            files: self.files.labels(),
        }
    }

    /// Where the checkpoint is read from.
    pub fn source(&self) -> &Source {
        &self.src
    }

    /// The checkpoint's page size in bytes ([`Source::page_size`]).
    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    /// The task read.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The task's `mm-PID.img` entry.
    pub fn mm(&self) -> &MmEntry {
        &self.mm
    }

    /// Its mappings, in address order (guard ranges apart: see
    /// [`pageless_areas`](Self::pageless_areas)).
    pub fn vmas(&self) -> &[Vma] {
        &self.vmas
    }

    /// The areas that hold no pages, in address order: CRIU 4.2's guard
    /// ranges (inside other mappings) and the `[uprobes]` area. Reads there
    /// give zeros and list them as missing; [`Vma::kind`] says which.
    pub fn pageless_areas(&self) -> &[Vma] {
        &self.pageless
    }

    /// The mapping containing `addr`.
    pub fn vma_at(&self, addr: u64) -> Option<&Vma> {
        vma::find(&self.vmas, addr)
    }

    /// The pagemap runs, private and shared, in address order (`crit mem maps`).
    pub fn maps(&self) -> &[MapRun] {
        &self.maps
    }

    /// The task's shared mappings (`crit mem shmem`).
    pub fn shared_mappings(&self) -> &[SharedMapping] {
        &self.shared
    }

    /// Total size of the task's shared mappings, in bytes.
    pub fn shmem_size(&self) -> u64 {
        // Saturating: corrupt mappings may overlap and claim more than the address space.
        self.shared.iter().fold(0, |n, s| n.saturating_add(s.vma.len()))
    }

    /// The address ranges whose bytes the checkpoint holds, merged, in order.
    pub fn held_ranges(&self) -> Vec<Range<u64>> {
        let mut out: Vec<Range<u64>> = Vec::new();
        for e in &self.extents {
            match out.last_mut() {
                Some(last) if last.end == e.start => last.end = e.end(),
                _ => out.push(e.start..e.end()),
            }
        }
        out
    }

    /// Reads `len` bytes at `addr`. Bytes the checkpoint does not hold read as
    /// zeros and are listed in [`MemRead::missing`].
    pub fn read(&self, addr: u64, len: usize) -> Result<MemRead> {
        let mut data = vec![0u8; len];
        let missing = self.read_into(addr, &mut data)?;
        Ok(MemRead { addr, data, missing })
    }

    /// Fills `buf` from `addr`; returns the ranges not held (left as zeros).
    pub fn read_into(&self, addr: u64, buf: &mut [u8]) -> Result<Vec<Range<u64>>> {
        let end = addr
            .checked_add(buf.len() as u64)
            .ok_or(Error::AddressOverflow { addr, len: buf.len() })?;
        let mut missing = Vec::new();
        let mut at = addr;
        // Binary search to the first extent, then walk: no per-page lookups.
        for e in overlapping(&self.extents, addr, end) {
            let e = clip(e, addr, end);
            if e.start > at {
                buf[(at - addr) as usize..(e.start - addr) as usize].fill(0);
                missing.push(at..e.start);
            }
            let dst = &mut buf[(e.start - addr) as usize..(e.end() - addr) as usize];
            self.files.read_at(e.file, e.offset, dst)?;
            at = e.end();
        }
        if at < end {
            buf[(at - addr) as usize..].fill(0);
            missing.push(at..end);
        }
        Ok(missing)
    }

    /// The command line: the NUL-separated strings between `mm_arg_start`
    /// and `mm_arg_end` (invalid UTF-8 replaced), without the trailing empty
    /// ones a program that rewrote its argv leaves (as `ps` shows it).
    pub fn args(&self) -> Result<Vec<String>> {
        Ok(lossy(self.args_bytes()?))
    }

    /// The environment as the process was started (`mm_env_start..mm_env_end`).
    pub fn env(&self) -> Result<Vec<String>> {
        Ok(lossy(self.env_bytes()?))
    }

    /// The command line as the bytes the process holds (no NUL separators).
    pub fn args_bytes(&self) -> Result<Vec<Vec<u8>>> {
        self.strings(self.mm.mm_arg_start, self.mm.mm_arg_end, "command line")
    }

    /// The environment as the bytes the process holds (no NUL separators).
    pub fn env_bytes(&self) -> Result<Vec<Vec<u8>>> {
        self.strings(self.mm.mm_env_start, self.mm.mm_env_end, "environment")
    }

    fn strings(&self, start: u64, end: u64, what: &'static str) -> Result<Vec<Vec<u8>>> {
        let len = end.saturating_sub(start);
        // The kernel bounds both areas; a larger one is a corrupt image.
        if len > 64 * 1024 * 1024 {
            return Err(Error::Damaged {
                what: format!("task {}: {what} area of {len} bytes is implausible", self.pid),
            });
        }
        let r = self.read(start, len as usize)?;
        if let Some(m) = r.missing.first() {
            return Err(Error::MemoryMissing {
                checkpoint: self.src.label().to_string(),
                pid: self.pid,
                what,
                start: m.start,
                end: m.end,
            });
        }
        // A program that rewrote its argv (redis, nginx set a title) pads the
        // rest of the area with NULs: like `ps`, no trailing empty strings.
        let used = r.data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let data = &r.data[..used];
        if data.is_empty() {
            return Ok(Vec::new());
        }
        Ok(data.split(|&b| b == 0).map(<[u8]>::to_vec).collect())
    }

    /// Pages (of [`page_size`](Self::page_size)) of the address space the checkpoint holds.
    pub fn held_pages(&self) -> u64 {
        self.extents.iter().map(|e| e.len).sum::<u64>().div_ceil(self.page_size)
    }
}

/// A task's memory as [`MemReader::layout`] describes it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MemLayout {
    vmas: Vec<Vma>,
    /// Start, length, offset and the file's index in `files`.
    extents: Vec<(u64, u64, u64, usize)>,
    files: Vec<String>,
}

/// The pid whose images to read: `pid` if it is a task (or thread) of
/// `pstree.img`, else the first entry's (the root task).
pub(crate) fn task_pid(src: &Source, pid: Option<u32>) -> Result<u32> {
    src.require_tree()?;
    let tree: Vec<PstreeEntry> = src.read_all("pstree.img")?;
    let Some(root) = tree.first() else {
        return Err(Error::NoTasks {
            checkpoint: src.label().to_string(),
        });
    };
    let Some(pid) = pid else { return Ok(root.pid) };
    tree.iter()
        .find(|t| t.pid == pid || t.threads.contains(&pid))
        .map(|t| t.pid)
        .ok_or_else(|| Error::TaskNotFound {
            checkpoint: src.label().to_string(),
            pid,
            threads: false,
        })
}

fn lossy(strings: Vec<Vec<u8>>) -> Vec<String> {
    strings
        .into_iter()
        .map(|s| String::from_utf8(s).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        .collect()
}

/// `Ok` if every mapping of `mm` starts and ends on a page boundary; else
/// what is wrong with the first that does not.
fn check_aligned(mm: &MmEntry, page_size: u64) -> Result<(), String> {
    match mm.vmas.iter().find(|v| v.start % page_size != 0 || v.end % page_size != 0) {
        None => Ok(()),
        Some(v) => Err(format!(
            "the mapping {:#x}-{:#x} is not aligned to the checkpoint's {} pages: a damaged image, or the wrong --page-size",
            v.start,
            v.end,
            super::page_size_label(page_size)
        )),
    }
}

/// `extents` sorted and made disjoint. Private runs never cover shared
/// mappings; should an image say otherwise, the first extent wins so that
/// lookups stay well-defined.
fn first_wins(mut extents: Vec<Extent>) -> Vec<Extent> {
    extents.sort_by_key(|e| e.start);
    let mut clean: Vec<Extent> = Vec::with_capacity(extents.len());
    for e in extents {
        let from = clean.last().map_or(0, Extent::end);
        if e.end() > from {
            super::resolve::push_merged(&mut clean, clip(&e, e.start.max(from), e.end()));
        }
    }
    clean
}
