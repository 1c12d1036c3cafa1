//! Kernel features the checkpoint's images say the restore needs, beyond
//! namespaces and LSMs, where `/proc`, `/sys` and `/dev` can tell whether
//! this kernel has them: seccomp filters and strict mode, inotify, packet
//! sockets, tun devices, BPF maps, SysV IPC. (memfd, pidfd, userfaultfd and
//! rseq cannot be told from those files without guessing from the kernel's
//! version, and are not checked.)

use std::collections::BTreeMap;

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::proto::{FileEntry, SeccompEntry};

use super::{Area, Finding, Findings, Host, Kind};

/// A kernel feature a restore may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KernelFeature {
    /// Seccomp filters (`CONFIG_SECCOMP_FILTER`): `/proc/sys/kernel/seccomp/actions_avail`.
    SeccompFilter,
    /// Seccomp strict mode (`CONFIG_SECCOMP`): a `Seccomp:` line in `/proc/self/status`.
    SeccompStrict,
    /// inotify (`CONFIG_INOTIFY_USER`): `/proc/sys/fs/inotify`.
    Inotify,
    /// Packet sockets (`CONFIG_PACKET`): `/proc/net/packet`.
    PacketSocket,
    /// tun/tap devices (`CONFIG_TUN`): `/dev/net/tun`.
    Tun,
    /// BPF maps (`CONFIG_BPF_SYSCALL`): `/proc/sys/kernel/unprivileged_bpf_disabled`.
    Bpf,
    /// SysV IPC (`CONFIG_SYSVIPC`): `/proc/sysvipc`.
    SysvIpc,
}

impl KernelFeature {
    /// Its name, as findings give it.
    pub fn name(self) -> &'static str {
        match self {
            KernelFeature::SeccompFilter => "seccomp-filter",
            KernelFeature::SeccompStrict => "seccomp-strict",
            KernelFeature::Inotify => "inotify",
            KernelFeature::PacketSocket => "packet-socket",
            KernelFeature::Tun => "tun",
            KernelFeature::Bpf => "bpf",
            KernelFeature::SysvIpc => "sysv-ipc",
        }
    }

    /// What it is, for people.
    fn what(self) -> &'static str {
        match self {
            KernelFeature::SeccompFilter => "seccomp filters",
            KernelFeature::SeccompStrict => "seccomp strict mode",
            KernelFeature::Inotify => "inotify watches",
            KernelFeature::PacketSocket => "packet sockets",
            KernelFeature::Tun => "tun/tap devices",
            KernelFeature::Bpf => "BPF maps",
            KernelFeature::SysvIpc => "SysV IPC",
        }
    }

    /// The kernel option that provides it.
    fn config(self) -> &'static str {
        match self {
            KernelFeature::SeccompFilter => "CONFIG_SECCOMP_FILTER",
            KernelFeature::SeccompStrict => "CONFIG_SECCOMP",
            KernelFeature::Inotify => "CONFIG_INOTIFY_USER",
            KernelFeature::PacketSocket => "CONFIG_PACKET",
            KernelFeature::Tun => "CONFIG_TUN",
            KernelFeature::Bpf => "CONFIG_BPF_SYSCALL",
            KernelFeature::SysvIpc => "CONFIG_SYSVIPC",
        }
    }

    /// Where this kernel shows it: a path under `/proc` (`proc/…`) or `/dev`
    /// (`dev/…`).
    pub fn probe(self) -> &'static str {
        match self {
            KernelFeature::SeccompFilter => "proc/sys/kernel/seccomp/actions_avail",
            KernelFeature::SeccompStrict => "proc/self/status",
            KernelFeature::Inotify => "proc/sys/fs/inotify",
            KernelFeature::PacketSocket => "proc/net/packet",
            KernelFeature::Tun => "dev/net/tun",
            KernelFeature::Bpf => "proc/sys/kernel/unprivileged_bpf_disabled",
            KernelFeature::SysvIpc => "proc/sysvipc",
        }
    }
}

/// The features `cp` needs, each with the first image that says so.
pub fn needed(cp: &Checkpoint) -> Result<BTreeMap<KernelFeature, String>> {
    let mut need = BTreeMap::new();
    if cp.has("files.img") {
        for f in cp.read_all::<FileEntry>("files.img")? {
            let feature = match f.r#type {
                8 => KernelFeature::Inotify,
                10 => KernelFeature::PacketSocket,
                15 => KernelFeature::Tun,
                19 => KernelFeature::Bpf,
                _ => continue,
            };
            need.entry(feature).or_insert_with(|| "files.img".to_string());
        }
    }
    for t in cp.tasks.iter().filter(|t| t.state.has_resources()) {
        let mut tids = vec![t.pid];
        tids.extend(t.threads.iter().copied().filter(|&x| x != t.pid));
        for tid in tids {
            let core = cp.core(tid)?;
            let mode = core
                .thread_core
                .as_ref()
                .and_then(|c| c.seccomp_mode)
                .or(core.tc.as_ref().and_then(|c| c.old_seccomp_mode));
            let feature = match mode {
                Some(1) => KernelFeature::SeccompStrict,
                Some(2) => KernelFeature::SeccompFilter,
                _ => continue,
            };
            need.entry(feature).or_insert_with(|| format!("core-{tid}.img"));
        }
    }
    if cp.has("seccomp.img") {
        let filters = cp.read_all::<SeccompEntry>("seccomp.img")?;
        if filters.iter().any(|e| !e.seccomp_filters.is_empty()) {
            need.entry(KernelFeature::SeccompFilter)
                .or_insert_with(|| "seccomp.img".to_string());
        }
    }
    for name in cp.source().image_names()? {
        if name.starts_with("ipcns-") && name.ends_with(".img") {
            need.entry(KernelFeature::SysvIpc).or_insert(name);
            break;
        }
    }
    Ok(need)
}

/// One problem per needed feature this kernel lacks; a note for each that
/// cannot be told.
pub fn check(cp: &Checkpoint, host: &dyn Host, out: &mut Findings) -> Result<()> {
    for (feature, image) in needed(cp)? {
        let (probe, what) = (format!("/{}", feature.probe()), feature.what());
        let has = host.kernel_feature(feature);
        let mut f = match has {
            Some(true) => continue,
            Some(false) => Finding::new(
                Area::Kernel,
                Kind::KernelFeature,
                format!("{image}: the checkpoint uses {what}; this kernel has none ({probe} is missing)"),
            )
            .fix(format!("restore on a kernel built with {}", feature.config())),
            None => Finding::new(
                Area::Kernel,
                Kind::Unchecked,
                format!(
                    "{image}: the checkpoint uses {what}; whether this kernel has them could not be told ({probe})"
                ),
            ),
        };
        f.path = Some(image);
        f.feature = Some(feature.name().to_string());
        if has.is_some() {
            out.problems.push(f);
        } else {
            out.notes.push(f);
        }
    }
    Ok(())
}
