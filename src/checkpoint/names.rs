//! Names of the kernel's numbers that explorers show: socket families, types,
//! states and protocols, signals, clocks.

/// `AF_*` as a short lowercase name.
pub(crate) fn family(af: u32) -> String {
    match af {
        1 => "unix".into(),
        2 => "inet".into(),
        10 => "inet6".into(),
        16 => "netlink".into(),
        17 => "packet".into(),
        n => format!("af{n}"),
    }
}

/// `SOCK_*` socket types.
pub(crate) fn sock_type(t: u32) -> String {
    match t {
        1 => "stream".into(),
        2 => "dgram".into(),
        3 => "raw".into(),
        4 => "rdm".into(),
        5 => "seqpacket".into(),
        10 => "packet".into(),
        n => format!("type{n}"),
    }
}

/// Socket states as `sock_diag` reports them (TCP's numbering, which unix and
/// netlink sockets share).
pub(crate) fn sk_state(s: u32) -> String {
    let name = match s {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        12 => "NEW_SYN_RECV",
        n => return format!("STATE{n}"),
    };
    name.into()
}

/// `IPPROTO_*` of an inet socket.
pub(crate) fn ip_proto(p: u32) -> String {
    match p {
        0 => "ip".into(),
        1 => "icmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        58 => "icmpv6".into(),
        132 => "sctp".into(),
        136 => "udplite".into(),
        255 => "raw".into(),
        n => format!("proto{n}"),
    }
}

/// `NETLINK_*` protocols.
pub(crate) fn netlink_proto(p: u32) -> String {
    let name = match p {
        0 => "route",
        2 => "usersock",
        3 => "firewall",
        4 => "sock_diag",
        5 => "nflog",
        6 => "xfrm",
        7 => "selinux",
        8 => "iscsi",
        9 => "audit",
        10 => "fib_lookup",
        11 => "connector",
        12 => "netfilter",
        13 => "ip6_fw",
        14 => "dnrtmsg",
        15 => "kobject_uevent",
        16 => "generic",
        18 => "scsitransport",
        19 => "ecryptfs",
        20 => "rdma",
        21 => "crypto",
        22 => "smc",
        n => return format!("proto{n}"),
    };
    name.into()
}

/// A packet socket's protocol, which CRIU stores in network byte order.
pub(crate) fn packet_proto(p: u32) -> String {
    let ethertype = u16::from_be(p as u16);
    match ethertype {
        0x0003 => "all".into(),
        0x0800 => "ip".into(),
        0x0806 => "arp".into(),
        0x86dd => "ipv6".into(),
        n => format!("0x{n:04x}"),
    }
}

/// Linux x86 signal names; bit N of a sigmask is signal N+1.
pub fn signal(n: u32) -> String {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match n {
        1..=31 => NAMES[(n - 1) as usize].into(),
        n => format!("SIGRTMIN+{}", n.saturating_sub(34)),
    }
}

/// The signals of a sigmask, by name.
pub(crate) fn sigmask(mask: u64) -> Vec<String> {
    (0..64)
        .filter(|bit| mask & (1u64 << bit) != 0)
        .map(|bit| signal(bit + 1))
        .collect()
}

/// `CLOCK_*` of a timerfd.
pub(crate) fn clock(id: u32) -> String {
    let name = match id {
        0 => "realtime",
        1 => "monotonic",
        7 => "boottime",
        8 => "realtime_alarm",
        9 => "boottime_alarm",
        n => return format!("clock{n}"),
    };
    name.into()
}

/// `CLONE_NEW*` flag of a namespace file.
pub(crate) fn ns_kind(cflag: u32) -> &'static str {
    match cflag {
        0x0002_0000 => "mnt",
        0x0200_0000 => "cgroup",
        0x0400_0000 => "uts",
        0x0800_0000 => "ipc",
        0x1000_0000 => "user",
        0x2000_0000 => "pid",
        0x4000_0000 => "net",
        0x0000_0080 => "time",
        _ => "ns",
    }
}

/// "1 watch", "2 watches".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signalfd_mask_of_the_corpus() {
        assert_eq!(sigmask(0xa00), ["SIGUSR1", "SIGUSR2"]);
    }

    #[test]
    fn packet_protocol_is_network_order() {
        assert_eq!(packet_proto(768), "all");
    }
}
