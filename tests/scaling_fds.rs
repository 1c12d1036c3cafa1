//! Memory that grows with the largest entry, not with the whole: a task
//! with many open fds (300,000 once took `crit x fds` to 2 GiB). A test
//! binary of its own: a child's peak memory counts its parent's, which must
//! stay small.

mod common;

use crit::explore::{fds, Checkpoint};

#[test]
fn many_fds_in_bounded_memory() {
    // 50,000 fds: decoded all at once, the file table alone took 350 MiB.
    let t = tempfile::tempdir().unwrap();
    common::bulk::many_fds(t.path(), 50_000);
    let dir = t.path().to_str().unwrap();
    let out = common::crit(&["x", dir, "fds", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fds = v["tasks"][0]["fds"].as_array().unwrap();
    let template = fds::explore(&Checkpoint::open(common::corpus("mem")).unwrap()).unwrap();
    assert_eq!(fds.len(), template.tasks[0].fds.len() + 50_000);
    let last = &fds[fds.len() - 1];
    assert_eq!(
        (last["fd"].as_u64(), last["object"].as_str(), last["pos"].as_u64()),
        (Some(50_999), Some("/data/file-049999"), Some(49_999))
    );
    // The peak resident size of the children of this test process.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes the struct we pass.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    assert!(
        usage.ru_maxrss < 64 * 1024,
        "crit x fds peaked at {} KiB",
        usage.ru_maxrss
    );
}
