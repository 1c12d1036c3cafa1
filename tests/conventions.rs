//! Issue 20.9: one set of conventions (README, "Conventions"), each case
//! held to its exact output: exit statuses per command family, notes on
//! standard error, one table of statistics, hints for slips, guesses marked.

use crate::common;

use std::fs;
use std::process::{Command, Stdio};

use common::{corpus, crit, fixtures};

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// Status, standard output and standard error of `crit ARGS`.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = crit(args);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_diff_man_page_has_the_exit_statuses_of_diff() {
    let page = fs::read_to_string(fixtures().join("../../man/crit-diff.1")).unwrap();
    let status = &page[page.find(".SH \"EXIT STATUS\"").unwrap()..page.find(".SH \"SEE ALSO\"").unwrap()];
    assert_eq!(
        status,
        ".SH \"EXIT STATUS\"\n.TP\n.B 0\nthe checkpoints are equal\n.TP\n.B 1\nthey differ\n.TP\n.B 2\n\
         trouble: a missing, truncated or corrupt image, an I/O error, a usage error\n"
    );
    // The examples stop before the table.
    let examples = &page[page.find(".SH EXAMPLES").unwrap()..page.find(".SH \"EXIT STATUS\"").unwrap()];
    assert!(!examples.contains("Exit status"), "{examples}");
    let page = fs::read_to_string(fixtures().join("../../man/crit-mem-search.1")).unwrap();
    assert!(
        page.contains(".B 0\na match was found\n.TP\n.B 1\nno match\n.TP\n.B 2\n"),
        "{page}"
    );
    // Every other command keeps crit's own table.
    let page = fs::read_to_string(fixtures().join("../../man/crit-x.1")).unwrap();
    assert!(page.contains(".B 1\nbad input: "), "{page}");
}

#[test]
fn mem_search_exits_as_grep_and_counts_in_english() {
    let mem = corpus("mem");
    let m = s(&mem);
    let (code, out, err) = run(&["mem", m, "search", "NOT-IN-THIS-CHECKPOINT"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(err, "crit: 0 matches in 1433600 held bytes\n");
    let (code, out, err) = run(&[
        "mem",
        m,
        "search",
        "argv-marker-91c2",
        "--in",
        "[stack]",
        "--context",
        "0",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "0x7ffc3ea2cf67  7ffc3ea0c000-7ffc3ea2d000 rw-p stack  [argv-marker-91c2]\n"
    );
    assert_eq!(
        err,
        "crit: 1 match in the mappings asked for (1 in all 1433600 held bytes)\n"
    );
    let (code, _, err) = run(&["mem", m, "search", "CRIT-SECRET-MARKER"]);
    assert_eq!(
        (code, err.as_str()),
        (Some(0), "crit: 3 matches in 1433600 held bytes\n")
    );
    // Trouble is 2, as grep's.
    let (code, out, err) = run(&["mem", m, "search", "--regex", "("]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert_eq!(err, "crit: bad pattern \"(\": regex parse error: unclosed group\n");
    let (code, _, err) = run(&["mem", "/nonexistent", "search", "x"]);
    assert_eq!(
        (code, err.as_str()),
        (Some(2), "crit: /nonexistent: No such file or directory (os error 2)\n")
    );
    // Other mem commands keep 1 for bad input.
    let (code, _, _) = run(&["mem", "/nonexistent", "args"]);
    assert_eq!(code, Some(1));
}

#[test]
fn hexdiff_notes_go_to_standard_error() {
    let mem = corpus("mem");
    let (code, out, err) = run(&["diff", s(&mem), s(&mem), "--hexdiff", "0x1000", "16"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        " 00001000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
    );
    assert_eq!(
        err,
        "crit: note: 0x1000-0x1010 is not in A; shown as zeros\ncrit: note: 0x1000-0x1010 is not in B; shown as zeros\n"
    );
}

/// `inspect`'s DUMP STATISTICS are `crit stats`' rows: labels, values, units.
#[test]
fn inspect_and_stats_share_their_statistics() {
    let mem = corpus("mem");
    let (code, inspect, _) = run(&["inspect", s(&mem)]);
    assert_eq!(code, Some(0));
    let section = &inspect[inspect.find("DUMP STATISTICS (stats-dump)\n").unwrap()..];
    assert_eq!(
        section,
        "DUMP STATISTICS (stats-dump)
freezing time                      0.308 ms
frozen time                       15.508 ms
memory dump time                   2.999 ms
memory write time                  1.346 ms
pages scanned                     428 pages  1.7M
pages skipped (in parent)           0 pages  0
pages written                     350 pages  1.4M
irmap resolve time                 0.000 ms
pages lazy                          0 pages  0
page pipes                                7
page pipe buffers                         7
shared pages scanned                0 pages  0
shared pages skipped (in parent)    0 pages  0
shared pages written                0 pages  0
"
    );
    let (_, stats, _) = run(&["stats", s(&mem)]);
    let words = |t: &str| {
        t.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    assert_eq!(words(section)[1..], words(&stats)[1..]);
}

#[test]
fn slips_get_hints() {
    let mem = corpus("mem");
    let m = s(&mem);
    let (code, out, err) = run(&["x", "ps", m]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(
        err.starts_with(&format!("error: invalid value '{m}' for '[WHAT]'\n")),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            "\ncrit: hint: the checkpoint comes first, then what to show: crit x {m} ps\n"
        )),
        "{err}"
    );
    let (code, out, err) = run(&["mem", "args", m]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(
        err.ends_with(&format!(
            "\ncrit: hint: the checkpoint comes first, then what to read: crit mem {m} args\n"
        )),
        "{err}"
    );
    let (code, out, err) = run(&["info", m]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(
        err,
        format!(
            "crit: {m}: is a directory: this command reads one image ({m}/NAME.img); for a whole checkpoint, see crit inspect or crit x\n"
        )
    );
    // Not every usage error is a slip with a hint.
    let (code, _, err) = run(&["x", m, "pss"]);
    assert_eq!(code, Some(2));
    assert!(!err.contains("hint"), "{err}");
}

/// `decode` with no `-i` and a terminal on standard input refuses at once;
/// from a pipe it reads as before.
#[test]
fn decode_refuses_a_terminal_on_standard_input() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two fds, which are then owned here.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    let (_master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .arg("decode")
        .stdin(Stdio::from(slave))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(
            "error: decode reads an image from standard input, which is a terminal: give -i IMAGE, or redirect: crit decode < IMAGE\n"
        ),
        "{err}"
    );
    let image = fs::read(corpus("mem").join("pstree.img")).unwrap();
    let out = common::crit_stdin(&["decode"], &image);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 20931, \"ppid\": 0, \"pgid\": 20931, \"sid\": 20931, \"threads\": [20931]}]}\n"
    );
}

/// A bare directory has no engine record of when it was checkpointed: the
/// time of `inventory.img` is shown as the guess it is.
#[test]
fn a_guessed_checkpoint_time_says_so() {
    let tmp = common::scratch_copy(&corpus("mem"));
    let inv = fs::File::options()
        .write(true)
        .open(tmp.path().join("inventory.img"))
        .unwrap();
    // 2021-02-03T04:05:06Z
    inv.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_612_325_106))
        .unwrap();
    let d = s(tmp.path());
    let (code, out, _) = run(&["inspect", d]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out.lines().find(|l| l.starts_with("checkpointed")),
        Some("checkpointed  2021-02-03T04:05:06Z (a guess: when inventory.img was last modified)")
    );
    let (_, out, _) = run(&["inspect", d, d]);
    assert!(
        out.lines().nth(1).unwrap().ends_with("  2021-02-03T04:05:06Z (guess)"),
        "{out}"
    );
    let (_, out, _) = run(&["inspect", d, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["containers"][0]["checkpointed"], "2021-02-03T04:05:06Z");
    assert_eq!(v["containers"][0]["checkpointed_guessed"], true);
    // An empty directory: the error alone.
    let empty = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["inspect", s(empty.path())]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(
        err,
        format!("crit: {}: not a checkpoint directory: no pstree.img\n", s(empty.path()))
    );
}

#[test]
fn images_all_equal_is_said_plainly() {
    let mem = corpus("mem");
    let (code, out, _) = run(&["diff", s(&mem), s(&mem), "--images"]);
    assert_eq!(code, Some(0));
    assert!(out.ends_with("\nimages\nall 13 images equal\n"), "{out}");
    assert!(!out.contains("more)"), "{out}");
}
