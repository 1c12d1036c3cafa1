//! Every error is one line that says what is wrong and why: write errors on
//! standard output, bad patterns, paths that are not checkpoint directories,
//! numbers that do not parse (a usage error).

use crate::common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::fixtures;

fn run(args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .stdout(stdout)
        .output()
        .unwrap()
}

/// Runs `crit ARGS`; its exit status and standard error.
fn fails(args: &[&str]) -> (i32, String) {
    let out = run(args, Stdio::piped());
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn mem_dir() -> String {
    fixtures().join("corpus/mem").display().to_string()
}

#[test]
fn a_full_disk_says_so() {
    let dir = mem_dir();
    let full = "crit: <output>: No space left on device (os error 28)\n";
    for args in [
        vec!["x", &dir, "ps"],
        vec!["x", &dir, "fds", "--format", "json"],
        vec!["stats", &dir],
        vec!["stats", &dir, "--format", "json"],
        vec!["mem", &dir, "args"],
        vec!["mem", &dir, "env", "--format", "json"],
        vec!["mem", &dir, "search", "CRIT"],
        vec!["mem", &dir, "read", "0x560627c76000", "4096"],
        vec!["mem", &dir, "maps"],
        vec!["decode", "-i", &format!("{dir}/core-20931.img")],
    ] {
        let out = run(&args, Stdio::from(fs::File::create("/dev/full").unwrap()));
        // `mem search` answers as grep does: trouble is 2.
        let trouble = if args.get(2) == Some(&"search") { 2 } else { 1 };
        assert_eq!(out.status.code(), Some(trouble), "{args:?}");
        assert_eq!(String::from_utf8(out.stderr).unwrap(), full, "{args:?}");
    }
}

#[test]
fn bad_patterns_give_the_parser_s_reason() {
    let dir = mem_dir();
    assert_eq!(
        fails(&["mem", &dir, "search", "--regex", "("]),
        (2, "crit: bad pattern \"(\": regex parse error: unclosed group\n".into())
    );
    assert_eq!(
        fails(&["mem", &dir, "search", "--regex", "[z-a]"]),
        (
            2,
            "crit: bad pattern \"[z-a]\": regex parse error: invalid character class range, the start must be <= the end\n"
                .into()
        )
    );
    for args in [&["--regex", ""][..], &[""][..], &["-i", ""][..]] {
        let mut all = vec!["mem", &dir, "search"];
        all.extend_from_slice(args);
        assert_eq!(
            fails(&all),
            (2, "crit: bad pattern \"\": empty search pattern\n".into()),
            "{args:?}"
        );
    }
}

#[test]
fn paths_that_are_not_checkpoints_say_what_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let file = tmp.path().join("file");
    fs::write(&file, b"x").unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let s = |p: &Path| p.display().to_string();
    let (m, f, e) = (s(&missing), s(&file), s(&empty));
    let no_such = format!("crit: {m}: No such file or directory (os error 2)\n");
    let not_dir = format!("crit: {f}: not a checkpoint: neither a directory nor a tar archive (plain, gzip or zstd)\n");
    let not_cp = format!("crit: {e}: not a checkpoint directory: no pstree.img\n");
    for (args, want) in [
        (vec!["stats", &m], &no_such),
        (vec!["stats", &f], &not_dir),
        (vec!["x", &m, "ps"], &no_such),
        (vec!["x", &f, "fds"], &not_dir),
        (vec!["x", &e, "mems"], &not_cp),
        (vec!["mem", &m, "args"], &no_such),
        (vec!["mem", &f, "env"], &not_dir),
        (vec!["mem", &e, "maps"], &not_cp),
    ] {
        assert_eq!(fails(&args), (1, want.clone()), "{args:?}");
    }
    // An empty directory has no statistics: that is what stats says.
    assert_eq!(
        fails(&["stats", &e]),
        (1, format!("crit: {e}: no stats-dump or stats-restore image\n"))
    );
}

#[test]
fn numbers_that_do_not_parse_are_usage_errors() {
    let dir = mem_dir();
    for (args, want) in [
        (
            ["read", "zz", "16"],
            "error: invalid value 'zz' for '<ADDR>': not a number (decimal or 0x…): invalid digit found in string",
        ),
        (
            ["read", "0x10", "1x"],
            "error: invalid value '1x' for '<LEN>': not a number (decimal or 0x…): invalid digit found in string",
        ),
        (
            ["read", "0x1_0000_0000_0000_0000", "1"],
            "error: invalid value '0x1_0000_0000_0000_0000' for '<ADDR>': not a number (decimal or 0x…): number too large to fit in target type",
        ),
    ] {
        let mut all = vec!["mem", dir.as_str()];
        all.extend_from_slice(&args);
        let (code, err) = fails(&all);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(err.lines().next(), Some(want), "{args:?}");
    }
    // Both forms still read.
    let out = run(&["mem", &dir, "read", "0x560627c7_6000", "16"], Stdio::piped());
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "560627c76000: 0000 0000 0000 0000 9102 0000 0000 0000  ................\n"
    );
}
