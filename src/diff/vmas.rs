//! Memory maps: VMAs added, removed, grown or shrunk, protection or backing
//! changed, from `crit x DIR mems`'s data ([`crate::explore::mems`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::checkpoint::files::FileTable;
use crate::checkpoint::{Checkpoint, Hex, Task};
use crate::error::Result;
use crate::explore::mems::{self, Vma};
use crate::mem::VmaFilter;
use crate::proto::MmEntry;

/// The mappings of the tasks of one checkpoint, read task by task as they
/// are compared: memory holds two tasks' mappings, never every task's.
pub(crate) struct Maps<'a> {
    cp: &'a Checkpoint,
    table: FileTable,
    all: VmaFilter,
}

impl<'a> Maps<'a> {
    /// Reads the file table the mappings are named from.
    ///
    /// # Errors
    ///
    /// A missing or corrupt file image, named in the error.
    pub(crate) fn load(cp: &'a Checkpoint) -> Result<Self> {
        Ok(Maps {
            cp,
            table: FileTable::load(cp)?,
            all: VmaFilter::default(),
        })
    }

    /// Task `t`'s mappings (from its `mm-PID.img`, or `mm` when that was
    /// read already), by start address.
    fn of(&self, t: &Task, mm: Option<&MmEntry>) -> Result<Vec<Vma>> {
        let task = match mm {
            Some(mm) => mems::with_mm(&self.table, &self.all, t, Some(mm.clone()))?,
            None => mems::task(self.cp, &self.table, &self.all, t)?,
        };
        let mut v = task.into_task()?.vmas;
        v.sort_by_key(|v| v.start);
        Ok(v)
    }
}

/// A mapping as the diff shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VmaRef {
    /// First address (`0x…`).
    pub start: Hex,
    /// Address past the end (`0x…`).
    pub end: Hex,
    /// `rwx` with `-` for what is not allowed.
    pub prot: String,
    /// What is mapped, as `crit x DIR mems` writes it (empty: anonymous).
    pub resource: String,
}

impl From<&Vma> for VmaRef {
    fn from(v: &Vma) -> Self {
        VmaRef {
            start: v.start,
            end: v.end,
            prot: v.prot.clone(),
            resource: v.resource.clone(),
        }
    }
}

/// A mapping on both sides (same start, or same end) that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VmaChange {
    /// The mapping in A.
    pub a: VmaRef,
    /// The mapping in B.
    pub b: VmaRef,
    /// What changed, among `grown`, `shrunk` (size), `moved` (same size,
    /// other start: only when matched by end), `prot`, `backing` (what is
    /// mapped, or the offset in it).
    pub what: Vec<&'static str>,
}

/// How a task's memory map changed, in address order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VmasDiff {
    /// Mappings only in B.
    pub added: Vec<VmaRef>,
    /// Mappings only in A.
    pub removed: Vec<VmaRef>,
    /// Mappings in both that changed.
    pub changed: Vec<VmaChange>,
}

impl VmasDiff {
    /// True when the maps are the same.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares the maps of task `ta` of `a` with task `tb` of `b`.
///
/// Guard ranges (CRIU 4.2 writes a thread stack's guard pages as an extra
/// VMA that starts where the stack starts) are paired only with guard ranges,
/// the other mappings only with each other. Within each kind, mappings equal
/// in every field pair first (so identical lists always match), then the rest
/// by start address, then by end address (a stack grows down, so its start
/// moves and its end stays).
///
/// # Errors
///
/// A missing or corrupt `mm-PID.img` (or file image), named in the error.
///
/// `mms` are the pair's `mm-PID.img` entries when they were read already
/// (from their memory): each image is read once.
pub(crate) fn compare_read(
    a: &Maps<'_>,
    b: &Maps<'_>,
    ta: &Task,
    tb: &Task,
    mms: Option<(&MmEntry, &MmEntry)>,
) -> Result<VmasDiff> {
    let (va, vb) = (&a.of(ta, mms.map(|m| m.0))?, &b.of(tb, mms.map(|m| m.1))?);
    let mut d = VmasDiff::default();
    for guard in [false, true] {
        let ka: Vec<&Vma> = va.iter().filter(|v| is_guard(v) == guard).collect();
        let kb: Vec<&Vma> = vb.iter().filter(|v| is_guard(v) == guard).collect();
        compare_kind(&ka, &kb, &mut d);
    }
    d.added.sort_by_key(|r| (r.start, r.end));
    d.removed.sort_by_key(|r| (r.start, r.end));
    d.changed.sort_by_key(|c| (c.a.start, c.a.end));
    Ok(d)
}

/// A guard range, as [`mems`] writes it: `[guard]` with no ` *` though not
/// regular (every other area CRIU does not count as regular ends in `*`).
fn is_guard(v: &Vma) -> bool {
    !v.regular && v.resource == "[guard]"
}

/// Everything the diff compares of a mapping.
type Whole<'v> = (u64, u64, &'v str, &'v str, u64, bool);

fn whole(v: &Vma) -> Whole<'_> {
    (v.start.0, v.end.0, &v.prot, &v.resource, v.pgoff.0, v.shared)
}

/// Pairs `va` with `vb` (mappings of one kind) and adds what differs to `d`.
fn compare_kind(va: &[&Vma], vb: &[&Vma], d: &mut VmasDiff) {
    let mut pair_b: Vec<Option<usize>> = vec![None; va.len()];
    let mut taken = vec![false; vb.len()];
    pair_by(va, vb, whole, &mut pair_b, &mut taken);
    pair_by(va, vb, |v| v.start.0, &mut pair_b, &mut taken);
    pair_by(va, vb, |v| v.end.0, &mut pair_b, &mut taken);
    for (i, v) in va.iter().enumerate() {
        let Some(j) = pair_b[i] else {
            d.removed.push((*v).into());
            continue;
        };
        let w = vb[j];
        let what = changes(v, w);
        if !what.is_empty() {
            d.changed.push(VmaChange {
                a: (*v).into(),
                b: w.into(),
                what,
            });
        }
    }
    d.added
        .extend(vb.iter().zip(&taken).filter(|(_, t)| !**t).map(|(w, _)| (*w).into()));
}

/// Pairs each unpaired mapping of `va` with the first unpaired one of `vb`
/// of the same `key`, in order (so repeated keys pair one to one).
fn pair_by<'v, K: std::hash::Hash + Eq>(
    va: &[&'v Vma],
    vb: &[&'v Vma],
    key: impl Fn(&'v Vma) -> K,
    pair_b: &mut [Option<usize>],
    taken: &mut [bool],
) {
    let mut index: HashMap<K, Vec<usize>> = HashMap::new();
    for (j, w) in vb.iter().enumerate().rev() {
        if !taken[j] {
            index.entry(key(w)).or_default().push(j);
        }
    }
    for (i, v) in va.iter().enumerate() {
        if pair_b[i].is_some() {
            continue;
        }
        if let Some(j) = index.get_mut(&key(v)).and_then(Vec::pop) {
            taken[j] = true;
            pair_b[i] = Some(j);
        }
    }
}

/// What changed between two paired mappings (empty: nothing).
fn changes(v: &Vma, w: &Vma) -> Vec<&'static str> {
    let (la, lb) = (v.end.0.wrapping_sub(v.start.0), w.end.0.wrapping_sub(w.start.0));
    let mut what = Vec::new();
    if lb > la {
        what.push("grown");
    } else if lb < la {
        what.push("shrunk");
    } else if v.start != w.start {
        what.push("moved");
    }
    if v.prot != w.prot {
        what.push("prot");
    }
    if v.resource != w.resource || v.pgoff != w.pgoff || v.shared != w.shared {
        what.push("backing");
    }
    what
}
