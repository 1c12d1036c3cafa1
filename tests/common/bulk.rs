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
