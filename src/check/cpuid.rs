//! This CPU as CRIU describes it in `cpuinfo.img` (compel's `compel_cpuid`):
//! 19 words of CPUID feature bits in Linux's order, the xsave features the
//! CPU offers user space, and the xsave area's sizes.

/// Capability words of a version 2 `cpuinfo.img` (CRIU's `NCAPINTS_V2`).
pub const NCAPINTS: usize = 19;
/// Capability words of a version 1 `cpuinfo.img` (`NCAPINTS_V1`).
pub const NCAPINTS_V1: usize = 12;

/// A bit of the capability words: `word * 32 + bit`, as CRIU numbers them.
pub const fn cap(word: usize, bit: u32) -> u32 {
    (word as u32) * 32 + bit
}

/// An x86 CPU as `criu dump --cpu-cap` records it and `criu cpuinfo check`
/// compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X86Cpu {
    /// CPUID feature words, indexed as CRIU's `enum cpuid_leafs`
    /// (0 = leaf 1 EDX, 4 = leaf 1 ECX, 9 = leaf 7 EBX, …).
    pub capability: [u32; NCAPINTS],
    /// The xsave features the CPU supports for user space (CPUID 0xD.0).
    pub xfeatures_mask: u64,
    /// The xsave area's size for the features enabled now (CPUID 0xD.0 EBX).
    pub xsave_size: u32,
    /// The xsave area's size for every supported feature (CPUID 0xD.0 ECX).
    pub xsave_size_max: u32,
}

impl X86Cpu {
    /// Whether capability bit `cap` (see [`cap`]) is set.
    pub fn has(&self, cap: u32) -> bool {
        let (w, b) = ((cap / 32) as usize, cap % 32);
        w < NCAPINTS && self.capability[w] & (1 << b) != 0
    }

    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn set(&mut self, cap: u32, on: bool) {
        let (w, b) = ((cap / 32) as usize, cap % 32);
        if on {
            self.capability[w] |= 1 << b;
        } else {
            self.capability[w] &= !(1 << b);
        }
    }

    /// This CPU, read with CPUID as compel does; `None` off x86_64 or
    /// without an FPU.
    pub fn this() -> Option<X86Cpu> {
        this_cpu()
    }
}

/// The xsave feature each of the first xsave components needs in the
/// capability words (compel's `xsave_cpuid_features`): a component whose
/// feature is off is not offered.
const XSAVE_CPUID_FEATURES: [u32; 11] = [
    cap(0, 0),   // x87: fpu
    cap(0, 25),  // sse
    cap(4, 28),  // avx
    cap(9, 14),  // mpx
    cap(9, 14),  // mpx
    cap(9, 16),  // avx512f
    cap(9, 16),  // avx512f
    cap(9, 16),  // avx512f
    cap(9, 25),  // intel_pt
    cap(11, 3),  // pku
    cap(14, 13), // hdc
];

/// The user xsave components compel keeps: x87, SSE, AVX, MPX, AVX-512, PKRU
/// (its `XFEATURE_MASK_USER`). Compel's supervisor mask also clears bits 1 and
/// 3 by a slip (`XFEATURE_HDC` where a mask was meant); keeping them can only
/// make this machine offer more, never report a feature missing that CRIU
/// would find.
const XFEATURE_MASK_USER: u64 = 0b10_1111_1111;

#[cfg(target_arch = "x86_64")]
fn this_cpu() -> Option<X86Cpu> {
    use core::arch::x86_64::{__cpuid_count, CpuidResult};
    // SAFETY: CPUID exists on every x86_64 CPU; leaves above the maximum
    // are not asked for.
    #[allow(unused_unsafe)]
    let id = |leaf: u32, sub: u32| -> CpuidResult { unsafe { __cpuid_count(leaf, sub) } };
    let mut c = X86Cpu {
        capability: [0; NCAPINTS],
        xfeatures_mask: 0,
        xsave_size: 0,
        xsave_size_max: 0,
    };
    let l0 = id(0, 0);
    let level = l0.eax;
    let vendor: Vec<u8> = [l0.ebx, l0.edx, l0.ecx].iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut family = 4;
    let mut leaf1_eax = 0;
    if level >= 1 {
        let r = id(1, 0);
        leaf1_eax = r.eax;
        family = (r.eax >> 8) & 0xf;
        if family == 0xf {
            family += (r.eax >> 20) & 0xff;
        }
        c.capability[0] = r.edx;
        c.capability[4] = r.ecx;
    }
    if level >= 6 {
        c.capability[14] = id(6, 0).eax;
    }
    if level >= 7 {
        let r = id(7, 0);
        (c.capability[9], c.capability[11], c.capability[18]) = (r.ebx, r.ecx, r.edx);
    }
    if level >= 0xd {
        c.capability[10] = id(0xd, 1).eax;
    }
    if level >= 0xf {
        c.capability[16] = id(0xf, 0).edx;
        if c.has(cap(16, 1)) {
            c.capability[12] = id(0xf, 1).edx;
        }
    }
    let ext = id(0x8000_0000, 0).eax;
    if ext & 0xffff_0000 == 0x8000_0000 && ext >= 0x8000_0001 {
        let r = id(0x8000_0001, 0);
        (c.capability[6], c.capability[1]) = (r.ecx, r.edx);
    }
    if ext >= 0x8000_0007 {
        c.capability[17] = id(0x8000_0007, 0).ebx;
    }
    if ext >= 0x8000_000a {
        c.capability[15] = id(0x8000_000a, 0).edx;
    }
    if ext >= 0x8000_0008 {
        c.capability[13] = id(0x8000_0008, 0).ebx;
    }
    c.set(cap(3, 25), true); // cpuid
    c.set(cap(3, 20), true); // nopl
    if level < 0xd {
        c.set(cap(4, 26), false); // xsave
    }
    vendor_quirks(&mut c, &vendor, family, leaf1_eax);
    if !c.has(cap(0, 0)) {
        return None;
    }
    if c.has(cap(4, 26)) {
        let r = id(0xd, 0);
        let mut mask = u64::from(r.eax) | (u64::from(r.edx) << 32);
        for (i, f) in XSAVE_CPUID_FEATURES.iter().enumerate() {
            if !c.has(*f) {
                mask &= !(1 << i);
            }
        }
        c.xfeatures_mask = mask & XFEATURE_MASK_USER;
        c.xsave_size = r.ebx;
        c.xsave_size_max = r.ecx;
    }
    Some(c)
}

/// What compel sets and clears by vendor and family (after the kernel's
/// `early_init_intel` and `early_init_amd`).
#[cfg(target_arch = "x86_64")]
fn vendor_quirks(c: &mut X86Cpu, vendor: &[u8], family: u32, leaf1_eax: u32) {
    match vendor {
        b"GenuineIntel" if family == 15 => {
            c.set(cap(3, 16), false); // rep_good
            c.set(cap(9, 9), false); // erms
        }
        b"GenuineIntel" if family == 6 => c.set(cap(3, 16), true),
        b"AuthenticAMD" | b"HygonGenuine" => {
            c.set(cap(0, 31), false);
            let k8_good = (0x0f48..0x0f50).contains(&leaf1_eax) || leaf1_eax >= 0x0f58;
            if family >= 0x10 || (family == 0xf && k8_good) {
                c.set(cap(3, 16), true);
            }
        }
        _ => {}
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn this_cpu() -> Option<X86Cpu> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn this_cpu_reads_as_compel_reads_it() {
        let c = X86Cpu::this().unwrap();
        // Every x86_64 CPU: fpu, fxsr, sse, sse2; compel sets cpuid and nopl.
        for f in [cap(0, 0), cap(0, 24), cap(0, 25), cap(0, 26), cap(3, 20), cap(3, 25)] {
            assert!(c.has(f), "{f}: {:x?}", c.capability);
        }
        if c.has(cap(4, 26)) {
            assert_eq!(c.xfeatures_mask & 0b11, 0b11, "{c:x?}");
            assert!(c.xsave_size >= 576 && c.xsave_size <= c.xsave_size_max, "{c:?}");
        }
    }
}
