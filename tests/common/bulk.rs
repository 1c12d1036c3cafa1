//! Generated checkpoints of many tasks, cheaply: every task a hard link of
//! one real task's images (`corpus/mem`), only `pstree.img` written anew.

use std::fs;
use std::path::Path;

use crit::image::{write_entry, write_header};
use crit::proto::PstreeEntry;
use prost::Message;

/// The task of `corpus/mem` every generated task copies.
const TEMPLATE: u32 = 20931;
/// The first generated pid.
pub const FIRST_PID: u32 = 1000;

/// Writes into `dir` a checkpoint of `n` live tasks in a tree of fan-out
/// `fanout` (1: a chain), each with the template's core, ids, fs, mm and
/// pagemap (all tasks share its fd table and its pages file).
pub fn many_tasks(dir: &Path, n: u32, fanout: u32) {
    let tpl = super::corpus("mem");
    fs::create_dir_all(dir).unwrap();
    for shared in [
        "fdinfo-2.img",
        "files.img",
        "inventory.img",
        "pages-1.img",
        "seccomp.img",
        "timens-0.img",
    ] {
        fs::copy(tpl.join(shared), dir.join(shared)).unwrap();
    }
    let mut tree = Vec::new();
    write_header(&mut tree, "PSTREE").unwrap();
    for i in 0..n {
        let pid = FIRST_PID + i;
        let ppid = if i == 0 { 0 } else { FIRST_PID + (i - 1) / fanout };
        let e = PstreeEntry {
            pid,
            ppid,
            pgid: FIRST_PID,
            sid: FIRST_PID,
            threads: vec![pid],
        };
        write_entry(&mut tree, &e.encode_to_vec()).unwrap();
        for kind in ["core", "ids", "fs", "mm", "pagemap"] {
            fs::hard_link(
                tpl.join(format!("{kind}-{TEMPLATE}.img")),
                dir.join(format!("{kind}-{pid}.img")),
            )
            .unwrap();
        }
    }
    fs::write(dir.join("pstree.img"), tree).unwrap();
}

/// Writes into `dir` a checkpoint of one task (`corpus/mem`'s) with `n` more
/// open fds, each a regular file of its own. Entries are written one at a
/// time: the test process stays small, as a test of a child's peak memory
/// needs (a child starts with its parent's peak counted).
pub fn many_fds(dir: &Path, n: u32) {
    use crit::proto::{FdinfoEntry, FileEntry, RegFileEntry};
    use std::io::{BufWriter, Write};
    const FIRST: u32 = 1_000_000;
    many_tasks(dir, 1, 1);
    let reg = crit::image::read_all::<FileEntry>(dir.join("files.img"))
        .unwrap()
        .into_iter()
        .find_map(|f| f.reg)
        .unwrap();
    let append = |name: &str| BufWriter::new(fs::OpenOptions::new().append(true).open(dir.join(name)).unwrap());
    let (mut files, mut fdinfo) = (append("files.img"), append("fdinfo-2.img"));
    for k in 0..n {
        let f = FileEntry {
            r#type: 1, // REG
            id: FIRST + k,
            reg: Some(RegFileEntry {
                id: FIRST + k,
                pos: u64::from(k),
                name: format!("/data/file-{k:06}"),
                ..reg.clone()
            }),
            ..Default::default()
        };
        write_entry(&mut files, &f.encode_to_vec()).unwrap();
        let fd = FdinfoEntry {
            id: FIRST + k,
            r#type: 1,
            fd: 1000 + k,
            ..Default::default()
        };
        write_entry(&mut fdinfo, &fd.encode_to_vec()).unwrap();
    }
    files.flush().unwrap();
    fdinfo.flush().unwrap();
}

/// Appends to `out` a zstd frame of `n` zero bytes (`n` a multiple of 128
/// KiB), made of RLE blocks: 4 bytes per 128 KiB, so a few GiB of zeros
/// cost a few dozen KiB of archive and no time to make.
pub fn zstd_zeros(out: &mut Vec<u8>, n: u64) {
    const BLOCK: u64 = 128 << 10;
    assert_eq!(n % BLOCK, 0);
    out.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]); // magic
    out.push(0x00); // no content size, no checksum, a window descriptor follows
    out.push(7 << 3); // a window of 2^(10+7) = 128 KiB
    let blocks = n / BLOCK;
    for i in 0..blocks {
        let last = u32::from(i + 1 == blocks);
        let header = last | (1 << 1) | ((BLOCK as u32) << 3); // RLE, BLOCK repeats
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.push(0);
    }
}

/// A `.tar.zst` container archive: `crit-sleep.tar.zst` with `extra` bytes
/// of zeros added to the end of its `checkpoint/pages-1.img` (memory no
/// pagemap names, which a copy of raw memory copies all the same).
pub fn zero_bomb(extra: u64) -> Vec<u8> {
    let tar = super::raw_tar(&super::fixtures().join("archives/crit-sleep.tar.zst"));
    let mut ar = tar::Archive::new(&tar[..]);
    let (header_at, data_at, size) = ar
        .entries()
        .unwrap()
        .map(Result::unwrap)
        .find(|e| e.path_bytes().ends_with(b"checkpoint/pages-1.img"))
        .map(|e| {
            (
                e.raw_header_position() as usize,
                e.raw_file_position() as usize,
                e.size() as usize,
            )
        })
        .unwrap();
    assert_eq!(size % 512, 0);
    let mut header = tar::Header::from_byte_slice(&tar[header_at..header_at + 512]).clone();
    header.set_size((size as u64) + extra);
    header.set_cksum();
    let mut head = tar[..header_at].to_vec();
    head.extend_from_slice(header.as_bytes());
    head.extend_from_slice(&tar[data_at..data_at + size]);
    let mut out = zstd::encode_all(&head[..], 3).unwrap();
    zstd_zeros(&mut out, extra);
    out.extend(zstd::encode_all(&tar[data_at + size..], 3).unwrap());
    out
}

/// `tar` with member `first` moved to the front (an archive in another
/// order than Podman's).
pub fn moved_first(tar: &[u8], first: &str) -> Vec<u8> {
    use std::io::Read;
    let mut ar = tar::Archive::new(tar);
    let mut members = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let header = e.header().clone();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        members.push((name, header, data));
    }
    members.sort_by_key(|(name, _, _)| name != first);
    let mut b = tar::Builder::new(Vec::new());
    for (_, header, data) in members {
        b.append(&header, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

/// A `.tar.zst` of `crit-sleep.tar.zst` with members of zeros put in front,
/// by name and size (each a multiple of 128 KiB), compressed to almost
/// nothing.
pub fn zeros_in_front(members: &[(&str, u64)]) -> Vec<u8> {
    let tar = super::raw_tar(&super::fixtures().join("archives/crit-sleep.tar.zst"));
    let mut out = Vec::new();
    for &(name, size) in members {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        out.extend(zstd::encode_all(h.as_bytes().as_slice(), 3).unwrap());
        zstd_zeros(&mut out, size);
    }
    out.extend(zstd::encode_all(&tar[..], 3).unwrap());
    out
}
