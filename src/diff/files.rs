//! Open files and sockets of a task: fds added, removed, or pointing
//! elsewhere; a regular file's position and flags; a socket's state,
//! addresses and queued bytes. Built on the explorers' data
//! ([`crate::explore::files`], [`crate::explore::sk`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{check, Change};
use crate::error::Result;
use crate::explore::files::FileTable;
use crate::explore::sk::{self, Socket};
use crate::explore::Checkpoint;

/// One open fd as compared.
#[derive(Debug, Clone)]
struct FdState {
    kind: String,
    object: String,
    fd_flags: u32,
    /// A regular file's position and open flags.
    pos: Option<u64>,
    flags: Option<u32>,
    socket: Option<Socket>,
}

/// The open fds of every task of one checkpoint.
#[derive(Debug, Default)]
pub struct Files {
    by_pid: HashMap<u32, BTreeMap<u32, FdState>>,
}

impl Files {
    /// Reads the fd tables, file table and sockets of every task with resources.
    ///
    /// # Errors
    ///
    /// A missing or corrupt image (`ids-PID.img`, `fdinfo-ID.img`, `files.img`, …).
    pub fn load(cp: &Checkpoint) -> Result<Self> {
        let table = FileTable::load(cp)?;
        let mut sockets: HashMap<(u32, u32), Socket> = HashMap::new();
        for t in sk::explore(cp)?.tasks {
            for s in t.sockets {
                sockets.insert((t.task.pid, s.fd), s);
            }
        }
        let mut out = Files::default();
        for t in cp.tasks.iter().filter(|t| t.state.has_resources()) {
            let ids = cp.ids(t.pid)?;
            let mut fds = BTreeMap::new();
            for e in cp.fdinfo(ids.files_id)? {
                let d = table.describe(e.id)?;
                let reg = table.get(e.id)?.reg;
                let reg = reg.as_ref();
                fds.insert(
                    e.fd,
                    FdState {
                        kind: d.kind,
                        object: d.object,
                        fd_flags: e.flags,
                        pos: reg.map(|r| r.pos),
                        flags: reg.map(|r| r.flags),
                        socket: sockets.remove(&(t.pid, e.fd)),
                    },
                );
            }
            out.by_pid.insert(t.pid, fds);
        }
        Ok(out)
    }
}

/// An fd on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FdRef {
    /// The fd number.
    pub fd: u32,
    /// CRIU's file type: `REG`, `PIPE`, `INETSK`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// What it points to, as `crit x DIR fds` shows it.
    pub object: String,
}

/// An fd open on both sides whose file or socket differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FdChange {
    /// The fd number.
    pub fd: u32,
    /// What it points to in A.
    pub object: String,
    /// What differs: `type`, `object` (points elsewhere), `fd_flags`, `pos`,
    /// `flags`, and for sockets `state`, `local`, `remote`, `recv_queued`,
    /// `send_queued`, `recv_queued_packets`.
    pub changes: Vec<Change>,
}

/// How a task's open files changed, in fd order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FilesDiff {
    /// Fds open only in B.
    pub added: Vec<FdRef>,
    /// Fds open only in A.
    pub removed: Vec<FdRef>,
    /// Fds open in both that differ.
    pub changed: Vec<FdChange>,
}

impl FilesDiff {
    /// True when the task's fds are the same.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares the fds of task `pa` of `a` with those of task `pb` of `b`
/// (tasks without resources have none).
pub fn compare(a: &Files, b: &Files, pa: u32, pb: u32) -> FilesDiff {
    let empty = BTreeMap::new();
    let fa = a.by_pid.get(&pa).unwrap_or(&empty);
    let fb = b.by_pid.get(&pb).unwrap_or(&empty);
    let r = |fd: u32, s: &FdState| FdRef {
        fd,
        kind: s.kind.clone(),
        object: s.object.clone(),
    };
    let mut d = FilesDiff::default();
    for (&fd, sa) in fa {
        let Some(sb) = fb.get(&fd) else {
            d.removed.push(r(fd, sa));
            continue;
        };
        let changes = fd_changes(sa, sb);
        if !changes.is_empty() {
            d.changed.push(FdChange {
                fd,
                object: sa.object.clone(),
                changes,
            });
        }
    }
    d.added = fb
        .iter()
        .filter(|(fd, _)| !fa.contains_key(fd))
        .map(|(&fd, s)| r(fd, s))
        .collect();
    d
}

fn fd_changes(a: &FdState, b: &FdState) -> Vec<Change> {
    let mut out = Vec::new();
    check(&mut out, "type", a.kind.as_str(), b.kind.as_str());
    // A socket's one-line object holds its state and addresses, compared below
    // one by one.
    if a.socket.is_none() || b.socket.is_none() {
        check(&mut out, "object", a.object.as_str(), b.object.as_str());
    }
    check(&mut out, "fd_flags", a.fd_flags, b.fd_flags);
    check(&mut out, "pos", a.pos, b.pos);
    check(&mut out, "flags", a.flags, b.flags);
    if let (Some(x), Some(y)) = (&a.socket, &b.socket) {
        check(&mut out, "state", x.state.clone(), y.state.clone());
        check(&mut out, "local", sk::local(x), sk::local(y));
        check(&mut out, "remote", sk::remote(x), sk::remote(y));
        check(&mut out, "recv_queued", x.recv_queued, y.recv_queued);
        check(&mut out, "send_queued", x.send_queued, y.send_queued);
        check(
            &mut out,
            "recv_queued_packets",
            x.recv_queued_packets,
            y.recv_queued_packets,
        );
    }
    out
}
