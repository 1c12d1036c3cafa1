//! `crit mem search` over a synthesized 1 GiB dump: throughput and peak RSS
//! of the release binary. Not a timed test: it prints figures. Run with
//! `bench/mem-search.sh` (or `cargo bench --bench mem_search`).
//!
//! The dump: one task, one 1 GiB+ anonymous mapping; pagemap runs of 300
//! pages with a one-page hole after every tenth, a quarter of the pages zero
//! and the rest pseudo-random; markers placed at run seams, pages and holes.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::proto::MmEntry;

#[path = "common/mod.rs"]
mod common;
use common::{anon_vma, Run, PAGE};

const TOTAL_PAGES: u64 = 262_144; // 1 GiB held
const RUN: u64 = 300;
const BASE: u64 = 0x7f00_0000_0000;
const MARKER: &[u8] = b"CRIT-BENCH-MARKER-7d1e";
const PID: u32 = 1;

/// Writes the dump into `dir` (once: reused while its stamp matches).
/// Returns how many markers it holds.
fn synthesize(dir: &Path) -> usize {
    let spec = format!("v1 {TOTAL_PAGES} {RUN}");
    let markers = marker_pages().len();
    if common::is_stamped(dir, &spec) {
        return markers;
    }
    fs::create_dir_all(dir).unwrap();
    let (runs, end) = common::pagemap_runs(BASE, TOTAL_PAGES, RUN, Some(10));
    let mm = MmEntry {
        vmas: vec![anon_vma(BASE, end)],
        ..Default::default()
    };
    common::task_images(dir, PID, &mm, &runs);
    common::write_pages(fs::File::create(dir.join("pages-1.img")).unwrap(), TOTAL_PAGES);
    // Each marker ends 5 bytes into the next page: it spans two pages (and
    // two pagemap runs, for the last page of a run).
    let f = fs::OpenOptions::new()
        .write(true)
        .open(dir.join("pages-1.img"))
        .unwrap();
    for i in marker_pages() {
        use std::os::unix::fs::FileExt;
        f.write_all_at(MARKER, (i + 1) * PAGE - (MARKER.len() as u64 - 5))
            .unwrap();
    }
    common::stamp(dir, &spec);
    markers
}

/// Pages (in file order) whose end a marker straddles: some at run seams.
fn marker_pages() -> Vec<u64> {
    let mut v: Vec<u64> = (1..=12).map(|k| k * 21_000 + 7).collect();
    v.extend([RUN - 1, 3 * RUN - 1, 801 * RUN - 1, TOTAL_PAGES - 2]);
    v
}

fn run(bin: &Path, dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin);
    cmd.arg("mem")
        .arg(dir)
        .args(args)
        .args(["--color", "never"])
        .stderr(Stdio::null());
    common::run(&mut cmd, 0, true)
}

fn matches(r: &Run) -> usize {
    std::str::from_utf8(&r.stdout).unwrap().lines().count()
}

fn main() {
    if !common::is_bench_run("mem_search", "mem-search.sh") {
        return;
    }
    let bin = common::crit_bin();
    let dir = common::bench_dir("bench-mem");
    let t = Instant::now();
    let markers = synthesize(&dir);
    let held = TOTAL_PAGES * PAGE;
    println!(
        "dump: {} ({} MiB held, {markers} markers), ready in {:.1} s",
        dir.display(),
        held >> 20,
        t.elapsed().as_secs_f64()
    );
    let marker = std::str::from_utf8(MARKER).unwrap();
    let cases: [(&str, Vec<&str>); 3] = [
        ("literal", vec!["search", marker]),
        ("literal -i", vec!["search", "-i", "crit-bench-marker-7D1E"]),
        ("regex", vec!["search", "--regex", r"CRIT-BENCH-MARKER-[0-9a-f]{4}"]),
    ];
    for (name, args) in cases {
        run(&bin, &dir, &args); // warm the page cache
        let runs = common::runs(3, || run(&bin, &dir, &args));
        for r in &runs {
            assert_eq!(matches(r), markers, "{name}: wrong number of matches");
        }
        let best = &runs[0];
        let median = &runs[1];
        let rss = common::peak_rss_mib(&runs);
        println!(
            "{name:<11} {:.2} GB/s best ({:.3} s), {:.2} GB/s median; peak RSS {:.1} MiB; {} matches",
            held as f64 / best.secs / 1e9,
            best.secs,
            held as f64 / median.secs / 1e9,
            rss,
            matches(best)
        );
    }
}
