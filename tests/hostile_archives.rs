//! Archives whose names would eat memory (issue 21.2): GNU long names and
//! links, PAX headers of hundreds of MiB (zeros, so the archive stays small)
//! in the archive and in a nested `rootfs-diff.tar`, in plain, gzip and zstd
//! archives. Each is refused before the name is read: one short error line,
//! exit 1, and a few MiB of memory.

use crate::common;

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{crit_measured, fixtures, raw_tar, Measured};

/// Pieces of a tar stream: bytes, or a run of zeros (a hole in a plain
/// tar, repeated compressed members in a gzip or zstd one).
enum Seg {
    Bytes(Vec<u8>),
    Zeros(u64),
}

const MIB: u64 = 1 << 20;

/// A header of type `kind` announcing `size` bytes of data.
fn header(kind: u8, name: &str, size: u64) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_path(name).unwrap();
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// An extension header of `size` bytes of zeros (whole blocks).
fn zeros_member(kind: u8, size: u64) -> Vec<Seg> {
    vec![
        Seg::Bytes(header(kind, "././@LongLink", size)),
        Seg::Zeros(size.div_ceil(512) * 512),
    ]
}

/// The segments as a plain tar (holes for zeros), a gzip and a zstd file.
fn write_all_three(segs: &[Seg], dir: &Path, name: &str) -> Vec<PathBuf> {
    let plain = dir.join(format!("{name}.tar"));
    let mut f = std::fs::File::create(&plain).unwrap();
    for s in segs {
        match s {
            Seg::Bytes(b) => f.write_all(b).unwrap(),
            Seg::Zeros(n) => {
                f.seek(SeekFrom::Current(*n as i64)).unwrap();
            }
        }
    }
    let end = f.stream_position().unwrap();
    f.set_len(end).unwrap();
    let gz = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let zst = |b: &[u8]| zstd::encode_all(b, 1).unwrap();
    let mut out = vec![plain];
    for (ext, comp) in [("tar.gz", &gz as &dyn Fn(&[u8]) -> Vec<u8>), ("tar.zst", &zst)] {
        // Concatenated members (frames) decode as their concatenation.
        let mib = comp(&vec![0u8; MIB as usize]);
        let mut bytes = Vec::new();
        for s in segs {
            match s {
                Seg::Bytes(b) => bytes.extend(comp(b)),
                Seg::Zeros(n) => {
                    for _ in 0..n / MIB {
                        bytes.extend_from_slice(&mib);
                    }
                    bytes.extend(comp(&vec![0u8; (n % MIB) as usize]));
                }
            }
        }
        let p = dir.join(format!("{name}.{ext}"));
        std::fs::write(&p, bytes).unwrap();
        out.push(p);
    }
    out
}

/// The small fixture archive, as a plain tar.
fn sleep_tar() -> Vec<u8> {
    raw_tar(&fixtures().join("archives/crit-sleep.tar"))
}

/// Runs `crit ARGS`, and checks it failed with exactly `want` on one line,
/// quickly and in a few MiB.
fn refused(args: &[&str], want: &str) {
    refused_after(args, want, 0);
}

/// As [`refused`], allowing `printed` bytes on standard output first.
fn refused_after(args: &[&str], want: &str, printed: usize) {
    let Measured {
        out,
        max_rss_kib,
        timed_out,
    } = crit_measured(args, Duration::from_secs(60));
    assert!(!timed_out, "crit {args:?} did not finish");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "crit {args:?}: {err}");
    assert_eq!(err, format!("crit: {want}\n"), "crit {args:?}");
    assert!(
        out.stdout.len() <= printed,
        "crit {args:?} printed {} bytes",
        out.stdout.len()
    );
    assert!(max_rss_kib < 48 * 1024, "crit {args:?} peaked at {max_rss_kib} KiB");
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn huge_extension_headers_are_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            b'L',
            256 * MIB,
            "a GNU long name of 268435456 bytes, longer than PATH_MAX (4096)",
        ),
        (
            b'K',
            256 * MIB,
            "a GNU long link target of 268435456 bytes, longer than PATH_MAX (4096)",
        ),
        (
            b'x',
            256 * MIB,
            "a PAX extended header of 268435456 bytes, over the limit of 65536",
        ),
        (
            b'g',
            64 * MIB,
            "a PAX extended header of 67108864 bytes, over the limit of 65536",
        ),
    ];
    for (kind, size, what) in cases {
        let mut segs = zeros_member(kind, size);
        segs.push(Seg::Bytes(sleep_tar()));
        for p in write_all_three(&segs, tmp.path(), &format!("long-{}", kind as char)) {
            let p = p.to_str().unwrap();
            refused(
                &["x", p, "ps"],
                &format!("{p}: at byte 0: {what}: refused before it is read"),
            );
        }
    }
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn a_huge_name_after_members_says_where() {
    let tmp = tempfile::tempdir().unwrap();
    // Two members first: the refusal names the byte offset of the header.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    b.append_data(&mut h, "a", &b"abc"[..]).unwrap();
    b.append_data(&mut h, "b", &b"def"[..]).unwrap();
    let head = b.into_inner().unwrap();
    let head = head[..2048].to_vec();
    let mut segs = vec![Seg::Bytes(head)];
    segs.extend(zeros_member(b'L', 64 * MIB));
    segs.push(Seg::Bytes(sleep_tar()));
    for p in write_all_three(&segs, tmp.path(), "late") {
        let p = p.to_str().unwrap();
        refused(
            &["inspect", p],
            &format!(
                "{p}: at byte 2048: a GNU long name of 67108864 bytes, longer than PATH_MAX (4096): refused before it is read"
            ),
        );
    }
}

/// The fixture archive with a `rootfs-diff.tar` member made of `nested`
/// (its end-of-archive marker moved after it).
fn with_rootfs_diff(nested: Vec<Seg>) -> Vec<Seg> {
    let mut outer = sleep_tar();
    // Cut the end marker (and padding) after the last member (its own
    // `rootfs-diff.tar`, which the new one replaces).
    let end = tar::Archive::new(&outer[..])
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            e.raw_file_position() + e.size().div_ceil(512) * 512
        })
        .max()
        .unwrap();
    outer.truncate(end as usize);
    let size: u64 = nested
        .iter()
        .map(|s| match s {
            Seg::Bytes(b) => b.len() as u64,
            Seg::Zeros(n) => *n,
        })
        .sum();
    assert_eq!(size % 512, 0);
    outer.extend(header(b'0', "rootfs-diff.tar", size));
    let mut segs = vec![Seg::Bytes(outer)];
    segs.extend(nested);
    segs.push(Seg::Bytes(vec![0; 1024]));
    segs
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn huge_names_in_a_nested_tar_are_refused_too() {
    let tmp = tempfile::tempdir().unwrap();
    let mut nested = vec![Seg::Bytes({
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        b.append_data(&mut h, "etc/ok", &b"ok"[..]).unwrap();
        b.into_inner().unwrap()[..1024].to_vec()
    })];
    nested.extend(zeros_member(b'x', 128 * MIB));
    nested.push(Seg::Bytes(vec![0; 1024]));
    for p in write_all_three(&with_rootfs_diff(nested), tmp.path(), "nested") {
        let p = p.to_str().unwrap();
        // From a plain tar, `inspect` shows the rest first (the nested tar
        // is listed in place); a compressed one is refused as it streams.
        refused_after(
            &["inspect", p],
            &format!(
                "{p}:rootfs-diff.tar: at byte 1024: a PAX extended header of 134217728 bytes, over the limit of 65536: refused before it is read"
            ),
            if p.ends_with(".tar") { 16 * 1024 } else { 0 },
        );
    }
}

/// A plain tar whose one member has PAX records `records` (a name under
/// the PAX cap but over PATH_MAX, say).
fn pax_tar(records: &[(&str, Vec<u8>)], kind: u8) -> Vec<u8> {
    let mut data = Vec::new();
    for (k, v) in records {
        // "LEN key=value\n", LEN counting itself.
        let body = 1 + k.len() + 1 + v.len() + 1;
        let mut len = body + 1;
        while len != body + len.to_string().len() {
            len = body + len.to_string().len();
        }
        data.extend(format!("{len} {k}=").as_bytes());
        data.extend(v);
        data.push(b'\n');
    }
    let mut out = header(b'x', "PaxHeaders/x", data.len() as u64);
    data.resize(data.len().div_ceil(512) * 512, 0);
    out.extend(data);
    out.extend(header(kind, "short", 0));
    out.extend(vec![0; 1024]);
    out
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn names_and_links_over_path_max_are_refused_quoting_a_short_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let long = [b"checkpoint/".to_vec(), vec![b'n'; 5000]].concat();
    let prefix = format!("checkpoint/{}", "n".repeat(53));
    let cases = [
        (
            pax_tar(&[("path", long.clone())], b'0'),
            format!("refused: a name of 5011 bytes, \"{prefix}… (5011 bytes)\": longer than 4096 bytes (PATH_MAX)"),
        ),
        (
            pax_tar(&[("linkpath", long.clone())], b'2'),
            format!(
                "refused: a link target of 5011 bytes, \"{prefix}… (5011 bytes)\": longer than 4096 bytes (PATH_MAX)"
            ),
        ),
    ];
    for (i, (tar, what)) in cases.into_iter().enumerate() {
        for p in common::three_compressions(&tar, tmp.path(), &format!("pax{i}")) {
            let p = p.to_str().unwrap();
            let label = if i == 0 {
                format!("{p}:{prefix}… (5011 bytes)")
            } else {
                format!("{p}:short")
            };
            refused(&["x", p, "ps"], &format!("{label}: {what}"));
        }
    }
    // A name of exactly PATH_MAX bytes is no reason to refuse: the archive
    // is refused later, for lacking a checkpoint.
    let ok = [b"checkpoint/".to_vec(), vec![b'n'; 4096 - 11]].concat();
    let p = tmp.path().join("max.tar");
    std::fs::write(&p, pax_tar(&[("path", ok)], b'0')).unwrap();
    let out = common::crit(&["x", p.to_str().unwrap(), "ps"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("PATH_MAX"), "{err}");
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn an_absolute_name_is_quoted_short() {
    let tmp = tempfile::tempdir().unwrap();
    let abs = [b"/".to_vec(), vec![b'a'; 4000]].concat();
    let tar = pax_tar(&[("path", abs)], b'0');
    let p = tmp.path().join("abs.tar");
    std::fs::write(&p, tar).unwrap();
    let p = p.to_str().unwrap();
    let shown = format!("/{}… (4001 bytes)", "a".repeat(63));
    refused(
        &["x", p, "ps"],
        &format!("{p}:{shown}: refused: absolute path \"{shown}\""),
    );
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn the_watch_follows_a_pax_size() {
    // A member whose PAX `size` (1024) overrides its header's (0): the
    // long name after it is at byte 2560, where the `tar` crate looks.
    let tmp = tempfile::tempdir().unwrap();
    let mut tar = pax_tar(&[("size", b"1024".to_vec())], b'0');
    tar.truncate(1536);
    tar.extend(vec![0u8; 1024]);
    let mut segs = vec![Seg::Bytes(tar)];
    segs.extend(zeros_member(b'L', 64 * MIB));
    segs.push(Seg::Bytes(sleep_tar()));
    for p in write_all_three(&segs, tmp.path(), "paxsize") {
        let p = p.to_str().unwrap();
        refused(
            &["x", p, "ps"],
            &format!(
                "{p}: at byte 2560: a GNU long name of 67108864 bytes, longer than PATH_MAX (4096): refused before it is read"
            ),
        );
    }
}

#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn a_tmpfs_image_with_a_huge_name_is_refused_too() {
    let tmp = tempfile::tempdir().unwrap();
    let mut segs = zeros_member(b'L', 64 * MIB);
    segs.push(Seg::Bytes(vec![0; 1024]));
    let gz = &write_all_three(&segs, tmp.path(), "tmpfs")[1];
    let img = tmp.path().join("tmpfs-dev-5.tar.gz.img");
    std::fs::rename(gz, &img).unwrap();
    let img = img.to_str().unwrap();
    refused(
        &["decode", "-i", img],
        &format!(
            "{img}: member 0: at byte 0: a GNU long name of 67108864 bytes, longer than PATH_MAX (4096): refused before it is read"
        ),
    );
}
