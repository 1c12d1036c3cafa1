//! Memory maps: VMAs added, removed, grown or shrunk, protection or backing
//! changed, from `crit x DIR mems`'s data ([`crate::explore::mems`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::explore::files::FileTable;
use crate::explore::mems::{self, Vma};
use crate::explore::{Checkpoint, Hex, Task};
use crate::mem::VmaFilter;

/// The mappings of the tasks of one checkpoint, read task by task as they
/// are compared: memory holds two tasks' mappings, never every task's.
pub struct Maps<'a> {
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
    pub fn load(cp: &'a Checkpoint) -> Result<Self> {
        Ok(Maps {
            cp,
            table: FileTable::load(cp)?,
            all: VmaFilter::default(),
        })
    }

    /// Task `t`'s mappings (from its `mm-PID.img`), by start address.
    fn of(&self, t: &Task) -> Result<Vec<Vma>> {
        let mut v = mems::task(self.cp, &self.table, &self.all, t)?.into_task()?.vmas;
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

/// Compares the maps of task `pa` of `a` with task `pb` of `b`. Mappings are
/// paired by start address, then the rest by end address (a stack grows
/// down, so its start moves and its end stays).
///
/// # Errors
///
/// A missing or corrupt `mm-PID.img` (or file image), named in the error.
pub fn compare(a: &Maps<'_>, b: &Maps<'_>, ta: &Task, tb: &Task) -> Result<VmasDiff> {
    let (va, vb) = (&a.of(ta)?, &b.of(tb)?);
    let mut pair_b: Vec<Option<usize>> = vec![None; va.len()];
    let mut taken = vec![false; vb.len()];
    let start = |v: &Vma| v.start.0;
    let end = |v: &Vma| v.end.0;
    for key in [start, end] {
        let index: HashMap<u64, usize> = vb.iter().enumerate().map(|(i, v)| (key(v), i)).collect();
        for (i, v) in va.iter().enumerate() {
            if pair_b[i].is_some() {
                continue;
            }
            if let Some(&j) = index.get(&key(v)) {
                if !taken[j] {
                    taken[j] = true;
                    pair_b[i] = Some(j);
                }
            }
        }
    }
    let mut d = VmasDiff::default();
    for (i, v) in va.iter().enumerate() {
        let Some(j) = pair_b[i] else {
            d.removed.push(v.into());
            continue;
        };
        let w = &vb[j];
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
        if !what.is_empty() {
            d.changed.push(VmaChange {
                a: v.into(),
                b: w.into(),
                what,
            });
        }
    }
    d.added = vb
        .iter()
        .enumerate()
        .filter(|(j, _)| !taken[*j])
        .map(|(_, w)| w.into())
        .collect();
    Ok(d)
}
