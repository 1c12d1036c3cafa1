//! Broken and hostile archives: one line naming the archive (and the member),
//! exit status 1, no panic, and nothing written anywhere — not in the
//! working directory, not in the temporary directory.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{fixtures, raw_tar};

/// Runs `crit ARGS` in an empty directory with an empty TMPDIR; checks both
/// stay empty, and returns (status, stdout, stderr).
fn run_clean(args: &[&str]) -> (Option<i32>, String, String) {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .current_dir(cwd.path())
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    for d in [cwd.path(), tmp.path()] {
        let left: Vec<_> = std::fs::read_dir(d).unwrap().collect();
        assert!(left.is_empty(), "crit {args:?} left files in {}", d.display());
    }
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every command fails with exactly `want` (after `crit: PATH`).
fn fails_with(path: &Path, want: &str) {
    let p = path.to_str().unwrap();
    for args in [
        vec!["x", p, "ps"],
        vec!["mem", p, "args"],
        vec!["mem", p, "search", "crit"],
        vec!["stats", p],
        vec!["inspect", p],
        vec!["inspect", p, "--format", "json"],
    ] {
        let (code, stdout, stderr) = run_clean(&args);
        // `mem search` answers as grep does: trouble is 2.
        let trouble = if args.get(2) == Some(&"search") { 2 } else { 1 };
        assert_eq!(code, Some(trouble), "crit {args:?}: {stderr}");
        assert_eq!(stdout, "", "crit {args:?}");
        assert_eq!(stderr, format!("crit: {p}{want}\n"), "crit {args:?}");
    }
}

/// Like [`fails_with`], for messages that depend on the decompressor's
/// framing: one line, starting with the archive, holding `phrase`.
fn fails_mentioning(path: &Path, phrase: &str) {
    let p = path.to_str().unwrap();
    for args in [
        vec!["x", p, "ps"],
        vec!["mem", p, "args"],
        vec!["mem", p, "search", "crit"],
        vec!["inspect", p],
    ] {
        let (code, stdout, stderr) = run_clean(&args);
        // `mem search` answers as grep does: trouble is 2.
        let trouble = if args.get(2) == Some(&"search") { 2 } else { 1 };
        assert_eq!(code, Some(trouble), "crit {args:?}: {stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.starts_with(&format!("crit: {p}")), "{stderr}");
        assert!(stderr.contains(phrase), "{stderr:?} lacks {phrase:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

fn sleep_tar() -> Vec<u8> {
    raw_tar(&fixtures().join("archives/crit-sleep.tar"))
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// Where member `name`'s header and data start in a plain tar.
fn member_at(tar: &[u8], name: &str) -> (u64, u64, u64) {
    let mut a = tar::Archive::new(tar);
    for e in a.entries().unwrap() {
        let e = e.unwrap();
        if e.path().unwrap().to_str() == Some(name) {
            return (e.raw_header_position(), e.raw_file_position(), e.size());
        }
    }
    panic!("no member {name}");
}

#[test]
fn a_member_cut_short() {
    let tar = sleep_tar();
    let (_, data, size) = member_at(&tar, "checkpoint/cgroup.img");
    let cut = &tar[..(data + 1000) as usize];
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("cut.tar");
    std::fs::write(&plain, cut).unwrap();
    let want = format!(":checkpoint/cgroup.img: member cut short: the archive holds 1000 of its {size} bytes");
    fails_with(&plain, &want);
    // The same, gzip'd whole: the stream is fine, the tar inside is not.
    let gz = dir.path().join("cut.tar.gz");
    std::fs::write(&gz, gzip(cut)).unwrap();
    fails_with(&gz, &want);
    let zst = dir.path().join("cut.tar.zst");
    std::fs::write(&zst, zstd::encode_all(cut, 3).unwrap()).unwrap();
    fails_with(&zst, &want);
}

#[test]
fn truncated_between_members() {
    let tar = sleep_tar();
    let (header, _, _) = member_at(&tar, "checkpoint/cgroup.img");
    let cut = &tar[..header as usize];
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("cut.tar");
    std::fs::write(&plain, cut).unwrap();
    let want = ": truncated: the archive ends without its end-of-archive marker (last member checkpoint/)";
    fails_with(&plain, want);
    let gz = dir.path().join("cut.tar.gz");
    std::fs::write(&gz, gzip(cut)).unwrap();
    fails_with(&gz, want);
}

#[test]
fn truncated_and_corrupt_compressed_streams() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["crit-sleep.tar.gz", "crit-sleep.tar.zst"] {
        let bytes = std::fs::read(fixtures().join("archives").join(name)).unwrap();
        let cut = dir.path().join(format!("cut-{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        fails_mentioning(&cut, "truncated or corrupt compressed stream");
        let mut bad = bytes.clone();
        for b in &mut bad[bytes.len() / 3..bytes.len() / 3 + 16] {
            *b ^= 0x5a;
        }
        let corrupt = dir.path().join(format!("corrupt-{name}"));
        std::fs::write(&corrupt, &bad).unwrap();
        fails_mentioning(&corrupt, "truncated or corrupt compressed stream");
    }
}

/// A tar of `pstree.img` and one hostile member, its name written raw (the
/// tar crate refuses to write such names).
fn hostile(name: &[u8], kind: tar::EntryType, link: Option<&[u8]>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_path("checkpoint/pstree.img").unwrap();
    h.set_size(0);
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_size(if kind == tar::EntryType::Regular { 1 } else { 0 });
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    if let Some(l) = link {
        h.as_old_mut().linkname[..l.len()].copy_from_slice(l);
    }
    h.set_cksum();
    let data: &[u8] = if kind == tar::EntryType::Regular { b"x" } else { b"" };
    b.append(&h, data).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn names_leading_outside_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "dotdot.tar",
            hostile(b"checkpoint/../../evil", tar::EntryType::Regular, None),
            ":checkpoint/../../evil: refused: path \"checkpoint/../../evil\" leads outside the archive (`..`)",
        ),
        (
            "absolute.tar",
            hostile(b"/etc/evil", tar::EntryType::Regular, None),
            ":/etc/evil: refused: absolute path \"/etc/evil\"",
        ),
        (
            "symlink.tar",
            hostile(
                b"checkpoint/core-1.img",
                tar::EntryType::Symlink,
                Some(b"../../etc/passwd"),
            ),
            ":checkpoint/core-1.img: refused: link to \"../../etc/passwd\" points outside the archive",
        ),
        (
            "abslink.tar",
            hostile(b"checkpoint/core-1.img", tar::EntryType::Symlink, Some(b"/etc/passwd")),
            ":checkpoint/core-1.img: refused: link to absolute path \"/etc/passwd\" points outside the archive",
        ),
        (
            "hardlink.tar",
            hostile(b"checkpoint/core-1.img", tar::EntryType::Link, Some(b"../etc/passwd")),
            ":checkpoint/core-1.img: refused: link to \"../etc/passwd\" points outside the archive",
        ),
    ];
    for (name, bytes, want) in cases {
        let plain = dir.path().join(name);
        std::fs::write(&plain, &bytes).unwrap();
        fails_with(&plain, want);
        let zst = dir.path().join(format!("{name}.zst"));
        std::fs::write(&zst, zstd::encode_all(&bytes[..], 3).unwrap()).unwrap();
        fails_with(&zst, want);
    }
}

#[test]
fn not_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.tar.gz");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    fails_with(
        &junk,
        ": not a checkpoint: neither a directory nor a tar archive (plain, gzip or zstd)",
    );
    let empty = dir.path().join("empty.tar");
    std::fs::write(&empty, b"").unwrap();
    fails_with(
        &empty,
        ": not a checkpoint: neither a directory nor a tar archive (plain, gzip or zstd)",
    );
    // A valid tar that is not a checkpoint.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_path("hello.txt").unwrap();
    h.set_size(2);
    h.set_cksum();
    b.append(&h, &b"hi"[..]).unwrap();
    let other = dir.path().join("other.tar");
    std::fs::write(&other, b.into_inner().unwrap()).unwrap();
    fails_with(
        &other,
        ": a tar archive, but not a checkpoint: no checkpoint/ folder, no pstree.img",
    );
}

#[test]
fn reading_memory_leaves_no_file_behind() {
    // Raw memory of a compressed archive goes to an unlinked temporary file.
    for name in ["crit-tree.tar.gz", "crit-sleep.tar.zst"] {
        let p = fixtures().join("archives").join(name);
        let (code, stdout, stderr) = run_clean(&["mem", p.to_str().unwrap(), "args"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stdout.starts_with("sh\n-c\n") || stdout == "sleep\n100000\n",
            "{stdout}"
        );
    } // A search of a compressed archive keeps its matches in memory, then
      // (past 8 MiB of them: here 22 MiB) in an unlinked temporary file.
    let p = fixtures().join("archives/crit-tree.tar.gz");
    let args = [
        "mem",
        p.to_str().unwrap(),
        "search",
        "--regex",
        "(?s).",
        "--context",
        "64",
    ];
    let (code, stdout, stderr) = run_clean(&[&args[..], &["--range", "0x1000-0x2000"]].concat());
    assert_eq!(code, Some(1), "no match: {stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "crit: 0 matches in the mappings asked for (147456 in all 147456 held bytes)\n"
    );
}
