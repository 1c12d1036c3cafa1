//! Explorers: answers about the processes of one checkpoint directory
//! (`crit x DIR [ps|fds|mems|rss|sk|net|mnt|ns|cg]`; no explorer: [`overview`]),
//! as plain data for tables or JSON. [`select`] narrows a checkpoint to one
//! task or subtree (`--pid PID [--tree]`) before an explorer runs.
//!
//! Each explorer returns a serde-serializable report whose JSON form is
//! documented in `docs/explore-json.md`. Tasks without resources (zombies)
//! are listed with their state and empty lists, never skipped silently.
//!
//! Open a checkpoint directory (reads `pstree.img` and every `core-PID.img`),
//! then run an explorer on it — here `ps`, which prints the process tree:
//!
//! ```no_run
//! use crit::explore::{ps, Checkpoint};
//!
//! let dir = "/tmp/checkpoint"; // a directory written by `criu dump`
//! let cp = Checkpoint::open(dir)?;
//! for task in ps::explore(&cp).tasks {
//!     let indent = "  ".repeat(task.depth);
//!     println!("{indent}{} {} ({})", task.pid, task.comm, task.state.as_str());
//! }
//! // The same report as JSON, as `crit x DIR ps --format json` prints it.
//! let json = serde_json::to_string(&ps::explore(&cp))?;
//! # let _ = json;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ahead;
pub mod cg;
pub mod fds;
pub mod mems;
pub mod mnt;
pub mod net;
pub mod ns;
pub mod overview;
pub mod ps;
pub mod queues;
pub mod rss;
pub mod select;
pub mod sk;

// Where they are since they moved to `crate::checkpoint`, which the explorers
// stand on: the reports hold them, and tests, docs and fuzz targets name them here.
pub use crate::checkpoint::{Checkpoint, Hex, Task, TaskState};

use std::cell::RefCell;

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::checkpoint::files::FileTable;
use crate::mem::VmaFilter;

/// A sequence serialized as it is produced, for reports too large to hold:
/// each item is made, written and dropped in turn. The first error ends the
/// output, as a serializer error that carries its message. It can be
/// serialized once.
///
/// ```
/// use crit::explore::Lazy;
///
/// let items = (1..=3).map(Ok::<u32, crit::Error>);
/// assert_eq!(serde_json::to_string(&Lazy::new(items)).unwrap(), "[1,2,3]");
/// ```
pub struct Lazy<I>(RefCell<Option<I>>);

impl<I> Lazy<I> {
    /// The sequence of what `items` yields.
    pub fn new(items: I) -> Self {
        Lazy(RefCell::new(Some(items)))
    }
}

impl<I, T> Serialize for Lazy<I>
where
    I: Iterator<Item = crate::Result<T>>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take();
        let items = items.ok_or_else(|| S::Error::custom("a lazy sequence was serialized twice"))?;
        let mut seq = s.serialize_seq(None)?;
        for item in items {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// An explorer that reads a checkpoint task by task (`fds`, `mems`, `rss`,
/// `sk`): what it reads one task with, and what a task's report weighs. The
/// plumbing they share ([`tasks_of`], [`with_tasks_of`]) is written once.
pub(crate) trait PerTask<'a>: Send {
    /// One task's report.
    type Report: Send;
    /// Reads task `t` of `cp`.
    fn load(&mut self, cp: &'a Checkpoint, t: &'a Task) -> crate::Result<Self::Report>;
    /// About how many bytes a report holds, for the read-ahead budget.
    fn weight(report: &Self::Report) -> usize;
}

/// The tasks of `cp` one at a time, in `pstree.img` order, each read by
/// `explorer` when it is reached.
pub(crate) fn tasks_of<'a, E: PerTask<'a> + 'a>(
    cp: &'a Checkpoint,
    mut explorer: E,
) -> impl Iterator<Item = crate::Result<E::Report>> + 'a {
    cp.tasks.iter().map(move |t| explorer.load(cp, t))
}

/// Hands `f` the tasks of [`tasks_of`], read on a second thread a bounded
/// way ahead of `f` (see [`ahead`]); returns what `f` does.
pub(crate) fn with_tasks_of<'a, E: PerTask<'a>, R>(
    cp: &'a Checkpoint,
    mut explorer: E,
    f: impl FnOnce(ahead::Ahead<'_, E::Report>) -> R,
) -> R {
    ahead::read_ahead(cp.tasks.iter(), |t| explorer.load(cp, t), E::weight, f)
}

/// What a task's report weighs: about how many bytes it holds, for the
/// read-ahead budget.
pub(crate) trait Weighed {
    /// The report's weight in bytes.
    fn weight(&self) -> usize;
}

/// How [`Filtered`] reads one task.
pub(crate) type FilteredLoad<'a, R> = fn(&Checkpoint, &'a FileTable, &'a VmaFilter, &Task) -> crate::Result<R>;

/// A [`PerTask`] explorer that reads each task through the checkpoint's
/// file table, keeping only the mappings a filter matches (`mems`, `rss`).
pub(crate) struct Filtered<'a, R> {
    /// Names the files mappings are backed by.
    pub(crate) table: &'a FileTable,
    /// Which mappings to keep.
    pub(crate) filter: &'a VmaFilter,
    /// Reads one task.
    pub(crate) load: FilteredLoad<'a, R>,
}

impl<'a, R: Weighed + Send> PerTask<'a> for Filtered<'a, R> {
    type Report = R;
    fn load(&mut self, cp: &'a Checkpoint, t: &'a Task) -> crate::Result<R> {
        (self.load)(cp, self.table, self.filter, t)
    }
    fn weight(report: &R) -> usize {
        report.weight()
    }
}

/// The fields every per-task report starts with.
#[derive(Debug, Clone, Serialize)]
pub struct TaskHead {
    /// The pid inside the checkpoint (in the dumped pid namespace), from `pstree.img`.
    pub pid: u32,
    /// The task's name (`comm`, at most 15 bytes), from `core-PID.img`.
    pub comm: String,
    /// The task's state, from `task_state` in `core-PID.img`.
    pub state: TaskState,
}

impl From<&Task> for TaskHead {
    fn from(t: &Task) -> Self {
        TaskHead {
            pid: t.pid,
            comm: t.comm.clone(),
            state: t.state,
        }
    }
}
