//! `net`: each network namespace's interfaces (`netdev-N.img`), addresses
//! (`ifaddr-N.img`), routes (`route-N.img`, `route6-N.img`), rules
//! (`rule-N.img`) and firewall (`iptables-N.img`, `ip6tables-N.img`,
//! `nftables-N.img`), N being the namespace's id; and the sockets its tasks
//! listen on.

use serde::Serialize;

use crate::error::Result;
use crate::image::name;
use crate::proto::NetDeviceEntry;
use crate::raw_image::netlink::{self, AddressSummary, Body, RouteSummary, RuleSummary};
use crate::raw_image::{text, RawKind};

use super::ns::tasks_by_ns;
use super::sk;
use crate::checkpoint::Checkpoint;

/// The report of `crit x DIR net`.
#[derive(Debug, Clone, Serialize)]
pub struct NetReport {
    /// One entry per network namespace the tasks are in.
    pub namespaces: Vec<NetNamespace>,
}

/// One network namespace.
#[derive(Debug, Clone, Serialize)]
pub struct NetNamespace {
    /// CRIU's id of the namespace (`net_ns_id` of `ids-PID.img`).
    pub id: u32,
    /// The pids of the tasks in it.
    pub tasks: Vec<u32>,
    /// Whether CRIU dumped it (`netdev-N.img` is there). A namespace CRIU
    /// did not dump is the one it ran in (the host's): only `listening` is
    /// known.
    pub dumped: bool,
    /// Why the lists are empty, when the namespace was not dumped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The network devices, in image order.
    pub interfaces: Vec<Interface>,
    /// Addresses (`ifaddr-N.img`), with their interface's name.
    pub addresses: Vec<Address>,
    /// Routes of IPv4 then IPv6 (`route-N.img`, `route6-N.img`).
    pub routes: Vec<Route>,
    /// Policy routing rules (`rule-N.img`).
    pub rules: Vec<RuleSummary>,
    /// The firewall, as saved: each ruleset's text, `None` when its image is
    /// absent ("" when it was empty).
    pub firewall: Firewall,
    /// Sockets the namespace's tasks listen on (TCP `LISTEN`, bound UDP),
    /// from `x sk`.
    pub listening: Vec<Listener>,
}

/// One network device, from `netdev-N.img`.
#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    /// `ifindex`.
    pub ifindex: u32,
    /// `name`, e.g. `lo`, `eth0`.
    pub name: String,
    /// CRIU's device type, lowercase: `loopback`, `veth`, `tun`, `extlink`,
    /// `venet`, `bridge`, `macvlan`, `sit`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `mtu`.
    pub mtu: u32,
    /// `IFF_*` flags by name: `UP`, `LOOPBACK`, `RUNNING`, `LOWER_UP`, …
    pub flags: Vec<String>,
    /// The link-layer address as `aa:bb:…` (`address`), when saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// A veth's peer's ifindex (`peer_ifindex`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_ifindex: Option<u32>,
    /// The ifindex of the device it is enslaved to (`master`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<u32>,
}

/// An address with its interface's name.
#[derive(Debug, Clone, Serialize)]
pub struct Address {
    /// The interface's name (from `netdev-N.img`), or `if<N>` when unknown.
    pub dev: String,
    /// The address, from the `RTM_NEWADDR` message.
    #[serde(flatten)]
    pub addr: AddressSummary,
}

/// A route with its output interface's name.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    /// The output interface's name, when the route has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    /// The route, from the `RTM_NEWROUTE` message.
    #[serde(flatten)]
    pub route: RouteSummary,
}

/// The saved firewall rulesets.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Firewall {
    /// `iptables-N.img` (`iptables-save` text).
    pub iptables: Option<String>,
    /// `ip6tables-N.img` (`ip6tables-save` text).
    pub ip6tables: Option<String>,
    /// `nftables-N.img` (the nftables ruleset).
    pub nftables: Option<String>,
}

/// A socket a task listens on.
#[derive(Debug, Clone, Serialize)]
pub struct Listener {
    /// `tcp`, `tcp6`, `udp`, `udp6`.
    pub protocol: String,
    /// The local address and port, `127.0.0.1:80` or `[::]:8080`.
    pub local: String,
    /// The task that has it open.
    pub pid: u32,
    /// Its file descriptor in that task.
    pub fd: u32,
}

/// CRIU's `nd_type` names, lowercase.
fn nd_type(n: i32) -> String {
    match n {
        1 => "loopback".into(),
        2 => "veth".into(),
        3 => "tun".into(),
        4 => "extlink".into(),
        5 => "venet".into(),
        6 => "bridge".into(),
        7 => "macvlan".into(),
        8 => "sit".into(),
        n => format!("type {n}"),
    }
}

/// `IFF_*` interface flags by name (linux/if.h).
pub(crate) fn iff_names(flags: u32) -> Vec<String> {
    const NAMES: [&str; 19] = [
        "UP",
        "BROADCAST",
        "DEBUG",
        "LOOPBACK",
        "POINTOPOINT",
        "NOTRAILERS",
        "RUNNING",
        "NOARP",
        "PROMISC",
        "ALLMULTI",
        "MASTER",
        "SLAVE",
        "MULTICAST",
        "PORTSEL",
        "AUTOMEDIA",
        "DYNAMIC",
        "LOWER_UP",
        "DORMANT",
        "ECHO",
    ];
    let mut out: Vec<String> = NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| flags & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let rest = flags & !((1u32 << NAMES.len()) - 1);
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

/// Reads each network namespace.
pub fn explore(cp: &Checkpoint) -> Result<NetReport> {
    let listening = listeners(cp)?;
    let mut namespaces = Vec::new();
    for (id, tasks) in tasks_by_ns(cp, "net")? {
        let members: std::collections::HashSet<u32> = tasks.iter().copied().collect();
        let listening = listening.iter().filter(|l| members.contains(&l.pid)).cloned().collect();
        let netdev = name::netdev(id);
        let mut ns = NetNamespace {
            id,
            tasks,
            dumped: cp.has(&netdev),
            note: None,
            interfaces: Vec::new(),
            addresses: Vec::new(),
            routes: Vec::new(),
            rules: Vec::new(),
            firewall: Firewall::default(),
            listening,
        };
        if !ns.dumped {
            ns.note = Some(format!(
                "not dumped: no {netdev} (the tasks share CRIU's namespace, the host's)"
            ));
            namespaces.push(ns);
            continue;
        }
        let devices: Vec<NetDeviceEntry> = cp.read_all(&netdev)?;
        ns.interfaces = devices.iter().map(interface).collect();
        let dev_name = |ifindex: u32| {
            ns.interfaces
                .iter()
                .find(|i| i.ifindex == ifindex)
                .map_or_else(|| format!("if{ifindex}"), |i| i.name.clone())
        };
        for m in messages(cp, RawKind::Ifaddr, id)? {
            if let Body::Address(a) = &m.body {
                let addr = netlink::address_summary(a);
                ns.addresses.push(Address {
                    dev: dev_name(addr.ifindex),
                    addr,
                });
            }
        }
        for kind in [RawKind::Route, RawKind::Route6] {
            for m in messages(cp, kind, id)? {
                if let Body::Route(r) = &m.body {
                    let route = netlink::route_summary(r);
                    ns.routes.push(Route {
                        dev: route.oif.map(dev_name),
                        route,
                    });
                }
            }
        }
        for m in messages(cp, RawKind::Rule, id)? {
            if let Body::Rule(r) = &m.body {
                ns.rules.push(netlink::rule_summary(r));
            }
        }
        ns.firewall = Firewall {
            iptables: ruleset(cp, &name::iptables(id))?,
            ip6tables: ruleset(cp, &name::ip6tables(id))?,
            nftables: ruleset(cp, &name::nftables(id))?,
        };
        namespaces.push(ns);
    }
    Ok(NetReport { namespaces })
}

fn interface(d: &NetDeviceEntry) -> Interface {
    Interface {
        ifindex: d.ifindex,
        name: d.name.clone(),
        kind: nd_type(d.r#type),
        mtu: d.mtu,
        flags: iff_names(d.flags),
        mac: d
            .address
            .as_ref()
            .filter(|a| !a.is_empty())
            .map(|a| a.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")),
        peer_ifindex: d.peer_ifindex.filter(|&p| p != d.ifindex && d.r#type == 2),
        master: d.master,
    }
}

fn open(cp: &Checkpoint, name: &str) -> Result<Option<(crate::source::Reader, String)>> {
    if !cp.has(name) {
        return Ok(None);
    }
    let (r, _) = cp.source().open_image(name)?;
    Ok(Some((r, cp.source().image_label(name))))
}

fn messages(cp: &Checkpoint, kind: RawKind, id: u32) -> Result<Vec<netlink::NlMessage>> {
    let image = match kind {
        RawKind::Ifaddr => name::ifaddr(id),
        RawKind::Route => name::route(id),
        RawKind::Route6 => name::route6(id),
        _ => name::rule(id),
    };
    match open(cp, &image)? {
        Some((f, name)) => netlink::read_all(kind, f, &name),
        None => Ok(Vec::new()),
    }
}

fn ruleset(cp: &Checkpoint, image: &str) -> Result<Option<String>> {
    match open(cp, image)? {
        Some((f, name)) => text::read(f, &name).map(Some),
        None => Ok(None),
    }
}

fn listeners(cp: &Checkpoint) -> Result<Vec<Listener>> {
    let mut out = Vec::new();
    for task in sk::explore(cp)?.tasks {
        for s in task.sockets {
            let proto = s.protocol.as_deref().unwrap_or("");
            let listens = match (s.family.as_str(), proto) {
                ("inet" | "inet6", "tcp") => s.state.as_deref() == Some("LISTEN"),
                ("inet" | "inet6", "udp") => s.src_port.is_some_and(|p| p != 0) && s.dst_port.is_none(),
                _ => false,
            };
            if listens {
                let six = if s.family == "inet6" { "6" } else { "" };
                out.push(Listener {
                    protocol: format!("{proto}{six}"),
                    local: sk::local(&s),
                    pid: task.task.pid,
                    fd: s.fd,
                });
            }
        }
    }
    Ok(out)
}
