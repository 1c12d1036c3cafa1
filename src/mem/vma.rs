//! A task's memory mappings (`vma_entry` of `mm-PID.img`), with the flag
//! meanings the reader needs.

use serde::Serialize;

use crate::proto::VmaEntry;

const PROT_READ: u32 = 0x1;
const PROT_WRITE: u32 = 0x2;
const PROT_EXEC: u32 = 0x4;
const MAP_SHARED: u32 = 0x01;
const MAP_GROWSDOWN: u32 = 0x100;

const VMA_AREA_STACK: u32 = 1 << 1;
const VMA_AREA_VSYSCALL: u32 = 1 << 2;
const VMA_AREA_VDSO: u32 = 1 << 3;
const VMA_AREA_HEAP: u32 = 1 << 5;
const VMA_FILE_PRIVATE: u32 = 1 << 6;
const VMA_FILE_SHARED: u32 = 1 << 7;
pub(crate) const VMA_ANON_SHARED: u32 = 1 << 8;
pub(crate) const VMA_AREA_SYSVIPC: u32 = 1 << 10;
const VMA_AREA_VVAR: u32 = 1 << 12;
pub(crate) const VMA_AREA_MEMFD: u32 = 1 << 14;
/// CRIU 4.2: a guard-page range (`MADV_GUARD_INSTALL`) inside another mapping,
/// written alone in `status` at the end of the VMA list; it holds no pages.
const VMA_AREA_GUARD: u32 = 1 << 16;
const VMA_AREA_UPROBES: u32 = 1 << 17;

/// One memory mapping of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Vma {
    /// First address of the mapping.
    pub start: u64,
    /// Address just past the mapping.
    pub end: u64,
    /// Offset in the mapped object, in bytes.
    pub pgoff: u64,
    /// The mapped object: a file id, a shared memory id or a SysV shm id, by `status`.
    pub shmid: u64,
    /// `PROT_*` bits.
    pub prot: u32,
    /// `MAP_*` bits.
    pub flags: u32,
    /// CRIU's `VMA_*` bits.
    pub status: u32,
}

impl From<&VmaEntry> for Vma {
    fn from(v: &VmaEntry) -> Self {
        Vma {
            start: v.start,
            end: v.end,
            pgoff: v.pgoff,
            shmid: v.shmid,
            prot: v.prot,
            flags: v.flags,
            status: v.status,
        }
    }
}

impl Vma {
    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True for an empty mapping.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `addr` is inside the mapping.
    pub fn contains(&self, addr: u64) -> bool {
        (self.start..self.end).contains(&addr)
    }

    /// A `MAP_SHARED` mapping: its contents are not in the task's own pagemap.
    pub(crate) fn is_shared(&self) -> bool {
        self.holds_pages() && (self.flags & MAP_SHARED != 0 || self.status & (VMA_ANON_SHARED | VMA_FILE_SHARED) != 0)
    }

    /// A guard range (CRIU 4.2's `VMA_AREA_GUARD`, alone in `status`): guard
    /// pages installed inside another mapping, not a mapping of its own.
    pub(crate) fn is_guard(&self) -> bool {
        self.status == VMA_AREA_GUARD
    }

    /// False for areas whose contents a checkpoint never holds: guard ranges
    /// and the kernel's `[uprobes]` area. Readers look for no pages there.
    pub(crate) fn holds_pages(&self) -> bool {
        !self.is_guard() && self.status & VMA_AREA_UPROBES == 0
    }

    /// A mapping of a file (private or shared), whose bytes the file holds;
    /// not shared anonymous memory, SysV shm or a memfd (CRIU dumps those).
    pub fn is_file_backed(&self) -> bool {
        self.status & (VMA_FILE_PRIVATE | VMA_FILE_SHARED) != 0
            && self.status & (VMA_ANON_SHARED | VMA_AREA_SYSVIPC | VMA_AREA_MEMFD) == 0
    }

    /// Permissions as in `/proc/PID/maps`: `rw-p`, `r-xs`.
    ///
    /// ```
    /// let v = crit::mem::Vma { start: 0, end: 4096, pgoff: 0, shmid: 0, prot: 3, flags: 0x22, status: 0 };
    /// assert_eq!(v.perms(), "rw-p");
    /// ```
    pub fn perms(&self) -> String {
        let bit = |b: u32, c: char| if self.prot & b != 0 { c } else { '-' };
        let s = if self.is_shared() { 's' } else { 'p' };
        [bit(PROT_READ, 'r'), bit(PROT_WRITE, 'w'), bit(PROT_EXEC, 'x'), s]
            .iter()
            .collect()
    }

    /// What the mapping is, in a word: `guard`, `uprobes`, `heap`, `stack`,
    /// `vdso`, `vvar`, `vsyscall`, `sysv-shm`, `memfd`, `shmem` (anonymous
    /// shared), `file` (a shared file mapping), `file-private` or `anon`.
    pub fn kind(&self) -> &'static str {
        let st = self.status;
        if self.is_guard() {
            "guard"
        } else if st & VMA_AREA_UPROBES != 0 {
            "uprobes"
        } else if st & VMA_AREA_HEAP != 0 {
            "heap"
        } else if st & VMA_AREA_STACK != 0 || self.flags & MAP_GROWSDOWN != 0 {
            "stack"
        } else if st & VMA_AREA_VDSO != 0 {
            "vdso"
        } else if st & VMA_AREA_VVAR != 0 {
            "vvar"
        } else if st & VMA_AREA_VSYSCALL != 0 {
            "vsyscall"
        } else if st & VMA_AREA_SYSVIPC != 0 {
            "sysv-shm"
        } else if st & VMA_AREA_MEMFD != 0 {
            "memfd"
        } else if st & VMA_ANON_SHARED != 0 {
            "shmem"
        } else if st & VMA_FILE_SHARED != 0 {
            "file"
        } else if st & VMA_FILE_PRIVATE != 0 {
            "file-private"
        } else {
            "anon"
        }
    }
}

/// The mapping of sorted `vmas` that contains `addr`.
pub(crate) fn find(vmas: &[Vma], addr: u64) -> Option<&Vma> {
    let i = vmas.partition_point(|v| v.end <= addr);
    vmas.get(i).filter(|v| v.contains(addr))
}
