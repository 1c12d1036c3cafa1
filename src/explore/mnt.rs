//! `mnt`: the mount tree of each mount namespace, from `mountpoints-N.img`
//! (N is the namespace's id), with each mount's source, type and options, and
//! for a tmpfs whose files CRIU saved, the size of `tmpfs-dev-D.tar.gz.img`.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::proto::MntEntry;
use crate::raw_image::tmpfs;

use super::ns::tasks_by_ns;
use crate::checkpoint::Checkpoint;

/// The report of `crit x DIR mnt`.
#[derive(Debug, Clone, Serialize)]
pub struct MntReport {
    /// One entry per mount namespace the tasks are in.
    pub namespaces: Vec<MntNamespace>,
}

/// One mount namespace.
#[derive(Debug, Clone, Serialize)]
pub struct MntNamespace {
    /// CRIU's id of the namespace (`mnt_ns_id` of `ids-PID.img`).
    pub id: u32,
    /// The pids of the tasks in it.
    pub tasks: Vec<u32>,
    /// `mountpoints-N.img`, or `None` when CRIU did not dump the namespace
    /// (the tasks shared CRIU's own; see `note`).
    pub image: Option<String>,
    /// Why there are no mounts, when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The mounts in tree order: each parent before its children, children by
    /// mount point.
    pub mounts: Vec<Mount>,
}

/// One mount.
#[derive(Debug, Clone, Serialize)]
pub struct Mount {
    /// `mnt_id`.
    pub mnt_id: u32,
    /// `parent_mnt_id`; a root mount's parent is not in the namespace.
    pub parent_mnt_id: u32,
    /// Depth in the tree: 0 for the root.
    pub depth: usize,
    /// Where it is mounted (`mountpoint`).
    pub mountpoint: String,
    /// The file system type: CRIU's name (`proc`, `tmpfs`, `cgroup`, …),
    /// `fsname` for an `auto` one; `unsupported` means CRIU has no handler of
    /// its own for it and the runtime bind-mounts it at restore (the root,
    /// volumes).
    pub fstype: String,
    /// What is mounted (`source`: a device, `tmpfs`, `proc`, …).
    pub source: String,
    /// The directory of the source file system that is mounted (`root`).
    pub root: String,
    /// Per-mount flags, as /proc/mounts writes them: `rw` or `ro`, then
    /// `nosuid`, `nodev`, `noexec`, `relatime`, … (`flags`).
    pub flags: Vec<String>,
    /// The superblock's options (`options`, e.g. `size=65536k,mode=755`).
    pub options: String,
    /// The superblock's flags (`sb_flags`), same names as `flags`.
    pub sb_flags: Vec<String>,
    /// The peer group of a shared mount (`shared_id`, 0: not shared).
    pub shared_id: u32,
    /// The peer group a slave mount receives from (`master_id`, 0: none).
    pub master_id: u32,
    /// The key of an external mount the runtime provides at restore (`ext_key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<String>,
    /// True when the mount point was deleted (`deleted`).
    pub deleted: bool,
    /// For a tmpfs whose files CRIU saved: its `tmpfs-dev-D.tar.gz.img`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<TmpfsContents>,
}

/// What a tmpfs mount held, from its `tmpfs-dev-D.tar.gz.img`.
#[derive(Debug, Clone, Serialize)]
pub struct TmpfsContents {
    /// The image's name.
    pub image: String,
    /// Members other than directories (files, links, devices).
    pub files: usize,
    /// Bytes of regular files.
    pub bytes: u64,
}

/// CRIU's `fstype` enum (mnt.proto), lowercase.
pub(crate) fn fstype_name(n: u32) -> String {
    const NAMES: [&str; 20] = [
        "unsupported",
        "proc",
        "sysfs",
        "devtmpfs",
        "binfmt_misc",
        "tmpfs",
        "devpts",
        "simfs",
        "pstore",
        "securityfs",
        "fusectl",
        "debugfs",
        "cgroup",
        "aufs",
        "mqueue",
        "fuse",
        "auto",
        "overlayfs",
        "autofs",
        "tracefs",
    ];
    match n {
        23 => "cgroup2".into(),
        n => NAMES
            .get(n as usize)
            .map_or_else(|| format!("fstype {n}"), |s| s.to_string()),
    }
}

/// `MS_*` mount flags by name, as /proc/mounts spells them.
pub(crate) fn mount_flag_names(flags: u32) -> Vec<String> {
    const NAMES: [(u32, &str); 11] = [
        (0x2, "nosuid"),
        (0x4, "nodev"),
        (0x8, "noexec"),
        (0x10, "sync"),
        (0x40, "mand"),
        (0x80, "dirsync"),
        (0x400, "noatime"),
        (0x800, "nodiratime"),
        (0x20_0000, "relatime"),
        (0x100_0000, "strictatime"),
        (0x200_0000, "lazytime"),
    ];
    let mut out = vec![if flags & 1 != 0 { "ro" } else { "rw" }.to_string()];
    let mut known = 1;
    for (bit, name) in NAMES {
        known |= bit;
        if flags & bit != 0 {
            out.push(name.to_string());
        }
    }
    if flags & !known != 0 {
        out.push(format!("{:#x}", flags & !known));
    }
    out
}

/// Reads each mount namespace's tree.
pub fn explore(cp: &Checkpoint) -> Result<MntReport> {
    let mut namespaces = Vec::new();
    for (id, tasks) in tasks_by_ns(cp, "mnt")? {
        let name = crate::image::name::mountpoints(id);
        if !cp.has(&name) {
            namespaces.push(MntNamespace {
                id,
                tasks,
                image: None,
                note: Some(format!(
                    "not dumped: no {name} (the tasks share CRIU's namespace, the host's)"
                )),
                mounts: Vec::new(),
            });
            continue;
        }
        let entries: Vec<MntEntry> = cp.read_all(&name)?;
        let mut mounts = Vec::with_capacity(entries.len());
        for (depth, m) in tree_order(&entries) {
            mounts.push(mount(cp, m, depth)?);
        }
        namespaces.push(MntNamespace {
            id,
            tasks,
            image: Some(name),
            note: None,
            mounts,
        });
    }
    Ok(MntReport { namespaces })
}

fn mount(cp: &Checkpoint, m: &MntEntry, depth: usize) -> Result<Mount> {
    let fstype = match (m.fstype, m.fsname.as_deref()) {
        (16, Some(name)) if !name.is_empty() => name.to_string(),
        (n, _) => fstype_name(n),
    };
    // `root_dev` is the kernel's dev_t, which names the tmpfs image.
    let tar = crate::image::name::tmpfs_dev(m.root_dev);
    let contents = if m.fstype == 5 && cp.has(&tar) {
        let (f, _) = cp.source().open_image(&tar)?;
        let (mut files, mut bytes) = (0, 0);
        tmpfs::for_each(f, &cp.source().image_label(&tar), |e, _| {
            if e.kind != "dir" {
                files += 1;
            }
            if e.kind == "file" {
                bytes += e.size;
            }
            Ok(())
        })?;
        Some(TmpfsContents {
            image: tar,
            files,
            bytes,
        })
    } else {
        None
    };
    Ok(Mount {
        mnt_id: m.mnt_id,
        parent_mnt_id: m.parent_mnt_id,
        depth,
        mountpoint: m.mountpoint.clone(),
        fstype,
        source: m.source.clone(),
        root: m.root.clone(),
        flags: mount_flag_names(m.flags),
        options: m.options.clone(),
        sb_flags: mount_flag_names(m.sb_flags.unwrap_or(0)),
        shared_id: m.shared_id.unwrap_or(0),
        master_id: m.master_id.unwrap_or(0),
        external: m.ext_key.clone().filter(|k| !k.is_empty()),
        deleted: m.deleted.unwrap_or(false),
        contents,
    })
}

/// The mounts depth-first from the roots (mounts whose parent is not in the
/// image), children sorted by mount point; every entry appears once, even
/// in a corrupt image with cycles.
fn tree_order(entries: &[MntEntry]) -> Vec<(usize, &MntEntry)> {
    let index: HashMap<u32, usize> = entries.iter().enumerate().map(|(i, m)| (m.mnt_id, i)).collect();
    let mut kids: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, m) in entries.iter().enumerate() {
        if m.parent_mnt_id == m.mnt_id || !index.contains_key(&m.parent_mnt_id) {
            roots.push(i);
        } else {
            kids.entry(m.parent_mnt_id).or_default().push(i);
        }
    }
    let by_point = |v: &mut Vec<usize>| v.sort_by(|&a, &b| entries[a].mountpoint.cmp(&entries[b].mountpoint));
    by_point(&mut roots);
    for v in kids.values_mut() {
        by_point(v);
    }
    let mut seen = vec![false; entries.len()];
    let mut unseen = 0;
    let mut out = Vec::with_capacity(entries.len());
    let mut stack: Vec<(usize, usize)> = roots.into_iter().rev().map(|i| (i, 0)).collect();
    loop {
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            out.push((depth, &entries[i]));
            if let Some(k) = kids.get(&entries[i].mnt_id) {
                stack.extend(k.iter().rev().map(|&k| (k, depth + 1)));
            }
        }
        // Never look again before the last one found.
        while unseen < seen.len() && seen[unseen] {
            unseen += 1;
        }
        match unseen < seen.len() {
            true => stack.push((unseen, 0)),
            false => break,
        }
    }
    out
}
