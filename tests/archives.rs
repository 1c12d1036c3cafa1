//! Every command on every container archive, in all three compressions,
//! answers as it does on the unpacked `checkpoint/` (or, for what lives
//! beside it, the unpacked archive).

use crate::common;

use common::{archives, ok_stdout, raw_tar, three_compressions, unpack};

/// The commands compared, with `{}` for the checkpoint; `images`: whether
/// they read only `checkpoint/` (else the unpacked archive's root).
const COMMANDS: &[(&[&str], bool)] = &[
    (&["x", "{}", "ps"], true),
    (&["x", "{}", "ps", "--format", "json"], true),
    (&["x", "{}", "fds"], true),
    (&["x", "{}", "fds", "--format", "json"], true),
    (&["x", "{}", "mems"], true),
    (&["x", "{}", "mems", "--format", "json"], true),
    (&["x", "{}", "rss"], true),
    (&["x", "{}", "rss", "--format", "json"], true),
    (&["x", "{}", "sk"], true),
    (&["x", "{}", "sk", "--format", "json"], true),
    (&["mem", "{}", "args"], true),
    (&["mem", "{}", "env", "--format", "json"], true),
    (&["mem", "{}", "search", "HOME=", "--context", "4"], true),
    (&["mem", "{}", "maps"], true),
    (&["stats", "{}"], false),
    (&["stats", "{}", "--format", "json"], false),
];

fn run(cmd: &[&str], at: &str) -> String {
    let args: Vec<&str> = cmd.iter().map(|a| if *a == "{}" { at } else { a }).collect();
    ok_stdout(&args)
}

#[test]
fn every_command_answers_as_on_the_unpacked_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    for archive in archives() {
        let stem = archive
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_string();
        let tar = raw_tar(&archive);
        let root = tmp.path().join(format!("{stem}-unpacked"));
        unpack(&tar, &root);
        let images = root.join("checkpoint");
        let mut inputs = three_compressions(&tar, tmp.path(), &stem);
        inputs.push(archive.clone());
        for (cmd, in_images) in COMMANDS {
            let want = run(
                cmd,
                if *in_images {
                    images.to_str().unwrap()
                } else {
                    root.to_str().unwrap()
                },
            );
            assert!(!want.is_empty(), "{cmd:?} on {stem} printed nothing");
            // The unpacked archive's root finds its checkpoint/ too.
            assert_eq!(run(cmd, root.to_str().unwrap()), want, "{cmd:?} on the unpacked {stem}");
            for input in &inputs {
                assert_eq!(
                    run(cmd, input.to_str().unwrap()),
                    want,
                    "{cmd:?} on {}",
                    input.display()
                );
            }
        }
        // One image from inside: decode, show and info.
        for img in ["pstree.img", "core-1.img", "mm-1.img", "files.img", "inventory.img"] {
            let file = images.join(img);
            let want = ok_stdout(&["decode", "-i", file.to_str().unwrap()]);
            let want_info = ok_stdout(&["info", file.to_str().unwrap()]);
            let want_show = ok_stdout(&["show", file.to_str().unwrap()]);
            for input in &inputs {
                let spec = format!("{}:checkpoint/{img}", input.display());
                assert_eq!(ok_stdout(&["decode", "-i", &spec]), want, "decode {spec}");
                assert_eq!(ok_stdout(&["info", &spec]), want_info, "info {spec}");
                assert_eq!(ok_stdout(&["show", &spec]), want_show, "show {spec}");
            }
        }
    }
}

#[test]
fn the_heap_marker_is_found_in_every_form() {
    // pid 1's shell variable: `crit-tree-heap-marker.` doubled 10 times.
    let archive = common::fixtures().join("archives/crit-tree.tar.gz");
    let out = ok_stdout(&[
        "mem",
        archive.to_str().unwrap(),
        "search",
        "crit-tree-heap-marker.",
        "--format",
        "json",
    ]);
    let matches: serde_json::Value = serde_json::from_str(&out).unwrap();
    let n = matches.as_array().unwrap().len();
    // 1024 copies in the variable, plus the script's own text.
    assert!(n >= 1024, "{n} matches");
    let tmp = tempfile::tempdir().unwrap();
    let tar = raw_tar(&archive);
    unpack(&tar, tmp.path());
    let dir = tmp.path().join("checkpoint");
    let on_dir = ok_stdout(&[
        "mem",
        dir.to_str().unwrap(),
        "search",
        "crit-tree-heap-marker.",
        "--format",
        "json",
    ]);
    assert_eq!(out, on_dir);
}

#[test]
fn errors_name_the_archive_and_member() {
    let archive = common::fixtures().join("archives/crit-sleep.tar.zst");
    let spec = format!("{}:checkpoint/nothing.img", archive.display());
    let out = common::crit(&["decode", "-i", &spec]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("crit: {spec}: no such member in the archive\n")
    );
    let spec = format!("{}:checkpoint/pages-1.img", archive.display());
    let out = common::crit(&["decode", "-i", &spec]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("crit: {spec}: a raw memory image, which has no magic; read process memory with `crit mem ARCHIVE`\n")
    );
    // A task that is not there names the archive.
    let out = common::crit(&["mem", archive.to_str().unwrap(), "--pid", "77", "args"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("crit: {}: no task with pid 77 in pstree.img\n", archive.display())
    );
}
