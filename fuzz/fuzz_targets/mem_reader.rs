//! The memory reader over a tiny checkpoint built from the input: `pstree`,
//! `core`, `mm` with a few VMAs (private, anonymous shared, SysV), a pagemap
//! whose runs may overlap, run past the pages file or sit near `u64::MAX`,
//! a pages file, maybe a shared memory pagemap and an `ipcns-shm` image, and
//! maybe a `parent`: another such checkpoint, a symlink to the directory
//! itself, or one to itself. `MemReader::open`, `read`, `args`, `env`, `maps`,
//! `shared_mappings` and `search_all` (a literal and a regex) must end in `Ok`
//! or a clean `Err`: no panic, no hang, and no allocation beyond the real
//! files (a run of 2^32 pages claims 16 TiB).
//!
//! The input is read as a stream of choices; once it runs out every further
//! choice is 0.
#![no_main]

use std::fs;
use std::path::Path;

use crit::image::{write_entry, write_header};
use crit::mem::{MemReader, Searcher, PAGE_SIZE};
use crit::proto::{
    CoreEntry, IpcDescEntry, IpcShmEntry, MmEntry, PagemapEntry, PagemapHead, PstreeEntry, TaskCoreEntry,
    TaskKobjIdsEntry, VmaEntry,
};
use libfuzzer_sys::fuzz_target;
use prost::Message;

const PID: u32 = 7;
const BASE: u64 = 0x40_0000;
/// Anonymous shared memory and SysV ids the VMAs may name.
const SHMID: u64 = 3;

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        u64::from_le_bytes(b)
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = usize::from(self.u8()).min(max).min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a.to_vec()
    }

    /// An address: mostly a page near BASE, sometimes anything.
    fn addr(&mut self) -> u64 {
        match self.u8() % 8 {
            0..=3 => BASE + u64::from(self.u8() % 32) * PAGE_SIZE,
            4 => BASE + u64::from(self.u8()) * 61,
            5 => u64::MAX - u64::from(self.u8() % 8) * PAGE_SIZE - u64::from(self.u8() % 2) * 4095,
            6 => self.u64() & !(PAGE_SIZE - 1),
            _ => self.u64(),
        }
    }

    /// A page count: mostly small, sometimes absurd.
    fn nr_pages(&mut self) -> u32 {
        match self.u8() % 8 {
            0..=5 => u32::from(self.u8() % 12),
            6 => u32::MAX - u32::from(self.u8()),
            _ => u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()]),
        }
    }
}

fn image(path: &Path, magic: &str, entries: &[Vec<u8>]) {
    let mut out = Vec::new();
    write_header(&mut out, magic).expect("header");
    for e in entries {
        write_entry(&mut out, e).expect("entry");
    }
    fs::write(path, out).expect("write image");
}

fn pagemap(input: &mut Input, path: &Path, pages_id: u32) {
    let mut entries = vec![PagemapHead { pages_id }.encode_to_vec()];
    for _ in 0..input.u8() % 7 {
        let vaddr = input.addr();
        let nr_pages = input.nr_pages();
        let f = input.u8();
        // Flags (PE_PARENT 1, PE_LAZY 2, PE_PRESENT 4), or the older in_parent alone.
        let (in_parent, flags) = match f % 4 {
            0 => (None, Some(u32::from(f >> 2) & 7)),
            1 => (Some(f & 4 != 0), None),
            2 => (Some(f & 4 != 0), Some(u32::from(f >> 3) & 7)),
            _ => (None, None),
        };
        // CRIU 4.2 style (count in field 5, 0 in field 2) or the older one.
        let (compat_nr_pages, nr_pages) = if f & 0x80 != 0 {
            (0, Some(u64::from(nr_pages)))
        } else {
            (nr_pages, None)
        };
        let e = PagemapEntry {
            vaddr,
            compat_nr_pages,
            nr_pages,
            in_parent,
            flags,
        };
        entries.push(e.encode_to_vec());
    }
    image(path, "PAGEMAP", &entries);
}

fn pages(input: &mut Input, path: &Path) {
    let len = match input.u8() % 4 {
        0 => 0,
        1 => usize::from(input.u8()),
        _ => usize::from(input.u8() % 16) * PAGE_SIZE as usize,
    };
    let fill = input.u8();
    let mut v = vec![fill; len];
    // A few bytes of the input somewhere in it, for the searches to find.
    let at = usize::from(input.u8()) * 64;
    let stamp = input.bytes(32);
    if at < len {
        let n = stamp.len().min(len - at);
        v[at..at + n].copy_from_slice(&stamp[..n]);
    }
    fs::write(path, v).expect("pages");
}

/// One checkpoint in `dir`; `depth` > 0 for a parent.
fn checkpoint(input: &mut Input, dir: &Path, depth: u32) {
    fs::create_dir_all(dir).expect("dir");
    let task = PstreeEntry {
        pid: PID,
        ppid: 0,
        pgid: PID,
        sid: PID,
        threads: vec![PID, PID + 1],
    };
    image(&dir.join("pstree.img"), "PSTREE", &[task.encode_to_vec()]);
    let core = CoreEntry {
        mtype: 1,
        tc: Some(TaskCoreEntry {
            task_state: 1,
            comm: "fuzz".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    image(&dir.join(format!("core-{PID}.img")), "CORE", &[core.encode_to_vec()]);
    let ids = TaskKobjIdsEntry {
        ipc_ns_id: Some(u32::from(input.u8() % 2)),
        ..Default::default()
    };
    image(&dir.join(format!("ids-{PID}.img")), "IDS", &[ids.encode_to_vec()]);

    let mut vmas = Vec::new();
    for _ in 0..input.u8() % 5 {
        let start = input.addr();
        let end = match input.u8() % 4 {
            0 => input.addr(),
            _ => start.saturating_add(u64::from(input.u8() % 16) * PAGE_SIZE),
        };
        let (flags, status, shmid) = match input.u8() % 4 {
            0 => (0x01, 1 | (1 << 8), SHMID),             // MAP_SHARED, VMA_ANON_SHARED
            1 => (0x01, 1 | (1 << 8) | (1 << 10), SHMID), // SysV
            2 => (0x01, 1 | (1 << 14), input.u64() % 4),  // memfd
            _ => (0x22, 1 | (1 << 9), 0),                 // private anonymous
        };
        let pgoff = match input.u8() % 4 {
            0 => input.u64(),
            n => u64::from(n - 1) * PAGE_SIZE,
        };
        vmas.push(VmaEntry {
            start,
            end,
            pgoff,
            shmid,
            prot: 3,
            flags,
            status,
            fd: -1,
            ..Default::default()
        });
    }
    let (arg_start, arg_len) = (input.addr(), u64::from(input.u8()));
    let env_start = input.addr();
    let env_end = match input.u8() % 4 {
        0 => input.u64(),
        _ => env_start.wrapping_add(u64::from(input.u8())),
    };
    let mm = MmEntry {
        mm_arg_start: arg_start,
        mm_arg_end: arg_start.wrapping_add(arg_len),
        mm_env_start: env_start,
        mm_env_end: env_end,
        vmas,
        ..Default::default()
    };
    image(&dir.join(format!("mm-{PID}.img")), "MM", &[mm.encode_to_vec()]);

    let pages_id = 1 + u32::from(input.u8() % 2);
    pagemap(input, &dir.join(format!("pagemap-{PID}.img")), pages_id);
    pages(input, &dir.join("pages-1.img"));
    if input.u8() % 2 == 1 {
        pagemap(input, &dir.join(format!("pagemap-shmem-{SHMID}.img")), 2);
        pages(input, &dir.join("pages-2.img"));
    }
    if input.u8() % 2 == 1 {
        // A SysV segment: its size, and its contents inline or in a pagemap.
        let size = match input.u8() % 4 {
            0 => input.u64(),
            _ => u64::from(input.u8()) * 64,
        };
        let in_pagemaps = input.u8() % 2 == 1;
        let e = IpcShmEntry {
            desc: IpcDescEntry {
                id: SHMID as u32,
                ..Default::default()
            },
            size,
            in_pagemaps: Some(in_pagemaps),
            hugetlb_flag: None,
        };
        let mut out = Vec::new();
        write_header(&mut out, "IPCNS_SHM").expect("header");
        write_entry(&mut out, &e.encode_to_vec()).expect("entry");
        out.extend(input.bytes(255));
        fs::write(dir.join("ipcns-shm-0.img"), out).expect("ipcns-shm");
    }

    match input.u8() % 5 {
        1 if depth < 3 => checkpoint(input, &dir.join("parent"), depth + 1),
        2 => std::os::unix::fs::symlink(".", dir.join("parent")).expect("symlink"),
        3 => std::os::unix::fs::symlink("parent", dir.join("parent")).expect("symlink"),
        4 => std::os::unix::fs::symlink("..", dir.join("parent")).expect("symlink"),
        _ => {}
    }
}

const REGEXES: &[&str] = &[r"[a-z]{3,}", r"\x00+", r"^", r"(?s).", r"fuzz|\xff\xfe", r"a*"];

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("cp");
    checkpoint(&mut input, &dir, 0);
    let pid = match input.u8() % 4 {
        0 => Some(PID + 1),
        1 => Some(u32::from(input.u8())),
        _ => None,
    };
    let Ok(mem) = MemReader::open(&dir, pid) else {
        return;
    };
    for _ in 0..3 {
        let addr = input.addr();
        let len = usize::from(input.u8()) * 256;
        let _ = mem.read(addr, len);
    }
    let _ = mem.args();
    let _ = mem.env();
    let _ = mem.maps();
    let _ = mem.shared_mappings();
    let _ = mem.held_ranges();
    let _ = mem.held_pages();
    let _ = mem.shmem_size();
    let context = usize::from(input.u8() % 64);
    let literal = input.bytes(8);
    if let Ok(s) = Searcher::literal(&literal, input.u8() % 2 == 1) {
        let _ = mem.search_all(&s, context);
    }
    let re = REGEXES[usize::from(input.u8()) % REGEXES.len()];
    if let Ok(s) = Searcher::regex(re, false) {
        let _ = mem.search_all(&s, context);
    }
});
