//! The first look (`crit x DIR` with no explorer): the process tree with each
//! task's command line (read from its memory, as `crit mem args` does),
//! threads, memory held, and open fd and socket counts.

use serde::Serialize;

use crate::error::Result;
use crate::mem::MemReader;

use super::checkpoint::{Checkpoint, TaskState};
use super::fds;

/// The report of `crit x DIR`: one line per task, in tree order.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewReport {
    /// The checkpoint's page size in bytes ([`Checkpoint::page_size`]).
    pub page_size: u64,
    /// Every task, parents before children (depth-first).
    pub tasks: Vec<OverviewTask>,
}

/// One task at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewTask {
    /// The pid inside the checkpoint, from `pstree.img`.
    pub pid: u32,
    /// The parent's pid; 0 for the root task.
    pub ppid: u32,
    /// The task's name (`comm`), from `core-PID.img`.
    pub comm: String,
    /// The task's state.
    pub state: TaskState,
    /// Depth in the tree: 0 for a root.
    pub depth: usize,
    /// The number of threads; at least 1.
    pub threads: usize,
    /// The architecture ([`Task::arch`](super::checkpoint::Task::arch)).
    pub arch: String,
    /// The command line, from the task's memory, without the trailing empty
    /// arguments of a rewritten argv; `None` (`null`) when the checkpoint does
    /// not hold it (a zombie has no memory).
    pub argv: Option<Vec<String>>,
    /// Bytes of memory the checkpoint holds for the task (its own pages, its
    /// parents' and its shared memory).
    pub memory_held: u64,
    /// Open file descriptors.
    pub fds: usize,
    /// Of those, sockets.
    pub sockets: usize,
}

/// Builds the overview.
///
/// # Errors
///
/// A missing or corrupt image the fd tables need, or pages files and
/// pagemaps that disagree on the page size. Memory that cannot be read
/// leaves `argv` empty rather than failing the whole overview.
pub fn explore(cp: &Checkpoint) -> Result<OverviewReport> {
    let page_size = cp.page_size()?;
    let fds = fds::explore(cp)?;
    let mut tasks = Vec::with_capacity(cp.tasks.len());
    for (depth, t) in cp.tree_order() {
        let open = fds
            .tasks
            .iter()
            .find(|f| f.task.pid == t.pid)
            .map(|f| &f.fds[..])
            .unwrap_or(&[]);
        let mem = t
            .state
            .has_resources()
            .then(|| MemReader::from_source(cp.source().clone(), Some(t.pid)).ok())
            .flatten();
        tasks.push(OverviewTask {
            pid: t.pid,
            ppid: t.ppid,
            comm: t.comm.clone(),
            state: t.state,
            depth,
            threads: t.threads.len().max(1),
            arch: t.arch(),
            argv: mem.as_ref().and_then(|m| m.args().ok()),
            memory_held: mem
                .as_ref()
                .map_or(0, |m| m.held_ranges().iter().map(|r| r.end - r.start).sum()),
            fds: open.len(),
            sockets: open.iter().filter(|f| f.kind.ends_with("SK")).count(),
        });
    }
    Ok(OverviewReport { page_size, tasks })
}
