//! `crit diff X X` and `crit diff X COPY-OF-X` find nothing, on every fixture
//! checkpoint: both corpora, every Podman archive, every container of a pod.
//! And a real change still shows: a copy of `corpus-4.2.1/threads` (whose
//! thread stacks start where their guard ranges start) with one mapping's
//! protection edited is reported as exactly that change.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use common::{crit, edit_image, fixtures};

/// A side of a diff: a path, and `--container NAME` for a pod.
struct Side {
    path: PathBuf,
    container: Option<String>,
    /// How the report names it: the path, then `:FOLDER` for a pod's container.
    label: String,
}

fn run(a: &Side, b: &Side, extra: &[&str]) -> (String, i32) {
    let mut args: Vec<&str> = vec!["diff"];
    args.extend(extra);
    if let Some(c) = &a.container {
        args.extend(["--container", c]);
    }
    args.extend([a.path.to_str().unwrap(), b.path.to_str().unwrap()]);
    let out = crit(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "crit {args:?} wrote to stderr: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap())
}

/// Checks that `diff A B`, in text and in JSON (with `--images`), says equal
/// and nothing else, with exit status 0.
fn assert_no_difference(a: &Side, b: &Side) {
    let what = format!("{} vs {} ({:?})", a.path.display(), b.path.display(), a.container);
    let (json_text, code) = run(a, b, &["--format", "json", "--images"]);
    assert_eq!(code, 0, "{what}: {json_text}");
    let v: Value = serde_json::from_str(&json_text).unwrap();
    let pages = v["memory"]["equal"].as_u64().unwrap();
    assert!(pages > 0, "{what}: every fixture holds pages");
    let images = v["images"]["images"].as_array().unwrap();
    assert!(images.len() > 5, "{what}: images compared");
    assert!(images.iter().all(|i| i["equal"] == true), "{what}: {images:?}");
    let mut rest = v.clone();
    rest["images"]["images"] = json!([]);
    assert_eq!(
        rest,
        json!({
            "a": a.label,
            "b": b.label,
            "equal": true,
            "match_by": "pid",
            "processes": {"added": [], "removed": []},
            "tasks": [],
            "memory": {"equal": pages, "changed": 0, "only_a": 0, "only_b": 0},
            "images": {"only_a": [], "only_b": [], "images": []},
        }),
        "{what}"
    );
    let (text, code) = run(a, b, &[]);
    assert_eq!(code, 0, "{what}: {text}");
    assert_eq!(
        text,
        format!(
            "{} vs {}: equal\n\nmemory: {pages} pages equal, 0 changed, 0 only in A, 0 only in B\n",
            a.label, b.label
        ),
        "{what}"
    );
}

fn side(path: &Path) -> Side {
    Side {
        path: path.to_path_buf(),
        container: None,
        label: path.display().to_string(),
    }
}

/// Container `name` (in folder `folder`) of pod `path`.
fn in_pod(path: &Path, name: &str, folder: &str) -> Side {
    Side {
        path: path.to_path_buf(),
        container: Some(name.to_string()),
        label: format!("{}:{folder}", path.display()),
    }
}

#[test]
fn every_checkpoint_equals_itself_and_its_copy() {
    let mut dirs = common::corpus_dirs_of("corpus");
    dirs.extend(common::corpus_dirs_of("corpus-4.2.1"));
    assert_eq!(dirs.len(), 16);
    for dir in &dirs {
        assert_no_difference(&side(dir), &side(dir));
        let copy = common::scratch_copy(dir);
        assert_no_difference(&side(dir), &side(copy.path()));
    }
}

#[test]
fn every_archive_equals_itself_and_its_copy() {
    let tmp = tempfile::tempdir().unwrap();
    for ar in common::archives() {
        let copy = tmp.path().join(ar.file_name().unwrap());
        fs::copy(&ar, &copy).unwrap();
        assert_no_difference(&side(&ar), &side(&ar));
        assert_no_difference(&side(&ar), &side(&copy));
    }
}

#[test]
fn every_container_of_a_pod_equals_itself_and_its_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let containers = [
        ("a1b2c3d4-httpd", "crit-httpd.tar.gz"),
        ("e5f6a7b8-tree", "crit-tree.tar.gz"),
        ("c9d0e1f2-sleep", "crit-sleep.tar.zst"),
    ];
    let tar = common::pod_of(&containers);
    let pods = common::three_compressions(&tar, tmp.path(), "pod");
    let copy = tmp.path().join("pod-copy.tar");
    fs::write(&copy, &tar).unwrap();
    for pod in &pods {
        for (folder, _) in containers {
            let name = folder.split_once('-').unwrap().1;
            assert_no_difference(&in_pod(pod, name, folder), &in_pod(pod, name, folder));
            assert_no_difference(&in_pod(pod, name, folder), &in_pod(&copy, name, folder));
        }
    }
}

/// The thread stack of `corpus-4.2.1/threads` that starts where a guard
/// range starts, made read-only in a copy: one change, `prot`, and the guard
/// range still pairs with its own.
#[test]
fn a_stack_whose_guard_starts_with_it_shows_its_prot_change() {
    let dir = fixtures().join("corpus-4.2.1/threads");
    let b = common::scratch_copy(&dir);
    let mm = b.path().join("mm-3357.img");
    edit_image(&mm, |v| {
        let vmas = v["entries"][0]["vmas"].as_array_mut().unwrap();
        let mut stacks: Vec<&mut Value> = vmas
            .iter_mut()
            .filter(|m| m["start"] == 0x7ff1_de9d_4000_u64 && m["end"] == 0x7ff1_e01d_7000_u64)
            .collect();
        assert_eq!(stacks.len(), 1);
        assert_eq!(stacks[0]["prot"], 3, "PROT_READ | PROT_WRITE");
        stacks[0]["prot"] = json!(1);
    });
    let (text, code) = run(&side(&dir), &side(b.path()), &["--format", "json"]);
    assert_eq!(code, 1, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{text}");
    assert_eq!(
        tasks[0]["vmas"],
        json!({
            "added": [],
            "removed": [],
            "changed": [{
                "a": {"start": "0x7ff1de9d4000", "end": "0x7ff1e01d7000", "prot": "rw-", "resource": ""},
                "b": {"start": "0x7ff1de9d4000", "end": "0x7ff1e01d7000", "prot": "r--", "resource": ""},
                "what": ["prot"],
            }],
        })
    );
    let (text, code) = run(&side(&dir), &side(b.path()), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        format!(
            "{} vs {}: different\n\n\
             3357 threads\n  memory map\n\
             CHANGE  A                               B\n\
             prot    7ff1de9d4000-7ff1e01d7000 rw-   7ff1de9d4000-7ff1e01d7000 r--\n\n\
             memory: 34 pages equal, 0 changed, 0 only in A, 0 only in B\n",
            dir.display(),
            b.path().display()
        )
    );
}

/// A guard range removed from a copy is reported as a removed guard range,
/// not as a change of the stack that starts at the same address.
#[test]
fn a_guard_range_removed_is_reported_alone() {
    let dir = fixtures().join("corpus-4.2.1/threads");
    let b = common::scratch_copy(&dir);
    edit_image(&b.path().join("mm-3357.img"), |v| {
        let vmas = v["entries"][0]["vmas"].as_array_mut().unwrap();
        let before = vmas.len();
        vmas.retain(|m| !(m["start"] == 0x7ff1_de9d_4000_u64 && m["end"] == 0x7ff1_de9d_5000_u64));
        assert_eq!(vmas.len(), before - 1);
    });
    let (text, code) = run(&side(&dir), &side(b.path()), &["--format", "json"]);
    assert_eq!(code, 1, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["tasks"][0]["vmas"],
        json!({
            "added": [],
            "removed": [{"start": "0x7ff1de9d4000", "end": "0x7ff1de9d5000", "prot": "---", "resource": "[guard]"}],
            "changed": [],
        })
    );
}
