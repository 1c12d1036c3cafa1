//! Errors that name the real cause and the user's path (issue 21.7): a core
//! too large to write. (An extract conflict naming the user's path, not the
//! staging directory, is tested with `--extract` in `tests/extract.rs`.)

use crate::common;

use std::os::unix::process::CommandExt;
use std::process::Command;

use common::{corpus, decode_bytes, scratch_copy};

/// The corpus `mem` checkpoint with an anonymous mapping of 8 TiB added
/// (reserved, never touched: it holds no pages).
fn with_a_huge_mapping() -> tempfile::TempDir {
    let tmp = scratch_copy(&corpus("mem"));
    let mm = tmp.path().join("mm-20931.img");
    let json = decode_bytes(&std::fs::read(&mm).unwrap(), false).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let vmas = v["entries"][0]["vmas"].as_array_mut().unwrap();
    let start: u64 = 0x1000_0000_0000;
    vmas.insert(
        0,
        serde_json::json!({"start": start, "end": start + (8u64 << 40), "pgoff": 0, "shmid": 0,
            "prot": 3, "flags": 0x22, "status": 0x201, "fd": -1}),
    );
    let mut img = Vec::new();
    crit::image_json::encode_image(v.to_string().as_bytes(), "mm.json", &mut img).unwrap();
    std::fs::write(&mm, img).unwrap();
    tmp
}

#[test]
fn a_core_too_large_to_write_says_so_naming_the_output() {
    let tmp = with_a_huge_mapping();
    let out = tmp.path().join("core.out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crit"));
    cmd.args(["coredump", tmp.path().to_str().unwrap(), "-o", out.to_str().unwrap()]);
    // Files of 64 MiB at most, as a file system's limit would be: a write
    // past it fails with EFBIG (SIGXFSZ ignored, so it is not fatal).
    // SAFETY: only async-signal-safe calls.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 64 << 20,
                rlim_max: 64 << 20,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(1), "{err}");
    // As large as the core without the mapping, and 8 TiB more.
    let plain = tmp.path().join("core.plain");
    let d = corpus("mem");
    common::ok_stdout(&["coredump", d.to_str().unwrap(), "-o", plain.to_str().unwrap()]);
    let size = std::fs::metadata(&plain).unwrap().len() + (8u64 << 40);
    assert_eq!(
        err,
        format!(
            "crit: {}: the core of task 20931 would be 8.0T ({size} bytes, as large as the memory it maps), \
             more than can be written in one file here (File too large (os error 27))\n",
            out.display()
        )
    );
    assert!(!out.exists());
}
