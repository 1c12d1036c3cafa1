//! What a stretch of memory the checkpoint does not hold is: no mapping at
//! all, a file mapping CRIU did not dump (the file has the bytes), anonymous
//! memory never touched (really zeros), pages left to `lazy-pages`, or pages
//! in a parent checkpoint that is missing.

use std::ops::Range;

use serde::Serialize;

use super::reader::{MapRun, MemReader};
use super::vma::Vma;

/// The kind of a gap, as `crit mem read --format json` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    /// No mapping: the process would have faulted reading it.
    Unmapped,
    /// A file mapping whose pages were not dumped: the bytes are the file's.
    File,
    /// Anonymous memory never touched: it reads as zeros.
    Zeros,
    /// Pages left for `lazy-pages` to serve, absent from this checkpoint.
    Lazy,
    /// Pages in a parent (pre-dump) checkpoint that is not there.
    ParentMissing,
    /// A guard range (`MADV_GUARD_INSTALL`, CRIU 4.2): no pages; the task
    /// faults there.
    Guard,
    /// The kernel's `[uprobes]` area: a checkpoint holds no pages of it.
    Uprobes,
}

impl GapKind {
    /// The kind's name: `unmapped`, `file`, `zeros`, `lazy`, `parent-missing`,
    /// `guard`, `uprobes`.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Unmapped => "unmapped",
            GapKind::File => "file",
            GapKind::Zeros => "zeros",
            GapKind::Lazy => "lazy",
            GapKind::ParentMissing => "parent-missing",
            GapKind::Guard => "guard",
            GapKind::Uprobes => "uprobes",
        }
    }
}

/// A stretch of addresses the checkpoint does not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// First address.
    pub start: u64,
    /// Address just past it.
    pub end: u64,
    /// What it is.
    pub kind: GapKind,
    /// The mapping it is in (`None` when unmapped).
    pub vma: Option<Vma>,
}

impl Gap {
    /// For a [`GapKind::File`] gap: the mapped file's id (`files.img`) and
    /// the offset in that file of the gap's first byte.
    pub fn file_offset(&self) -> Option<(u64, u64)> {
        let v = self.vma.as_ref().filter(|_| self.kind == GapKind::File)?;
        Some((v.shmid, v.pgoff.saturating_add(self.start - v.start)))
    }
}

impl MemReader {
    /// Explains `missing` (as returned by [`MemReader::read_into`]): each
    /// range split where its mapping or pagemap run changes, neighbours of one
    /// kind in one mapping joined.
    pub fn gaps(&self, missing: &[Range<u64>]) -> Vec<Gap> {
        let mut out: Vec<Gap> = Vec::new();
        for r in missing {
            let mut at = r.start;
            while at < r.end {
                // Guard ranges lie inside other mappings: they come first.
                let areas = self.pageless_areas();
                if let Some(a) = areas.iter().find(|a| a.start <= at && at < a.end) {
                    let kind = if a.is_guard() { GapKind::Guard } else { GapKind::Uprobes };
                    let end = r.end.min(a.end);
                    out.push(Gap {
                        start: at,
                        end,
                        kind,
                        vma: Some(*a),
                    });
                    at = end;
                    continue;
                }
                let next_area = areas
                    .iter()
                    .map(|a| a.start)
                    .filter(|&s| s > at)
                    .min()
                    .unwrap_or(u64::MAX);
                let vma = self.vma_at(at).copied();
                let vma_end = match &vma {
                    Some(v) => v.end,
                    None => next_vma(self.vmas(), at),
                };
                let (run, run_end) = run_at(self.maps(), at);
                let end = r.end.min(vma_end).min(run_end).min(next_area);
                let kind = match (&vma, run) {
                    (None, _) => GapKind::Unmapped,
                    (_, Some(run)) if run.in_parent() => GapKind::ParentMissing,
                    (_, Some(run)) if run.lazy() => GapKind::Lazy,
                    (Some(v), _) if v.is_file_backed() => GapKind::File,
                    _ => GapKind::Zeros,
                };
                match out.last_mut() {
                    Some(g) if g.end == at && g.kind == kind && g.vma == vma => g.end = end,
                    _ => out.push(Gap {
                        start: at,
                        end,
                        kind,
                        vma,
                    }),
                }
                at = end;
            }
        }
        out
    }
}

/// The start of the first mapping after `addr` (`u64::MAX` if none).
fn next_vma(vmas: &[Vma], addr: u64) -> u64 {
    let i = vmas.partition_point(|v| v.end <= addr);
    vmas.get(i).map_or(u64::MAX, |v| v.start.max(addr + 1))
}

/// The pagemap run containing `addr`, and where the run (or the stretch
/// without one) ends.
fn run_at(maps: &[MapRun], addr: u64) -> (Option<&MapRun>, u64) {
    let i = maps.partition_point(|m| m.end <= addr);
    match maps.get(i) {
        Some(m) if m.start <= addr => (Some(m), m.end),
        Some(m) => (None, m.start),
        None => (None, u64::MAX),
    }
}
