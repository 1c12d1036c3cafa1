//! Progress bars: on standard error when it is a terminal and the work is
//! long enough, never in a pipe, never with `--quiet` or `--format json`,
//! and never changing a byte of standard output.

mod common;

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

#[test]
#[ignore]
fn show_me() {
    let dir = tempfile::tempdir().unwrap();
    let gz = &big_archives(dir.path())[1];
    let p = gz.to_str().unwrap();
    let args: Vec<String> = std::env::var("ARGS").unwrap().split(' ').map(|a| a.replace("ARCH", p)).collect();
    let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let (out, tty, ok) = crit_stderr_on_pty(&args, &NOW);
    eprintln!("ok={ok} out={} tty={:?}", out.len(), String::from_utf8_lossy(&tty));
}
