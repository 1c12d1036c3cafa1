//! `crit check`: will this checkpoint restore here? Every blocker at once,
//! before the restore, as CRIU would meet them one at a time.
//!
//! Each area has its module: [`files`] (what CRIU's `files-reg.c` opens and
//! validates), [`procs`] (pids that must be free), [`net`] (ports and unix
//! socket paths that must be free) and [`cpu`] (architecture and FPU
//! features; [`cpuinfo`] compares a `cpuinfo.img` with [`cpuid`]'s reading
//! of this CPU), [`kernel`] (the CRIU here, namespaces, LSM; [`features`]:
//! kernel features the images use). What the machine holds comes through a [`Host`], so tests can
//! give a made-up one; [`ProcHost`] reads this machine's `/proc`.
//!
//! Nothing from the checkpoint or the root is ever executed: files under the
//! root are only looked up (paths resolved as if the root were `/`, see
//! [`crate::checkpoint::hostfs::resolve`]) and read.

pub(crate) mod cpu;
pub(crate) mod cpuid;
pub(crate) mod cpuinfo;
pub(crate) mod features;
pub(crate) mod files;
pub(crate) mod host;
pub(crate) mod kernel;
pub(crate) mod net;
pub(crate) mod procs;

use std::path::PathBuf;

use serde::Serialize;

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::proto::{InventoryEntry, TaskKobjIdsEntry};

pub use cpuid::X86Cpu;
pub use features::KernelFeature;
pub use host::{Host, HostSocket, ProcHost, SockProto};

/// What a check looks at.
#[derive(Debug, Clone)]
pub struct Options {
    /// The root file system the checkpoint's files are looked up under (`/`
    /// for this machine; a container image's root for a container checkpoint).
    pub root: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            root: PathBuf::from("/"),
        }
    }
}

/// The area a finding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Files the restore opens.
    Files,
    /// Pids the restore needs.
    Processes,
    /// Ports and socket paths.
    Network,
    /// Architecture and CPU features.
    Cpu,
    /// The CRIU installed here, namespaces, LSM.
    Kernel,
}

impl Area {
    /// Its name, as in the table and the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Files => "files",
            Area::Processes => "processes",
            Area::Network => "network",
            Area::Cpu => "cpu",
            Area::Kernel => "kernel",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    // Problems.
    /// A file the restore opens is not there.
    Missing,
    /// A file is there but of another type (a directory for a file, …).
    WrongType,
    /// A file's size differs from the recorded one.
    Size,
    /// A file's mode differs from the recorded one.
    Mode,
    /// A file's ELF build-id differs from the recorded one.
    BuildId,
    /// A file could not be looked at (permission, I/O error).
    Unreadable,
    /// A pid the restore needs is taken.
    PidTaken,
    /// A TCP or UDP port the restore binds is in use.
    PortInUse,
    /// A unix socket path the restore binds is in use.
    UnixPathInUse,
    /// The checkpoint is of another architecture.
    Arch,
    /// A thread's FPU state uses a feature this CPU does not enable.
    Xfeature,
    /// The `criu` here cannot read this checkpoint's format.
    CriuVersion,
    /// The tasks had a namespace of a kind this kernel lacks.
    Namespace,
    /// The checkpoint's LSM (AppArmor, SELinux) is not this kernel's.
    Lsm,
    /// An AppArmor profile the tasks ran in is not loaded here.
    LsmProfile,
    /// A kernel feature the checkpoint uses is not in this kernel.
    KernelFeature,
    /// `cpuinfo.img` cannot be read as CRIU reads it.
    Cpuinfo,
    /// An FPU feature of the dumping CPU (`fpu`, `fxsr`, `osxsave`, `xsaves`) is not here.
    CpuFpu,
    /// The xsave area's size (`xsave_size`, `xsave_size_max`) differs from the dumping CPU's.
    XsaveSize,
    /// An instruction-set feature of the dumping CPU is not here.
    CpuIns,
    // Notes.
    /// A file kept in the images (a ghost file): nothing to look up.
    Ghost,
    /// A file restored through a link CRIU made at dump time.
    LinkRemap,
    /// A file of a dead process's `/proc`, recreated by CRIU.
    ProcfsRemap,
    /// A file passed in at restore (`--inherit-fd`, `--external`).
    External,
    /// A file on a mount other than the root file system (provided by the
    /// runtime or a volume at restore), not looked up under ROOT.
    OtherMount,
    /// A file the container's rootfs diff supplies, compared with it.
    FromRootfsDiff,
    /// Established TCP connections: `criu restore --tcp-established`.
    TcpEstablished,
    /// Tasks in their own pid namespace: their pids need not be free.
    OwnPidNamespace,
    /// Sockets in their own network namespace: their ports need not be free.
    OwnNetNamespace,
    /// No `criu` is installed here.
    CriuMissing,
    /// A file's build-id could not be read here, so only its size is compared (as CRIU does).
    BuildIdUnread,
    /// Something the checkpoint needs whose presence here cannot be told
    /// (`feature` says what): not a pass, a thing to check by hand.
    Unchecked,
}

/// One problem or note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Its area.
    pub area: Area,
    /// What it is.
    pub kind: Kind,
    /// The file or socket path it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The pid it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The port it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The CPU feature it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// What the checkpoint recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What is here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    /// One line: what is wrong (or what the note says).
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Which tasks need the file, and how: `3374 (mem): executable, mapped, fd 3`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
}

impl Finding {
    /// A finding with nothing but its area, kind and message.
    pub(crate) fn new(area: Area, kind: Kind, message: impl Into<String>) -> Self {
        Finding {
            area,
            kind,
            path: None,
            pid: None,
            port: None,
            feature: None,
            expected: None,
            found: None,
            message: message.into(),
            fix: None,
            used_by: Vec::new(),
        }
    }

    /// With the path it is about.
    pub(crate) fn path(mut self, p: impl Into<String>) -> Self {
        self.path = Some(p.into());
        self
    }

    /// With what was recorded and what is here.
    pub(crate) fn differs(mut self, expected: impl Into<String>, found: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.found = Some(found.into());
        self
    }

    /// With what to do.
    pub(crate) fn fix(mut self, f: impl Into<String>) -> Self {
        self.fix = Some(f.into());
        self
    }
}

/// The answer: ready or not, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// No problem found.
    pub ready: bool,
    /// What would stop the restore, grouped by area.
    pub problems: Vec<Finding>,
    /// What is worth knowing but does not stop it.
    pub notes: Vec<Finding>,
}

/// Findings of one area, as the area modules return them.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Problems.
    pub problems: Vec<Finding>,
    /// Notes.
    pub notes: Vec<Finding>,
}

impl Findings {
    fn extend(&mut self, other: Findings) {
        self.problems.extend(other.problems);
        self.notes.extend(other.notes);
    }
}

/// Checks `cp` against this machine as `host` describes it, its files
/// against `opts.root`. An error means the checkpoint could not be read.
pub fn check(cp: &Checkpoint, opts: &Options, host: &dyn Host) -> Result<Report> {
    let mut all = Findings::default();
    all.extend(files::check(cp, &opts.root)?);
    all.extend(procs::check(cp, host)?);
    all.extend(net::check(cp, host)?);
    all.extend(cpu::check(cp, host)?);
    all.extend(kernel::check(cp, host)?);
    all.problems.sort_by_key(|f| f.area);
    all.notes.sort_by_key(|f| f.area);
    // Several objects of one file (each fd) give one note.
    let mut seen = std::collections::HashSet::new();
    all.notes.retain(|n| seen.insert((n.area, n.kind, n.message.clone())));
    Ok(Report {
        ready: all.problems.is_empty(),
        problems: all.problems,
        notes: all.notes,
    })
}

/// The namespace ids CRIU itself ran in at dump time (`inventory.img`'s
/// `root_ids`): a task whose id differs is in a namespace of its own, as
/// CRIU's restore decides (`prepare_pstree_kobj_ids`).
pub(crate) fn root_ids(cp: &Checkpoint) -> Result<Option<TaskKobjIdsEntry>> {
    if !cp.has("inventory.img") {
        return Ok(None);
    }
    let inv: InventoryEntry = cp.read_first("inventory.img")?;
    Ok(inv.root_ids)
}
