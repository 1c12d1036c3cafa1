//! `--pid PID [--tree]`: narrowing a checkpoint to one task, or to a task and
//! its subtree, before an explorer runs (explorers walk `Checkpoint::tasks`).

use std::collections::HashSet;

use crate::error::{Error, Result};

use crate::checkpoint::Checkpoint;

/// What `--pid` named, once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selected {
    /// The process kept (its subtree too with `--tree`).
    pub pid: u32,
    /// The pid asked for was a thread of `pid`, not a process.
    pub thread: Option<u32>,
}

/// The pid of `pstree.img` that `pid` names: itself when it is a process, its
/// process when it is a thread id.
///
/// # Errors
///
/// No task nor thread has that pid.
pub(crate) fn resolve(cp: &Checkpoint, pid: u32) -> Result<Selected> {
    if cp.tasks.iter().any(|t| t.pid == pid) {
        return Ok(Selected { pid, thread: None });
    }
    cp.tasks
        .iter()
        .find(|t| t.threads.contains(&pid))
        .map(|t| Selected {
            pid: t.pid,
            thread: Some(pid),
        })
        .ok_or_else(|| Error::TaskNotFound {
            checkpoint: cp.source().label().to_string(),
            pid,
            threads: true,
        })
}

/// Keeps only the task `pid` names (a thread id names its process) and, with
/// `tree`, its descendants; tree order is kept.
///
/// # Errors
///
/// No task nor thread has that pid.
pub fn select(cp: &mut Checkpoint, pid: u32, tree: bool) -> Result<Selected> {
    let sel = resolve(cp, pid)?;
    let keep: HashSet<u32> = if tree {
        // tree_order visits a subtree contiguously: take the task and
        // everything after it that is deeper.
        let order = cp.tree_order();
        let at = order.iter().position(|(_, t)| t.pid == sel.pid).unwrap_or(0);
        let depth = order[at].0;
        std::iter::once(sel.pid)
            .chain(
                order[at + 1..]
                    .iter()
                    .take_while(|(d, _)| *d > depth)
                    .map(|(_, t)| t.pid),
            )
            .collect()
    } else {
        HashSet::from([sel.pid])
    };
    cp.tasks.retain(|t| keep.contains(&t.pid));
    Ok(sel)
}
