//! Missing or damaged images: the explorers fail with an error naming the
//! file, and never panic, whatever the bytes.

use crate::common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::corpus;
use crit::explore::{fds, mems, ps, rss, sk, Checkpoint};

/// A scratch copy of a corpus checkpoint.
fn copy(dir: &str) -> tempfile::TempDir {
    common::scratch_copy(&corpus(dir))
}

/// Every explorer's outcome as text: `ok` or the error message.
fn explore_all(dir: &Path) -> Vec<Result<(), String>> {
    let cp = match Checkpoint::open(dir) {
        Ok(cp) => cp,
        Err(e) => return vec![Err(e.to_string())],
    };
    let _ = ps::explore(&cp);
    vec![
        fds::explore(&cp).map(drop).map_err(|e| e.to_string()),
        mems::explore(&cp).map(drop).map_err(|e| e.to_string()),
        rss::explore(&cp).map(drop).map_err(|e| e.to_string()),
        sk::explore(&cp).map(drop).map_err(|e| e.to_string()),
    ]
}

fn crit_x(dir: &Path, what: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crit"))
        .arg("x")
        .arg(dir)
        .arg(what)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_images_are_named() {
    let cases = [
        ("pstree.img", "ps"),
        ("core-20955.img", "ps"),
        ("ids-20955.img", "fds"),
        ("fdinfo-2.img", "fds"),
        ("files.img", "fds"),
        ("fs-20955.img", "fds"),
        ("mm-20955.img", "mems"),
        ("pagemap-20955.img", "rss"),
        ("files.img", "sk"),
    ];
    for (image, what) in cases {
        let tmp = copy("net");
        fs::remove_file(tmp.path().join(image)).unwrap();
        let (code, stdout, stderr) = crit_x(tmp.path(), what);
        assert_eq!(code, 1, "{image} {what}");
        assert!(stdout.is_empty(), "{image} {what}: nothing printed on failure");
        assert!(stderr.contains(image), "{image} {what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn ids_missing_falls_back_to_the_core_image_or_fails_by_name() {
    // CRIU 4.1.1 writes ids-PID.img and no ids in core: the error names ids-PID.img.
    let tmp = copy("files");
    fs::remove_file(tmp.path().join("ids-20975.img")).unwrap();
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let e = fds::explore(&cp).unwrap_err().to_string();
    assert!(e.contains("ids-20975.img"), "{e}");
}

#[test]
fn a_damaged_queue_image_is_named() {
    let tmp = copy("net");
    let path = tmp.path().join("tcp-stream-71cb.img");
    common::truncate_by(&path, 10);
    let (code, _, stderr) = crit_x(tmp.path(), "sk");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("tcp-stream-71cb.img") && stderr.contains("receive queue"),
        "{stderr}"
    );

    let tmp = copy("net");
    let path = tmp.path().join("sk-queues.img");
    common::truncate_by(&path, 3);
    let (code, _, stderr) = crit_x(tmp.path(), "sk");
    assert_eq!(code, 1);
    assert!(stderr.contains("sk-queues.img"), "{stderr}");
}

#[test]
fn not_a_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = crit_x(tmp.path(), "ps");
    assert_eq!(code, 1);
    assert!(stderr.contains("pstree.img"), "{stderr}");
}

/// Truncates or scribbles over each image in turn: every explorer must
/// return (ok or an error naming an image), never panic.
#[test]
fn damaged_images_never_panic() {
    for dir in ["net", "files", "tree"] {
        let names: Vec<String> = fs::read_dir(corpus(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".img") && !n.starts_with("pages-"))
            .collect();
        for name in &names {
            let original = fs::read(corpus(dir).join(name)).unwrap();
            let mut variants: Vec<Vec<u8>> = vec![Vec::new(), original[..original.len() / 2].to_vec()];
            if original.len() > 12 {
                // Corrupt the first entry: a huge size, then garbage protobuf.
                let mut big = original.clone();
                big[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
                variants.push(big);
                let mut junk = original.clone();
                for b in junk.iter_mut().skip(12) {
                    *b = 0xff;
                }
                variants.push(junk);
            }
            let tmp = copy(dir);
            for bytes in variants {
                fs::write(tmp.path().join(name), &bytes).unwrap();
                for outcome in explore_all(tmp.path()) {
                    if let Err(e) = outcome {
                        assert!(e.contains(".img"), "{dir}/{name}: error names no image: {e}");
                    }
                }
            }
        }
    }
}
