//! `ps`: the process tree.

use serde::Serialize;

use super::checkpoint::{Checkpoint, TaskState};

#[derive(Debug, Clone, Serialize)]
pub struct PsReport {
    /// Every task of `pstree.img`, parents before children (depth-first).
    pub tasks: Vec<PsTask>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PsTask {
    pub pid: u32,
    pub ppid: u32,
    pub pgid: u32,
    pub sid: u32,
    pub comm: String,
    pub state: TaskState,
    /// `task_state` as CRIU wrote it (1 alive, 2 zombie, 3 stopped).
    pub task_state: u32,
    /// A zombie's exit code (`exit_code` is a wait status: `exit(7)` is 7 here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<u32>,
    /// A zombie's killing signal, when it did not exit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_signal: Option<u32>,
    pub threads: usize,
    /// Depth in the tree: 0 for the root.
    pub depth: usize,
}

/// Lists the tasks as a tree. Reading the checkpoint did all the work.
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
