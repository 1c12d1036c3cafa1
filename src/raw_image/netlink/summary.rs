//! What a route, address or rule message says, in brief, for
//! `crit x DIR net`.

use super::*;

fn doc_text(d: Doc) -> String {
    match d {
        Doc::Str(s) => s,
        Doc::U(n) => n.to_string(),
        other => format!("{:?}", other.to_value()),
    }
}

/// An address of an interface, from `RTM_NEWADDR`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AddressSummary {
    /// The interface's index (`ifa_index`).
    pub ifindex: u32,
    /// `inet` or `inet6`.
    pub family: String,
    /// The address (`IFA_LOCAL`, else `IFA_ADDRESS`).
    pub address: String,
    /// The prefix length.
    pub prefixlen: u8,
    /// The peer address of a point-to-point link (`IFA_ADDRESS` when it differs from `IFA_LOCAL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// The broadcast address (`IFA_BROADCAST`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcast: Option<String>,
    /// `host`, `link`, `global`, … (`ifa_scope`).
    pub scope: String,
    /// The label (`IFA_LABEL`), IPv4 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `IFA_F_*` flags by name (`IFA_FLAGS`, else the header's).
    pub flags: Vec<String>,
}

/// What an `RTM_NEWADDR` message says, for `crit x DIR net`.
pub fn address_summary(a: &AddressMessage) -> AddressSummary {
    let mut local = None;
    let mut address = None;
    let mut out = AddressSummary {
        ifindex: a.header.index,
        family: doc_text(family_name(a.header.family.into())),
        address: String::new(),
        prefixlen: a.header.prefix_len,
        peer: None,
        broadcast: None,
        scope: doc_text(scope_name(a.header.scope.into())),
        label: None,
        flags: ifa_flag_names(a.header.flags.bits().into()),
    };
    for attr in &a.attributes {
        match attr {
            AddressAttribute::Local(ip) => local = Some(*ip),
            AddressAttribute::Address(ip) => address = Some(*ip),
            AddressAttribute::Label(s) => out.label = Some(s.clone()),
            AddressAttribute::Broadcast(ip) => out.broadcast = Some(ip.to_string()),
            AddressAttribute::Flags(f) => out.flags = ifa_flag_names(f.bits()),
            _ => {}
        }
    }
    let shown: Option<IpAddr> = local.or(address);
    out.address = shown.map(|ip| ip.to_string()).unwrap_or_default();
    if let (Some(l), Some(a)) = (local, address) {
        if l != a {
            out.peer = Some(a.to_string());
        }
    }
    out
}

/// A route, from `RTM_NEWROUTE`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RouteSummary {
    /// `inet` or `inet6`.
    pub family: String,
    /// `default`, or the destination as `ADDRESS/PREFIX` (`RTA_DST`, `rtm_dst_len`).
    pub dst: String,
    /// The gateway (`RTA_GATEWAY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The output interface's index (`RTA_OIF`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oif: Option<u32>,
    /// The preferred source address (`RTA_PREFSRC`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefsrc: Option<String>,
    /// The metric (`RTA_PRIORITY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// The routing table (`RTA_TABLE`, else `rtm_table`), by name when reserved.
    pub table: String,
    /// `kernel`, `boot`, `static`, … (`rtm_protocol`).
    pub protocol: String,
    /// `global`, `link`, `host`, … (`rtm_scope`).
    pub scope: String,
    /// `unicast`, `local`, `broadcast`, … (`rtm_type`).
    #[serde(rename = "type")]
    pub kind: String,
}

/// What an `RTM_NEWROUTE` message says, for `crit x DIR net`.
pub fn route_summary(r: &RouteMessage) -> RouteSummary {
    let h = &r.header;
    let mut table = u32::from(h.table);
    let mut out = RouteSummary {
        family: doc_text(family_name(h.address_family.into())),
        dst: "default".into(),
        gateway: None,
        oif: None,
        prefsrc: None,
        metric: None,
        table: String::new(),
        protocol: doc_text(protocol_name(h.protocol.into())),
        scope: doc_text(scope_name(h.scope.into())),
        kind: doc_text(route_type_name(h.kind.into())),
    };
    for attr in &r.attributes {
        match attr {
            RouteAttribute::Destination(a) => {
                out.dst = format!("{}/{}", doc_text(route_addr(a)), h.destination_prefix_length)
            }
            RouteAttribute::Gateway(a) => out.gateway = Some(doc_text(route_addr(a))),
            RouteAttribute::PrefSource(a) => out.prefsrc = Some(doc_text(route_addr(a))),
            RouteAttribute::Oif(n) => out.oif = Some(*n),
            RouteAttribute::Priority(n) => out.metric = Some(*n),
            RouteAttribute::Table(n) => table = *n,
            _ => {}
        }
    }
    out.table = table_name(table);
    out
}

/// A policy routing rule, from `RTM_NEWRULE`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleSummary {
    /// `inet` or `inet6`.
    pub family: String,
    /// The rule's priority (`FRA_PRIORITY`; 0 when absent).
    pub priority: u32,
    /// `all`, or the source as `ADDRESS/PREFIX` (`FRA_SRC`).
    pub from: String,
    /// The destination as `ADDRESS/PREFIX` (`FRA_DST`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The input interface (`FRA_IIFNAME`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iif: Option<String>,
    /// The output interface (`FRA_OIFNAME`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oif: Option<String>,
    /// The firewall mark (`FRA_FWMARK`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fwmark: Option<u32>,
    /// `to_tbl` (look the table up), `goto`, `nop`, `blackhole`, … (`action`).
    pub action: String,
    /// The table looked up (`FRA_TABLE`, else the header's), by name when reserved.
    pub table: String,
    /// The rule's protocol (`FRA_PROTOCOL`), e.g. `kernel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// What an `RTM_NEWRULE` message says, for `crit x DIR net`.
pub fn rule_summary(r: &RuleMessage) -> RuleSummary {
    let h = &r.header;
    let mut table = u32::from(h.table);
    let mut out = RuleSummary {
        family: doc_text(family_name(h.family.into())),
        priority: 0,
        from: "all".into(),
        to: None,
        iif: None,
        oif: None,
        fwmark: None,
        action: doc_text(rule_action_name(h.action.into())),
        table: String::new(),
        protocol: None,
    };
    for attr in &r.attributes {
        match attr {
            RuleAttribute::Priority(n) => out.priority = *n,
            RuleAttribute::Source(ip) => out.from = format!("{ip}/{}", h.src_len),
            RuleAttribute::Destination(ip) => out.to = Some(format!("{ip}/{}", h.dst_len)),
            RuleAttribute::Iifname(s) => out.iif = Some(s.clone()),
            RuleAttribute::Oifname(s) => out.oif = Some(s.clone()),
            RuleAttribute::FwMark(n) => out.fwmark = Some(*n),
            RuleAttribute::Table(n) => table = *n,
            RuleAttribute::Protocol(p) => out.protocol = Some(doc_text(protocol_name(u8::from(*p)))),
            _ => {}
        }
    }
    out.table = table_name(table);
    out
}
