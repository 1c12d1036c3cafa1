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

#[test]
fn hexdump_folds_repeated_lines() {
    let mem = cp("mem");
    // 64 KiB of the anonymous mapping, mostly never touched: a few lines.
    let (out, err) = ok(&["mem", &mem, "read", "0x7f6388c14000", "0x10000"]);
    let mut want = String::from("7f6388c14000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n");
    for (page, n) in [
        ("7f6388c17", "04"),
        ("7f6388c1b", "08"),
        ("7f6388c1f", "0c"),
        ("7f6388c23", "10"),
    ] {
        want += &format!("{page}000: {n}00 0000 4547 4150 0000 0000 0000 0000  ....EGAP........\n");
        want += &format!("{page}010: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n");
    }
    want += "7f6388c23ff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n";
    assert_eq!(out, want);
    assert_eq!(err.lines().count(), 4, "{err}");
    // 64 MiB that runs off the end of memory into unmapped space: still a few lines.
    let (out, _) = ok(&["mem", &mem, "read", "0x7f6389100000", "0x4000000"]);
    assert_eq!(
        out,
        "7f6389100000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n*\n\
         7f638d0ffff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
    );
}

#[test]
fn raw_with_json_is_a_usage_error() {
    let out = common::crit(&["mem", &cp("mem"), "read", "0x1000", "16", "--raw", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: --raw writes the bytes themselves: it cannot be --format json\n"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn file_backed_gaps_name_the_file_and_read_it_under_files_root() {
    let mem = cp("mem");
    // libc's second mapping starts at file offset 0x28000.
    let (out, err) = ok(&["mem", &mem, "read", "0x7f6388e3f010", "8"]);
    assert_eq!(out, "7f6388e3f010: 0000 0000 0000 0000                      ........\n");
    assert_eq!(
        err,
        "crit: note: 0x7f6388e3f010-0x7f6388e3f018 (8 bytes) is file-backed and not dumped: \
         /usr/lib/x86_64-linux-gnu/libc.so.6 at offset 0x28010; read as zeros (--files ROOT reads the file)\n"
    );
    let root = tempfile::tempdir().unwrap();
    let lib = root.path().join("usr/lib/x86_64-linux-gnu");
    std::fs::create_dir_all(&lib).unwrap();
    let mut bytes = vec![0u8; 0x28010];
    bytes.extend_from_slice(b"FROMFILE-and-more");
    std::fs::write(lib.join("libc.so.6"), &bytes).unwrap();
    let r = root.path().to_str().unwrap();
    let (out, err) = ok(&["mem", &mem, "read", "0x7f6388e3f010", "8", "--files", r]);
    assert_eq!(out, "7f6388e3f010: 4652 4f4d 4649 4c45                      FROMFILE\n");
    assert_eq!(
        err,
        format!(
            "crit: note: 0x7f6388e3f010-0x7f6388e3f018 (8 bytes) is file-backed and not dumped: \
             /usr/lib/x86_64-linux-gnu/libc.so.6 at offset 0x28010; read from {r}/usr/lib/x86_64-linux-gnu/libc.so.6\n"
        )
    );
    let (out, _) = ok(&[
        "mem",
        &mem,
        "read",
        "0x7f6388e3f010",
        "8",
        "--files",
        r,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hex"], "46524f4d46494c45");
    assert_eq!(
        v["gaps"],
        serde_json::json!([{
            "start": "0x7f6388e3f010", "end": "0x7f6388e3f018", "kind": "file",
            "file": "/usr/lib/x86_64-linux-gnu/libc.so.6", "offset": "0x28010",
            "read_from": format!("{r}/usr/lib/x86_64-linux-gnu/libc.so.6"),
        }])
    );
}

#[test]
fn unmapped_gaps_say_the_process_would_have_faulted() {
    let (_, err) = ok(&["mem", &cp("mem"), "read", "0x1000", "16"]);
    assert_eq!(
        err,
        "crit: note: 0x1000-0x1010 (16 bytes) is unmapped (no mapping: the process would have faulted); read as zeros\n"
    );
    let (out, _) = ok(&["mem", &cp("mem"), "read", "0x1000", "16", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["gaps"],
        serde_json::json!([{"start": "0x1000", "end": "0x1010", "kind": "unmapped"}])
    );
}
