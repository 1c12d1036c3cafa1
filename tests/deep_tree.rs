//! A process chain 17,000 deep (issue 21.1; `ps` aborted past 16,384):
//! each task the child of the one before, built with our encoder from the
//! corpus `tree` checkpoint (its zombie's core hard-linked for every task: a
//! zombie has no other image). Every command completes, the output stays
//! linear in the number of tasks, and indentation stops at 16 levels, the
//! depth written out past them.

use crate::common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use common::{copy_checkpoint, corpus, crit_measured};

const DEPTH: u32 = 17_000;
const FIRST: u32 = 100_000;

/// The `tree` checkpoint with its root and a chain of `DEPTH` zombies under it.
fn deep_chain(dir: &Path) {
    copy_checkpoint(&corpus("tree"), dir);
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with("core-") && name != "core-20884.img" && name != "core-20887.img" {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
    }
    let mut json = String::from(
        r#"{"magic": "PSTREE", "entries": [{"pid": 20884, "ppid": 0, "pgid": 20884, "sid": 20884, "threads": [20884]}"#,
    );
    let mut parent = 20884;
    for pid in FIRST..FIRST + DEPTH {
        write!(
            json,
            r#", {{"pid": {pid}, "ppid": {parent}, "pgid": 20884, "sid": 20884, "threads": [{pid}]}}"#
        )
        .unwrap();
        std::fs::hard_link(dir.join("core-20887.img"), dir.join(format!("core-{pid}.img"))).unwrap();
        parent = pid;
    }
    json.push_str("]}");
    std::fs::remove_file(dir.join("core-20887.img")).unwrap();
    let mut img = Vec::new();
    crit::image_json::encode_image(json.as_bytes(), "pstree.json", &mut img).unwrap();
    std::fs::write(dir.join("pstree.img"), img).unwrap();
}

/// `crit ARGS`: it succeeds in time, and its standard output.
fn completes(args: &[&str]) -> String {
    let m = crit_measured(args, Duration::from_secs(120));
    assert!(!m.timed_out, "crit {args:?} did not finish");
    assert!(
        m.out.status.success(),
        "crit {args:?}: {:?} {}",
        m.out.status,
        String::from_utf8_lossy(&m.out.stderr)
    );
    String::from_utf8(m.out.stdout).unwrap()
}

/// The rows of `out` for the tasks at depths 16, 17 and `DEPTH` (the root is 0).
fn rows_at_depths(out: &str) -> [&str; 3] {
    let row = |pid: u32| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{pid} ")))
            .unwrap_or_else(|| panic!("no row for {pid}"))
    };
    [row(FIRST + 15), row(FIRST + 16), row(FIRST + DEPTH - 1)]
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn a_deep_chain_is_drawn_with_capped_indentation_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    deep_chain(tmp.path());
    let tasks = DEPTH as usize + 1;
    let core = tmp.path().join("cores");
    std::fs::create_dir(&core).unwrap();
    let core = core.join("core");
    let mut outputs = Vec::new();
    for (args, per_task) in [
        (vec!["x", d], 160),
        (vec!["x", d, "ps"], 160),
        (vec!["x", d, "--format", "json"], 400),
        (vec!["x", d, "ps", "--format", "json"], 400),
        (vec!["x", d, "ps", "--pid", "100100", "--tree"], 160),
        (vec!["x", d, "fds"], 160),
        (vec!["x", d, "mems"], 160),
        (vec!["x", d, "rss"], 160),
        (vec!["x", d, "sk"], 160),
        (vec!["x", d, "ns"], 160),
        (vec!["inspect", d], 160),
        (vec!["inspect", d, "--format", "json"], 400),
        (vec!["stats", d], 160),
        (vec!["mem", d, "args"], 160),
        (vec!["diff", d, d], 160),
        (vec!["coredump", d, "-o", core.to_str().unwrap()], 160),
    ] {
        let out = completes(&args);
        assert!(
            out.len() < per_task * tasks,
            "crit {args:?} printed {} bytes for {tasks} tasks",
            out.len()
        );
        outputs.push(out);
    }

    // `ps`: COMM indented four spaces a level, sixteen levels at most.
    let ps = &outputs[1];
    let pad = " ".repeat(64);
    let [at16, at17, last] = rows_at_depths(ps);
    assert_eq!(
        at16,
        format!("100015  100014  20884  20884    1  zombie (exit 7)  {pad}tree-root")
    );
    assert_eq!(
        at17,
        format!("100016  100015  20884  20884    1  zombie (exit 7)  {pad}(depth 17) tree-root")
    );
    assert_eq!(
        last,
        format!("116999  116998  20884  20884    1  zombie (exit 7)  {pad}(depth 17000) tree-root")
    );

    // The overview: two spaces a level.
    let overview = &outputs[0];
    let pad = " ".repeat(32);
    let [at16, at17, last] = rows_at_depths(overview);
    assert_eq!(
        at16,
        format!("100015  100014    1  zombie       0    0        0  {pad}[tree-root]")
    );
    assert_eq!(
        at17,
        format!("100016  100015    1  zombie       0    0        0  {pad}(depth 17) [tree-root]")
    );
    assert_eq!(
        last,
        format!("116999  116998    1  zombie       0    0        0  {pad}(depth 17000) [tree-root]")
    );

    // `inspect`'s process table: four spaces a level.
    let inspect = &outputs[10];
    let pad = " ".repeat(64);
    let [at16, at17, last] = rows_at_depths(inspect);
    assert_eq!(at16, format!("100015  100014  zombie  {pad}[tree-root]"));
    assert_eq!(at17, format!("100016  100015  zombie  {pad}(depth 17) [tree-root]"));
    assert_eq!(last, format!("116999  116998  zombie  {pad}(depth 17000) [tree-root]"));
}
