//! Helpers shared by the integration tests: fixture paths and running the binary.
#![allow(dead_code)]

pub mod bulk;
pub mod edited;
pub mod fake_host;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `tests/fixtures`: the corpus checkpoints and the peers' outputs.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The corpus checkpoint directories, sorted.
pub fn corpus_dirs() -> Vec<PathBuf> {
    corpus_dirs_of("corpus")
}

/// The corpora: CRIU 4.1.1's checkpoints and the same programs' by CRIU 4.2.1,
/// each with the folder of the Python CRIT 4.2.1's output for it.
pub const CORPORA: &[(&str, &str)] = &[("corpus", "peers"), ("corpus-4.2.1", "peers-4.2.1")];

/// The checkpoint directories of corpus `name` (`corpus`, `corpus-4.2.1`), sorted.
pub fn corpus_dirs_of(name: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 8, "the corpus has eight checkpoints");
    dirs
}

/// The protobuf images of a checkpoint (everything but raw `pages-*.img`), sorted.
pub fn images_of(dir: &Path) -> Vec<PathBuf> {
    let mut imgs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with("pages-"))
        .collect();
    imgs.sort();
    imgs
}

/// Runs `crit ARGS`.
pub fn crit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .output()
        .expect("run crit")
}

/// Runs `crit ARGS` with `input` on standard input.
pub fn crit_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run crit");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Runs `crit ARGS`: standard output, standard error, and whether it succeeded.
pub fn crit_text(args: &[&str]) -> (String, String, bool) {
    let out = crit(args);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

/// A run of `crit` measured: its output, its own peak resident size, and
/// whether it had to be killed.
pub struct Measured {
    pub out: Output,
    pub max_rss_kib: i64,
    pub timed_out: bool,
}

/// Runs `crit ARGS` under GNU time (`/usr/bin/time`, Debian's `time`,
/// which `.ci/deps` installs), killed after `timeout`. A child started by
/// this test process, by fork or vfork, takes the test process's own size
/// (tens of MiB, as other tests run beside it) into its peak RSS at exec;
/// time starts crit from its own small process and reports crit's alone.
pub fn crit_measured(args: &[&str], timeout: std::time::Duration) -> Measured {
    crit_measured_with(args, None, &[], timeout)
}

/// [`crit_measured`] with `input` (if any) written to crit's standard input,
/// a pipe, and `env` set for it.
pub fn crit_measured_with(
    args: &[&str],
    input: Option<&[u8]>,
    env: &[(&str, &str)],
    timeout: std::time::Duration,
) -> Measured {
    use std::os::unix::process::CommandExt;
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(env!("CARGO_BIN_EXE_crit"))
        .args(args)
        .envs(env.iter().copied())
        .process_group(0)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run /usr/bin/time (Debian package time; bash .ci/deps installs it)");
    let pid = child.id() as libc::pid_t;
    let writer = input.map(|data| {
        let (mut stdin, data) = (child.stdin.take().unwrap(), data.to_vec());
        // crit may stop reading early (it found the error): EPIPE is no failure.
        std::thread::spawn(move || drop(stdin.write_all(&data)))
    });
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = std::time::Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > timeout && !timed_out {
            timed_out = true;
            // SAFETY: kill signals our own child's process group (time and crit).
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    if let Some(w) = writer {
        w.join().unwrap();
    }
    // time writes its own lines ("Command exited with non-zero status 1",
    // then the figure) to the report, not to crit's standard error.
    let report = std::fs::read_to_string(report.path()).unwrap();
    let max_rss_kib = report
        .lines()
        .rev()
        .find_map(|l| l.trim().parse().ok())
        .unwrap_or_else(|| {
            assert!(timed_out, "time reported no peak RSS: {report:?}");
            0
        });
    Measured {
        out: Output {
            status,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        },
        max_rss_kib,
        timed_out,
    }
}

/// Runs test `name` (its path in the test binary, `scaling::work_grows_linearly_with_tasks`)
/// again in a process of its own, for a test that measures what its whole
/// process does (`crit::source::work` counts the reading of every thread, and
/// the other tests' threads read too). In that process it returns true and
/// the test goes on; in the test binary's own process it checks that the test
/// passed there, alone, and returns false.
pub fn in_own_process(name: &str) -> bool {
    const VAR: &str = "CRIT_TEST_OWN_PROCESS";
    if std::env::var_os(VAR).is_some_and(|v| v == name) {
        return true;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--test-threads=1"])
        .env(VAR, name)
        .output()
        .expect("run the test binary again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{name}, in a process of its own:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// Asserts that `tool` is on the PATH, for a test `#[ignore]`d as needing it
/// and run with `--include-ignored`: without it, the test fails naming the
/// Debian package that brings it.
pub fn need(tool: &str, package: &str) {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|d| d.join(tool).is_file());
    assert!(
        found,
        "{tool} is not installed (Debian package {package}; bash .ci/deps installs it)"
    );
}

/// Decodes an in-memory image to JSON, as `crit decode [--pretty]` would.
pub fn decode_bytes(image: &[u8], pretty: bool) -> Result<Vec<u8>, crit::Error> {
    use crit::image_json::{decode_image, DecodeOptions};
    let mut r = crit::image::ImageReader::new(image, "test.img", Some(image.len() as u64))?;
    let mut json = Vec::new();
    decode_image(
        &mut r,
        &mut json,
        DecodeOptions {
            pretty,
            no_payload: false,
        },
    )?;
    Ok(json)
}

/// `tests/fixtures/archives`: the Podman container checkpoints, sorted.
pub fn archives() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures().join("archives"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    assert_eq!(v.len(), 5, "five Podman archives");
    v
}

/// The plain tar bytes of an archive, whatever its compression.
pub fn raw_tar(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out).unwrap();
    } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        out = zstd::decode_all(&bytes[..]).unwrap();
    } else {
        out = bytes;
    }
    out
}

/// Writes `tar` as `NAME.tar`, `NAME.tar.gz` and `NAME.tar.zst` (odd names
/// too: content, not the name, tells them apart) in `dir`.
pub fn three_compressions(tar: &[u8], dir: &Path, name: &str) -> Vec<PathBuf> {
    let plain = dir.join(format!("{name}.tar"));
    std::fs::write(&plain, tar).unwrap();
    let gz = dir.join(format!("{name}.tgz.bin"));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(tar).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    let zst = dir.join(format!("{name}.zst.bin"));
    std::fs::write(&zst, zstd::encode_all(tar, 3).unwrap()).unwrap();
    vec![plain, gz, zst]
}

/// A plain tar of a pod: each fixture archive `(folder, NAME)` copied under
/// `folder/`, without `pod.options` (the names come from the folders).
pub fn pod_of(containers: &[(&str, &str)]) -> Vec<u8> {
    let mut bld = tar::Builder::new(Vec::new());
    for (folder, src) in containers {
        let raw = raw_tar(&fixtures().join("archives").join(src));
        let mut ar = tar::Archive::new(&raw[..]);
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = format!("{folder}/{}", e.path().unwrap().display());
            let mut h = e.header().clone();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            bld.append_data(&mut h, name, &data[..]).unwrap();
        }
    }
    bld.into_inner().unwrap()
}

/// Unpacks a plain tar into `dir`.
pub fn unpack(tar: &[u8], dir: &Path) {
    tar::Archive::new(tar).unpack(dir).unwrap();
}

/// Standard output of a successful `crit ARGS`.
pub fn ok_stdout(args: &[&str]) -> String {
    let out = crit(args);
    assert!(
        out.status.success(),
        "crit {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Corpus (CRIU 4.1.1) checkpoint `name`.
pub fn corpus(name: &str) -> PathBuf {
    fixtures().join("corpus").join(name)
}

/// Copies the files of checkpoint `from` into the existing directory `to`,
/// writable (fixtures may be read-only) so that tests can edit them.
pub fn copy_checkpoint(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        std::fs::copy(e.path(), &dest).unwrap();
        let mut perm = std::fs::metadata(&dest).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&dest, perm).unwrap();
    }
}

/// A scratch copy of checkpoint directory `from`, to edit.
pub fn scratch_copy(from: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_checkpoint(from, tmp.path());
    tmp
}

/// Cuts the last `by` bytes off file `path`.
pub fn truncate_by(path: &Path, by: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    let len = f.metadata().unwrap().len();
    f.set_len(len - by).unwrap();
}

/// Unpacks the gzipped archive `tests/fixtures/archives/NAME` into a
/// temporary directory; the checkpoint is its `checkpoint/`.
pub fn unpack_archive(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let f = std::fs::File::open(fixtures().join("archives").join(name)).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(f))
        .unpack(tmp.path())
        .unwrap();
    tmp
}

/// Compares outputs with committed snapshot files; with `UPDATE_SNAPSHOTS`
/// set, rewrites them instead. `finish` fails naming every mismatch, after
/// printing each one, so one run shows them all.
pub struct Snapshots {
    update: bool,
    mismatched: Vec<String>,
}

impl Snapshots {
    pub fn from_env() -> Self {
        Snapshots {
            update: std::env::var_os("UPDATE_SNAPSHOTS").is_some(),
            mismatched: Vec::new(),
        }
    }

    /// Checks `got` against snapshot `path`, called `name` in the failure.
    pub fn check(&mut self, name: String, path: &Path, got: &str) {
        if self.update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, got).unwrap();
            return;
        }
        let want = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
        if got != want {
            eprintln!("--- {}\n+++ got\n{got}", path.display());
            self.mismatched.push(name);
        }
    }

    pub fn finish(self, what: &str) {
        assert!(
            self.mismatched.is_empty(),
            "{what} differ from their snapshots: {:?}",
            self.mismatched
        );
    }
}

/// The heap buffer's start in the corpus `mem` program: the first `filler`
/// in anonymous memory (the binary's read-only data holds the literal too,
/// in a file mapping).
pub fn heap_start(m: &crit::mem::MemReader, filler: &[u8]) -> u64 {
    let s = crit::mem::Searcher::literal(filler, false).unwrap();
    m.search_all(&s, 0)
        .unwrap()
        .into_iter()
        .find(|x| x.vma.is_some_and(|v| v.kind() == "anon"))
        .expect("a filler in anonymous memory")
        .addr
}

/// This process's umask (crit inherits it), from `/proc/self/status`.
pub fn umask() -> u32 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let v = s.lines().find_map(|l| l.strip_prefix("Umask:")).expect("Umask line");
    u32::from_str_radix(v.trim(), 8).unwrap()
}

/// The names in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// Whether process `pid` holds a file open under `dir` (a file it writes;
/// an anonymous `O_TMPFILE` one shows as `DIR/#123 (deleted)`).
pub fn holds_open_under(pid: u32, dir: &Path) -> bool {
    let fds = PathBuf::from(format!("/proc/{pid}/fd"));
    std::fs::read_dir(fds)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.starts_with(dir) && t != dir))
}

/// Runs `crit ARGS` (with `env` set) on standard input that gives `feed`
/// and then stays open; once `ready(pid)` says crit is at work, sends it
/// `signal` and returns how it ended.
pub fn interrupt(
    args: &[&str],
    env: &[(&str, &str)],
    feed: &[u8],
    ready: impl Fn(u32) -> bool,
    signal: i32,
) -> std::process::ExitStatus {
    let mut child = crit_taking(signal)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run crit");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(feed).unwrap();
    stdin.flush().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ready(child.id()) {
        if std::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("crit {args:?} never got to work on its input");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: kill only sends a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let status = ended(&mut child, signal);
    drop(stdin);
    status
}

/// `crit`, to be started with `signal` at its default disposition: a shell
/// runs a background job (`.ci/run &`) with SIGINT ignored, and crit keeps a
/// signal it was started ignoring ignored; the one a test sends must be
/// crit's to handle.
pub fn crit_taking(signal: i32) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crit"));
    // SAFETY: signal() is async-signal-safe; nothing else runs before exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(signal, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd
}

/// How `child`, sent `signal`, ended: within 30 s, or the test fails (a
/// crit that ignored the signal must not hang the suite).
pub fn ended(child: &mut std::process::Child, signal: i32) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("crit did not end on signal {signal}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// All that is written to a terminal whose other end is `master`, until
/// the last holder of that end closes it (Linux then says EIO).
pub fn read_pty(master: std::os::fd::OwnedFd) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut master = std::fs::File::from(master);
    let mut buf = [0u8; 4096];
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// A copy of the sysroot with `/dev/null` (when mknod is allowed) and the
/// root's mode as the checkpoint recorded it (040755). Whether `/dev/null`
/// could be made.
pub fn sysroot_copy() -> (tempfile::TempDir, bool) {
    let t = tempfile::tempdir().unwrap();
    let src = fixtures().join("sysroot-4.2.1");
    copy_tree(&src, t.path());
    std::fs::set_permissions(
        t.path(),
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755),
    )
    .unwrap();
    std::fs::create_dir(t.path().join("dev")).unwrap();
    let null = std::ffi::CString::new(t.path().join("dev/null").as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mknod reads the NUL-terminated path only.
    let rc = unsafe { libc::mknod(null.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if rc == 0 {
        std::fs::set_permissions(
            t.path().join("dev/null"),
            <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666),
        )
        .unwrap();
    }
    (t, rc == 0)
}

/// Decodes image `path` to JSON, lets `edit` change it, encodes it back.
pub fn edit_image(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    use crit::image_json::{decode_image, encode_image, DecodeOptions};
    let mut r = crit::image::ImageReader::open(path).unwrap();
    let mut text = Vec::new();
    decode_image(&mut r, &mut text, DecodeOptions::default()).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&text).unwrap();
    edit(&mut v);
    let mut out = Vec::new();
    encode_image(&serde_json::to_vec(&v).unwrap()[..], "edited", &mut out).unwrap();
    std::fs::write(path, out).unwrap();
}

/// Copies directory `from` into `to`, folders and all (symbolic links as
/// links).
pub fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dest) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dest).unwrap();
        } else if t.is_dir() {
            std::fs::create_dir(&dest).unwrap();
            copy_tree(&src, &dest);
        } else {
            std::fs::copy(&src, &dest).unwrap();
        }
    }
}

/// A plain tar of fixture archive `src` with `extra` incompressible bytes
/// added as a member `padding.bin`: an archive big enough to take a while.
pub fn padded_archive(src: &str, extra: usize) -> Vec<u8> {
    let raw = raw_tar(&fixtures().join("archives").join(src));
    let mut bld = tar::Builder::new(Vec::new());
    let mut ar = tar::Archive::new(&raw[..]);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let mut h = e.header().clone();
        let name = e.path().unwrap().into_owned();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        bld.append_data(&mut h, name, &data[..]).unwrap();
    }
    // xorshift64: bytes gzip cannot shrink.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..extra)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut h = tar::Header::new_gnu();
    h.set_size(extra as u64);
    h.set_mode(0o644);
    h.set_cksum();
    bld.append_data(&mut h, "padding.bin", &noise[..]).unwrap();
    bld.into_inner().unwrap()
}

/// Runs `crit ARGS` (with `env` set) with standard error on a new terminal
/// (a pty) and standard output on a pipe: (stdout, what the terminal got,
/// success).
pub fn crit_stderr_on_pty(args: &[&str], env: &[(&str, &str)]) -> (Vec<u8>, Vec<u8>, bool) {
    crit_on_pty(args, env, false)
}

/// As [`crit_stderr_on_pty`]; with `stdout_too`, standard output goes to
/// the same terminal (and the first of the three is empty).
pub fn crit_on_pty(args: &[&str], env: &[(&str, &str)], stdout_too: bool) -> (Vec<u8>, Vec<u8>, bool) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    let ws = libc::winsize {
        ws_row: 24,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds, which are then owned here.
    let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &ws) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crit"));
    let out = if stdout_too {
        Stdio::from(slave.try_clone().unwrap())
    } else {
        Stdio::piped()
    };
    cmd.args(args).stderr(slave).stdout(out).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // The child holds the only copy of the terminal's end: its exit ends the reads.
    drop(cmd);
    let stdout = child.stdout.take();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(mut stdout) = stdout {
            stdout.read_to_end(&mut v).unwrap();
        }
        v
    });
    let tty = read_pty(master);
    let ok = child.wait().unwrap().success();
    (out.join().unwrap(), tty, ok)
}
pub mod elfcore;
pub mod paged;
