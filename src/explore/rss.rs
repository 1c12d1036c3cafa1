//! `rss`: each task's resident pages — the pagemap's runs of present pages —
//! against the VMAs they fall in, like the Python CRIT's `x rss`.

use std::collections::HashSet;

use serde::Serialize;

use crate::error::Result;
use crate::mem::{Pagemap, VmaFilter};
use crate::proto::VmaEntry;

use super::ahead::{weight_of, Ahead};
use super::mems::file_path;
use super::{tasks_of, with_tasks_of, Filtered, Weighed};
use super::{Hex, Lazy, TaskHead};
use crate::checkpoint::files::FileTable;
use crate::checkpoint::{Checkpoint, Task};

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
    /// page is `page_size` bytes. `None` (`null`) when the task's memory
    /// images are damaged (see [`Checkpoint::problems`]): what the pagemap
    /// says is not what the checkpoint holds.
    pub present_pages: Option<u64>,
    /// The checkpoint's page size in bytes.
    pub page_size: u64,
    /// Pages the pagemap says live in the parent (pre-dump) checkpoint.
    pub parent_pages: u64,
    /// Some runs live in a parent checkpoint, and there is no `parent`
    /// directory: those pages cannot be read (a chain copied without its parent).
    pub parent_missing: bool,
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
    explore_filtered(cp, &VmaFilter::default())
}

/// [`explore`], keeping only runs in the mappings `filter` matches
/// (`--prot`, `--kind`, `--range`), and only those mappings under them.
///
/// # Errors
///
/// As [`explore`].
pub(crate) fn explore_filtered(cp: &Checkpoint, filter: &VmaFilter) -> Result<RssReport> {
    let table = FileTable::load(cp)?;
    let tasks = with_tasks(cp, &table, filter, |tasks| {
        tasks.map(|t| t?.into_task()).collect::<Result<_>>()
    })?;
    Ok(RssReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small. Only
/// runs in the mappings `filter` matches are kept. ([`with_tasks`] reads
/// them on a second thread.)
pub fn tasks<'a>(
    cp: &'a Checkpoint,
    table: &'a FileTable,
    filter: &'a VmaFilter,
) -> impl Iterator<Item = Result<LazyTask<'a>>> + 'a {
    tasks_of(cp, Filtered { table, filter, load })
}

/// Hands `f` the tasks of [`tasks`], read and parsed on a second thread a
/// bounded way ahead of `f` (see [`ahead`](super::ahead)); returns what `f` does.
pub fn with_tasks<'a, R>(
    cp: &'a Checkpoint,
    table: &'a FileTable,
    filter: &'a VmaFilter,
    f: impl FnOnce(Ahead<'_, LazyTask<'a>>) -> R,
) -> R {
    with_tasks_of(cp, Filtered { table, filter, load }, f)
}

/// Reads one task's `mm-PID.img` and pagemap.
fn load<'a>(cp: &Checkpoint, table: &'a FileTable, filter: &'a VmaFilter, t: &Task) -> Result<LazyTask<'a>> {
    let mut out = LazyTask {
        task: t.into(),
        present_pages: Some(0),
        page_size: cp.page_size()?,
        parent_pages: 0,
        parent_missing: false,
        vmas: Vec::new(),
        pagemap: None,
        kept: None,
        filter,
        table,
    };
    if !t.state.has_resources() {
        return Ok(out);
    }
    let mut vmas = cp.mm(t.pid)?.vmas;
    // Guard ranges (inside other mappings) and `[uprobes]` hold no
    // pages: runs are matched against the mappings that can.
    vmas.retain(|v| crate::mem::Vma::from(v).holds_pages());
    vmas.sort_by_key(|v| v.start);
    if !filter.is_empty() {
        out.kept = Some(
            vmas.iter()
                .filter(|v| filter.matches(&(*v).into()))
                .map(|v| v.start)
                .collect(),
        );
    }
    out.vmas = vmas;
    out.pagemap = Some(Pagemap::from_reader(
        cp.image(&crate::image::name::pagemap(t.pid))?,
        out.page_size,
    )?);
    // The counts are of the runs shown: without a filter, all of them.
    let (mut present, mut parent) = (0, 0);
    let mut count = |pages: u64, in_parent: bool| {
        present += pages;
        if in_parent {
            parent += pages;
        }
    };
    if out.kept.is_none() {
        for pm in &out.pagemap.as_ref().expect("read above").runs {
            count(pm.nr_pages, pm.in_parent());
        }
    } else {
        for r in out.runs() {
            let r = r?;
            count(r.pages, r.in_parent);
        }
    }
    let damaged = cp.memory_damaged(t.pid);
    (out.present_pages, out.parent_pages) = ((!damaged).then_some(present), parent);
    out.parent_missing = out.parent_pages > 0 && !cp.source().has_image_dir("parent");
    Ok(out)
}

/// One task's sorted VMAs and its pagemap (read whole by [`Pagemap`], a few
/// bytes a run), whose runs are described as they are asked for
/// ([`LazyTask::runs`]), never held as a list of [`Run`]s: a task may have
/// 200,000. Serializes as [`RssTask`] does.
#[derive(Debug)]
pub struct LazyTask<'a> {
    /// The task (`pid`, `comm`, `state`).
    pub task: TaskHead,
    /// Pages in the runs shown (those in a parent checkpoint included);
    /// `None` when the task's memory images are damaged.
    pub present_pages: Option<u64>,
    /// The checkpoint's page size in bytes.
    pub page_size: u64,
    /// Of those, pages the pagemap says live in the parent checkpoint.
    pub parent_pages: u64,
    /// Some runs live in a parent checkpoint, and there is no `parent` directory.
    pub parent_missing: bool,
    vmas: Vec<VmaEntry>,
    pagemap: Option<Pagemap>,
    /// The starts of the mappings a filter keeps; `None` without a filter.
    kept: Option<HashSet<u64>>,
    filter: &'a VmaFilter,
    table: &'a FileTable,
}

impl Weighed for LazyTask<'_> {
    fn weight(&self) -> usize {
        use std::mem::size_of;
        let runs = self.pagemap.as_ref().map_or(0, |p| p.runs.capacity());
        let kept = self.kept.as_ref().map_or(0, HashSet::capacity);
        self.vmas.capacity() * size_of::<VmaEntry>()
            + runs * size_of::<crate::mem::Run>()
            + kept * 16
            + weight_of(Some(&self.task.comm))
    }
}

impl LazyTask<'_> {
    /// The runs in pagemap order, each with the VMAs it overlaps (those the
    /// filter keeps); none for a task without resources.
    pub fn runs(&self) -> impl Iterator<Item = Result<Run>> + '_ {
        let (mut cursor, mut previous) = (0, None);
        self.pagemap
            .iter()
            .flat_map(|p| p.runs.iter())
            .filter_map(move |pm| self.run(pm, &mut cursor, &mut previous).transpose())
    }

    /// One pagemap run and the VMAs it overlaps; `None` when a filter keeps none.
    fn run(&self, pm: &crate::mem::Run, cursor: &mut usize, previous: &mut Option<usize>) -> Result<Option<Run>> {
        let vmas = &self.vmas;
        // The reader checked that runs stay inside the address space.
        let end = pm.end();
        let mut run = Run {
            start: Hex(pm.vaddr),
            pages: pm.nr_pages,
            in_parent: pm.in_parent(),
            vmas: Vec::new(),
        };
        // VMAs are sorted and disjoint: skip those ending before the run.
        // Runs come in address order, so the search starts where the last
        // one ended, and the VMA is usually among the next few.
        let lo = match cursor.checked_sub(1).and_then(|i| vmas.get(i)) {
            Some(v) if v.end > pm.vaddr => 0,
            _ => *cursor,
        };
        let rest = &vmas[lo.min(vmas.len())..];
        let first = lo
            + match rest.iter().take(4).position(|v| v.end > pm.vaddr) {
                Some(i) => i,
                None => rest.partition_point(|v| v.end <= pm.vaddr),
            };
        *cursor = first;
        for (i, v) in vmas.iter().enumerate().skip(first).take_while(|(_, v)| v.start < end) {
            let same_as_previous = *previous == Some(i);
            *previous = Some(i);
            if self.kept.as_ref().is_some_and(|k| !k.contains(&v.start)) {
                continue;
            }
            run.vmas.push(RunVma {
                start: Hex(v.start),
                pages: v.end.saturating_sub(v.start) / self.page_size,
                path: file_path(self.table, v)?,
                same_as_previous,
            });
        }
        if self.kept.is_some() {
            let in_range = self
                .filter
                .range
                .as_ref()
                .is_none_or(|g| pm.vaddr < g.end && g.start < end);
            if run.vmas.is_empty() || !in_range {
                return Ok(None);
            }
        }
        Ok(Some(run))
    }

    /// The task with its runs in a list.
    ///
    /// # Errors
    ///
    /// A VMA names a file that is not in the file table.
    pub(crate) fn into_task(self) -> Result<RssTask> {
        let runs = self.runs().collect::<Result<_>>()?;
        Ok(RssTask {
            task: self.task,
            present_pages: self.present_pages,
            page_size: self.page_size,
            parent_pages: self.parent_pages,
            parent_missing: self.parent_missing,
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
            present_pages: Option<u64>,
            page_size: u64,
            parent_pages: u64,
            parent_missing: bool,
            runs: R,
        }
        Fields {
            task: &self.task,
            present_pages: self.present_pages,
            page_size: self.page_size,
            parent_pages: self.parent_pages,
            parent_missing: self.parent_missing,
            runs: Lazy::new(self.runs()),
        }
        .serialize(s)
    }
}
