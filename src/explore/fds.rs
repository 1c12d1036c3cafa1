//! `fds`: each task's open files, then its cwd and root.
//!
//! `ids-PID.img` gives the task's files id, `fdinfo-ID.img` its fd table, and
//! the file table names what each fd points to.

use std::collections::HashSet;

use serde::Serialize;

use crate::error::Result;

use super::ahead::{weight_of, Ahead};
use super::TaskHead;
use super::{tasks_of, with_tasks_of, PerTask};
use crate::checkpoint::files::FileTable;
use crate::checkpoint::{Checkpoint, Task};

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
    /// The open flags (regular files, pipes, fifos): `O_RDONLY`,
    /// `O_WRONLY|O_APPEND|O_LARGEFILE`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<String>,
    /// The file position (regular files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<u64>,
    /// Which end of a pipe or fifo: `read`, `write` (or `read-write` for a
    /// fifo opened so), from the open flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipe_end: Option<&'static str>,
    /// An inotify's watched paths (`inode INO on dev DEV` when CRIU saved no path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watches: Option<Vec<String>>,
    /// The fds of this task an epoll watches (targets not open in the task
    /// are left out; `object` counts them all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<u32>>,
}

/// What the file table knows beyond the object's name: open flags and
/// position, a pipe's end, inotify watches, epoll targets. (`object` stays
/// as the Python and Go CRITs print it.)
fn details(table: &FileTable, open: &HashSet<u32>, fd: &mut Fd) -> Result<()> {
    let f = table.get(fd.id)?;
    let access = |flags: u32| match flags & 3 {
        0 => "read",
        1 => "write",
        _ => "read-write",
    };
    if let Some(r) = &f.reg {
        fd.flags = Some(open_flags(r.flags));
        fd.pos = Some(r.pos);
    } else if let Some(p) = &f.pipe {
        fd.flags = Some(open_flags(p.flags));
        fd.pipe_end = Some(access(p.flags));
    } else if let Some(fifo) = &f.fifo {
        if let Some(reg) = fifo.regf_id.and_then(|id| table.get(id).ok()).and_then(|r| r.reg) {
            fd.flags = Some(open_flags(reg.flags));
            fd.pipe_end = Some(access(reg.flags));
        }
    } else if f.ify.is_some() {
        let w: Vec<String> = table
            .inotify_watches(fd.id)?
            .into_iter()
            .map(|w| match w.f_handle.path.as_deref() {
                Some(p) if !p.is_empty() => p.to_string(),
                _ => format!("inode {} on dev {:#x}", w.i_ino, w.s_dev),
            })
            .collect();
        fd.watches = Some(w);
    } else if f.epfd.is_some() {
        let mut t: Vec<u32> = table
            .epoll_targets(fd.id)?
            .into_iter()
            .map(|t| t.tfd)
            .filter(|t| open.contains(t))
            .collect();
        t.sort_unstable();
        t.dedup();
        fd.targets = Some(t);
    }
    Ok(())
}

impl Fd {
    /// What the table adds after `object`: ` (read end)`, `: fd 7, 10`,
    /// `: /tmp/dir`; empty when there is nothing more to say.
    pub fn detail(&self) -> String {
        if let Some(end) = self.pipe_end {
            return match end {
                "read-write" => " (read-write)".to_string(),
                end => format!(" ({end} end)"),
            };
        }
        if let Some(w) = self.watches.as_ref().filter(|w| !w.is_empty()) {
            return format!(": {}", w.join(", "));
        }
        if let Some(t) = self.targets.as_ref().filter(|t| !t.is_empty()) {
            let list: Vec<String> = t.iter().map(u32::to_string).collect();
            return format!(": fd {}", list.join(", "));
        }
        String::new()
    }
}

/// `O_RDWR|O_APPEND|O_LARGEFILE`: the access mode, then the other bits.
pub(crate) fn open_flags(flags: u32) -> String {
    let mode = match flags & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let mut rest = Vec::new();
    if let Some(t) = crate::schema::names::flag_table("rfile.flags") {
        crate::message_json::formats::format_flags(u64::from(flags & !3), t, &mut rest);
    }
    let rest = String::from_utf8_lossy(&rest).replace(" | ", "|");
    if rest.is_empty() {
        mode.to_string()
    } else {
        format!("{mode}|{rest}")
    }
}

/// Lists each task's open fds (from `ids-PID.img`, `fdinfo-ID.img` and the
/// file images) and its cwd and root (`fs-PID.img`).
///
/// # Errors
///
/// A missing or corrupt image, named in the error.
pub fn explore(cp: &Checkpoint) -> Result<FdsReport> {
    let table = FileTable::load(cp)?;
    let tasks = with_tasks(cp, &table, |tasks| tasks.collect::<Result<_>>())?;
    Ok(FdsReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small.
/// ([`with_tasks`] reads them on a second thread.)
pub fn tasks<'a>(cp: &'a Checkpoint, table: &'a FileTable) -> impl Iterator<Item = Result<FdsTask>> + 'a {
    tasks_of(cp, Fds { table })
}

/// Hands `f` the tasks of [`tasks`], read on a second thread a bounded way
/// ahead of `f` (see [`ahead`](super::ahead)); returns what `f` does.
pub fn with_tasks<R>(cp: &Checkpoint, table: &FileTable, f: impl FnOnce(Ahead<'_, FdsTask>) -> R) -> R {
    with_tasks_of(cp, Fds { table }, f)
}

/// `fds`, task by task.
struct Fds<'t> {
    table: &'t FileTable,
}

impl<'a> PerTask<'a> for Fds<'_> {
    type Report = FdsTask;
    fn load(&mut self, cp: &'a Checkpoint, t: &'a Task) -> Result<FdsTask> {
        load(cp, self.table, t)
    }
    fn weight(report: &FdsTask) -> usize {
        report.weight()
    }
}

/// Reads one task's fd table and `fs-PID.img`.
fn load(cp: &Checkpoint, table: &FileTable, t: &Task) -> Result<FdsTask> {
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
        let open: HashSet<u32> = fdinfo.iter().map(|e| e.fd).collect();
        for e in fdinfo {
            let d = table.describe(e.id)?;
            let mut fd = Fd {
                fd: e.fd,
                kind: d.kind,
                object: d.object,
                path: d.path,
                id: e.id,
                flags: None,
                pos: None,
                pipe_end: None,
                watches: None,
                targets: None,
            };
            details(table, &open, &mut fd)?;
            out.fds.push(fd);
        }
        let fs = cp.fs(t.pid)?;
        out.cwd = Some(table.path(fs.cwd_id)?);
        out.root = Some(table.path(fs.root_id)?);
    }
    Ok(out)
}

impl FdsTask {
    /// About how many bytes the task holds, for the read-ahead budget.
    fn weight(&self) -> usize {
        let strings: usize = self
            .fds
            .iter()
            .map(|f| {
                let lists = f
                    .watches
                    .as_ref()
                    .map_or(0, |w| w.iter().map(|s| weight_of(Some(s))).sum())
                    + f.targets.as_ref().map_or(0, |t| t.capacity() * 4);
                [Some(&f.kind), Some(&f.object), f.path.as_ref(), f.flags.as_ref()]
                    .into_iter()
                    .map(weight_of)
                    .sum::<usize>()
                    + lists
            })
            .sum();
        let paths = [self.cwd.as_ref(), self.root.as_ref()]
            .into_iter()
            .map(weight_of)
            .sum::<usize>();
        self.fds.capacity() * std::mem::size_of::<Fd>() + strings + paths + weight_of(Some(&self.task.comm))
    }
}
