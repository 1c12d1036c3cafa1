//! `crit mem search` over a synthesized 1 GiB dump: throughput and peak RSS
//! of the release binary. Not a timed test: it prints figures. Run with
//! `bench/mem-search.sh` (or `cargo bench --bench mem_search`).
//!
//! The dump: one task, one 1 GiB+ anonymous mapping; pagemap runs of 300
//! pages with a one-page hole after every tenth, a quarter of the pages zero
//! and the rest pseudo-random; markers placed at run seams, pages and holes.

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
const RUN: u64 = 300;
const BASE: u64 = 0x7f00_0000_0000;
const MARKER: &[u8] = b"CRIT-BENCH-MARKER-7d1e";
const PID: u32 = 1;

fn image(path: &Path, magic: &str, entries: &[Vec<u8>]) {
    let mut f = BufWriter::new(File::create(path).unwrap());
    write_header(&mut f, magic).unwrap();
    for e in entries {
        write_entry(&mut f, e).unwrap();
    }
    f.flush().unwrap();
}

/// Writes the dump into `dir` (once: reused while its stamp matches).
/// Returns how many markers it holds.
fn synthesize(dir: &Path) -> usize {
    let stamp = dir.join("bench-stamp");
    let spec = format!("v1 {TOTAL_PAGES} {RUN}");
    let markers = marker_pages().len();
    if fs::read_to_string(&stamp).ok().as_deref() == Some(spec.as_str()) {
        return markers;
    }
    fs::create_dir_all(dir).unwrap();
    let mut runs = Vec::new();
    let (mut vaddr, mut left, mut n) = (BASE, TOTAL_PAGES, 0u64);
    while left > 0 {
        let pages = left.min(RUN);
        runs.push((vaddr, pages));
        vaddr += pages * PAGE;
        left -= pages;
        n += 1;
        if n % 10 == 0 {
            vaddr += PAGE; // a page the dump does not hold
        }
    }
    let end = vaddr;
    let task = PstreeEntry {
        pid: PID,
        ppid: 0,
        pgid: PID,
        sid: PID,
        threads: vec![PID],
    };
    image(&dir.join("pstree.img"), "PSTREE", &[task.encode_to_vec()]);
    let vma = VmaEntry {
        start: BASE,
        end,
        prot: 3,
        flags: 0x22,
        status: 1 | (1 << 9),
        fd: -1,
        ..Default::default()
    };
    let mm = MmEntry {
        vmas: vec![vma],
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
    drop(out);
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
    fs::write(&stamp, spec).unwrap();
    markers
}

/// Pages (in file order) whose end a marker straddles: some at run seams.
fn marker_pages() -> Vec<u64> {
    let mut v: Vec<u64> = (1..=12).map(|k| k * 21_000 + 7).collect();
    v.extend([RUN - 1, 3 * RUN - 1, 801 * RUN - 1, TOTAL_PAGES - 2]);
    v
}

struct RunStats {
    secs: f64,
    max_rss_kib: i64,
    matches: usize,
}

// The child is reaped by wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
fn run(bin: &Path, dir: &Path, args: &[&str]) -> RunStats {
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("mem")
        .arg(dir)
        .args(args)
        .args(["--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
    // wait4: the child's own resource usage, peak RSS included.
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "crit failed: {status}"
    );
    RunStats {
        secs: start.elapsed().as_secs_f64(),
        max_rss_kib: ru.ru_maxrss,
        matches: text.lines().count(),
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this too,
    // and must not write a 1 GiB dump.
    if !std::env::args().any(|a| a == "--bench") {
        println!("mem_search: a benchmark; run it with bench/mem-search.sh");
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_crit"));
    let dir = std::env::var_os("CRIT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-mem"));
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
        let mut runs: Vec<RunStats> = (0..3).map(|_| run(&bin, &dir, &args)).collect();
        runs.sort_by(|a, b| a.secs.total_cmp(&b.secs));
        for r in &runs {
            assert_eq!(r.matches, markers, "{name}: wrong number of matches");
        }
        let best = &runs[0];
        let median = &runs[1];
        let rss = runs.iter().map(|r| r.max_rss_kib).max().unwrap();
        println!(
            "{name:<11} {:.2} GB/s best ({:.3} s), {:.2} GB/s median; peak RSS {:.1} MiB; {} matches",
            held as f64 / best.secs / 1e9,
            best.secs,
            held as f64 / median.secs / 1e9,
            rss as f64 / 1024.0,
            best.matches
        );
    }
}
