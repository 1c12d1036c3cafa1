//! Table output: compared with committed snapshots (`tests/snapshots/explore/`),
//! checked to fit 80 columns, and coloured only when asked.
//!
//! After an intended change, rewrite the snapshots with
//! `UPDATE_SNAPSHOTS=1 cargo test --test explore_table` and review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

const DIRS: &[&str] = &["tree", "threads", "mem", "net", "files", "ipc", "pty", "restored"];
const WHAT: &[&str] = &["ps", "fds", "mems", "rss", "sk"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn crit_x(dir: &str, what: &str, extra: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crit"));
    cmd.arg("x")
        .arg(root().join("tests/fixtures/corpus").join(dir))
        .args((!what.is_empty()).then_some(what))
        .args(extra);
    cmd.env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "crit x {dir} {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn snapshot(dir: &str, what: &str) -> PathBuf {
    root().join("tests/snapshots/explore").join(format!("{dir}-{what}.txt"))
}

#[test]
fn tables_match_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut mismatched = Vec::new();
    for dir in DIRS {
        for what in WHAT {
            let got = crit_x(dir, what, &["--color", "never"], &[]);
            let path = snapshot(dir, what);
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
            if got != want {
                eprintln!("--- {}\n+++ got\n{got}", path.display());
                mismatched.push(format!("{dir}-{what}"));
            }
        }
    }
    assert!(
        mismatched.is_empty(),
        "tables differ from their snapshots: {mismatched:?}"
    );
}

/// `crit x DIR` (no explorer): the overview, table and JSON.
#[test]
fn overview_matches_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut mismatched = Vec::new();
    for dir in DIRS {
        for (ext, extra) in [("txt", &["--color", "never"][..]), ("json", &["--format", "json"][..])] {
            let got = crit_x(dir, "", extra, &[]);
            if ext == "txt" {
                assert!(
                    got.lines().all(|l| l.chars().count() <= 80 && l == l.trim_end()),
                    "{got}"
                );
            }
            let path = root()
                .join("tests/snapshots/explore")
                .join(format!("{dir}-overview.{ext}"));
            if update {
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
            if got != want {
                eprintln!("--- {}\n+++ got\n{got}", path.display());
                mismatched.push(format!("{dir}-overview.{ext}"));
            }
        }
    }
    assert!(
        mismatched.is_empty(),
        "overviews differ from their snapshots: {mismatched:?}"
    );
}

#[test]
fn tables_fit_80_columns() {
    for dir in DIRS {
        for what in WHAT {
            let out = crit_x(dir, what, &["--color", "never"], &[]);
            for line in out.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "crit x {dir} {what}: {} columns: {line}",
                    line.chars().count()
                );
                assert_eq!(line, line.trim_end(), "no trailing blanks");
            }
        }
    }
}

#[test]
fn ps_draws_the_tree_by_indentation() {
    let out = crit_x("tree", "ps", &["--color", "never"], &[]);
    // The COMM column starts under its header; the indent is what comes after.
    let column = out.lines().next().unwrap().find("COMM").unwrap();
    let indents: Vec<usize> = out.lines().skip(1).map(|l| l.find("tree-").unwrap() - column).collect();
    // Depths 0, 1, 1, 2, 1: four more spaces per level.
    assert_eq!(indents, [0, 4, 4, 8, 4], "{out}");
    assert!(out.contains("zombie (exit 7)"), "{out}");
}

#[test]
fn colour_only_when_asked() {
    const ESC: char = '\u{1b}';
    // Not a terminal: no colour by default.
    assert!(!crit_x("net", "sk", &[], &[]).contains(ESC));
    assert!(crit_x("net", "sk", &["--color", "always"], &[]).contains(ESC));
    assert!(!crit_x("net", "sk", &["--color", "never"], &[]).contains(ESC));
    assert!(!crit_x("net", "sk", &["--color", "auto"], &[("NO_COLOR", "1")]).contains(ESC));
    // JSON is never coloured.
    assert!(!crit_x("net", "sk", &["--color", "always", "--format", "json"], &[]).contains(ESC));
    // Colour does not change the text.
    let plain = crit_x("tree", "ps", &["--color", "never"], &[]);
    let coloured = crit_x("tree", "ps", &["--color", "always"], &[]);
    assert_eq!(strip_ansi(&coloured), plain);
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
