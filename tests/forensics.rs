//! Issue 12: what a person investigating a checkpoint needs. `--pid` on the
//! explorers, folded hexdumps, memory gaps that say what they are, memory
//! filters, the overview, richer fds. Exact values from the corpus.

mod common;

use common::{crit_text, fixtures};

fn cp(name: &str) -> String {
    fixtures().join("corpus").join(name).display().to_string()
}

fn ok(args: &[&str]) -> (String, String) {
    let (out, err, success) = crit_text(args);
    assert!(success, "crit {args:?} failed: {err}");
    (out, err)
}

fn pids(json: &str) -> Vec<u64> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["pid"].as_u64().unwrap())
        .collect()
}

#[test]
fn pid_selects_one_task_on_every_explorer() {
    let tree = cp("tree");
    for what in ["ps", "fds", "mems", "rss", "sk"] {
        let (out, err) = ok(&["x", &tree, what, "--pid", "20886", "--format", "json"]);
        assert_eq!(pids(&out), [20886], "x {what} --pid");
        assert_eq!(err, "");
    }
}

#[test]
fn pid_with_tree_keeps_the_subtree_in_tree_order() {
    let tree = cp("tree");
    let (out, _) = ok(&["x", &tree, "ps", "--pid", "20886", "--tree", "--format", "json"]);
    assert_eq!(pids(&out), [20886, 20888]);
    let (out, _) = ok(&["x", &tree, "fds", "--pid", "20884", "--tree", "--format", "json"]);
    assert_eq!(pids(&out), [20884, 20885, 20886, 20888, 20887]);
    let (out, _) = ok(&["x", &tree, "ps", "--pid", "20886", "--tree"]);
    assert_eq!(
        out,
        "  PID   PPID   PGID    SID  THR  STATE  COMM\n\
         20886  20884  20886  20884    1  alive  tree-kid1\n\
         20888  20886  20886  20884    1  alive      tree-grandkid\n"
    );
}

#[test]
fn a_thread_id_names_its_process() {
    let threads = cp("threads");
    let (out, err) = ok(&["x", &threads, "mems", "--pid", "20916", "--format", "json"]);
    assert_eq!(pids(&out), [20914]);
    assert_eq!(err, "crit: note: 20916 is a thread of process 20914; showing 20914\n");
    let (out, err) = ok(&["mem", &threads, "--pid", "20916", "args"]);
    assert_eq!(out, "/usr/local/bin/cwork\nthreads\n");
    assert_eq!(err, "crit: note: 20916 is a thread of process 20914; reading 20914\n");
}

#[test]
fn pid_errors() {
    let tree = cp("tree");
    let (_, err, success) = crit_text(&["x", &tree, "ps", "--pid", "1"]);
    assert!(!success);
    assert!(
        err.ends_with("tree: no task nor thread with pid 1 in pstree.img\n"),
        "{err}"
    );
    let out = common::crit(&["x", &tree, "ps", "--tree"]);
    assert_eq!(out.status.code(), Some(2), "--tree without --pid is a usage error");
}
