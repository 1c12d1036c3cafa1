//! `crit coredump` of a synthesized task holding 1 GiB: time and peak RSS of
//! the release binary. Not a timed test: it prints figures. Run with
//! `bench/coredump.sh` (or `cargo bench --bench coredump`).
//!
//! The task: the registers and files of the `mem` fixture (its core and
//! files images), one anonymous mapping of 1 GiB+ held in pagemap runs of
//! 256 pages with a page the dump does not hold after every tenth run (zeros
//! in the core), a quarter of the pages zero and the rest pseudo-random.
//! Target: peak RSS flat (a few MiB), whatever the size of the process.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::image::{write_entry, write_header};
use crit::proto::{MmEntry, PagemapEntry, PagemapHead, PstreeEntry, VmaEntry};
use prost::Message;

const PAGE: u64 = 4096;
const TOTAL_PAGES: u64 = 262_144; // 1 GiB held
const RUN: u64 = 256;
const BASE: u64 = 0x7f00_0000_0000;
const PID: u32 = 1;

fn image(path: &Path, magic: &str, entries: &[Vec<u8>]) {
    let mut f = BufWriter::new(File::create(path).unwrap());
    write_header(&mut f, magic).unwrap();
    for e in entries {
        write_entry(&mut f, e).unwrap();
    }
    f.flush().unwrap();
}

/// Writes the dump into `dir` once (reused while its stamp matches).
fn synthesize(dir: &Path) {
    let stamp = dir.join("bench-stamp");
    let spec = format!("v1 {TOTAL_PAGES} {RUN}");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(spec.as_str()) {
        return;
    }
    fs::create_dir_all(dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus-4.2.1/mem");
    fs::copy(fixture.join("core-3374.img"), dir.join(format!("core-{PID}.img"))).unwrap();
    fs::copy(fixture.join("files.img"), dir.join("files.img")).unwrap();
    let task = PstreeEntry {
        pid: PID,
        ppid: 0,
        pgid: PID,
        sid: PID,
        threads: vec![PID],
    };
    image(&dir.join("pstree.img"), "PSTREE", &[task.encode_to_vec()]);
    let mut runs = Vec::new();
    let (mut vaddr, mut left, mut n) = (BASE, TOTAL_PAGES, 0u64);
    while left > 0 {
        let pages = left.min(RUN);
        runs.push((vaddr, pages));
        vaddr += pages * PAGE;
        left -= pages;
        n += 1;
        if n % 10 == 0 {
            vaddr += PAGE;
        }
    }
    let vma = VmaEntry {
        start: BASE,
        end: vaddr,
        prot: 3,
        flags: 0x22,
        status: 1 | (1 << 9),
        fd: -1,
        ..Default::default()
    };
    let mm = MmEntry {
        vmas: vec![vma],
        mm_saved_auxv: vec![6, PAGE, 0, 0],
        ..Default::default()
    };
    image(&dir.join(format!("mm-{PID}.img")), "MM", &[mm.encode_to_vec()]);
    let mut pm = vec![PagemapHead { pages_id: 1 }.encode_to_vec()];
    pm.extend(runs.iter().map(|&(v, p)| {
        PagemapEntry {
            vaddr: v,
            compat_nr_pages: 0,
            nr_pages: Some(p),
            in_parent: None,
            flags: Some(4),
        }
        .encode_to_vec()
    }));
    image(&dir.join(format!("pagemap-{PID}.img")), "PAGEMAP", &pm);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(dir.join("pages-1.img")).unwrap());
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
    fs::write(&stamp, spec).unwrap();
}

// The child is reaped by wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
fn run(bin: &Path, dir: &Path, core: &Path) -> (f64, i64) {
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("coredump")
        .arg(dir)
        .arg("-o")
        .arg(core)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "crit failed: {status}"
    );
    (start.elapsed().as_secs_f64(), ru.ru_maxrss)
}

fn main() {
    // `cargo test --all-targets` runs this too, and must not write 2 GiB.
    if !std::env::args().any(|a| a == "--bench") {
        println!("coredump: a benchmark; run it with bench/coredump.sh");
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_crit"));
    let dir = std::env::var_os("CRIT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-coredump"));
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
    let mut runs: Vec<(f64, i64)> = (0..5).map(|_| run(&bin, &dir, &core)).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let size = fs::metadata(&core).unwrap().len();
    let rss = runs.iter().map(|r| r.1).max().unwrap();
    println!(
        "coredump: {:.3} s median of 5 ({:.2} GB/s), core {} MiB, peak RSS {:.1} MiB",
        runs[2].0,
        size as f64 / runs[2].0 / 1e9,
        size >> 20,
        rss as f64 / 1024.0
    );
    fs::remove_file(&core).unwrap();
}
