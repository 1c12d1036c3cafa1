//! arm64 register sets from `ti_aarch64` of `core-TID.img`, in the byte
//! layouts of the kernel's regsets: `user_pt_regs` (in `NT_PRSTATUS`),
//! `user_fpsimd_state` (`NT_FPREGSET`) and `tpidr_el0` (`NT_ARM_TLS`).

use super::arch::{Arch, Cores, ThreadRegs};
use super::notes::{Note, NT_FPREGSET};
use crate::error::{Error, Result};
use crate::proto::core_entry::March;
use crate::proto::{UserAarch64FpsimdContextEntry, UserAarch64RegsEntry};

/// arm64 (`EM_AARCH64`).
pub const ARCH: Arch = Arch {
    mtype: March::Aarch64,
    name: "aarch64",
    machine: 183,
    threads,
};

/// `NT_ARM_TLS`.
pub const NT_ARM_TLS: u32 = 0x401;
/// `user_pt_regs`: x0..x30, sp, pc, pstate.
pub const GPREGS_SIZE: usize = 34 * 8;
/// `user_fpsimd_state`: v0..v31 (128 bits each), fpsr, fpcr, 2 reserved words.
pub const FPSIMD_SIZE: usize = 32 * 16 + 16;
/// General registers x0..x30.
const XREGS: usize = 31;
/// v0..v31 as pairs of 64-bit halves, the low half first (as CRIU saves them).
const VREG_HALVES: usize = 64;

/// Each thread's `user_pt_regs`, `NT_FPREGSET` and `NT_ARM_TLS`.
fn threads(cores: &Cores) -> Result<Vec<ThreadRegs>> {
    cores
        .iter()
        .map(|(tid, core)| {
            let file = format!("core-{tid}.img");
            let ti = core
                .ti_aarch64
                .as_ref()
                .ok_or_else(|| Error::missing_field(&file, "ti_aarch64", "an AARCH64 core entry without ti_aarch64"))?;
            let (n, v) = (ti.gpregs.regs.len(), ti.fpsimd.vregs.len());
            if n != XREGS || v != VREG_HALVES {
                return Err(Error::bad_image(
                    &file,
                    format!(
                        "ti_aarch64 holds {n} general registers and {v} FP/SIMD register halves, \
                         not {XREGS} and {VREG_HALVES}"
                    ),
                ));
            }
            Ok(ThreadRegs {
                gpregs: gpregs(&ti.gpregs).to_vec(),
                notes: vec![
                    Note::core(NT_FPREGSET, fpsimd(&ti.fpsimd).to_vec()),
                    Note::linux(NT_ARM_TLS, ti.tls.to_le_bytes().to_vec()),
                ],
            })
        })
        .collect()
}

/// `user_pt_regs`: x0..x30, sp, pc, pstate.
pub fn gpregs(r: &UserAarch64RegsEntry) -> [u8; GPREGS_SIZE] {
    let mut b = [0u8; GPREGS_SIZE];
    let regs = r.regs.iter().take(XREGS).chain([&r.sp, &r.pc, &r.pstate]);
    for (chunk, v) in b.chunks_exact_mut(8).zip(regs) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    b
}

/// `user_fpsimd_state`: the vector registers, fpsr, fpcr; the reserved
/// words stay 0.
pub fn fpsimd(f: &UserAarch64FpsimdContextEntry) -> [u8; FPSIMD_SIZE] {
    let mut b = [0u8; FPSIMD_SIZE];
    for (chunk, v) in b[..512].chunks_exact_mut(8).zip(&f.vregs) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    b[512..516].copy_from_slice(&f.fpsr.to_le_bytes());
    b[516..520].copy_from_slice(&f.fpcr.to_le_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::CoreEntry;

    #[test]
    fn gpregs_order() {
        let r = UserAarch64RegsEntry {
            regs: (1..=31).collect(),
            sp: 0x100,
            pc: 0x200,
            pstate: 0x6000_0000,
        };
        let b = gpregs(&r);
        assert_eq!(&b[0..8], &1u64.to_le_bytes());
        assert_eq!(&b[30 * 8..31 * 8], &31u64.to_le_bytes());
        assert_eq!(&b[31 * 8..32 * 8], &0x100u64.to_le_bytes());
        assert_eq!(&b[32 * 8..33 * 8], &0x200u64.to_le_bytes());
        assert_eq!(&b[33 * 8..], &0x6000_0000u64.to_le_bytes());
    }

    #[test]
    fn fpsimd_layout() {
        let f = UserAarch64FpsimdContextEntry {
            vregs: (0..64).collect(),
            fpsr: 0x10,
            fpcr: 0x0300_0000,
        };
        let b = fpsimd(&f);
        assert_eq!(b.len(), 528);
        // v1 is the 128-bit value 3 << 64 | 2.
        assert_eq!(&b[16..32], &((3u128 << 64) | 2).to_le_bytes());
        assert_eq!(&b[504..512], &63u64.to_le_bytes());
        assert_eq!(&b[512..520], &[0x10, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(&b[520..], &[0; 8]);
    }

    #[test]
    fn a_wrong_register_count_is_a_damaged_image() {
        let mut core = CoreEntry {
            mtype: March::Aarch64 as i32,
            ..Default::default()
        };
        let err = threads(&[(7, core.clone())]).unwrap_err().to_string();
        assert!(
            err.contains("core-7.img") && err.contains("without ti_aarch64"),
            "{err}"
        );
        core.ti_aarch64 = Some(Default::default());
        let err = threads(&[(7, core)]).unwrap_err().to_string();
        assert!(
            err.contains("holds 0 general registers and 0 FP/SIMD register halves, not 31 and 64"),
            "{err}"
        );
    }
}
