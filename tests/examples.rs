//! The EXAMPLES of `--help` (and the man pages) are the README tour's
//! commands, both ways: every example is run in the tour, and every command
//! of the tour is an example of its command. And every console example of
//! the README runs and prints what the README shows.

use crate::common::{self, edited};

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const COMMANDS: &[&[&str]] = &[
    &["decode"],
    &["encode"],
    &["info"],
    &["show"],
    &["x"],
    &["stats"],
    &["inspect"],
    &["diff"],
    &["coredump"],
    &["check"],
    &["mem"],
    &["mem", "args"],
    &["mem", "env"],
    &["mem", "read"],
    &["mem", "search"],
    &["mem", "maps"],
    &["mem", "shmem"],
];

/// The example commands of `crit PATH --help` (the text before the comment).
fn examples(path: &[&str]) -> Vec<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crit"));
    // `mem` takes DIR before its subcommand.
    match path {
        ["mem", sub] => cmd.args(["mem", "DIR", sub, "--help"]),
        p => cmd.args(p.iter()).arg("--help"),
    };
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "crit {path:?} --help");
    let help = String::from_utf8(out.stdout).unwrap();
    let (_, ex) = help
        .split_once("\nExamples:\n")
        .unwrap_or_else(|| panic!("crit {path:?} --help has no Examples:\n{help}"));
    ex.lines()
        .take_while(|l| l.starts_with("  crit "))
        .map(|l| l.trim().split("  ").next().unwrap().trim().to_string())
        .collect()
}

/// The `$ crit …` lines of the README's tour, `$C/NAME` (and `$C4/NAME`)
/// written `DIR`, `$A/NAME` written `ARCHIVE`.
fn tour() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let tour = &readme[readme.find("## A tour").unwrap()..];
    let tour = &tour[..tour[3..].find("\n## ").unwrap()];
    let c = regex::Regex::new(r"\$C4?/[a-z0-9-]+").unwrap();
    let a = regex::Regex::new(r"\$A/[A-Za-z0-9.*_-]+").unwrap();
    tour.lines()
        .filter_map(|l| l.strip_prefix("$ crit "))
        .map(|l| c.replace_all(&format!("crit {l}"), "DIR").into_owned())
        .map(|l| a.replace_all(&l, "ARCHIVE").into_owned())
        .collect()
}

#[test]
fn every_example_is_in_the_tour() {
    let tour = tour();
    assert!(tour.len() >= 20, "the tour has {} commands", tour.len());
    for path in COMMANDS {
        let ex = examples(path);
        assert!(!ex.is_empty(), "crit {path:?} has no examples");
        for e in ex {
            assert!(
                tour.iter().any(|t| t.starts_with(&e)),
                "`{e}` (crit {path:?} --help) is not in the README's tour"
            );
        }
    }
}

#[test]
fn every_tour_command_is_an_example() {
    let all: BTreeSet<String> = COMMANDS.iter().flat_map(|p| examples(p)).collect();
    for t in tour() {
        // The first command of a pipeline, without its comment.
        let first = t
            .split(" | ")
            .next()
            .unwrap()
            .split("  #")
            .next()
            .unwrap()
            .split(" && ")
            .next()
            .unwrap()
            .trim()
            .to_string();
        assert!(all.contains(&first), "the tour's `{first}` is no command's example");
    }
}

/// A `$ command` of a console block of the README and the lines shown
/// after it (standard output, then standard error).
struct ConsoleExample {
    line: usize,
    command: String,
    want: Vec<String>,
}

fn console_examples(readme: &str) -> Vec<ConsoleExample> {
    let mut out: Vec<ConsoleExample> = Vec::new();
    let mut in_block = false;
    for (i, l) in readme.lines().enumerate() {
        let t = l.trim_start();
        if t.starts_with("```") {
            in_block = t == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = l.strip_prefix("$ ") {
            out.push(ConsoleExample {
                line: i + 1,
                command: cmd.to_string(),
                want: Vec::new(),
            });
        } else if let Some(e) = out.last_mut() {
            e.want.push(l.to_string());
        }
    }
    for e in &mut out {
        while e.want.last().is_some_and(|l| l.is_empty()) {
            e.want.pop();
        }
    }
    out
}

/// Whether the lines `got` are what `want` shows: a line `...` stands for
/// any number of lines, and `...` within a line for any text.
fn shows(want: &[String], got: &[&str]) -> bool {
    let Some((first, rest)) = want.split_first() else {
        return got.is_empty();
    };
    if first == "..." {
        return (0..=got.len()).any(|k| shows(rest, &got[k..]));
    }
    let Some((line, more)) = got.split_first() else {
        return false;
    };
    let same = if first.contains("...") {
        let parts: Vec<String> = first.split("...").map(regex::escape).collect();
        regex::Regex::new(&format!("^{}$", parts.join(".*")))
            .unwrap()
            .is_match(line)
    } else {
        first == line
    };
    same && shows(rest, more)
}

#[test]
fn shows_elides_with_dots() {
    let want = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(shows(&want(&["a", "...", "d"]), &["a", "b", "c", "d"]));
    assert!(shows(&want(&["a", "..."]), &["a"]));
    assert!(!shows(&want(&["a", "...", "d"]), &["a", "b", "c"]));
    assert!(shows(&want(&["{\"x\": 1, ...}"]), &["{\"x\": 1, \"y\": 2}"]));
    assert!(!shows(&want(&["a"]), &["a", "b"]));
    assert!(!shows(&want(&["a", "b"]), &["a", "c"]));
}

/// Runs every console example of the README, in a scratch directory that
/// holds `tests/` (the fixtures), the edited checkpoints of the `diff` tour
/// (`mem-edited`, `net-edited`), and `DIR`, the newer-CRIU checkpoint of the
/// refusal example; `crit` is first on `PATH`.
#[test]
#[ignore = "needs jq (Debian package jq; bash .ci/deps installs it)"]
fn every_console_example_prints_what_the_readme_shows() {
    common::need("jq", "jq");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = console_examples(&readme);
    assert!(examples.len() >= 45, "{} console examples", examples.len());
    let scratch = tempfile::tempdir().unwrap();
    let cwd = scratch.path();
    std::os::unix::fs::symlink(root.join("tests"), cwd.join("tests")).unwrap();
    let corpus = root.join("tests/fixtures/corpus");
    edited::mem_edited(&corpus, &cwd.join("mem-edited")).unwrap();
    edited::net_edited(&corpus, &cwd.join("net-edited")).unwrap();
    edited::newer_pagemap(&root.join("tests/fixtures/corpus-4.2.1"), &cwd.join("DIR")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_crit")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut failed = Vec::new();
    for e in &examples {
        let out = Command::new("bash")
            .args(["-c", &e.command])
            .current_dir(cwd)
            .env("PATH", &path)
            .env("A", "tests/fixtures/archives")
            .env("C", "tests/fixtures/corpus")
            .env("C4", "tests/fixtures/corpus-4.2.1")
            .env("S", "tests/fixtures/sysroot-4.2.1")
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        let got = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<&str> = got.lines().collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        if !shows(&e.want, &lines) {
            eprintln!(
                "README.md:{}: $ {}\n--- the README shows\n{}\n+++ it printed\n{}\n",
                e.line,
                e.command,
                e.want.join("\n"),
                lines.join("\n")
            );
            failed.push(format!("README.md:{}", e.line));
        }
    }
    assert!(failed.is_empty(), "console examples that print otherwise: {failed:?}");
}
