//! x86_64 register sets from `thread_info` of `core-TID.img`, in the byte
//! layouts of the kernel's regsets: `user_regs_struct` (in `NT_PRSTATUS`),
//! the 512-byte FXSAVE area (`NT_FPREGSET`) and the XSAVE area
//! (`NT_X86_XSTATE`, standard non-compacted format).

use super::arch::{Arch, Cores, ThreadRegs};
use super::notes::{Note, NT_FPREGSET, NT_X86_XSTATE};
use crate::error::{Error, Result};
use crate::proto::core_entry::March;
use crate::proto::{
    CoreEntry, ThreadInfoX86, UserX86FpregsEntry, UserX86RegsEntry, UserX86RegsMode, UserX86XsaveEntry,
};

/// x86_64 (`EM_X86_64`).
pub const ARCH: Arch = Arch {
    mtype: March::X8664,
    name: "x86_64",
    machine: 62,
    threads,
};

/// `user_regs_struct`: 27 registers of 8 bytes.
pub(crate) const GPREGS_SIZE: usize = 27 * 8;
/// The FXSAVE area.
pub(crate) const FXSAVE_SIZE: usize = 512;

/// XSAVE feature bits (XCR0) and where each component sits in the standard
/// format: (bits, offset, size).
const X87_SSE: u64 = 0b11;
const AVX: (u64, usize, usize) = (1 << 2, 576, 256);
const BNDREGS: (u64, usize, usize) = (1 << 3, 960, 64);
const BNDCSR: (u64, usize, usize) = (1 << 4, 1024, 64);
const OPMASK: (u64, usize, usize) = (1 << 5, 1088, 64);
const ZMM_HI256: (u64, usize, usize) = (1 << 6, 1152, 512);
const HI16_ZMM: (u64, usize, usize) = (1 << 7, 1664, 1024);
const PKRU: (u64, usize, usize) = (1 << 9, 2688, 8);
/// Where the kernel puts XCR0 for debuggers: the first word of the
/// software-reserved bytes of the FXSAVE area (`USER_XSTATE_XCR0_WORD`).
const XCR0_OFFSET: usize = 464;
/// The XSAVE header: `xstate_bv`, then `xcomp_bv` (0: standard format).
const XSAVE_HEADER: usize = 512;

/// The x86_64 thread state of a core image, or a clear error for a 32-bit
/// task.
fn info(core: &CoreEntry, tid: u32) -> Result<&ThreadInfoX86> {
    let file = crate::image::name::core(tid);
    let ti = core
        .thread_info
        .as_ref()
        .ok_or_else(|| Error::missing_field(&file, "thread_info", "an X86_64 core entry without thread_info"))?;
    if ti.gpregs.mode == Some(UserX86RegsMode::Compat as i32) {
        return Err(Error::Unsupported {
            file,
            what: "a 32-bit (compat mode) x86 task; crit coredump writes x86_64 cores only".into(),
        });
    }
    Ok(ti)
}

/// Each thread's `user_regs_struct`, `NT_FPREGSET` and, when any thread
/// saved extended state, `NT_X86_XSTATE`: one layout for all threads (the
/// union of what each saved), so debuggers see one.
fn threads(cores: &Cores) -> Result<Vec<ThreadRegs>> {
    let infos = cores
        .iter()
        .map(|(tid, core)| info(core, *tid))
        .collect::<Result<Vec<_>>>()?;
    let xcr0 = infos
        .iter()
        .filter_map(|ti| ti.fpregs.xsave.as_ref())
        .fold(0, |f, x| f | xfeatures(x));
    Ok(infos
        .into_iter()
        .map(|ti| {
            let mut notes = vec![Note::core(NT_FPREGSET, fxsave(&ti.fpregs).to_vec())];
            if xcr0 != 0 {
                let empty = Default::default();
                let x = ti.fpregs.xsave.as_ref().unwrap_or(&empty);
                notes.push(Note::linux(NT_X86_XSTATE, xstate(&ti.fpregs, x, xcr0)));
            }
            ThreadRegs {
                gpregs: gpregs(&ti.gpregs).to_vec(),
                notes,
            }
        })
        .collect())
}

/// The general registers in `user_regs_struct` order (r15 … gs), which is
/// also the field order of `user_x86_regs_entry`.
pub fn gpregs(r: &UserX86RegsEntry) -> [u8; GPREGS_SIZE] {
    let regs = [
        r.r15, r.r14, r.r13, r.r12, r.bp, r.bx, r.r11, r.r10, r.r9, r.r8, r.ax, r.cx, r.dx, r.si, r.di, r.orig_ax,
        r.ip, r.cs, r.flags, r.sp, r.ss, r.fs_base, r.gs_base, r.ds, r.es, r.fs, r.gs,
    ];
    let mut b = [0u8; GPREGS_SIZE];
    for (chunk, v) in b.chunks_exact_mut(8).zip(regs) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    b
}

/// Copies little-endian words into `dst`, at most what fits (the image's
/// repeated fields are untrusted in length).
fn put_words<T: Copy, const N: usize>(dst: &mut [u8], words: &[T], to_le: impl Fn(T) -> [u8; N]) {
    for (chunk, &w) in dst.chunks_exact_mut(N).zip(words) {
        chunk.copy_from_slice(&to_le(w));
    }
}

/// `user_fpregs_struct` (the FXSAVE layout).
pub(crate) fn fxsave(f: &UserX86FpregsEntry) -> [u8; FXSAVE_SIZE] {
    let mut b = [0u8; FXSAVE_SIZE];
    // cwd, swd, twd and fop are 16-bit in the hardware layout.
    b[0..2].copy_from_slice(&(f.cwd as u16).to_le_bytes());
    b[2..4].copy_from_slice(&(f.swd as u16).to_le_bytes());
    b[4..6].copy_from_slice(&(f.twd as u16).to_le_bytes());
    b[6..8].copy_from_slice(&(f.fop as u16).to_le_bytes());
    b[8..16].copy_from_slice(&f.rip.to_le_bytes());
    b[16..24].copy_from_slice(&f.rdp.to_le_bytes());
    b[24..28].copy_from_slice(&f.mxcsr.to_le_bytes());
    b[28..32].copy_from_slice(&f.mxcsr_mask.to_le_bytes());
    put_words(&mut b[32..160], &f.st_space, u32::to_le_bytes);
    put_words(&mut b[160..416], &f.xmm_space, u32::to_le_bytes);
    put_words(&mut b[416..512], &f.padding, u32::to_le_bytes);
    b
}

/// The XSAVE features a saved area holds, as XCR0 bits: x87 and SSE always,
/// then each extended component the image has words for.
pub fn xfeatures(x: &UserX86XsaveEntry) -> u64 {
    let mut f = X87_SSE;
    let mut add = |present: bool, bits: u64| {
        if present {
            f |= bits;
        }
    };
    add(!x.ymmh_space.is_empty(), AVX.0);
    add(
        !x.bndreg_state.is_empty() || !x.bndcsr_state.is_empty(),
        BNDREGS.0 | BNDCSR.0,
    );
    add(
        !x.opmask_reg.is_empty() || !x.zmm_upper.is_empty() || !x.hi16_zmm.is_empty(),
        OPMASK.0 | ZMM_HI256.0 | HI16_ZMM.0,
    );
    add(!x.pkru.is_empty(), PKRU.0);
    f
}

/// The size of the standard-format XSAVE area holding `xcr0`'s components:
/// the end of the last one (832 for AVX, 1088 with MPX, 2696 with PKRU: the
/// sizes debuggers expect).
pub(crate) fn xsave_size(xcr0: u64) -> usize {
    [AVX, BNDREGS, BNDCSR, OPMASK, ZMM_HI256, HI16_ZMM, PKRU]
        .iter()
        .filter(|c| xcr0 & c.0 != 0)
        .map(|c| c.1 + c.2)
        .max()
        .unwrap_or(XSAVE_HEADER + 64)
}

/// The XSAVE area of `NT_X86_XSTATE` for features `xcr0` (the same for every
/// thread of a core, so debuggers see one layout).
pub(crate) fn xstate(f: &UserX86FpregsEntry, x: &UserX86XsaveEntry, xcr0: u64) -> Vec<u8> {
    let mut b = vec![0u8; xsave_size(xcr0)];
    b[..FXSAVE_SIZE].copy_from_slice(&fxsave(f));
    b[XCR0_OFFSET..XCR0_OFFSET + 8].copy_from_slice(&xcr0.to_le_bytes());
    b[XCR0_OFFSET + 8..FXSAVE_SIZE].fill(0);
    // Only components the area has room for may be marked as saved.
    b[XSAVE_HEADER..XSAVE_HEADER + 8].copy_from_slice(&(x.xstate_bv & xcr0).to_le_bytes());
    let mut put = |(bits, off, size): (u64, usize, usize), words: Vec<u8>| {
        if xcr0 & bits != 0 {
            let n = words.len().min(size);
            b[off..off + n].copy_from_slice(&words[..n]);
        }
    };
    let le32 = |w: &[u32]| w.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
    let le64 = |w: &[u64]| w.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
    put(AVX, le32(&x.ymmh_space));
    put(BNDREGS, le64(&x.bndreg_state));
    put(BNDCSR, le64(&x.bndcsr_state));
    put(OPMASK, le64(&x.opmask_reg));
    put(ZMM_HI256, le64(&x.zmm_upper));
    put(HI16_ZMM, le64(&x.hi16_zmm));
    put(PKRU, le32(&x.pkru));
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_debuggers_expect() {
        assert_eq!(xsave_size(X87_SSE | AVX.0), 832);
        assert_eq!(xsave_size(X87_SSE | AVX.0 | BNDREGS.0 | BNDCSR.0), 1088);
        assert_eq!(xsave_size(0x2ff), 2696);
        assert_eq!(xsave_size(0xe7), 2688);
    }

    #[test]
    fn xstate_layout() {
        let f = UserX86FpregsEntry {
            cwd: 0x37f,
            mxcsr: 0x1f80,
            xmm_space: vec![7; 64],
            ..Default::default()
        };
        let x = UserX86XsaveEntry {
            xstate_bv: 0x7,
            ymmh_space: (0..64).collect(),
            ..Default::default()
        };
        let xcr0 = xfeatures(&x);
        assert_eq!(xcr0, 0x7);
        let b = xstate(&f, &x, xcr0);
        assert_eq!(b.len(), 832);
        assert_eq!(&b[0..2], &0x37fu16.to_le_bytes());
        assert_eq!(&b[24..28], &0x1f80u32.to_le_bytes());
        assert_eq!(&b[160..164], &7u32.to_le_bytes());
        assert_eq!(&b[464..472], &7u64.to_le_bytes());
        assert_eq!(&b[512..520], &7u64.to_le_bytes());
        assert_eq!(&b[576 + 4..576 + 8], &1u32.to_le_bytes());
        assert_eq!(&b[828..832], &63u32.to_le_bytes());
    }

    #[test]
    fn gpregs_order() {
        let r = UserX86RegsEntry {
            r15: 1,
            ip: 0x1234,
            gs: 9,
            ..Default::default()
        };
        let b = gpregs(&r);
        assert_eq!(&b[0..8], &1u64.to_le_bytes());
        assert_eq!(&b[16 * 8..17 * 8], &0x1234u64.to_le_bytes());
        assert_eq!(&b[26 * 8..], &9u64.to_le_bytes());
    }
}
