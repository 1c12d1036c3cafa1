//! `crit diff A B`: what changed between two checkpoints, as plain data.
//!
//! One module per aspect: [`procs`] (the process tree, command lines,
//! environments, credentials), [`files`] (fds and sockets), [`vmas`] (memory
//! maps), [`pages`] (memory contents, page by page) and [`images`] (the image
//! files themselves, entry by entry). [`compare`] runs them all and returns a
//! [`Diff`], serializable as the JSON `crit diff --format json` prints
//! (documented field by field in `docs/diff-json.md`).
//!
//! ```no_run
//! use crit::diff::{compare, Options};
//!
//! let d = compare("before", "after", &Options::default())?;
//! println!("{} pages changed", d.memory.changed);
//! for t in &d.tasks {
//!     for c in &t.changes {
//!         println!("{} {}: {} -> {}", t.pid, c.field, c.a, c.b);
//!     }
//! }
//! # Ok::<(), crit::Error>(())
//! ```

pub mod files;
pub mod images;
pub mod pages;
pub mod procs;
pub mod vmas;

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::mem::MemReader;
use crate::source::{OpenOptions, Source};

/// How tasks of A are paired with tasks of B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    /// Same pid (CRIU restores pids, so this fits a dump of a restore too).
    #[default]
    Pid,
    /// Same command and the same position in the tree: the path of
    /// `comm`s from the root, and among siblings of one name, their order.
    /// For checkpoints whose pids changed.
    Comm,
}

/// What to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// How tasks are paired.
    pub match_by: MatchBy,
    /// Also compare the image files entry by entry ([`images`]).
    pub images: bool,
}

/// One value that differs: `field` (a name or a JSON path) was `a` in A and
/// is `b` in B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What differs: `ppid`, `creds.uid`, `argv`, `pos`, …
    pub field: String,
    /// The value in A.
    pub a: Value,
    /// The value in B.
    pub b: Value,
}

impl Change {
    /// A change of `field` from `a` to `b`.
    pub fn new(field: impl Into<String>, a: impl Into<Value>, b: impl Into<Value>) -> Self {
        Change {
            field: field.into(),
            a: a.into(),
            b: b.into(),
        }
    }
}

/// Appends a [`Change`] when `a != b`.
pub(crate) fn check<T: PartialEq + Into<Value>>(out: &mut Vec<Change>, field: &str, a: T, b: T) {
    if a != b {
        out.push(Change::new(field, a, b));
    }
}

/// The whole comparison of checkpoint A with checkpoint B.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// Checkpoint A as given (with the pod's container: `pod.tar:ID-NAME`).
    pub a: String,
    /// Checkpoint B as given (with the pod's container).
    pub b: String,
    /// True when nothing compared differs.
    pub equal: bool,
    /// How tasks were paired.
    pub match_by: MatchBy,
    /// Tasks of one side only.
    pub processes: procs::Processes,
    /// Paired tasks that differ in anything, in A's tree order.
    pub tasks: Vec<TaskDiff>,
    /// Pages of all paired tasks, and of the unpaired ones as only-in-A/B.
    pub memory: pages::Summary,
    /// The image files, with `--images` (else absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<images::ImagesDiff>,
}

/// What differs between a task of A and its pair in B.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDiff {
    /// The task's pid in A.
    pub pid: u32,
    /// Its pid in B (the same unless matched by command).
    pub b_pid: u32,
    /// Its `comm` in A.
    pub comm: String,
    /// Fields of the task: comm, ppid, pgid, sid, state, threads, argv, creds.*.
    pub changes: Vec<Change>,
    /// The environment's variables added, removed and changed.
    pub env: procs::EnvDiff,
    /// Open files and sockets.
    pub files: files::FilesDiff,
    /// Memory mappings.
    pub vmas: vmas::VmasDiff,
    /// Memory contents.
    pub pages: pages::TaskPages,
}

impl TaskDiff {
    /// True when the pair does not differ at all.
    pub fn is_equal(&self) -> bool {
        self.changes.is_empty()
            && self.env.is_empty()
            && self.files.is_empty()
            && self.vmas.is_empty()
            && self.pages.is_equal()
    }
}

/// Compares checkpoint `a` with `b`: directories, unpacked container
/// checkpoints or container archives (see [`Source`]). For a pod, open the
/// container with [`compare_sources`].
///
/// # Errors
///
/// A missing or corrupt image on either side, named in the error.
pub fn compare(a: impl AsRef<Path>, b: impl AsRef<Path>, opts: &Options) -> Result<Diff> {
    let sa = Source::open(a, &with_pages(None))?;
    let sb = Source::open(b, &with_pages(None))?;
    compare_sources(&sa, &sb, opts)
}

/// How `diff` opens a side: memory included, so that an archive is read (or
/// decompressed) once for everything the comparison reads.
pub fn with_pages(container: Option<String>) -> OpenOptions {
    OpenOptions {
        pages: true,
        container,
        ..OpenOptions::default()
    }
}

/// Compares two opened checkpoints; every read (tasks, memory, `--images`)
/// goes through them, so each archive is read once. Open them with
/// [`with_pages`] for their memory to be compared.
///
/// # Errors
///
/// A missing or corrupt image on either side, named in the error.
pub fn compare_sources(a: &Source, b: &Source, opts: &Options) -> Result<Diff> {
    let cpa = Checkpoint::from_source(a.clone())?;
    let cpb = Checkpoint::from_source(b.clone())?;
    compare_checkpoints(&cpa, &cpb, opts)
}

/// Compares two checkpoints opened already (their process trees read once,
/// say for their [`Checkpoint::problems`] too); as [`compare_sources`] on
/// their sources.
///
/// # Errors
///
/// A missing or corrupt image on either side, named in the error.
pub fn compare_checkpoints(cpa: &Checkpoint, cpb: &Checkpoint, opts: &Options) -> Result<Diff> {
    let (a, b) = (cpa.source(), cpb.source());
    let pairing = procs::pair(cpa, cpb, opts.match_by);
    let processes = procs::unpaired(cpa, cpb, &pairing);
    let fa = files::Files::load(cpa)?;
    let fb = files::Files::load(cpb)?;
    let (va, vb) = (vmas::Maps::load(cpa)?, vmas::Maps::load(cpb)?);
    let mut memory = pages::Summary::default();
    let mut tasks = Vec::new();
    for &(ia, ib) in &pairing.pairs {
        let (ta, tb) = (&cpa.tasks[ia], &cpb.tasks[ib]);
        let mems = match (ta.state.has_resources(), tb.state.has_resources()) {
            (true, true) => Some((memory_of(cpa, ta.pid)?, memory_of(cpb, tb.pid)?)),
            _ => None,
        };
        let both = mems.as_ref().map(|(ma, mb)| (ma, mb));
        let (changes, env) = procs::compare_tasks(cpa, cpb, ta, tb, &pairing, both)?;
        let task_pages = match &mems {
            Some((ma, mb)) => pages::compare(ma, mb)?,
            None => pages::TaskPages {
                page_size: cpa.page_size()?.max(cpb.page_size()?),
                ..pages::TaskPages::default()
            },
        };
        memory.add(&task_pages);
        let d = TaskDiff {
            pid: ta.pid,
            b_pid: tb.pid,
            comm: ta.comm.clone(),
            changes,
            env,
            files: files::compare(&fa, &fb, ta, tb)?,
            vmas: vmas::compare_read(&va, &vb, ta, tb, mems.as_ref().map(|(ma, mb)| (ma.mm(), mb.mm())))?,
            pages: task_pages,
        };
        if !d.is_equal() {
            tasks.push(d);
        }
    }
    // The memory of a task on one side only is memory on that side only.
    for p in &processes.removed {
        memory.only_a += held_pages(cpa, p)?;
    }
    for p in &processes.added {
        memory.only_b += held_pages(cpb, p)?;
    }
    let images = if opts.images {
        Some(images::compare(a, b)?)
    } else {
        None
    };
    let equal = processes.added.is_empty()
        && processes.removed.is_empty()
        && tasks.is_empty()
        && images.as_ref().is_none_or(images::ImagesDiff::is_equal);
    Ok(Diff {
        a: a.label(),
        b: b.label(),
        equal,
        match_by: opts.match_by,
        processes,
        tasks,
        memory,
        images,
    })
}

/// One task's memory, from the checkpoint's own source.
pub(crate) fn memory_of(cp: &Checkpoint, pid: u32) -> Result<MemReader> {
    cp.memory(pid)
}

fn held_pages(cp: &Checkpoint, p: &procs::TaskRef) -> Result<u64> {
    if p.state.has_resources() {
        Ok(memory_of(cp, p.pid)?.held_pages())
    } else {
        Ok(0)
    }
}
