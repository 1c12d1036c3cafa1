//! `-o` never destroys what it names: devices, FIFOs, sockets and the
//! process's own descriptors are written in place; symlinks are followed;
//! regular files are replaced whole, keeping their mode; new ones honour the
//! umask; standard output that is a file is cut back when a command fails.

use crate::common;

use std::ffi::CString;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{crit, fixtures};

fn image() -> PathBuf {
    fixtures().join("corpus/mem/pstree.img")
}

/// What `crit decode` of the image writes to standard output.
fn expected_json() -> Vec<u8> {
    let out = crit(&["decode", "-i", image().to_str().unwrap()]);
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"{\"magic\": \"PSTREE\""));
    out.stdout
}

fn decode_to(out: &Path) -> Output {
    crit(&["decode", "-i", image().to_str().unwrap(), "-o", out.to_str().unwrap()])
}

/// Runs a bash script with `$CRIT` and `$IMG` set.
fn bash(script: &str, dir: &Path) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("CRIT", env!("CARGO_BIN_EXE_crit"))
        .env("IMG", image())
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The file holds exactly `want` (without printing a large difference).
fn assert_file(p: &Path, want: &[u8]) {
    let got = fs::read(p).unwrap();
    assert!(
        got == want,
        "{} holds {} bytes, starting {:?}",
        p.display(),
        got.len(),
        String::from_utf8_lossy(&got[..got.len().min(40)])
    );
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().mode() & 0o7777
}

fn cstr(p: &Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

#[test]
fn a_device_is_written_never_replaced() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: making a device node with mknod needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A private /dev/null (1:3): what `-o /dev/null` used to turn into a file.
    let null = dir.path().join("null");
    // SAFETY: mknod reads the NUL-terminated path only.
    let rc = unsafe { libc::mknod(cstr(&null).as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    assert_eq!(rc, 0, "mknod: {}", std::io::Error::last_os_error());
    let before = mode(&null);
    ok(&decode_to(&null));
    let meta = fs::symlink_metadata(&null).unwrap();
    assert!(meta.file_type().is_char_device(), "the device was replaced");
    assert_eq!(meta.rdev(), libc::makedev(1, 3));
    assert_eq!(mode(&null), before);
    // Nothing beside it either (no temporary file left).
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_full_device_reports_why() {
    let out = decode_to(Path::new("/dev/full"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "crit: /dev/full: No space left on device (os error 28)\n");
    assert!(fs::metadata("/dev/full").unwrap().file_type().is_char_device());
}

#[test]
fn a_fifo_is_written_for_its_reader() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    // SAFETY: mkfifo reads the NUL-terminated path only.
    assert_eq!(unsafe { libc::mkfifo(cstr(&fifo).as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            fs::File::open(fifo).unwrap().read_to_end(&mut got).unwrap();
            got
        })
    };
    ok(&decode_to(&fifo));
    assert_eq!(reader.join().unwrap(), expected_json());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_socket_is_connected_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sock");
    let listener = UnixListener::bind(&path).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    ok(&decode_to(&path));
    assert_eq!(reader.join().unwrap(), expected_json());
    assert!(fs::symlink_metadata(&path).unwrap().file_type().is_socket());
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.json");
    fs::write(&target, b"old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("target.json", &link).unwrap();
    ok(&decode_to(&link));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("target.json"));
    assert_eq!(fs::read(&target).unwrap(), expected_json());
    assert_eq!(mode(&target), 0o640);

    // A dangling link (through a second one) creates its target.
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    std::os::unix::fs::symlink("sub/new.json", dir.path().join("dangling")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("dangling"), dir.path().join("chain")).unwrap();
    ok(&decode_to(&dir.path().join("chain")));
    assert_eq!(fs::read(sub.join("new.json")).unwrap(), expected_json());
    assert!(fs::symlink_metadata(dir.path().join("dangling"))
        .unwrap()
        .file_type()
        .is_symlink());

    // A link to the input is the input.
    let img = dir.path().join("pstree.img");
    fs::copy(image(), &img).unwrap();
    std::os::unix::fs::symlink("pstree.img", dir.path().join("to-input")).unwrap();
    let out = crit(&[
        "decode",
        "-i",
        img.to_str().unwrap(),
        "-o",
        dir.path().join("to-input").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "crit: {}: refusing to overwrite the input file\n",
            dir.path().join("to-input").display()
        )
    );
    assert_eq!(fs::read(&img).unwrap(), fs::read(image()).unwrap());
}

#[test]
fn a_symlink_loop_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    std::os::unix::fs::symlink("b", &a).unwrap();
    std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
    let out = decode_to(&a);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "crit: {}: Too many levels of symbolic links (os error 40)\n",
            a.display()
        )
    );
}

#[test]
fn own_descriptors_are_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let json = expected_json();
    // /dev/fd/N, as a redirection gives it.
    ok(&bash(r#""$CRIT" decode -i "$IMG" -o /dev/fd/3 3>fd3.json"#, dir.path()));
    assert_eq!(fs::read(dir.path().join("fd3.json")).unwrap(), json);
    // /dev/stdout keeps its append mode: the file's head stays.
    ok(&bash(
        r#"echo head > app.json; "$CRIT" decode -i "$IMG" -o /dev/stdout >> app.json"#,
        dir.path(),
    ));
    let mut want = b"head\n".to_vec();
    want.extend_from_slice(&json);
    assert_eq!(fs::read(dir.path().join("app.json")).unwrap(), want);
    // Other spellings reach the same descriptor through the links.
    ok(&bash(
        r#""$CRIT" decode -i "$IMG" -o /dev/../dev/stdout > dots.json; "$CRIT" decode -i "$IMG" -o /proc/self/fd/4 4> proc.json"#,
        dir.path(),
    ));
    assert_eq!(fs::read(dir.path().join("dots.json")).unwrap(), json);
    assert_eq!(fs::read(dir.path().join("proc.json")).unwrap(), json);
    // -o >(cmd): a pipe to a process substitution.
    ok(&bash(
        r#""$CRIT" decode -i "$IMG" -o >(cat > subst.json); wait $!"#,
        dir.path(),
    ));
    assert_eq!(fs::read(dir.path().join("subst.json")).unwrap(), json);
    // A descriptor that is not open.
    let out = bash(r#""$CRIT" decode -i "$IMG" -o /dev/fd/9"#, dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "crit: /dev/fd/9: Bad file descriptor (os error 9)\n");
}

#[test]
fn modes_are_kept_and_the_umask_honoured() {
    let dir = tempfile::tempdir().unwrap();
    // A new file: 0666 less the umask, like the shell's `>`.
    for (umask, want) in [("027", 0o640), ("022", 0o644), ("077", 0o600)] {
        let name = format!("new-{umask}.json");
        ok(&bash(
            &format!(r#"umask {umask}; "$CRIT" decode -i "$IMG" -o {name}"#),
            dir.path(),
        ));
        assert_eq!(mode(&dir.path().join(&name)), want, "umask {umask}");
    }
    // A replaced file keeps its mode, whatever the umask.
    let old = dir.path().join("old.json");
    for m in [0o604, 0o400, 0o755] {
        fs::write(&old, b"old").unwrap_or_else(|_| {
            fs::set_permissions(&old, fs::Permissions::from_mode(0o600)).unwrap();
            fs::write(&old, b"old").unwrap();
        });
        fs::set_permissions(&old, fs::Permissions::from_mode(m)).unwrap();
        ok(&bash(r#"umask 077; "$CRIT" decode -i "$IMG" -o old.json"#, dir.path()));
        assert_eq!(mode(&old), m);
        assert_eq!(fs::read(&old).unwrap(), expected_json());
    }
    // Root gives a replaced file back to its owner.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: keeping another user's ownership needs root");
        return;
    }
    std::os::unix::fs::chown(&old, Some(4321), Some(8765)).unwrap();
    ok(&decode_to(&old));
    let meta = fs::metadata(&old).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (4321, 8765));
}

#[test]
fn a_missing_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("nodir/out.json");
    let out = decode_to(&out_path);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "crit: {}: directory {} does not exist\n",
            out_path.display(),
            dir.path().join("nodir").display()
        )
    );
    let out = decode_to(dir.path());
    assert_eq!(
        stderr(&out),
        format!("crit: {}: is a directory\n", dir.path().display())
    );
}

/// A PSTREE document whose last entry is bad, after enough good ones that the
/// image written before the failure outgrows any buffer.
fn failing_json() -> String {
    let good: Vec<String> = (1..=30000)
        .map(|pid| format!(r#"{{"pid": {pid}, "ppid": 0, "pgid": 1, "sid": 1, "threads": [{pid}]}}"#))
        .collect();
    format!(
        r#"{{"magic": "PSTREE", "entries": [{}, {{"pid": "x"}}]}}"#,
        good.join(", ")
    )
}

#[test]
fn a_failed_encode_cuts_standard_output_back() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.json"), failing_json()).unwrap();
    // `>`: the file is left empty, and the offset back at 0 (no hole before `tail`).
    let out = bash(
        r#"{ "$CRIT" encode < bad.json; echo "status $?"; } > core.img"#,
        dir.path(),
    );
    assert_eq!(
        stderr(&out),
        "crit: <stdin>: entries[30000].pid: expected an integer, found \"x\"\n"
    );
    assert_file(&dir.path().join("core.img"), b"status 1\n");
    // `>>`: what was there stays, and only that.
    fs::write(dir.path().join("log.img"), b"before\n").unwrap();
    let out = bash(r#""$CRIT" encode < bad.json >> log.img"#, dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_file(&dir.path().join("log.img"), b"before\n");
    // The same for a failed decode into a file.
    let core = fixtures().join("corpus/mem/core-20931.img");
    fs::write(dir.path().join("cut.img"), &fs::read(core).unwrap()[..300]).unwrap();
    let out = bash(r#""$CRIT" decode -i cut.img > cut.json"#, dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_file(&dir.path().join("cut.json"), b"");
}
