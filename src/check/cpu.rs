//! CPU: the checkpoint's architecture must be this machine's (CRIU: "Core
//! march mismatch"); each thread's saved FPU state may use only the xsave
//! features this CPU and kernel enable (its `xstate_bv` against XCR0: "FPU
//! feature required by image is not supported on host"); a `cpuinfo.img`,
//! when there is one, is compared as `criu cpuinfo check` does by default
//! (see [`super::cpuinfo`]).

use crate::checkpoint::Checkpoint;
use crate::error::Result;
use crate::proto::{CoreEntry, CpuinfoEntry};

use super::host::xfeature_name;
use super::{Area, Finding, Findings, Host, Kind};

/// The architecture of a core image's `mtype`, as Rust names it.
pub(crate) fn arch_of(mtype: i32) -> &'static str {
    match mtype {
        1 => "x86_64",
        2 => "arm",
        3 => "aarch64",
        4 => "powerpc64",
        5 => "s390x",
        6 => "mips64",
        7 => "loongarch64",
        8 => "riscv64",
        _ => "unknown",
    }
}

/// One problem per xsave feature in `want` that `have` lacks.
fn missing_features(want: u64, have: u64, what: &str, out: &mut Findings) {
    let lacking = want & !have;
    for bit in (0..64).filter(|b| lacking & (1u64 << b) != 0) {
        let name = xfeature_name(bit);
        let mut f = Finding::new(
            Area::Cpu,
            Kind::Xfeature,
            format!("{what} uses the xsave feature {name} (bit {bit}), which this CPU does not enable"),
        )
        .differs(format!("{want:#x}"), format!("{have:#x}"))
        .fix("restore on a CPU (and kernel) that enables it, or dump again on a machine like this one");
        f.feature = Some(name);
        out.problems.push(f);
    }
}

/// Checks the architecture and FPU state of `cp` against `host`.
pub fn check(cp: &Checkpoint, host: &dyn Host) -> Result<Findings> {
    let mut out = Findings::default();
    let Some(first) = cp.tasks.first() else { return Ok(out) };
    let root_core: CoreEntry = cp.core(first.pid)?;
    let arch = arch_of(root_core.mtype);
    if arch != host.arch() {
        let mut f = Finding::new(
            Area::Cpu,
            Kind::Arch,
            format!("the checkpoint is of {arch}, this machine is {}", host.arch()),
        )
        .differs(arch, host.arch())
        .fix(format!("restore on an {arch} machine"));
        f.feature = Some(arch.to_string());
        out.problems.push(f);
        return Ok(out);
    }
    let have = host.xfeatures();
    for t in &cp.tasks {
        if !t.state.has_resources() {
            continue;
        }
        let mut tids = vec![t.pid];
        tids.extend(t.threads.iter().copied().filter(|&x| x != t.pid));
        for tid in tids {
            let core = cp.core(tid)?;
            let bv = core
                .thread_info
                .as_ref()
                .and_then(|ti| ti.fpregs.xsave.as_ref())
                .map(|x| x.xstate_bv);
            if let (Some(bv), Some(have)) = (bv, have) {
                let before = out.problems.len();
                let who = if tid == t.pid {
                    format!("task {tid} ({})", t.comm)
                } else {
                    format!("thread {tid} of {} ({})", t.pid, t.comm)
                };
                missing_features(bv, have, &who, &mut out);
                for f in &mut out.problems[before..] {
                    f.pid = Some(tid);
                }
            }
        }
    }
    if cp.has("cpuinfo.img") {
        let info: CpuinfoEntry = cp.read_first("cpuinfo.img")?;
        super::cpuinfo::check(&info, host.x86_cpu().as_ref(), &mut out);
    }
    Ok(out)
}
