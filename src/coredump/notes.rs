//! The notes of a core's `PT_NOTE` segment, in the kernel's layouts for
//! 64-bit little-endian machines (`elf_prstatus` around each architecture's
//! registers, `elf_prpsinfo`, `siginfo_t`, the saved auxv, the file table),
//! framed as ELF notes.

pub const NT_PRSTATUS: u32 = 1;
pub const NT_FPREGSET: u32 = 2;
pub const NT_PRPSINFO: u32 = 3;
pub const NT_AUXV: u32 = 6;
pub const NT_X86_XSTATE: u32 = 0x202;
pub const NT_SIGINFO: u32 = 0x5349_4749;
pub const NT_FILE: u32 = 0x4649_4c45;

/// `struct elf_prstatus_common`: what precedes `pr_reg`.
const PRSTATUS_COMMON: usize = 112;
/// `sizeof(struct elf_prpsinfo)` on x86_64 and arm64.
pub const PRPSINFO_SIZE: usize = 136;
/// `sizeof(siginfo_t)`.
pub(crate) const SIGINFO_SIZE: usize = 128;
/// `ELF_PRARGSZ`: room for the command line in `elf_prpsinfo`.
const PRARGSZ: usize = 80;

/// One note: its owner name (`CORE`, or `LINUX` for the x86 extended
/// state), type and descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub name: &'static str,
    pub ntype: u32,
    pub desc: Vec<u8>,
}

impl Note {
    pub fn core(ntype: u32, desc: Vec<u8>) -> Self {
        Note {
            name: "CORE",
            ntype,
            desc,
        }
    }

    pub fn linux(ntype: u32, desc: Vec<u8>) -> Self {
        Note {
            name: "LINUX",
            ntype,
            desc,
        }
    }

    /// Appends the framed note: namesz, descsz, type, then the NUL-terminated
    /// name and the descriptor, each padded to 4 bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let name_len = self.name.len() + 1;
        out.extend_from_slice(&(name_len as u32).to_le_bytes());
        out.extend_from_slice(&(self.desc.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.ntype.to_le_bytes());
        out.extend_from_slice(self.name.as_bytes());
        out.push(0);
        pad4(out);
        out.extend_from_slice(&self.desc);
        pad4(out);
    }
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// What `elf_prstatus` says about one thread.
#[derive(Debug, Clone)]
pub(crate) struct PrStatus {
    pub tid: u32,
    pub ppid: u32,
    pub pgrp: u32,
    pub sid: u32,
    /// The signal the thread stands in (0: none).
    pub cursig: u32,
    /// Pending signals (bit `n-1` for signal `n`).
    pub sigpend: u64,
    /// Blocked signals.
    pub sighold: u64,
    /// `elf_gregset_t` (x86_64: `user_regs_struct`, arm64: `user_pt_regs`).
    pub regs: Vec<u8>,
}

impl PrStatus {
    /// `struct elf_prstatus`: 336 bytes on x86_64, 392 on arm64.
    pub fn to_bytes(&self) -> Vec<u8> {
        let fpvalid = PRSTATUS_COMMON + self.regs.len();
        let mut b = vec![0u8; (fpvalid + 4).next_multiple_of(8)];
        // pr_info.si_signo and pr_cursig; si_code and si_errno stay 0.
        b[0..4].copy_from_slice(&self.cursig.to_le_bytes());
        b[12..14].copy_from_slice(&(self.cursig as u16).to_le_bytes());
        b[16..24].copy_from_slice(&self.sigpend.to_le_bytes());
        b[24..32].copy_from_slice(&self.sighold.to_le_bytes());
        b[32..36].copy_from_slice(&self.tid.to_le_bytes());
        b[36..40].copy_from_slice(&self.ppid.to_le_bytes());
        b[40..44].copy_from_slice(&self.pgrp.to_le_bytes());
        b[44..48].copy_from_slice(&self.sid.to_le_bytes());
        // The four timevals (48..112): CPU times are not in a checkpoint.
        b[PRSTATUS_COMMON..fpvalid].copy_from_slice(&self.regs);
        b[fpvalid..fpvalid + 4].copy_from_slice(&1u32.to_le_bytes()); // pr_fpvalid: an NT_FPREGSET follows
        b
    }
}

/// What `elf_prpsinfo` says about the process.
#[derive(Debug, Clone)]
pub(crate) struct PsInfo {
    /// The kernel's state index: 0 R, 1 S, 2 D, 3 T, 4 Z.
    pub state: u8,
    pub nice: i8,
    /// The task's `PF_*` flags.
    pub flag: u64,
    pub uid: u32,
    pub gid: u32,
    pub pid: u32,
    pub ppid: u32,
    pub pgrp: u32,
    pub sid: u32,
    pub comm: Vec<u8>,
    pub args: Vec<u8>,
}

impl PsInfo {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![0u8; PRPSINFO_SIZE];
        b[0] = self.state;
        b[1] = *b"RSDTZW".get(usize::from(self.state)).unwrap_or(&b'.');
        b[2] = u8::from(b[1] == b'Z');
        b[3] = self.nice as u8;
        b[8..16].copy_from_slice(&self.flag.to_le_bytes());
        b[16..20].copy_from_slice(&self.uid.to_le_bytes());
        b[20..24].copy_from_slice(&self.gid.to_le_bytes());
        b[24..28].copy_from_slice(&self.pid.to_le_bytes());
        b[28..32].copy_from_slice(&self.ppid.to_le_bytes());
        b[32..36].copy_from_slice(&self.pgrp.to_le_bytes());
        b[36..40].copy_from_slice(&self.sid.to_le_bytes());
        // pr_fname: 16 bytes, NUL-terminated.
        let comm = &self.comm[..self.comm.len().min(15)];
        b[40..40 + comm.len()].copy_from_slice(comm);
        // pr_psargs: the argument area with NULs as spaces, as the kernel
        // fills it, at most ELF_PRARGSZ - 1 bytes.
        let args = self.args.strip_suffix(b"\0").unwrap_or(&self.args);
        let n = args.len().min(PRARGSZ - 1);
        for (d, &s) in b[56..56 + n].iter_mut().zip(args) {
            *d = if s == 0 { b' ' } else { s };
        }
        b
    }
}

/// `siginfo_t` of the signal the dump stands for: only `si_signo` (0 when
/// the task was not stopped by a signal: a checkpoint is not a crash).
pub fn siginfo(signo: u32) -> Vec<u8> {
    let mut b = vec![0u8; SIGINFO_SIZE];
    b[0..4].copy_from_slice(&signo.to_le_bytes());
    b
}

/// The auxiliary vector, up to and including its `AT_NULL` pair (added when
/// the saved vector lacks one).
pub fn auxv(saved: &[u64]) -> Vec<u8> {
    let mut b = Vec::with_capacity(saved.len() * 8 + 16);
    for pair in saved.chunks_exact(2) {
        if pair[0] == 0 {
            break;
        }
        b.extend_from_slice(&pair[0].to_le_bytes());
        b.extend_from_slice(&pair[1].to_le_bytes());
    }
    b.extend_from_slice(&[0u8; 16]);
    b
}

/// One file-backed mapping of `NT_FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileMapping {
    pub start: u64,
    pub end: u64,
    /// Offset in the file, in pages.
    pub pgoff: u64,
    pub path: Vec<u8>,
}

/// `NT_FILE`: count, page size, then (start, end, offset in pages) for each
/// mapping, then their paths, NUL-terminated, in the same order.
pub(crate) fn file_note(maps: &[FileMapping], page_size: u64) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(maps.len() as u64).to_le_bytes());
    b.extend_from_slice(&page_size.to_le_bytes());
    for m in maps {
        for v in [m.start, m.end, m.pgoff] {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    for m in maps {
        // A NUL inside would shift every later name: cut there.
        let p = m.path.split(|&c| c == 0).next().unwrap_or_default();
        b.extend_from_slice(p);
        b.push(0);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_framing() {
        let mut out = Vec::new();
        Note::linux(NT_X86_XSTATE, vec![1, 2, 3]).encode(&mut out);
        assert_eq!(
            out,
            [6, 0, 0, 0, 3, 0, 0, 0, 2, 2, 0, 0, b'L', b'I', b'N', b'U', b'X', 0, 0, 0, 1, 2, 3, 0]
        );
    }

    #[test]
    fn prstatus_sizes_per_architecture() {
        let st = |regs: usize| PrStatus {
            tid: 7,
            ppid: 1,
            pgrp: 7,
            sid: 7,
            cursig: 0,
            sigpend: 0,
            sighold: 0,
            regs: vec![0xab; regs],
        };
        // x86_64: user_regs_struct of 27 words; arm64: user_pt_regs of 34.
        for (regs, size) in [(27 * 8, 336), (34 * 8, 392)] {
            let b = st(regs).to_bytes();
            assert_eq!(b.len(), size);
            assert_eq!(&b[32..36], &7u32.to_le_bytes());
            assert!(b[112..112 + regs].iter().all(|&x| x == 0xab));
            assert_eq!(&b[112 + regs..116 + regs], &1u32.to_le_bytes(), "pr_fpvalid");
        }
    }

    #[test]
    fn psinfo_args_and_state() {
        let p = PsInfo {
            state: 1,
            nice: -5,
            flag: 0x400000,
            uid: 1000,
            gid: 100,
            pid: 7,
            ppid: 1,
            pgrp: 7,
            sid: 7,
            comm: b"a-very-long-command-name".to_vec(),
            args: b"/bin/prog\0--x\0".to_vec(),
        };
        let b = p.to_bytes();
        assert_eq!(&b[..4], &[1, b'S', 0, 0xfb]);
        assert_eq!(&b[40..56], b"a-very-long-com\0");
        assert_eq!(&b[56..70], b"/bin/prog --x\0");
    }

    #[test]
    fn auxv_ends_with_at_null() {
        let b = auxv(&[6, 4096, 9, 0x1000]);
        assert_eq!(b.len(), 48);
        assert_eq!(&b[32..], &[0; 16]);
        assert_eq!(auxv(&[6, 4096, 0, 0, 0, 0]).len(), 32);
    }

    #[test]
    fn file_note_layout() {
        let b = file_note(
            &[FileMapping {
                start: 0x1000,
                end: 0x3000,
                pgoff: 2,
                path: b"/bin/x".to_vec(),
            }],
            4096,
        );
        assert_eq!(b.len(), 16 + 24 + 7);
        assert_eq!(&b[0..8], &1u64.to_le_bytes());
        assert_eq!(&b[32..40], &2u64.to_le_bytes());
        assert_eq!(&b[40..], b"/bin/x\0");
    }
}
