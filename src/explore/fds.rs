//! `fds`: each task's open files, then its cwd and root.
//!
//! `ids-PID.img` gives the task's files id, `fdinfo-ID.img` its fd table, and
//! the file table names what each fd points to.

use serde::Serialize;

use crate::error::Result;

use super::checkpoint::Checkpoint;
use super::files::FileTable;
use super::TaskHead;

/// The report of `crit x DIR fds`: every task's open files.
#[derive(Debug, Clone, Serialize)]
pub struct FdsReport {
    /// One entry per task, in `pstree.img` order.
    pub tasks: Vec<FdsTask>,
}

/// One task's open files, cwd and root.
#[derive(Debug, Clone, Serialize)]
pub struct FdsTask {
    /// The task (`pid`, `comm`, `state`; flattened into this object in JSON).
    #[serde(flatten)]
    pub task: TaskHead,
    /// Open fds in fd order; empty for a task without resources (a zombie).
    pub fds: Vec<Fd>,
    /// The working directory's path, from `fs-PID.img`; `None` (`null`) for a
    /// task without resources.
    pub cwd: Option<String>,
    /// The root directory's path, from `fs-PID.img`; `None` (`null`) for a
    /// task without resources.
    pub root: Option<String>,
}

/// One open file descriptor (an `fdinfo-ID.img` entry) and what it points to.
#[derive(Debug, Clone, Serialize)]
pub struct Fd {
    /// The file descriptor number.
    pub fd: u32,
    /// CRIU's file type: `REG`, `PIPE`, `FIFO`, `INETSK`, `UNIXSK`, `MEMFD`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// What the fd points to, as one line: a path, `pipe[INO]`,
    /// `tcp 127.0.0.1:46580 -> 127.0.0.1:47101 ESTABLISHED`, … (see
    /// [`FileTable::describe`]).
    pub object: String,
    /// The file's path, for files that have one (regular files, fifos, ttys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The file's id in the checkpoint (`files.img`).
    pub id: u32,
}

/// Lists each task's open fds (from `ids-PID.img`, `fdinfo-ID.img` and the
/// file images) and its cwd and root (`fs-PID.img`).
///
/// # Errors
///
/// A missing or corrupt image, named in the error.
pub fn explore(cp: &Checkpoint) -> Result<FdsReport> {
    let table = FileTable::load(cp)?;
    let tasks = tasks(cp, &table).collect::<Result<_>>()?;
    Ok(FdsReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small.
pub fn tasks<'a>(cp: &'a Checkpoint, table: &'a FileTable) -> impl Iterator<Item = Result<FdsTask>> + 'a {
    cp.tasks.iter().map(move |t| {
        let mut out = FdsTask {
            task: t.into(),
            fds: Vec::new(),
            cwd: None,
            root: None,
        };
        if t.state.has_resources() {
            let ids = cp.ids(t.pid)?;
            let mut fdinfo = cp.fdinfo(ids.files_id)?;
            fdinfo.sort_by_key(|e| e.fd);
            for e in fdinfo {
                let d = table.describe(e.id)?;
                out.fds.push(Fd {
                    fd: e.fd,
                    kind: d.kind,
                    object: d.object,
                    path: d.path,
                    id: e.id,
                });
            }
            let fs = cp.fs(t.pid)?;
            out.cwd = Some(table.path(fs.cwd_id)?);
            out.root = Some(table.path(fs.root_id)?);
        }
        Ok(out)
    })
}
