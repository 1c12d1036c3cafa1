//! `crit coredump` on arm64 checkpoints: the x86_64 fixtures `corpus/mem`
//! and `corpus/threads` rendered as aarch64 ones in 4, 16 and 64 KiB pages
//! by `common::paged` (registers from `paged::reg`, markers at known
//! addresses). The core is checked field by field with our own parser, and
//! gdb-multiarch (Debian's; `.ci/deps` installs it) must read its registers,
//! threads and memory as written.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::elfcore::{u32_at, u64_at, Core};
use common::paged::{self, reg, Arch, Rendered};
use common::{corpus, crit_text};
use crit::coredump::{Coredump, Options};
use crit::mem::MemReader;
use crit::proto::CoreEntry;

const EM_AARCH64: u16 = 183;
const NT_PRSTATUS: u32 = 1;
const NT_FPREGSET: u32 = 2;
const NT_PRPSINFO: u32 = 3;
const NT_AUXV: u32 = 6;
const NT_ARM_TLS: u32 = 0x401;
const NT_SIGINFO: u32 = 0x5349_4749;
const NT_FILE: u32 = 0x4649_4c45;
/// `pstate` of every rendered thread (N and Z set).
const PSTATE: u64 = 0x6000_0000;
/// `fpsr` of every rendered thread (IXC).
const FPSR: u64 = 0x10;

fn render(name: &str, page_size: u64) -> (tempfile::TempDir, Rendered) {
    let dir = tempfile::tempdir().unwrap();
    let r = paged::render(&corpus(name), dir.path(), Arch::Aarch64, page_size);
    (dir, r)
}

/// The core of the checkpoint in `dir`, through the library. No mapped
/// file's header page is read from this machine: the core is the same
/// wherever the test runs.
fn core_of(dir: &Path) -> Core {
    let empty = tempfile::tempdir().unwrap();
    core_with_headers(dir, empty.path())
}

/// The core of the checkpoint in `dir`, the header pages of mapped files
/// read under `root`.
fn core_with_headers(dir: &Path, root: &Path) -> Core {
    let opts = Options {
        headers_root: Some(root.to_path_buf()),
        ..Options::default()
    };
    let cd = Coredump::open(dir, None, &opts).expect("prepare the core");
    let mut out = std::io::Cursor::new(Vec::new());
    let n = cd.write(&mut out).expect("write the core");
    assert_eq!(n, cd.size());
    Core::parse(out.into_inner(), EM_AARCH64)
}

/// The program counter given to thread `tid` of the `threads` rendering
/// (the main thread keeps `reg(32)`), so that each thread's registers are
/// told apart.
fn thread_pc(tid: u32) -> u64 {
    0x0000_ffff_8000_0000 | u64::from(tid) << 4
}

/// Gives every thread but the main one its own pc and x0 (its tid).
fn distinct_threads(dir: &Path, tids: &[u32]) {
    for &tid in &tids[1..] {
        let path = dir.join(format!("core-{tid}.img"));
        let mut core: CoreEntry = crit::image::read_first(&path).unwrap();
        let ti = core.ti_aarch64.as_mut().unwrap();
        ti.gpregs.pc = thread_pc(tid);
        ti.gpregs.regs[0] = u64::from(tid);
        paged::rewrite(&path, &[prost::Message::encode_to_vec(&core)]);
    }
}

/// `user_pt_regs` of a rendered thread: x0..x30, sp, pc, pstate.
fn want_gpregs(x0: u64, pc: u64) -> Vec<u64> {
    let mut r: Vec<u64> = (0..=31).map(reg).collect();
    r[0] = x0;
    r.extend([pc, PSTATE]);
    r
}

/// Checks one thread's `NT_PRSTATUS`, `NT_FPREGSET` and `NT_ARM_TLS`.
fn check_thread(st: &[u8], fp: &[u8], tls: &[u8], tid: u32, main: u32, regs: &[u64]) {
    assert_eq!(st.len(), 392, "sizeof(struct elf_prstatus) on arm64");
    assert_eq!(&st[..16], &[0; 16], "no signal: pr_info and pr_cursig");
    assert_eq!(
        (u32_at(st, 32), u32_at(st, 36), u32_at(st, 40), u32_at(st, 44)),
        (tid, 0, main, main),
        "pr_pid, pr_ppid, pr_pgrp, pr_sid"
    );
    assert_eq!(&st[48..112], &[0; 64], "no CPU times in a checkpoint");
    let got: Vec<u64> = (0..34).map(|i| u64_at(st, 112 + 8 * i)).collect();
    assert_eq!(got, regs, "pr_reg of {tid}");
    assert_eq!(u32_at(st, 384), 1, "pr_fpvalid");
    assert_eq!(&st[388..], &[0; 4]);

    assert_eq!(fp.len(), 528, "sizeof(struct user_fpsimd_state)");
    for v in 0..32 {
        let q = u128::from_le_bytes(fp[16 * v..16 * v + 16].try_into().unwrap());
        let want = u128::from(reg(101 + 2 * v as u64)) << 64 | u128::from(reg(100 + 2 * v as u64));
        assert_eq!(q, want, "v{v} of {tid}");
    }
    assert_eq!(u32_at(fp, 512), FPSR as u32, "fpsr");
    assert_eq!(u32_at(fp, 516), 0, "fpcr");
    assert_eq!(&fp[520..], &[0; 8], "__reserved");

    assert_eq!(tls, reg(99).to_le_bytes(), "tpidr_el0 of {tid}");
}

#[test]
fn the_elf_header_program_headers_and_notes_are_the_kernels() {
    for page_size in [0x1000u64, 0x4000, 0x10000] {
        let (dir, r) = render("mem", page_size);
        let core = core_of(dir.path());
        let d = &core.data;
        let phnum = core.phdrs.len() as u64;

        // The ELF header, field by field.
        assert_eq!(
            &d[..16],
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
            "ELFCLASS64, LSB, SYSV"
        );
        let h16 = |at: usize| u16::from_le_bytes([d[at], d[at + 1]]);
        assert_eq!(
            (h16(16), h16(18), u32_at(d, 20)),
            (4, EM_AARCH64, 1),
            "ET_CORE, EM_AARCH64"
        );
        assert_eq!(
            (u64_at(d, 24), u64_at(d, 32), u64_at(d, 40)),
            (0, 64, 0),
            "entry, phoff, shoff"
        );
        assert_eq!(u32_at(d, 48), 0, "e_flags");
        assert_eq!((h16(52), h16(54), h16(56)), (64, 56, phnum as u16));
        assert_eq!((h16(58), h16(60), h16(62)), (0, 0, 0), "no sections");

        // PT_NOTE, then one PT_LOAD per mapping but [vvar] (the one not
        // wholly held and file-backed splits in two), in the page size.
        let note = core.phdrs[0];
        assert_eq!(
            (note.flags, note.offset, note.vaddr, note.memsz, note.align),
            (0, 64 + 56 * phnum, 0, 0, 4)
        );
        let loads = core.loads();
        assert_eq!(loads.len(), 24);
        assert_eq!(phnum, 25);
        let mem = MemReader::open(dir.path(), None).unwrap();
        assert_eq!(mem.page_size(), page_size);
        let vmas: Vec<_> = mem.vmas().iter().filter(|v| v.kind() != "vvar").copied().collect();
        assert_eq!(vmas.len(), 23);
        let mut offset = page_size; // the notes end before the first page
        let mut at = 0;
        for v in &vmas {
            let mut start = v.start;
            while start < v.end {
                let p = loads[at];
                at += 1;
                assert_eq!(
                    (p.vaddr, p.paddr, p.offset, p.align),
                    (start, 0, offset, page_size),
                    "{p:x?}"
                );
                assert_eq!(p.vaddr % page_size, 0);
                assert_eq!(p.memsz % page_size, 0);
                let flags = (v.prot & 1) << 2 | (v.prot & 2) | (v.prot & 4) >> 2;
                assert_eq!(p.flags, flags, "{p:x?}");
                if p.filesz > 0 {
                    assert_eq!(p.filesz, p.memsz);
                    let want = mem.read(p.vaddr, p.filesz as usize).unwrap().data;
                    assert!(core.bytes_at(p.vaddr, p.filesz as usize).unwrap() == want, "{p:x?}");
                }
                offset += p.filesz;
                start += p.memsz;
            }
            assert_eq!(start, v.end, "{v:x?}");
        }
        assert_eq!(at, loads.len());
        assert_eq!(offset, d.len() as u64);
        let split = loads.iter().position(|p| p.vaddr == 0x7f63_88ff_0000).unwrap();
        assert_eq!((loads[split].filesz, loads[split].memsz), (0, 0x50000));
        assert_eq!(
            (loads[split + 1].vaddr, loads[split + 1].filesz),
            (0x7f63_8904_0000, 0x10000)
        );
        for m in &r.markers {
            assert_eq!(core.bytes_at(m.addr, m.bytes.len()).unwrap(), m.bytes, "{:#x}", m.addr);
        }

        // The notes, in the kernel's order and sizes.
        let kinds: Vec<_> = core.notes.iter().map(|n| (n.0.as_str(), n.1, n.2.len())).collect();
        let auxv_len = core.notes_of(NT_AUXV)[0].len();
        let file_len = core.notes_of(NT_FILE)[0].len();
        assert_eq!(
            kinds,
            [
                ("CORE", NT_PRSTATUS, 392),
                ("CORE", NT_PRPSINFO, 136),
                ("CORE", NT_SIGINFO, 128),
                ("CORE", NT_AUXV, auxv_len),
                ("CORE", NT_FILE, file_len),
                ("CORE", NT_FPREGSET, 528),
                ("LINUX", NT_ARM_TLS, 8),
            ]
        );
        let [st, fp, tls] = [NT_PRSTATUS, NT_FPREGSET, NT_ARM_TLS].map(|t| core.notes_of(t)[0]);
        check_thread(st, fp, tls, 20931, 20931, &want_gpregs(reg(0), reg(32)));

        let ps = core.notes_of(NT_PRPSINFO)[0];
        assert_eq!(&ps[..4], &[1, b'S', 0, 0], "a frozen task is sleeping");
        assert_eq!(
            (u32_at(ps, 24), u32_at(ps, 28), u32_at(ps, 32), u32_at(ps, 36)),
            (20931, 0, 20931, 20931)
        );
        assert_eq!(&ps[40..56], b"mem\0\0\0\0\0\0\0\0\0\0\0\0\0");
        let args = b"/usr/local/bin/cwork mem --token argv-marker-91c2";
        assert_eq!(&ps[56..56 + args.len()], args);
        assert!(ps[56 + args.len()..].iter().all(|&b| b == 0));
        assert_eq!(core.notes_of(NT_SIGINFO)[0], &[0; 128][..]);

        // The saved auxv, AT_PAGESZ the page size; then AT_NULL.
        let words: Vec<u64> = core.notes_of(NT_AUXV)[0]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(words.len(), 46);
        assert_eq!(&words[..44], mem.mm().mm_saved_auxv.as_slice());
        assert_eq!(&words[..4], &[33, 0x7f63_8901_6000, 51, 3376], "as saved");
        assert_eq!(&words[6..8], &[6, page_size], "AT_PAGESZ");
        assert_eq!(&words[44..], &[0, 0], "AT_NULL");

        // NT_FILE: the file mappings, offsets in pages of the page size.
        let nf = core.notes_of(NT_FILE)[0];
        let files: Vec<_> = vmas.iter().filter(|v| v.kind() == "file-private").collect();
        assert_eq!(files.len(), 15);
        assert_eq!((u64_at(nf, 0), u64_at(nf, 8)), (15, page_size));
        for (i, v) in files.iter().enumerate() {
            let at = 16 + 24 * i;
            let want = (v.start, v.end, v.pgoff / page_size);
            assert_eq!((u64_at(nf, at), u64_at(nf, at + 8), u64_at(nf, at + 16)), want);
        }
        let names: Vec<&[u8]> = nf[16 + 24 * 15..].split(|&b| b == 0).collect();
        assert_eq!(names.len(), 16, "15 names, each NUL-terminated");
        assert_eq!(names[0], b"/usr/local/bin/cwork");
        assert_eq!(names[5], b"/usr/lib/x86_64-linux-gnu/libc.so.6");
        assert_eq!(names[10], b"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
    }
}

#[test]
fn four_and_sixty_four_kib_cores_hold_the_same_memory() {
    let (a, _) = render("mem", 0x1000);
    let (b, _) = render("mem", 0x10000);
    let (ca, cb) = (core_of(a.path()), core_of(b.path()));
    let (la, lb) = (ca.loads(), cb.loads());
    assert_eq!(la.len(), lb.len());
    for (p, q) in la.iter().zip(&lb) {
        assert_eq!(
            (p.vaddr, p.memsz, p.filesz, p.flags),
            (q.vaddr, q.memsz, q.filesz, q.flags)
        );
        assert_eq!((p.align, q.align), (0x1000, 0x10000));
        let (x, y) = (
            ca.bytes_at(p.vaddr, p.filesz as usize),
            cb.bytes_at(q.vaddr, q.filesz as usize),
        );
        assert!(x == y, "{:#x}", p.vaddr);
    }
    for t in [NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_FPREGSET, NT_ARM_TLS] {
        assert_eq!(ca.notes_of(t), cb.notes_of(t), "note {t:#x}");
    }
}

#[test]
fn the_header_page_of_a_mapped_file_is_a_page_of_the_checkpoints_size() {
    // corpus-4.2.1/mem, whose libc is in the sysroot: its first mapping
    // (offset 0, read-only, not in the checkpoint) gets the file's first page.
    let sysroot = common::fixtures().join("sysroot-4.2.1");
    let libc = std::fs::read(sysroot.join("usr/lib/x86_64-linux-gnu/libc.so.6")).unwrap();
    for page_size in [0x1000u64, 0x10000] {
        let dir = tempfile::tempdir().unwrap();
        paged::render(
            &common::fixtures().join("corpus-4.2.1/mem"),
            dir.path(),
            Arch::Aarch64,
            page_size,
        );
        let core = core_with_headers(dir.path(), &sysroot);
        let loads = core.loads();
        let at = loads.iter().position(|p| p.vaddr == 0x7f1a_8635_0000).unwrap();
        let (head, rest) = (loads[at], loads[at + 1]);
        assert_eq!((head.filesz, head.memsz), (page_size, page_size), "{head:x?}");
        assert_eq!(
            (rest.vaddr, rest.filesz, rest.memsz),
            (head.vaddr + page_size, 0, 0x30000 - page_size)
        );
        let bytes = core.bytes_at(head.vaddr, page_size as usize).unwrap();
        assert!(
            bytes == &libc[..page_size as usize],
            "libc's first {page_size:#x} bytes"
        );
    }
}

#[test]
fn every_thread_has_its_registers() {
    let tids = [20914u32, 20915, 20916, 20917];
    let (dir, _) = render("threads", 0x10000);
    distinct_threads(dir.path(), &tids);
    let core = core_of(dir.path());
    let kinds: Vec<u32> = core.notes.iter().map(|n| n.1).collect();
    let thread = [NT_PRSTATUS, NT_FPREGSET, NT_ARM_TLS];
    let mut want = vec![
        NT_PRSTATUS,
        NT_PRPSINFO,
        NT_SIGINFO,
        NT_AUXV,
        NT_FILE,
        NT_FPREGSET,
        NT_ARM_TLS,
    ];
    for _ in 1..tids.len() {
        want.extend(thread);
    }
    assert_eq!(kinds, want, "the main thread first, each thread's notes together");
    let [st, fp, tls] = thread.map(|t| core.notes_of(t));
    for (i, &tid) in tids.iter().enumerate() {
        let regs = if i == 0 {
            want_gpregs(reg(0), reg(32))
        } else {
            want_gpregs(u64::from(tid), thread_pc(tid))
        };
        check_thread(st[i], fp[i], tls[i], tid, tids[0], &regs);
    }
}

/// Runs gdb-multiarch on `core` alone (no executable) with `commands`
/// after `set architecture aarch64`; fails when it is not installed.
fn gdb_multiarch(core: &Path, commands: &[&str]) -> String {
    let mut cmd = Command::new("gdb-multiarch");
    cmd.args(["-nx", "-batch", "-iex", "set debuginfod enabled off"]);
    cmd.args(["-ex", "set architecture aarch64"]);
    for c in commands {
        cmd.args(["-ex", c]);
    }
    let out = match cmd.arg("-c").arg(core).output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "gdb-multiarch is not installed: this test needs it (Debian package gdb-multiarch; bash .ci/deps installs it)"
        ),
        other => other.expect("run gdb-multiarch"),
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes the core of the checkpoint in `dir` with the CLI.
fn cli_core(dir: &Path) -> std::path::PathBuf {
    let core = dir.join("arm64.core");
    let (_, err, ok) = crit_text(&["coredump", dir.to_str().unwrap(), "-o", core.to_str().unwrap()]);
    assert!(ok, "{err}");
    core
}

/// The value gdb's `info registers` shows for `name` (its hex column).
fn register(text: &str, name: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("{name} in:\n{text}"));
    let hex = line.split_whitespace().nth(1).unwrap();
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
}

#[test]
#[ignore = "needs gdb-multiarch (Debian package gdb-multiarch; bash .ci/deps installs it)"]
fn gdb_multiarch_reads_the_registers_and_memory() {
    common::need("gdb-multiarch", "gdb-multiarch");
    for page_size in [0x1000u64, 0x10000] {
        let (dir, r) = render("mem", page_size);
        let core = cli_core(dir.path());
        let mut commands = vec![
            "info registers".to_string(),
            "info threads".to_string(),
            "p/x $v1.q.u".to_string(),
        ];
        commands.extend(r.markers.iter().map(|m| format!("x/2gx {:#x}", m.addr)));
        let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
        let text = gdb_multiarch(&core, &commands);
        for i in 0..31 {
            assert_eq!(register(&text, &format!("x{i}")), reg(i), "x{i}:\n{text}");
        }
        assert_eq!(register(&text, "sp"), reg(31), "{text}");
        assert_eq!(register(&text, "pc"), reg(32), "{text}");
        assert_eq!(register(&text, "cpsr"), PSTATE, "{text}");
        assert_eq!(register(&text, "fpsr"), FPSR, "{text}");
        assert_eq!(register(&text, "fpcr"), 0, "{text}");
        assert_eq!(register(&text, "tpidr"), reg(99), "{text}");
        assert!(
            text.contains(&format!("= {{{:#x}{:016x}}}\n", reg(103), reg(102))),
            "v1:\n{text}"
        );
        let threads: Vec<&str> = text
            .lines()
            .filter(|l| l.contains(" LWP ") && !l.starts_with("[New"))
            .collect();
        assert_eq!(threads.len(), 1, "{text}");
        assert!(threads[0].starts_with("* 1    LWP 20931 "), "{text}");
        assert_eq!(r.markers.len(), 3);
        for m in &r.markers {
            assert_eq!(m.bytes.len(), 16);
            let line = format!(
                "{:#x}:\t{:#018x}\t{:#018x}\n",
                m.addr,
                u64_at(&m.bytes, 0),
                u64_at(&m.bytes, 8)
            );
            assert!(text.contains(&line), "{line} in:\n{text}");
        }
    }
}

#[test]
#[ignore = "needs gdb-multiarch (Debian package gdb-multiarch; bash .ci/deps installs it)"]
fn gdb_multiarch_sees_every_thread() {
    common::need("gdb-multiarch", "gdb-multiarch");
    let tids = [20914u32, 20915, 20916, 20917];
    let (dir, _) = render("threads", 0x10000);
    distinct_threads(dir.path(), &tids);
    let core = cli_core(dir.path());
    let text = gdb_multiarch(&core, &["info threads", "thread apply all info registers x0 pc"]);
    let threads: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" LWP ") && !l.starts_with("[New"))
        .collect();
    assert_eq!(threads.len(), tids.len(), "{text}");
    for (n, &tid) in tids.iter().enumerate() {
        let (x0, pc) = if n == 0 {
            (reg(0), reg(32))
        } else {
            (u64::from(tid), thread_pc(tid))
        };
        let mark = if n == 0 { '*' } else { ' ' };
        assert!(
            threads[n].starts_with(&format!("{mark} {}    LWP {tid} ", n + 1))
                && threads[n].contains(&format!(" {pc:#018x} in ")),
            "thread {} LWP {tid} at {pc:#x}:\n{text}",
            n + 1
        );
        let block = text.split(&format!("(LWP {tid}):\n")).nth(1).unwrap();
        assert_eq!(register(block, "x0"), x0, "{block}");
        assert_eq!(register(block, "pc"), pc, "{block}");
    }
}

#[test]
fn damaged_arm64_cores_are_refused_in_one_line() {
    // A thread saved with 30 general registers.
    let (dir, _) = render("mem", 0x10000);
    let path = dir.path().join("core-20931.img");
    let mut core: CoreEntry = crit::image::read_first(&path).unwrap();
    core.ti_aarch64.as_mut().unwrap().gpregs.regs.pop();
    paged::rewrite(&path, &[prost::Message::encode_to_vec(&core)]);
    let out = dir.path().join("c");
    let (_, err, ok) = crit_text(&["coredump", dir.path().to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(
        err,
        "crit: core-20931.img: ti_aarch64 holds 30 general registers and 64 FP/SIMD register halves, not 31 and 64\n"
    );
    assert!(!out.exists());

    // A thread of another architecture than its process's.
    let (dir, _) = render("threads", 0x10000);
    let path = dir.path().join("core-20916.img");
    let mut core: CoreEntry = crit::image::read_first(&path).unwrap();
    core.mtype = crit::proto::core_entry::March::Ppc64 as i32;
    paged::rewrite(&path, &[prost::Message::encode_to_vec(&core)]);
    let out = dir.path().join("c");
    let (_, err, ok) = crit_text(&["coredump", dir.path().to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(
        err,
        "crit: core-20916.img: the thread's architecture is PPC64, its main thread's (core-20914.img) AARCH64\n"
    );
    assert!(!out.exists());
}
