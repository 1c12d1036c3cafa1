//! `cg`: the cgroups of the tasks and the controller settings CRIU saved, from
//! `cgroup.img`. Each task names a cgroup set (`cg_set` of its core image:
//! the thread core's, else the task core's, else `root_cg_set` of
//! `inventory.img`); a set gives, per controller, the task's cgroup path; the
//! controllers' directory trees hold the saved properties.

use serde::Serialize;

use crate::error::Result;
use crate::proto::{CgroupDirEntry, CgroupEntry, CoreEntry, InventoryEntry};

use crate::checkpoint::Checkpoint;

/// The report of `crit x DIR cg`.
#[derive(Debug, Clone, Serialize)]
pub struct CgReport {
    /// Whether the checkpoint has `cgroup.img`.
    pub dumped: bool,
    /// Why there is nothing to show, when `cgroup.img` is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The cgroup sets the tasks are in, in `cgroup.img` order; sets no task
    /// uses are left out.
    pub sets: Vec<CgSet>,
    /// Each task's set, in `pstree.img` order.
    pub tasks: Vec<CgTask>,
    /// Every controller hierarchy with its saved directories.
    pub controllers: Vec<Controller>,
}

/// A task and its cgroup set.
#[derive(Debug, Clone, Serialize)]
pub struct CgTask {
    /// The task's pid.
    pub pid: u32,
    /// The task's name.
    pub comm: String,
    /// The id of its cgroup set; `None` for a zombie (no core cgroup data).
    pub cg_set: Option<u32>,
}

/// One cgroup set: a cgroup per controller.
#[derive(Debug, Clone, Serialize)]
pub struct CgSet {
    /// The set's id (`cg_set_entry.id`).
    pub id: u32,
    /// The pids of the tasks in it.
    pub tasks: Vec<u32>,
    /// True when it is CRIU's own set (`root_cg_set`): the tasks did not
    /// leave the cgroups CRIU ran in.
    pub criu: bool,
    /// Controller → path, in image order. The cgroup v2 hierarchy has the
    /// empty name `""`; named v1 hierarchies are `name=…`.
    pub cgroups: Vec<CgPath>,
}

/// A controller and the set's cgroup in it.
#[derive(Debug, Clone, Serialize)]
pub struct CgPath {
    /// The controller (`cg_member_entry.name`).
    pub controller: String,
    /// The cgroup's path in that hierarchy (`path`).
    pub path: String,
    /// The properties saved for exactly that cgroup (name → value).
    pub properties: Vec<Property>,
}

/// One saved controller hierarchy.
#[derive(Debug, Clone, Serialize)]
pub struct Controller {
    /// The controllers mounted together on it (`cnames`).
    pub names: Vec<String>,
    /// Whether it is a threaded cgroup v2 hierarchy (`is_threaded`).
    pub threaded: bool,
    /// Every directory CRIU saved, depth first, with its full path.
    pub dirs: Vec<CgDir>,
}

/// A saved cgroup directory.
#[derive(Debug, Clone, Serialize)]
pub struct CgDir {
    /// Its path from the hierarchy's root, `/a/b`.
    pub path: String,
    /// Its permission bits (`dir_perms.mode`), when saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// The properties (control files) CRIU saved.
    pub properties: Vec<Property>,
}

/// A control file's saved value.
#[derive(Debug, Clone, Serialize)]
pub struct Property {
    /// The file's name, e.g. `cpu.shares`.
    pub name: String,
    /// Its value as read.
    pub value: String,
}

/// Reads `cgroup.img` and each task's set.
pub fn explore(cp: &Checkpoint) -> Result<CgReport> {
    let root_set = if cp.has("inventory.img") {
        cp.read_first::<InventoryEntry>("inventory.img")?.root_cg_set
    } else {
        None
    };
    let mut tasks = Vec::with_capacity(cp.tasks.len());
    for t in &cp.tasks {
        let cg_set = if t.state.has_resources() {
            let core: CoreEntry = cp.read_first(&crate::image::name::core(t.pid))?;
            core.thread_core
                .as_ref()
                .and_then(|c| c.cg_set)
                .or(core.tc.as_ref().and_then(|c| c.cg_set))
                .or(root_set)
        } else {
            None
        };
        tasks.push(CgTask {
            pid: t.pid,
            comm: t.comm.clone(),
            cg_set,
        });
    }
    if !cp.has("cgroup.img") {
        return Ok(CgReport {
            dumped: false,
            note: Some("no cgroup.img: the tasks were in CRIU's own cgroups (nothing to save)".into()),
            sets: Vec::new(),
            tasks,
            controllers: Vec::new(),
        });
    }
    let cg: CgroupEntry = cp.read_first("cgroup.img")?;
    let controllers: Vec<Controller> = cg
        .controllers
        .iter()
        .map(|c| {
            let mut dirs = Vec::new();
            for d in &c.dirs {
                flatten(d, "", &mut dirs);
            }
            Controller {
                names: c.cnames.clone(),
                threaded: c.is_threaded.unwrap_or(false),
                dirs,
            }
        })
        .collect();
    // Each set's tasks, in task order: one pass over the tasks, not one per set.
    let mut users_of: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for t in &tasks {
        if let Some(id) = t.cg_set {
            users_of.entry(id).or_default().push(t.pid);
        }
    }
    let mut sets = Vec::new();
    for s in &cg.sets {
        let users: Vec<u32> = users_of.get(&s.id).cloned().unwrap_or_default();
        if users.is_empty() {
            continue;
        }
        let cgroups = s
            .ctls
            .iter()
            .map(|m| CgPath {
                controller: m.name.clone(),
                path: m.path.clone(),
                properties: controllers
                    .iter()
                    .filter(|c| c.names.contains(&m.name))
                    .flat_map(|c| c.dirs.iter())
                    .find(|d| same_path(&d.path, &m.path))
                    .map(|d| d.properties.clone())
                    .unwrap_or_default(),
            })
            .collect();
        sets.push(CgSet {
            id: s.id,
            tasks: users,
            criu: root_set == Some(s.id),
            cgroups,
        });
    }
    Ok(CgReport {
        dumped: true,
        note: None,
        sets,
        tasks,
        controllers,
    })
}

fn same_path(a: &str, b: &str) -> bool {
    a.trim_matches('/') == b.trim_matches('/')
}

/// A directory and its children, depth first; `dir_name` of a top directory
/// is a relative path, of a child one component.
fn flatten(d: &CgroupDirEntry, parent: &str, out: &mut Vec<CgDir>) {
    let name = d.dir_name.trim_matches('/');
    let path = match (parent, name) {
        (p, "") => {
            if p.is_empty() {
                "/".to_string()
            } else {
                p.to_string()
            }
        }
        ("" | "/", n) => format!("/{n}"),
        (p, n) => format!("{p}/{n}"),
    };
    out.push(CgDir {
        path: path.clone(),
        mode: d.dir_perms.as_ref().map(|p| p.mode),
        properties: d
            .properties
            .iter()
            .map(|p| Property {
                name: p.name.clone(),
                value: p.value.clone(),
            })
            .collect(),
    });
    for c in &d.children {
        flatten(c, &path, out);
    }
}
