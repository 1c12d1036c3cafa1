//! The first look (`crit x DIR` with no explorer): the process tree with each
//! task's command line (read from its memory, as `crit mem args` does),
//! threads, memory held, and open fd and socket counts.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;

use super::checkpoint::{Checkpoint, TaskState};
use super::fds;
use super::files::FileTable;

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
    /// The architecture (`Task::arch`).
    pub arch: String,
    /// The command line, from the task's memory, without the trailing empty
    /// arguments of a rewritten argv; `None` (`null`) when the checkpoint does
    /// not hold it (a zombie has no memory) or its memory images are damaged.
    pub argv: Option<Vec<String>>,
    /// Bytes of memory the checkpoint holds for the task (its own pages, its
    /// parents' and its shared memory); `None` (`null`) when its memory
    /// could not be read (a damaged image: see [`Checkpoint::problems`]).
    /// A zombie holds none: 0.
    pub memory_held: Option<u64>,
    /// Open file descriptors.
    pub fds: usize,
    /// Of those, sockets.
    pub sockets: usize,
}

/// Builds the overview.
///
/// # Errors
///
/// A missing or corrupt image the fd tables need. Memory that cannot be read
/// leaves `argv` and `memory_held` unknown (`None`) rather than failing the
/// whole overview; [`Checkpoint::problems`] says why.
pub fn explore(cp: &Checkpoint) -> Result<OverviewReport> {
    let page_size = cp.page_size()?;
    // Each task's fd and socket counts, its fds read one task at a time
    // (all of them at once would hold every fd of every task).
    let table = FileTable::load(cp)?;
    let counts: HashMap<u32, (usize, usize)> = fds::with_tasks(cp, &table, |tasks| {
        tasks
            .map(|t| {
                let t = t?;
                let sockets = t.fds.iter().filter(|f| f.kind.ends_with("SK")).count();
                Ok((t.task.pid, (t.fds.len(), sockets)))
            })
            .collect::<Result<_>>()
    })?;
    let mut tasks = Vec::with_capacity(cp.tasks.len());
    for (depth, t) in cp.tree_order() {
        let (fds, sockets) = counts.get(&t.pid).copied().unwrap_or((0, 0));
        // Memory whose images are damaged is not read: what would be shown is unknown.
        let readable = t.state.has_resources() && !cp.memory_damaged(t.pid);
        let mem = readable.then(|| cp.memory(t.pid).ok()).flatten();
        tasks.push(OverviewTask {
            pid: t.pid,
            ppid: t.ppid,
            comm: t.comm.clone(),
            state: t.state,
            depth,
            threads: t.threads.len().max(1),
            arch: t.arch(),
            argv: mem.as_ref().and_then(|m| m.args().ok()),
            // A zombie holds no memory: 0, known.
            memory_held: match &mem {
                Some(m) => Some(m.held_ranges().iter().map(|r| r.end - r.start).sum()),
                None => (!t.state.has_resources()).then_some(0),
            },
            fds,
            sockets,
        });
    }
    Ok(OverviewReport { page_size, tasks })
}
