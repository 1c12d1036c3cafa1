//! `crit stats` against the Python CRIT's decoding of the same images.

use crate::common;

use common::crit_text as crit;
use std::path::PathBuf;

use serde_json::Value;

fn fixture(kind: &str, dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(dir)
}

/// The entry the Python CRIT decoded from `DIR/<image>`, under `key`.
fn peer(dir: &str, image: &str, key: &str) -> Value {
    let text = std::fs::read_to_string(fixture("peers", dir).join(format!("{image}.json"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["entries"][0][key].clone()
}

fn as_map(stats: &[crit::stats::Stat]) -> Value {
    Value::Object(
        stats
            .iter()
            .map(|s| (s.name.to_string(), Value::from(s.value)))
            .collect(),
    )
}

#[test]
fn restored_has_dump_and_restore_stats() {
    let s = crit::stats::Stats::read(fixture("corpus", "restored")).unwrap();
    let d = s.dump.as_ref().unwrap();
    let r = s.restore.as_ref().unwrap();
    assert_eq!(
        as_map(&crit::stats::dump_fields(d)),
        peer("restored", "stats-dump", "dump")
    );
    assert_eq!(
        as_map(&crit::stats::restore_fields(r)),
        peer("restored", "stats-restore", "restore")
    );
    // Spot values, so that a wrong fixture cannot make this pass.
    assert_eq!(
        (d.frozen_time, d.pages_written, d.shpages_written),
        (26059, 29, Some(1))
    );
    assert_eq!((r.restore_time, r.forking_time, r.pages_restored), (10064, 9, Some(29)));
}

#[test]
fn ipc_has_dump_stats_only() {
    let dir = fixture("corpus", "ipc");
    let s = crit::stats::Stats::read(&dir).unwrap();
    assert!(s.restore.is_none());
    assert_eq!(
        as_map(&crit::stats::dump_fields(s.dump.as_ref().unwrap())),
        peer("ipc", "stats-dump", "dump")
    );
    assert_eq!(crit::stats::dump_stats(&dir).unwrap().unwrap().pages_scanned, 43);
    assert!(crit::stats::restore_stats(&dir).unwrap().is_none());
}

#[test]
fn cli_json_equals_the_peers_numbers() {
    for dir in ["restored", "ipc", "mem"] {
        let (out, _, ok) = crit(&["stats", fixture("corpus", dir).to_str().unwrap(), "--format", "json"]);
        assert!(ok);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["dump"], peer(dir, "stats-dump", "dump"), "{dir}");
        if dir == "restored" {
            assert_eq!(v["restore"], peer(dir, "stats-restore", "restore"));
        } else {
            assert!(v.get("restore").is_none());
        }
    }
}

#[test]
fn cli_table_has_units() {
    let (out, _, ok) = crit(&[
        "stats",
        fixture("corpus", "restored").to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert!(ok);
    let line = |label: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("frozen time"), "frozen time 26.059 ms");
    assert_eq!(line("pages scanned"), "pages scanned 43 pages 172K");
    assert_eq!(line("page pipes"), "page pipes 7");
    assert_eq!(line("restore time"), "restore time 10.064 ms");
    assert!(out.starts_with("DUMP (stats-dump)\n"));
    assert!(out.contains("\nRESTORE (stats-restore)\n"));
}

#[test]
fn no_stats_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let (_, err, ok) = crit(&["stats", empty.path().to_str().unwrap()]);
    assert!(!ok && err.contains("no stats-dump or stats-restore"), "{err}");
    assert!(crit::stats::Stats::read(empty.path()).unwrap().is_empty());
}
