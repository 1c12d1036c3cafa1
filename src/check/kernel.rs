//! Kernel and CRIU: the image format against the `criu` installed here (a
//! CRIU 4.2 checkpoint keeps its page counts where CRIU 4.1 does not look);
//! the namespaces the checkpoint's tasks had of their own, which this kernel
//! must offer; the LSM the checkpoint was taken under, the AppArmor
//! profiles and SELinux labels its tasks ran in (CRIU: "mismatched lsm
//! types"); the kernel features its images use ([`super::features`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::proto::{AaNamespace, ApparmorEntry, InventoryEntry, PagemapEntry, TaskKobjIdsEntry};

use super::host::strip_mode;
use super::{Area, Finding, Findings, Host, Kind};

/// Whether a pagemap entry of `cp` keeps its count in field 5 (`nr_pages`),
/// which only CRIU 4.2 and later write and read.
fn needs_criu_4_2(cp: &Checkpoint) -> Result<bool> {
    for name in cp.source().image_names()? {
        if name.starts_with("pagemap-") && name.ends_with(".img") {
            // Entry 0 is the pagemap head.
            let entries: Vec<PagemapEntry> = cp.read_all(&name)?;
            if entries.iter().skip(1).any(|e| e.nr_pages.is_some()) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The namespace kinds (as `/proc/self/ns/` names them) in which `task`
/// differs from `root`: the restore creates them.
fn own_namespaces(task: &TaskKobjIdsEntry, root: &TaskKobjIdsEntry) -> Vec<&'static str> {
    let pairs = [
        ("pid", task.pid_ns_id, root.pid_ns_id),
        ("net", task.net_ns_id, root.net_ns_id),
        ("ipc", task.ipc_ns_id, root.ipc_ns_id),
        ("uts", task.uts_ns_id, root.uts_ns_id),
        ("mnt", task.mnt_ns_id, root.mnt_ns_id),
        ("user", task.user_ns_id, root.user_ns_id),
        ("cgroup", task.cgroup_ns_id, root.cgroup_ns_id),
        ("time", task.time_ns_id, root.time_ns_id),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| matches!((a, b), (Some(a), Some(b)) if a != b))
        .map(|(n, _, _)| n)
        .collect()
}

/// Checks the format, namespaces and LSM of `cp` against `host`.
pub fn check(cp: &Checkpoint, host: &dyn Host) -> Result<Findings> {
    let mut out = Findings::default();
    criu(cp, host, &mut out)?;
    let root = super::root_ids(cp)?;
    let mut kinds = BTreeSet::new();
    if let Some(root) = &root {
        for t in &cp.tasks {
            if let Ok(ids) = cp.ids(t.pid) {
                kinds.extend(own_namespaces(&ids, root));
            }
        }
    }
    for k in kinds {
        if !host.has_namespace(k) {
            let mut f = Finding::new(
                Area::Kernel,
                Kind::Namespace,
                format!("the checkpoint's tasks have a {k} namespace of their own; this kernel has no {k} namespaces"),
            )
            .fix(format!("restore on a kernel with {k} namespaces"));
            f.feature = Some(format!("{k}-namespace"));
            out.problems.push(f);
        }
    }
    if cp.has("inventory.img") {
        let inv: InventoryEntry = cp.read_first("inventory.img")?;
        lsm(cp, inv.lsmtype.unwrap_or(0), host, &mut out)?;
    }
    super::features::check(cp, host, &mut out)?;
    Ok(out)
}

fn criu(cp: &Checkpoint, host: &dyn Host, out: &mut Findings) -> Result<()> {
    let needs = needs_criu_4_2(cp)?;
    match host.criu_version() {
        None => out.notes.push(
            Finding::new(Area::Kernel, Kind::CriuMissing, "no criu installed here (none on PATH)").fix(if needs {
                "install CRIU 4.2 or later"
            } else {
                "install CRIU"
            }),
        ),
        Some(v) if needs && v < (4, 2, 0) => {
            let found = format!("{}.{}.{}", v.0, v.1, v.2);
            out.problems.push(
                Finding::new(
                    Area::Kernel,
                    Kind::CriuVersion,
                    format!(
                        "the checkpoint was written by CRIU 4.2 or later (page counts in pagemap field 5); \
                         CRIU {found} here would restore no memory"
                    ),
                )
                .differs("4.2", found)
                .fix("install CRIU 4.2 or later"),
            );
        }
        Some(_) => {}
    }
    Ok(())
}

/// The LSM of the checkpoint (`inventory.img`'s `lsmtype`: 1 SELinux, 2
/// AppArmor) must be this kernel's; each AppArmor profile must be loaded
/// (or kept in `apparmor.img`, which CRIU loads); each SELinux label is a
/// note, since whether this policy defines it cannot be told read-only.
fn lsm(cp: &Checkpoint, lsmtype: i32, host: &dyn Host, out: &mut Findings) -> Result<()> {
    let name = match lsmtype {
        1 => "selinux",
        2 => "apparmor",
        _ => return Ok(()),
    };
    let here = host.lsms();
    if let Some(here) = &here {
        if !here.iter().any(|l| l == name) {
            let mut f = Finding::new(
                Area::Kernel,
                Kind::Lsm,
                format!("the checkpoint was taken under {name}, which this kernel does not run"),
            )
            .differs(name, here.join(","))
            .fix("restore where that LSM runs, or give criu restore --lsm-profile");
            f.feature = Some(name.to_string());
            out.problems.push(f);
            return Ok(());
        }
    }
    let labels = labels(cp)?;
    if lsmtype == 1 {
        selinux(&labels, here.is_some(), host, out);
        return Ok(());
    }
    let kept = kept_profiles(cp)?;
    let wanted: BTreeSet<String> = labels
        .into_keys()
        .map(|p| strip_mode(&p).to_string())
        .filter(|p| p != "unconfined" && !p.is_empty() && !kept.contains(p))
        .collect();
    let Some(loaded) = host.apparmor_profiles() else {
        for p in wanted {
            let mut f = Finding::new(
                Area::Kernel,
                Kind::Unchecked,
                format!(
                    "AppArmor profile {p}: whether it is loaded here could not be told \
                     (/sys/kernel/security/apparmor/profiles is not readable)"
                ),
            )
            .fix(format!("check with aa-status as root that {p} is loaded"));
            f.feature = Some(p);
            out.notes.push(f);
        }
        return Ok(());
    };
    for p in wanted.into_iter().filter(|p| !loaded.contains(p)) {
        let mut f = Finding::new(
            Area::Kernel,
            Kind::LsmProfile,
            format!("AppArmor profile {p} is not loaded here"),
        )
        .fix(format!(
            "load the profile {p} (apparmor_parser), or give criu restore --lsm-profile"
        ));
        f.feature = Some(p);
        out.problems.push(f);
    }
    Ok(())
}

/// The LSM labels the tasks ran under (their creds' `lsm_profile`), each
/// with the first task that had it (`PID (COMM)`).
fn labels(cp: &Checkpoint) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for t in cp.tasks.iter().filter(|t| t.state.has_resources()) {
        let core = cp.core(t.pid)?;
        if let Some(p) = core.thread_core.and_then(|c| c.creds).and_then(|c| c.lsm_profile) {
            out.entry(p).or_insert_with(|| format!("{} ({})", t.pid, t.comm));
        }
    }
    Ok(out)
}

/// The AppArmor policies `apparmor.img` keeps (CRIU loads them itself).
fn kept_profiles(cp: &Checkpoint) -> Result<BTreeSet<String>> {
    fn walk(ns: &[AaNamespace], out: &mut BTreeSet<String>) {
        for n in ns {
            out.extend(n.policies.iter().map(|p| p.name.clone()));
            walk(&n.namespaces, out);
        }
    }
    let mut out = BTreeSet::new();
    if cp.has("apparmor.img") {
        for e in cp.read_all::<ApparmorEntry>("apparmor.img")? {
            walk(&e.namespaces, &mut out);
        }
    }
    Ok(out)
}

/// SELinux must be enabled here; each label is a note: whether this
/// policy defines its type is known to the kernel only through a write
/// (`/sys/fs/selinux/context`), which a check does not make.
fn selinux(labels: &BTreeMap<String, String>, lsm_known: bool, host: &dyn Host, out: &mut Findings) {
    let Some(mode) = host.selinux_mode() else {
        let (kind, message) = if lsm_known {
            (
                Kind::Lsm,
                "the checkpoint was taken under selinux, which is not enabled here (no /sys/fs/selinux/enforce)",
            )
        } else {
            (
                Kind::Unchecked,
                "the checkpoint was taken under selinux; whether it is enabled here could not be told",
            )
        };
        let mut f = Finding::new(Area::Kernel, kind, message);
        f.feature = Some("selinux".to_string());
        if kind == Kind::Lsm {
            out.problems
                .push(f.fix("restore where SELinux is enabled, or give criu restore --lsm-profile"));
        } else {
            out.notes.push(f);
        }
        return;
    };
    for (label, task) in labels {
        let ty = label.split(':').nth(2).unwrap_or(label);
        let mut f = Finding::new(
            Area::Kernel,
            Kind::Unchecked,
            format!(
                "SELinux label {label} of {task}: whether this host's policy ({mode}) defines type {ty} cannot be told without asking the kernel"
            ),
        )
        .fix(format!(
            "check with seinfo -t {ty} (setools), or give criu restore --lsm-profile selinux:LABEL"
        ));
        f.feature = Some(label.clone());
        out.notes.push(f);
    }
}
