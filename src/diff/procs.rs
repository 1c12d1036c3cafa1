//! Processes: pairing the tasks of A and B, and what differs in a pair —
//! tree fields, state, threads, command line, environment, credentials.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::{check, Change, MatchBy};
use crate::checkpoint::{Checkpoint, Task, TaskState};
use crate::error::{Error, Limit, Result};
use crate::mem::MemReader;
use crate::proto::{CoreEntry, CredsEntry};

/// Which task of A goes with which task of B (indexes into `tasks`).
#[derive(Debug, Clone, Default)]
pub struct Pairing {
    /// Pairs `(index in A, index in B)`, in A's tree order.
    pub pairs: Vec<(usize, usize)>,
    /// Tasks of A without a pair.
    pub only_a: Vec<usize>,
    /// Tasks of B without a pair.
    pub only_b: Vec<usize>,
    /// A's pid to B's pid, for every pair: to compare ppid, pgid, sid as
    /// references to tasks rather than numbers.
    pub pid_map: HashMap<u32, u32>,
}

/// A task of one side only.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRef {
    /// Its pid.
    pub pid: u32,
    /// Its parent's pid.
    pub ppid: u32,
    /// Its `comm`.
    pub comm: String,
    /// Its state.
    pub state: TaskState,
}

/// Tasks found on one side only.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Processes {
    /// Tasks only in B.
    pub added: Vec<TaskRef>,
    /// Tasks only in A.
    pub removed: Vec<TaskRef>,
}

/// One environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    /// Its name (before the first `=`).
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A variable in both environments with different values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvChange {
    /// Its name.
    pub name: String,
    /// The value in A.
    pub a: String,
    /// The value in B.
    pub b: String,
}

/// How the environment changed, by variable name (in name order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnvDiff {
    /// Variables only in B.
    pub added: Vec<EnvVar>,
    /// Variables only in A.
    pub removed: Vec<EnvVar>,
    /// Variables in both, with different values.
    pub changed: Vec<EnvChange>,
}

impl EnvDiff {
    /// True when the environments hold the same variables.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Pairs the tasks of `a` with those of `b`.
pub fn pair(a: &Checkpoint, b: &Checkpoint, by: MatchBy) -> Pairing {
    let (ka, kb) = match by {
        MatchBy::Pid => (pid_keys(a), pid_keys(b)),
        MatchBy::Comm => {
            // One numbering of tree paths for both sides, so that equal
            // paths get equal keys.
            let mut paths = HashMap::new();
            (tree_keys(a, &mut paths), tree_keys(b, &mut paths))
        }
    };
    let index_b: HashMap<u64, usize> = kb.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    let index_a: HashMap<u32, usize> = a.tasks.iter().enumerate().map(|(i, t)| (t.pid, i)).collect();
    let mut p = Pairing::default();
    let mut taken = vec![false; b.tasks.len()];
    for (_, t) in a.tree_order() {
        let ia = index_a[&t.pid];
        match index_b.get(&ka[ia]) {
            Some(&ib) if !taken[ib] => {
                taken[ib] = true;
                p.pairs.push((ia, ib));
                p.pid_map.insert(t.pid, b.tasks[ib].pid);
            }
            _ => p.only_a.push(ia),
        }
    }
    p.only_b = (0..b.tasks.len()).filter(|&i| !taken[i]).collect();
    p
}

/// Keys by task index: the pid.
fn pid_keys(cp: &Checkpoint) -> Vec<u64> {
    cp.tasks.iter().map(|t| u64::from(t.pid)).collect()
}

/// Keys by task index: the number of the task's path from the root,
/// `/comm#n/comm#n…`, where `n` counts the earlier siblings of the same name
/// (so two `worker`s stay apart). A path is numbered as its parent's number,
/// the comm and `n` (`paths`, shared by both sides), never spelled out: a
/// deep tree costs no more than a wide one.
fn tree_keys(cp: &Checkpoint, paths: &mut HashMap<(u64, String, usize), u64>) -> Vec<u64> {
    let index: HashMap<u32, usize> = cp.tasks.iter().enumerate().map(|(i, t)| (t.pid, i)).collect();
    // 0 is the empty path (above the roots); paths are numbered from 1.
    let mut keys = vec![0u64; cp.tasks.len()];
    let mut seen: HashMap<(u64, &str), usize> = HashMap::new();
    for (depth, t) in cp.tree_order() {
        let parent = match index.get(&t.ppid) {
            Some(&i) if depth > 0 => keys[i],
            _ => 0,
        };
        let n = seen.entry((parent, t.comm.as_str())).or_insert(0);
        let next = paths.len() as u64 + 1;
        keys[index[&t.pid]] = *paths.entry((parent, t.comm.clone(), *n)).or_insert(next);
        *n += 1;
    }
    keys
}

/// The tasks of one side only.
pub(crate) fn unpaired(a: &Checkpoint, b: &Checkpoint, p: &Pairing) -> Processes {
    let r = |t: &Task| TaskRef {
        pid: t.pid,
        ppid: t.ppid,
        comm: t.comm.clone(),
        state: t.state,
    };
    Processes {
        added: p.only_b.iter().map(|&i| r(&b.tasks[i])).collect(),
        removed: p.only_a.iter().map(|&i| r(&a.tasks[i])).collect(),
    }
}

/// What differs between task `ta` of `a` and task `tb` of `b`: its fields
/// (comm, ppid, pgid, sid, state, threads, argv, creds.*) and its environment,
/// read from `mems`, the pair's memory (`None` unless both have resources).
///
/// # Errors
///
/// A core image, or the memory holding argv and the environment, cannot be read.
pub(crate) fn compare_tasks(
    a: &Checkpoint,
    b: &Checkpoint,
    ta: &Task,
    tb: &Task,
    p: &Pairing,
    mems: Option<(&MemReader, &MemReader)>,
) -> Result<(Vec<Change>, EnvDiff)> {
    let mut out = Vec::new();
    check(&mut out, "comm", ta.comm.as_str(), tb.comm.as_str());
    // ppid, pgid and sid name tasks: compared through the pairing, so a
    // restore that renumbered everything consistently shows no change.
    let mapped = |pid: u32| p.pid_map.get(&pid).copied().unwrap_or(pid);
    for (field, va, vb) in [
        ("ppid", ta.ppid, tb.ppid),
        ("pgid", ta.pgid, tb.pgid),
        ("sid", ta.sid, tb.sid),
    ] {
        if mapped(va) != vb {
            out.push(Change::new(field, va, vb));
        }
    }
    check(&mut out, "state", ta.state.as_str(), tb.state.as_str());
    if ta.state == TaskState::Zombie && tb.state == TaskState::Zombie {
        check(&mut out, "exit_code", ta.exit_code, tb.exit_code);
    }
    let threads = |t: &Task| t.threads.len().max(1) as u64;
    check(&mut out, "threads", threads(ta), threads(tb));
    creds(&mut out, &creds_of(a, ta.pid)?, &creds_of(b, tb.pid)?);
    let mut env = EnvDiff::default();
    if let Some((ma, mb)) = mems {
        let (argv_a, argv_b) = (held(ma.args())?, held(mb.args())?);
        if argv_a != argv_b {
            out.push(Change::new("argv", argv_a, argv_b));
        }
        if let (Some(ea), Some(eb)) = (held(ma.env())?, held(mb.env())?) {
            env = env_diff(&ea, &eb);
        } else {
            check(&mut out, "env", held(ma.env())?.is_some(), held(mb.env())?.is_some());
        }
    }
    Ok((out, env))
}

/// Strings read from memory, or `None` when the checkpoint does not hold
/// their pages, or they cannot be read here (a compressed archive's pages
/// not kept, the limit on temporary files): the pages differ then, and say
/// so. Other errors stand.
fn held(r: Result<Vec<String>>) -> Result<Option<Vec<String>>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(
            Error::MemoryMissing { .. }
            | Error::Damaged { .. }
            | Error::AddressOverflow { .. }
            | Error::MemberUnavailable { .. }
            | Error::LimitExceeded {
                limit: Limit::TempFiles { .. },
                ..
            },
        ) => Ok(None),
        Err(e) => Err(e),
    }
}

fn creds_of(cp: &Checkpoint, pid: u32) -> Result<Option<CredsEntry>> {
    let core: CoreEntry = cp.read_first(&crate::image::name::core(pid))?;
    Ok(core.thread_core.and_then(|t| t.creds))
}

/// Credentials, field by field (`creds.uid`, `creds.cap_eff`, …); capability
/// sets as lists of 32-bit words, as CRIU stores them.
fn creds(out: &mut Vec<Change>, a: &Option<CredsEntry>, b: &Option<CredsEntry>) {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => return,
        (a, b) => {
            out.push(Change::new("creds", a.is_some(), b.is_some()));
            return;
        }
    };
    let ids = |c: &CredsEntry| {
        [
            ("uid", c.uid),
            ("gid", c.gid),
            ("euid", c.euid),
            ("egid", c.egid),
            ("suid", c.suid),
            ("sgid", c.sgid),
            ("fsuid", c.fsuid),
            ("fsgid", c.fsgid),
            ("secbits", c.secbits),
            ("no_new_privs", c.no_new_privs.unwrap_or(0)),
        ]
    };
    for ((name, va), (_, vb)) in ids(a).into_iter().zip(ids(b)) {
        check(out, &format!("creds.{name}"), va, vb);
    }
    let sets = |c: &CredsEntry| {
        [
            ("cap_inh", c.cap_inh.clone()),
            ("cap_prm", c.cap_prm.clone()),
            ("cap_eff", c.cap_eff.clone()),
            ("cap_bnd", c.cap_bnd.clone()),
            ("cap_amb", c.cap_amb.clone()),
            ("groups", c.groups.clone()),
        ]
    };
    for ((name, va), (_, vb)) in sets(a).into_iter().zip(sets(b)) {
        check(out, &format!("creds.{name}"), va, vb);
    }
    let lsm = |c: &CredsEntry| c.lsm_profile.clone().map_or(Value::Null, Value::from);
    check(out, "creds.lsm_profile", lsm(a), lsm(b));
}

/// The environments compared by variable name. A string without `=` is a
/// variable of that name with an empty value; of repeated names, the first wins
/// (as `getenv` finds it).
pub(crate) fn env_diff(a: &[String], b: &[String]) -> EnvDiff {
    fn vars(env: &[String]) -> BTreeMap<&str, &str> {
        let mut m = BTreeMap::new();
        for v in env {
            let (name, value) = v.split_once('=').unwrap_or((v, ""));
            m.entry(name).or_insert(value);
        }
        m
    }
    let (va, vb) = (vars(a), vars(b));
    let var = |name: &str, value: &str| EnvVar {
        name: name.to_string(),
        value: value.to_string(),
    };
    let mut d = EnvDiff::default();
    for (name, value) in &va {
        match vb.get(name) {
            None => d.removed.push(var(name, value)),
            Some(other) if other != value => d.changed.push(EnvChange {
                name: name.to_string(),
                a: value.to_string(),
                b: other.to_string(),
            }),
            Some(_) => {}
        }
    }
    for (name, value) in &vb {
        if !va.contains_key(name) {
            d.added.push(var(name, value));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn environments_by_name() {
        let d = env_diff(&s(&["A=1", "B=2", "C=3", "C=9"]), &s(&["B=2", "C=4", "D"]));
        assert_eq!(
            d.removed,
            [EnvVar {
                name: "A".into(),
                value: "1".into()
            }]
        );
        assert_eq!(
            d.added,
            [EnvVar {
                name: "D".into(),
                value: "".into()
            }]
        );
        assert_eq!(
            d.changed,
            [EnvChange {
                name: "C".into(),
                a: "3".into(),
                b: "4".into()
            }]
        );
        assert!(env_diff(&s(&["X=1"]), &s(&["X=1"])).is_empty());
    }
}
