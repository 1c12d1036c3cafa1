//! `rss`: each task's resident pages — the pagemap's runs of present pages —
//! against the VMAs they fall in, like the Python CRIT's `x rss`.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::image::ImageReader;
use crate::proto::{PagemapEntry, PagemapHead, VmaEntry};

use super::checkpoint::Checkpoint;
use super::files::FileTable;
use super::mems::{file_path, PAGE_SIZE};
use super::{Hex, Lazy, TaskHead};

/// The report of `crit x DIR rss`: every task's resident pages.
#[derive(Debug, Clone, Serialize)]
pub struct RssReport {
    /// One entry per task, in `pstree.img` order.
    pub tasks: Vec<RssTask>,
}

/// One task's runs of present pages, from `pagemap-PID.img`.
#[derive(Debug, Clone, Serialize)]
pub struct RssTask {
    /// The task (`pid`, `comm`, `state`; flattened into this object in JSON).
    #[serde(flatten)]
    pub task: TaskHead,
    /// Pages saved in all runs (those in a parent checkpoint included); a
    /// page is [`PAGE_SIZE`] bytes.
    pub present_pages: u64,
    /// Runs in pagemap order; empty for a task without resources (a zombie).
    pub runs: Vec<Run>,
}

/// A run of present pages (one pagemap entry).
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// The address of the run's first page (`0x…` hex in JSON).
    pub start: Hex,
    /// The number of pages in the run.
    pub pages: u64,
    /// The pages live in the parent checkpoint (an incremental dump).
    pub in_parent: bool,
    /// The VMAs the run overlaps, in address order.
    pub vmas: Vec<RunVma>,
}

/// A VMA (of `mm-PID.img`) that a run of pages overlaps.
#[derive(Debug, Clone, Serialize)]
pub struct RunVma {
    /// The VMA's first address (`0x…` hex in JSON).
    pub start: Hex,
    /// The VMA's size in pages.
    pub pages: u64,
    /// The mapped file's path, for file mappings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The previous run ended in this same VMA (the Python CRIT's `~`).
    pub same_as_previous: bool,
}

/// Lists each task's pagemap runs and the VMAs each one falls in.
///
/// # Errors
///
/// A missing or corrupt image (`pagemap-PID.img`, `mm-PID.img`, …), named in
/// the error.
pub fn explore(cp: &Checkpoint) -> Result<RssReport> {
    let table = FileTable::load(cp)?;
    let tasks = tasks(cp, &table).map(|t| t?.into_task()).collect::<Result<_>>()?;
    Ok(RssReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small.
pub fn tasks<'a>(cp: &'a Checkpoint, table: &'a FileTable) -> impl Iterator<Item = Result<LazyTask<'a>>> + 'a {
    cp.tasks.iter().map(move |t| {
        let mut out = LazyTask {
            task: t.into(),
            present_pages: 0,
            vmas: Vec::new(),
            pagemap: None,
            cached: None,
            table,
        };
        if t.state.has_resources() {
            out.vmas = cp.mm(t.pid)?.vmas;
            out.vmas.sort_by_key(|v| v.start);
            let path = cp.path(&format!("pagemap-{pid}.img", pid = t.pid));
            let mut r = open_pagemap(&path)?;
            let mut buf = Vec::new();
            let mut cached = Some(Vec::new());
            while let Some(e) = r.next_message::<PagemapEntry>(&mut buf)? {
                out.present_pages += crate::mem::entry_pages(&e);
                match &mut cached {
                    Some(c) if c.len() < CACHED_RUNS => c.push(e),
                    _ => cached = None,
                }
            }
            out.cached = cached;
            out.pagemap = Some(path);
        }
        Ok(out)
    })
}

/// A pagemap of at most this many runs is kept in memory (160 KiB) when it
/// is first read, so a checkpoint of thousands of small tasks opens each
/// pagemap once; a larger one is read anew on each pass.
const CACHED_RUNS: usize = 4096;

/// `pagemap-PID.img`, read past its head entry.
fn open_pagemap(path: &Path) -> Result<ImageReader<File>> {
    let mut r = ImageReader::open(path)?;
    let mut buf = Vec::new();
    if r.next_message::<PagemapHead>(&mut buf)?.is_none() {
        return Err(Error::bad_image(r.file().to_string(), "the pagemap has no head entry"));
    }
    Ok(r)
}

/// One task's sorted VMAs and its pagemap, whose runs are read from the
/// image as they are asked for ([`LazyTask::runs`]), never held as a list: a
/// task may have 200,000. Serializes as [`RssTask`] does.
#[derive(Debug)]
pub struct LazyTask<'a> {
    /// The task (`pid`, `comm`, `state`).
    pub task: TaskHead,
    /// Pages saved in all runs (those in a parent checkpoint included).
    pub present_pages: u64,
    vmas: Vec<VmaEntry>,
    pagemap: Option<PathBuf>,
    /// The runs of a small pagemap.
    cached: Option<Vec<PagemapEntry>>,
    table: &'a FileTable,
}

impl LazyTask<'_> {
    /// The runs in pagemap order, each with the VMAs it overlaps, read from
    /// `pagemap-PID.img` anew on every call; none for a task without resources.
    pub fn runs(&self) -> Runs<'_> {
        Runs {
            task: self,
            next_cached: 0,
            reader: None,
            buf: Vec::new(),
            previous: None,
            cursor: 0,
            done: self.pagemap.is_none(),
        }
    }

    /// The task with its runs in a list.
    ///
    /// # Errors
    ///
    /// The pagemap cannot be read, or a VMA names a file not in the file table.
    pub fn into_task(self) -> Result<RssTask> {
        let runs = self.runs().collect::<Result<_>>()?;
        Ok(RssTask {
            task: self.task,
            present_pages: self.present_pages,
            runs,
        })
    }
}

impl Serialize for LazyTask<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Fields<'b, R> {
            #[serde(flatten)]
            task: &'b TaskHead,
            present_pages: u64,
            runs: R,
        }
        Fields {
            task: &self.task,
            present_pages: self.present_pages,
            runs: Lazy::new(self.runs()),
        }
        .serialize(s)
    }
}

/// The runs of one task's pagemap ([`LazyTask::runs`]).
pub struct Runs<'a> {
    task: &'a LazyTask<'a>,
    next_cached: usize,
    reader: Option<ImageReader<File>>,
    buf: Vec<u8>,
    /// The VMA the previous run ended in.
    previous: Option<usize>,
    /// The first VMA not ending before the previous run.
    cursor: usize,
    done: bool,
}

impl Iterator for Runs<'_> {
    type Item = Result<Run>;

    fn next(&mut self) -> Option<Result<Run>> {
        if self.done {
            return None;
        }
        let r = self.step().transpose();
        // Stop after the end or the first error.
        self.done = !matches!(r, Some(Ok(_)));
        r
    }
}

impl Runs<'_> {
    fn step(&mut self) -> Result<Option<Run>> {
        let task = self.task;
        let pm = if let Some(c) = &task.cached {
            self.next_cached += 1;
            c.get(self.next_cached - 1).copied()
        } else {
            let reader = match &mut self.reader {
                Some(r) => r,
                None => self
                    .reader
                    .insert(open_pagemap(task.pagemap.as_deref().expect("not done"))?),
            };
            reader.next_message::<PagemapEntry>(&mut self.buf)?
        };
        let Some(pm) = pm else {
            return Ok(None);
        };
        let (vmas, table) = (&self.task.vmas, self.task.table);
        let pages = crate::mem::entry_pages(&pm);
        let end = pm.vaddr.saturating_add(pages.saturating_mul(PAGE_SIZE));
        let mut run = Run {
            start: Hex(pm.vaddr),
            pages,
            in_parent: pm.in_parent.unwrap_or(false),
            vmas: Vec::new(),
        };
        // VMAs are sorted and disjoint: skip those ending before the run.
        // Runs come in address order, so the search starts where the last
        // one ended, and the VMA is usually among the next few.
        let lo = match self.cursor.checked_sub(1).and_then(|i| vmas.get(i)) {
            Some(v) if v.end > pm.vaddr => 0,
            _ => self.cursor,
        };
        let rest = &vmas[lo.min(vmas.len())..];
        let first = lo
            + match rest.iter().take(4).position(|v| v.end > pm.vaddr) {
                Some(i) => i,
                None => rest.partition_point(|v| v.end <= pm.vaddr),
            };
        self.cursor = first;
        for (i, v) in vmas.iter().enumerate().skip(first).take_while(|(_, v)| v.start < end) {
            run.vmas.push(RunVma {
                start: Hex(v.start),
                pages: v.end.saturating_sub(v.start) / PAGE_SIZE,
                path: file_path(table, v)?,
                same_as_previous: self.previous == Some(i),
            });
            self.previous = Some(i);
        }
        Ok(Some(run))
    }
}
