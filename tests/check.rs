//! `crit check`: roots built from the sysroot the 4.2.1 corpus ran with,
//! then broken one way each; pids, ports and CPU features taken on a made-up
//! host, and on this machine (a pid and a port held by the test itself).

use crate::common;

use std::net::{IpAddr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crit::check::{self, Area, Finding, Host, HostSocket, Kind, Options, ProcHost, Report, SockProto};
use crit::explore::Checkpoint;

fn c4(name: &str) -> PathBuf {
    common::fixtures().join("corpus-4.2.1").join(name)
}

use common::fake_host::Fake;

fn report(dir: &Path, root: &Path, host: &dyn Host) -> Report {
    let cp = Checkpoint::open(dir).unwrap();
    check::check(
        &cp,
        &Options {
            root: root.to_path_buf(),
        },
        host,
    )
    .unwrap()
}

/// The problems of one area, as (kind, path, expected, found).
fn of(r: &Report, area: Area) -> Vec<Row> {
    r.problems
        .iter()
        .filter(|p| p.area == area)
        .map(|p| (p.kind, p.path.clone(), p.expected.clone(), p.found.clone()))
        .collect()
}

/// What is left of the files problems once `/dev/null` is accounted for:
/// without mknod (not root) it is missing, and said so exactly.
fn files_problems(r: &Report, have_null: bool) -> Vec<Row> {
    let mut v = of(r, Area::Files);
    if !have_null {
        let null = (Kind::Missing, Some("/dev/null".to_string()), None, None);
        assert_eq!(v.iter().filter(|p| **p == null).count(), 1, "{v:?}");
        v.retain(|p| *p != null);
    }
    v
}

/// A problem as (kind, path, expected, found).
type Row = (Kind, Option<String>, Option<String>, Option<String>);
/// A problem as (kind, port or pid, path or feature, found).
type NumRow<N> = (Kind, Option<N>, Option<String>, Option<String>);

const LIBC: &str = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const LD: &str = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
const EXE: &str = "/usr/local/bin/cwork";

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn the_intact_root_has_no_file_problem() {
    let (root, null) = common::sysroot_copy();
    for name in ["mem", "threads", "tree", "ipc"] {
        let r = report(&c4(name), root.path(), &Fake::default());
        assert_eq!(files_problems(&r, null), vec![], "{name}: {:?}", r.problems);
    }
    let r = report(&c4("mem"), root.path(), &Fake::default());
    assert_eq!(r.ready, null, "{:?}", r.problems);
}

#[test]
fn a_library_one_byte_longer() {
    let (root, null) = common::sysroot_copy();
    let libc = root.path().join(LIBC.trim_start_matches('/'));
    let mut f = std::fs::OpenOptions::new().append(true).open(&libc).unwrap();
    std::io::Write::write_all(&mut f, b"\0").unwrap();
    let r = report(&c4("mem"), root.path(), &Fake::default());
    assert_eq!(
        files_problems(&r, null),
        vec![(Kind::Size, s(LIBC), s("2014248"), s("2014249"))]
    );
    let p = r.problems.iter().find(|p| p.kind == Kind::Size).unwrap();
    assert_eq!(p.message, format!("{LIBC}: size 2014249 (the checkpoint has 2014248)"));
}

#[test]
fn the_executable_with_another_mode() {
    let (root, null) = common::sysroot_copy();
    let exe = root.path().join(EXE.trim_start_matches('/'));
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o700)).unwrap();
    let r = report(&c4("mem"), root.path(), &Fake::default());
    assert_eq!(
        files_problems(&r, null),
        vec![(Kind::Mode, s(EXE), s("0100755"), s("0100700"))]
    );
    let p = r.problems.iter().find(|p| p.kind == Kind::Mode).unwrap();
    assert_eq!(
        p.fix.as_deref(),
        Some("chmod 755 /usr/local/bin/cwork under ROOT (or criu restore --skip-file-rwx-check)")
    );
}

#[test]
fn a_library_with_one_byte_of_its_build_id_changed() {
    let (root, null) = common::sysroot_copy();
    let libc = root.path().join(LIBC.trim_start_matches('/'));
    let mut bytes = std::fs::read(&libc).unwrap();
    // The build-id the checkpoint recorded for libc, as the note holds it.
    let want: Vec<u8> = [4057999010u32, 160022096, 1801205661, 3122486150, 2923972217]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let at = bytes
        .windows(20)
        .position(|w| w == want)
        .expect("the build-id note in libc");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    // As `readelf -n` prints it.
    assert_eq!(hex(&want), "a226e0f150be89099d375c6b865b1dba794648ae");
    bytes[at + 19] ^= 0xff;
    std::fs::write(&libc, &bytes).unwrap();
    let r = report(&c4("mem"), root.path(), &Fake::default());
    let mut got = want.clone();
    got[19] ^= 0xff;
    assert_eq!(
        files_problems(&r, null),
        vec![(Kind::BuildId, s(LIBC), Some(hex(&want)), Some(hex(&got)))]
    );
    let p = r.problems.iter().find(|p| p.kind == Kind::BuildId).unwrap();
    assert_eq!(
        p.fix.as_deref(),
        Some(format!("install the build of {LIBC} with build-id {}", hex(&want)).as_str())
    );
}

#[test]
fn a_file_missing_and_a_file_replaced_by_a_directory() {
    let (root, null) = common::sysroot_copy();
    std::fs::remove_file(root.path().join(LD.trim_start_matches('/'))).unwrap();
    let exe = root.path().join(EXE.trim_start_matches('/'));
    std::fs::remove_file(&exe).unwrap();
    std::fs::create_dir(&exe).unwrap();
    let r = report(&c4("mem"), root.path(), &Fake::default());
    assert_eq!(
        files_problems(&r, null),
        vec![
            (Kind::WrongType, s(EXE), s("a regular file"), s("a directory")),
            (Kind::Missing, s(LD), None, None),
        ]
    );
    // Through the command: exit 1, the table says what to do.
    let out = common::crit(&[
        "check",
        c4("mem").to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("FILES ("), "{text}");
    assert!(
        text.contains(&format!(
            "  {EXE}: is a directory, the checkpoint needs a regular file\n    used by 3374 (mem): executable, mapped\n"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("  {LD}: missing under ROOT (a regular file)\n    used by 3374 (mem): mapped\n    fix: install {LD} (mode 0100755, 230200 bytes, build-id 0a8e9e6786b32d6e0071b94092410c732237d535)\n")), "{text}");
    assert!(
        text.ends_with(&format!("not ready: {} problems found\n", if null { 2 } else { 3 })),
        "{text}"
    );
}

#[test]
fn ghost_files_are_not_looked_up_and_fifos_are_compared_by_type() {
    let (root, _) = common::sysroot_copy();
    let r = report(&c4("files"), root.path(), &Fake::default());
    assert!(!r
        .problems
        .iter()
        .any(|p| p.path.as_deref() == Some("/tmp/crit-files/ghost.txt")));
    let ghost: Vec<&Finding> = r.notes.iter().filter(|n| n.kind == Kind::Ghost).collect();
    assert_eq!(ghost.len(), 1);
    assert_eq!(ghost[0].path.as_deref(), Some("/tmp/crit-files/ghost.txt"));
    // The folder is there, the FIFO a regular file: the wrong type.
    let dir = root.path().join("tmp/crit-files");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fifo"), b"").unwrap();
    let r = report(&c4("files"), root.path(), &Fake::default());
    let fifo: Vec<_> = of(&r, Area::Files)
        .into_iter()
        .filter(|p| p.1.as_deref() == Some("/tmp/crit-files/fifo"))
        .collect();
    assert_eq!(
        fifo,
        vec![(
            Kind::WrongType,
            s("/tmp/crit-files/fifo"),
            s("a FIFO"),
            s("a regular file")
        )]
    );
}

/// Checkpoint `name` in a scratch directory with its (single) task's pid
/// made `pid`: pstree.img rewritten through our decoder and encoder, and the
/// per-task images renamed.
fn with_pid(name: &str, old: u32, pid: u32) -> tempfile::TempDir {
    let t = common::scratch_copy(&c4(name));
    let pstree = t.path().join("pstree.img");
    let json = common::decode_bytes(&std::fs::read(&pstree).unwrap(), false).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let e = &mut v["entries"][0];
    for k in ["pid", "pgid", "sid"] {
        e[k] = pid.into();
    }
    e["threads"] = serde_json::json!([pid]);
    let mut img = Vec::new();
    crit::image_json::encode_image(v.to_string().as_bytes(), "pstree.json", &mut img).unwrap();
    std::fs::write(&pstree, img).unwrap();
    for prefix in ["core", "ids", "fs", "mm", "pagemap"] {
        std::fs::rename(
            t.path().join(format!("{prefix}-{old}.img")),
            t.path().join(format!("{prefix}-{pid}.img")),
        )
        .unwrap();
    }
    t
}

#[test]
fn a_pid_in_use_on_this_machine() {
    let mut child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
    let pid = child.id();
    let cp = with_pid("mem", 3374, pid);
    let (root, _) = common::sysroot_copy();
    let r = report(cp.path(), root.path(), &ProcHost::default());
    child.kill().unwrap();
    child.wait().unwrap();
    let taken: Vec<&Finding> = r.problems.iter().filter(|p| p.area == Area::Processes).collect();
    assert_eq!(taken.len(), 1, "{:?}", r.problems);
    assert_eq!(taken[0].kind, Kind::PidTaken);
    assert_eq!(taken[0].pid, Some(pid));
    assert_eq!(taken[0].found.as_deref(), Some("sleep"));
    assert_eq!(taken[0].message, format!("pid {pid} of mem is taken here by \"sleep\""));
    // The test's own pid, too: its comm is whatever /proc says of it.
    let me = std::process::id();
    let cp = with_pid("mem", 3374, me);
    let r = report(cp.path(), root.path(), &ProcHost::default());
    let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
    let taken: Vec<_> = r.problems.iter().filter(|p| p.area == Area::Processes).collect();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].found.as_deref(), Some(comm.trim_end()));
}

#[test]
fn thread_ids_count_and_a_pid_namespace_of_its_own_does_not() {
    let (root, _) = common::sysroot_copy();
    let host = Fake {
        pids: vec![(3359, "nginx".into()), (1, "systemd".into())],
        ..Fake::default()
    };
    let r = report(&c4("threads"), root.path(), &host);
    let p: Vec<(Option<u32>, Option<String>, String)> = r
        .problems
        .iter()
        .filter(|p| p.area == Area::Processes)
        .map(|p| (p.pid, p.found.clone(), p.message.clone()))
        .collect();
    assert_eq!(
        p,
        vec![(
            Some(3359),
            s("nginx"),
            "thread id 3359 of threads is taken here by \"nginx\"".to_string()
        )]
    );
    // ipc ran as pid 1 of its own pid namespace: pid 1 taken here is no problem.
    let r = report(&c4("ipc"), root.path(), &host);
    assert_eq!(of(&r, Area::Processes), vec![]);
    let notes: Vec<&Finding> = r.notes.iter().filter(|n| n.kind == Kind::OwnPidNamespace).collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0].message,
        "task 1 in a pid namespace of its own: their pids need not be free here"
    );
}

fn sock(proto: SockProto, addr: &str, port: u16) -> HostSocket {
    HostSocket {
        proto,
        addr: addr.parse::<IpAddr>().unwrap(),
        port,
        listening: proto == SockProto::Tcp,
    }
}

#[test]
fn ports_and_unix_paths_in_use() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("tmp")).unwrap();
    let host = Fake {
        sockets: vec![
            sock(SockProto::Udp, "0.0.0.0", 47102),
            sock(SockProto::Tcp, "::1", 47103),
            // Another address, another protocol: no clash.
            sock(SockProto::Tcp, "10.0.0.1", 47101),
            sock(SockProto::Udp, "127.0.0.1", 47101),
        ],
        unix: vec!["/tmp/crit-net.sock".into()],
        ..Fake::default()
    };
    let r = report(&c4("net"), root.path(), &host);
    let net: Vec<NumRow<u16>> = r
        .problems
        .iter()
        .filter(|p| p.area == Area::Network)
        .map(|p| (p.kind, p.port, p.path.clone(), p.found.clone()))
        .collect();
    assert_eq!(
        net,
        vec![
            (Kind::PortInUse, Some(47102), None, s("0.0.0.0:47102")),
            (Kind::PortInUse, Some(47103), None, s("[::1]:47103")),
            (Kind::UnixPathInUse, None, s("/tmp/crit-net.sock"), None),
        ]
    );
    let est: Vec<&Finding> = r.notes.iter().filter(|n| n.kind == Kind::TcpEstablished).collect();
    assert_eq!(
        est[0].message,
        "2 established TCP connections (127.0.0.1:45148, 127.0.0.1:47101): restore with criu restore --tcp-established"
    );
}

#[test]
fn a_port_bound_on_this_machine() {
    let l = TcpListener::bind("127.0.0.1:47101").expect("port 47101 free for the test");
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("tmp")).unwrap();
    let r = report(&c4("net"), root.path(), &ProcHost::default());
    drop(l);
    let p: Vec<&Finding> = r.problems.iter().filter(|p| p.port == Some(47101)).collect();
    assert_eq!(p.len(), 1, "{:?}", r.problems);
    assert_eq!(p[0].kind, Kind::PortInUse);
    assert_eq!(
        p[0].message,
        "tcp 127.0.0.1:47101 is in use here (listening on 127.0.0.1:47101)"
    );
}

#[test]
fn a_thread_asks_for_a_feature_the_cpu_lacks() {
    let t = common::scratch_copy(&c4("threads"));
    let core = t.path().join("core-3359.img");
    let json = common::decode_bytes(&std::fs::read(&core).unwrap(), false).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let xsave = &mut v["entries"][0]["thread_info"]["fpregs"]["xsave"];
    assert_eq!(xsave["xstate_bv"], 2);
    // AVX (on the fake CPU) and AMX tile configuration (not on it).
    xsave["xstate_bv"] = ((1u64 << 17) | 0b110).into();
    let mut img = Vec::new();
    crit::image_json::encode_image(v.to_string().as_bytes(), "core.json", &mut img).unwrap();
    std::fs::write(&core, img).unwrap();
    let (root, _) = common::sysroot_copy();
    let r = report(t.path(), root.path(), &Fake::default());
    let cpu: Vec<NumRow<u32>> = r
        .problems
        .iter()
        .filter(|p| p.area == Area::Cpu)
        .map(|p| (p.kind, p.pid, p.feature.clone(), p.found.clone()))
        .collect();
    assert_eq!(cpu, vec![(Kind::Xfeature, Some(3359), s("amx-tilecfg"), s("0x7"))]);
    // The intact checkpoint (SSE only) is fine on the fake CPU and on this one.
    assert_eq!(
        of(&report(&c4("threads"), root.path(), &Fake::default()), Area::Cpu),
        vec![]
    );
    assert_eq!(
        of(&report(&c4("threads"), root.path(), &ProcHost::default()), Area::Cpu),
        vec![]
    );
    // Another architecture.
    let arm = Fake {
        arch: Some("aarch64".into()),
        ..Fake::default()
    };
    let r = report(&c4("threads"), root.path(), &arm);
    assert_eq!(of(&r, Area::Cpu), vec![(Kind::Arch, None, s("x86_64"), s("aarch64"))]);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn this_cpu_enables_x87_and_sse() {
    let x = ProcHost::default().xfeatures().unwrap();
    assert_eq!(x & 0b11, 0b11, "{x:#x}");
}

#[test]
fn json_and_exit_status() {
    let (root, null) = common::sysroot_copy();
    let exe = root.path().join(EXE.trim_start_matches('/'));
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = common::crit(&[
        "check",
        c4("mem").to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ready"], false);
    let mode = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "mode")
        .unwrap();
    assert_eq!(
        mode,
        &serde_json::json!({
            "area": "files", "kind": "mode", "path": EXE,
            "expected": "0100755", "found": "0100700",
            "message": "/usr/local/bin/cwork: mode 0100700 (the checkpoint has 0100755)",
            "fix": "chmod 755 /usr/local/bin/cwork under ROOT (or criu restore --skip-file-rwx-check)",
            "used_by": ["3374 (mem): executable, mapped"]
        })
    );
    // Could not check: 2, one line naming the file.
    let bad = tempfile::tempdir().unwrap();
    common::copy_checkpoint(&c4("mem"), bad.path());
    std::fs::write(bad.path().join("files.img"), b"\x01\x02\x03").unwrap();
    let out = common::crit(&[
        "check",
        bad.path().to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("crit: ") && err.contains("files.img"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // Ready: 0 (when the root can hold /dev/null).
    if null {
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = common::crit(&[
            "check",
            c4("tree").to_str().unwrap(),
            "--root",
            root.path().to_str().unwrap(),
        ]);
        let text = String::from_utf8(out.stdout).unwrap();
        // Tree's pids may be taken here; files are fine either way.
        assert!(!text.contains("FILES"), "{text}");
    }
}

/// A rootfs-diff.tar holding one file of `size` zeros at `path`, mode 0755.
fn rootfs_diff(path: &str, size: usize) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(size as u64);
    h.set_mode(0o755);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, path, &vec![0u8; size][..]).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn a_container_whose_rootfs_diff_supplies_a_file_the_root_lacks() {
    let ct = common::unpack_archive("crit-sleep.tar.gz");
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let check = || {
        let cp = Checkpoint::from_source(
            crit::source::Source::open(
                ct.path(),
                &crit::source::OpenOptions {
                    listings: true,
                    ..Default::default()
                },
            )
            .unwrap(),
        )
        .unwrap();
        check::check(
            &cp,
            &Options {
                root: root.path().to_path_buf(),
            },
            &Fake::default(),
        )
        .unwrap()
    };
    // The image's root lacks busybox: missing (and /dev/null, on the
    // runtime's /dev, is not looked up).
    let r = check();
    assert_eq!(
        of(&r, Area::Files),
        vec![(Kind::Missing, s("/bin/busybox"), None, None)]
    );
    assert!(r
        .notes
        .iter()
        .any(|n| n.kind == Kind::OtherMount && n.path.as_deref() == Some("/dev/null")));
    // The diff supplies it, of the recorded size and mode: no problem.
    std::fs::write(ct.path().join("rootfs-diff.tar"), rootfs_diff("bin/busybox", 2024544)).unwrap();
    let r = check();
    assert_eq!(of(&r, Area::Files), vec![]);
    assert!(r.ready, "{:?}", r.problems);
    assert!(r
        .notes
        .iter()
        .any(|n| n.kind == Kind::FromRootfsDiff && n.path.as_deref() == Some("/bin/busybox")));
    // One byte short in the diff: its size is wrong.
    std::fs::write(ct.path().join("rootfs-diff.tar"), rootfs_diff("bin/busybox", 2024543)).unwrap();
    assert_eq!(
        of(&check(), Area::Files),
        vec![(Kind::Size, s("/bin/busybox"), s("2024544"), s("2024543"))]
    );
    // Deleted in the container: missing, though the root has it.
    std::fs::remove_file(ct.path().join("rootfs-diff.tar")).unwrap();
    std::fs::create_dir(root.path().join("bin")).unwrap();
    std::fs::write(root.path().join("bin/busybox"), vec![0u8; 2024544]).unwrap();
    std::fs::set_permissions(root.path().join("bin/busybox"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(of(&check(), Area::Files), vec![]);
    std::fs::write(ct.path().join("deleted.files"), br#"["/bin"]"#).unwrap();
    assert_eq!(
        of(&check(), Area::Files),
        vec![(Kind::Missing, s("/bin/busybox"), None, None)]
    );
}

/// The README's example, as it is: the sysroot has no /dev/null, and (with
/// an empty PATH) there is no criu here.
#[test]
fn the_readme_example() {
    let root = common::fixtures().join("sysroot-4.2.1");
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["check", c4("mem").to_str().unwrap(), "--root", root.to_str().unwrap()])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "FILES (1 problem)\n  /dev/null: missing under ROOT (a character device)\n    used by 3374 (mem): fd 0, fd 1, fd 2\n    fix: create a character device at /dev/null (mode 020666)\n\nNOTES\n  kernel: no criu installed here (none on PATH)\n\nnot ready: 1 problem found\n"
    );
}

#[test]
fn criu_too_old_for_the_format_and_a_namespace_the_kernel_lacks() {
    let (root, _) = common::sysroot_copy();
    let host = Fake {
        criu: Some((4, 1, 1)),
        no_ns: vec!["time".into(), "ipc".into()],
        ..Fake::default()
    };
    // ipc (4.2.1) ran in fresh ipc, uts and pid namespaces, and keeps page counts in field 5.
    let r = report(&c4("ipc"), root.path(), &host);
    let k: Vec<(Kind, Option<String>, Option<String>)> = r
        .problems
        .iter()
        .filter(|p| p.area == Area::Kernel)
        .map(|p| (p.kind, p.feature.clone(), p.found.clone()))
        .collect();
    assert_eq!(
        k,
        vec![
            (Kind::CriuVersion, None, s("4.1.1")),
            (Kind::Namespace, s("ipc-namespace"), None),
        ]
    );
    // The 4.1.1 corpus is read by CRIU 4.1.1.
    let r = report(&common::corpus("ipc"), root.path(), &host);
    assert_eq!(of(&r, Area::Kernel), vec![(Kind::Namespace, None, None, None)]);
}

/// A pod: `--container` picks the container checked; without it, exit 2.
#[test]
fn a_pods_container() {
    let t = tempfile::tempdir().unwrap();
    let pod = t.path().join("pod.tar");
    std::fs::write(
        &pod,
        common::pod_of(&[
            ("a1b2c3d4-sleeper", "crit-sleep.tar"),
            ("e5f6a7b8-web", "crit-httpd.tar.gz"),
        ]),
    )
    .unwrap();
    let root = t.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kinds = |name: &str| {
        let out = common::crit(&[
            "check",
            pod.to_str().unwrap(),
            "--container",
            name,
            "--root",
            root.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{} {}", p["kind"].as_str().unwrap(), p["path"].as_str().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds("sleeper"), vec!["missing /bin/busybox"]);
    assert_eq!(kinds("web"), vec!["missing /bin/busybox", "missing /www"]);
    let out = common::crit(&["check", pod.to_str().unwrap(), "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
}

/// A unix socket's folder must be there; a hostile path reaches no terminal raw.
#[test]
fn a_socket_folder_missing_and_a_hostile_path_escaped() {
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = report(&c4("net"), root.path(), &Fake::default());
    assert!(of(&r, Area::Files).contains(&(Kind::Missing, s("/tmp"), None, None)));
    // The executable's name holds an escape sequence and a newline.
    let t = common::scratch_copy(&c4("mem"));
    let files = t.path().join("files.img");
    let json = common::decode_bytes(&std::fs::read(&files).unwrap(), false).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["entries"][0]["reg"]["name"], EXE);
    v["entries"][0]["reg"]["name"] = "/usr/local/bin/\u{1b}[2Jevil\nline".into();
    let mut img = Vec::new();
    crit::image_json::encode_image(v.to_string().as_bytes(), "files.json", &mut img).unwrap();
    std::fs::write(&files, img).unwrap();
    let out = common::crit(&[
        "check",
        t.path().to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(
        text.contains("  /usr/local/bin/\\x1b[2Jevil\\nline: missing under ROOT (a regular file)\n"),
        "{text}"
    );
}

/// A file several tasks need says which, and how; the table shows three.
#[test]
fn every_task_that_needs_a_file() {
    let (root, _) = common::sysroot_copy();
    std::fs::remove_file(root.path().join(EXE.trim_start_matches('/'))).unwrap();
    let r = report(&c4("tree"), root.path(), &Fake::default());
    let p = r.problems.iter().find(|p| p.path.as_deref() == Some(EXE)).unwrap();
    assert_eq!(
        p.used_by,
        vec![
            "3326 (tree-root): executable, mapped",
            "3327 (tree-kid0): executable, mapped",
            "3328 (tree-kid1): executable, mapped",
            "3330 (tree-grandkid): executable, mapped",
        ]
    );
    let out = common::crit(&[
        "check",
        c4("tree").to_str().unwrap(),
        "--root",
        root.path().to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "    used by 3328 (tree-kid1): executable, mapped\n    used by 1 more task\n    fix: install /usr/local/bin/cwork"
        ),
        "{text}"
    );
}
