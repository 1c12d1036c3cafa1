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
