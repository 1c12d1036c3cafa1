//! `crit info`, `decode -i` and `show` given a whole checkpoint archive
//! instead of one image: one line saying what it is, how to name an image
//! in it (`ARCHIVE:checkpoint/NAME.img`) and that `crit inspect` lists it;
//! exit 1, nothing on standard output. A CRIU tmpfs image (a gzip tar too)
//! still decodes.

use crate::common;

use std::fs;
use std::path::Path;

use common::{crit, fixtures};

/// Runs `crit CMD … PATH` for `info`, `decode -i` and `show`, and checks
/// each refuses with exactly `want` (after `crit: `).
fn refused_by_each(path: &Path, want: &str) {
    let p = path.to_str().unwrap();
    for args in [vec!["info", p], vec!["decode", "-i", p], vec!["show", p]] {
        let out = crit(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("crit: {want}\n"),
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

fn container_message(label: &str) -> String {
    format!(
        "{label}: a container checkpoint archive, not one image: name an image in it as \
         {label}:checkpoint/NAME.img (`crit inspect {label}` lists what is inside)"
    )
}

#[test]
fn a_container_archive_in_each_compression_is_refused() {
    for name in [
        "crit-httpd.tar.gz",
        "crit-sleep.tar",
        "crit-sleep.tar.zst",
        "crit-sleep.tar.gz",
    ] {
        let path = fixtures().join("archives").join(name);
        refused_by_each(&path, &container_message(path.to_str().unwrap()));
    }
    // Told by content, not by name.
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::raw_tar(&fixtures().join("archives/crit-httpd.tar.gz"));
    for path in common::three_compressions(&tar, tmp.path(), "httpd") {
        refused_by_each(&path, &container_message(path.to_str().unwrap()));
    }
}

#[test]
fn a_pod_archive_names_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::pod_of(&[
        ("a1b2c3d4-sleeper", "crit-sleep.tar"),
        ("e5f6a7b8-other", "crit-tree.tar.gz"),
    ]);
    for path in common::three_compressions(&tar, tmp.path(), "pod") {
        let label = path.to_str().unwrap();
        refused_by_each(
            &path,
            &format!(
                "{label}: a pod checkpoint archive, not one image: name an image in it as \
                 {label}:a1b2c3d4-sleeper/checkpoint/NAME.img (`crit inspect {label}` lists what is inside)"
            ),
        );
    }
}

#[test]
fn a_tar_of_images_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", fixtures().join("corpus/mem")).unwrap();
    let path = tmp.path().join("mem.tar");
    fs::write(&path, b.into_inner().unwrap()).unwrap();
    let label = path.to_str().unwrap();
    refused_by_each(
        &path,
        &format!(
            "{label}: a tar archive of checkpoint images, not one image: name an image in it as \
             {label}:NAME.img (`crit inspect {label}` lists what is inside)"
        ),
    );
    // And a member of it reads as before.
    let member = format!("{label}:pstree.img");
    let out = crit(&["info", &member]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\n    \"magic\": \"PSTREE\",\n    \"count\": 1\n}\n"
    );
}

#[test]
fn a_failed_decode_writes_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out_path = tmp.path().join("out.json");
    let ar = fixtures().join("archives/crit-sleep.tar.zst");
    let out = crit(&["decode", "-i", ar.to_str().unwrap(), "-o", out_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out_path.exists());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// CRIU's tmpfs image is a gzip tar as well, of the tmpfs's files: taken out
/// of its archive, it is still read as an image.
#[test]
fn a_tmpfs_image_is_still_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::raw_tar(&fixtures().join("archives/crit-tree.tar.gz"));
    common::unpack(&tar, tmp.path());
    let img = tmp.path().join("checkpoint/tmpfs-dev-81.tar.gz.img");
    let out = crit(&["info", img.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\n    \"magic\": \"TMPFS_DEV\",\n    \"count\": 2,\n    \"size\": 16\n}\n"
    );
}
