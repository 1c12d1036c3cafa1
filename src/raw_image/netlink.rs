//! The netlink dumps `ifaddr-N.img`, `route-N.img`, `route6-N.img` and
//! `rule-N.img`: CRIU runs iproute2's `ip addr save` (`ip route save`,
//! `ip rule save`) and keeps its output: a 4-byte magic, then the kernel's
//! `RTM_NEWADDR` / `RTM_NEWROUTE` / `RTM_NEWRULE` messages back to back, each a
//! `nlmsghdr` and its payload padded to 4 bytes. The payloads are parsed by
//! the `netlink-packet-route` crate; this module names what it finds the way
//! the kernel's headers and iproute2 do.

use std::io::{self, Read, Write};
use std::net::IpAddr;

use netlink_packet_core::{Nla, Parseable};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage, RouteMetric, RouteNextHop};
use netlink_packet_route::rule::{RuleAttribute, RuleMessage};
use serde::Serialize;

use super::{output_error, Doc, RawKind};
use crate::error::{Error, Result};
use crate::hex;
use crate::message_json::writer::JsonWriter;

mod summary;

pub use summary::{address_summary, route_summary, rule_summary, AddressSummary, RouteSummary, RuleSummary};

const NLMSG_HDRLEN: u32 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const RTM_NEWRULE: u16 = 32;

/// One netlink message of a dump.
#[derive(Debug, Clone)]
pub(crate) struct NlMessage {
    /// `nlmsg_len`: header and payload, without padding.
    pub len: u32,
    /// `nlmsg_type` (`RTM_NEWADDR` is 20, `RTM_NEWROUTE` 24, `RTM_NEWRULE` 32).
    pub kind: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub pid: u32,
    /// The payload, as the crate parsed it.
    pub body: Body,
}

/// A message's payload.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// `RTM_NEWADDR`: an `ifaddrmsg` and its attributes.
    Address(AddressMessage),
    /// `RTM_NEWROUTE`: an `rtmsg` and its attributes.
    Route(RouteMessage),
    /// `RTM_NEWRULE`: a `fib_rule_hdr` and its attributes.
    Rule(RuleMessage),
    /// Any other type: the payload's bytes.
    Other(Vec<u8>),
}

/// Calls `f` with each message of the netlink image read by `input`, after
/// checking its magic. Memory holds one message at a time.
pub fn for_each<R: Read>(
    kind: RawKind,
    input: R,
    file: &str,
    mut f: impl FnMut(NlMessage) -> Result<()>,
) -> Result<()> {
    let mut r = Reader {
        inner: io::BufReader::new(input),
        file,
        offset: 0,
    };
    let want = kind.magic().expect("a netlink kind");
    let mut magic = [0u8; 4];
    match r.read_full(&mut magic)? {
        0 => return Err(Error::bad_image(file, "empty file: no image magic")),
        4 => {}
        n => {
            return Err(Error::bad_image(
                file,
                format!("file ends inside the magic ({n} of 4 bytes)"),
            ))
        }
    }
    let got = u32::from_le_bytes(magic);
    if got != want {
        return Err(Error::bad_image(
            file,
            format!(
                "magic {got:#010x} is not {}'s ({want:#010x}): not an `ip {} save` dump",
                kind.name(),
                match kind {
                    RawKind::Ifaddr => "addr",
                    RawKind::Rule => "rule",
                    _ => "route",
                }
            ),
        ));
    }
    let mut index = 0usize;
    let mut payload = Vec::new();
    loop {
        let start = r.offset;
        let mut hdr = [0u8; NLMSG_HDRLEN as usize];
        match r.read_full(&mut hdr)? {
            0 => return Ok(()),
            16 => {}
            n => {
                return Err(r.error(
                    index,
                    start,
                    &format!("file ends inside a message header ({n} of 16 bytes)"),
                ));
            }
        }
        let word = |i: usize| u32::from_le_bytes(hdr[i..i + 4].try_into().expect("4 bytes"));
        let len = word(0);
        let kind_raw = u16::from_le_bytes([hdr[4], hdr[5]]);
        let flags = u16::from_le_bytes([hdr[6], hdr[7]]);
        if len < NLMSG_HDRLEN {
            return Err(r.error(
                index,
                start,
                &format!("nlmsg_len {len} is shorter than its 16-byte header"),
            ));
        }
        let body_len = u64::from(len - NLMSG_HDRLEN);
        payload.clear();
        // `take` never allocates more than what is really there.
        let got = (&mut r.inner)
            .take(body_len)
            .read_to_end(&mut payload)
            .map_err(|e| Error::io(file, e))?;
        r.offset += got as u64;
        if (got as u64) < body_len {
            return Err(r.error(
                index,
                start,
                &format!(
                    "nlmsg_len {len} runs past the end of the file ({} bytes left)",
                    got + 16
                ),
            ));
        }
        // Messages are padded to 4 bytes; the last one's padding may be absent.
        let pad = (4 - (len % 4)) % 4;
        let mut skip = [0u8; 3];
        r.read_full(&mut skip[..pad as usize])?;
        let body = parse_body(kind_raw, &payload)
            .map_err(|e| r.error(index, start, &format!("malformed {} payload: {e}", type_name(kind_raw))))?;
        f(NlMessage {
            len,
            kind: kind_raw,
            flags,
            seq: word(8),
            pid: word(12),
            body,
        })?;
        index += 1;
    }
}

/// Reads every message of a netlink image.
pub fn read_all<R: Read>(kind: RawKind, input: R, file: &str) -> Result<Vec<NlMessage>> {
    let mut v = Vec::new();
    for_each(kind, input, file, |m| {
        v.push(m);
        Ok(())
    })?;
    Ok(v)
}

fn parse_body(kind: u16, payload: &[u8]) -> std::result::Result<Body, String> {
    let e = |e: netlink_packet_core::DecodeError| {
        // The crate's messages nest causes; one line is enough.
        e.to_string().replace('\n', " ")
    };
    Ok(match kind {
        RTM_NEWADDR => Body::Address(AddressMessage::parse(payload).map_err(e)?),
        RTM_NEWROUTE => Body::Route(RouteMessage::parse(payload).map_err(e)?),
        RTM_NEWRULE => Body::Rule(RuleMessage::parse(payload).map_err(e)?),
        _ => Body::Other(payload.to_vec()),
    })
}

struct Reader<'a, R> {
    inner: io::BufReader<R>,
    file: &'a str,
    offset: u64,
}

impl<R: Read> Reader<'_, R> {
    fn read_full(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = crate::image::read_full(&mut self.inner, buf).map_err(|e| Error::io(self.file, e))?;
        self.offset += n as u64;
        Ok(n)
    }

    fn error(&self, index: usize, start: u64, what: &str) -> Error {
        Error::bad_image(self.file, format!("message {index} at byte {start}: {what}"))
    }
}

/// Writes `{"magic": NAME, "entries": [...]}`, one entry per message.
pub fn decode<R: Read, W: Write>(kind: RawKind, input: R, file: &str, w: &mut JsonWriter<W>) -> Result<usize> {
    w.begin_object().map_err(output_error)?;
    w.key("magic").map_err(output_error)?;
    w.string(kind.name()).map_err(output_error)?;
    w.key("entries").map_err(output_error)?;
    w.begin_array().map_err(output_error)?;
    let mut n = 0;
    for_each(kind, input, file, |m| {
        n += 1;
        message_doc(&m).write(w).map_err(output_error)
    })?;
    w.end_array().map_err(output_error)?;
    w.end_object().map_err(output_error)?;
    Ok(n)
}

/// The JSON form of one message (see `docs/raw-images.md`).
pub(crate) fn message_doc(m: &NlMessage) -> Doc {
    let mut d = Doc::map();
    d.put("type", type_name(m.kind).into());
    d.put("flags", m.flags.into());
    d.put("seq", m.seq.into());
    d.put("pid", m.pid.into());
    match &m.body {
        Body::Address(a) => {
            let h = &a.header;
            let mut hd = Doc::map();
            hd.put("family", family_name(h.family.into()));
            hd.put("prefixlen", h.prefix_len.into());
            hd.put("flags", h.flags.bits().into());
            hd.put("scope", scope_name(h.scope.into()));
            hd.put("index", h.index.into());
            d.put("header", hd);
            let mut attrs = Doc::map();
            for attr in &a.attributes {
                attrs.put(attr_name("IFA_", IFA_NAMES, attr.kind()), address_attr(attr));
            }
            d.put("attributes", attrs);
        }
        Body::Route(r) => {
            let h = &r.header;
            let mut hd = Doc::map();
            hd.put("family", family_name(h.address_family.into()));
            hd.put("dst_len", h.destination_prefix_length.into());
            hd.put("src_len", h.source_prefix_length.into());
            hd.put("tos", h.tos.into());
            hd.put("table", h.table.into());
            hd.put("protocol", protocol_name(h.protocol.into()));
            hd.put("scope", scope_name(h.scope.into()));
            hd.put("type", route_type_name(h.kind.into()));
            hd.put("flags", h.flags.bits().into());
            d.put("header", hd);
            d.put("attributes", route_attrs(&r.attributes));
        }
        Body::Rule(r) => {
            let h = &r.header;
            let mut hd = Doc::map();
            hd.put("family", family_name(h.family.into()));
            hd.put("dst_len", h.dst_len.into());
            hd.put("src_len", h.src_len.into());
            hd.put("tos", h.tos.into());
            hd.put("table", h.table.into());
            hd.put("action", rule_action_name(h.action.into()));
            hd.put("flags", h.flags.bits().into());
            d.put("header", hd);
            let mut attrs = Doc::map();
            for attr in &r.attributes {
                attrs.put(attr_name("FRA_", FRA_NAMES, attr.kind()), rule_attr(attr));
            }
            d.put("attributes", attrs);
        }
        Body::Other(bytes) => d.put("payload", hex::encode(bytes).into()),
    }
    d
}

/// `RTM_NEWADDR`, …, or `RTM_<n>` for a type this tool does not name.
pub fn type_name(kind: u16) -> String {
    match kind {
        RTM_NEWADDR => "RTM_NEWADDR".into(),
        RTM_NEWROUTE => "RTM_NEWROUTE".into(),
        RTM_NEWRULE => "RTM_NEWRULE".into(),
        1 => "NLMSG_NOOP".into(),
        2 => "NLMSG_ERROR".into(),
        3 => "NLMSG_DONE".into(),
        n => format!("RTM_{n}"),
    }
}

// Attribute names from the kernel's uapi headers (if_addr.h, rtnetlink.h,
// fib_rules.h), index = attribute type.
const IFA_NAMES: &[&str] = &[
    "UNSPEC",
    "ADDRESS",
    "LOCAL",
    "LABEL",
    "BROADCAST",
    "ANYCAST",
    "CACHEINFO",
    "MULTICAST",
    "FLAGS",
    "RT_PRIORITY",
    "TARGET_NETNSID",
    "PROTO",
];
const RTA_NAMES: &[&str] = &[
    "UNSPEC",
    "DST",
    "SRC",
    "IIF",
    "OIF",
    "GATEWAY",
    "PRIORITY",
    "PREFSRC",
    "METRICS",
    "MULTIPATH",
    "PROTOINFO",
    "FLOW",
    "CACHEINFO",
    "SESSION",
    "MP_ALGO",
    "TABLE",
    "MARK",
    "MFC_STATS",
    "VIA",
    "NEWDST",
    "PREF",
    "ENCAP_TYPE",
    "ENCAP",
    "EXPIRES",
    "PAD",
    "UID",
    "TTL_PROPAGATE",
    "IP_PROTO",
    "SPORT",
    "DPORT",
    "NH_ID",
    "FLOWLABEL",
];
const RTAX_NAMES: &[&str] = &[
    "UNSPEC",
    "LOCK",
    "MTU",
    "WINDOW",
    "RTT",
    "RTTVAR",
    "SSTHRESH",
    "CWND",
    "ADVMSS",
    "REORDERING",
    "HOPLIMIT",
    "INITCWND",
    "FEATURES",
    "RTO_MIN",
    "INITRWND",
    "QUICKACK",
    "CC_ALGO",
    "FASTOPEN_NO_COOKIE",
];
const FRA_NAMES: &[&str] = &[
    "UNSPEC",
    "DST",
    "SRC",
    "IIFNAME",
    "GOTO",
    "UNUSED2",
    "PRIORITY",
    "UNUSED3",
    "UNUSED4",
    "UNUSED5",
    "FWMARK",
    "FLOW",
    "TUN_ID",
    "SUPPRESS_IFGROUP",
    "SUPPRESS_PREFIXLEN",
    "TABLE",
    "FWMASK",
    "OIFNAME",
    "PAD",
    "L3MDEV",
    "UID_RANGE",
    "PROTOCOL",
    "IP_PROTO",
    "SPORT_RANGE",
    "DPORT_RANGE",
    "DSCP",
    "FLOWLABEL",
    "FLOWLABEL_MASK",
];

fn attr_name(prefix: &str, names: &[&str], kind: u16) -> String {
    // The top bits are NLA_F_NESTED / NLA_F_NET_BYTEORDER, not the type.
    let kind = kind & 0x3fff;
    match names.get(usize::from(kind)) {
        Some(n) => format!("{prefix}{n}"),
        None => format!("{prefix}{kind}"),
    }
}

/// An attribute's value bytes in hex, for the ones without a richer form.
fn raw_value<T: Nla>(attr: &T) -> Doc {
    let mut buf = vec![0u8; attr.value_len()];
    attr.emit_value(&mut buf);
    hex::encode(&buf).into()
}

fn address_attr(a: &AddressAttribute) -> Doc {
    match a {
        AddressAttribute::Address(ip) | AddressAttribute::Local(ip) => ip.to_string().into(),
        AddressAttribute::Label(s) => s.as_str().into(),
        AddressAttribute::Broadcast(ip) => ip.to_string().into(),
        AddressAttribute::Anycast(ip) | AddressAttribute::Multicast(ip) => ip.to_string().into(),
        AddressAttribute::CacheInfo(c) => {
            let mut d = Doc::map();
            d.put("preferred", c.ifa_preferred.into());
            d.put("valid", c.ifa_valid.into());
            d.put("cstamp", c.cstamp.into());
            d.put("tstamp", c.tstamp.into());
            d
        }
        AddressAttribute::Flags(f) => Doc::List(ifa_flag_names(f.bits()).into_iter().map(Doc::from).collect()),
        AddressAttribute::RoutePriority(n) => (*n).into(),
        AddressAttribute::TargetNetNsId(n) => (*n).into(),
        AddressAttribute::Protocol(p) => u8::from(*p).into(),
        other => raw_value(other),
    }
}

/// The names of `IFA_F_*` flags, lowercase as iproute2 prints most of them;
/// unknown bits as one hex number.
pub(crate) fn ifa_flag_names(bits: u32) -> Vec<String> {
    const NAMES: [&str; 12] = [
        "secondary",
        "nodad",
        "optimistic",
        "dadfailed",
        "homeaddress",
        "deprecated",
        "tentative",
        "permanent",
        "managetempaddr",
        "noprefixroute",
        "mcautojoin",
        "stable_privacy",
    ];
    let mut out: Vec<String> = NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect();
    let rest = bits & !((1 << NAMES.len()) - 1);
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

fn route_addr(a: &RouteAddress) -> Doc {
    match a {
        RouteAddress::Inet(ip) => ip.to_string().into(),
        RouteAddress::Inet6(ip) => ip.to_string().into(),
        RouteAddress::Mpls(l) => l.label.into(),
        RouteAddress::Other(b) => hex::encode(b).into(),
        _ => "?".into(),
    }
}

fn route_attrs(attrs: &[RouteAttribute]) -> Doc {
    let mut d = Doc::map();
    for attr in attrs {
        d.put(attr_name("RTA_", RTA_NAMES, attr.kind()), route_attr(attr));
    }
    d
}

fn route_attr(a: &RouteAttribute) -> Doc {
    match a {
        RouteAttribute::Destination(x)
        | RouteAttribute::Source(x)
        | RouteAttribute::Gateway(x)
        | RouteAttribute::PrefSource(x)
        | RouteAttribute::NewDestinationAddress(x) => route_addr(x),
        RouteAttribute::Iif(n)
        | RouteAttribute::Oif(n)
        | RouteAttribute::Priority(n)
        | RouteAttribute::Table(n)
        | RouteAttribute::Mark(n)
        | RouteAttribute::Expires(n)
        | RouteAttribute::Uid(n)
        | RouteAttribute::Flowlabel(n)
        | RouteAttribute::NhId(n) => (*n).into(),
        RouteAttribute::MulticastExpires(n) => (*n).into(),
        RouteAttribute::IpProto(n) => (*n).into(),
        RouteAttribute::Sport(n) | RouteAttribute::Dport(n) => (*n).into(),
        RouteAttribute::Preference(p) => u8::from(*p).into(),
        RouteAttribute::Realm(r) => {
            let mut d = Doc::map();
            d.put("source", r.source.into());
            d.put("destination", r.destination.into());
            d
        }
        RouteAttribute::CacheInfo(c) => {
            let mut d = Doc::map();
            for (k, v) in [
                ("clntref", c.clntref),
                ("lastuse", c.last_use),
                ("expires", c.expires),
                ("error", c.error),
                ("used", c.used),
                ("id", c.id),
                ("ts", c.ts),
                ("tsage", c.ts_age),
            ] {
                d.put(k, v.into());
            }
            d
        }
        RouteAttribute::Metrics(ms) => {
            let mut d = Doc::map();
            for m in ms {
                let value = match m {
                    RouteMetric::CcAlgo(s) => s.as_str().into(),
                    RouteMetric::Other(_) => raw_value(m),
                    _ => {
                        let mut b = [0u8; 4];
                        if m.value_len() == 4 {
                            m.emit_value(&mut b);
                            u32::from_ne_bytes(b).into()
                        } else {
                            raw_value(m)
                        }
                    }
                };
                d.put(attr_name("RTAX_", RTAX_NAMES, m.kind()), value);
            }
            d
        }
        RouteAttribute::MultiPath(hops) => Doc::List(hops.iter().map(next_hop).collect()),
        other => raw_value(other),
    }
}

fn next_hop(h: &RouteNextHop) -> Doc {
    let mut d = Doc::map();
    d.put("flags", h.flags.bits().into());
    d.put("hops", h.hops.into());
    d.put("ifindex", h.interface_index.into());
    d.put("attributes", route_attrs(&h.attributes));
    d
}

fn rule_attr(a: &RuleAttribute) -> Doc {
    match a {
        RuleAttribute::Destination(ip) | RuleAttribute::Source(ip) => ip.to_string().into(),
        RuleAttribute::Iifname(s) | RuleAttribute::Oifname(s) => s.as_str().into(),
        RuleAttribute::Goto(n)
        | RuleAttribute::Priority(n)
        | RuleAttribute::FwMark(n)
        | RuleAttribute::FwMask(n)
        | RuleAttribute::SuppressIfGroup(n)
        | RuleAttribute::SuppressPrefixLen(n)
        | RuleAttribute::Table(n) => (*n).into(),
        RuleAttribute::TunId(n) => (*n).into(),
        RuleAttribute::L3MDev(b) => (*b).into(),
        RuleAttribute::Protocol(p) => protocol_name((*p).into()),
        RuleAttribute::IpProtocol(p) => u8::from(*p).into(),
        RuleAttribute::UidRange(r) => range(r.start, r.end),
        RuleAttribute::SourcePortRange(r) | RuleAttribute::DestinationPortRange(r) => {
            range(r.start.into(), r.end.into())
        }
        RuleAttribute::Realm(r) => {
            let mut d = Doc::map();
            d.put("source", r.source.into());
            d.put("destination", r.destination.into());
            d
        }
        other => raw_value(other),
    }
}

fn range(start: u32, end: u32) -> Doc {
    let mut d = Doc::map();
    d.put("start", start.into());
    d.put("end", end.into());
    d
}

fn named(n: u8, names: &[(u8, &str)]) -> Doc {
    match names.iter().find(|(v, _)| *v == n) {
        Some((_, s)) => (*s).into(),
        None => n.into(),
    }
}

/// `inet`, `inet6`, … (`AF_*`), or the number.
pub(crate) fn family_name(n: u8) -> Doc {
    named(
        n,
        &[
            (0, "unspec"),
            (1, "unix"),
            (2, "inet"),
            (7, "bridge"),
            (10, "inet6"),
            (28, "mpls"),
        ],
    )
}

/// iproute2's scope names (`rt_scopes`), or the number.
pub(crate) fn scope_name(n: u8) -> Doc {
    named(
        n,
        &[
            (0, "global"),
            (200, "site"),
            (253, "link"),
            (254, "host"),
            (255, "nowhere"),
        ],
    )
}

/// iproute2's route protocol names (`rt_protos`), or the number.
pub(crate) fn protocol_name(n: u8) -> Doc {
    named(
        n,
        &[
            (0, "unspec"),
            (1, "redirect"),
            (2, "kernel"),
            (3, "boot"),
            (4, "static"),
            (8, "gated"),
            (9, "ra"),
            (10, "mrt"),
            (11, "zebra"),
            (12, "bird"),
            (13, "dnrouted"),
            (14, "xorp"),
            (15, "ntk"),
            (16, "dhcp"),
            (17, "mrouted"),
            (18, "keepalived"),
            (42, "babel"),
            (99, "openr"),
            (186, "bgp"),
            (187, "isis"),
            (188, "ospf"),
            (189, "rip"),
            (192, "eigrp"),
        ],
    )
}

/// iproute2's route type names (`RTN_*`), or the number.
pub(crate) fn route_type_name(n: u8) -> Doc {
    named(
        n,
        &[
            (0, "unspec"),
            (1, "unicast"),
            (2, "local"),
            (3, "broadcast"),
            (4, "anycast"),
            (5, "multicast"),
            (6, "blackhole"),
            (7, "unreachable"),
            (8, "prohibit"),
            (9, "throw"),
            (10, "nat"),
            (11, "xresolve"),
        ],
    )
}

/// `FR_ACT_*` names, lowercase (`to_tbl` is iproute2's `lookup`), or the number.
pub(crate) fn rule_action_name(n: u8) -> Doc {
    named(
        n,
        &[
            (0, "unspec"),
            (1, "to_tbl"),
            (2, "goto"),
            (3, "nop"),
            (6, "blackhole"),
            (7, "unreachable"),
            (8, "prohibit"),
        ],
    )
}

/// iproute2's names of the reserved routing tables, or the number.
pub(crate) fn table_name(n: u32) -> String {
    match n {
        0 => "unspec".into(),
        253 => "default".into(),
        254 => "main".into(),
        255 => "local".into(),
        n => n.to_string(),
    }
}
