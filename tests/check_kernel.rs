//! `crit check`, CPU and kernel: `cpuinfo.img` compared as `criu cpuinfo
//! check` does, the kernel features the images use, the AppArmor profiles
//! and SELinux labels of the tasks, on made-up hosts and on a made-up
//! procfs and sysfs read by the real [`ProcHost`].

use crate::common;

use std::path::PathBuf;

use common::fake_host::{report, Fake};
use crit::check::{Area, Finding, KernelFeature, Kind, ProcHost, Report, X86Cpu};

fn c4(name: &str) -> PathBuf {
    common::fixtures().join("corpus-4.2.1").join(name)
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

/// A problem as (kind, feature, expected, found).
type Row = (Kind, Option<String>, Option<String>, Option<String>);

/// The problems of `area`.
fn rows(r: &Report, area: Area) -> Vec<Row> {
    r.problems
        .iter()
        .filter(|p| p.area == area)
        .map(|p| (p.kind, p.feature.clone(), p.expected.clone(), p.found.clone()))
        .collect()
}

fn notes(r: &Report, kind: Kind) -> Vec<&Finding> {
    r.notes.iter().filter(|n| n.kind == kind).collect()
}

/// A CPU of AVX-512 days: fpu, fxsr, sse, sse2 and tsc; sse3, xsave,
/// osxsave, avx; avx2, avx512f; xsaveopt and xsaves; x87 to PKRU but MPX.
fn cpu() -> X86Cpu {
    let mut capability = [0u32; 19];
    capability[0] = 1 | 1 << 4 | 1 << 24 | 1 << 25 | 1 << 26;
    capability[3] = 1 << 20 | 1 << 25;
    capability[4] = 1 | 1 << 26 | 1 << 27 | 1 << 28;
    capability[9] = 1 << 5 | 1 << 16;
    capability[10] = 1 | 1 << 3;
    X86Cpu {
        capability,
        xfeatures_mask: 0x2e7,
        xsave_size: 2696,
        xsave_size_max: 2696,
    }
}

/// The `mem` checkpoint with a `cpuinfo.img` of `c`, `ver` and `words`
/// capability words, vendor `vendor`, written by our encoder.
fn with_cpuinfo(c: &X86Cpu, ver: u32, words: usize, vendor: &str) -> tempfile::TempDir {
    let t = common::scratch_copy(&c4("mem"));
    let json = serde_json::json!({"magic": "CPUINFO", "entries": [{"x86_entry": [{
        "vendor_id": vendor, "cpu_family": 6, "model": 143, "stepping": 8,
        "capability_ver": ver, "capability": &c.capability[..words],
        "model_id": "Intel(R) Xeon(R) Platinum 8480+",
        "xfeatures_mask": c.xfeatures_mask, "xsave_size": c.xsave_size, "xsave_size_max": c.xsave_size_max
    }]}]});
    let mut img = Vec::new();
    crit::image_json::encode_image(json.to_string().as_bytes(), "cpuinfo.json", &mut img).unwrap();
    std::fs::write(t.path().join("cpuinfo.img"), img).unwrap();
    t
}

fn host_with(c: X86Cpu) -> Fake {
    Fake {
        cpu: Some(c),
        xfeatures: Some(0x2e7),
        ..Fake::default()
    }
}

#[test]
fn cpuinfo_of_the_same_cpu_is_fine() {
    let root = tempfile::tempdir().unwrap();
    let cp = with_cpuinfo(&cpu(), 2, 19, "INTEL");
    let r = report(cp.path(), root.path(), &host_with(cpu()));
    assert_eq!(rows(&r, Area::Cpu), vec![]);
    // A version 1 image (12 words): the words it lacks are taken from this CPU.
    let mut old = cpu();
    old.capability[18] = 0xffff_ffff;
    let cp = with_cpuinfo(&old, 1, 12, "INTEL");
    assert_eq!(
        rows(&report(cp.path(), root.path(), &host_with(cpu())), Area::Cpu),
        vec![]
    );
}

#[test]
fn cpuinfo_of_a_richer_cpu_names_every_mismatch_as_criu_does() {
    let root = tempfile::tempdir().unwrap();
    let cp = with_cpuinfo(&cpu(), 2, 19, "INTEL");
    // This CPU: no avx2, no avx512f, no xsaves; x87, SSE and AVX only.
    let mut here = cpu();
    here.capability[9] = 0;
    here.capability[10] = 1;
    here.xfeatures_mask = 0x7;
    here.xsave_size = 832;
    here.xsave_size_max = 1088;
    let r = report(cp.path(), root.path(), &host_with(here));
    assert_eq!(
        rows(&r, Area::Cpu),
        vec![
            (Kind::CpuFpu, s("xsaves"), None, None),
            (Kind::Xfeature, s("avx512-opmask"), s("0x2e7"), s("0x7")),
            (Kind::Xfeature, s("avx512-zmm-hi256"), s("0x2e7"), s("0x7")),
            (Kind::Xfeature, s("avx512-hi16-zmm"), s("0x2e7"), s("0x7")),
            (Kind::Xfeature, s("pkru"), s("0x2e7"), s("0x7")),
            (Kind::XsaveSize, s("xsave_size"), s("2696"), s("832")),
            (Kind::XsaveSize, s("xsave_size_max"), s("2696"), s("1088")),
            (Kind::CpuIns, s("avx2"), None, None),
            (Kind::CpuIns, s("avx512f"), None, None),
        ]
    );
    let found: Vec<&Finding> = r.problems.iter().filter(|p| p.area == Area::Cpu).collect();
    let msg: Vec<&str> = found.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        msg[0],
        "the dumping CPU had xsaves, this one does not (CRIU: FPU feature required by image is not supported on host)"
    );
    assert_eq!(
        msg[4],
        "the dumping CPU had the xsave feature pkru (bit 9), this one does not (CRIU: CPU xfeatures has unsupported bits (0x2e0))"
    );
    assert_eq!(
        msg[5],
        "the dumping CPU's xsave area (xsave_size) was 2696 bytes, 832 here (CRIU: CPU xsave size mismatch (2696/832))"
    );
    // As --format json gives it.
    let ins = serde_json::to_value(found[7]).unwrap();
    assert_eq!(
        ins,
        serde_json::json!({
            "area": "cpu", "kind": "cpu-ins", "path": "cpuinfo.img", "feature": "avx2",
            "message": "the dumping CPU had avx2, this one does not (CRIU: CPU instruction capabilities do not match run time)",
            "fix": "restore on a CPU that has it; criu restore compares cpuinfo.img only when given --cpu-cap (without it, or with --cpu-cap=none, the restore goes on and the program may meet an instruction this CPU lacks)"
        })
    );
    // A CPU with more than the image had is fine (the destination may be richer).
    let mut more = cpu();
    more.capability[9] |= 1 << 30;
    more.xfeatures_mask |= 1 << 17;
    assert_eq!(
        rows(&report(cp.path(), root.path(), &host_with(more)), Area::Cpu),
        vec![]
    );
}

#[test]
fn a_cpuinfo_img_criu_refuses() {
    let root = tempfile::tempdir().unwrap();
    let reason = |ver: u32, words: usize, vendor: &str| {
        let cp = with_cpuinfo(&cpu(), ver, words, vendor);
        let r = report(cp.path(), root.path(), &host_with(cpu()));
        let found: Vec<&Finding> = r.problems.iter().filter(|p| p.area == Area::Cpu).collect();
        assert_eq!(found.len(), 1, "{:?}", r.problems);
        assert_eq!(found[0].kind, Kind::Cpuinfo);
        found[0].message.clone()
    };
    assert_eq!(
        reason(2, 12, "INTEL"),
        "cpuinfo.img cannot be compared (CRIU: Image carries 12 words while 19 expected)"
    );
    assert_eq!(
        reason(3, 19, "AMD"),
        "cpuinfo.img cannot be compared (CRIU: Image carries unknown capability version 3)"
    );
    assert_eq!(
        reason(2, 19, "UNKNOWN"),
        "cpuinfo.img cannot be compared (CRIU: Unknown cpu vendor 0)"
    );
    // A CPU that cannot be read is said, not passed.
    let cp = with_cpuinfo(&cpu(), 2, 19, "INTEL");
    let r = report(cp.path(), root.path(), &Fake::default());
    assert_eq!(rows(&r, Area::Cpu), vec![]);
    let n = notes(&r, Kind::Unchecked);
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].message,
        "cpuinfo.img not compared: this CPU's features could not be read (CPUID)"
    );
}

/// This machine's own CPUID, written as CRIU would, compares equal here.
#[cfg(target_arch = "x86_64")]
#[test]
fn cpuinfo_of_this_cpu_on_this_machine() {
    let here = X86Cpu::this().unwrap();
    let cp = with_cpuinfo(&here, 2, 19, "INTEL");
    let root = tempfile::tempdir().unwrap();
    let r = report(cp.path(), root.path(), &ProcHost::default());
    assert_eq!(rows(&r, Area::Cpu), vec![]);
    // And one with a feature this CPU lacks (bit 31 of leaf 1 ECX is never
    // set on bare metal, but take one the table knows): 3dnow is long gone.
    let mut richer = here.clone();
    richer.capability[1] |= 1 << 31;
    let cp = with_cpuinfo(&richer, 2, 19, "INTEL");
    let r = report(cp.path(), root.path(), &ProcHost::default());
    if !here.has(32 + 31) {
        assert_eq!(rows(&r, Area::Cpu), vec![(Kind::CpuIns, s("3dnow"), None, None)]);
    }
}

/// (feature, path) of the kernel-feature problems.
fn features(r: &Report) -> Vec<(Option<String>, Option<String>)> {
    r.problems
        .iter()
        .filter(|p| p.kind == Kind::KernelFeature)
        .map(|p| (p.feature.clone(), p.path.clone()))
        .collect()
}

#[test]
fn kernel_features_the_images_use() {
    let root = tempfile::tempdir().unwrap();
    let none = Fake {
        no_features: vec![
            KernelFeature::Inotify,
            KernelFeature::PacketSocket,
            KernelFeature::SysvIpc,
            KernelFeature::SeccompFilter,
            KernelFeature::Tun,
        ],
        ..Fake::default()
    };
    // files: an inotify watch; net: a packet socket; ipc: SysV objects.
    for (name, feature, image) in [
        ("files", "inotify", "files.img"),
        ("net", "packet-socket", "files.img"),
        ("ipc", "sysv-ipc", "ipcns-msg-10.img"),
    ] {
        let r = report(&c4(name), root.path(), &none);
        assert_eq!(features(&r), vec![(s(feature), s(image))], "{name}");
        assert_eq!(features(&report(&c4(name), root.path(), &Fake::default())), vec![]);
    }
    let r = report(&c4("files"), root.path(), &none);
    let p = r.problems.iter().find(|p| p.kind == Kind::KernelFeature).unwrap();
    assert_eq!(
        p.message,
        "files.img: the checkpoint uses inotify watches; this kernel has none (/proc/sys/fs/inotify is missing)"
    );
    assert_eq!(
        p.fix.as_deref(),
        Some("restore on a kernel built with CONFIG_INOTIFY_USER")
    );
    // mem uses none of them.
    assert_eq!(features(&report(&c4("mem"), root.path(), &none)), vec![]);
    // What cannot be told is a note.
    let unknown = Fake {
        unknown_features: vec![KernelFeature::PacketSocket],
        ..Fake::default()
    };
    let r = report(&c4("net"), root.path(), &unknown);
    assert_eq!(features(&r), vec![]);
    let n = notes(&r, Kind::Unchecked);
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].message,
        "files.img: the checkpoint uses packet sockets; whether this kernel has them could not be told (/proc/net/packet)"
    );
}

#[test]
fn seccomp_filters_and_a_tun_device() {
    let t = common::scratch_copy(&c4("mem"));
    common::edit_image(&t.path().join("core-3374.img"), |v| {
        v["entries"][0]["thread_core"]["seccomp_mode"] = "filter".into();
    });
    common::edit_image(&t.path().join("files.img"), |v| {
        v["entries"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"type": "TUNF", "id": 99, "tunf": {"id": 99, "netdev": "tun0"}}));
    });
    let root = tempfile::tempdir().unwrap();
    let none = Fake {
        no_features: vec![KernelFeature::SeccompFilter, KernelFeature::Tun],
        ..Fake::default()
    };
    assert_eq!(
        features(&report(t.path(), root.path(), &none)),
        vec![(s("seccomp-filter"), s("core-3374.img")), (s("tun"), s("files.img"))]
    );
    // Read from a made-up /proc and /dev by the real ProcHost: /dev/net/tun
    // is there, seccomp's actions_avail is not.
    let fake = tempfile::tempdir().unwrap();
    let (proc, dev) = (fake.path().join("proc"), fake.path().join("dev"));
    std::fs::create_dir_all(proc.join("self")).unwrap();
    std::fs::create_dir_all(dev.join("net")).unwrap();
    std::fs::write(dev.join("net/tun"), b"").unwrap();
    let host = ProcHost {
        proc: proc.clone(),
        dev,
        ..ProcHost::default()
    };
    let r = report(t.path(), root.path(), &host);
    assert_eq!(features(&r), vec![(s("seccomp-filter"), s("core-3374.img"))]);
    std::fs::create_dir_all(proc.join("sys/kernel/seccomp")).unwrap();
    std::fs::write(
        proc.join("sys/kernel/seccomp/actions_avail"),
        b"kill_process kill_thread trap errno\n",
    )
    .unwrap();
    assert_eq!(features(&report(t.path(), root.path(), &host)), vec![]);
}

/// `mem` as if dumped under LSM `lsm` (`APPARMOR`, `SELINUX`), its task in
/// label `label`.
fn under_lsm(lsm: &str, label: &str) -> tempfile::TempDir {
    let t = common::scratch_copy(&c4("mem"));
    common::edit_image(&t.path().join("inventory.img"), |v| {
        v["entries"][0]["lsmtype"] = lsm.into()
    });
    common::edit_image(&t.path().join("core-3374.img"), |v| {
        v["entries"][0]["thread_core"]["creds"]["lsm_profile"] = label.into();
    });
    t
}

fn kernel(r: &Report) -> Vec<Row> {
    rows(r, Area::Kernel)
}

#[test]
fn apparmor_profiles_loaded_or_not() {
    let root = tempfile::tempdir().unwrap();
    let cp = under_lsm("APPARMOR", "crit-test (enforce)");
    let host = |profiles: Option<&[&str]>, lsms: &[&str]| Fake {
        lsms: Some(lsms.iter().map(|x| x.to_string()).collect()),
        profiles: profiles.map(|p| p.iter().map(|x| x.to_string()).collect()),
        ..Fake::default()
    };
    let aa = ["lockdown", "capability", "apparmor"];
    let r = report(
        cp.path(),
        root.path(),
        &host(Some(&["crit-test", "docker-default"]), &aa),
    );
    assert_eq!(kernel(&r), vec![]);
    let r = report(cp.path(), root.path(), &host(Some(&["docker-default"]), &aa));
    assert_eq!(kernel(&r), vec![(Kind::LsmProfile, s("crit-test"), None, None)]);
    let p = serde_json::to_value(r.problems.iter().find(|p| p.area == Area::Kernel).unwrap()).unwrap();
    assert_eq!(
        p,
        serde_json::json!({
            "area": "kernel", "kind": "lsm-profile", "feature": "crit-test",
            "message": "AppArmor profile crit-test is not loaded here",
            "fix": "load the profile crit-test (apparmor_parser), or give criu restore --lsm-profile"
        })
    );
    // Not readable (not root): a note, never a pass.
    let r = report(cp.path(), root.path(), &host(None, &aa));
    assert_eq!(kernel(&r), vec![]);
    let n = notes(&r, Kind::Unchecked);
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].message,
        "AppArmor profile crit-test: whether it is loaded here could not be told (/sys/kernel/security/apparmor/profiles is not readable)"
    );
    // No AppArmor here.
    let r = report(cp.path(), root.path(), &host(Some(&[]), &["lockdown", "selinux"]));
    assert_eq!(
        kernel(&r),
        vec![(Kind::Lsm, s("apparmor"), s("apparmor"), s("lockdown,selinux"))]
    );
    // Unconfined needs nothing.
    let free = under_lsm("APPARMOR", "unconfined");
    assert_eq!(kernel(&report(free.path(), root.path(), &host(Some(&[]), &aa))), vec![]);
}

#[test]
fn apparmor_profiles_kept_in_the_images_are_loaded_by_criu() {
    let root = tempfile::tempdir().unwrap();
    let cp = under_lsm("APPARMOR", "crit-test (enforce)");
    let json = serde_json::json!({"magic": "APPARMOR", "entries": [{"namespaces": [
        {"name": "root", "policies": [], "namespaces": [
            {"name": "crit", "policies": [{"name": "crit-test", "blob": ""}]}
        ]}
    ]}]});
    let mut img = Vec::new();
    crit::image_json::encode_image(json.to_string().as_bytes(), "apparmor.json", &mut img).unwrap();
    std::fs::write(cp.path().join("apparmor.img"), img).unwrap();
    let host = Fake {
        lsms: Some(vec!["apparmor".into()]),
        profiles: Some(vec![]),
        ..Fake::default()
    };
    assert_eq!(kernel(&report(cp.path(), root.path(), &host)), vec![]);
}

#[test]
fn selinux_labels_are_notes_when_selinux_runs() {
    let root = tempfile::tempdir().unwrap();
    let cp = under_lsm("SELINUX", "system_u:system_r:container_t:s0:c1,c2");
    let host = |lsms: Option<&[&str]>, mode: Option<&str>| Fake {
        lsms: lsms.map(|l| l.iter().map(|x| x.to_string()).collect()),
        selinux: mode.map(str::to_string),
        ..Fake::default()
    };
    let r = report(cp.path(), root.path(), &host(Some(&["selinux"]), Some("enforcing")));
    assert_eq!(kernel(&r), vec![]);
    let n = notes(&r, Kind::Unchecked);
    assert_eq!(n.len(), 1);
    assert_eq!(
        serde_json::to_value(n[0]).unwrap(),
        serde_json::json!({
            "area": "kernel", "kind": "unchecked", "feature": "system_u:system_r:container_t:s0:c1,c2",
            "message": "SELinux label system_u:system_r:container_t:s0:c1,c2 of 3374 (mem): whether this host's policy (enforcing) defines type container_t cannot be told without asking the kernel",
            "fix": "check with seinfo -t container_t (setools), or give criu restore --lsm-profile selinux:LABEL"
        })
    );
    // SELinux built in but not enabled (no selinuxfs): a problem.
    let r = report(cp.path(), root.path(), &host(Some(&["selinux"]), None));
    assert_eq!(kernel(&r), vec![(Kind::Lsm, s("selinux"), None, None)]);
    assert_eq!(
        r.problems.iter().find(|p| p.kind == Kind::Lsm).unwrap().message,
        "the checkpoint was taken under selinux, which is not enabled here (no /sys/fs/selinux/enforce)"
    );
    // Not in the LSM list: a problem; nothing readable: a note.
    let r = report(cp.path(), root.path(), &host(Some(&["apparmor"]), None));
    assert_eq!(kernel(&r), vec![(Kind::Lsm, s("selinux"), s("selinux"), s("apparmor"))]);
    let r = report(cp.path(), root.path(), &host(None, None));
    assert_eq!(kernel(&r), vec![]);
    assert_eq!(
        notes(&r, Kind::Unchecked)[0].message,
        "the checkpoint was taken under selinux; whether it is enabled here could not be told"
    );
}

/// The real ProcHost on a made-up sysfs: the LSM list, AppArmor's profiles
/// and SELinux's mode are read from it.
#[test]
fn lsm_read_from_sysfs() {
    let root = tempfile::tempdir().unwrap();
    let sys = tempfile::tempdir().unwrap();
    let sec = sys.path().join("kernel/security");
    std::fs::create_dir_all(sec.join("apparmor")).unwrap();
    std::fs::write(sec.join("lsm"), b"lockdown,capability,landlock,apparmor\n").unwrap();
    std::fs::write(sec.join("apparmor/profiles"), b"docker-default (enforce)\n").unwrap();
    let host = ProcHost {
        sys: sys.path().to_path_buf(),
        ..ProcHost::default()
    };
    let cp = under_lsm("APPARMOR", "crit-test (enforce)");
    assert_eq!(
        kernel(&report(cp.path(), root.path(), &host)),
        vec![(Kind::LsmProfile, s("crit-test"), None, None)]
    );
    std::fs::write(
        sec.join("apparmor/profiles"),
        b"docker-default (enforce)\ncrit-test (complain)\n",
    )
    .unwrap();
    assert_eq!(kernel(&report(cp.path(), root.path(), &host)), vec![]);
    std::fs::write(sec.join("lsm"), b"lockdown,capability,selinux\n").unwrap();
    std::fs::create_dir_all(sys.path().join("fs/selinux")).unwrap();
    std::fs::write(sys.path().join("fs/selinux/enforce"), b"0").unwrap();
    let cp = under_lsm("SELINUX", "system_u:system_r:spc_t:s0");
    let r = report(cp.path(), root.path(), &host);
    assert_eq!(kernel(&r), vec![]);
    assert!(
        notes(&r, Kind::Unchecked)[0]
            .message
            .contains("policy (permissive) defines type spc_t"),
        "{:?}",
        r.notes
    );
}
