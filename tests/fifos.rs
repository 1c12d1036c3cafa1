//! A FIFO in place of an image, or of a mapped file under `--files ROOT`
//! (issue 21.3), made every command that read it wait forever. Each is now
//! refused at once, naming the file: only regular files are read.

use crate::common;

use std::ffi::CString;
use std::path::Path;
use std::time::Duration;

use common::{corpus, crit_measured, scratch_copy};

fn mkfifo(p: &Path) {
    let c = CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", p.display());
}

/// `crit ARGS` finishes within seconds, with this exit status and stderr.
fn finishes(args: &[&str], code: i32, stderr: &str) {
    let m = crit_measured(args, Duration::from_secs(20));
    assert!(!m.timed_out, "crit {args:?} blocked");
    let err = String::from_utf8_lossy(&m.out.stderr);
    assert_eq!(
        (m.out.status.code(), err.as_ref()),
        (Some(code), stderr),
        "crit {args:?}"
    );
}

/// The start of the corpus `mem` program's binary (file-backed, not dumped).
const TEXT: &str = "0x560605f46000";

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn a_fifo_for_an_image_is_refused_naming_it() {
    for img in ["core-20931.img", "pages-1.img", "files.img"] {
        let tmp = scratch_copy(&corpus("mem"));
        let d = tmp.path().to_str().unwrap();
        let fifo = tmp.path().join(img);
        std::fs::remove_file(&fifo).unwrap();
        mkfifo(&fifo);
        let refused = format!("crit: {d}/{img}: a FIFO, not a regular file\n");
        let out = tmp.path().join("core");
        let out = out.to_str().unwrap();
        // Which commands read which image.
        let reads = |cmd: &str| match (img, cmd) {
            ("core-20931.img", _) => cmd != "args",
            ("pages-1.img", _) => matches!(cmd, "args" | "coredump" | "read"),
            (_, _) => cmd != "args",
        };
        for (cmd, args) in [
            ("x", vec!["x", d]),
            ("fds", vec!["x", d, "fds"]),
            ("args", vec!["mem", d, "args"]),
            ("coredump", vec!["coredump", d, "-o", out]),
            ("read", vec!["mem", d, "read", TEXT, "16"]),
        ] {
            if reads(cmd) {
                finishes(&args, 1, &refused);
            } else {
                // A command that does not need the image answers; the
                // consistency pass then warns of the FIFO and exits 1.
                let warned = format!("crit: warning: {d}/{img}: a FIFO, not a regular file\n");
                finishes(&args, 1, &warned);
            }
        }
    }
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn the_checkpoint_itself_a_fifo_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("ckpt.tar");
    mkfifo(&fifo);
    let f = fifo.to_str().unwrap();
    finishes(&["x", f, "ps"], 1, &format!("crit: {f}: a FIFO, not a regular file\n"));
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn a_fifo_under_the_files_root_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    let fifo = root.join("usr/local/bin/cwork");
    mkfifo(&fifo);
    let (r, f) = (root.to_str().unwrap(), fifo.to_str().unwrap());
    let d = corpus("mem");
    let d = d.to_str().unwrap();
    finishes(
        &["mem", d, "read", TEXT, "16", "--files", r],
        1,
        &format!("crit: {f}: a FIFO, not a regular file\n"),
    );
    // coredump leaves out what it cannot read, and its note names the FIFO.
    let core = tmp.path().join("core");
    finishes(
        &["coredump", d, "-o", core.to_str().unwrap(), "--files", r],
        0,
        &format!(
            "crit: note: 9 file-backed ranges (2.1M) not in the checkpoint left out of the core; \
             not read from the --files root (first: /usr/local/bin/cwork: {f}: a FIFO, not a regular file)\n"
        ),
    );
}
