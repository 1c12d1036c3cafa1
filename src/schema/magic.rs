//! The magic numbers that open every CRIU image, and what each image holds.
//!
//! The table is CRIU 4.2.1's (`criu/include/magic.h`, unchanged since 4.1.1), all 72 names.

/// Images v1.1 start with one of these two, then the image's own magic.
pub const IMG_COMMON: u32 = 0x5456_4319;
/// First magic of service images (`STATS`, `IRMAP_CACHE`).
pub const IMG_SERVICE: u32 = 0x5510_5940;
/// The only image with one magic: `inventory.img`.
pub const INVENTORY: u32 = 0x5831_3116;

/// Every magic name with its 32-bit value, sorted by name.
pub const MAGICS: &[(&str, u32)] = &[
    ("APPARMOR", 0x59423047),
    ("AUTOFS", 0x49353943),
    ("BINFMT_MISC", 0x67343323),
    ("BPFMAP_DATA", 0x64324033),
    ("BPFMAP_FILE", 0x57506142),
    ("CGROUP", 0x59383330),
    ("CORE", 0x55053847),
    ("CPUINFO", 0x61404013),
    ("CREDS", 0x54023547),
    ("CRTOOLS_IMAGES_V1_1", 0x00000002),
    ("EVENTFD_FILE", 0x44523722),
    ("EVENTPOLL_FILE", 0x45023858),
    ("EVENTPOLL_TFD", 0x44433746),
    ("EXT_FILES", 0x59255641),
    ("FANOTIFY_FILE", 0x55096122),
    ("FANOTIFY_MARK", 0x56506035),
    ("FDINFO", 0x56213732),
    ("FIFO", 0x58364939),
    ("FIFO_DATA", 0x59333054),
    ("FILES", 0x56303138),
    ("FILE_LOCKS", 0x54323616),
    ("FS", 0x51403912),
    ("GHOST_FILE", 0x52583605),
    ("IDS", 0x54432030),
    ("IMG_COMMON", 0x54564319),
    ("IMG_SERVICE", 0x55105940),
    ("INETSK", 0x56443851),
    ("INOTIFY_FILE", 0x48424431),
    ("INOTIFY_WD", 0x54562009),
    ("INVENTORY", 0x58313116),
    ("IPCNS_MSG", 0x55453737),
    ("IPCNS_SEM", 0x59573019),
    ("IPCNS_SHM", 0x46283044),
    ("IPC_VAR", 0x53115007),
    ("IRMAP_CACHE", 0x57004059),
    ("ITIMERS", 0x57464056),
    ("KDAT", 0x57023458),
    ("MEMFD_INODE", 0x48453499),
    ("MM", 0x57492820),
    ("MNTS", 0x55563928),
    ("NETDEV", 0x57373951),
    ("NETLINK_SK", 0x58005614),
    ("NETNS", 0x55933752),
    ("NS_FILES", 0x61394011),
    ("PACKETSK", 0x60454618),
    ("PAGEMAP", 0x56084025),
    ("PIDFD", 0x54435556),
    ("PIDNS", 0x61157326),
    ("PIPES", 0x56513555),
    ("PIPES_DATA", 0x56453709),
    ("POSIX_TIMERS", 0x52603957),
    ("PSTREE", 0x50273030),
    ("REG_FILES", 0x50363636),
    ("REMAP_FPATH", 0x59133954),
    ("RLIMIT", 0x57113925),
    ("SECCOMP", 0x64413049),
    ("SIGACT", 0x55344201),
    ("SIGNAL", 0x59255647),
    ("SIGNALFD", 0x57323820),
    ("SK_QUEUES", 0x56264026),
    ("STATS", 0x57093306),
    ("TCP_STREAM", 0x51465506),
    ("TIMENS", 0x43114433),
    ("TIMERFD", 0x50493712),
    ("TTY_DATA", 0x59413026),
    ("TTY_FILES", 0x59433025),
    ("TTY_INFO", 0x59453036),
    ("TUNFILE", 0x57143751),
    ("UNIXSK", 0x54373943),
    ("USERNS", 0x55474906),
    ("UTSNS", 0x54473203),
    ("VMAS", 0x54123737),
];

/// The name of a magic value, if CRIU knows it.
pub(crate) fn name_of(value: u32) -> Option<&'static str> {
    MAGICS.iter().find(|(_, v)| *v == value).map(|(n, _)| *n)
}

/// The value of a magic name.
pub fn value_of(name: &str) -> Option<u32> {
    MAGICS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| MAGICS[i].1)
}

/// The first magic CRIU writes before `name`'s own, or `None` for `INVENTORY`.
pub(crate) fn leading_magic(name: &str) -> Option<u32> {
    match name {
        "INVENTORY" => None,
        "STATS" | "IRMAP_CACHE" => Some(IMG_SERVICE),
        _ => Some(IMG_COMMON),
    }
}

/// What follows an entry's protobuf payload in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Nothing: the next entry starts.
    None,
    /// `bytes` raw bytes, named by the entry's field (`pipe_data_entry.bytes`, ...).
    Blob,
    /// `tcp_stream_entry`: `inq_len` bytes, then `outq_len` bytes.
    TcpQueues,
    /// `ipc_shm_entry`: `size` bytes padded to 4 (absent when `in_pagemaps`).
    ShmData,
    /// `ipc_sem_entry`: `nsems` little-endian u16 values padded to 8 bytes.
    SemValues,
    /// `ipc_msg_entry`: `qnum` times (u32 size, `ipc_msg`, `msize` bytes padded to 8).
    MsgQueue,
}

/// How an image's entries are laid out after its magic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Entries of one message type, each maybe followed by an [`Extra`].
    Entries {
        /// The entries' message type.
        message: &'static str,
        /// What follows each entry.
        extra: Extra,
    },
    /// `pagemap_head`, then `pagemap_entry`s.
    Pagemap,
    /// `ghost_file_entry`, then either `ghost_chunk_entry`s each with its bytes,
    /// or the whole file's bytes as one raw tail.
    GhostFile,
}

/// The layout of the image with magic `name`, or `None` when its contents are
/// not protobuf entries (e.g. `KDAT`).
pub fn layout(name: &str) -> Option<Layout> {
    use Extra as X;
    let plain = |message| {
        Some(Layout::Entries {
            message,
            extra: X::None,
        })
    };
    let with = |message, extra| Some(Layout::Entries { message, extra });
    match name {
        "PAGEMAP" => Some(Layout::Pagemap),
        "GHOST_FILE" => Some(Layout::GhostFile),
        "PIPES_DATA" | "FIFO_DATA" => with("pipe_data_entry", X::Blob),
        "SK_QUEUES" => with("sk_packet_entry", X::Blob),
        "BPFMAP_DATA" => with("bpfmap_data_entry", X::Blob),
        "TCP_STREAM" => with("tcp_stream_entry", X::TcpQueues),
        "IPCNS_SHM" => with("ipc_shm_entry", X::ShmData),
        "IPCNS_SEM" => with("ipc_sem_entry", X::SemValues),
        "IPCNS_MSG" => with("ipc_msg_entry", X::MsgQueue),
        "APPARMOR" => plain("apparmor_entry"),
        "AUTOFS" => plain("autofs_entry"),
        "BINFMT_MISC" => plain("binfmt_misc_entry"),
        "BPFMAP_FILE" => plain("bpfmap_file_entry"),
        "CGROUP" => plain("cgroup_entry"),
        "CORE" => plain("core_entry"),
        "CPUINFO" => plain("cpuinfo_entry"),
        "CREDS" => plain("creds_entry"),
        "EVENTFD_FILE" => plain("eventfd_file_entry"),
        "EVENTPOLL_FILE" => plain("eventpoll_file_entry"),
        "EVENTPOLL_TFD" => plain("eventpoll_tfd_entry"),
        "EXT_FILES" => plain("ext_file_entry"),
        "FANOTIFY_FILE" => plain("fanotify_file_entry"),
        "FANOTIFY_MARK" => plain("fanotify_mark_entry"),
        "FDINFO" => plain("fdinfo_entry"),
        "FIFO" => plain("fifo_entry"),
        "FILES" => plain("file_entry"),
        "FILE_LOCKS" => plain("file_lock_entry"),
        "FS" => plain("fs_entry"),
        "IDS" => plain("task_kobj_ids_entry"),
        "INETSK" => plain("inet_sk_entry"),
        "INOTIFY_FILE" => plain("inotify_file_entry"),
        "INOTIFY_WD" => plain("inotify_wd_entry"),
        "INVENTORY" => plain("inventory_entry"),
        "IPC_VAR" => plain("ipc_var_entry"),
        "IRMAP_CACHE" => plain("irmap_cache_entry"),
        "ITIMERS" => plain("itimer_entry"),
        "MEMFD_INODE" => plain("memfd_inode_entry"),
        "MM" => plain("mm_entry"),
        "MNTS" => plain("mnt_entry"),
        "NETDEV" => plain("net_device_entry"),
        "NETLINK_SK" => plain("netlink_sk_entry"),
        "NETNS" => plain("netns_entry"),
        "NS_FILES" => plain("ns_file_entry"),
        "PACKETSK" => plain("packet_sock_entry"),
        "PIDFD" => plain("pidfd_entry"),
        "PIDNS" => plain("pidns_entry"),
        "PIPES" => plain("pipe_entry"),
        "POSIX_TIMERS" => plain("posix_timer_entry"),
        "PSTREE" => plain("pstree_entry"),
        "REG_FILES" => plain("reg_file_entry"),
        "REMAP_FPATH" => plain("remap_file_path_entry"),
        "RLIMIT" => plain("rlimit_entry"),
        "SECCOMP" => plain("seccomp_entry"),
        "SIGACT" => plain("sa_entry"),
        "SIGNAL" => plain("signal_queue_entry"),
        "SIGNALFD" => plain("signalfd_entry"),
        "STATS" => plain("stats_entry"),
        "TIMENS" => plain("timens_entry"),
        "TIMERFD" => plain("timerfd_entry"),
        "TTY_DATA" => plain("tty_data_entry"),
        "TTY_FILES" => plain("tty_file_entry"),
        "TTY_INFO" => plain("tty_info_entry"),
        "TUNFILE" => plain("tunfile_entry"),
        "UNIXSK" => plain("unix_sk_entry"),
        "USERNS" => plain("userns_entry"),
        "UTSNS" => plain("utsns_entry"),
        "VMAS" => plain("vma_entry"),
        _ => None,
    }
}
