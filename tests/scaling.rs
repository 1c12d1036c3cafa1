//! Every command linear in the number of tasks: run on a generated
//! checkpoint of N tasks and on one of 4N, the work done (images opened and
//! their bytes, counted by `crit::source::work`, which does not depend on the
//! machine's speed) may be at most four times as much. A command that reads
//! `pstree.img` once per task (the overview once did: 5,001 opens for 5,000
//! tasks) reads N² bytes and fails this. The count is the whole process's,
//! so the test that counts runs in a process of its own.

use crate::common;

use std::path::Path;

use crit::explore::{cg, fds, mems, mnt, net, ns, overview, ps, rss, sk, Checkpoint};
use crit::source::{work, Work};

const N: u32 = 100;

/// The work `run` does.
fn measure(run: impl FnOnce()) -> Work {
    let before = work();
    run();
    let after = work();
    Work {
        opens: after.opens - before.opens,
        bytes: after.bytes - before.bytes,
    }
}

/// Every command on the checkpoint at `dir`, by name, with its work.
fn all_work(dir: &Path) -> Vec<(&'static str, Work)> {
    let cp = || Checkpoint::open(dir).unwrap();
    let opts = crit::diff::Options::default();
    vec![
        ("open", measure(|| drop(cp()))),
        ("overview", measure(|| drop(overview::explore(&cp()).unwrap()))),
        ("ps", measure(|| drop(ps::explore(&cp())))),
        ("fds", measure(|| drop(fds::explore(&cp()).unwrap()))),
        ("mems", measure(|| drop(mems::explore(&cp()).unwrap()))),
        ("rss", measure(|| drop(rss::explore(&cp()).unwrap()))),
        ("sk", measure(|| drop(sk::explore(&cp()).unwrap()))),
        ("net", measure(|| drop(net::explore(&cp()).unwrap()))),
        ("mnt", measure(|| drop(mnt::explore(&cp()).unwrap()))),
        ("ns", measure(|| drop(ns::explore(&cp()).unwrap()))),
        ("cg", measure(|| drop(cg::explore(&cp()).unwrap()))),
        ("diff", measure(|| drop(crit::diff::compare(dir, dir, &opts).unwrap()))),
        ("inspect", measure(|| drop(crit::inspect::inspect(dir).unwrap()))),
    ]
}

#[test]
fn work_grows_linearly_with_tasks() {
    if !common::in_own_process("scaling::work_grows_linearly_with_tasks") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    for fanout in [64, 1] {
        let (small, large) = (
            t.path().join(format!("n-{fanout}")),
            t.path().join(format!("4n-{fanout}")),
        );
        common::bulk::many_tasks(&small, N, fanout);
        common::bulk::many_tasks(&large, 4 * N, fanout);
        let (ws, wl) = (all_work(&small), all_work(&large));
        for ((name, s), (_, l)) in ws.iter().zip(&wl) {
            // Each task costs at least its core image: N tasks open N images.
            assert!(s.opens >= u64::from(N), "{name}: {s:?}");
            assert!(
                l.opens <= 4 * s.opens && l.bytes <= 4 * s.bytes,
                "{name} (fan-out {fanout}): {N} tasks {s:?}, {} tasks {l:?}: more than 4 times the work",
                4 * N
            );
        }
    }
}

#[test]
fn overview_reads_each_task() {
    // Known answers on the generated tree: every task's argv is the
    // template's, read from memory.
    let t = tempfile::tempdir().unwrap();
    common::bulk::many_tasks(t.path(), 5, 2);
    let r = overview::explore(&Checkpoint::open(t.path()).unwrap()).unwrap();
    let order: Vec<(u32, usize)> = r.tasks.iter().map(|t| (t.pid, t.depth)).collect();
    assert_eq!(order, [(1000, 0), (1001, 1), (1003, 2), (1004, 2), (1002, 1)]);
    let tpl = overview::explore(&Checkpoint::open(common::corpus("mem")).unwrap()).unwrap();
    let argv = tpl.tasks[0].argv.clone();
    assert!(argv.as_ref().is_some_and(|a| !a.is_empty()));
    assert!(r.tasks.iter().all(|t| t.argv == argv && t.fds == tpl.tasks[0].fds));
}

#[test]
fn diff_reads_each_task_image_once_per_side() {
    if !common::in_own_process("scaling::diff_reads_each_task_image_once_per_side") {
        return;
    }
    // What N more tasks cost `diff D D`, shared images apart: per task and
    // side, its core image twice (the tree, then the credentials), its
    // pagemap twice (the page size, then the memory), its mm, ids, fd
    // table and pages once each. The fd table and mm were read twice each
    // before (sockets and fds; memory and mappings): 11 opens, not 8.
    let t = tempfile::tempdir().unwrap();
    let (small, large) = (t.path().join("n"), t.path().join("4n"));
    common::bulk::many_tasks(&small, N, 64);
    common::bulk::many_tasks(&large, 4 * N, 64);
    let opts = crit::diff::Options::default();
    let diff = |dir: &Path| measure(|| drop(crit::diff::compare(dir, dir, &opts).unwrap()));
    let (s, l) = (diff(&small), diff(&large));
    let per_task = (l.opens - s.opens) / u64::from(3 * N);
    assert_eq!((l.opens - s.opens) % u64::from(3 * N), 0, "{s:?} {l:?}");
    assert!(per_task <= 2 * 8, "{per_task} opens per task: {s:?} {l:?}");
}
