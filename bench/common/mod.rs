//! What the benches share: where the dump goes, the synthesized images of one
//! task (pstree, mm, pagemap), the pseudo-random pages, and whole-process runs
//! of the release binary measured with wait4 (time and the child's peak RSS).
//! Included by each bench with `#[path = "common/mod.rs"] mod common;`, so a
//! bench may leave some of it unused.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crit::image::{write_entry, write_header};
use crit::proto::{MmEntry, PagemapEntry, PagemapHead, PstreeEntry, VmaEntry};
use prost::Message;

pub const PAGE: u64 = 4096;

/// False (after saying how to run it) unless `cargo bench` ran us: `cargo
/// test --all-targets` runs the benches too, and must not write their dumps.
pub fn is_bench_run(name: &str, script: &str) -> bool {
    if std::env::args().any(|a| a == "--bench") {
        return true;
    }
    println!("{name}: a benchmark; run it with bench/{script}");
    false
}

/// The release binary `cargo bench` built.
pub fn crit_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_crit"))
}

/// `$CRIT_BENCH_DIR`, or `target/<default>`.
pub fn bench_dir(default: &str) -> PathBuf {
    std::env::var_os("CRIT_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join(default))
}

/// Whether `dir` already holds the dump `spec` describes (a dump is written
/// once and reused while its stamp matches).
pub fn is_stamped(dir: &Path, spec: &str) -> bool {
    fs::read_to_string(dir.join("bench-stamp")).ok().as_deref() == Some(spec)
}

pub fn stamp(dir: &Path, spec: &str) {
    fs::write(dir.join("bench-stamp"), spec).unwrap();
}

/// Copies the files of checkpoint `from` into a fresh `to`.
pub fn copy_checkpoint(from: &Path, to: &Path) {
    let _ = fs::remove_dir_all(to);
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Writes an image: header for `magic`, then `entries`.
pub fn image(path: &Path, magic: &str, entries: &[Vec<u8>]) {
    let mut f = BufWriter::new(File::create(path).unwrap());
    write_header(&mut f, magic).unwrap();
    for e in entries {
        write_entry(&mut f, e).unwrap();
    }
    f.flush().unwrap();
}

/// Pagemap runs `(vaddr, pages)` holding `total` pages from `base`, `run`
/// pages each, with a page the dump does not hold after every `hole_every`th
/// run (if any). Also returns the end of the mapping.
pub fn pagemap_runs(base: u64, total: u64, run: u64, hole_every: Option<u64>) -> (Vec<(u64, u64)>, u64) {
    let mut runs = Vec::new();
    let (mut vaddr, mut left, mut n) = (base, total, 0u64);
    while left > 0 {
        let pages = left.min(run);
        runs.push((vaddr, pages));
        vaddr += pages * PAGE;
        left -= pages;
        n += 1;
        if hole_every.is_some_and(|h| n % h == 0) {
            vaddr += PAGE;
        }
    }
    (runs, vaddr)
}

/// An anonymous private read-write mapping.
pub fn anon_vma(start: u64, end: u64) -> VmaEntry {
    VmaEntry {
        start,
        end,
        prot: 3,
        flags: 0x22,
        status: 1 | (1 << 9),
        fd: -1,
        ..Default::default()
    }
}

/// Writes the pstree, mm and pagemap images of the only task, `pid`: `mm`
/// as given, its pages held in `runs` of pages-1.img.
pub fn task_images(dir: &Path, pid: u32, mm: &MmEntry, runs: &[(u64, u64)]) {
    let task = PstreeEntry {
        pid,
        ppid: 0,
        pgid: pid,
        sid: pid,
        threads: vec![pid],
    };
    image(&dir.join("pstree.img"), "PSTREE", &[task.encode_to_vec()]);
    image(&dir.join(format!("mm-{pid}.img")), "MM", &[mm.encode_to_vec()]);
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
    image(&dir.join(format!("pagemap-{pid}.img")), "PAGEMAP", &pm);
}

/// Writes `total` pages to `file`: a quarter zero, the rest pseudo-random
/// (xorshift, the same bytes every time).
pub fn write_pages(file: File, total: u64) {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut page = vec![0u8; PAGE as usize];
    for i in 0..total {
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
}

/// One whole-process run.
pub struct Run {
    pub secs: f64,
    pub max_rss_kib: i64,
    /// What it printed, when asked to keep it.
    pub stdout: Vec<u8>,
    pub out_bytes: u64,
}

/// Runs `cmd` with stdout read from a pipe (kept if `keep`; stderr as the
/// caller set it), and asserts it exits with `want`.
// The child is reaped by wait4, which also gives its own peak RSS.
#[allow(clippy::zombie_processes)]
pub fn run(cmd: &mut Command, want: i32, keep: bool) -> Run {
    let start = Instant::now();
    let child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut pipe = child.stdout.unwrap();
    let mut stdout = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut out_bytes = 0u64;
    loop {
        match pipe.read(&mut buf).unwrap() {
            0 => break,
            n => {
                out_bytes += n as u64;
                if keep {
                    stdout.extend_from_slice(&buf[..n]);
                }
            }
        }
    }
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == want,
        "{cmd:?} should exit {want}: {status}"
    );
    Run {
        secs: start.elapsed().as_secs_f64(),
        max_rss_kib: ru.ru_maxrss,
        stdout,
        out_bytes,
    }
}

/// `n` runs, fastest first.
pub fn runs(n: usize, mut one: impl FnMut() -> Run) -> Vec<Run> {
    let mut runs: Vec<Run> = (0..n).map(|_| one()).collect();
    runs.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    runs
}

/// The highest peak RSS of `runs`, in MiB.
pub fn peak_rss_mib(runs: &[Run]) -> f64 {
    runs.iter().map(|r| r.max_rss_kib).max().unwrap() as f64 / 1024.0
}
