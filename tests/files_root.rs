//! `--files ROOT` is checked against the checkpoint's record (size,
//! build-id) before its pages are read; without it, a core holds the ELF
//! header page of each mapped file that matches, as the kernel writes one.

use crate::common;

use std::path::{Path, PathBuf};

use crit::coredump::{Coredump, Options as CoreOptions};

const LIBC: &str = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const LD: &str = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
const EXE: &str = "/usr/local/bin/cwork";

fn c4(name: &str) -> PathBuf {
    common::fixtures().join("corpus-4.2.1").join(name)
}

/// `coredump --files ROOT` reads a mapped file only when it is the one the
/// checkpoint recorded (size, build-id), unless forced.
#[test]
fn coredump_files_root_refuses_a_changed_library() {
    let (root, _) = common::sysroot_copy();
    let opts = |force| CoreOptions {
        files_root: Some(root.path().to_path_buf()),
        force,
        headers_root: None,
    };
    let intact = Coredump::open(c4("mem"), None, &opts(false)).unwrap();
    assert!(intact.left_out().iter().all(|l| !l.path.ends_with("libc.so.6")));
    let libc = root.path().join(LIBC.trim_start_matches('/'));
    let mut f = std::fs::OpenOptions::new().append(true).open(&libc).unwrap();
    std::io::Write::write_all(&mut f, b"\0").unwrap();
    let refused = Coredump::open(c4("mem"), None, &opts(false)).unwrap();
    let libc_left: Vec<_> = refused.left_out().iter().filter(|l| l.path == LIBC).collect();
    assert!(!libc_left.is_empty());
    assert_eq!(
        libc_left[0].reason,
        format!(
            "{}: size 2014249, the checkpoint has 2014248 (--force reads it anyway)",
            libc.display()
        )
    );
    let forced = Coredump::open(c4("mem"), None, &opts(true)).unwrap();
    let left = |c: &Coredump| {
        c.left_out()
            .iter()
            .map(|l| (l.range.clone(), l.path.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(left(&forced), left(&intact));
}

/// Without `--files`, a core holds the ELF header page of each mapped file
/// whose file at its recorded path matches the record, as the kernel writes
/// one (here the "machine" is the sysroot).
#[test]
fn coredump_holds_the_elf_header_pages_of_matching_files() {
    let (root, _) = common::sysroot_copy();
    let core_of = |headers: &Path| {
        let opts = CoreOptions {
            files_root: None,
            force: false,
            headers_root: Some(headers.to_path_buf()),
        };
        let c = Coredump::open(c4("mem"), None, &opts).unwrap();
        let mut out = std::io::Cursor::new(Vec::new());
        c.write(&mut out).unwrap();
        (out.into_inner(), c.left_out().len())
    };
    let first_page = |p: &str| std::fs::read(root.path().join(p.trim_start_matches('/'))).unwrap()[..4096].to_vec();
    let (exe, libc, ld) = (first_page(EXE), first_page(LIBC), first_page(LD));
    let has = |core: &[u8], page: &[u8]| memchr::memmem::find(core, page).is_some();
    let empty = tempfile::tempdir().unwrap();
    let (without, _) = core_of(empty.path());
    assert!(!has(&without, &exe) && !has(&without, &libc) && !has(&without, &ld));
    let (with, _) = core_of(root.path());
    assert!(has(&with, &exe) && has(&with, &libc) && has(&with, &ld));
    // A libc one byte longer is not the one mapped: its header is left out.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(root.path().join(LIBC.trim_start_matches('/')))
        .unwrap();
    std::io::Write::write_all(&mut f, b"\0").unwrap();
    let (changed, _) = core_of(root.path());
    assert!(has(&changed, &exe) && !has(&changed, &libc) && has(&changed, &ld));
}

/// gdb, given the core alone, finds a PIE program through the ELF header
/// pages: the executable by the build-id in its header page (looked up in a
/// `.build-id` folder, as distributions lay out debug files), the libraries
/// through the dynamic linker's list, which it reaches by the program
/// headers in that page (`set sysroot` maps the recorded paths to the
/// sysroot copy, since they do not exist on this machine). The headers are
/// read from the sysroot copy through `Options::headers_root`, the library's
/// stand-in for `/`.
#[test]
#[ignore = "needs gdb (Debian package gdb; bash .ci/deps installs it)"]
fn gdb_finds_a_pie_program_from_the_core_alone() {
    common::need("gdb", "gdb");
    let (root, _) = common::sysroot_copy();
    let r = root.path();
    // cwork's build-id, by which gdb looks the executable up.
    let exe = std::fs::read(r.join(EXE.trim_start_matches('/'))).unwrap();
    let id: String = crit::checkpoint::hostfs::build_id(&exe)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(id, "acbea3bc30802cb76d54735fd2c25a0d4ad1ab4d");
    let t = tempfile::tempdir().unwrap();
    let ids = t.path().join("debug/.build-id").join(&id[..2]);
    std::fs::create_dir_all(&ids).unwrap();
    std::os::unix::fs::symlink(r.join(EXE.trim_start_matches('/')), ids.join(&id[2..])).unwrap();
    let gdb = |headers: &Path| {
        let opts = CoreOptions {
            files_root: None,
            force: false,
            headers_root: Some(headers.to_path_buf()),
        };
        let core = t.path().join("mem.core");
        let mut f = std::fs::File::create(&core).unwrap();
        Coredump::open(c4("mem"), None, &opts).unwrap().write(&mut f).unwrap();
        let out = std::process::Command::new("gdb")
            .args(["-nx", "-batch"])
            .args(["-iex", &format!("set sysroot {}", r.display())])
            .args([
                "-iex",
                &format!("set debug-file-directory {}", t.path().join("debug").display()),
            ])
            .arg("-c")
            .arg(&core)
            .args(["-ex", "info inferiors", "-ex", "bt", "-ex", "info sharedlibrary"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = gdb(r);
    let under = |p: &str| format!("{}{p}", r.display());
    assert!(
        text.contains(&format!("1 (core)             {} \n", under(EXE))),
        "{text}"
    );
    let frames: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    let tail: Vec<&str> = frames
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|l| l.split(" in ").nth(1).unwrap())
        .collect();
    assert_eq!(
        tail,
        vec![format!("pause () from {}", under(LIBC)).as_str(), "park ()", "main ()"],
        "{text}"
    );
    let libs: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("0x"))
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    let ld64 = under("/lib64/ld-linux-x86-64.so.2");
    assert_eq!(libs, vec![under(LIBC).as_str(), ld64.as_str()], "{text}");
    // Without the header pages (no file here matches), gdb finds no
    // executable, reads no library's symbols and names no frame.
    let empty = tempfile::tempdir().unwrap();
    let text = gdb(empty.path());
    assert!(text.contains("1 (core)                               \n"), "{text}");
    assert!(!text.contains(&under(EXE)), "{text}");
    assert!(
        text.lines()
            .filter(|l| l.starts_with('#'))
            .all(|l| l.ends_with(" in ?? ()")),
        "{text}"
    );
    let unread = text
        .lines()
        .filter(|l| l.starts_with("0x") && l.contains("  No  "))
        .count();
    assert_eq!(unread, 2, "{text}");
}
