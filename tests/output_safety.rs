//! What crit writes, under pressure: a signal during `decode -o FILE` leaves
//! nothing of ours and the target untouched (issue 20.8); `-o -` is standard
//! output for every command, `coredump` too (20.7); a symbolic link another
//! user planted in a sticky world-writable directory is not followed for
//! `-o`, `--out-dir` or `--extract` (21.8, the kernel's protected_symlinks).

use crate::common;

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{crit, fixtures, holds_open_under, interrupt, names_in};
use serde_json::Value;

fn image() -> PathBuf {
    fixtures().join("corpus/mem/pstree.img")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `crit decode` of the image writes to standard output.
fn expected_json() -> Vec<u8> {
    let out = crit(&["decode", "-i", image().to_str().unwrap()]);
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"{\"magic\": \"PSTREE\""));
    out.stdout
}

#[test]
fn a_signal_during_decode_leaves_nothing_and_the_target_untouched() {
    let area = tempfile::tempdir().unwrap();
    let dir = area.path();
    let target = dir.join("out.json");
    // The image's magic only: crit has opened its output and waits for entries.
    let feed = &fs::read(image()).unwrap()[..12];
    // An anonymous O_TMPFILE where the file system allows it, else a named one.
    for env in [&[][..], &[("CRIT_NO_O_TMPFILE", "1")][..]] {
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            for existing in [true, false] {
                if existing {
                    fs::write(&target, b"the old contents\n").unwrap();
                }
                let before = names_in(dir);
                let status = interrupt(
                    &["decode", "-o", target.to_str().unwrap()],
                    env,
                    feed,
                    |pid| holds_open_under(pid, dir),
                    sig,
                );
                let case = format!("{env:?} signal {sig} existing {existing}");
                // Ended by the signal itself, as if it had not been caught.
                assert_eq!(status.signal(), Some(sig), "{case}: {status:?}");
                assert_eq!(names_in(dir), before, "{case}");
                if existing {
                    assert_eq!(fs::read(&target).unwrap(), b"the old contents\n", "{case}");
                    fs::remove_file(&target).unwrap();
                }
            }
        }
    }
}

#[test]
fn a_finished_decode_replaces_the_target_either_way() {
    let area = tempfile::tempdir().unwrap();
    let target = area.path().join("out.json");
    for env in [None, Some("1")] {
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_crit"));
        c.args([
            "decode",
            "-i",
            image().to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ]);
        if let Some(v) = env {
            c.env("CRIT_NO_O_TMPFILE", v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(fs::read(&target).unwrap(), expected_json());
        assert_eq!(fs::metadata(&target).unwrap().mode() & 0o7777, 0o640);
        assert_eq!(names_in(area.path()), ["out.json"]);
    }
}

#[test]
fn coredump_dash_o_dash_is_standard_output() {
    let cp = fixtures().join("corpus/mem");
    let area = tempfile::tempdir().unwrap();
    let file = area.path().join("core");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_crit"))
            .current_dir(area.path())
            .args(["coredump", cp.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let want = fs::read(&file).unwrap();
    assert!(want.starts_with(b"\x7fELF"));
    let out = run(&["-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The same core, byte for byte (its holes as zeros), and only it: the
    // report goes to standard error; no file named `-`.
    assert_eq!(out.stdout.len(), want.len());
    assert!(out.stdout == want);
    assert!(
        stderr(&out).starts_with("<stdout>: pid 20931 (mem), 1 thread, 24 segments, "),
        "{}",
        stderr(&out)
    );
    assert_eq!(names_in(area.path()), ["core"]);
    // decode, encode and mem read: `-` is standard output too.
    let out = crit(&["decode", "-i", image().to_str().unwrap(), "-o", "-"]);
    assert_eq!(out.stdout, expected_json());
    let json = area.path().join("p.json");
    fs::write(&json, expected_json()).unwrap();
    let out = crit(&["encode", "-i", json.to_str().unwrap(), "-o", "-"]);
    assert_eq!(out.stdout, fs::read(image()).unwrap());
    assert_eq!(names_in(area.path()), ["core", "p.json"]);
}

/// A sticky world-writable directory (as /tmp) inside a new temporary one,
/// owned by `owner`.
fn sticky_dir(owner: u32) -> (tempfile::TempDir, PathBuf) {
    let area = tempfile::tempdir().unwrap();
    let sticky = area.path().join("shared");
    fs::create_dir(&sticky).unwrap();
    fs::set_permissions(&sticky, fs::Permissions::from_mode(0o1777)).unwrap();
    std::os::unix::fs::chown(&sticky, Some(owner), Some(owner)).unwrap();
    (area, sticky)
}

/// A symbolic link at `link` to `target`, owned by `uid`.
fn planted(link: &Path, target: &Path, uid: u32) {
    std::os::unix::fs::symlink(target, link).unwrap();
    let c = std::ffi::CString::new(link.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path; lchown changes the link, not its target.
    assert_eq!(unsafe { libc::lchown(c.as_ptr(), uid, uid) }, 0, "lchown needs root");
}

const STRANGER: u32 = 4242;

fn refused(out: &Output, link: &Path) {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    let err = stderr(out);
    assert!(
        err.contains(&format!(
            "not following the symbolic link {}: it is in a sticky world-writable directory and belongs to uid {STRANGER}, \
             neither the directory's owner nor us (the kernel's protected_symlinks rule)",
            link.display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn another_users_link_in_a_sticky_directory_is_not_followed() {
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "these tests plant links as other users: run as root"
    );
    let (area, sticky) = sticky_dir(0);
    let secret = area.path().join("secret");
    fs::write(&secret, b"root's file\n").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();
    let check_untouched = || {
        assert_eq!(fs::read(&secret).unwrap(), b"root's file\n");
        assert_eq!(fs::metadata(&secret).unwrap().mode() & 0o7777, 0o600);
    };

    // -o through the planted link.
    let link = sticky.join("out.json");
    planted(&link, &secret, STRANGER);
    let out = crit(&["decode", "-i", image().to_str().unwrap(), "-o", link.to_str().unwrap()]);
    refused(&out, &link);
    check_untouched();
    assert_eq!(names_in(&sticky), ["out.json"]);

    // coredump --out-dir: a planted core.PID, and a planted directory link.
    let cp = fixtures().join("corpus/mem");
    let core = sticky.join("core.20931");
    planted(&core, &secret, STRANGER);
    let out = crit(&["coredump", cp.to_str().unwrap(), "--out-dir", sticky.to_str().unwrap()]);
    refused(&out, &core);
    let out = crit(&["coredump", cp.to_str().unwrap(), "-o", core.to_str().unwrap()]);
    refused(&out, &core);
    check_untouched();
    let elsewhere = area.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let dir_link = sticky.join("cores");
    planted(&dir_link, &elsewhere, STRANGER);
    let out = crit(&[
        "coredump",
        cp.to_str().unwrap(),
        "--out-dir",
        dir_link.to_str().unwrap(),
    ]);
    refused(&out, &dir_link);
    assert_eq!(names_in(&elsewhere), Vec::<String>::new());

    // --extract into a planted link to an empty directory.
    let tar = common::unpack_archive("crit-tree.tar.gz");
    let img = tar.path().join("checkpoint/tmpfs-dev-81.tar.gz.img");
    let x = sticky.join("x");
    planted(&x, &elsewhere, STRANGER);
    let out = crit(&["decode", "-i", img.to_str().unwrap(), "--extract", x.to_str().unwrap()]);
    refused(&out, &x);
    assert_eq!(names_in(&elsewhere), Vec::<String>::new());
}

#[test]
fn our_links_and_the_directory_owners_are_followed() {
    // Ours (root's) in a root-owned sticky directory.
    let (area, sticky) = sticky_dir(0);
    let target = area.path().join("target.json");
    fs::write(&target, b"old").unwrap();
    let link = sticky.join("out.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = crit(&["decode", "-i", image().to_str().unwrap(), "-o", link.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read(&target).unwrap(), expected_json());
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());

    // Another user's link in that user's own sticky directory.
    let (area, sticky) = sticky_dir(STRANGER);
    let target = area.path().join("target.json");
    fs::write(&target, b"old").unwrap();
    let link = sticky.join("out.json");
    planted(&link, &target, STRANGER);
    let out = crit(&["decode", "-i", image().to_str().unwrap(), "-o", link.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read(&target).unwrap(), expected_json());

    // And a stranger's link where no sticky rule applies (a private directory).
    let area = tempfile::tempdir().unwrap();
    let target = area.path().join("target.json");
    let link = area.path().join("out.json");
    planted(&link, &target, STRANGER);
    let out = crit(&["decode", "-i", image().to_str().unwrap(), "-o", link.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read(&target).unwrap(), expected_json());
}

#[test]
fn a_signal_cuts_standard_output_back_when_it_is_a_file() {
    use std::io::Write;
    // A pstree of 5000 entries: its JSON outgrows the output buffer, so part
    // of it reaches the file before crit waits for the image's last bytes.
    let json: Value = serde_json::from_slice(&expected_json()).unwrap();
    let entry = json["entries"][0].clone();
    let many = serde_json::json!({"magic": "PSTREE", "entries": vec![entry; 5000]});
    let area = tempfile::tempdir().unwrap();
    let src = area.path().join("many.json");
    fs::write(&src, serde_json::to_vec(&many).unwrap()).unwrap();
    let img = crit(&["encode", "-i", src.to_str().unwrap()]).stdout;
    assert!(img.len() > 50_000);
    let feed = &img[..img.len() - 5];
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let out = area.path().join("log");
        fs::write(&out, b"kept\n").unwrap();
        let file = fs::OpenOptions::new().append(true).open(&out).unwrap();
        let mut child = common::crit_taking(sig)
            .arg("decode")
            .stdin(std::process::Stdio::piped())
            .stdout(file)
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(feed).unwrap();
        stdin.flush().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while fs::metadata(&out).unwrap().len() < 100_000 {
            assert!(std::time::Instant::now() < deadline, "crit wrote nothing");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // SAFETY: kill only sends a signal to our own child.
        assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
        let status = common::ended(&mut child, sig);
        drop(stdin);
        assert_eq!(status.signal(), Some(sig));
        let got = fs::read(&out).unwrap();
        assert!(got == b"kept\n", "signal {sig}: {} bytes left", got.len());
    }
}
