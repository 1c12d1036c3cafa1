//! The checkpoint's open files: `files.img` (and the per-type images older
//! CRIUs wrote instead), with what it takes to name each one — ghost and
//! linked remaps, memfd inodes, tty infos.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use prost::Message;

use crate::error::{Error, Result};
use crate::proto::{
    EventpollTfdEntry, FdTypes, FileEntry, InetSkEntry, InotifyWdEntry, MemfdInodeEntry, RemapFilePathEntry, RemapType,
    TtyInfoEntry, TtyType, UnixSkEntry,
};

use super::names;
use super::Checkpoint;

/// Every file object of a checkpoint, by id.
#[derive(Debug, Default)]
pub struct FileTable {
    /// Named in errors about missing ids.
    files_img: String,
    /// Every file entry, encoded as the image holds it, back to back: 300,000
    /// entries decoded at once would take gigabytes (a decoded entry has room
    /// for every kind of file), so each is decoded when it is asked for.
    encoded: Vec<u8>,
    /// Where each id's entry is in `encoded`.
    by_id: HashMap<u32, (usize, usize)>,
    /// File ids CRIU saved as deleted: a ghost copy or a hidden link.
    deleted: HashMap<u32, RemapType>,
    memfd_names: HashMap<u64, String>,
    tty_info: HashMap<u32, TtyInfoEntry>,
    /// Older CRIUs kept epoll targets and inotify watches in images of their own.
    legacy_tfds: HashMap<u32, Vec<EventpollTfdEntry>>,
    legacy_wds: HashMap<u32, Vec<InotifyWdEntry>>,
}

/// What an open file is, for people and programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDesc {
    /// CRIU's fd type: `REG`, `PIPE`, `INETSK`, …
    pub kind: String,
    /// One line naming the object: a path, `pipe[INO]`, `tcp A -> B STATE`, …
    pub object: String,
    /// The path in the file system, for files that have one.
    pub path: Option<String>,
}

/// The per-type images of CRIU before `files.img` (and the fd type they hold).
const LEGACY: &[(&str, FdTypes)] = &[
    ("reg-files.img", FdTypes::Reg),
    ("pipes.img", FdTypes::Pipe),
    ("fifo.img", FdTypes::Fifo),
    ("inetsk.img", FdTypes::Inetsk),
    ("unixsk.img", FdTypes::Unixsk),
    ("eventfd.img", FdTypes::Eventfd),
    ("eventpoll.img", FdTypes::Eventpoll),
    ("inotify.img", FdTypes::Inotify),
    ("signalfd.img", FdTypes::Signalfd),
    ("packetsk.img", FdTypes::Packetsk),
    ("tty.img", FdTypes::Tty),
    ("netlinksk.img", FdTypes::Netlinksk),
    ("tunfile.img", FdTypes::Tunf),
    ("ext-files.img", FdTypes::Ext),
    ("timerfd.img", FdTypes::Timerfd),
];

/// Whether image `name` is one of the per-type file images of CRIU before
/// `files.img` (`reg-files.img`, `inetsk.img`, …).
pub(crate) fn is_legacy_image(name: &str) -> bool {
    LEGACY.iter().any(|(n, _)| *n == name)
}

impl FileTable {
    /// Reads `files.img`, the per-type images of older checkpoints where present,
    /// and the images that complete a file's name.
    pub fn load(cp: &Checkpoint) -> Result<Self> {
        let mut t = FileTable {
            files_img: cp.source().image_label("files.img"),
            ..FileTable::default()
        };
        let legacy_present = LEGACY.iter().any(|(name, _)| cp.has(name));
        // files.img is required unless this is an older checkpoint; then a
        // missing one is reported by name when an fd needs it.
        if cp.has("files.img") || !legacy_present {
            let mut r = cp.image("files.img")?;
            let mut buf = Vec::new();
            loop {
                let start = r.offset();
                if !r.next_payload(&mut buf)? {
                    break;
                }
                let f = FileEntry::decode(buf.as_slice()).map_err(|e| r.malformed(start, e))?;
                r.finish_entry();
                t.keep(f.id, &buf, true);
            }
            t.encoded.shrink_to_fit();
        }
        for &(name, kind) in LEGACY {
            if cp.has(name) {
                t.load_legacy(cp, name, kind)?;
            }
        }
        if cp.has("eventpoll-tfd.img") {
            for e in cp.read_all::<EventpollTfdEntry>("eventpoll-tfd.img")? {
                t.legacy_tfds.entry(e.id).or_default().push(e);
            }
        }
        if cp.has("inotify-wd.img") {
            for e in cp.read_all::<InotifyWdEntry>("inotify-wd.img")? {
                t.legacy_wds.entry(e.id).or_default().push(e);
            }
        }
        if cp.has("remap-fpath.img") {
            for r in cp.read_all::<RemapFilePathEntry>("remap-fpath.img")? {
                // remap_type defaults to LINKED when absent (proto2 default).
                let kind = RemapType::try_from(r.remap_type.unwrap_or(0)).unwrap_or(RemapType::Linked);
                if kind != RemapType::Procfs {
                    t.deleted.insert(r.orig_id, kind);
                }
            }
        }
        if cp.has("memfd.img") {
            for m in cp.read_all::<MemfdInodeEntry>("memfd.img")? {
                t.memfd_names.insert(m.inode_id, m.name);
            }
        }
        if cp.has("tty-info.img") {
            for i in cp.read_all::<TtyInfoEntry>("tty-info.img")? {
                t.tty_info.insert(i.id, i);
            }
        }
        Ok(t)
    }

    /// Entries of one per-type image, wrapped as `files.img` entries would be.
    /// `files.img` wins where both have an id.
    fn load_legacy(&mut self, cp: &Checkpoint, path: &str, kind: FdTypes) -> Result<()> {
        use crate::proto::*;
        fn wrap<T: prost::Message + Default>(
            (cp, path): (&Checkpoint, &str),
            id: impl Fn(&T) -> u32,
            set: impl Fn(&mut FileEntry, T),
        ) -> Result<Vec<FileEntry>> {
            let mut out = Vec::new();
            for e in cp.read_all::<T>(path)? {
                let mut f = FileEntry {
                    id: id(&e),
                    ..FileEntry::default()
                };
                set(&mut f, e);
                out.push(f);
            }
            Ok(out)
        }
        let entries = match kind {
            FdTypes::Reg => wrap::<RegFileEntry>((cp, path), |e| e.id, |f, e| f.reg = Some(e))?,
            FdTypes::Pipe => wrap::<PipeEntry>((cp, path), |e| e.id, |f, e| f.pipe = Some(e))?,
            FdTypes::Fifo => wrap::<FifoEntry>((cp, path), |e| e.id, |f, e| f.fifo = Some(e))?,
            FdTypes::Inetsk => wrap::<InetSkEntry>((cp, path), |e| e.id, |f, e| f.isk = Some(e))?,
            FdTypes::Unixsk => wrap::<UnixSkEntry>((cp, path), |e| e.id, |f, e| f.usk = Some(e))?,
            FdTypes::Eventfd => wrap::<EventfdFileEntry>((cp, path), |e| e.id, |f, e| f.efd = Some(e))?,
            FdTypes::Eventpoll => wrap::<EventpollFileEntry>((cp, path), |e| e.id, |f, e| f.epfd = Some(e))?,
            FdTypes::Inotify => wrap::<InotifyFileEntry>((cp, path), |e| e.id, |f, e| f.ify = Some(e))?,
            FdTypes::Signalfd => wrap::<SignalfdEntry>((cp, path), |e| e.id, |f, e| f.sgfd = Some(e))?,
            FdTypes::Packetsk => wrap::<PacketSockEntry>((cp, path), |e| e.id, |f, e| f.psk = Some(e))?,
            FdTypes::Tty => wrap::<TtyFileEntry>((cp, path), |e| e.id, |f, e| f.tty = Some(e))?,
            FdTypes::Netlinksk => wrap::<NetlinkSkEntry>((cp, path), |e| e.id, |f, e| f.nlsk = Some(e))?,
            FdTypes::Tunf => wrap::<TunfileEntry>((cp, path), |e| e.id, |f, e| f.tunf = Some(e))?,
            FdTypes::Ext => wrap::<ExtFileEntry>((cp, path), |e| e.id, |f, e| f.ext = Some(e))?,
            FdTypes::Timerfd => wrap::<TimerfdEntry>((cp, path), |e| e.id, |f, e| f.tfd = Some(e))?,
            _ => Vec::new(),
        };
        for mut f in entries {
            f.r#type = kind as i32;
            self.keep(f.id, &f.encode_to_vec(), false);
        }
        Ok(())
    }

    /// Keeps entry `id`, encoded: in place of one of the same id with
    /// `replace` (the last of `files.img` wins), else only if it is new.
    fn keep(&mut self, id: u32, encoded: &[u8], replace: bool) {
        if !replace && self.by_id.contains_key(&id) {
            return;
        }
        let at = self.encoded.len();
        self.encoded.extend_from_slice(encoded);
        self.by_id.insert(id, (at, encoded.len()));
    }

    /// The file object `id`; an error naming `files.img` if there is none.
    pub fn get(&self, id: u32) -> Result<FileEntry> {
        let &(at, len) = self
            .by_id
            .get(&id)
            .ok_or_else(|| Error::bad_image(self.files_img.clone(), format!("no file entry with id {id}")))?;
        // Decoded once already, when loaded.
        FileEntry::decode(&self.encoded[at..at + len])
            .map_err(|e| Error::bad_image_from(self.files_img.clone(), format!("file {id}: {e}"), e))
    }

    /// The targets of epoll `id`: those in its entry, then those older
    /// CRIUs kept in `eventpoll-tfd.img`.
    pub(crate) fn epoll_targets(&self, id: u32) -> Result<Vec<EventpollTfdEntry>> {
        let own = self.get(id)?.epfd.map(|e| e.tfd).unwrap_or_default();
        Ok(own
            .into_iter()
            .chain(self.legacy_tfds.get(&id).into_iter().flatten().cloned())
            .collect())
    }

    /// The watches of inotify `id`: those in its entry, then those older
    /// CRIUs kept in `inotify-wd.img`.
    pub(crate) fn inotify_watches(&self, id: u32) -> Result<Vec<InotifyWdEntry>> {
        let own = self.get(id)?.ify.map(|i| i.wd).unwrap_or_default();
        Ok(own
            .into_iter()
            .chain(self.legacy_wds.get(&id).into_iter().flatten().cloned())
            .collect())
    }

    /// The path of a file that has one (a regular file, or what a fifo, tty or
    /// memfd stands for), with ` (deleted)` for a ghost or unlinked file.
    pub fn path(&self, id: u32) -> Result<String> {
        match self.get(id)?.reg {
            Some(_) => self.reg_path(id),
            None => Ok(self.describe(id)?.object),
        }
    }

    /// The path of regular file `id`, which fifos and ttys point to. Only a
    /// regular file will do: anything else would let a corrupt image loop.
    fn reg_path(&self, id: u32) -> Result<String> {
        let reg = self
            .get(id)?
            .reg
            .ok_or_else(|| Error::bad_image(self.files_img.clone(), format!("file {id} is not a regular file")))?;
        Ok(match self.deleted.get(&id) {
            Some(_) => format!("{} (deleted)", reg.name),
            None => reg.name.clone(),
        })
    }

    /// Names file object `id`.
    pub fn describe(&self, id: u32) -> Result<FileDesc> {
        let f = self.get(id)?;
        let kind = FdTypes::try_from(f.r#type)
            .map(|t| t.as_str_name().to_string())
            .unwrap_or_else(|_| f.r#type.to_string());
        let missing = || {
            Error::bad_image(
                self.files_img.clone(),
                format!("file {id} of type {kind} has no {kind} entry"),
            )
        };
        let mut path = None;
        let object = match FdTypes::try_from(f.r#type).unwrap_or(FdTypes::Und) {
            FdTypes::Reg => {
                let p = self.reg_path(id)?;
                path = Some(p.clone());
                p
            }
            FdTypes::Fifo => {
                let fifo = f.fifo.as_ref().ok_or_else(missing)?;
                match fifo.regf_id {
                    Some(reg) => {
                        let p = self.reg_path(reg)?;
                        path = Some(p.clone());
                        format!("fifo {p}")
                    }
                    None => format!("fifo[{}]", fifo.pipe_id),
                }
            }
            FdTypes::Memfd => {
                let m = f.memfd.as_ref().ok_or_else(missing)?;
                match self.memfd_names.get(&u64::from(m.inode_id)) {
                    // CRIU strips the kernel's "memfd:" prefix; a name that is
                    // a path is a shmem file, e.g. anonymous shared memory.
                    Some(name) if name.starts_with('/') => format!("{name} (shmem)"),
                    Some(name) => format!("memfd:{name}"),
                    None => format!("memfd[{}]", m.inode_id),
                }
            }
            FdTypes::Eventpoll => {
                let e = f.epfd.as_ref().ok_or_else(missing)?;
                let n = e.tfd.len() + self.legacy_tfds.get(&id).map_or(0, Vec::len);
                format!("eventpoll ({})", names::plural(n, "target", "targets"))
            }
            FdTypes::Inotify => {
                let i = f.ify.as_ref().ok_or_else(missing)?;
                let n = i.wd.len() + self.legacy_wds.get(&id).map_or(0, Vec::len);
                format!("inotify ({})", names::plural(n, "watch", "watches"))
            }
            FdTypes::Tty => {
                let t = f.tty.as_ref().ok_or_else(missing)?;
                let p = match t.regf_id {
                    Some(reg) => Some(self.reg_path(reg)?),
                    None => None,
                };
                path = p.clone();
                let what = self.tty_info.get(&t.tty_info_id).map_or("tty", tty_kind);
                match p {
                    Some(p) => format!("{what} {p}"),
                    None => what.to_string(),
                }
            }
            FdTypes::Und => format!("{kind}.{id}"),
            other => standalone_object(other, &f).ok_or_else(missing)?,
        };
        Ok(FileDesc { kind, object, path })
    }
}

/// The object of a file of type `t` that names no other file: read from its
/// own entry of `f` alone; `None` when `f` lacks that entry.
fn standalone_object(t: FdTypes, f: &FileEntry) -> Option<String> {
    Some(match t {
        FdTypes::Pipe => format!("pipe[{}]", f.pipe.as_ref()?.pipe_id),
        FdTypes::Unixsk => unix_object(f.usk.as_ref()?),
        FdTypes::Inetsk => inet_object(f.isk.as_ref()?),
        FdTypes::Netlinksk => format!("netlink ({})", names::netlink_proto(f.nlsk.as_ref()?.protocol)),
        FdTypes::Packetsk => {
            let p = f.psk.as_ref()?;
            format!(
                "packet ({}, {})",
                names::sock_type(p.r#type),
                names::packet_proto(p.protocol)
            )
        }
        FdTypes::Eventfd => format!("eventfd (count {})", f.efd.as_ref()?.counter),
        FdTypes::Signalfd => format!("signalfd ({})", names::sigmask(f.sgfd.as_ref()?.sigmask).join(", ")),
        FdTypes::Timerfd => {
            let t = f.tfd.as_ref()?;
            let mut s = format!("timerfd ({}", names::clock(t.clockid));
            if t.isec != 0 || t.insec != 0 {
                s += &format!(", every {}", seconds(t.isec, t.insec));
            }
            s + ")"
        }
        FdTypes::Fanotify => {
            let n = f.ffy.as_ref()?.mark.len();
            format!("fanotify ({})", names::plural(n, "mark", "marks"))
        }
        FdTypes::Ns => format!("ns ({})", names::ns_kind(f.nsf.as_ref()?.ns_cflag)),
        FdTypes::Tunf => match f.tunf.as_ref()?.netdev.as_deref() {
            Some(dev) => format!("tun {dev}"),
            None => "tun".to_string(),
        },
        FdTypes::Ext => "external file".to_string(),
        FdTypes::Bpfmap => format!("bpf-map {}", f.bpf.as_ref()?.map_name),
        FdTypes::Pidfd => format!("pidfd (pid {})", f.pidfd.as_ref()?.nspid),
        FdTypes::CtlTty => "controlling tty".to_string(),
        FdTypes::AutofsPipe => "autofs pipe".to_string(),
        // The types that name other files are described by `describe`.
        FdTypes::Reg
        | FdTypes::Fifo
        | FdTypes::Memfd
        | FdTypes::Eventpoll
        | FdTypes::Inotify
        | FdTypes::Tty
        | FdTypes::Und => return None,
    })
}

/// `pty master` / `pty slave` / `console` …, from a tty-info entry.
fn tty_kind(info: &TtyInfoEntry) -> &'static str {
    match TtyType::try_from(info.r#type).unwrap_or(TtyType::Unknown) {
        // rdev in the old 8:8 encoding: 5:2 is /dev/ptmx; 136-143 are the slaves.
        TtyType::Pty if info.rdev >> 8 == 5 => "pty master",
        TtyType::Pty => "pty slave",
        TtyType::Console => "console",
        TtyType::Vt => "vt",
        TtyType::Ctty => "controlling tty",
        TtyType::ExtTty => "external tty",
        TtyType::Serial => "serial tty",
        TtyType::Unknown => "tty",
    }
}

/// `3600s`, `1.5s`.
fn seconds(sec: u64, nsec: u64) -> String {
    if nsec == 0 {
        format!("{sec}s")
    } else {
        let frac = format!("{nsec:09}");
        format!("{sec}.{}s", frac.trim_end_matches('0'))
    }
}

/// A unix socket's name as text: without the trailing NUL the kernel may
/// count in it, and `@name` for an abstract one (leading NUL).
pub(crate) fn unix_name(raw: &[u8]) -> String {
    let trimmed = match raw.iter().rposition(|&b| b != 0) {
        Some(last) => &raw[..=last],
        None => &[][..],
    };
    match trimmed.split_first() {
        Some((0, rest)) => format!("@{}", String::from_utf8_lossy(rest)),
        _ => String::from_utf8_lossy(trimmed).into_owned(),
    }
}

/// `unix[INO (PEER) NAME]`, like the Python CRIT (which leaves the NUL in).
fn unix_object(u: &UnixSkEntry) -> String {
    let name = unix_name(&u.name);
    if name.is_empty() {
        format!("unix[{} ({})]", u.ino, u.peer)
    } else {
        format!("unix[{} ({}) {name}]", u.ino, u.peer)
    }
}

/// An inet address from CRIU's u32 words, which hold the bytes in network
/// order as the (little-endian) dumping host had them in memory.
pub(crate) fn inet_addr(family: u32, words: &[u32]) -> IpAddr {
    let mut bytes = [0u8; 16];
    for (i, w) in words.iter().take(4).enumerate() {
        bytes[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    if family == 10 {
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
    }
}

/// `127.0.0.1:47101`, `[::1]:47103`.
pub(crate) fn endpoint(addr: IpAddr, port: u32) -> String {
    match addr {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// `tcp 127.0.0.1:47101 -> 127.0.0.1:41200 ESTABLISHED`, `udp 127.0.0.1:47102`.
fn inet_object(s: &InetSkEntry) -> String {
    let mut proto = names::ip_proto(s.proto);
    if s.family == 10 {
        proto.push('6');
    }
    let src = endpoint(inet_addr(s.family, &s.src_addr), s.src_port);
    let mut out = format!("{proto} {src}");
    if s.dst_port != 0 {
        out += &format!(" -> {}", endpoint(inet_addr(s.family, &s.dst_addr), s.dst_port));
    }
    // A datagram socket's state says nothing (always CLOSE or ESTABLISHED).
    if s.r#type == 1 {
        out += &format!(" {}", names::sk_state(s.state));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_loopback_is_compressed() {
        // ::1 as CRIU stores it: the last word holds bytes 00 00 00 01.
        let a = inet_addr(10, &[0, 0, 0, u32::from_le_bytes([0, 0, 0, 1])]);
        assert_eq!(a.to_string(), "::1");
        assert_eq!(endpoint(a, 47103), "[::1]:47103");
    }

    #[test]
    fn unix_names_lose_trailing_nuls() {
        assert_eq!(unix_name(b"/tmp/crit-net.sock\0"), "/tmp/crit-net.sock");
        assert_eq!(unix_name(b"\0abstract"), "@abstract");
        assert_eq!(unix_name(b""), "");
    }

    #[test]
    fn timer_intervals() {
        assert_eq!(seconds(60, 0), "60s");
        assert_eq!(seconds(1, 500_000_000), "1.5s");
    }
}
