//! `ps`: the process tree.

use serde::Serialize;

use crate::checkpoint::{Checkpoint, TaskState};

/// The report of `crit x DIR ps`: the process tree.
#[derive(Debug, Clone, Serialize)]
pub struct PsReport {
    /// Every task of `pstree.img`, parents before children (depth-first).
    pub tasks: Vec<PsTask>,
}

/// One task of the tree.
#[derive(Debug, Clone, Serialize)]
pub struct PsTask {
    /// The pid inside the checkpoint (in the dumped pid namespace), from `pstree.img`.
    pub pid: u32,
    /// The parent's pid (`pstree.img`); 0 for the root task.
    pub ppid: u32,
    /// The process group id (`pstree.img`).
    pub pgid: u32,
    /// The session id (`pstree.img`).
    pub sid: u32,
    /// The task's name (`comm`), from `core-PID.img`.
    pub comm: String,
    /// The task's state, decoded from `task_state`.
    pub state: TaskState,
    /// `task_state` as CRIU wrote it (1 alive, 2 zombie, 3 stopped).
    pub task_state: u32,
    /// A zombie's exit code (`exit_code` is a wait status: `exit(7)` is 7 here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<u32>,
    /// A zombie's killing signal, when it did not exit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_signal: Option<u32>,
    /// The number of threads (`pstree.img`); at least 1.
    pub threads: usize,
    /// Depth in the tree: 0 for the root.
    pub depth: usize,
}

/// Lists the tasks as a tree, parents before children. Reading the
/// checkpoint did all the work, so this cannot fail.
pub fn explore(cp: &Checkpoint) -> PsReport {
    let tasks = cp
        .tree_order()
        .into_iter()
        .map(|(depth, t)| {
            let zombie = t.state == TaskState::Zombie;
            // A wait status: low 7 bits are the signal, or 0 and the code above.
            let signal = t.exit_code & 0x7f;
            PsTask {
                pid: t.pid,
                ppid: t.ppid,
                pgid: t.pgid,
                sid: t.sid,
                comm: t.comm.clone(),
                state: t.state,
                task_state: t.task_state,
                exit_status: (zombie && signal == 0).then_some((t.exit_code >> 8) & 0xff),
                exit_signal: (zombie && signal != 0).then_some(signal),
                threads: t.threads.len().max(1),
                depth,
            }
        })
        .collect();
    PsReport { tasks }
}
