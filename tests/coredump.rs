//! `crit coredump` on real checkpoints of CRIU 4.2.1 (`tests/fixtures/corpus-4.2.1`),
//! with the exact binary and C library they ran (`tests/fixtures/sysroot-4.2.1`).
//! The core's structure is checked byte by byte here; gdb and readelf (Debian's,
//! installed by `.ci/deps`) check that it opens as a kernel core does.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::elfcore::{u16_at, u32_at, u64_at, Core, Ph};
use common::{crit_text, fixtures};
use crit::coredump::{Coredump, Options};
use crit::explore::Checkpoint;
use crit::mem::MemReader;

const MARKER: &str = "CRIT-SECRET-MARKER-0xC0FFEE";
const NT_PRSTATUS: u32 = 1;
const NT_FPREGSET: u32 = 2;
const NT_PRPSINFO: u32 = 3;
const NT_AUXV: u32 = 6;
const NT_X86_XSTATE: u32 = 0x202;
const NT_SIGINFO: u32 = 0x5349_4749;
const NT_FILE: u32 = 0x4649_4c45;

fn checkpoint(name: &str) -> PathBuf {
    fixtures().join("corpus-4.2.1").join(name)
}

fn sysroot() -> PathBuf {
    fixtures().join("sysroot-4.2.1")
}

fn binary() -> PathBuf {
    sysroot().join("usr/local/bin/cwork")
}

fn write_core(dir: &Path, pid: Option<u32>, files: bool) -> (Coredump, Core) {
    let opts = Options {
        files_root: files.then(sysroot),
        ..Options::default()
    };
    let core = Coredump::open(dir, pid, &opts).expect("prepare the core");
    let mut out = std::io::Cursor::new(Vec::new());
    let n = core.write(&mut out).expect("write the core");
    let data = out.into_inner();
    assert_eq!(n, data.len() as u64);
    assert_eq!(core.size(), n);
    let parsed = Core::parse(data, 62); // EM_X86_64
    (core, parsed)
}

/// The mappings a core must have segments for: all but `[vvar]` and guard ranges.
fn dumped_vmas(mem: &MemReader) -> Vec<crit::mem::Vma> {
    mem.vmas()
        .iter()
        .copied()
        .filter(|v| v.kind() != "vvar" && v.status != 1 << 16)
        .collect()
}

fn regs(dir: &Path, tid: u32) -> crit::proto::UserX86RegsEntry {
    Checkpoint::open(dir)
        .unwrap()
        .core(tid)
        .unwrap()
        .thread_info
        .unwrap()
        .gpregs
}

#[test]
fn mem_core_notes_are_the_kernels() {
    let dir = checkpoint("mem");
    let (_, core) = write_core(&dir, None, true);
    let kinds: Vec<(&str, u32)> = core.notes.iter().map(|n| (n.0.as_str(), n.1)).collect();
    assert_eq!(
        kinds,
        [
            ("CORE", NT_PRSTATUS),
            ("CORE", NT_PRPSINFO),
            ("CORE", NT_SIGINFO),
            ("CORE", NT_AUXV),
            ("CORE", NT_FILE),
            ("CORE", NT_FPREGSET),
            ("LINUX", NT_X86_XSTATE),
        ]
    );
    let mem = MemReader::open(&dir, None).unwrap();

    let st = core.notes_of(NT_PRSTATUS)[0];
    assert_eq!(st.len(), 336);
    assert_eq!(u32_at(st, 32), 3374, "pr_pid");
    assert_eq!(u32_at(st, 36), 0, "pr_ppid");
    assert_eq!(u32_at(st, 40), 3374, "pr_pgrp");
    let r = regs(&dir, 3374);
    assert_eq!(u64_at(st, 112 + 16 * 8), r.ip, "rip");
    assert_eq!(u64_at(st, 112 + 19 * 8), r.sp, "rsp");
    assert_eq!(u64_at(st, 112 + 15 * 8), r.orig_ax, "orig_rax");
    assert_eq!(u64_at(st, 112 + 21 * 8), r.fs_base, "fs_base");

    let ps = core.notes_of(NT_PRPSINFO)[0];
    assert_eq!(ps.len(), 136);
    assert_eq!(&ps[..2], &[1, b'S'], "a frozen task is sleeping");
    assert_eq!(&ps[40..44], b"mem\0");
    let args = &ps[56..];
    let args = &args[..args.iter().position(|&b| b == 0).unwrap()];
    assert_eq!(args, b"/usr/local/bin/cwork mem --token argv-marker-91c2");

    let auxv = core.notes_of(NT_AUXV)[0];
    let saved = &mem.mm().mm_saved_auxv;
    let words: Vec<u64> = auxv
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(&words[..saved.len()], saved.as_slice());
    assert_eq!(&words[saved.len()..], &[0, 0], "ends with AT_NULL");

    assert_eq!(
        core.notes_of(NT_SIGINFO)[0],
        &[0u8; 128][..],
        "no signal: a checkpoint is not a crash"
    );

    // Floating point: the saved FXSAVE words, and the XSAVE area of an AVX machine.
    let fp = &Checkpoint::open(&dir)
        .unwrap()
        .core(3374)
        .unwrap()
        .thread_info
        .unwrap()
        .fpregs;
    let fx = core.notes_of(NT_FPREGSET)[0];
    assert_eq!(fx.len(), 512);
    assert_eq!(u16_at(fx, 0) as u32, fp.cwd);
    assert_eq!(u32_at(fx, 24), fp.mxcsr);
    assert_eq!(u32_at(fx, 160), fp.xmm_space[0]);
    let xs = core.notes_of(NT_X86_XSTATE)[0];
    assert_eq!(xs.len(), 832);
    assert_eq!(&xs[..464], &fx[..464]);
    assert_eq!(u64_at(xs, 464), 0x7, "XCR0: x87, SSE, AVX");
    assert_eq!(u64_at(xs, 512), fp.xsave.as_ref().unwrap().xstate_bv);

    // NT_FILE: every file-backed mapping, in address order, with its path.
    let nf = core.notes_of(NT_FILE)[0];
    let files: Vec<_> = dumped_vmas(&mem)
        .into_iter()
        .filter(|v| v.kind() == "file-private")
        .collect();
    assert_eq!(u64_at(nf, 0), files.len() as u64);
    assert_eq!(u64_at(nf, 8), 4096);
    let names: Vec<&[u8]> = nf[16 + 24 * files.len()..].split(|&b| b == 0).collect();
    for (i, v) in files.iter().enumerate() {
        let at = 16 + 24 * i;
        assert_eq!(
            (u64_at(nf, at), u64_at(nf, at + 8), u64_at(nf, at + 16)),
            (v.start, v.end, v.pgoff / 4096)
        );
    }
    assert_eq!(names[0], b"/usr/local/bin/cwork");
    assert!(names.contains(&&b"/usr/lib/x86_64-linux-gnu/libc.so.6"[..]));
    assert!(names.contains(&&b"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"[..]));
}

#[test]
fn mem_core_has_one_segment_per_mapping_with_its_bytes() {
    let dir = checkpoint("mem");
    let (cd, core) = write_core(&dir, None, true);
    assert!(cd.left_out().is_empty(), "{:?}", cd.left_out());
    let mem = MemReader::open(&dir, None).unwrap();
    let vmas = dumped_vmas(&mem);
    let loads = core.loads();
    assert_eq!(loads.len(), vmas.len());
    assert_eq!(vmas.len(), mem.vmas().len() - 1, "only [vvar] is left out");
    for (p, v) in loads.iter().zip(&vmas) {
        assert_eq!((p.vaddr, p.memsz), (v.start, v.len()));
        let want =
            (if v.prot & 1 != 0 { 4 } else { 0 }) | (if v.prot & 2 != 0 { 2 } else { 0 }) | (v.prot & 4 != 0) as u32;
        assert_eq!(p.flags, want, "flags of {:#x}", v.start);
        let filesz = if v.kind() == "vsyscall" { 0 } else { v.len() };
        assert_eq!(p.filesz, filesz, "{:#x} {}", v.start, v.kind());
        assert_eq!(p.offset % 4096, 0);
    }
    // Held memory as the checkpoint has it: the heap markers, the vdso.
    let (out, _, ok) = crit_text(&["mem", dir.to_str().unwrap(), "search", MARKER, "--format", "json"]);
    assert!(ok);
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 3);
    for m in found.as_array().unwrap() {
        let addr = u64::from_str_radix(m["address"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        assert_eq!(core.bytes_at(addr, MARKER.len()).unwrap(), MARKER.as_bytes());
    }
    let vdso = vmas.iter().find(|v| v.kind() == "vdso").unwrap();
    assert_eq!(core.bytes_at(vdso.start, 4).unwrap(), b"\x7fELF");
    assert_eq!(
        core.bytes_at(vdso.start, 8192).unwrap(),
        mem.read(vdso.start, 8192).unwrap().data.as_slice()
    );
    // File pages the checkpoint does not hold come from the sysroot's files.
    let libc = std::fs::read(sysroot().join("usr/lib/x86_64-linux-gnu/libc.so.6")).unwrap();
    let text = vmas
        .iter()
        .find(|v| v.kind() == "file-private" && v.prot == 5 && v.pgoff > 0x10000)
        .unwrap();
    let at = text.pgoff as usize;
    assert_eq!(core.bytes_at(text.start, 4096).unwrap(), &libc[at..at + 4096]);
    let exe = std::fs::read(binary()).unwrap();
    assert_eq!(core.bytes_at(vmas[0].start, 4096).unwrap(), &exe[..4096]);
}

#[test]
fn without_files_unheld_file_pages_are_left_out() {
    let dir = checkpoint("mem");
    let (cd, core) = write_core(&dir, None, false);
    let mem = MemReader::open(&dir, None).unwrap();
    let held = mem.held_ranges();
    let is_held = |a: u64| held.iter().any(|r| r.contains(&a));
    // Segments tile each mapping exactly; a file page has bytes only when held.
    let loads = core.loads();
    let mut i = 0;
    for v in dumped_vmas(&mem) {
        let mut at = v.start;
        while at < v.end {
            let p = loads[i];
            assert_eq!(p.vaddr, at, "segment {i} starts where the last ended");
            if v.kind() == "file-private" {
                for page in (p.vaddr..p.vaddr + p.memsz).step_by(4096) {
                    assert_eq!(p.filesz > 0, is_held(page), "{page:#x}");
                }
            }
            at += p.memsz;
            i += 1;
        }
        assert_eq!(at, v.end);
    }
    assert_eq!(i, loads.len());
    // cwork's text: its first page is held (and written), its second is not.
    let text = mem
        .vmas()
        .iter()
        .find(|v| v.kind() == "file-private" && v.prot == 5)
        .unwrap();
    assert!(core.bytes_at(text.start, 4096).is_some());
    assert!(core.bytes_at(text.start + 4096, 1).is_none());
    assert!(!cd.left_out().is_empty());
    assert!(cd.left_out().iter().all(|l| l.reason.contains("no --files")));
    assert!(cd
        .left_out()
        .iter()
        .any(|l| l.path == "/usr/lib/x86_64-linux-gnu/libc.so.6"));
}

#[test]
fn threads_core_has_every_thread_and_no_guard_ranges() {
    let dir = checkpoint("threads");
    let (cd, core) = write_core(&dir, None, true);
    assert_eq!(cd.threads(), 4);
    let kinds: Vec<u32> = core.notes.iter().map(|n| n.1).collect();
    let thread = [NT_PRSTATUS, NT_FPREGSET, NT_X86_XSTATE];
    let mut want = vec![
        NT_PRSTATUS,
        NT_PRPSINFO,
        NT_SIGINFO,
        NT_AUXV,
        NT_FILE,
        NT_FPREGSET,
        NT_X86_XSTATE,
    ];
    for _ in 0..3 {
        want.extend(thread);
    }
    assert_eq!(kinds, want);
    let tids: Vec<u32> = core.notes_of(NT_PRSTATUS).iter().map(|s| u32_at(s, 32)).collect();
    assert_eq!(tids, [3357, 3358, 3359, 3360]);
    for s in core.notes_of(NT_PRSTATUS) {
        let r = regs(&dir, u32_at(s, 32));
        assert_eq!((u64_at(s, 112 + 16 * 8), u64_at(s, 112 + 19 * 8)), (r.ip, r.sp));
    }
    let mem = MemReader::open(&dir, None).unwrap();
    // vmas() leaves the guard ranges out (they lie inside the stacks' mappings).
    let guards = mem.pageless_areas().iter().filter(|v| v.status == 1 << 16).count();
    assert_eq!(guards, 3, "one guard range per thread stack");
    assert!(mem.vmas().iter().all(|v| v.status != 1 << 16));
    assert_eq!(core.loads().len(), mem.vmas().len() - 1, "every mapping but [vvar]");
    assert!(core
        .loads()
        .iter()
        .all(|p| p.flags != 0 || p.vaddr >= 0xffff_ffff_ff60_0000));
}

#[test]
fn a_thread_id_picks_its_process() {
    let (cd, _) = write_core(&checkpoint("threads"), Some(3359), false);
    assert_eq!(cd.pid(), 3357);
}

#[test]
fn cli_default_name_out_dir_and_safe_output() {
    let t = tempfile::tempdir().unwrap();
    let dir = checkpoint("mem");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_crit"))
            .current_dir(t.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["coredump", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "./core.3374: pid 3374 (mem), 1 thread, 24 segments, 2.4M\n"
    );
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("--files ROOT reads them"));
    let data = std::fs::read(t.path().join("core.3374")).unwrap();
    assert_eq!(data.len(), 2514944);
    // A new core is private, as the kernel writes one: it holds the process's secrets.
    let mode = std::fs::metadata(t.path().join("core.3374"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o600);
    Core::parse(data, 62);

    // -o follows the output rules of the other commands (src/cli/output.rs):
    // never replaces what is not a regular file, leaves no temporary file...
    std::os::unix::fs::symlink("/dev/null", t.path().join("null")).unwrap();
    for target in ["null", "/dev/stdout"] {
        let out = run(&["coredump", dir.to_str().unwrap(), "-o", target]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("crit: {target}: not a regular file: this output is written by seeking (it has holes)\n")
        );
        assert!(out.stdout.is_empty());
    }
    std::fs::create_dir(t.path().join("sub")).unwrap();
    let out = run(&["coredump", dir.to_str().unwrap(), "-o", "sub"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "crit: sub: is a directory\n");
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["core.3374", "null", "sub"]);

    // ...follows a symlink to the regular file it names, replaced whole with
    // its mode kept, the link left as it was.
    std::fs::write(t.path().join("target"), b"keep").unwrap();
    std::fs::set_permissions(t.path().join("target"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("target", t.path().join("link")).unwrap();
    let out = run(&[
        "coredump",
        dir.to_str().unwrap(),
        "-o",
        "link",
        "--files",
        sysroot().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta = std::fs::metadata(t.path().join("target")).unwrap();
    assert_eq!(meta.len(), 4726784);
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    assert!(std::fs::symlink_metadata(t.path().join("link"))
        .unwrap()
        .file_type()
        .is_symlink());

    // ...and never writes over the checkpoint it reads.
    let archive = t.path().join("sleep.tar");
    std::fs::copy(fixtures().join("archives/crit-sleep.tar"), &archive).unwrap();
    let before = std::fs::read(&archive).unwrap();
    let out = run(&["coredump", archive.to_str().unwrap(), "-o", archive.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("refusing to overwrite the input file"));
    assert_eq!(std::fs::read(&archive).unwrap(), before);

    // Usage errors: -o with --all, --pid with --all.
    assert_eq!(
        run(&["coredump", dir.to_str().unwrap(), "--all", "-o", "x"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["coredump", dir.to_str().unwrap(), "--all", "--pid", "1"])
            .status
            .code(),
        Some(2)
    );
    let out = run(&["coredump", dir.to_str().unwrap(), "--files", "nowhere"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn zombies_are_skipped_and_named() {
    let t = tempfile::tempdir().unwrap();
    let tree = fixtures().join("corpus/tree");
    let outdir = t.path().to_str().unwrap();
    let (out, err, ok) = crit_text(&["coredump", tree.to_str().unwrap(), "--all", "--out-dir", outdir]);
    assert!(ok, "{err}");
    assert!(
        err.contains("crit: note: skipping task 20887: a zombie has no memory"),
        "{err}"
    );
    assert_eq!(out.lines().count(), 4);
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["core.20884", "core.20885", "core.20886", "core.20888"]);
    let (_, err, ok) = crit_text(&[
        "coredump",
        tree.to_str().unwrap(),
        "--pid",
        "20887",
        "--out-dir",
        outdir,
    ]);
    assert!(!ok);
    assert!(
        err.contains("task 20887 is a zombie: it has no memory to dump"),
        "{err}"
    );
}

#[test]
fn other_architectures_are_refused_by_name() {
    // An x86_64 core relabelled: as ppc64 it is refused by name; as aarch64
    // it lacks the aarch64 registers, and says so.
    for (mtype, want) in [
        (
            "PPC64",
            "crit: core-3374.img: the task's architecture is PPC64; crit coredump writes x86_64 and aarch64 cores only\n",
        ),
        ("AARCH64", "crit: core-3374.img: an AARCH64 core entry without ti_aarch64\n"),
    ] {
        let t = common::scratch_copy(&checkpoint("mem"));
        let core = t.path().join("core-3374.img");
        let (json, _, ok) = crit_text(&["decode", "-i", core.to_str().unwrap()]);
        assert!(ok);
        let json = json.replacen("\"mtype\": \"X86_64\"", &format!("\"mtype\": \"{mtype}\""), 1);
        std::fs::remove_file(&core).unwrap();
        let out = common::crit_stdin(&["encode", "-o", core.to_str().unwrap()], json.as_bytes());
        assert!(out.status.success());
        let (_, err, ok) = crit_text(&[
            "coredump",
            t.path().to_str().unwrap(),
            "-o",
            t.path().join("c").to_str().unwrap(),
        ]);
        assert!(!ok);
        assert_eq!(err, want);
        assert!(!t.path().join("c").exists());
    }
}

/// Writes the core of checkpoint `name` with the CLI, `--files` at the sysroot.
fn cli_core(name: &str, t: &Path) -> PathBuf {
    let out = t.join(format!("{name}.core"));
    let (_, err, ok) = crit_text(&[
        "coredump",
        checkpoint(name).to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--files",
        sysroot().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    out
}

fn gdb(core: &Path, commands: &[&str]) -> String {
    let mut cmd = Command::new("gdb");
    cmd.args(["-nx", "-batch", "-ex", &format!("set sysroot {}", sysroot().display())]);
    for c in commands {
        cmd.args(["-ex", c]);
    }
    let out = cmd.arg(binary()).arg(core).output().expect("run gdb");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs gdb (Debian package gdb; bash .ci/deps installs it)"]
fn gdb_opens_the_mem_core() {
    common::need("gdb", "gdb");
    let t = tempfile::tempdir().unwrap();
    let core = cli_core("mem", t.path());
    let (out, _, _) = crit_text(&[
        "mem",
        checkpoint("mem").to_str().unwrap(),
        "search",
        MARKER,
        "--format",
        "json",
    ]);
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let marker = found[0]["address"].as_str().unwrap().to_string();
    let text = gdb(&core, &["echo ==bt==\\n", "bt", &format!("x/s {marker}"), "info auxv"]);
    let bt: Vec<&str> = text
        .split("==bt==\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect();
    let at = |f: &str| {
        bt.iter()
            .position(|l| l.contains(&format!(" {f} ()")))
            .unwrap_or_else(|| panic!("{f} in {bt:#?}"))
    };
    assert!(at("pause") < at("park") && at("park") < at("main"), "{bt:#?}");
    assert!(bt[at("pause")].contains("libc.so.6"), "{bt:#?}");
    assert!(bt.last().unwrap().contains(" main ()"), "{bt:#?}");
    assert!(text.contains(&format!("{marker}:\t\"{MARKER}")), "{text}");

    // AT_ENTRY: the binary's entry point plus where it was loaded.
    let exe = std::fs::read(binary()).unwrap();
    let mem = MemReader::open(checkpoint("mem"), None).unwrap();
    let base = mem.vmas().iter().find(|v| v.kind() == "file-private").unwrap().start;
    let entry = format!("{:#x}", u64_at(&exe, 24) + base);
    let line = text
        .lines()
        .find(|l| l.contains("AT_ENTRY"))
        .expect("AT_ENTRY in info auxv");
    assert!(line.ends_with(&entry), "{line} (want {entry})");
}

#[test]
#[ignore = "needs gdb (Debian package gdb; bash .ci/deps installs it)"]
fn gdb_sees_every_thread() {
    common::need("gdb", "gdb");
    let t = tempfile::tempdir().unwrap();
    let core = cli_core("threads", t.path());
    let text = gdb(&core, &["info threads", "thread apply all info registers rip rsp"]);
    for (n, tid) in [3357u32, 3358, 3359, 3360].iter().enumerate() {
        let r = regs(&checkpoint("threads"), *tid);
        assert!(
            text.lines()
                .any(|l| l.contains(&format!(" {}    LWP {tid} ", n + 1)) && l.contains(&format!("{:#018x}", r.ip))),
            "thread {} LWP {tid} at {:#x}:\n{text}",
            n + 1,
            r.ip
        );
        let block = text.split(&format!("(LWP {tid}):\n")).nth(1).unwrap();
        assert!(block.starts_with(&format!("rip            {:#x}", r.ip)), "{block}");
        assert!(block.contains(&format!("rsp            {:#x}", r.sp)), "{block}");
    }
}

#[test]
#[ignore = "needs readelf (Debian package binutils; bash .ci/deps installs it)"]
fn readelf_shows_every_note_and_segment() {
    common::need("readelf", "binutils");
    let t = tempfile::tempdir().unwrap();
    for (name, threads) in [("mem", 1), ("threads", 4)] {
        let core = cli_core(name, t.path());
        let out = Command::new("readelf").arg("-nlW").arg(&core).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let count = |s: &str| text.lines().filter(|l| l.contains(s)).count();
        assert_eq!(count("NT_PRSTATUS"), threads, "{text}");
        assert_eq!(count("NT_FPREGSET"), threads);
        assert_eq!(count("NT_X86_XSTATE"), threads);
        for one in ["NT_PRPSINFO", "NT_SIGINFO", "NT_AUXV", "NT_FILE"] {
            assert_eq!(count(one), 1, "{one}");
        }
        let mem = MemReader::open(checkpoint(name), None).unwrap();
        let loads = text.lines().filter(|l| l.trim_start().starts_with("LOAD")).count();
        assert_eq!(loads, dumped_vmas(&mem).len(), "{text}");
        assert!(text.contains("Elf file type is CORE (Core file)"));
    }
}

#[test]
fn corrupt_mappings_fail_cleanly() {
    let src = checkpoint("mem");
    let (json, _, ok) = crit_text(&["decode", "-i", src.join("mm-3374.img").to_str().unwrap()]);
    assert!(ok);
    let base: serde_json::Value = serde_json::from_str(&json).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 4] = [
        ("reversed", |v| {
            v["start"] = 0x9000u64.into();
            v["end"] = 0x1000u64.into();
        }),
        ("to the end of the address space", |v| {
            v["start"] = (u64::MAX - 0xfff).into();
            v["end"] = u64::MAX.into();
        }),
        ("a file id files.img lacks", |v| {
            v["shmid"] = 999u64.into();
        }),
        ("past the end of its file", |v| {
            v["pgoff"] = (1u64 << 40).into();
        }),
    ];
    for (what, edit) in edits {
        let t = common::scratch_copy(&src);
        let mut mm = base.clone();
        edit(&mut mm["entries"][0]["vmas"][0]);
        let path = t.path().join("mm-3374.img");
        std::fs::remove_file(&path).unwrap();
        let out = common::crit_stdin(&["encode", "-o", path.to_str().unwrap()], mm.to_string().as_bytes());
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        let core = t.path().join("core");
        let (_, err, ok) = crit_text(&[
            "coredump",
            t.path().to_str().unwrap(),
            "-o",
            core.to_str().unwrap(),
            "--files",
            sysroot().to_str().unwrap(),
        ]);
        assert!(!err.contains("panicked"), "{what}: {err}");
        if ok {
            Core::parse(std::fs::read(&core).unwrap(), 62);
        } else {
            assert_eq!(err.lines().count(), 1, "{what}: {err}");
            assert!(err.starts_with("crit: "), "{what}: {err}");
            assert!(!core.exists());
        }
        if what.starts_with("a file id") {
            assert!(!ok && err.contains("files.img: no file entry with id 999"), "{err}");
        }
    }
}

#[test]
fn shared_memory_missing_pages_are_zeros_not_left_out() {
    // The 4.1.1 `files` checkpoint maps a memfd (3 pages, 1 held) and a file MAP_SHARED.
    let dir = fixtures().join("corpus/files");
    let (cd, core) = write_core(&dir, None, false);
    let mem = MemReader::open(&dir, None).unwrap();
    let memfd = mem.vmas().iter().find(|v| v.kind() == "memfd").unwrap();
    let seg: Vec<Ph> = core.loads().into_iter().filter(|p| memfd.contains(p.vaddr)).collect();
    assert_eq!(seg.len(), 1);
    assert_eq!(
        (seg[0].vaddr, seg[0].filesz, seg[0].memsz),
        (memfd.start, memfd.len(), memfd.len())
    );
    let held = mem.read(memfd.start, memfd.len() as usize).unwrap();
    assert_eq!(
        core.bytes_at(memfd.start, memfd.len() as usize).unwrap(),
        held.data.as_slice()
    );
    assert!(cd.left_out().iter().all(|l| !memfd.contains(l.range.start)));
    // The shared file mapping's pages are in the file, not the checkpoint: left out.
    let shared = mem.vmas().iter().find(|v| v.kind() == "file").unwrap();
    assert!(cd.left_out().iter().any(|l| l.range == (shared.start..shared.end)));
    // NT_FILE lists both.
    let nf = core.notes_of(NT_FILE)[0];
    let starts: Vec<u64> = (0..u64_at(nf, 0) as usize).map(|i| u64_at(nf, 16 + 24 * i)).collect();
    assert!(starts.contains(&memfd.start) && starts.contains(&shared.start));
}
