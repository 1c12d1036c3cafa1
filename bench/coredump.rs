//! `crit coredump` of a synthesized task holding 1 GiB: time and peak RSS of
//! the release binary. Not a timed test: it prints figures. Run with
//! `bench/coredump.sh` (or `cargo bench --bench coredump`).
//!
//! The task: the registers and files of the `mem` fixture (its core and
//! files images), one anonymous mapping of 1 GiB+ held in pagemap runs of
//! 256 pages with a page the dump does not hold after every tenth run (zeros
//! in the core), a quarter of the pages zero and the rest pseudo-random.
//! Target: peak RSS flat (a few MiB), whatever the size of the process.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::proto::MmEntry;

#[path = "common/mod.rs"]
mod common;
use common::{anon_vma, PAGE};

const TOTAL_PAGES: u64 = 262_144; // 1 GiB held
const RUN: u64 = 256;
const BASE: u64 = 0x7f00_0000_0000;
const PID: u32 = 1;

/// Writes the dump into `dir` once (reused while its stamp matches).
fn synthesize(dir: &Path) {
    let spec = format!("v1 {TOTAL_PAGES} {RUN}");
    if common::is_stamped(dir, &spec) {
        return;
    }
    fs::create_dir_all(dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus-4.2.1/mem");
    fs::copy(fixture.join("core-3374.img"), dir.join(format!("core-{PID}.img"))).unwrap();
    fs::copy(fixture.join("files.img"), dir.join("files.img")).unwrap();
    let (runs, end) = common::pagemap_runs(BASE, TOTAL_PAGES, RUN, Some(10));
    let mm = MmEntry {
        vmas: vec![anon_vma(BASE, end)],
        mm_saved_auxv: vec![6, PAGE, 0, 0],
        ..Default::default()
    };
    common::task_images(dir, PID, &mm, &runs);
    common::write_pages(fs::File::create(dir.join("pages-1.img")).unwrap(), TOTAL_PAGES);
    common::stamp(dir, &spec);
}

fn run(bin: &Path, dir: &Path, core: &Path) -> common::Run {
    let mut cmd = Command::new(bin);
    cmd.arg("coredump").arg(dir).arg("-o").arg(core).stderr(Stdio::null());
    common::run(&mut cmd, 0, false)
}

fn main() {
    if !common::is_bench_run("coredump", "coredump.sh") {
        return;
    }
    let bin = common::crit_bin();
    let dir = common::bench_dir("bench-coredump");
    let t = Instant::now();
    synthesize(&dir);
    println!(
        "dump: {} ({} MiB held), ready in {:.1} s",
        dir.display(),
        (TOTAL_PAGES * PAGE) >> 20,
        t.elapsed().as_secs_f64()
    );
    let core = dir.join("bench.core");
    run(&bin, &dir, &core); // warm the page cache
    let runs = common::runs(5, || run(&bin, &dir, &core));
    let size = fs::metadata(&core).unwrap().len();
    let rss = common::peak_rss_mib(&runs);
    println!(
        "coredump: {:.3} s median of 5 ({:.2} GB/s), core {} MiB, peak RSS {:.1} MiB",
        runs[2].secs,
        size as f64 / runs[2].secs / 1e9,
        size >> 20,
        rss
    );
    fs::remove_file(&core).unwrap();
}
