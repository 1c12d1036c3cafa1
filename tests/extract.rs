//! `--extract DIR` (issue 20.5, 21.4, 20.8): an existing empty directory is
//! filled in place, a new one gets the mode `tar -x` would give it, a
//! non-empty one is refused; the bytes written are capped and zeros are
//! holes; an interrupted extraction leaves nothing behind.

use crate::common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{interrupt, names_in};

/// A gzip'd tar as CRIU writes a tmpfs: the root `./` (mode 1777), then
/// `members` (path, mode, contents; a path ending in `/` is a directory).
fn tmpfs_image(members: &[(&str, u32, &[u8])]) -> Vec<u8> {
    let mut raw = Vec::new();
    let all = std::iter::once(("./", 0o1777, &b""[..])).chain(members.iter().copied());
    for (path, mode, data) in all {
        let mut h = header(path);
        let dir = path.ends_with('/');
        h.set_entry_type(if dir {
            tar::EntryType::Directory
        } else {
            tar::EntryType::Regular
        });
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_cksum();
        raw.extend_from_slice(h.as_bytes());
        raw.extend_from_slice(data);
        raw.resize(raw.len().next_multiple_of(512), 0);
    }
    raw.extend_from_slice(&[0; 1024]);
    gzip(&raw)
}

/// A header named `path` as written (`./` kept, as CRIU's tar writes it).
fn header(path: &str) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(raw).unwrap();
    gz.finish().unwrap()
}

/// Writes `bytes` as `DIR/tmpfs-dev-81.tar.gz.img`.
fn image_file(dir: &Path, bytes: &[u8]) -> PathBuf {
    let p = dir.join("tmpfs-dev-81.tar.gz.img");
    fs::write(&p, bytes).unwrap();
    p
}

/// `crit decode -i IMG --extract DEST EXTRA…` in `cwd`, with umask `umask`.
fn extract(cwd: &Path, img: &Path, dest: &str, extra: &[&str], umask: u32) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_crit"));
    c.current_dir(cwd)
        .args(["decode", "-i", img.to_str().unwrap(), "--extract", dest])
        .args(extra);
    // SAFETY: umask is async-signal-safe and touches nothing else.
    unsafe {
        c.pre_exec(move || {
            libc::umask(umask);
            Ok(())
        });
    }
    c.output().unwrap()
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MEMBERS: &[(&str, u32, &[u8])] = &[
    ("./sub/", 0o755, b""),
    ("./sub/a", 0o640, b"alpha\n"),
    ("./s", 0o4755, b"setuid dropped"),
];

#[test]
fn an_empty_directory_is_filled_in_place() {
    let area = tempfile::tempdir().unwrap();
    let img = image_file(area.path(), &tmpfs_image(MEMBERS));
    let dest = area.path().join("dest");
    fs::DirBuilder::new().mode(0o700).create(&dest).unwrap();
    let before = fs::metadata(&dest).unwrap();
    let out = extract(area.path(), &img, "dest", &[], 0o022);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = fs::metadata(&dest).unwrap();
    // The same directory: inode, mode and owner kept (not the archive's 1777).
    assert_eq!(
        (after.ino(), after.mode() & 0o7777, after.uid(), after.gid()),
        (before.ino(), 0o700, before.uid(), before.gid())
    );
    assert_eq!(names_in(&dest), ["s", "sub"]);
    assert_eq!(fs::read(dest.join("sub/a")).unwrap(), b"alpha\n");
    assert_eq!(fs::read(dest.join("s")).unwrap(), b"setuid dropped");
    // The archive's modes less the umask, setuid dropped.
    assert_eq!(mode(&dest.join("sub")), 0o755);
    assert_eq!(mode(&dest.join("sub/a")), 0o640);
    assert_eq!(mode(&dest.join("s")), 0o755);
    assert_eq!(names_in(area.path()), ["dest", "tmpfs-dev-81.tar.gz.img"]);

    // `--extract .` from inside it: the shell's directory stays the same one.
    let here = area.path().join("here");
    fs::create_dir(&here).unwrap();
    let ino = fs::metadata(&here).unwrap().ino();
    let out = extract(&here, &img, ".", &[], 0o022);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::metadata(&here).unwrap().ino(), ino);
    assert_eq!(names_in(&here), ["s", "sub"]);
    assert_eq!(fs::read(here.join("sub/a")).unwrap(), b"alpha\n");
}

#[test]
fn a_directory_with_anything_in_it_is_refused() {
    let area = tempfile::tempdir().unwrap();
    let img = image_file(area.path(), &tmpfs_image(MEMBERS));
    let dest = area.path().join("dest");
    fs::create_dir(&dest).unwrap();
    fs::write(dest.join(".keep"), b"mine").unwrap();
    let out = extract(area.path(), &img, "dest", &[], 0o022);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "crit: dest: not empty; --extract fills an empty directory or creates a new one\n"
    );
    assert_eq!(names_in(&dest), [".keep"]);
    assert_eq!(fs::read(dest.join(".keep")).unwrap(), b"mine");
}

#[test]
fn a_new_directory_gets_the_archive_mode_less_the_umask() {
    let area = tempfile::tempdir().unwrap();
    let img = image_file(area.path(), &tmpfs_image(MEMBERS));
    for (umask, dir_mode, file_mode) in [(0o022, 0o1755, 0o755), (0o027, 0o1750, 0o750), (0o077, 0o1700, 0o700)] {
        let name = format!("new-{umask:o}");
        let out = extract(area.path(), &img, &name, &[], umask);
        assert!(out.status.success(), "{}", stderr(&out));
        let dest = area.path().join(&name);
        // Never world-writable: 1777 less the umask, as `tar -x` gives it.
        assert_eq!(mode(&dest), dir_mode, "umask {umask:o}");
        assert_eq!(mode(&dest.join("s")), file_mode, "umask {umask:o}");
        assert_eq!(mode(&dest.join("sub/a")), 0o640 & !umask, "umask {umask:o}");
        assert_eq!(fs::read(dest.join("sub/a")).unwrap(), b"alpha\n");
    }
    // Only what was asked for was made beside the image.
    assert_eq!(
        names_in(area.path()),
        ["new-22", "new-27", "new-77", "tmpfs-dev-81.tar.gz.img"]
    );
}

#[test]
fn the_bytes_extracted_are_capped_and_zeros_are_holes() {
    let area = tempfile::tempdir().unwrap();
    // 3 MiB, of which one page holds data.
    let mut big = vec![0u8; 3 << 20];
    big[(1 << 20) + 17] = 0x5a;
    let img = image_file(
        area.path(),
        &tmpfs_image(&[("./small", 0o644, b"x"), ("./big", 0o644, &big)]),
    );
    let out = extract(area.path(), &img, "capped", &["--max-extract", "2M"], 0o022);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "crit: {}: member \"./big\" (3145728 bytes) would take the files extracted past the limit of 2 MiB; \
             raise it with --max-extract SIZE; nothing was extracted\n",
            img.display()
        )
    );
    assert_eq!(names_in(area.path()), ["tmpfs-dev-81.tar.gz.img"]);
    // Raised, it is written, sparse: its zero pages cost no disk.
    let out = extract(area.path(), &img, "roomy", &["--max-extract", "4M"], 0o022);
    assert!(out.status.success(), "{}", stderr(&out));
    let big_file = area.path().join("roomy/big");
    assert_eq!(fs::read(&big_file).unwrap(), big);
    assert!(fs::metadata(&big_file).unwrap().blocks() * 512 <= 64 * 1024);
}

#[test]
fn the_default_cap_refuses_a_disk_bomb_before_writing_it() {
    // A header that claims 2 GiB, as a tiny hostile image may.
    let mut h = header("./bomb");
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(2 << 30);
    h.set_mode(0o644);
    h.set_cksum();
    let mut raw = h.as_bytes().to_vec();
    raw.extend_from_slice(&[0; 4096]);
    let area = tempfile::tempdir().unwrap();
    let img = image_file(area.path(), &gzip(&raw));
    let out = extract(area.path(), &img, "dest", &[], 0o022);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("member \"./bomb\" (2147483648 bytes) would take the files extracted past the limit of 1 GiB")
            && err.contains("--max-extract SIZE"),
        "{err}"
    );
    assert_eq!(names_in(area.path()), ["tmpfs-dev-81.tar.gz.img"]);
    // A size that is no size is refused by the option itself.
    let out = extract(area.path(), &img, "dest", &["--max-extract", "lots"], 0o022);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a size: \"lots\""), "{}", stderr(&out));
}

#[test]
fn an_interrupted_extraction_leaves_nothing() {
    let area = tempfile::tempdir().unwrap();
    let img = tmpfs_image(MEMBERS);
    // The first bytes only: crit waits for the rest of the stream.
    let feed = &img[..img.len() / 2];
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // Into an existing empty directory: it stays, empty, the same one.
        let dest = area.path().join("empty");
        fs::create_dir(&dest).unwrap();
        let ino = fs::metadata(&dest).unwrap().ino();
        let d = dest.to_str().unwrap();
        let status = interrupt(
            &["decode", "--extract", d],
            &[],
            feed,
            |_| !names_in(&dest).is_empty(),
            sig,
        );
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert_eq!(names_in(&dest), Vec::<String>::new(), "signal {sig}");
        assert_eq!(fs::metadata(&dest).unwrap().ino(), ino);
        fs::remove_dir(&dest).unwrap();
        // Into a new one: it is not left.
        let dest = area.path().join("new");
        let status = interrupt(
            &["decode", "--extract", dest.to_str().unwrap()],
            &[],
            feed,
            |_| dest.exists(),
            sig,
        );
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert_eq!(names_in(area.path()), Vec::<String>::new(), "signal {sig}");
    }
}

#[test]
fn an_error_names_the_users_path_not_ours() {
    // A name longer than a file system allows (a GNU long-name member).
    let long = "a".repeat(300);
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(1);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    b.append_data(&mut h, format!("sub/{long}"), &b"x"[..]).unwrap();
    let img = gzip(&b.into_inner().unwrap());
    let area = tempfile::tempdir().unwrap();
    let img = image_file(area.path(), &img);
    fs::create_dir(area.path().join("dest")).unwrap();
    let out = extract(area.path(), &img, "dest", &[], 0o022);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("crit: dest/sub/{long}: File name too long (os error 36)\n")
    );
    assert_eq!(names_in(&area.path().join("dest")), Vec::<String>::new());
}

/// Extracting 3 MiB on a terminal shows a bar (issue 21.10); the files and
/// the JSON are the same as without it.
#[test]
fn a_long_extraction_shows_its_progress_on_a_terminal() {
    let data: Vec<u8> = (0..3u32 << 20).map(|i| (i % 251) as u8 + 1).collect();
    let tmp = tempfile::tempdir().unwrap();
    let img = image_file(tmp.path(), &tmpfs_image(&[("./big", 0o644, &data)]));
    let img = img.to_str().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let piped = common::crit(&["decode", "-i", img, "--extract", a.to_str().unwrap()]);
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(stderr(&piped), "");
    let env = [("CRIT_PROGRESS_DELAY_MS", "0")];
    let args = ["decode", "-i", img, "--extract", b.to_str().unwrap()];
    let (out, tty, ok) = common::crit_stderr_on_pty(&args, &env);
    assert!(ok);
    let tty = String::from_utf8_lossy(&tty);
    assert!(
        tty.starts_with("crit: extracting tmpfs-dev-81.tar.gz.img ")
            && tty.contains("3.00 MiB")
            && tty.ends_with("\r\x1b[2K"),
        "{tty:?}"
    );
    assert_eq!(out, piped.stdout);
    assert_eq!(fs::read(a.join("big")).unwrap(), data);
    assert_eq!(fs::read(b.join("big")).unwrap(), data);
}
