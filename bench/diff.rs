//! `crit diff` of two synthesized checkpoints, each holding 1 GiB more than
//! the corpus's `mem` checkpoint, differing in 100 pages: throughput per side
//! and peak RSS of the release binary. Not a timed test: it prints figures.
//! Run with `bench/diff.sh` (or `cargo bench --bench diff`).
//!
//! Each side is the `mem` checkpoint with one more anonymous mapping at
//! `BASE`, held by one extra pagemap run whose pages are appended to
//! `pages-1.img`: pseudo-random, a quarter zero. B is A with 100 pages spread
//! over the mapping flipped (one byte each, at varying offsets).

use std::fs::{self, File};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::image::ImageReader;
use crit::image_json::{decode_image, encode_image, DecodeOptions};
use serde_json::{json, Value};

#[path = "common/mod.rs"]
mod common;
use common::{Run, PAGE};

const TOTAL_PAGES: u64 = 262_144; // 1 GiB
const CHANGED: u64 = 100;
const BASE: u64 = 0x7ffe_0000_0000;
const PID: u32 = 20931;

fn edit_image(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut r = ImageReader::open(path).unwrap();
    let mut text = Vec::new();
    decode_image(&mut r, &mut text, DecodeOptions::default()).unwrap();
    let mut v: Value = serde_json::from_slice(&text).unwrap();
    edit(&mut v);
    let mut out = Vec::new();
    encode_image(&serde_json::to_vec(&v).unwrap()[..], "bench", &mut out).unwrap();
    fs::write(path, out).unwrap();
}

/// The pages of B that differ from A, by index in the big run.
fn changed_pages() -> impl Iterator<Item = u64> {
    (0..CHANGED).map(|k| k * (TOTAL_PAGES / CHANGED) + 17)
}

/// Writes A and B under `dir` (once: reused while the stamp matches).
fn synthesize(dir: &Path) -> (PathBuf, PathBuf) {
    let (a, b) = (dir.join("a"), dir.join("b"));
    let spec = format!("v1 {TOTAL_PAGES} {CHANGED} {BASE:#x}");
    if common::is_stamped(dir, &spec) {
        return (a, b);
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/mem");
    common::copy_checkpoint(&corpus, &a);
    edit_image(&a.join(format!("mm-{PID}.img")), |v| {
        let vmas = v["entries"][0]["vmas"].as_array_mut().unwrap();
        vmas.push(
            json!({"start": BASE, "end": BASE + TOTAL_PAGES * PAGE, "pgoff": 0, "shmid": 0,
            "prot": 3, "flags": 0x22, "status": 0x201, "fd": -1}),
        );
        vmas.sort_by_key(|x| x["start"].as_u64().unwrap());
    });
    edit_image(&a.join(format!("pagemap-{PID}.img")), |v| {
        let entries = v["entries"].as_array_mut().unwrap();
        entries.push(json!({"vaddr": BASE, "compat_nr_pages": TOTAL_PAGES, "flags": 4}));
    });
    let pages = a.join("pages-1.img");
    common::write_pages(fs::OpenOptions::new().append(true).open(&pages).unwrap(), TOTAL_PAGES);

    common::copy_checkpoint(&a, &b);
    let big_start = fs::metadata(&pages).unwrap().len() - TOTAL_PAGES * PAGE;
    let f = File::options()
        .read(true)
        .write(true)
        .open(b.join("pages-1.img"))
        .unwrap();
    for (n, i) in changed_pages().enumerate() {
        let at = big_start + i * PAGE + (n as u64 * 37) % PAGE;
        let mut byte = [0u8];
        f.read_exact_at(&mut byte, at).unwrap();
        f.write_all_at(&[!byte[0]], at).unwrap();
    }
    common::stamp(dir, &spec);
    (a, b)
}

/// `crit diff`, which must say the checkpoints differ (exit 1).
fn run(bin: &Path, args: &[&Path], extra: &[&str]) -> Run {
    let mut cmd = Command::new(bin);
    cmd.arg("diff").args(args).args(extra).stderr(Stdio::inherit());
    common::run(&mut cmd, 1, true)
}

fn main() {
    if !common::is_bench_run("diff", "diff.sh") {
        return;
    }
    let bin = common::crit_bin();
    let dir = common::bench_dir("bench-diff");
    let t = Instant::now();
    let (a, b) = synthesize(&dir);
    println!(
        "checkpoints: {} and {} (1 GiB more each, {CHANGED} pages apart), ready in {:.1} s",
        a.display(),
        b.display(),
        t.elapsed().as_secs_f64()
    );
    // Check the answer once, then time the quiet comparison.
    let check = run(&bin, &[&a, &b], &["--format", "json"]);
    let v: Value = serde_json::from_slice(&check.stdout).unwrap();
    let held = v["memory"]["equal"].as_u64().unwrap() + v["memory"]["changed"].as_u64().unwrap();
    assert_eq!(v["memory"]["changed"], CHANGED, "wrong number of changed pages");
    let want: Vec<String> = changed_pages().map(|i| format!("{:#x}", BASE + i * PAGE)).collect();
    let got: Vec<String> = v["tasks"][0]["pages"]["changed_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["start"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "wrong changed pages");
    let bytes = held * PAGE;
    let runs = common::runs(5, || run(&bin, &[&a, &b], &["--quiet"]));
    let rss = common::peak_rss_mib(&runs);
    println!(
        "diff: {} pages per side ({:.2} GiB), {CHANGED} changed: {:.2} GB/s per side median ({:.3} s), {:.2} GB/s best; peak RSS {:.1} MiB",
        held,
        bytes as f64 / (1u64 << 30) as f64,
        bytes as f64 / runs[2].secs / 1e9,
        runs[2].secs,
        bytes as f64 / runs[0].secs / 1e9,
        rss,
    );
}
