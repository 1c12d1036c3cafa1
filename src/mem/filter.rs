//! Which mappings to show: `--prot`, `--kind` and `--range` of `crit mem
//! maps|search` and `crit x mems|rss`, one predicate for all of them.

use std::ops::Range;

use super::vma::Vma;
use crate::error::{Error, Result};

/// A kind of mapping, as `--kind` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFilter {
    /// Anonymous private memory that is not the heap, a stack or the vdso.
    Anon,
    /// A mapping of a file (private or shared).
    File,
    /// `[heap]`.
    Heap,
    /// A stack (`[stack]`, or a mapping that grows down).
    Stack,
    /// Any shared mapping (`MAP_SHARED`: files, shmem, SysV shm, memfd).
    Shared,
    /// `[vdso]`, `[vvar]` and `[vsyscall]`.
    Vdso,
}

impl KindFilter {
    /// Parses `anon`, `file`, `heap`, `stack`, `shared` or `vdso`.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "anon" => KindFilter::Anon,
            "file" => KindFilter::File,
            "heap" => KindFilter::Heap,
            "stack" => KindFilter::Stack,
            "shared" => KindFilter::Shared,
            "vdso" => KindFilter::Vdso,
            _ => {
                return Err(Error::InvalidArgument {
                    what: format!("unknown kind {s:?}: one of anon, file, heap, stack, shared, vdso"),
                })
            }
        })
    }

    fn matches(self, v: &Vma) -> bool {
        match self {
            KindFilter::Anon => v.kind() == "anon",
            KindFilter::File => v.is_file_backed(),
            KindFilter::Heap => v.kind() == "heap",
            KindFilter::Stack => v.kind() == "stack",
            KindFilter::Shared => v.is_shared(),
            KindFilter::Vdso => matches!(v.kind(), "vdso" | "vvar" | "vsyscall"),
        }
    }
}

/// Mappings to keep: all of the given conditions hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmaFilter {
    /// `PROT_*` bits the mapping must have (all of them).
    pub prot: u32,
    /// The kind it must be.
    pub kind: Option<KindFilter>,
    /// Addresses it must overlap.
    pub range: Option<Range<u64>>,
}

impl VmaFilter {
    /// No condition: every mapping is kept.
    pub fn is_empty(&self) -> bool {
        self.prot == 0 && self.kind.is_none() && self.range.is_none()
    }

    /// Whether `v` is kept.
    pub fn matches(&self, v: &Vma) -> bool {
        v.prot & self.prot == self.prot
            && self.kind.is_none_or(|k| k.matches(v))
            && self.range.as_ref().is_none_or(|r| v.start < r.end && r.start < v.end)
    }
}

/// Parses `--prot`: any of `r`, `w`, `x` (`rw`, `rx`, `r-x`); the bits a
/// mapping must have.
pub fn parse_prot(s: &str) -> std::result::Result<u32, String> {
    let mut bits = 0;
    for c in s.chars() {
        bits |= match c {
            'r' => 1,
            'w' => 2,
            'x' => 4,
            '-' => 0,
            _ => return Err(format!("{c:?} is not a permission: use r, w and x (e.g. rw)")),
        };
    }
    if bits == 0 {
        return Err("give at least one of r, w, x".into());
    }
    Ok(bits)
}

/// Parses `--range START-END`: hexadecimal addresses (`0x` optional), END
/// past the last address.
pub fn parse_range(s: &str) -> std::result::Result<Range<u64>, String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| "expected START-END in hexadecimal, e.g. 7f0000000000-7f0000100000".to_string())?;
    let hex = |t: &str| {
        let t = t.trim();
        let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
        u64::from_str_radix(&t.replace('_', ""), 16).map_err(|e| format!("{t:?} is not a hexadecimal address: {e}"))
    };
    let (start, end) = (hex(a)?, hex(b)?);
    if start >= end {
        return Err(format!("the range {start:#x}-{end:#x} is empty"));
    }
    Ok(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_prot("rw"), Ok(3));
        assert_eq!(parse_prot("r-x"), Ok(5));
        assert!(parse_prot("q").is_err() && parse_prot("").is_err());
        assert_eq!(parse_range("0x1000-2000"), Ok(0x1000..0x2000));
        assert!(parse_range("2000-1000").is_err() && parse_range("12").is_err());
    }
}
