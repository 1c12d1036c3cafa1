//! What differs between the architectures a core is written for. Each has
//! one file (`x86.rs`, `aarch64.rs`) that gives its [`Arch`]: the ELF
//! machine and, per thread, `pr_reg` of `NT_PRSTATUS` and the register
//! notes that follow it. A third architecture is one more file and one more
//! entry in [`ARCHES`].

use super::notes::Note;
use crate::error::{Error, Result};
use crate::proto::core_entry::March;
use crate::proto::CoreEntry;

/// The register sets of one thread.
#[derive(Debug, Clone)]
pub struct ThreadRegs {
    /// `elf_gregset_t`: the `pr_reg` field of its `NT_PRSTATUS`.
    pub gpregs: Vec<u8>,
    /// Its other notes, in the kernel's order (`NT_FPREGSET` first).
    pub notes: Vec<Note>,
}

/// Each thread's core image (the main thread first), by thread id.
pub type Cores = [(u32, CoreEntry)];

/// One architecture crit writes cores for.
pub struct Arch {
    /// The `mtype` of its core images.
    pub mtype: March,
    /// Its name in messages.
    pub name: &'static str,
    /// `e_machine`.
    pub machine: u16,
    /// The register sets of each thread of `cores` (the main thread first),
    /// or a clear error for a core entry this architecture cannot dump.
    pub threads: fn(&Cores) -> Result<Vec<ThreadRegs>>,
}

/// Every architecture `crit coredump` writes.
pub const ARCHES: [&Arch; 2] = [&super::x86::ARCH, &super::aarch64::ARCH];

/// The architecture of a task's threads (they must all have the same), or
/// one clear line naming it when crit does not write its cores.
pub fn of(cores: &Cores) -> Result<&'static Arch> {
    let name = |mtype: i32| {
        March::try_from(mtype).map_or_else(|_| format!("unknown ({mtype})"), |m| m.as_str_name().to_string())
    };
    let (tid, main) = cores.first().ok_or_else(|| Error::Damaged {
        what: "a task without threads".into(),
    })?;
    if let Some((t, c)) = cores.iter().find(|(_, c)| c.mtype != main.mtype) {
        return Err(Error::bad_image(
            crate::image::name::core(*t),
            format!(
                "the thread's architecture is {}, its main thread's ({}) {}",
                name(c.mtype),
                crate::image::name::core(*tid),
                name(main.mtype)
            ),
        ));
    }
    ARCHES
        .iter()
        .copied()
        .find(|a| a.mtype as i32 == main.mtype)
        .ok_or_else(|| {
            let known: Vec<_> = ARCHES.iter().map(|a| a.name).collect();
            Error::UnsupportedArch {
                file: crate::image::name::core(*tid),
                arch: name(main.mtype),
                supported: known.join(" and "),
            }
        })
}
