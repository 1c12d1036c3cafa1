//! The EXAMPLES of `--help` (and the man pages) are the README tour's
//! commands, both ways: every example is run in the tour, and every command
//! of the tour is an example of its command.

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
