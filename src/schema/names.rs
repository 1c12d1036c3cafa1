//! The names `--pretty` gives to numbers: the tables behind the `(criu).flags` and
//! `(criu).dict` options, as the Python CRIT of CRIU 4.2.1 has them. The schema
//! owns them; `message_json` formats and parses with them.

use super::{DictTable, FlagTable};

const MMAP_PROT: FlagTable = &[("PROT_READ", 0x1), ("PROT_WRITE", 0x2), ("PROT_EXEC", 0x4)];

const MMAP_FLAGS: FlagTable = &[
    ("MAP_SHARED", 0x1),
    ("MAP_PRIVATE", 0x2),
    ("MAP_DROPPABLE", 0x08),
    ("MAP_ANON", 0x20),
    ("MAP_GROWSDOWN", 0x0100),
];

const MMAP_STATUS: FlagTable = &[
    ("VMA_AREA_NONE", 0),
    ("VMA_AREA_REGULAR", 1 << 0),
    ("VMA_AREA_STACK", 1 << 1),
    ("VMA_AREA_VSYSCALL", 1 << 2),
    ("VMA_AREA_VDSO", 1 << 3),
    ("VMA_AREA_HEAP", 1 << 5),
    ("VMA_FILE_PRIVATE", 1 << 6),
    ("VMA_FILE_SHARED", 1 << 7),
    ("VMA_ANON_SHARED", 1 << 8),
    ("VMA_ANON_PRIVATE", 1 << 9),
    ("VMA_AREA_SYSVIPC", 1 << 10),
    ("VMA_AREA_SOCKET", 1 << 11),
    ("VMA_AREA_VVAR", 1 << 12),
    ("VMA_AREA_AIORING", 1 << 13),
    ("VMA_AREA_MEMFD", 1 << 14),
    ("VMA_AREA_SHSTK", 1 << 15),
    ("VMA_AREA_UPROBES", 1 << 17),
    ("VMA_UNSUPP", 1 << 31),
];

const RFILE_FLAGS: FlagTable = &[
    ("O_WRONLY", 0o1),
    ("O_RDWR", 0o2),
    ("O_CREAT", 0o100),
    ("O_EXCL", 0o200),
    ("O_NOCTTY", 0o400),
    ("O_TRUNC", 0o1000),
    ("O_APPEND", 0o2000),
    ("O_NONBLOCK", 0o4000),
    ("O_DSYNC", 0o10000),
    ("FASYNC", 0o20000),
    ("O_DIRECT", 0o40000),
    ("O_LARGEFILE", 0o100000),
    ("O_DIRECTORY", 0o200000),
    ("O_NOFOLLOW", 0o400000),
    ("O_NOATIME", 0o1000000),
    ("O_CLOEXEC", 0o2000000),
];

const SEALS_FLAGS: FlagTable = &[
    ("F_SEAL_SEAL", 0x1),
    ("F_SEAL_SHRINK", 0x2),
    ("F_SEAL_GROW", 0x4),
    ("F_SEAL_WRITE", 0x8),
    ("F_SEAL_FUTURE_WRITE", 0x10),
];

const PMAP_FLAGS: FlagTable = &[("PE_PARENT", 1 << 0), ("PE_LAZY", 1 << 1), ("PE_PRESENT", 1 << 2)];

/// The table a `(criu).flags` option names; `None` for a name CRIU has no table
/// for (such values print as hex).
pub(crate) fn flag_table(name: &str) -> Option<FlagTable> {
    Some(match name {
        "mmap.prot" => MMAP_PROT,
        "mmap.flags" => MMAP_FLAGS,
        "mmap.status" => MMAP_STATUS,
        "rfile.flags" => RFILE_FLAGS,
        "pmap.flags" => PMAP_FLAGS,
        "seals.flags" => SEALS_FLAGS,
        _ => return None,
    })
}

/// The Python CRIT's (mis)names for `task_state`: CRIU writes 1 alive, 2 dead,
/// 3 stopped, but the JSON dialect is the contract, so `--pretty` keeps these.
const GEN_TASK_STATE: DictTable = &[(1, "Alive"), (3, "Zombie"), (6, "Stopped")];

const SK_FAMILY: DictTable = &[(1, "UNIX"), (2, "INET"), (10, "INET6"), (16, "NETLINK"), (17, "PACKET")];
const SK_TYPE: DictTable = &[
    (1, "STREAM"),
    (2, "DGRAM"),
    (3, "RAW"),
    (5, "SEQPACKET"),
    (10, "PACKET"),
];
const SK_STATE: DictTable = &[
    (1, "ESTABLISHED"),
    (2, "SYN_SENT"),
    (3, "SYN_RECV"),
    (4, "FIN_WAIT1"),
    (5, "FIN_WAIT2"),
    (6, "TIME_WAIT"),
    (7, "CLOSE"),
    (8, "CLOSE_WAIT"),
    (9, "LAST_ACK"),
    (10, "LISTEN"),
];
const SK_PROTO: DictTable = &[(0, "IP"), (6, "TCP"), (17, "UDP"), (136, "UDPLITE")];

/// The names a `(criu).dict` option gives field `field`'s values.
pub(crate) fn dict_table(dict: &str, field: &str) -> Option<DictTable> {
    Some(match (dict, field) {
        ("gen", "task_state") => GEN_TASK_STATE,
        ("sk", "family") => SK_FAMILY,
        ("sk", "type") => SK_TYPE,
        ("sk", "state") => SK_STATE,
        ("sk", "proto") => SK_PROTO,
        _ => return None,
    })
}
