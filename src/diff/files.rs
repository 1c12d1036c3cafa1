//! Open files and sockets of a task: fds added, removed, or pointing
//! elsewhere; a regular file's position and flags; a socket's state,
//! addresses and queued bytes. Built on the explorers' data
//! ([`crate::checkpoint::files`], [`crate::explore::sk`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{check, Change};
use crate::checkpoint::files::FileTable;
use crate::checkpoint::{Checkpoint, Task};
use crate::error::Result;
use crate::explore::queues::{self, Queued};
use crate::explore::sk::{self, Socket};

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

/// The open fds of the tasks of one checkpoint, read task by task as they
/// are compared: memory holds two tasks' fds, never every task's.
pub(crate) struct Files<'a> {
    cp: &'a Checkpoint,
    table: FileTable,
    queued: HashMap<u32, Queued>,
    /// TCP stream images read so far (tasks share sockets over fork).
    streams: RefCell<HashMap<u32, Option<(u64, u64)>>>,
}

impl<'a> Files<'a> {
    /// Reads the file table and socket queues the fds are described from.
    ///
    /// # Errors
    ///
    /// A missing or corrupt image (`files.img`, `sk-queues.img`, …).
    pub(crate) fn load(cp: &'a Checkpoint) -> Result<Self> {
        Ok(Files {
            cp,
            table: FileTable::load(cp)?,
            queued: queues::sk_queues(cp)?,
            streams: RefCell::new(HashMap::new()),
        })
    }

    /// Task `t`'s fds (none for a task without resources), by number.
    ///
    /// # Errors
    ///
    /// A missing or corrupt image (`ids-PID.img`, `fdinfo-ID.img`, …).
    fn of(&self, t: &Task) -> Result<BTreeMap<u32, FdState>> {
        let mut fds = BTreeMap::new();
        if !t.state.has_resources() {
            return Ok(fds);
        }
        let (cp, table) = (self.cp, &self.table);
        // The fd table, read once for its sockets and its files.
        let fdinfo = cp.fdinfo(cp.ids(t.pid)?.files_id)?;
        let sockets = sk::sockets(cp, table, &self.queued, &mut self.streams.borrow_mut(), &fdinfo)?;
        let mut sockets: HashMap<u32, Socket> = sockets.into_iter().map(|s| (s.fd, s)).collect();
        for e in fdinfo {
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
                    socket: sockets.remove(&e.fd),
                },
            );
        }
        Ok(fds)
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
///
/// # Errors
///
/// A missing or corrupt image on either side, named in the error.
pub(crate) fn compare(a: &Files<'_>, b: &Files<'_>, ta: &Task, tb: &Task) -> Result<FilesDiff> {
    let (fa, fb) = (&a.of(ta)?, &b.of(tb)?);
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
    Ok(d)
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
