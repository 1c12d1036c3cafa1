//! `cpuinfo.img` against this CPU, as `criu cpuinfo check` compares them
//! (CRIU's `cpu_validate_cpuinfo` under its default `--cpu-cap`, `fpu,ins`;
//! `criu restore` makes the same comparison when given `--cpu-cap`):
//!
//! - the image must be readable as CRIU reads it: one x86 entry, an Intel or
//!   AMD vendor, 12 capability words (version 1) or 19 (version 2);
//! - `fpu`: the FPU features the dumping CPU had (`fpu`, `fxsr`, `osxsave`,
//!   `xsaves`) must be here; its xsave features (`xfeatures_mask`) a subset
//!   of this CPU's; the xsave area's sizes (`xsave_size`, `xsave_size_max`)
//!   equal to this CPU's;
//! - `ins`: the instruction-set features it had (CRIU's
//!   `x86_ins_capability_mask`) must be here: the program may use any.
//!
//! CRIU stops at the first mismatch; each is reported here, named as CRIU
//! names it, with the feature it is about.

use crate::proto::{CpuinfoEntry, CpuinfoX86Entry};

use super::cpuid::{cap, X86Cpu, NCAPINTS, NCAPINTS_V1};
use super::host::xfeature_name;
use super::{Area, Finding, Findings, Kind};

/// The FPU features CRIU's `fpu` check requires (`__mismatch_fpu_bit`).
const FPU_FEATURES: [(u32, &str); 4] = [
    (cap(0, 0), "fpu"),
    (cap(0, 24), "fxsr"),
    (cap(4, 27), "osxsave"),
    (cap(10, 3), "xsaves"),
];

/// CRIU's `x86_ins_capability_mask`: the features that are instructions a
/// program may use, under the names `/proc/cpuinfo` gives them.
const INS_FEATURES: &[(u32, &str)] = &[
    (cap(0, 0), "fpu"),
    (cap(0, 4), "tsc"),
    (cap(0, 8), "cx8"),
    (cap(0, 11), "sep"),
    (cap(0, 15), "cmov"),
    (cap(0, 19), "clflush"),
    (cap(0, 23), "mmx"),
    (cap(0, 24), "fxsr"),
    (cap(0, 25), "sse"),
    (cap(0, 26), "sse2"),
    (cap(1, 11), "syscall"),
    (cap(1, 22), "mmxext"),
    (cap(1, 27), "rdtscp"),
    (cap(1, 30), "3dnowext"),
    (cap(1, 31), "3dnow"),
    (cap(3, 16), "rep_good"),
    (cap(3, 20), "nopl"),
    (cap(4, 0), "pni"),
    (cap(4, 1), "pclmulqdq"),
    (cap(4, 3), "monitor"),
    (cap(4, 9), "ssse3"),
    (cap(4, 13), "cx16"),
    (cap(4, 19), "sse4_1"),
    (cap(4, 20), "sse4_2"),
    (cap(4, 22), "movbe"),
    (cap(4, 23), "popcnt"),
    (cap(4, 25), "aes"),
    (cap(4, 26), "xsave"),
    (cap(4, 27), "osxsave"),
    (cap(4, 28), "avx"),
    (cap(4, 29), "f16c"),
    (cap(4, 30), "rdrand"),
    (cap(6, 5), "abm"),
    (cap(6, 6), "sse4a"),
    (cap(6, 7), "misalignsse"),
    (cap(6, 8), "3dnowprefetch"),
    (cap(6, 11), "xop"),
    (cap(6, 16), "fma4"),
    (cap(6, 21), "tbm"),
    (cap(9, 0), "fsgsbase"),
    (cap(9, 3), "bmi1"),
    (cap(9, 4), "hle"),
    (cap(9, 5), "avx2"),
    (cap(9, 8), "bmi2"),
    (cap(9, 9), "erms"),
    (cap(9, 11), "rtm"),
    (cap(9, 14), "mpx"),
    (cap(9, 16), "avx512f"),
    (cap(9, 17), "avx512dq"),
    (cap(9, 18), "rdseed"),
    (cap(9, 19), "adx"),
    (cap(9, 23), "clflushopt"),
    (cap(9, 26), "avx512pf"),
    (cap(9, 27), "avx512er"),
    (cap(9, 28), "avx512cd"),
    (cap(9, 29), "sha_ni"),
    (cap(9, 30), "avx512bw"),
    (cap(9, 31), "avx512vl"),
    (cap(10, 0), "xsaveopt"),
    (cap(10, 1), "xsavec"),
    (cap(10, 2), "xgetbv1"),
    (cap(11, 1), "avx512vbmi"),
    (cap(11, 6), "avx512_vbmi2"),
    (cap(11, 8), "gfni"),
    (cap(11, 9), "vaes"),
    (cap(11, 10), "vpclmulqdq"),
    (cap(11, 11), "avx512_vnni"),
    (cap(11, 12), "avx512_bitalg"),
    (cap(11, 13), "tme"),
    (cap(11, 14), "avx512_vpopcntdq"),
    (cap(11, 22), "rdpid"),
    (cap(13, 0), "clzero"),
    (cap(18, 2), "avx512_4vnniw"),
    (cap(18, 3), "avx512_4fmaps"),
];

const IMG: &str = "cpuinfo.img";

/// What to do when the CPU differs.
const FIX: &str = "restore on a CPU that has it; criu restore compares cpuinfo.img only when given \
                   --cpu-cap (without it, or with --cpu-cap=none, the restore goes on and the program \
                   may meet an instruction this CPU lacks)";

fn finding(kind: Kind, feature: &str, message: String) -> Finding {
    let mut f = Finding::new(Area::Cpu, kind, message).path(IMG).fix(FIX);
    f.feature = Some(feature.to_string());
    f
}

/// The dumping CPU as CRIU's `img_to_cpuinfo` makes it, or CRIU's reason
/// for refusing the image. What a version 1 image or an older CRIU did not
/// record is taken from this CPU, as CRIU does.
fn image_cpu(info: &CpuinfoEntry, here: &X86Cpu) -> Result<X86Cpu, String> {
    let [x]: &[CpuinfoX86Entry; 1] = info.x86_entry.as_slice().try_into().map_err(|_| {
        format!(
            "No x86 related cpuinfo in image, corruption (n_x86_entry = {})",
            info.x86_entry.len()
        )
    })?;
    if x.vendor_id != 1 && x.vendor_id != 2 {
        return Err(format!("Unknown cpu vendor {}", x.vendor_id));
    }
    let want = match x.capability_ver {
        1 => NCAPINTS_V1,
        2 => NCAPINTS,
        v => return Err(format!("Image carries unknown capability version {v}")),
    };
    if x.capability.len() != want {
        return Err(format!(
            "Image carries {} words while {want} expected",
            x.capability.len()
        ));
    }
    let mut capability = here.capability;
    capability[..want].copy_from_slice(&x.capability);
    Ok(X86Cpu {
        capability,
        xfeatures_mask: x.xfeatures_mask.unwrap_or(here.xfeatures_mask),
        xsave_size: x.xsave_size.unwrap_or(here.xsave_size),
        xsave_size_max: x.xsave_size_max.unwrap_or(here.xsave_size_max),
    })
}

/// Compares `info` (the image) with `here` (this CPU; `None` when it cannot
/// be told, which is said in a note).
pub fn check(info: &CpuinfoEntry, here: Option<&X86Cpu>, out: &mut Findings) {
    let Some(here) = here else {
        let mut f = Finding::new(
            Area::Cpu,
            Kind::Unchecked,
            "cpuinfo.img not compared: this CPU's features could not be read (CPUID)",
        )
        .path(IMG);
        f.feature = Some("cpuinfo".to_string());
        out.notes.push(f);
        return;
    };
    let img = match image_cpu(info, here) {
        Ok(img) => img,
        Err(why) => {
            out.problems.push(
                finding(
                    Kind::Cpuinfo,
                    "cpuinfo",
                    format!("cpuinfo.img cannot be compared (CRIU: {why})"),
                )
                .fix("dump again with criu dump --cpu-cap, or restore without --cpu-cap"),
            );
            return;
        }
    };
    // fpu: the FPU features, the xsave features, the xsave sizes.
    for (bit, name) in FPU_FEATURES {
        if img.has(bit) && !here.has(bit) {
            out.problems.push(finding(
                Kind::CpuFpu,
                name,
                format!(
                    "the dumping CPU had {name}, this one does not (CRIU: FPU feature required by image is not supported on host)"
                ),
            ));
        }
    }
    let extra = img.xfeatures_mask & !here.xfeatures_mask;
    for bit in (0..64).filter(|b| extra & (1u64 << b) != 0) {
        let name = xfeature_name(bit);
        out.problems.push(
            finding(
                Kind::Xfeature,
                &name,
                format!(
                    "the dumping CPU had the xsave feature {name} (bit {bit}), this one does not \
                     (CRIU: CPU xfeatures has unsupported bits ({extra:#x}))"
                ),
            )
            .differs(
                format!("{:#x}", img.xfeatures_mask),
                format!("{:#x}", here.xfeatures_mask),
            ),
        );
    }
    for (name, a, b, words) in [
        ("xsave_size", img.xsave_size, here.xsave_size, "CPU xsave size mismatch"),
        (
            "xsave_size_max",
            img.xsave_size_max,
            here.xsave_size_max,
            "CPU xsave max size mismatch",
        ),
    ] {
        if a != b {
            out.problems.push(
                finding(
                    Kind::XsaveSize,
                    name,
                    format!("the dumping CPU's xsave area ({name}) was {a} bytes, {b} here (CRIU: {words} ({a}/{b}))"),
                )
                .differs(a.to_string(), b.to_string()),
            );
        }
    }
    // ins: every instruction-set feature of the dumping CPU.
    for (bit, name) in INS_FEATURES {
        if img.has(*bit) && !here.has(*bit) {
            out.problems.push(finding(
                Kind::CpuIns,
                name,
                format!(
                    "the dumping CPU had {name}, this one does not (CRIU: CPU instruction capabilities do not match run time)"
                ),
            ));
        }
    }
}
