//! `sk`: each task's sockets — addresses, state, buffer sizes, and what they
//! had queued (`sk-queues.img`, `tcp-stream-INO.img`).

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::proto::{FdTypes, FdinfoEntry, FileEntry, SkOptsEntry};

use super::ahead::{weight_of, Ahead};
use super::queues::{self, Queued};
use super::TaskHead;
use super::{tasks_of, with_tasks_of, PerTask};
use crate::checkpoint::files::{endpoint, inet_addr, unix_name, FileTable};
use crate::checkpoint::names;
use crate::checkpoint::{Checkpoint, Task};

/// The report of `crit x DIR sk`: every task's sockets.
#[derive(Debug, Clone, Serialize)]
pub struct SkReport {
    /// One entry per task, in `pstree.img` order.
    pub tasks: Vec<SkTask>,
}

/// One task's sockets.
#[derive(Debug, Clone, Serialize)]
pub struct SkTask {
    /// The task (`pid`, `comm`, `state`; flattened into this object in JSON).
    #[serde(flatten)]
    pub task: TaskHead,
    /// Sockets in fd order; empty for a task without resources (a zombie).
    pub sockets: Vec<Socket>,
}

/// One socket a task has open: a unix, inet, netlink or packet socket.
/// Fields that do not apply to its family are `None` (left out of JSON).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Socket {
    /// The file descriptor number.
    pub fd: u32,
    /// `unix`, `inet`, `inet6`, `netlink`, `packet`.
    pub family: String,
    /// `stream`, `dgram`, `seqpacket`, `raw`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `tcp`, `udp` (inet); `route`, `audit`, … (netlink); `all`, `ip`, … (packet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `LISTEN`, `ESTABLISHED`, `CLOSE`, … (none for packet sockets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// An inet socket's local address, e.g. `127.0.0.1` or `::1` (IPv6
    /// compressed, no brackets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_addr: Option<String>,
    /// An inet socket's local port (0 when unbound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u32>,
    /// An inet socket's remote address; only when connected (remote port not 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_addr: Option<String>,
    /// An inet socket's remote port; only when connected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_port: Option<u32>,
    /// A unix socket's bound name (no trailing NUL; `@…` when abstract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The socket's inode number (unix, inet and netlink sockets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ino: Option<u32>,
    /// A unix socket's peer's inode number (0: no peer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<u32>,
    /// `SO_SNDBUF`, in bytes.
    pub send_buf: u32,
    /// `SO_RCVBUF`, in bytes.
    pub recv_buf: u32,
    /// Bytes waiting in the receive queue: a unix or netlink socket's from
    /// `sk-queues.img`, an established TCP socket's from its
    /// `tcp-stream-INO.img`. `None` (JSON `null`) where the image does not
    /// record it: CRIU saves no queue of UDP, raw or packet sockets, nor a
    /// TCP socket's without a stream image (listening, closed).
    pub recv_queued: Option<u64>,
    /// Bytes waiting in the send queue: an established TCP socket's, from
    /// `tcp-stream-INO.img`. `None` for the rest (a unix socket has no send
    /// queue of its own: what it sent waits in its peer's receive queue).
    pub send_queued: Option<u64>,
    /// Packets waiting in the receive queue (`sk-queues.img`): a unix or
    /// netlink socket's; `None` where not recorded (a TCP stream image
    /// holds bytes, not packets).
    pub recv_queued_packets: Option<u64>,
}

impl Socket {
    /// Bytes the image records queued at the socket, both ways; `None` when
    /// it records neither queue.
    pub fn queued(&self) -> Option<u64> {
        match (self.recv_queued, self.send_queued) {
            (None, None) => None,
            (r, s) => Some(r.unwrap_or(0) + s.unwrap_or(0)),
        }
    }
}

/// Lists each task's sockets in fd order, with what they had queued.
///
/// # Errors
///
/// A missing or corrupt image (`fdinfo-ID.img`, `files.img`,
/// `sk-queues.img`, …), named in the error.
pub fn explore(cp: &Checkpoint) -> Result<SkReport> {
    let table = FileTable::load(cp)?;
    let queued = queues::sk_queues(cp)?;
    let tasks = with_tasks(cp, &table, &queued, |tasks| tasks.collect::<Result<_>>())?;
    Ok(SkReport { tasks })
}

/// The tasks one at a time, in `pstree.img` order, each read when it is
/// reached: what a report of thousands of tasks needs to stay small.
/// ([`with_tasks`] reads them on a second thread.)
pub fn tasks<'a>(
    cp: &'a Checkpoint,
    table: &'a FileTable,
    queued: &'a HashMap<u32, Queued>,
) -> impl Iterator<Item = Result<SkTask>> + 'a {
    tasks_of(cp, Sk::new(table, queued))
}

/// Hands `f` the tasks of [`tasks`], read on a second thread a bounded way
/// ahead of `f` (see [`ahead`](super::ahead)); returns what `f` does.
pub fn with_tasks<R>(
    cp: &Checkpoint,
    table: &FileTable,
    queued: &HashMap<u32, Queued>,
    f: impl FnOnce(Ahead<'_, SkTask>) -> R,
) -> R {
    with_tasks_of(cp, Sk::new(table, queued), f)
}

/// `sk`, task by task.
struct Sk<'t> {
    table: &'t FileTable,
    queued: &'t HashMap<u32, Queued>,
    /// Tasks share sockets (inherited over fork): each TCP stream image is
    /// read once.
    streams: HashMap<u32, Option<(u64, u64)>>,
}

impl<'t> Sk<'t> {
    fn new(table: &'t FileTable, queued: &'t HashMap<u32, Queued>) -> Self {
        Sk {
            table,
            queued,
            streams: HashMap::new(),
        }
    }
}

impl<'a> PerTask<'a> for Sk<'_> {
    type Report = SkTask;
    fn load(&mut self, cp: &'a Checkpoint, t: &'a Task) -> Result<SkTask> {
        task(cp, self.table, self.queued, &mut self.streams, t)
    }
    fn weight(report: &SkTask) -> usize {
        report.weight()
    }
}

/// One task of `cp`, as [`tasks`] reads it (`streams` keeps the TCP stream
/// images read so far): for a caller that needs the tasks in another order
/// (`diff`, task by task).
///
/// # Errors
///
/// As [`explore`].
pub fn task(
    cp: &Checkpoint,
    table: &FileTable,
    queued: &HashMap<u32, Queued>,
    streams: &mut HashMap<u32, Option<(u64, u64)>>,
    t: &Task,
) -> Result<SkTask> {
    let mut out = SkTask {
        task: t.into(),
        sockets: Vec::new(),
    };
    if t.state.has_resources() {
        let ids = cp.ids(t.pid)?;
        let fdinfo = cp.fdinfo(ids.files_id)?;
        out.sockets = sockets(cp, table, queued, streams, &fdinfo)?;
    }
    Ok(out)
}

/// The sockets among the fds of `fdinfo` (a task's fd table, as read), in
/// fd order: for a caller that has read the fd table already (`diff`).
pub(crate) fn sockets(
    cp: &Checkpoint,
    table: &FileTable,
    queued: &HashMap<u32, Queued>,
    streams: &mut HashMap<u32, Option<(u64, u64)>>,
    fdinfo: &[FdinfoEntry],
) -> Result<Vec<Socket>> {
    let mut by_fd: Vec<&FdinfoEntry> = fdinfo.iter().collect();
    by_fd.sort_by_key(|e| e.fd);
    let mut out = Vec::new();
    for e in by_fd {
        if let Some(s) = socket(cp, queued, streams, e.fd, &table.get(e.id)?)? {
            out.push(s);
        }
    }
    Ok(out)
}

impl SkTask {
    /// About how many bytes the task holds, for the read-ahead budget.
    fn weight(&self) -> usize {
        let strings: usize = self
            .sockets
            .iter()
            .map(|s| {
                [
                    Some(&s.family),
                    s.kind.as_ref(),
                    s.protocol.as_ref(),
                    s.state.as_ref(),
                    s.src_addr.as_ref(),
                    s.dst_addr.as_ref(),
                    s.name.as_ref(),
                ]
                .into_iter()
                .map(weight_of)
                .sum::<usize>()
            })
            .sum();
        self.sockets.capacity() * std::mem::size_of::<Socket>() + strings + weight_of(Some(&self.task.comm))
    }
}

/// The socket behind one fd, or `None` when the file is not a socket.
fn socket(
    cp: &Checkpoint,
    queued: &HashMap<u32, Queued>,
    streams: &mut HashMap<u32, Option<(u64, u64)>>,
    fd: u32,
    f: &FileEntry,
) -> Result<Option<Socket>> {
    let bufs = |o: &SkOptsEntry| (o.so_sndbuf, o.so_rcvbuf);
    // Entries in sk-queues.img, whatever the socket; none is "nothing
    // queued" only for the kinds CRIU saves the queue of (see `recorded`).
    let listed = queued.get(&f.id).copied();
    let base = |family: String, opts: &SkOptsEntry| {
        let (send_buf, recv_buf) = bufs(opts);
        Socket {
            fd,
            family,
            send_buf,
            recv_buf,
            recv_queued: listed.map(|q| q.bytes),
            recv_queued_packets: listed.map(|q| q.packets),
            ..Socket::default()
        }
    };
    // CRIU saves every unix socket's receive queue in sk-queues.img, and
    // refuses to dump a netlink socket that holds data: for both, no entry
    // means an empty queue.
    let recorded = |s: Socket| Socket {
        recv_queued: Some(listed.unwrap_or_default().bytes),
        recv_queued_packets: Some(listed.unwrap_or_default().packets),
        ..s
    };
    let kind = FdTypes::try_from(f.r#type).unwrap_or(FdTypes::Und);
    let s = match (kind, &f.usk, &f.isk, &f.nlsk, &f.psk) {
        (FdTypes::Unixsk, Some(u), ..) => {
            let name = unix_name(&u.name);
            recorded(Socket {
                kind: Some(names::sock_type(u.r#type)),
                state: Some(names::sk_state(u.state)),
                name: (!name.is_empty()).then_some(name),
                ino: Some(u.ino),
                peer: Some(u.peer),
                ..base("unix".into(), &u.opts)
            })
        }
        (FdTypes::Inetsk, _, Some(i), ..) => {
            let mut s = Socket {
                kind: Some(names::sock_type(i.r#type)),
                protocol: Some(names::ip_proto(i.proto)),
                state: Some(names::sk_state(i.state)),
                src_addr: Some(inet_addr(i.family, &i.src_addr).to_string()),
                src_port: Some(i.src_port),
                ino: Some(i.ino),
                ..base(names::family(i.family), &i.opts)
            };
            if i.dst_port != 0 {
                s.dst_addr = Some(inet_addr(i.family, &i.dst_addr).to_string());
                s.dst_port = Some(i.dst_port);
            }
            // An established TCP socket's queues are in its own image.
            let stream = match streams.get(&i.ino) {
                Some(&known) => known,
                None => *streams.entry(i.ino).or_insert(queues::tcp_stream(cp, i.ino)?),
            };
            if let Some((inq, outq)) = stream {
                s.recv_queued = Some(s.recv_queued.unwrap_or(0) + inq);
                s.send_queued = Some(outq);
            }
            s
        }
        (FdTypes::Netlinksk, _, _, Some(n), _) => recorded(Socket {
            protocol: Some(names::netlink_proto(n.protocol)),
            state: Some(names::sk_state(n.state)),
            ino: Some(n.ino),
            ..base("netlink".into(), &n.opts)
        }),
        (FdTypes::Packetsk, .., Some(p)) => Socket {
            kind: Some(names::sock_type(p.r#type)),
            protocol: Some(names::packet_proto(p.protocol)),
            ..base("packet".into(), &p.opts)
        },
        _ => return Ok(None),
    };
    Ok(Some(s))
}

/// The local end, for tables: `127.0.0.1:47101`, `[::1]:47103`, a unix
/// socket's name, `ino INODE`, or an empty string.
pub fn local(s: &Socket) -> String {
    match (&s.src_addr, s.src_port, &s.name) {
        (Some(a), Some(p), _) => join(a, p),
        (_, _, Some(n)) => n.clone(),
        _ => s.ino.map(|i| format!("ino {i}")).unwrap_or_default(),
    }
}

/// The remote end, for tables: address and port (`127.0.0.1:41200`), a unix
/// peer as `ino INODE`, or an empty string when there is none.
pub fn remote(s: &Socket) -> String {
    match (&s.dst_addr, s.dst_port, s.peer) {
        (Some(a), Some(p), _) => join(a, p),
        (_, _, Some(peer)) if peer != 0 => format!("ino {peer}"),
        _ => String::new(),
    }
}

fn join(addr: &str, port: u32) -> String {
    match addr.parse() {
        Ok(ip) => endpoint(ip, port),
        Err(_) => format!("{addr}:{port}"),
    }
}
