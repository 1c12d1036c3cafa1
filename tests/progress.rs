//! Progress bars: on standard error when it is a terminal and the work is
//! long enough, never in a pipe, never with `--quiet` or `--format json`,
//! and never changing a byte of standard output.

use crate::common;

use common::{crit, crit_stderr_on_pty, padded_archive, three_compressions};

/// A gzip and a zstd archive of crit-sleep with 4 MiB of noise in them.
fn big_archives(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let tar = padded_archive("crit-sleep.tar.gz", 4 << 20);
    three_compressions(&tar, dir, "big")
}

const NOW: [(&str, &str); 1] = [("CRIT_PROGRESS_DELAY_MS", "0")];

fn shows_a_bar(tty: &[u8], name: &str) -> bool {
    let tty = String::from_utf8_lossy(tty);
    tty.contains(&format!("crit: reading {name}")) && tty.contains("MiB")
}

#[test]
fn a_terminal_sees_the_archive_read_and_the_output_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    for path in &big_archives(dir.path())[1..] {
        let p = path.to_str().unwrap();
        for args in [vec!["x", p, "ps"], vec!["inspect", p], vec!["x", p, "mems"]] {
            let piped = crit(&args);
            assert!(piped.status.success(), "{args:?}");
            assert_eq!(piped.stderr, b"", "{args:?}: nothing on a piped stderr");
            let (out, tty, ok) = crit_stderr_on_pty(&args, &NOW);
            assert!(ok, "{args:?}");
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(shows_a_bar(&tty, name), "{args:?}: {}", String::from_utf8_lossy(&tty));
            // The bar is cleared at the end: its last act erases the line.
            assert!(tty.ends_with(b"\r\x1b[2K") || tty.ends_with(b"\x1b[2K"), "{tty:?}");
            assert_eq!(out, piped.stdout, "{args:?}: stdout as without the bar");
        }
    }
}

#[test]
fn quiet_and_json_and_quick_work_show_no_bar() {
    let dir = tempfile::tempdir().unwrap();
    let gz = &big_archives(dir.path())[1];
    let p = gz.to_str().unwrap();
    for args in [
        vec!["x", p, "ps", "--quiet"],
        vec!["-q", "inspect", p],
        vec!["x", p, "ps", "--format", "json"],
        vec!["inspect", "--format=json", p],
    ] {
        let (out, tty, ok) = crit_stderr_on_pty(&args, &NOW);
        assert!(ok, "{args:?}");
        assert_eq!(String::from_utf8_lossy(&tty), "", "{args:?}");
        assert_eq!(out, crit(&args).stdout, "{args:?}");
    }
    // Work that ends before the delay shows none.
    let (_, tty, ok) = crit_stderr_on_pty(&["x", p, "ps"], &[("CRIT_PROGRESS_DELAY_MS", "60000")]);
    assert!(ok);
    assert_eq!(String::from_utf8_lossy(&tty), "");
}

#[test]
fn a_plain_tar_and_a_small_archive_need_no_bar() {
    let dir = tempfile::tempdir().unwrap();
    let plain = &big_archives(dir.path())[0];
    let small = common::fixtures().join("archives/crit-sleep.tar.gz");
    for p in [plain.to_str().unwrap(), small.to_str().unwrap()] {
        let (out, tty, ok) = crit_stderr_on_pty(&["x", p, "ps"], &NOW);
        assert!(ok);
        assert_eq!(String::from_utf8_lossy(&tty), "", "{p}");
        assert_eq!(out, crit(&["x", p, "ps"]).stdout);
    }
}

/// The corpus checkpoint with 1.4 MiB of memory: more than a step.
fn mem_dir() -> String {
    common::fixtures().join("corpus/mem").to_str().unwrap().to_string()
}

fn bar_of(tty: &[u8], what: &str) -> bool {
    let tty = String::from_utf8_lossy(tty);
    tty.contains(&format!("crit: {what} ")) && tty.contains("MiB") && tty.contains("\r\x1b[2K")
}

#[test]
fn a_search_a_core_and_a_diff_show_their_bars() {
    let m = mem_dir();
    let search = ["mem", &m, "search", "nowhere-in-memory"];
    let piped = crit(&search);
    assert_eq!(piped.status.code(), Some(1));
    let (out, tty, ok) = crit_stderr_on_pty(&search, &NOW);
    assert!(!ok);
    assert!(bar_of(&tty, "searching memory"), "{}", String::from_utf8_lossy(&tty));
    // The summary follows the cleared bar, whole, on its own line.
    assert!(
        tty.ends_with(b"\r\x1b[2Kcrit: 0 matches in 1433600 held bytes\r\n"),
        "{tty:?}"
    );
    assert_eq!(piped.stderr, b"crit: 0 matches in 1433600 held bytes\n");
    assert_eq!(out, piped.stdout);

    let diff = ["diff", &m, &m];
    let piped = crit(&diff);
    let (out, tty, ok) = crit_stderr_on_pty(&diff, &NOW);
    assert!(ok && piped.status.success());
    assert!(bar_of(&tty, "comparing pages"), "{}", String::from_utf8_lossy(&tty));
    assert_eq!(out, piped.stdout);
    let (_, tty, _) = crit_stderr_on_pty(&["diff", &m, &m, "-q"], &NOW);
    assert_eq!(String::from_utf8_lossy(&tty), "");

    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let core = |o: &std::path::Path, bar: bool| {
        let args = ["coredump", &m, "-o", o.to_str().unwrap()];
        if bar {
            let (out, tty, ok) = crit_stderr_on_pty(&args, &NOW);
            assert!(ok);
            assert!(bar_of(&tty, "writing the core"), "{}", String::from_utf8_lossy(&tty));
            out
        } else {
            let o = crit(&args);
            assert!(o.status.success());
            o.stdout
        }
    };
    let (with, without) = (core(&a, true), core(&b, false));
    assert_eq!(with.len(), without.len());
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn quiet_silences_notes_and_summaries_not_errors() {
    let m = mem_dir();
    let dir = tempfile::tempdir().unwrap();
    let core = dir.path().join("core");
    let args = ["coredump", &m, "-o", core.to_str().unwrap()];
    let loud = crit(&args);
    assert!(String::from_utf8_lossy(&loud.stderr).starts_with("crit: note: 9 file-backed ranges"));
    std::fs::remove_file(&core).unwrap();
    let quiet = crit(&[&args[..], &["--quiet"]].concat());
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    assert_eq!(quiet.stdout, loud.stdout);

    let search = crit(&["-q", "mem", &m, "search", "nowhere-in-memory"]);
    assert_eq!((search.status.code(), &search.stderr[..]), (Some(1), &b""[..]));
    // Errors still say what is wrong.
    let missing = crit(&["-q", "x", "/nonexistent-checkpoint", "ps"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).starts_with("crit: "),
        "{missing:?}"
    );
}

/// With standard error on a pipe no command draws anything, however long
/// its work and whatever the delay: stderr is exactly as before.
#[test]
fn a_pipe_never_gets_a_bar() {
    let dir = tempfile::tempdir().unwrap();
    let zst = &big_archives(dir.path())[2];
    let p = zst.to_str().unwrap();
    let m = mem_dir();
    let core = dir.path().join("core");
    let member = format!("{p}:checkpoint/inventory.img");
    let runs: [(Vec<&str>, &str); 8] = [
        (vec!["x", p, "ps"], ""),
        (vec!["x", p, "fds"], ""),
        (vec!["inspect", p], ""),
        (vec!["stats", p], ""),
        (vec!["mem", p, "args"], ""),
        (vec!["info", &member], ""),
        (vec!["diff", p, p], ""),
        (
            vec!["mem", &m, "search", "nowhere-in-memory"],
            "crit: 0 matches in 1433600 held bytes\n",
        ),
    ];
    for (args, want) in runs {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
            .args(&args)
            .env("CRIT_PROGRESS_DELAY_MS", "0")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&o.stderr), want, "{args:?}");
        assert!(o.status.code().is_some_and(|c| c < 2), "{args:?}");
    }
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["coredump", p, "-o", core.to_str().unwrap()])
        .env("CRIT_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(!o.stderr.contains(&0x1b) && !o.stderr.contains(&b'\r'), "{o:?}");
}

/// With standard output on the same terminal, the bar is cleared before
/// the first line of the report, and never drawn among its lines.
#[test]
fn a_report_on_the_terminal_follows_the_cleared_bar() {
    let dir = tempfile::tempdir().unwrap();
    let gz = &big_archives(dir.path())[1];
    let p = gz.to_str().unwrap();
    let m = mem_dir();
    for args in [
        vec!["x", p, "ps", "--color", "never"],
        vec!["inspect", p, "--color", "never"],
        vec!["mem", &m, "search", "PATH=", "--color", "never"],
    ] {
        let (_, tty, ok) = common::crit_on_pty(&args, &NOW, true);
        assert!(ok, "{args:?}");
        let tty = String::from_utf8_lossy(&tty).into_owned();
        let clear = tty
            .rfind("\r\x1b[2K")
            .unwrap_or_else(|| panic!("{args:?}: no bar: {tty:?}"));
        let (bars, report) = tty.split_at(clear + "\r\x1b[2K".len());
        assert!(bars.starts_with("crit: "), "{args:?}: {tty:?}");
        // The report as piped (tables are fitted to the terminal: compare
        // their first words), with no bar and no escape among its lines.
        assert!(
            !report.contains('\x1b') && !report.contains("MiB/"),
            "{args:?}: {report:?}"
        );
        let piped = crit(&args);
        let first = |s: &str| s.split_whitespace().next().unwrap_or("").to_string();
        assert_eq!(
            first(report),
            first(&String::from_utf8_lossy(&piped.stdout)),
            "{args:?}"
        );
        assert!(report.ends_with("\r\n"), "{args:?}: {report:?}");
    }
}
