//! `crit mem read` against the tools people compare it with: `--raw` against
//! `head -c` on the pages file, the hexdump against `xxd` (and `xxd -a`,
//! which folds zero lines as ours folds repeats), and `mem search` on the same
//! dump. Medians of whole-process runs and peak RSS; not a timed test. Run
//! with `bench/mem-read.sh` (or `cargo bench --bench mem_read`).
//!
//! The dump: one task, one anonymous mapping of 256 MiB, every page held
//! (one pagemap run per 300 pages), a quarter of the pages zero and the rest
//! pseudo-random, so the pages file is the memory, byte for byte.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::image::{write_entry, write_header};
use crit::proto::{MmEntry, PagemapEntry, PagemapHead, PstreeEntry, VmaEntry};
use prost::Message;

const PAGE: u64 = 4096;
const TOTAL_PAGES: u64 = 65_536; // 256 MiB
const RUN: u64 = 300;
const BASE: u64 = 0x7f00_0000_0000;
const PID: u32 = 1;
const HEXDUMP_LEN: u64 = 4 << 20;
const RUNS: usize = 5;

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
    let spec = format!("read v1 {TOTAL_PAGES} {RUN}");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(spec.as_str()) {
        return;
    }
    fs::create_dir_all(dir).unwrap();
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
        end: BASE + TOTAL_PAGES * PAGE,
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
    let mut at = 0;
    while at < TOTAL_PAGES {
        let n = RUN.min(TOTAL_PAGES - at);
        pm.push(
            PagemapEntry {
                vaddr: BASE + at * PAGE,
                compat_nr_pages: 0,
                nr_pages: Some(n),
                in_parent: None,
                flags: Some(4),
            }
            .encode_to_vec(),
        );
        at += n;
    }
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
    fs::write(&stamp, spec).unwrap();
}

struct Run {
    secs: f64,
    max_rss_kib: i64,
    out_bytes: u64,
}

// The child is reaped by wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut out_bytes = 0u64;
    loop {
        match stdout.read(&mut buf).unwrap() {
            0 => break,
            n => out_bytes += n as u64,
        }
    }
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed: {status}"
    );
    Run {
        secs: start.elapsed().as_secs_f64(),
        max_rss_kib: ru.ru_maxrss,
        out_bytes,
    }
}

/// Median time, peak RSS and output size of `RUNS` runs (after one to warm
/// the page cache).
fn measure(mut make: impl FnMut() -> Command) -> (f64, f64, u64) {
    run(&mut make());
    let mut runs: Vec<Run> = (0..RUNS).map(|_| run(&mut make())).collect();
    runs.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    let rss = runs.iter().map(|r| r.max_rss_kib).max().unwrap() as f64 / 1024.0;
    (runs[RUNS / 2].secs, rss, runs[0].out_bytes)
}

fn main() {
    // `cargo test --all-targets` runs this too, and must not write a 256 MiB dump.
    if !std::env::args().any(|a| a == "--bench") {
        println!("mem_read: a benchmark; run it with bench/mem-read.sh");
        return;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_crit"));
    let dir = std::env::var_os("CRIT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-mem-read"));
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
