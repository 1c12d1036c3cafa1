//! Checkpoints made with our own encoder: a chain of pre-dumps whose
//! pagemaps mark pages in-parent, and large stretches that put matches
//! across the search's block boundaries.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crit::image::{write_entry, write_header};
use crit::mem::{MemReader, Searcher, PAGE_SIZE, PE_LAZY, PE_PARENT, PE_PRESENT};
use crit::proto::{MmEntry, PagemapEntry, PagemapHead, PstreeEntry, VmaEntry};
use prost::Message;

const PID: u32 = 42;
const BASE: u64 = 0x10000;

fn image(path: &Path, magic: &str, entries: &[Vec<u8>]) {
    let mut f = File::create(path).unwrap();
    write_header(&mut f, magic).unwrap();
    for e in entries {
        write_entry(&mut f, e).unwrap();
    }
}

/// A checkpoint of one task with one anonymous mapping of `vma_pages` at
/// BASE, the given pagemap runs `(vaddr, pages, flags)` and pages file.
fn checkpoint(dir: &Path, vma_pages: u64, runs: &[(u64, u32, u32)], pages: &[u8]) {
    fs::create_dir_all(dir).unwrap();
    let task = PstreeEntry {
        pid: PID,
        ppid: 0,
        pgid: PID,
        sid: PID,
        threads: vec![PID],
    };
    image(&dir.join("pstree.img"), "PSTREE", &[task.encode_to_vec()]);
    let vma = VmaEntry {
        start: BASE,
        end: BASE + vma_pages * PAGE_SIZE,
        prot: 3,
        flags: 0x22,          // MAP_PRIVATE | MAP_ANONYMOUS
        status: 1 | (1 << 9), // VMA_AREA_REGULAR | VMA_ANON_PRIVATE
        fd: -1,
        ..Default::default()
    };
    let mm = MmEntry {
        vmas: vec![vma],
        ..Default::default()
    };
    image(&dir.join(format!("mm-{PID}.img")), "MM", &[mm.encode_to_vec()]);
    let mut pm = vec![PagemapHead { pages_id: 1 }.encode_to_vec()];
    for &(vaddr, nr_pages, flags) in runs {
        // The flags field, or (flags == 0) the older in_parent flag alone.
        let pe = if flags == 0 {
            PagemapEntry {
                vaddr,
                compat_nr_pages: nr_pages,
                nr_pages: None,
                in_parent: Some(true),
                flags: None,
            }
        } else {
            PagemapEntry {
                vaddr,
                compat_nr_pages: nr_pages,
                nr_pages: None,
                in_parent: None,
                flags: Some(flags),
            }
        };
        pm.push(pe.encode_to_vec());
    }
    image(&dir.join(format!("pagemap-{PID}.img")), "PAGEMAP", &pm);
    File::create(dir.join("pages-1.img")).unwrap().write_all(pages).unwrap();
}

fn page(fill: u8) -> Vec<u8> {
    vec![fill; PAGE_SIZE as usize]
}

fn at(n: u64) -> u64 {
    BASE + n * PAGE_SIZE
}

/// grandparent ← parent ← child, each a pre-dump of the next:
/// - grandparent holds page 4 (`G`);
/// - parent holds pages 0-3 (`P0`..`P3`) and says page 4 is in its parent;
/// - child holds pages 0-1 (`C0`, `C1`), says 2-4 and 7 are in its parent,
///   leaves 5 to lazy-pages and has nothing of page 6.
fn chain(root: &Path) -> std::path::PathBuf {
    let g = root.join("pre1");
    checkpoint(&g, 8, &[(at(4), 1, PE_PRESENT)], &page(b'G'));
    let p = root.join("pre2");
    let pages: Vec<u8> = [b'0', b'1', b'2', b'3'].iter().flat_map(|&c| page(c)).collect();
    checkpoint(&p, 8, &[(at(0), 4, PE_PRESENT), (at(4), 1, PE_PARENT)], &pages);
    std::os::unix::fs::symlink("../pre1", p.join("parent")).unwrap();
    let c = root.join("dump");
    let mut pages = page(b'a');
    pages.extend(page(b'b'));
    // A marker across the seam of the child's page 1 and the parent's page 2.
    let n = pages.len();
    pages[n - 4..].copy_from_slice(b"SEAM");
    checkpoint(
        &c,
        8,
        &[
            (at(0), 2, PE_PRESENT),
            (at(2), 3, 0),
            (at(5), 1, PE_LAZY),
            (at(7), 1, PE_PARENT),
        ],
        &pages,
    );
    std::os::unix::fs::symlink("../pre2", c.join("parent")).unwrap();
    c
}

#[test]
fn pages_resolve_through_the_parent_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = chain(tmp.path());
    let m = MemReader::open(&dir, None).unwrap();
    assert_eq!(m.pid(), PID);
    let r = m.read(BASE, 8 * PAGE_SIZE as usize).unwrap();
    let pg = |i: usize| &r.data[i * PAGE_SIZE as usize..(i + 1) * PAGE_SIZE as usize];
    assert_eq!(pg(0), page(b'a'));
    assert_eq!(&pg(1)[..4092], &page(b'b')[..4092]);
    assert_eq!(&pg(1)[4092..], b"SEAM");
    assert_eq!(pg(2), page(b'2'), "from the parent");
    assert_eq!(pg(3), page(b'3'), "from the parent");
    assert_eq!(pg(4), page(b'G'), "from the grandparent");
    assert!(pg(5).iter().chain(pg(6)).chain(pg(7)).all(|&b| b == 0));
    // Lazy page 5, unmapped page 6, and page 7 that no parent has.
    assert_eq!(r.missing, vec![(at(5)..at(8))]);
    assert_eq!(m.held_pages(), 5);
}

#[test]
fn maps_say_where_each_run_lives() {
    let tmp = tempfile::tempdir().unwrap();
    let m = MemReader::open(chain(tmp.path()), None).unwrap();
    let runs = m.maps();
    assert_eq!(runs.len(), 4);
    assert!(runs[0].present() && !runs[0].in_parent());
    let files = |i: usize| {
        runs[i]
            .pieces
            .iter()
            .map(|p| (p.start, p.len, p.file.as_str(), p.offset))
            .collect::<Vec<_>>()
    };
    assert_eq!(files(0), [(at(0), 2 * PAGE_SIZE, "pages-1.img", 0)]);
    assert!(
        runs[1].in_parent() && !runs[1].present(),
        "legacy in_parent is a parent run"
    );
    assert_eq!(
        files(1),
        [
            (at(2), 2 * PAGE_SIZE, "parent/pages-1.img", 2 * PAGE_SIZE),
            (at(4), PAGE_SIZE, "parent/parent/pages-1.img", 0)
        ]
    );
    assert!(runs[2].lazy() && runs[2].pieces.is_empty());
    assert!(runs[3].in_parent() && runs[3].pieces.is_empty());
}

#[test]
fn search_finds_a_match_across_a_checkpoint_and_its_parent() {
    let tmp = tempfile::tempdir().unwrap();
    let m = MemReader::open(chain(tmp.path()), None).unwrap();
    let hits = m.search_all(&Searcher::literal(b"SEAM22", false).unwrap(), 3).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].addr, at(2) - 4);
    assert_eq!(
        (hits[0].before.as_slice(), hits[0].after.as_slice()),
        (&b"bbb"[..], &b"222"[..])
    );
    let hits = m
        .search_all(&Searcher::regex(r"b{3}SEAM2+G", false).unwrap(), 0)
        .unwrap();
    assert!(hits.is_empty(), "pages 3 and 4 are not adjacent in content");
    let hits = m.search_all(&Searcher::regex(r"3G{2}", false).unwrap(), 0).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.addr).collect::<Vec<_>>(),
        [at(4) - 1],
        "parent to grandparent"
    );
}

#[test]
fn missing_parent_leaves_holes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    checkpoint(&dir, 2, &[(at(0), 1, PE_PRESENT), (at(1), 1, PE_PARENT)], &page(b'x'));
    let m = MemReader::open(&dir, None).unwrap();
    let r = m.read(BASE, 2 * PAGE_SIZE as usize).unwrap();
    assert_eq!(r.missing, vec![(at(1)..at(2))]);
    assert!(m.maps()[1].pieces.is_empty());
}

#[test]
fn short_pages_file_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    checkpoint(tmp.path(), 2, &[(at(0), 2, PE_PRESENT)], &page(b'x'));
    let e = MemReader::open(tmp.path(), None).err().unwrap().to_string();
    assert!(
        e.ends_with("pagemap-42.img: its present runs hold 8192 bytes but pages-1.img has only 4096 bytes"),
        "{e}"
    );
}

/// Runs out of address order or overlapping would make lookups (binary
/// searches) silently wrong: they are an error naming the entry and offset.
#[test]
fn overlapping_runs_are_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let pages: Vec<u8> = page(b'x').repeat(3);
    checkpoint(tmp.path(), 4, &[(at(0), 2, PE_PRESENT), (at(1), 1, PE_PRESENT)], &pages);
    let e = MemReader::open(tmp.path(), None).err().unwrap().to_string();
    // Header 8 bytes, head entry 4 + 2 bytes, first run 4 + 8 bytes.
    assert!(
        e.ends_with(
            "pagemap-42.img: entry 2 at byte 26: run at 0x11000 overlaps or precedes the run \
             0x10000-0x12000; runs must be in address order"
        ),
        "{e}"
    );
}

#[test]
fn run_past_the_address_space_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    checkpoint(tmp.path(), 2, &[(u64::MAX - 0xfff, 2, PE_PARENT)], &[]);
    let e = MemReader::open(tmp.path(), None).err().unwrap().to_string();
    assert!(
        e.ends_with(
            "pagemap-42.img: entry 1 at byte 14: run of 2 pages at 0xfffffffffffff000 runs past \
             the end of the address space"
        ),
        "{e}"
    );
}

/// Found by fuzzing (`mem_reader`): a present run of no pages, in a pagemap
/// with no other present run, panicked ("present runs have a pages file").
/// It holds nothing, and needs no pages file.
#[test]
fn fuzz_empty_present_run_without_pages_file() {
    let tmp = tempfile::tempdir().unwrap();
    checkpoint(tmp.path(), 2, &[(at(0), 0, PE_PRESENT)], &[]);
    fs::remove_file(tmp.path().join("pages-1.img")).unwrap();
    let m = MemReader::open(tmp.path(), None).unwrap();
    let r = m.read(BASE, 16).unwrap();
    assert_eq!(r.data, [0; 16]);
    assert_eq!(r.missing, vec![(BASE..BASE + 16)]);
    assert_eq!(m.maps().len(), 1);
    assert!(m.maps()[0].pieces.is_empty());
    assert_eq!(m.held_pages(), 0);
}

/// The task's mm replaced by one with `vmas`.
fn set_vmas(dir: &Path, vmas: Vec<VmaEntry>) {
    let mm = MmEntry {
        vmas,
        ..Default::default()
    };
    image(&dir.join(format!("mm-{PID}.img")), "MM", &[mm.encode_to_vec()]);
}

/// An anonymous shared mapping of shared memory object `shmid`.
fn shared_vma(start: u64, end: u64, pgoff: u64, shmid: u64) -> VmaEntry {
    VmaEntry {
        start,
        end,
        pgoff,
        shmid,
        prot: 3,
        flags: 0x01,          // MAP_SHARED
        status: 1 | (1 << 8), // REGULAR | ANON_SHARED
        fd: -1,
        ..Default::default()
    }
}

/// Found by fuzzing (`mem_reader`): shared mappings that overlap and together
/// claim more than the address space overflowed their total size.
#[test]
fn fuzz_shared_mappings_larger_than_the_address_space() {
    let tmp = tempfile::tempdir().unwrap();
    checkpoint(tmp.path(), 1, &[(at(0), 1, PE_PRESENT)], &page(b'p'));
    set_vmas(
        tmp.path(),
        // Ends on a page boundary (an unaligned end is refused earlier).
        vec![shared_vma(0, !0xfff, 0, 3), shared_vma(BASE, !0xfff, 0, 3)],
    );
    let m = MemReader::open(tmp.path(), None).unwrap();
    assert_eq!(m.shared_mappings().len(), 2);
    assert_eq!(m.shmem_size(), u64::MAX);
}

/// Found by fuzzing (`mem_reader`): a shared mapping whose offset in the
/// object plus its length passes `u64::MAX` overflowed when placed.
#[test]
fn fuzz_shared_mapping_offset_near_u64_max() {
    let tmp = tempfile::tempdir().unwrap();
    checkpoint(tmp.path(), 1, &[(at(0), 1, PE_PRESENT)], &page(b'p'));
    set_vmas(tmp.path(), vec![shared_vma(at(8), at(10), u64::MAX - PAGE_SIZE + 1, 3)]);
    let run = PagemapEntry {
        vaddr: 0,
        compat_nr_pages: 1,
        nr_pages: None,
        in_parent: None,
        flags: Some(PE_LAZY),
    };
    image(
        &tmp.path().join("pagemap-shmem-3.img"),
        "PAGEMAP",
        &[PagemapHead { pages_id: 2 }.encode_to_vec(), run.encode_to_vec()],
    );
    let m = MemReader::open(tmp.path(), None).unwrap();
    let shared = &m.shared_mappings()[0];
    assert_eq!(shared.image.as_deref(), Some("pagemap-shmem-3.img"));
    assert_eq!(shared.held, 0);
    assert_eq!(m.read(at(8), 16).unwrap().missing, vec![(at(8)..at(8) + 16)]);
}

/// Markers straddling the 2 MiB read blocks, the end of a run and a hole.
#[test]
fn matches_across_search_blocks_are_found_once() {
    const MIB: usize = 1024 * 1024;
    let tmp = tempfile::tempdir().unwrap();
    let pages_n = 5 * MIB as u64 / PAGE_SIZE;
    let mut data = vec![b'.'; 5 * MIB];
    // Block boundary at 2 MiB, run seam at 2 MiB + 3 pages, hole at 4 MiB.
    let seam = 2 * MIB + 3 * PAGE_SIZE as usize;
    let spots = [0, 2 * MIB - 3, seam - 2, 4 * MIB - 1, 4 * MIB + 100, 5 * MIB - 6];
    for s in spots {
        data[s..s + 6].copy_from_slice(b"NEEDLE");
    }
    // Two adjacent runs, then after a hole of one page the last MiB.
    let first = (2 * MIB as u64 + 3 * PAGE_SIZE) / PAGE_SIZE;
    let runs = [
        (at(0), first as u32, PE_PRESENT),
        (at(first), (4 * MIB as u64 / PAGE_SIZE - first) as u32, PE_PRESENT),
    ];
    let tail = (MIB as u64 / PAGE_SIZE) as u32;
    let mut runs = runs.to_vec();
    runs.push((at(pages_n - tail as u64 + 1), tail - 1, PE_PRESENT));
    let mut pages = data[..4 * MIB].to_vec();
    pages.extend_from_slice(&data[4 * MIB + PAGE_SIZE as usize..]);
    checkpoint(tmp.path(), pages_n + 1, &runs, &pages);
    let m = MemReader::open(tmp.path(), None).unwrap();

    // The page at 4 MiB is not held: its two markers are not in the checkpoint.
    let want: Vec<u64> = [0, 2 * MIB - 3, seam - 2, 5 * MIB - 6]
        .iter()
        .map(|&s| BASE + s as u64)
        .collect();
    for s in [
        Searcher::literal(b"NEEDLE", false).unwrap(),
        Searcher::regex("NE+DLE", false).unwrap(),
    ] {
        let hits = m.search_all(&s, 2).unwrap();
        assert_eq!(hits.iter().map(|h| h.addr).collect::<Vec<_>>(), want);
        assert_eq!(hits[0].before, [0, 0], "context before memory is zeros");
        assert_eq!(hits[1].after, b"..");
        assert_eq!(hits[3].after, [0, 0], "context past memory is zeros");
    }
    // Overlapping candidates: non-overlapping matches, as a one-shot search of
    // each stretch of held memory gives.
    let dots = Searcher::literal(b"...", false).unwrap();
    let one_shot = |b: &[u8]| memchr::memmem::find_iter(b, b"...").count() as u64;
    let want = one_shot(&data[..4 * MIB]) + one_shot(&data[4 * MIB + PAGE_SIZE as usize..]);
    let mut count = 0u64;
    let stats = m
        .search(&dots, 0, |_| {
            count += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!((stats.matches, count), (want, want));
    assert_eq!(stats.bytes_scanned, pages.len() as u64);
}

/// A SysV segment whose contents are inline in `ipcns-shm-N.img` (not in a
/// pagemap), attached by the task at a page offset.
#[test]
fn sysv_shm_inline_in_ipcns_shm() {
    use base64::Engine as _;
    use crit::proto::TaskKobjIdsEntry;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    checkpoint(dir, 1, &[(at(0), 1, PE_PRESENT)], &page(b'p'));
    // Replace the mm: the private page, then the segment (id 7) attached 1 page in.
    let seg_at = at(16);
    let vmas = vec![
        VmaEntry {
            start: BASE,
            end: at(1),
            prot: 3,
            flags: 0x22,
            status: 1 | (1 << 9),
            fd: -1,
            ..Default::default()
        },
        VmaEntry {
            start: seg_at,
            end: seg_at + PAGE_SIZE,
            pgoff: PAGE_SIZE,
            shmid: 7,
            prot: 3,
            flags: 0x01,                      // MAP_SHARED
            status: 1 | (1 << 8) | (1 << 10), // REGULAR | ANON_SHARED | SYSVIPC
            fd: -1,
            ..Default::default()
        },
    ];
    let mm = MmEntry {
        vmas,
        ..Default::default()
    };
    image(&dir.join(format!("mm-{PID}.img")), "MM", &[mm.encode_to_vec()]);
    let ids = TaskKobjIdsEntry {
        ipc_ns_id: Some(9),
        ..Default::default()
    };
    image(&dir.join(format!("ids-{PID}.img")), "IDS", &[ids.encode_to_vec()]);
    let mut data = page(b'0');
    data.extend(page(b'1'));
    data[PAGE_SIZE as usize..PAGE_SIZE as usize + 5].copy_from_slice(b"HELLO");
    let doc = serde_json::json!({
        "magic": "IPCNS_SHM",
        "entries": [{
            "desc": {"key": 1, "uid": 0, "gid": 0, "cuid": 0, "cgid": 0, "mode": 384, "id": 7},
            "size": data.len(),
            "extra": base64::engine::general_purpose::STANDARD.encode(&data),
        }],
    });
    let mut out = Vec::new();
    crit::image_json::encode_image(doc.to_string().as_bytes(), "shm.json", &mut out).unwrap();
    fs::write(dir.join("ipcns-shm-9.img"), out).unwrap();

    let m = MemReader::open(dir, None).unwrap();
    let [s] = m.shared_mappings() else {
        panic!("one shared mapping")
    };
    assert_eq!(s.image.as_deref(), Some("ipcns-shm-9.img"));
    assert_eq!((s.object, s.held), (Some(7), PAGE_SIZE));
    let r = m.read(seg_at, PAGE_SIZE as usize).unwrap();
    assert!(r.missing.is_empty());
    assert!(r.data.starts_with(b"HELLO1"), "the segment's second page");
    let hits = m.search_all(&Searcher::literal(b"HELLO", false).unwrap(), 0).unwrap();
    assert_eq!(hits.iter().map(|h| h.addr).collect::<Vec<_>>(), [seg_at]);
    assert_eq!(hits[0].vma.unwrap().kind(), "sysv-shm");
}

/// A SysV segment of `ipcns-shm` whose size is near `u64::MAX`: its inline
/// contents are not there, a clean error rather than an overflow.
#[test]
fn sysv_shm_size_near_u64_max_is_an_error() {
    use crit::proto::{IpcDescEntry, IpcShmEntry};
    for size in [u64::MAX, u64::MAX - 2, u64::MAX - PAGE_SIZE] {
        let tmp = tempfile::tempdir().unwrap();
        checkpoint(tmp.path(), 1, &[(at(0), 1, PE_PRESENT)], &page(b'p'));
        let mut sysv = shared_vma(at(16), at(17), 0, 7);
        sysv.status |= 1 << 10; // SYSVIPC
        set_vmas(tmp.path(), vec![sysv]);
        let seg = IpcShmEntry {
            desc: IpcDescEntry {
                id: 7,
                ..Default::default()
            },
            size,
            in_pagemaps: None,
            hugetlb_flag: None,
        };
        image(&tmp.path().join("ipcns-shm-0.img"), "IPCNS_SHM", &[seg.encode_to_vec()]);
        let e = MemReader::open(tmp.path(), None).err().unwrap().to_string();
        assert!(e.contains("ipcns-shm-0.img"), "{e}");
    }
}

#[test]
fn gaps_say_what_they_are() {
    use crit::mem::GapKind;
    let tmp = tempfile::tempdir().unwrap();
    let dir = chain(tmp.path());
    let m = MemReader::open(&dir, None).unwrap();
    let r = m.read(BASE - PAGE_SIZE, 10 * PAGE_SIZE as usize).unwrap();
    let kinds: Vec<(u64, u64, GapKind)> = m.gaps(&r.missing).iter().map(|g| (g.start, g.end, g.kind)).collect();
    assert_eq!(
        kinds,
        [
            (at(0) - PAGE_SIZE, at(0), GapKind::Unmapped),
            (at(5), at(6), GapKind::Lazy),
            (at(6), at(7), GapKind::Zeros),
            (at(7), at(8), GapKind::ParentMissing),
            (at(8), at(9), GapKind::Unmapped),
        ]
    );
}

#[test]
fn a_missing_parent_is_a_warning_and_a_gap_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = chain(tmp.path());
    fs::remove_file(dir.join("parent")).unwrap();
    let d = dir.to_str().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["mem", d, "read", &format!("{:#x}", at(1)), "0x2000"])
        .output()
        .unwrap();
    // The gap is shown. This checkpoint of memory images alone lacks what
    // CRIU writes beside them, its core image first, which is named: exit 1.
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "crit: warning: 0x12000-0x13000 (4096 bytes) lives in a parent checkpoint that is missing \
             (a pre-dump chain copied without its parent?); read as zeros\n\
             crit: warning: {d}/core-{PID}.img: No such file or directory (os error 2)\n"
        )
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["mem", d, "read", &format!("{:#x}", at(1)), "0x2000", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["gaps"],
        serde_json::json!([{"start": "0x12000", "end": "0x13000", "kind": "parent-missing"}])
    );
}
