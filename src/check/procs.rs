//! Processes: tasks that were in the pid namespace CRIU ran in are restored
//! with their pids and thread ids, so each must be free here. Tasks in a pid
//! namespace of their own (a container) get a fresh namespace and need not.

use crate::checkpoint::Checkpoint;
use crate::error::Result;

use super::{Area, Finding, Findings, Host, Kind};

/// Checks the pids of `cp` against `host`.
pub fn check(cp: &Checkpoint, host: &dyn Host) -> Result<Findings> {
    let mut out = Findings::default();
    let root_pidns = super::root_ids(cp)?.and_then(|ids| ids.pid_ns_id);
    let mut own_ns = Vec::new();
    for t in &cp.tasks {
        // The task's pid namespace against CRIU's: a different one is
        // created afresh on restore (CLONE_NEWPID).
        let ns = cp.ids(t.pid).ok().and_then(|ids| ids.pid_ns_id);
        if matches!((ns, root_pidns), (Some(a), Some(b)) if a != b) {
            own_ns.push(t.pid);
            continue;
        }
        let mut ids = vec![t.pid];
        ids.extend(t.threads.iter().copied().filter(|&tid| tid != t.pid));
        for id in ids {
            let Some(holder) = host.pid_holder(id) else { continue };
            let what = if id == t.pid { "pid" } else { "thread id" };
            let mut f = Finding::new(
                Area::Processes,
                Kind::PidTaken,
                format!("{what} {id} of {} is taken here by {holder:?}", t.comm),
            )
            .fix(format!(
                "stop {holder:?} (pid {id}) before the restore, or restore into a new pid namespace"
            ));
            f.pid = Some(id);
            f.found = Some(holder);
            f.expected = Some(t.comm.clone());
            out.problems.push(f);
        }
    }
    if !own_ns.is_empty() {
        let list: Vec<String> = own_ns.iter().map(u32::to_string).collect();
        out.notes.push(Finding::new(
            Area::Processes,
            Kind::OwnPidNamespace,
            format!(
                "{} {} in a pid namespace of {} own: their pids need not be free here",
                if own_ns.len() == 1 { "task" } else { "tasks" },
                list.join(" "),
                if own_ns.len() == 1 { "its" } else { "their" },
            ),
        ));
    }
    Ok(out)
}
