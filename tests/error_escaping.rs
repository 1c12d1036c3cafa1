//! Error messages quote names from the checkpoint and the command line:
//! they reach standard error escaped (issue 21.6), the way text output is,
//! so an archive member, a pod's container or a path cannot recolour the
//! terminal, set its title or fake a line.

use crate::common;

use std::os::unix::ffi::OsStrExt;

use common::{crit, pod_of, three_compressions, unpack_archive};

fn stderr_of(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_member_name_with_controls_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    // `tar` refuses to set such a name; written into the header directly.
    let name = b"/\x1b]0;pwned\x07\ncrit: fake\xff";
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_cksum();
    b.append(&h, &b"x"[..]).unwrap();
    let tar = b.into_inner().unwrap();
    for p in three_compressions(&tar, tmp.path(), "ctl") {
        let p = p.to_str().unwrap();
        let out = crit(&["x", p, "ps"]);
        let shown = "/\\x1b]0;pwned\\a\\ncrit: fake\u{fffd}";
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("crit: {p}:{shown}: refused: absolute path \"{shown}\"\n")
        );
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn pod_container_names_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let pod = pod_of(&[("a\x1b[31mred", "crit-sleep.tar"), ("b\ncrit: fake", "crit-sleep.tar")]);
    let p = tmp.path().join("pod.tar");
    std::fs::write(&p, pod).unwrap();
    let p = p.to_str().unwrap();
    let out = crit(&["x", p, "ps"]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "crit: {p}: a pod checkpoint of 2 containers (a\\x1b[31mred, b\\ncrit: fake): pick one with --container NAME\n"
        )
    );
    let out = crit(&["x", p, "ps", "--container", "\x07nope"]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("crit: {p}: the pod has no container \"\\anope\" (it has a\\x1b[31mred, b\\ncrit: fake)\n")
    );
}

#[test]
fn paths_given_are_escaped_with_their_bytes_not_utf8() {
    let tmp = tempfile::tempdir().unwrap();
    // A checkpoint path with ESC, BEL, a newline and a byte that is not UTF-8.
    let mut bad = tmp.path().as_os_str().as_bytes().to_vec();
    bad.extend_from_slice(b"/x\x1b[2J\x07\n\xff");
    let bad = std::ffi::OsStr::from_bytes(&bad);
    let (code, err) = stderr_of(&["x".as_ref(), bad, "ps".as_ref()]);
    let d = tmp.path().to_str().unwrap();
    assert_eq!(
        (code, err.as_str()),
        (
            Some(1),
            format!("crit: {d}/x\\x1b[2J\\a\\n\\xff: No such file or directory (os error 2)\n").as_str()
        )
    );
    // `--extract` into a folder whose parent is missing.
    let ck = unpack_archive("crit-tree.tar.gz");
    let img = ck.path().join("checkpoint/tmpfs-dev-81.tar.gz.img");
    let into = format!("{d}/no\x1b]0;t\x07/dir");
    let out = crit(&[
        "decode",
        "-i",
        img.to_str().unwrap(),
        "--extract",
        &into,
        "-o",
        &format!("{d}/j"),
    ]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    // It names the folder (or its parent that is missing), escaped.
    assert!(err.starts_with(&format!("crit: {d}/no\\x1b]0;t\\a")), "{err:?}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
}
