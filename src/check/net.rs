//! Network: in the network namespace CRIU ran in (the host's), each
//! listening or bound TCP and UDP port and each bound unix socket path is
//! bound again on restore, so it must be free here. Established TCP
//! connections need `criu restore --tcp-established`. Sockets of a network
//! namespace of their own (a container) get a fresh one and need nothing.

use std::net::IpAddr;

use crate::checkpoint::files::{endpoint, inet_addr, unix_name};
use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::proto::{FdTypes, FileEntry, InetSkEntry, UnixSkEntry};

use super::{Area, Finding, Findings, Host, HostSocket, Kind, SockProto};

const TCP_ESTABLISHED: u32 = 1;
const TCP_CLOSE: u32 = 7;
const TCP_LISTEN: u32 = 10;
const IPPROTO_TCP: u32 = 6;
const IPPROTO_UDP: u32 = 17;
/// `USK_EXTERN`: a unix socket whose peer is outside the tree.
const USK_EXTERN: u32 = 1;

/// The socket objects of `files.img`.
fn sockets(cp: &Checkpoint) -> Result<(Vec<InetSkEntry>, Vec<UnixSkEntry>)> {
    if !cp.has("files.img") {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut inet = Vec::new();
    let mut unix = Vec::new();
    for f in cp.read_all::<FileEntry>("files.img")? {
        if f.r#type == FdTypes::Inetsk as i32 {
            inet.extend(f.isk);
        } else if f.r#type == FdTypes::Unixsk as i32 {
            unix.extend(f.usk);
        }
    }
    Ok((inet, unix))
}

/// The network namespace of CRIU (the host's) and of the root task.
fn host_netns(cp: &Checkpoint) -> Result<(Option<u32>, Option<u32>)> {
    let root = super::root_ids(cp)?.and_then(|i| i.net_ns_id);
    let task = cp
        .tasks
        .first()
        .and_then(|t| cp.ids(t.pid).ok())
        .and_then(|i| i.net_ns_id);
    Ok((root, task))
}

/// Whether a socket of namespace `ns` (else the root task's) is in CRIU's.
fn in_host_ns(ns: Option<u32>, (root, task): (Option<u32>, Option<u32>)) -> bool {
    match (ns.or(task), root) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The paths unix sockets of `cp` are bound to (not abstract, not deleted,
/// not external), in the host's namespace or not: the folder must exist.
pub fn unix_paths(cp: &Checkpoint) -> Result<Vec<String>> {
    let (_, unix) = sockets(cp)?;
    Ok(unix
        .iter()
        .filter(|u| u.deleted != Some(true) && u.uflags & USK_EXTERN == 0)
        .map(|u| unix_name(&u.name))
        .filter(|n| n.starts_with('/'))
        .collect())
}

/// Whether binding `want` conflicts with `have` bound here (same address, or
/// either a wildcard; an IPv6 wildcard also takes IPv4, as a dual-stack one does).
fn overlaps(want: IpAddr, have: IpAddr) -> bool {
    match (want, have) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a == b || a.is_unspecified() || b.is_unspecified(),
        (IpAddr::V6(a), IpAddr::V6(b)) => a == b || a.is_unspecified() || b.is_unspecified(),
        (IpAddr::V4(a), IpAddr::V6(b)) => b.is_unspecified() || b.to_ipv4_mapped() == Some(a),
        (IpAddr::V6(a), IpAddr::V4(_)) => a.is_unspecified(),
    }
}

/// Checks the ports and unix socket paths of `cp` against `host`.
pub fn check(cp: &Checkpoint, host: &dyn Host) -> Result<Findings> {
    let mut out = Findings::default();
    let ns = host_netns(cp)?;
    let (inet, unix) = sockets(cp)?;
    let mut own_ns = 0usize;
    let mut established = Vec::new();
    let mut bound = Vec::new();
    for s in &inet {
        if !in_host_ns(s.ns_id, ns) {
            own_ns += 1;
            continue;
        }
        let proto = match s.proto {
            IPPROTO_TCP => SockProto::Tcp,
            IPPROTO_UDP => SockProto::Udp,
            _ => continue,
        };
        if proto == SockProto::Tcp && s.state == TCP_ESTABLISHED {
            established.push(endpoint(inet_addr(s.family, &s.src_addr), s.src_port));
            continue;
        }
        let binds = match proto {
            SockProto::Tcp => s.state == TCP_LISTEN || s.state == TCP_CLOSE,
            SockProto::Udp => true,
        };
        if binds && s.src_port != 0 && s.src_port <= u32::from(u16::MAX) {
            bound.push((proto, inet_addr(s.family, &s.src_addr), s.src_port as u16));
        }
    }
    if !bound.is_empty() {
        let here = host.sockets().map_err(|e| crate::Error::io("/proc/net", e))?;
        for (proto, addr, port) in bound {
            if let Some(h) = here.iter().find(|h| clashes(h, proto, addr, port)) {
                let mut f = Finding::new(
                    Area::Network,
                    Kind::PortInUse,
                    format!(
                        "{} {} is in use here ({} {})",
                        proto.as_str(),
                        endpoint(addr, u32::from(port)),
                        if h.listening { "listening on" } else { "bound to" },
                        endpoint(h.addr, u32::from(h.port)),
                    ),
                )
                .fix(format!(
                    "stop what holds {} port {port} here (ss -lnp 'sport = :{port}')",
                    proto.as_str()
                ));
                f.port = Some(port);
                f.expected = Some(endpoint(addr, u32::from(port)));
                f.found = Some(endpoint(h.addr, u32::from(h.port)));
                out.problems.push(f);
            }
        }
    }
    check_unix(&unix, ns, host, &mut out)?;
    if !established.is_empty() {
        out.notes.push(
            Finding::new(
                Area::Network,
                Kind::TcpEstablished,
                format!(
                    "{} established TCP connection{} ({}): restore with criu restore --tcp-established",
                    established.len(),
                    if established.len() == 1 { "" } else { "s" },
                    established.join(", ")
                ),
            )
            .fix("criu restore --tcp-established"),
        );
    }
    if own_ns > 0 {
        out.notes.push(Finding::new(
            Area::Network,
            Kind::OwnNetNamespace,
            format!("{own_ns} inet socket(s) in a network namespace of their own: their ports need not be free here"),
        ));
    }
    Ok(out)
}

fn clashes(h: &HostSocket, proto: SockProto, addr: IpAddr, port: u16) -> bool {
    h.proto == proto && h.port == port && overlaps(addr, h.addr)
}

/// Bound unix socket paths of the host's namespace that a socket here holds.
fn check_unix(unix: &[UnixSkEntry], ns: (Option<u32>, Option<u32>), host: &dyn Host, out: &mut Findings) -> Result<()> {
    let paths: Vec<String> = unix
        .iter()
        .filter(|u| u.deleted != Some(true) && u.uflags & USK_EXTERN == 0 && in_host_ns(u.ns_id, ns))
        .map(|u| unix_name(&u.name))
        .filter(|n| n.starts_with('/'))
        .collect();
    if paths.is_empty() {
        return Ok(());
    }
    let here = host.unix_paths().map_err(|e| crate::Error::io("/proc/net/unix", e))?;
    for p in paths {
        if here.contains(&p) {
            out.problems.push(
                Finding::new(
                    Area::Network,
                    Kind::UnixPathInUse,
                    format!("unix socket {p} is bound by a socket here"),
                )
                .path(p.clone())
                .fix(format!("stop what listens on {p} here (ss -xlp src {p})")),
            );
        }
    }
    Ok(())
}
