//! A small archive that decompresses to gigabytes of zero pages (issue 21.4):
//! the copy of raw memory is sparse, what a process writes to temporary
//! files has a limit (`--max-temp`, `CRIT_MAX_TEMP`), and the in-memory
//! budgets of a compressed archive say which one refused a member.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crit::archive::{Archive, Compression, Want};

/// Zero bytes added to the archive's raw memory.
const EXTRA: u64 = 1 << 30;

fn bomb(dir: &Path) -> PathBuf {
    let path = dir.join("bomb.tar.zst");
    fs::write(&path, common::bulk::zero_bomb(EXTRA)).unwrap();
    path
}

/// `crit ARGS` with its own TMPDIR, and what is left in it afterwards.
fn run(tmp: &Path, env: &[(&str, &str)], args: &[&str]) -> (Output, usize) {
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .env("TMPDIR", tmp)
        .env_remove("CRIT_MAX_TEMP")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (out, fs::read_dir(tmp).unwrap().count())
}

fn refused(label: &str, limit: &str) -> String {
    format!(
        "crit: {label}:checkpoint/pages-1.img: copying raw memory to a temporary file would write more than \
         the {limit} limit on temporary files (its memory holds more than that which is not zeros); raise it \
         with --max-temp SIZE or CRIT_MAX_TEMP=SIZE\n"
    )
}

#[test]
fn zero_pages_cost_no_disk() {
    let t = tempfile::tempdir().unwrap();
    let path = bomb(t.path());
    assert!(fs::metadata(&path).unwrap().len() < 200 << 10);
    let ar = Archive::open(
        &path,
        Compression::Zstd,
        Want {
            pages: true,
            ..Want::default()
        },
    )
    .unwrap();
    assert_eq!(ar.get("checkpoint/pages-1.img").unwrap().size, 65536 + EXTRA);
    let used = ar.temp_disk_usage().unwrap();
    assert!(used <= 1 << 20, "the temporary file takes {used} bytes");
    // The zeros read back as zeros, and the pages before them as they were.
    let p = ar.positioned("checkpoint/pages-1.img").unwrap();
    let mut buf = vec![1u8; 8192];
    p.read_exact_at(&mut buf, 65536 + EXTRA / 2).unwrap();
    assert!(buf.iter().all(|&b| b == 0));
    let plain = common::raw_tar(&common::fixtures().join("archives/crit-sleep.tar.zst"));
    let plain_path = t.path().join("plain.tar");
    fs::write(&plain_path, plain).unwrap();
    let orig = Archive::open(&plain_path, Compression::None, Want::default()).unwrap();
    let (mut a, mut b) = (vec![0u8; 65536], vec![0u8; 65536]);
    p.read_exact_at(&mut a, 0).unwrap();
    orig.positioned("checkpoint/pages-1.img")
        .unwrap()
        .read_exact_at(&mut b, 0)
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn commands_that_copy_memory_stay_within_the_limit() {
    let t = tempfile::tempdir().unwrap();
    let path = bomb(t.path());
    let p = path.to_str().unwrap();
    let tmp = t.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    let core = t.path().join("core");
    let c = core.to_str().unwrap();
    let commands: [Vec<&str>; 3] = [
        vec!["diff", p, p],
        vec!["coredump", p, "-o", c],
        vec!["mem", p, "read", "0x0", "16"],
    ];
    for args in &commands {
        // The 64 KiB of pages before the zeros (twice for diff) fit the limit;
        // the GiB of zeros costs nothing.
        let mut with = vec!["--max-temp", "128K"];
        with.extend(args);
        let (out, left) = run(&tmp, &[], &with);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("limit on temporary files"), "{args:?}: {err}");
        assert_eq!(left, 0, "{args:?} left files in TMPDIR");
        // Under a limit smaller than the memory that is not zeros: refused, by name.
        let mut with = vec!["--max-temp", "4K"];
        with.extend(args);
        let (out, left) = run(&tmp, &[], &with);
        // diff says 1 for "they differ", 2 for trouble.
        let code = if args[0] == "diff" { 2 } else { 1 };
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), refused(p, "4 KiB"), "{args:?}");
        assert_eq!(left, 0);
        let (out, _) = run(&tmp, &[("CRIT_MAX_TEMP", "4096")], args);
        assert_eq!(String::from_utf8_lossy(&out.stderr), refused(p, "4 KiB"), "{args:?}");
    }
    // The bomb's pages file holds far more than its pagemap says: a damaged
    // checkpoint, said as such (diff: 2), its memory compared all the same.
    let (out, _) = run(&tmp, &[], &["--max-temp", "128K", "diff", p, p]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("crit: warning: {p}:checkpoint/pages-1.img: holds 262160 pages, pagemap-1.img says 16 are present\n")
    );
    assert!(fs::metadata(&core).is_ok_and(|m| m.len() > 0));
    let (out, _) = run(&tmp, &[("CRIT_MAX_TEMP", "lots")], &["diff", p, p]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "crit: CRIT_MAX_TEMP: not a size: \"lots\" (bytes, or a number with K, M, G or T)\n"
    );
}

#[test]
fn inspect_reads_argv_as_the_archive_streams_by() {
    let t = tempfile::tempdir().unwrap();
    let path = bomb(t.path());
    let tmp = t.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    // The bomb is a damaged checkpoint (its pages file holds more than its
    // pagemap says): inspect says so with 1, and reads what it can.
    let json = |path: &Path, limit: &str, code: i32| -> serde_json::Value {
        let (out, left) = run(
            &tmp,
            &[],
            &[
                "--max-temp",
                limit,
                "inspect",
                path.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(left, 0);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // No temporary file at all: a limit of 0 holds.
    let got = json(&path, "0", 1);
    let want = json(&common::fixtures().join("archives/crit-sleep.tar.zst"), "0", 0);
    let procs = |v: &serde_json::Value| v["containers"][0]["processes"].clone();
    assert!(
        procs(&want)[0]["args"].as_array().is_some_and(|a| !a.is_empty()),
        "{want}"
    );
    // The same processes; the bomb's damaged memory leaves argv unknown.
    let mut unknown = procs(&want);
    unknown[0]["args"] = serde_json::Value::Null;
    assert_eq!(procs(&got), unknown);
    assert_eq!(want["containers"][0]["problems"], serde_json::json!([]));
    let problems = got["containers"][0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .ends_with("checkpoint/pages-1.img: holds 262160 pages, pagemap-1.img says 16 are present"),
        "{problems:?}"
    );
    assert_eq!(
        got["containers"][0]["sizes"]["memory_pages"].as_u64(),
        want["containers"][0]["sizes"]["memory_pages"]
            .as_u64()
            .map(|n| n + EXTRA)
    );
}

#[test]
fn inspect_copies_memory_only_for_tasks_it_could_not_read_on_the_way() {
    // Raw memory ahead of the pagemap that names it: it streams by before
    // anyone knows whose it is, so inspect reads it from a copy.
    let t = tempfile::tempdir().unwrap();
    let tar = common::raw_tar(&common::fixtures().join("archives/crit-sleep.tar.zst"));
    let path = t.path().join("moved.tar.zst");
    let moved = common::bulk::moved_first(&tar, "checkpoint/pages-1.img");
    fs::write(&path, zstd::encode_all(&moved[..], 3).unwrap()).unwrap();
    let tmp = t.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    let p = path.to_str().unwrap();
    let json = |limit: &str| -> serde_json::Value {
        let (out, left) = run(&tmp, &[], &["--max-temp", limit, "inspect", p, "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(left, 0);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (out, _) = run(
        &tmp,
        &[],
        &[
            "inspect",
            common::fixtures().join("archives/crit-sleep.tar.zst").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let want: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = json("64K");
    let procs = |v: &serde_json::Value| v["containers"][0]["processes"].clone();
    assert_eq!(procs(&got), procs(&want));
    // Under too small a limit: the processes without their command line, and
    // why (exit status 1, as for any part of a checkpoint not read).
    let (out, left) = run(&tmp, &[], &["--max-temp", "4K", "inspect", p, "--format", "json"]);
    assert_eq!((out.status.code(), left), (Some(1), 0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), refused(p, "4 KiB"));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(procs(&got)[0]["args"], serde_json::Value::Null);
    assert_eq!(procs(&got)[0]["pid"], procs(&want)[0]["pid"]);
}

#[test]
fn a_member_not_kept_names_the_budget_that_refused_it() {
    let t = tempfile::tempdir().unwrap();
    let tmp = t.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    // One member over the 32 MiB a member may have.
    let big = t.path().join("big.tar.zst");
    fs::write(
        &big,
        common::bulk::zeros_in_front(&[("big.bin", (32 << 20) + (128 << 10))]),
    )
    .unwrap();
    let spec = format!("{}:big.bin", big.display());
    let (out, _) = run(&tmp, &[], &["info", &spec]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "crit: {spec}: not kept while streaming the compressed archive: 33685504 bytes, over the 32 MiB a \
             member may have to be kept in memory\n"
        )
    );
    // Eight members of 32 MiB take all 256 MiB: the 22 bytes of pstree.img
    // after them are not kept, for that reason.
    let names: Vec<String> = (0..8).map(|i| format!("fill-{i}.bin")).collect();
    let members: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 32 << 20)).collect();
    let full = t.path().join("full.tar.zst");
    fs::write(&full, common::bulk::zeros_in_front(&members)).unwrap();
    let (out, _) = run(&tmp, &[], &["x", full.to_str().unwrap(), "ps"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "crit: {}:checkpoint/pstree.img: not kept while streaming the compressed archive: the members \
             before it already took the 256 MiB kept in memory of a compressed archive\n",
            full.display()
        )
    );
}
