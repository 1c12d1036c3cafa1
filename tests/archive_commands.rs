//! `crit diff` and `crit coredump` on container archives (plain, gzip, zstd),
//! unpacked container checkpoints and pods: the same answers as on the
//! unpacked images, every read through one `Source` per side.
//!
//! `crit-sleep.tar`, `crit-sleep.tar.gz` and `crit-sleep.tar.zst` are three
//! containers of one image running `sleep`: the same program, with its own
//! hostname, pipes, heap, stack and vdso each.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{crit, fixtures, ok_stdout, raw_tar, three_compressions, unpack};
use crit::mem::MemReader;
use serde_json::{json, Value};

fn archive(name: &str) -> PathBuf {
    fixtures().join("archives").join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `crit ARGS` as JSON, with its exit code.
fn json_of(args: &[&str]) -> (Value, i32) {
    let out = crit(args);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("crit {args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap())
}

/// The archive unpacked into `dir`; returns `dir`.
fn unpacked(name: &str, dir: &Path) -> PathBuf {
    unpack(&raw_tar(&archive(name)), dir);
    dir.to_path_buf()
}

#[test]
fn an_archive_equals_its_unpacked_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "crit-sleep.tar",
        "crit-sleep.tar.gz",
        "crit-sleep.tar.zst",
        "crit-httpd.tar.gz",
    ] {
        let dir = unpacked(name, &tmp.path().join(name));
        let images = std::fs::read_dir(dir.join("checkpoint"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_file())
            .count();
        let a = archive(name);
        // The archive against the container folder and against its images.
        for b in [dir.clone(), dir.join("checkpoint")] {
            let (v, code) = json_of(&["diff", s(&a), s(&b), "--images", "--format", "json"]);
            assert_eq!(code, 0, "{name}: {v}");
            assert_eq!(v["equal"], true);
            assert_eq!(v["a"], s(&a));
            assert_eq!(v["b"], s(&b));
            assert_eq!(v["tasks"], json!([]));
            assert_eq!(v["images"]["only_a"], json!([]));
            assert_eq!(v["images"]["only_b"], json!([]));
            let list = v["images"]["images"].as_array().unwrap();
            assert_eq!(list.len(), images, "{name}");
            assert!(list.iter().all(|i| i["equal"] == true && i["decoded"] == false));
            assert!(v["memory"]["equal"].as_u64().unwrap() > 0);
            assert_eq!(v["memory"]["changed"], 0);
        }
        let out = crit(&["diff", s(&dir), s(&a), "--images"]);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with(&format!("{} vs {}: equal\n", dir.display(), a.display())),
            "{text}"
        );
        assert!(
            text.ends_with(&format!("images\nall {images} images equal\n")),
            "{text}"
        );
    }
}

/// Pages held by `a` and `b`, compared independently of `crit diff`:
/// (equal, changed, only in A, only in B).
fn page_counts(a: &MemReader, b: &MemReader) -> [u64; 4] {
    let pages = |m: &MemReader| -> BTreeMap<u64, Vec<u8>> {
        let mut out = BTreeMap::new();
        for r in m.held_ranges() {
            for at in (r.start..r.end).step_by(4096) {
                let mut buf = vec![0u8; 4096];
                assert!(m.read_into(at, &mut buf).unwrap().is_empty());
                out.insert(at, buf);
            }
        }
        out
    };
    let (pa, pb) = (pages(a), pages(b));
    let mut n = [0u64; 4];
    for (at, bytes) in &pa {
        match pb.get(at) {
            Some(other) if other == bytes => n[0] += 1,
            Some(_) => n[1] += 1,
            None => n[2] += 1,
        }
    }
    n[3] = pb.keys().filter(|at| !pa.contains_key(at)).count() as u64;
    n
}

#[test]
fn two_containers_differ_in_what_each_ran_with() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (archive("crit-sleep.tar"), archive("crit-sleep.tar.zst"));
    let (v, code) = json_of(&["diff", s(&a), s(&b), "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(v["equal"], false);
    assert_eq!(v["processes"], json!({"added": [], "removed": []}));
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1);
    let t = &tasks[0];
    assert_eq!(
        (t["pid"].as_u64(), t["b_pid"].as_u64(), t["comm"].as_str()),
        (Some(1), Some(1), Some("sleep"))
    );
    assert_eq!(t["changes"], json!([]));
    // Podman sets the hostname to the container's id.
    assert_eq!(
        t["env"],
        json!({"added": [], "removed": [], "changed": [{"name": "HOSTNAME", "a": "1db1d1a25d58", "b": "7a72e2fd36df"}]})
    );
    let fds: Vec<(u64, String, String)> = t["files"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let ch = &c["changes"][0];
            (
                c["fd"].as_u64().unwrap(),
                ch["a"].as_str().unwrap().into(),
                ch["b"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        fds,
        [
            (1, "pipe[237363]".into(), "pipe[238001]".into()),
            (2, "pipe[237364]".into(), "pipe[238002]".into())
        ]
    );
    let moved: Vec<&str> = t["vmas"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["[heap]", "[vvar]", "[vdso]", "[stack]"]);
    assert_eq!(t["vmas"]["added"].as_array().unwrap().len(), 4);
    assert_eq!(t["vmas"]["changed"], json!([]));

    // The memory summary, counted here page by page from the unpacked images.
    let ma = MemReader::open(unpacked("crit-sleep.tar", &tmp.path().join("a")), Some(1)).unwrap();
    let mb = MemReader::open(unpacked("crit-sleep.tar.zst", &tmp.path().join("b")), Some(1)).unwrap();
    let [equal, changed, only_a, only_b] = page_counts(&ma, &mb);
    assert_eq!([equal, changed, only_a, only_b], [3, 6, 6, 7]);
    assert_eq!(
        v["memory"],
        json!({"equal": equal, "changed": changed, "only_a": only_a, "only_b": only_b})
    );
    // The same comparison, whichever compression or form each side has.
    for (x, y) in [
        (tmp.path().join("a"), b.clone()),
        (a.clone(), tmp.path().join("b/checkpoint")),
    ] {
        let (w, code) = json_of(&["diff", s(&x), s(&y), "--format", "json"]);
        assert_eq!(code, 1);
        assert_eq!(w["tasks"], v["tasks"], "{} vs {}", x.display(), y.display());
        assert_eq!(w["memory"], v["memory"]);
    }
    // --images: the same image files, and the first difference of one.
    let (w, _) = json_of(&["diff", s(&a), s(&b), "--images", "--format", "json"]);
    let fdinfo = w["images"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "utsns-12.img")
        .unwrap()
        .clone();
    assert_eq!(
        fdinfo,
        json!({"name": "utsns-12.img", "equal": false, "decoded": true,
               "first": {"field": "entries[0].nodename", "a": "1db1d1a25d58", "b": "7a72e2fd36df"}})
    );
}

#[test]
fn hexdiff_reads_archives() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (archive("crit-sleep.tar"), archive("crit-sleep.tar.zst"));
    // 0x5f4908 holds a pointer into each side's heap (29a5b000-… in A,
    // 29b94000-… in B): 0x29a5c040 and 0x29b95040.
    let (v, code) = json_of(&["diff", s(&a), s(&b), "--hexdiff", "0x5f4908", "8", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(
        v,
        json!({"pid": 1, "b_pid": 1, "address": "0x5f4908", "length": 8, "equal": false,
               "a": "40c0a52900000000", "b": "4050b92900000000", "a_missing": [], "b_missing": []})
    );
    // The same bytes as from the unpacked checkpoints.
    let da = unpacked("crit-sleep.tar", &tmp.path().join("a"));
    let db = unpacked("crit-sleep.tar.zst", &tmp.path().join("b"));
    let text = ok_stdout(&["diff", s(&a), s(&da), "--hexdiff", "0x5f4900", "16"]);
    assert_eq!(
        text,
        " 005f4900: 6400 0000 0000 0000 40c0 a529 0000 0000  d.......@..)....\n"
    );
    let args = ["--hexdiff", "0x5f4000", "4096", "--format", "json"];
    let (x, _) = json_of(&[&["diff", s(&a), s(&b)][..], &args].concat());
    let (y, _) = json_of(&[&["diff", s(&da), s(&db)][..], &args].concat());
    assert_eq!(x, y);
}

/// `crit coredump CHECKPOINT ARGS -o OUT`; returns the core's bytes.
fn core_of(checkpoint: &Path, args: &[&str], out: &Path) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["coredump", s(checkpoint), "-o", s(out)])
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(out).unwrap()
}

#[test]
fn coredump_of_an_archive_is_the_coredump_of_its_images() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let dir = unpacked("crit-sleep.tar.zst", &t.join("u"));
    let want = core_of(&dir.join("checkpoint"), &[], &t.join("want"));
    assert!(want.starts_with(b"\x7fELF\x02\x01\x01"));
    assert_eq!(want.len(), 339968);
    assert_eq!(core_of(&archive("crit-sleep.tar.zst"), &[], &t.join("zst")), want);
    assert_eq!(core_of(&dir, &["--pid", "1"], &t.join("dir")), want);
    // The same checkpoint recompressed: content, not the name, tells them apart.
    for p in three_compressions(&raw_tar(&archive("crit-sleep.tar.zst")), t, "again") {
        assert_eq!(
            core_of(&p, &["--pid", "1"], &t.join("again.core")),
            want,
            "{}",
            p.display()
        );
    }
    // --all into a folder.
    let out = t.join("all");
    std::fs::create_dir(&out).unwrap();
    let text = ok_stdout(&[
        "coredump",
        s(&archive("crit-sleep.tar.zst")),
        "--all",
        "--out-dir",
        s(&out),
    ]);
    assert_eq!(
        text,
        format!(
            "{}: pid 1 (sleep), 1 thread, 14 segments, 332K\n",
            out.join("core.1").display()
        )
    );
    assert_eq!(std::fs::read(out.join("core.1")).unwrap(), want);
}

/// A pod of two containers, `a1b2c3d4-sleeper` (crit-sleep.tar) and
/// `e5f6a7b8-other` (crit-sleep.tar.zst), without `pod.options`: the names
/// come from the folders.
fn pod_tar() -> Vec<u8> {
    common::pod_of(&[
        ("a1b2c3d4-sleeper", "crit-sleep.tar"),
        ("e5f6a7b8-other", "crit-sleep.tar.zst"),
    ])
}

#[test]
fn a_pods_containers_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let sleeper = core_of(&archive("crit-sleep.tar"), &[], &t.join("sleeper.core"));
    let other = core_of(&archive("crit-sleep.tar.zst"), &[], &t.join("other.core"));
    assert_ne!(sleeper, other);
    let unpacked_pod = t.join("pod");
    unpack(&pod_tar(), &unpacked_pod);
    let mut pods = three_compressions(&pod_tar(), t, "pod");
    pods.push(unpacked_pod);
    for pod in &pods {
        let p = s(pod);
        assert_eq!(core_of(pod, &["--container", "sleeper"], &t.join("c")), sleeper, "{p}");
        assert_eq!(core_of(pod, &["--container", "e5f6a7b8"], &t.join("c")), other, "{p}");
        let out = crit(&["coredump", p, "-o", s(&t.join("none"))]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("crit: {p}: a pod checkpoint of 2 containers (sleeper, other): pick one with --container NAME\n")
        );
        assert!(!t.join("none").exists());

        // diff: --container picks in each pod; a side of one container ignores it.
        let (v, code) = json_of(&[
            "diff",
            p,
            s(&archive("crit-sleep.tar")),
            "--container",
            "sleeper",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{p}: {v}");
        assert!(v["a"].as_str().unwrap().ends_with("a1b2c3d4-sleeper"), "{v}");
        let out = crit(&["diff", p, p, "--container", "sleeper", "--container-b", "other", "-q"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        let (v, code) = json_of(&[
            "diff",
            s(&archive("crit-sleep.tar")),
            p,
            "--container",
            "other",
            "--format",
            "json",
        ]);
        assert_eq!(code, 1);
        assert_eq!(v["memory"], json!({"equal": 3, "changed": 6, "only_a": 6, "only_b": 7}));
    }
    let plain = archive("crit-sleep.tar");
    let out = crit(&["diff", s(&plain), s(&plain), "--container", "sleeper"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "crit: {}: --container \"sleeper\": not a pod checkpoint (it holds one container)\n",
            plain.display()
        )
    );
}
