//! `crit mem read` against the tools people compare it with: `--raw` against
//! `head -c` on the pages file, the hexdump against `xxd` (and `xxd -a`,
//! which folds zero lines as ours folds repeats), and `mem search` on the same
//! dump. Medians of whole-process runs and peak RSS; not a timed test. Run
//! with `bench/mem-read.sh` (or `cargo bench --bench mem_read`).
//!
//! The dump: one task, one anonymous mapping of 256 MiB, every page held
//! (one pagemap run per 300 pages), a quarter of the pages zero and the rest
//! pseudo-random, so the pages file is the memory, byte for byte.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crit::proto::MmEntry;

#[path = "common/mod.rs"]
mod common;
use common::{anon_vma, PAGE};

const TOTAL_PAGES: u64 = 65_536; // 256 MiB
const RUN: u64 = 300;
const BASE: u64 = 0x7f00_0000_0000;
const PID: u32 = 1;
const HEXDUMP_LEN: u64 = 4 << 20;
const RUNS: usize = 5;

/// Writes the dump into `dir` once (reused while its stamp matches).
fn synthesize(dir: &Path) {
    let spec = format!("read v1 {TOTAL_PAGES} {RUN}");
    if common::is_stamped(dir, &spec) {
        return;
    }
    fs::create_dir_all(dir).unwrap();
    let (runs, end) = common::pagemap_runs(BASE, TOTAL_PAGES, RUN, None);
    let mm = MmEntry {
        vmas: vec![anon_vma(BASE, end)],
        ..Default::default()
    };
    common::task_images(dir, PID, &mm, &runs);
    common::write_pages(fs::File::create(dir.join("pages-1.img")).unwrap(), TOTAL_PAGES);
    common::stamp(dir, &spec);
}

/// Median time, peak RSS and output size of `RUNS` runs (after one to warm
/// the page cache).
fn measure(mut make: impl FnMut() -> Command) -> (f64, f64, u64) {
    let mut one = || common::run(make().stderr(Stdio::null()), 0, false);
    one();
    let runs = common::runs(RUNS, one);
    (runs[RUNS / 2].secs, common::peak_rss_mib(&runs), runs[0].out_bytes)
}

fn main() {
    if !common::is_bench_run("mem_read", "mem-read.sh") {
        return;
    }
    let bin = common::crit_bin();
    let dir = common::bench_dir("bench-mem-read");
    synthesize(&dir);
    let pages = dir.join("pages-1.img");
    let held = TOTAL_PAGES * PAGE;
    println!(
        "dump: {} ({} MiB held); medians of {RUNS} runs, output read from a pipe",
        dir.display(),
        held >> 20
    );
    let crit = |args: Vec<String>| {
        let bin = bin.clone();
        let dir = dir.clone();
        move || {
            let mut c = Command::new(&bin);
            c.arg("mem").arg(&dir).args(&args);
            c
        }
    };
    let tool = |prog: &'static str, args: Vec<String>| {
        move || {
            let mut c = Command::new(prog);
            c.args(&args);
            c
        }
    };
    let p = pages.display().to_string();
    let report = |name: &str, (secs, rss, out): (f64, f64, u64), base: Option<f64>| {
        let vs = base.map_or(String::new(), |b| format!("  ({:.2}x the tool's time)", secs / b));
        println!(
            "{name:<34} {secs:>7.3} s  {:>7.2} GB/s  peak RSS {rss:>6.1} MiB  {out:>10} bytes out{vs}",
            held.min(if name.contains("4 MiB") { HEXDUMP_LEN } else { held }) as f64 / secs / 1e9,
        );
    };

    let raw = measure(crit(vec![
        "read".into(),
        format!("{BASE:#x}"),
        held.to_string(),
        "--raw".into(),
    ]));
    let head = measure(tool("head", vec!["-c".into(), held.to_string(), p.clone()]));
    report("head -c 256 MiB pages-1.img", head, None);
    report("crit mem read --raw 256 MiB", raw, Some(head.0));

    // 4 MiB from the middle: random pages and zero pages.
    let off = held / 2;
    let xxd = measure(tool(
        "xxd",
        vec![
            "-s".into(),
            off.to_string(),
            "-l".into(),
            HEXDUMP_LEN.to_string(),
            p.clone(),
        ],
    ));
    let xxd_a = measure(tool(
        "xxd",
        vec![
            "-a".into(),
            "-s".into(),
            off.to_string(),
            "-l".into(),
            HEXDUMP_LEN.to_string(),
            p.clone(),
        ],
    ));
    let ours = measure(crit(vec![
        "read".into(),
        format!("{:#x}", BASE + off),
        HEXDUMP_LEN.to_string(),
    ]));
    report("xxd 4 MiB", xxd, None);
    report("xxd -a 4 MiB", xxd_a, None);
    report("crit mem read 4 MiB (hexdump)", ours, Some(xxd.0));

    let search = measure(crit(vec![
        "search".into(),
        "CRIT-NOT-THERE-7d1e".into(),
        "--color".into(),
        "never".into(),
    ]));
    report("crit mem search (literal)", search, None);
}
