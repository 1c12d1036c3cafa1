//! `gen-checkpoint`: write a large synthetic checkpoint, for the explorer
//! benchmark (`bench/explore.py`).
//!
//! ```text
//! cargo run --release --example gen-checkpoint -- OUT_DIR [TASKS [VMAS [RUNS [FDS]]]]
//! ```
//!
//! writes `OUT_DIR` with `TASKS` tasks (default 5,000) whose root task has
//! `VMAS` mappings (default 100,000) and a pagemap of `RUNS` entries
//! (default 200,000), and `FDS` more open files (default 0: each a
//! regular file of its own, for `bench/fds.sh`). Every image is built from the entries of a real
//! checkpoint (`tests/fixtures/corpus/net`: files, sockets, queues) through
//! our own prost types and image writer: each task gets its own core, ids,
//! fd table, fs, mm and pagemap image, as CRIU writes them; the root's
//! mappings repeat the template's (file mappings, anonymous memory, stack)
//! at new addresses, two pagemap runs per mapping. Every task reads its
//! pages from a pages file of its own, as CRIU writes them (`pages-PID.img`,
//! a hard link to one copy of the template's `pages-1.img`: no disk per
//! task; the root's is `pages-1.img` resized, sparsely, to its runs), as the
//! overview and `diff` read memory. Errors name the file that failed.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crit::image::{read_all, read_first, write_entry, write_header};
use crit::proto::{
    CoreEntry, FdinfoEntry, FileEntry, FsEntry, MmEntry, PagemapEntry, PagemapHead, PstreeEntry, RegFileEntry,
    TaskKobjIdsEntry, VmaEntry,
};
use prost::Message;

const TEMPLATE_PID: u32 = 20955;
/// The first pid of the synthetic tree (the root's).
const FIRST_PID: u32 = 1000;
const PAGE: u64 = 4096;
const PE_PRESENT: u32 = 1 << 2;

/// Image `path` of `entries`; an error names it.
fn write_image<M: Message>(path: &Path, magic: &str, entries: &[M]) -> Result<(), String> {
    at(path, write_entries(path, magic, entries))
}

fn write_entries<M: Message>(path: &Path, magic: &str, entries: &[M]) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    write_header(&mut out, magic)?;
    let mut buf = Vec::new();
    for e in entries {
        buf.clear();
        e.encode(&mut buf).expect("a Vec grows");
        write_entry(&mut out, &buf)?;
    }
    out.flush()
}

/// Adds the path to an I/O error: `No space left on device` alone does not
/// say which of 600,000 files failed.
fn at<T>(path: &Path, r: std::io::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: gen-checkpoint OUT_DIR [TASKS [VMAS [RUNS [FDS]]]]")?,
    );
    let mut num = |default: usize| args.next().map_or(Ok(default), |a| a.parse::<usize>());
    let (tasks, vmas, runs, extra_fds) = (num(5_000)?, num(100_000)?, num(200_000)?, num(0)?);
    let tpl = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/net");
    let img = |name: String| tpl.join(name);
    fs::create_dir_all(&out)?;

    // Shared by all tasks, as after fork: the file table and socket queues.
    for e in fs::read_dir(&tpl)? {
        let name = e?.file_name();
        let name = name.to_string_lossy();
        if ["files.img", "inventory.img", "pages-1.img", "sk-queues.img"].contains(&name.as_ref())
            || name.starts_with("tcp-stream-")
        {
            fs::copy(tpl.join(&*name), out.join(&*name))?;
        }
    }

    let core: CoreEntry = read_first(img(format!("core-{TEMPLATE_PID}.img")))?;
    let ids: TaskKobjIdsEntry = read_first(img(format!("ids-{TEMPLATE_PID}.img")))?;
    let fdinfo: Vec<FdinfoEntry> = read_all(img(format!("fdinfo-{}.img", ids.files_id)))?;
    let fs_entry: FsEntry = read_first(img(format!("fs-{TEMPLATE_PID}.img")))?;
    let mm: MmEntry = read_first(img(format!("mm-{TEMPLATE_PID}.img")))?;
    let pagemap: Vec<PagemapEntry> = read_all::<PagemapEntry>(img(format!("pagemap-{TEMPLATE_PID}.img")))?
        .into_iter()
        .skip(1)
        .collect();

    // A tree of fan-out 64: the root, its children, their children.
    let mut tree = Vec::with_capacity(tasks);
    for i in 0..tasks as u32 {
        let pid = FIRST_PID + i;
        let ppid = if i == 0 { 0 } else { FIRST_PID + (i - 1) / 64 };
        tree.push(PstreeEntry {
            pid,
            ppid,
            pgid: FIRST_PID,
            sid: FIRST_PID,
            threads: vec![pid],
        });
    }
    write_image(&out.join("pstree.img"), "PSTREE", &tree)?;

    // The others' pages: the template's, one copy linked under each task's
    // name (a file has at most 65,000 links on ext4: a new copy then).
    let shared = out.join("pages-template.img");
    at(&shared, fs::copy(tpl.join("pages-1.img"), &shared))?;
    // The root's runs read a page each from pages-1.img: the template's,
    // then zeros (a sparse file), exactly its runs' pages.
    let root_pages = out.join("pages-1.img");
    let pages = at(&root_pages, File::options().write(true).open(&root_pages))?;
    at(&root_pages, pages.set_len(runs as u64 * PAGE))?;
    if extra_fds > 0 {
        more_files(&tpl, &out, extra_fds)?;
    }
    for (i, t) in tree.iter().enumerate() {
        let pid = t.pid;
        if i > 0 {
            link_pages(&shared, &out.join(format!("pages-{pid}.img")))?;
        }
        let mut core = core.clone();
        if let Some(tc) = core.tc.as_mut() {
            tc.comm = if i == 0 {
                "bigroot".into()
            } else {
                format!("worker-{i}")
            };
            tc.task_state = 1;
        }
        write_image(&out.join(format!("core-{pid}.img")), "CORE", &[core])?;
        let ids = TaskKobjIdsEntry { files_id: pid, ..ids };
        write_image(&out.join(format!("ids-{pid}.img")), "IDS", &[ids])?;
        let mut fdinfo = fdinfo.clone();
        if i == 0 {
            fdinfo.extend((0..extra_fds as u32).map(|k| FdinfoEntry {
                id: EXTRA_ID + k,
                flags: 0,
                r#type: 1, // REG
                fd: 1000 + k,
                ..Default::default()
            }));
        }
        write_image(&out.join(format!("fdinfo-{pid}.img")), "FDINFO", &fdinfo)?;
        write_image(&out.join(format!("fs-{pid}.img")), "FS", &[fs_entry])?;
        let (mm, pm) = if i == 0 {
            big_memory(&mm, vmas, runs)
        } else {
            (mm.clone(), pagemap.clone())
        };
        write_image(&out.join(format!("mm-{pid}.img")), "MM", &[mm])?;
        let head = PagemapHead {
            pages_id: if i == 0 { 1 } else { pid },
        };
        let pagemap_img = out.join(format!("pagemap-{pid}.img"));
        at(&pagemap_img, write_pagemap(&pagemap_img, &head, &pm))?;
    }
    at(&shared, fs::remove_file(&shared))?;
    println!(
        "{}: {tasks} tasks; the root has {vmas} mappings and {runs} pagemap runs",
        out.display()
    );
    Ok(())
}

fn write_pagemap(path: &Path, head: &PagemapHead, pm: &[PagemapEntry]) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    write_header(&mut w, "PAGEMAP")?;
    write_entry(&mut w, &head.encode_to_vec())?;
    for e in pm {
        write_entry(&mut w, &e.encode_to_vec())?;
    }
    w.flush()
}

/// `to`, a hard link to `shared`; when `shared` has as many links as the
/// file system allows (EMLINK), `shared` is copied anew first.
fn link_pages(shared: &Path, to: &Path) -> Result<(), String> {
    const EMLINK: i32 = 31;
    match fs::hard_link(shared, to) {
        Err(e) if e.raw_os_error() == Some(EMLINK) => {
            let fresh = shared.with_extension("new");
            at(&fresh, fs::copy(shared, &fresh))?;
            at(shared, fs::rename(&fresh, shared))?;
            at(to, fs::hard_link(shared, to))
        }
        r => at(to, r),
    }
}

/// The first id of the files `FDS` adds.
const EXTRA_ID: u32 = 1_000_000;

/// `files.img`: the template's files, then `n` regular files of their own.
fn more_files(tpl: &Path, out: &Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut files: Vec<FileEntry> = read_all(tpl.join("files.img"))?;
    let reg = files
        .iter()
        .find_map(|f| f.reg.clone())
        .ok_or("the template has no regular file")?;
    files.extend((0..n as u32).map(|k| FileEntry {
        r#type: 1, // REG
        id: EXTRA_ID + k,
        reg: Some(RegFileEntry {
            id: EXTRA_ID + k,
            pos: u64::from(k) * 17,
            name: format!("/var/lib/app/data/file-{k:06}.bin"),
            ..reg.clone()
        }),
        ..Default::default()
    }));
    write_image(&out.join("files.img"), "FILES", &files)?;
    Ok(())
}

/// The template's mappings repeated `vmas` times at new addresses (each 4
/// pages, a page apart), and `runs` pagemap runs spread over them.
fn big_memory(mm: &MmEntry, vmas: usize, runs: usize) -> (MmEntry, Vec<PagemapEntry>) {
    let base = 0x5500_0000_0000u64;
    let stride = 5 * PAGE;
    let list: Vec<VmaEntry> = (0..vmas)
        .map(|i| {
            let t = &mm.vmas[i % mm.vmas.len()];
            let start = base + i as u64 * stride;
            VmaEntry {
                start,
                end: start + 4 * PAGE,
                ..*t
            }
        })
        .collect();
    let per_vma = runs.div_ceil(vmas.max(1)).max(1) as u64;
    let pm = (0..runs)
        .map(|r| {
            let (v, k) = (r as u64 / per_vma, r as u64 % per_vma);
            PagemapEntry {
                vaddr: base + v * stride + (k * 2 % 4) * PAGE,
                compat_nr_pages: 1,
                flags: Some(PE_PRESENT),
                ..Default::default()
            }
        })
        .collect();
    let big = MmEntry {
        vmas: list,
        mm_start_stack: base + 2 * PAGE,
        ..mm.clone()
    };
    (big, pm)
}
