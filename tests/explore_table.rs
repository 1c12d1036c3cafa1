//! Table output: compared with committed snapshots, both as a pipe gets it
//! (`tests/snapshots/explore/`: never wrapped, one record per line) and as
//! an 80-column terminal does (`tests/snapshots/explore-80/`: the last column
//! wrapped; `--width 80` stands in for the terminal), checked to fit 80
//! columns there, and coloured only when asked. A pseudo-terminal checks that
//! a real terminal's width (and `COLUMNS`) is what `--width` stands in for.
//!
//! After an intended change, rewrite the snapshots with
//! `UPDATE_SNAPSHOTS=1 cargo test --test integration explore_table::` and review the diff.

use crate::common;

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

fn snapshot(set: &str, dir: &str, what: &str) -> PathBuf {
    root()
        .join("tests/snapshots")
        .join(set)
        .join(format!("{dir}-{what}.txt"))
}

/// Compares every explorer's table on every corpus checkpoint with the
/// snapshots of `set`.
fn check_snapshots(set: &str, extra: &[&str]) {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut mismatched = Vec::new();
    for dir in DIRS {
        for what in WHAT {
            let args: Vec<&str> = ["--color", "never"].iter().chain(extra).copied().collect();
            let got = crit_x(dir, what, &args, &[]);
            let path = snapshot(set, dir, what);
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
        "{set}: tables differ from their snapshots: {mismatched:?}"
    );
}

/// `crit x DIR` (no explorer): the overview, table and JSON.
#[test]
fn overview_matches_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut mismatched = Vec::new();
    for dir in DIRS {
        // The table as an 80-column terminal lays it out.
        let table = &["--color", "never", "--width", "80"][..];
        for (ext, extra) in [("txt", table), ("json", &["--format", "json"][..])] {
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
fn piped_tables_match_snapshots() {
    check_snapshots("explore", &[]);
}

#[test]
fn terminal_tables_match_snapshots() {
    check_snapshots("explore-80", &["--width", "80"]);
}

#[test]
fn terminal_tables_fit_their_width() {
    // At 72 columns only the tables with narrow leading columns can wrap
    // (the last column needs 24 columns of room to be worth wrapping).
    for (width, whats) in [(80, WHAT), (72, &["fds", "mems"][..])] {
        let w = width.to_string();
        for dir in DIRS {
            for what in whats {
                let out = crit_x(dir, what, &["--color", "never", "--width", &w], &[]);
                for line in out.lines() {
                    assert!(
                        line.chars().count() <= width,
                        "crit x {dir} {what} --width {width}: {} columns: {line}",
                        line.chars().count()
                    );
                    assert_eq!(line, line.trim_end(), "no trailing blanks");
                }
            }
        }
    }
}

#[test]
fn piped_tables_never_wrap() {
    // A long path stays on its row, whatever COLUMNS says: grep sees it whole.
    let out = crit_x("mem", "mems", &["--color", "never"], &[("COLUMNS", "40")]);
    let line = out
        .lines()
        .find(|l| l.contains("ld-linux-x86-64.so.2 + 0x"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.chars().count() > 80, "{line}");
    assert!(line.trim_start().starts_with("7f"), "{line}");
    assert!(!out.lines().any(|l| l.trim_start().starts_with("+ 0x")), "{out}");
    // --width 0: never wrap, as when piped.
    assert_eq!(crit_x("mem", "mems", &["--color", "never", "--width", "0"], &[]), out);
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

/// Runs `crit ARGS` with its standard output on a pseudo-terminal `cols`
/// columns wide; returns what it printed (the terminal's CR LF made LF).
fn on_terminal(args: &[&str], cols: u16, env: &[(&str, &str)]) -> String {
    use std::os::fd::{FromRawFd, OwnedFd};

    let (mut master, mut slave) = (0, 0);
    let ws = libc::winsize {
        ws_row: 24,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds, which are then owned here.
    let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &ws) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crit"));
    cmd.args(args).stdout(slave).env_remove("COLUMNS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    // The child holds the only copy of the terminal's end: its exit ends the reads.
    let mut child = cmd.spawn().unwrap();
    drop(cmd);
    let out = common::read_pty(master);
    assert!(child.wait().unwrap().success());
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}

#[test]
fn a_terminal_gets_its_width_or_columns() {
    let dir = root().join("tests/fixtures/corpus/mem");
    let dir = dir.to_str().unwrap();
    let args = ["x", dir, "mems", "--color", "never"];
    let at = |w: &str| crit_x("mem", "mems", &["--color", "never", "--width", w], &[]);
    // The terminal's own width, read from it.
    let got = on_terminal(&args, 72, &[]);
    assert_eq!(got, at("72"));
    assert!(got.lines().all(|l| l.chars().count() <= 72), "{got}");
    assert!(
        got.lines().any(|l| l.trim_start().starts_with("+ 0x")),
        "wrapped: {got}"
    );
    // COLUMNS, when set, wins over it.
    assert_eq!(on_terminal(&args, 72, &[("COLUMNS", "100")]), at("100"));
}

/// On a terminal 60 columns wide every table fits: the last column wraps
/// and, where that is not enough, the widest other columns are cut with a
/// `…`; the same commands piped are neither wrapped nor cut.
#[test]
fn a_narrow_terminal_gets_lines_that_fit() {
    let corpus = root().join("tests/fixtures/corpus");
    let (net, mem, files) = (corpus.join("net"), corpus.join("mem"), corpus.join("files"));
    let (net, mem, files) = (net.to_str().unwrap(), mem.to_str().unwrap(), files.to_str().unwrap());
    let commands: [&[&str]; 7] = [
        &["x", net],
        &["x", net, "sk"],
        &["x", net, "fds"],
        &["x", mem, "mems"],
        &["x", mem, "rss"],
        &["mem", mem, "maps"],
        &["mem", files, "shmem"],
    ];
    let mut cut = 0;
    for args in commands {
        let args: Vec<&str> = args.iter().copied().chain(["--color", "never"]).collect();
        let got = on_terminal(&args, 60, &[]);
        assert!(got.lines().count() > 1, "crit {args:?}: {got}");
        for line in got.lines() {
            assert!(
                line.chars().count() <= 60,
                "crit {args:?}: {} columns: {line}",
                line.chars().count()
            );
        }
        cut += got.matches('…').count();
        let piped = Command::new(env!("CARGO_BIN_EXE_crit")).args(&args).output().unwrap();
        let piped = String::from_utf8(piped.stdout).unwrap();
        assert!(!piped.contains('…'), "crit {args:?} piped: {piped}");
        assert!(
            piped.lines().any(|l| l.chars().count() > 60),
            "crit {args:?} piped: {piped}"
        );
    }
    assert!(cut > 0, "some column was cut");
    // `x sk`: LOCAL is cut in its middle, both ends kept.
    let sk = on_terminal(&["x", net, "sk", "--color", "never"], 60, &[]);
    assert!(
        sk.contains(" 3  tcp    LISTEN       -  16K/128K   127.…47101\n"),
        "{sk}"
    );
}

/// Piped, `mem maps` is one record per line, as before terminals were fitted.
#[test]
fn piped_mem_maps_matches_its_snapshot() {
    let mem = root().join("tests/fixtures/corpus/mem");
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["mem", mem.to_str().unwrap(), "maps", "--color", "never"])
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    assert!(out.status.success());
    let got = String::from_utf8(out.stdout).unwrap();
    let path = root().join("tests/snapshots/explore/mem-mem-maps.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    assert_eq!(got, std::fs::read_to_string(&path).unwrap());
}

/// `x ARCHIVE mnt` piped: a mount's options on one line, never wrapped, so
/// `| grep resgid` finds them all.
#[test]
fn piped_mount_options_are_one_line() {
    let a = root().join("tests/fixtures/archives/crit-tree.tar.gz");
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["x", a.to_str().unwrap(), "mnt", "--color", "never"])
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("resgid")).collect();
    assert_eq!(
        lines[0].trim(),
        "rw,relatime,discard,resv_strict,resuid=65534,resgid=65534",
        "{text}"
    );
    assert!(lines.iter().all(|l| l.contains("resuid=65534,resgid=65534")), "{text}");
    // On a terminal, they wrap after commas to fit.
    let t = on_terminal(&["x", a.to_str().unwrap(), "mnt", "--color", "never"], 60, &[]);
    assert!(t.lines().all(|l| l.chars().count() <= 60), "{t}");
}
