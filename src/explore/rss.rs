//! `rss`: each task's resident pages — the pagemap's runs of present pages —
//! against the VMAs they fall in, like the Python CRIT's `x rss`.

use serde::Serialize;

use crate::error::Result;
use crate::mem::{Pagemap, VmaFilter};
use crate::proto::VmaEntry;

use super::checkpoint::Checkpoint;
use super::files::FileTable;
use super::mems::{file_path, PAGE_SIZE};
use super::{Hex, TaskHead};

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
pub fn explore_filtered(cp: &Checkpoint, filter: &VmaFilter) -> Result<RssReport> {
    let table = FileTable::load(cp)?;
    let tasks = tasks(cp, &table, filter)
        .map(|t| t?.into_task())
        .collect::<Result<_>>()?;
    Ok(RssReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small. Only
/// runs in the mappings `filter` matches are kept.
pub fn tasks<'a>(
    cp: &'a Checkpoint,
    table: &'a FileTable,
    filter: &'a VmaFilter,
) -> impl Iterator<Item = Result<LazyTask>> + 'a {
    cp.tasks.iter().map(move |t| {
        let mut out = RssTask {
            task: t.into(),
            present_pages: 0,
            parent_pages: 0,
            parent_missing: false,
            runs: Vec::new(),
        };
        if t.state.has_resources() {
            let mut vmas = cp.mm(t.pid)?.vmas;
            // Guard ranges (inside other mappings) and `[uprobes]` hold no
            // pages: runs are matched against the mappings that can.
            vmas.retain(|v| crate::mem::Vma::from(v).holds_pages());
            vmas.sort_by_key(|v| v.start);
            let pagemap = Pagemap::from_reader(cp.image(&format!("pagemap-{}.img", t.pid))?)?;
            out.runs = runs(table, &vmas, &pagemap)?;
            if !filter.is_empty() {
                let kept: std::collections::HashSet<u64> = vmas
                    .iter()
                    .filter(|v| filter.matches(&(*v).into()))
                    .map(|v| v.start)
                    .collect();
                let in_range = |r: &Run| {
                    let end = r.start.0.saturating_add(r.pages.saturating_mul(PAGE_SIZE));
                    filter.range.as_ref().is_none_or(|g| r.start.0 < g.end && g.start < end)
                };
                out.runs.retain_mut(|r| {
                    r.vmas.retain(|v| kept.contains(&v.start.0));
                    !r.vmas.is_empty() && in_range(r)
                });
            }
            out.present_pages = out.runs.iter().map(|r| r.pages).sum();
            out.parent_pages = out.runs.iter().filter(|r| r.in_parent).map(|r| r.pages).sum();
            out.parent_missing = out.parent_pages > 0 && !cp.source().has_image_dir("parent");
        }
        Ok(LazyTask(out))
    })
}

/// One task's runs, read when the task is reached (a task's pagemap is read
/// whole, by [`Pagemap`]); the tasks before and after it are not held.
/// Serializes as [`RssTask`] does.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct LazyTask(RssTask);

impl std::ops::Deref for LazyTask {
    type Target = RssTask;

    fn deref(&self) -> &RssTask {
        &self.0
    }
}

impl LazyTask {
    /// The runs in pagemap order, each with the VMAs it overlaps; none for a
    /// task without resources.
    pub fn runs(&self) -> impl Iterator<Item = Result<&Run>> + '_ {
        self.0.runs.iter().map(Ok)
    }

    /// The task with its runs in a list.
    ///
    /// # Errors
    ///
    /// None today; kept so the streaming callers need not change.
    pub fn into_task(self) -> Result<RssTask> {
        Ok(self.0)
    }
}

fn runs(table: &FileTable, vmas: &[VmaEntry], pagemap: &Pagemap) -> Result<Vec<Run>> {
    let mut out = Vec::with_capacity(pagemap.runs.len());
    let mut previous: Option<usize> = None;
    let mut cursor = 0usize;
    for pm in &pagemap.runs {
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
            _ => cursor,
        };
        let rest = &vmas[lo.min(vmas.len())..];
        let first = lo
            + match rest.iter().take(4).position(|v| v.end > pm.vaddr) {
                Some(i) => i,
                None => rest.partition_point(|v| v.end <= pm.vaddr),
            };
        cursor = first;
        for (i, v) in vmas.iter().enumerate().skip(first).take_while(|(_, v)| v.start < end) {
            run.vmas.push(RunVma {
                start: Hex(v.start),
                pages: v.end.saturating_sub(v.start) / PAGE_SIZE,
                path: file_path(table, v)?,
                same_as_previous: previous == Some(i),
            });
            previous = Some(i);
        }
        out.push(run);
    }
    Ok(out)
}
