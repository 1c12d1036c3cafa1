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
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::convert::{decode_image, encode_image, DecodeOptions};
use crit::image::ImageReader;
use serde_json::{json, Value};

const PAGE: u64 = 4096;
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
    let stamp = dir.join("bench-stamp");
    let spec = format!("v1 {TOTAL_PAGES} {CHANGED} {BASE:#x}");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(spec.as_str()) {
        return (a, b);
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/mem");
    let _ = fs::remove_dir_all(&a);
    fs::create_dir_all(&a).unwrap();
    for e in fs::read_dir(&corpus).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), a.join(e.file_name())).unwrap();
    }
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
    let mut out = BufWriter::with_capacity(1 << 20, fs::OpenOptions::new().append(true).open(&pages).unwrap());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut page = vec![0u8; PAGE as usize];
    for i in 0..TOTAL_PAGES {
        if i % 4 == 3 {
            page.fill(0);
        } else {
            for w in page.chunks_exact_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.copy_from_slice(&x.to_le_bytes());
            }
        }
        out.write_all(&page).unwrap();
    }
    out.flush().unwrap();
    drop(out);

    let _ = fs::remove_dir_all(&b);
    fs::create_dir_all(&b).unwrap();
    for e in fs::read_dir(&a).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), b.join(e.file_name())).unwrap();
    }
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
    fs::write(&stamp, spec).unwrap();
    (a, b)
}

struct RunStats {
    secs: f64,
    max_rss_kib: i64,
    stdout: Vec<u8>,
}

// The child is reaped by wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
fn run(bin: &Path, args: &[&Path], extra: &[&str]) -> RunStats {
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("diff")
        .args(args)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = Vec::new();
    std::io::Read::read_to_end(&mut child.stdout.unwrap(), &mut stdout).unwrap();
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1,
        "crit diff should say different (1): {status}"
    );
    RunStats {
        secs: start.elapsed().as_secs_f64(),
        max_rss_kib: ru.ru_maxrss,
        stdout,
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this too,
    // and must not write 2 GiB.
    if !std::env::args().any(|a| a == "--bench") {
        println!("diff: a benchmark; run it with bench/diff.sh");
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_crit"));
    let dir = std::env::var_os("CRIT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-diff"));
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
    let mut runs: Vec<RunStats> = (0..5).map(|_| run(&bin, &[&a, &b], &["--quiet"])).collect();
    runs.sort_by(|x, y| x.secs.total_cmp(&y.secs));
    let rss = runs.iter().map(|r| r.max_rss_kib).max().unwrap();
    println!(
        "diff: {} pages per side ({:.2} GiB), {CHANGED} changed: {:.2} GB/s per side median ({:.3} s), {:.2} GB/s best; peak RSS {:.1} MiB",
        held,
        bytes as f64 / (1u64 << 30) as f64,
        bytes as f64 / runs[2].secs / 1e9,
        runs[2].secs,
        bytes as f64 / runs[0].secs / 1e9,
        rss as f64 / 1024.0,
    );
}
