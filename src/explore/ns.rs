//! `ns`: which namespaces the tasks share, from each task's `ids-PID.img`
//! (`task_kobj_ids_entry`), set against CRIU's own namespaces (`root_ids` of
//! `inventory.img`: the namespaces `criu dump` ran in, normally the host's).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Result;
use crate::image::name;
use crate::proto::{InventoryEntry, TaskKobjIdsEntry, UtsnsEntry};

use super::TaskHead;
use crate::checkpoint::Checkpoint;

/// The image name of a namespace of one type, from its id.
pub(crate) type NsImage = fn(u32) -> String;

/// The namespace types, in the order tables show them, with the name of the
/// image CRIU writes for a namespace of that type that it dumped.
pub(crate) const KINDS: [(&str, Option<NsImage>); 8] = [
    ("pid", Some(name::pidns::<u32>)),
    ("net", Some(name::netns::<u32>)),
    ("ipc", Some(name::ipcns_var::<u32>)),
    ("uts", Some(name::utsns::<u32>)),
    ("mnt", Some(name::mountpoints::<u32>)),
    ("user", Some(name::userns::<u32>)),
    ("cgroup", None),
    // CRIU writes the clocks of a time namespace to `timens-0.img` whatever its id.
    ("time", None),
];

/// The report of `crit x DIR ns`.
#[derive(Debug, Clone, Serialize)]
pub struct NsReport {
    /// Every namespace some task is in, by type (in `KINDS` order) then id.
    pub namespaces: Vec<Namespace>,
    /// Each task's namespace ids, in `pstree.img` order.
    pub tasks: Vec<NsTask>,
}

/// One namespace and the tasks in it.
#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    /// `pid`, `net`, `ipc`, `uts`, `mnt`, `user`, `cgroup` or `time`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// CRIU's id of the namespace (the `N` of its images).
    pub id: u32,
    /// The pids of the tasks in it.
    pub tasks: Vec<u32>,
    /// True when it is CRIU's own (`root_ids` of `inventory.img`): the tasks
    /// share it with the host, and CRIU did not dump it.
    pub host: bool,
    /// The image that holds the namespace's state, when the checkpoint has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A uts namespace's host name (`nodename` of `utsns-N.img`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// A uts namespace's domain name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domainname: Option<String>,
}

/// One task's namespaces.
#[derive(Debug, Clone, Serialize)]
pub struct NsTask {
    /// The task (`pid`, `comm`, `state`; flattened into this object in JSON).
    #[serde(flatten)]
    pub task: TaskHead,
    /// Namespace type → id; empty for a task CRIU saved no ids for (a zombie).
    pub ids: BTreeMap<&'static str, u32>,
}

/// The namespace ids of one `task_kobj_ids_entry`, by type.
pub(crate) fn ns_ids(ids: &TaskKobjIdsEntry) -> Vec<(&'static str, u32)> {
    [
        ("pid", ids.pid_ns_id),
        ("net", ids.net_ns_id),
        ("ipc", ids.ipc_ns_id),
        ("uts", ids.uts_ns_id),
        ("mnt", ids.mnt_ns_id),
        ("user", ids.user_ns_id),
        ("cgroup", ids.cgroup_ns_id),
        ("time", ids.time_ns_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

/// The namespaces of `kind` the tasks are in, each with its tasks, in order
/// of first appearance in `pstree.img`. Zombies (no ids) are left out.
pub(crate) fn tasks_by_ns(cp: &Checkpoint, kind: &str) -> Result<Vec<(u32, Vec<u32>)>> {
    let mut out: Vec<(u32, Vec<u32>)> = Vec::new();
    // Where each namespace is in `out`.
    let mut at: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for t in &cp.tasks {
        if !t.state.has_resources() {
            continue;
        }
        let ids = cp.ids(t.pid)?;
        if let Some((_, id)) = ns_ids(&ids).into_iter().find(|(k, _)| *k == kind) {
            match at.get(&id) {
                Some(&i) => out[i].1.push(t.pid),
                None => {
                    at.insert(id, out.len());
                    out.push((id, vec![t.pid]));
                }
            }
        }
    }
    Ok(out)
}

/// CRIU's own namespace ids, from `inventory.img` (empty when it has none).
pub(crate) fn host_ids(cp: &Checkpoint) -> Result<Vec<(&'static str, u32)>> {
    if !cp.has("inventory.img") {
        return Ok(Vec::new());
    }
    let inv: InventoryEntry = cp.read_first("inventory.img")?;
    Ok(inv.root_ids.as_ref().map(ns_ids).unwrap_or_default())
}

/// Lists each namespace with its tasks.
pub fn explore(cp: &Checkpoint) -> Result<NsReport> {
    let host = host_ids(cp)?;
    let mut tasks = Vec::with_capacity(cp.tasks.len());
    // (kind index, id) → pids
    let mut seen: BTreeMap<(usize, u32), Vec<u32>> = BTreeMap::new();
    for t in &cp.tasks {
        let mut ids = BTreeMap::new();
        if t.state.has_resources() {
            for (kind, id) in ns_ids(&cp.ids(t.pid)?) {
                ids.insert(kind, id);
                let k = KINDS.iter().position(|(n, _)| *n == kind).expect("known kind");
                seen.entry((k, id)).or_default().push(t.pid);
            }
        }
        tasks.push(NsTask { task: t.into(), ids });
    }
    let mut namespaces = Vec::with_capacity(seen.len());
    for ((k, id), pids) in seen {
        let (kind, image) = KINDS[k];
        let image = image.map(|name| name(id)).filter(|n| cp.has(n));
        let mut ns = Namespace {
            kind,
            id,
            tasks: pids,
            host: host.contains(&(kind, id)),
            image,
            hostname: None,
            domainname: None,
        };
        if kind == "uts" {
            if let Some(img) = &ns.image {
                let uts: UtsnsEntry = cp.read_first(img)?;
                ns.hostname = Some(uts.nodename);
                ns.domainname = Some(uts.domainname);
            }
        }
        namespaces.push(ns);
    }
    Ok(NsReport { namespaces, tasks })
}
