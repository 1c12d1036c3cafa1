//! `crit inspect A B C` (issue 20.6): each path reported in turn, as `ls`
//! does; and a truncated `.tar.gz` names the member the stream broke in.

use crate::common;

use std::io::Read;
use std::path::Path;

use common::{crit, fixtures};
use serde_json::Value;

fn archive(name: &str) -> String {
    fixtures().join("archives").join(name).to_str().unwrap().to_string()
}

/// The first `n` bytes of an archive, written to `dir/cut.tar.gz`.
fn cut(name: &str, n: usize, dir: &Path) -> String {
    let bytes = std::fs::read(archive(name)).unwrap();
    let p = dir.join("cut.tar.gz");
    std::fs::write(&p, &bytes[..n]).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn every_path_is_reported_in_turn() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = cut("crit-httpd.tar.gz", 20_000, tmp.path());
    let missing = tmp.path().join("missing.tar").to_str().unwrap().to_string();
    let sleep_gz = archive("crit-sleep.tar.gz");
    let sleep = archive("crit-sleep.tar");
    let args = ["inspect", &sleep_gz, &missing, &broken, &sleep];
    let out = crit(&args);
    assert_eq!(out.status.code(), Some(1));
    // What could be read is shown, in order.
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("ARCHIVE"), "{text}");
    assert!(lines[1].starts_with(&format!("{sleep_gz} ")), "{text}");
    assert!(lines[2].starts_with(&format!("{sleep} ")), "{text}");
    // Each failure on its own line, in order, naming its path.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "crit: {missing}: No such file or directory (os error 2)\n\
             crit: {broken}:checkpoint/pages-1.img: truncated or corrupt compressed stream: incomplete deflate stream\n"
        )
    );
    // JSON: the ones read.
    let out = crit(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [sleep_gz.as_str(), sleep.as_str()]);
    // All good: 0; all bad: nothing on standard output, 1.
    let out = crit(&["inspect", &sleep_gz, &sleep]);
    assert_eq!(out.status.code(), Some(0));
    let out = crit(&["inspect", &missing, &broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 2);
}

/// The member whose data the first `n` compressed bytes of `name` break in,
/// found by decompressing as far as they go and walking the tar headers;
/// `None` when they break between members.
fn broken_member(name: &str, n: usize) -> Option<String> {
    let bytes = std::fs::read(archive(name)).unwrap();
    let mut data = Vec::new();
    let _ = flate2::read::GzDecoder::new(&bytes[..n]).read_to_end(&mut data);
    let mut off = 0;
    while off + 512 <= data.len() {
        let h = tar::Header::from_byte_slice(&data[off..off + 512]);
        if data[off..off + 512].iter().all(|&b| b == 0) {
            return None;
        }
        let size = h.entry_size().unwrap() as usize;
        let name = String::from_utf8(h.path_bytes().into_owned()).unwrap();
        if off + 512 + size > data.len() {
            return Some(name);
        }
        off += 512 + size.next_multiple_of(512);
    }
    None
}

#[test]
fn a_truncated_tar_gz_names_the_member_it_broke_in() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "crit-httpd.tar.gz";
    let len = std::fs::metadata(archive(name)).unwrap().len() as usize;
    let mut checked = 0;
    for n in (600..len).step_by(731) {
        let Some(member) = broken_member(name, n) else { continue };
        let p = cut(name, n, tmp.path());
        let out = crit(&["inspect", &p]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with(&format!("crit: {p}:{member}: ")), "cut at {n}: {err}");
        checked += 1;
    }
    assert!(checked > 20, "only {checked} cuts fell inside a member");
}
