//! Memory contents: which pages of a task differ, exist on one side only, or
//! are equal, as CRIU would restore them (parent chains and shared memory
//! resolved by [`MemReader`]).
//!
//! Both sides' held ranges are walked together in address order and read in
//! blocks of `BLOCK` bytes, so each page is read once per side and compared
//! with its counterpart directly: no page hashes to keep, memory bounded by
//! the two blocks and the list of differing runs, whatever the dump's size.

use std::ops::Range;

use serde::Serialize;

use crate::checkpoint::Hex;
use crate::error::Result;
use crate::mem::{MemReader, Vma};

/// Bytes read per side per step. Small enough that both blocks stay in the
/// CPU cache between the kernel's copy and the comparison: 1 MiB blocks ran
/// at a quarter of the speed (`bench/diff.sh`).
pub(crate) const BLOCK: usize = 128 << 10;
/// Differing addresses listed per mapping in [`VmaPages::first_changed`].
pub const FIRST: usize = 8;

/// Page counts over a whole checkpoint pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Pages held on both sides with the same contents.
    pub equal: u64,
    /// Pages held on both sides with different contents.
    pub changed: u64,
    /// Pages held in A only (including the memory of tasks only in A).
    pub only_a: u64,
    /// Pages held in B only (including the memory of tasks only in B).
    pub only_b: u64,
}

impl Summary {
    /// Adds a task's counts.
    pub(crate) fn add(&mut self, t: &TaskPages) {
        self.equal += t.equal;
        self.changed += t.changed;
        self.only_a += t.only_a;
        self.only_b += t.only_b;
    }
}

/// A run of consecutive pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageRun {
    /// Its first address (`0x…`).
    pub start: Hex,
    /// Its length in pages.
    pub pages: u64,
}

impl PageRun {
    fn end(&self, page_size: u64) -> u64 {
        self.start.0.saturating_add(self.pages.saturating_mul(page_size))
    }
}

/// Page differences inside one mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VmaPages {
    /// The mapping's first address (A's, unless it is in B only).
    pub start: Hex,
    /// The address past its end.
    pub end: Hex,
    /// What it is: `heap`, `stack`, `anon`, `file-private`, `shmem`, …
    pub kind: &'static str,
    /// `both`, or `a`/`b` for a mapping (range) on one side only.
    pub side: &'static str,
    /// Pages held on both sides whose contents differ.
    pub changed: u64,
    /// The first (at most [`FIRST`]) differing page addresses.
    pub first_changed: Vec<Hex>,
    /// Pages held in A only.
    pub only_a: u64,
    /// Pages held in B only.
    pub only_b: u64,
}

/// How a task's memory contents differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskPages {
    /// The page size the pages are counted in, in bytes: the larger of the
    /// two checkpoints' page sizes.
    pub page_size: u64,
    /// Pages held on both sides, equal.
    pub equal: u64,
    /// Pages held on both sides, different.
    pub changed: u64,
    /// Pages held in A only.
    pub only_a: u64,
    /// Pages held in B only.
    pub only_b: u64,
    /// Every differing page, as runs in address order.
    pub changed_runs: Vec<PageRun>,
    /// Pages held in A only, as runs.
    pub only_a_runs: Vec<PageRun>,
    /// Pages held in B only, as runs.
    pub only_b_runs: Vec<PageRun>,
    /// Mappings holding a difference, in address order.
    pub vmas: Vec<VmaPages>,
}

impl TaskPages {
    /// True when every held page is held on both sides and equal.
    pub fn is_equal(&self) -> bool {
        self.changed == 0 && self.only_a == 0 && self.only_b == 0
    }
}

/// Compares the memory of two tasks page by page.
///
/// # Errors
///
/// A pages file cannot be read.
pub(crate) fn compare(a: &MemReader, b: &MemReader) -> Result<TaskPages> {
    let ps = a.page_size().max(b.page_size());
    let (ra, rb) = (pages_of(a, ps), pages_of(b, ps));
    let mut t = TaskPages {
        page_size: ps,
        ..TaskPages::default()
    };
    let mut bufs = (vec![0u8; BLOCK], vec![0u8; BLOCK]);
    let total = ra.iter().map(|r| r.end - r.start).sum();
    let mut meter = crate::progress::Meter::start("comparing pages", total);
    let (mut i, mut j, mut pos) = (0usize, 0usize, 0u64);
    loop {
        match (ra.get(i), rb.get(j)) {
            (None, None) => break,
            (Some(x), None) => {
                push_run(&mut t.only_a_runs, x.start.max(pos), x.end, ps);
                i += 1;
            }
            (None, Some(y)) => {
                push_run(&mut t.only_b_runs, y.start.max(pos), y.end, ps);
                j += 1;
            }
            (Some(x), Some(y)) => {
                let (xs, ys) = (x.start.max(pos), y.start.max(pos));
                let end = if xs < ys {
                    let e = x.end.min(ys);
                    push_run(&mut t.only_a_runs, xs, e, ps);
                    e
                } else if ys < xs {
                    let e = y.end.min(xs);
                    push_run(&mut t.only_b_runs, ys, e, ps);
                    e
                } else {
                    let e = x.end.min(y.end);
                    both(a, b, xs..e, &mut bufs, &mut t, &mut meter)?;
                    e
                };
                pos = pos.max(end);
                i += usize::from(end >= x.end);
                j += usize::from(end >= y.end);
            }
        }
    }
    let count = |runs: &[PageRun]| runs.iter().map(|r| r.pages).sum::<u64>();
    t.changed = count(&t.changed_runs);
    t.only_a = count(&t.only_a_runs);
    t.only_b = count(&t.only_b_runs);
    t.vmas = per_vma(a.vmas(), b.vmas(), &t);
    Ok(t)
}

/// The held ranges of a task, widened to whole pages and merged.
fn pages_of(m: &MemReader, ps: u64) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for r in m.held_ranges().into_iter().filter(|r| r.end > r.start) {
        let s = r.start / ps * ps;
        let e = r.end.div_ceil(ps).saturating_mul(ps);
        match out.last_mut() {
            Some(last) if last.end >= s => last.end = last.end.max(e),
            _ => out.push(s..e),
        }
    }
    out
}

/// Compares a range both sides hold, block by block, page by page.
fn both(
    a: &MemReader,
    b: &MemReader,
    r: Range<u64>,
    bufs: &mut (Vec<u8>, Vec<u8>),
    t: &mut TaskPages,
    meter: &mut crate::progress::Meter,
) -> Result<()> {
    let (mut at, ps) = (r.start, t.page_size);
    while at < r.end {
        let n = (r.end - at).min(BLOCK as u64) as usize;
        let (ba, bb) = (&mut bufs.0[..n], &mut bufs.1[..n]);
        a.read_into(at, ba)?;
        b.read_into(at, bb)?;
        for (k, (pa, pb)) in ba.chunks(ps as usize).zip(bb.chunks(ps as usize)).enumerate() {
            if pa == pb {
                t.equal += 1;
            } else {
                let p = at + k as u64 * ps;
                push_run(&mut t.changed_runs, p, p + ps, ps);
            }
        }
        at += n as u64;
        meter.advance(n as u64);
    }
    Ok(())
}

/// Appends the pages of `start..end`, extending the last run when contiguous.
fn push_run(runs: &mut Vec<PageRun>, start: u64, end: u64, ps: u64) {
    if end <= start {
        return;
    }
    let pages = (end - start) / ps;
    match runs.last_mut() {
        Some(last) if last.end(ps) == start => last.pages += pages,
        _ => runs.push(PageRun {
            start: Hex(start),
            pages,
        }),
    }
}

/// Pages of `runs` inside `s..e`, and the first [`FIRST`] of their addresses.
fn count_in(runs: &[PageRun], s: u64, e: u64, ps: u64) -> (u64, Vec<Hex>) {
    let from = runs.partition_point(|r| r.end(ps) <= s);
    let (mut n, mut first) = (0, Vec::new());
    for r in runs[from..].iter().take_while(|r| r.start.0 < e) {
        let (rs, re) = (r.start.0.max(s), r.end(ps).min(e));
        if re <= rs {
            continue;
        }
        n += (re - rs) / ps;
        let mut p = rs;
        while first.len() < FIRST && p < re {
            first.push(Hex(p));
            p += ps;
        }
    }
    (n, first)
}

fn overlaps(vmas: &[Vma], v: &Vma) -> bool {
    let i = vmas.partition_point(|w| w.end <= v.start);
    vmas.get(i).is_some_and(|w| w.start < v.end)
}

/// The differences by mapping: A's mappings (in B too, or not), then B's
/// mappings that overlap none of A's.
fn per_vma(va: &[Vma], vb: &[Vma], t: &TaskPages) -> Vec<VmaPages> {
    let mut out = Vec::new();
    let mut add = |v: &Vma, side: &'static str| {
        let ps = t.page_size;
        let (changed, first_changed) = count_in(&t.changed_runs, v.start, v.end, ps);
        let (only_a, _) = count_in(&t.only_a_runs, v.start, v.end, ps);
        let (only_b, _) = count_in(&t.only_b_runs, v.start, v.end, ps);
        if changed + only_a + only_b > 0 {
            out.push(VmaPages {
                start: Hex(v.start),
                end: Hex(v.end),
                kind: v.kind(),
                side,
                changed,
                first_changed,
                only_a,
                only_b,
            });
        }
    };
    for v in va {
        add(v, if overlaps(vb, v) { "both" } else { "a" });
    }
    for v in vb.iter().filter(|v| !overlaps(va, v)) {
        add(v, "b");
    }
    out.sort_by_key(|v| v.start);
    out
}

/// Both sides of `len` bytes at `addr` (`crit diff --hexdiff`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexDiff {
    /// The first address.
    pub addr: u64,
    /// A's bytes (zeros where A holds none).
    pub a: Vec<u8>,
    /// B's bytes (zeros where B holds none).
    pub b: Vec<u8>,
    /// Ranges A does not hold.
    pub a_missing: Vec<Range<u64>>,
    /// Ranges B does not hold.
    pub b_missing: Vec<Range<u64>>,
}

/// Reads `len` bytes at `addr` from both tasks.
///
/// # Errors
///
/// The range runs past the address space, or a pages file cannot be read.
pub fn hexdiff(a: &MemReader, b: &MemReader, addr: u64, len: usize) -> Result<HexDiff> {
    let ra = a.read(addr, len)?;
    let rb = b.read(addr, len)?;
    Ok(HexDiff {
        addr,
        a: ra.data,
        b: rb.data,
        a_missing: ra.missing,
        b_missing: rb.missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_and_count() {
        let mut runs = Vec::new();
        push_run(&mut runs, 0x1000, 0x3000, 4096);
        push_run(&mut runs, 0x3000, 0x4000, 4096);
        push_run(&mut runs, 0x8000, 0x9000, 4096);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].pages, 3);
        let (n, first) = count_in(&runs, 0x2000, 0x9000, 4096);
        assert_eq!(n, 3);
        assert_eq!(first, [Hex(0x2000), Hex(0x3000), Hex(0x8000)]);
    }
}
