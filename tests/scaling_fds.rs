//! Memory that grows with the largest entry, not with the whole: a task
//! with many open fds (300,000 once took `crit x fds` to 2 GiB), measured
//! by GNU time: crit's own peak, not the test process's.

use crate::common;

use std::time::Duration;

use crit::explore::{fds, Checkpoint};

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn many_fds_in_bounded_memory() {
    // 50,000 fds: decoded all at once, the file table alone took 350 MiB.
    let t = tempfile::tempdir().unwrap();
    common::bulk::many_fds(t.path(), 50_000);
    let dir = t.path().to_str().unwrap();
    let m = common::crit_measured(&["x", dir, "fds", "--format", "json"], Duration::from_secs(300));
    assert!(!m.timed_out, "crit x fds took more than 300 s");
    let out = m.out;
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
    // The peak resident size of crit.
    assert!(m.max_rss_kib < 64 * 1024, "crit x fds peaked at {} KiB", m.max_rss_kib);
}
