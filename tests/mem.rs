//! `crit mem` on the real checkpoints of the corpus: the `mem` checkpoint's
//! process set up argv, environment, a 1 MiB heap buffer with three markers
//! and a sparse 256-page mapping (see tests/fixtures/corpus and the README of
//! the shared corpus).

use crate::common;

use common::corpus;
use common::crit_text as crit;

use crit::mem::{MemReader, Searcher, PAGE_SIZE};

const MARKER: &[u8] = b"CRIT-SECRET-MARKER-0xC0FFEE";
const FILLER: &[u8] = b"CRIT-HEAP-FILLER ";
const HEAP_LEN: u64 = 1024 * 1024;
const MARKER_OFFSETS: [u64; 3] = [12345, 300007, HEAP_LEN - 4096];

fn mem() -> MemReader {
    MemReader::open(corpus("mem"), None).expect("open the mem checkpoint")
}

fn heap_start(m: &MemReader) -> u64 {
    common::heap_start(m, FILLER)
}

/// What the program wrote into its heap buffer.
fn expected_heap() -> Vec<u8> {
    let mut heap: Vec<u8> = FILLER.iter().copied().cycle().take(HEAP_LEN as usize).collect();
    for off in MARKER_OFFSETS {
        heap[off as usize..off as usize + MARKER.len()].copy_from_slice(MARKER);
    }
    heap
}

#[test]
fn root_task_is_the_first_pstree_entry() {
    assert_eq!(mem().pid(), 20931);
    assert_eq!(MemReader::open(corpus("mem"), Some(20931)).unwrap().pid(), 20931);
}

#[test]
fn args_are_the_command_line() {
    assert_eq!(
        mem().args().unwrap(),
        ["/usr/local/bin/cwork", "mem", "--token", "argv-marker-91c2"]
    );
}

#[test]
fn env_is_the_environment() {
    assert_eq!(
        mem().env().unwrap(),
        [
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "HOME=/root",
            "LANG=C.UTF-8",
            "READY=/tmp/ready",
            "CRIT_ENV_SECRET=env-marker-7f3a",
        ]
    );
}

#[test]
fn search_finds_the_three_markers_at_their_heap_offsets() {
    let m = mem();
    let heap = heap_start(&m);
    // malloc served 1 MiB by mmap: the buffer follows a 16-byte chunk header.
    assert_eq!(heap % PAGE_SIZE, 16, "heap buffer at {heap:#x}");
    let found = m.search_all(&Searcher::literal(MARKER, false).unwrap(), 8).unwrap();
    let addrs: Vec<u64> = found.iter().map(|f| f.addr).collect();
    assert_eq!(addrs, MARKER_OFFSETS.map(|o| heap + o));
    assert_eq!(addrs[1] - addrs[0], 287_662);
    assert_eq!(addrs[2] - addrs[1], HEAP_LEN - 4096 - 300_007);
    for f in &found {
        assert_eq!(f.bytes, MARKER);
        // Context: the filler around, read from the same dump.
        let at = (f.addr - heap) as usize;
        let h = expected_heap();
        assert_eq!(f.before, &h[at - 8..at]);
        assert_eq!(f.after, &h[at + MARKER.len()..at + MARKER.len() + 8]);
        let v = f.vma.expect("in a mapping");
        assert!(v.contains(f.addr) && v.kind() == "anon" && v.perms() == "rw-p");
    }
}

#[test]
fn search_ignoring_case_and_by_regex() {
    let m = mem();
    let heap = heap_start(&m);
    let want = MARKER_OFFSETS.map(|o| heap + o).to_vec();
    let ci = Searcher::literal(b"crit-secret-marker-0XC0FFEE", true).unwrap();
    assert_eq!(
        m.search_all(&ci, 0).unwrap().iter().map(|f| f.addr).collect::<Vec<_>>(),
        want
    );
    let re = Searcher::regex(r"SECRET-MARKER-0x[0-9A-F]{6}", false).unwrap();
    let got = m.search_all(&re, 0).unwrap();
    assert_eq!(got.iter().map(|f| f.addr - 5).collect::<Vec<_>>(), want);
    assert!(got.iter().all(|f| f.bytes == MARKER[5..]));
    let argv = Searcher::regex(r"argv-marker-[0-9a-f]+", false).unwrap();
    let got = m.search_all(&argv, 0).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].bytes, b"argv-marker-91c2");
    assert_eq!(got[0].vma.unwrap().kind(), "stack");
}

#[test]
fn heap_reads_back_whole_and_matches_span_pages_and_pagemap_runs() {
    let m = mem();
    let heap = heap_start(&m);
    let r = m.read(heap, HEAP_LEN as usize).unwrap();
    assert!(r.missing.is_empty());
    assert!(r.data == expected_heap(), "heap contents differ");

    // Every filler the program left, each found once, in order: most cross a
    // page boundary somewhere, and one crosses the seam of two pagemap runs.
    let want: Vec<u64> = memchr::memmem::find_iter(&expected_heap(), FILLER)
        .map(|i| heap + i as u64)
        .collect();
    let s = Searcher::literal(FILLER, false).unwrap();
    let got: Vec<u64> = m
        .search_all(&s, 0)
        .unwrap()
        .iter()
        .map(|f| f.addr)
        .filter(|a| (heap..heap + HEAP_LEN).contains(a))
        .collect();
    assert_eq!(got, want);
    let seam = m
        .maps()
        .windows(2)
        .find(|w| w[0].end == w[1].start && (heap..heap + HEAP_LEN).contains(&w[1].start))
        .map(|w| w[1].start)
        .expect("the heap buffer spans two pagemap runs");
    assert!(
        got.iter().any(|&a| a < seam && seam < a + FILLER.len() as u64),
        "no match across {seam:#x}"
    );
}

#[test]
fn sparse_mapping_reads_stamps_and_zeros() {
    let m = mem();
    // The 256-page mapping lies just below the heap buffer's chunk, in the same VMA.
    let vma = *m.vma_at(heap_start(&m)).unwrap();
    let base = vma.start;
    let r = m.read(base, 256 * PAGE_SIZE as usize).unwrap();
    let mut want_missing = Vec::new();
    for i in 0..256u64 {
        let page = &r.data[(i * PAGE_SIZE) as usize..((i + 1) * PAGE_SIZE) as usize];
        if i % 4 == 0 {
            let stamp = u64::from_le_bytes(page[..8].try_into().unwrap());
            assert_eq!(stamp, 0x5041_4745_0000_0000 | i, "page {i}");
            assert!(page[8..].iter().all(|&b| b == 0), "page {i}");
        } else {
            assert!(page.iter().all(|&b| b == 0), "page {i}");
            want_missing.push(base + i * PAGE_SIZE);
        }
    }
    // Untouched pages are not in the checkpoint, and the reader says so.
    let missing: Vec<_> = r
        .missing
        .iter()
        .flat_map(|g| (g.start..g.end).step_by(PAGE_SIZE as usize))
        .collect();
    assert_eq!(missing, want_missing);
    assert_eq!(r.missing.len(), 64);
    assert_eq!(r.missing[0], base + PAGE_SIZE..base + 4 * PAGE_SIZE);
}

#[test]
fn maps_account_for_every_written_page() {
    let m = mem();
    let stats = crit::stats::dump_stats(corpus("mem")).unwrap().unwrap();
    assert_eq!(m.held_pages(), stats.pages_written);
    let first = &m.maps()[0];
    assert_eq!((first.start, first.nr_pages), (0x5606_05f4_8000, 1));
    assert_eq!(first.pieces[0].file, "pages-1.img");
    assert_eq!(first.pieces[0].offset, 0);
    // Offsets follow pagemap order.
    let mut off = 0;
    for r in m.maps() {
        assert!(r.present());
        assert_eq!(r.pieces.len(), 1);
        assert_eq!(r.pieces[0].offset, off);
        off += r.end - r.start;
    }
    assert_eq!(off, 350 * PAGE_SIZE);
}

#[test]
fn sysv_shm_is_read_through_its_shmem_pagemap() {
    for dir in ["ipc", "restored"] {
        let m = MemReader::open(corpus(dir), None).unwrap();
        assert_eq!(m.shmem_size(), 8192);
        let [s] = m.shared_mappings() else {
            panic!("one shared mapping")
        };
        assert_eq!(serde_json::to_value(s.kind).unwrap(), "sysv");
        assert_eq!(s.image.as_deref(), Some("pagemap-shmem-0.img"));
        assert_eq!(s.held, 4096);
        let r = m.read(s.vma.start, 8192).unwrap();
        assert!(r.data.starts_with(b"shared memory segment contents"));
        assert_eq!(r.missing, vec![(s.vma.start + 4096..s.vma.start + 8192)]);
    }
}

#[test]
fn anonymous_shared_memory_via_memfd() {
    let m = MemReader::open(corpus("files"), None).unwrap();
    assert_eq!(m.shmem_size(), 12288 + 8192);
    let kinds: Vec<(String, Option<u64>, u64)> = m
        .shared_mappings()
        .iter()
        .map(|s| {
            (
                serde_json::to_value(s.kind).unwrap().as_str().unwrap().to_string(),
                s.object,
                s.held,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("memfd".to_string(), Some(1146), 4096), ("file".to_string(), None, 0)]
    );
}

#[test]
fn errors_name_the_task() {
    let e = MemReader::open(corpus("mem"), Some(1)).err().unwrap().to_string();
    assert!(e.contains("no task with pid 1"), "{e}");
    // A zombie has no mm image.
    let e = MemReader::open(corpus("tree"), Some(20887)).err().unwrap().to_string();
    assert!(e.contains("20887") && e.contains("zombie"), "{e}");
    let m = mem();
    assert!(m.read(u64::MAX - 2, 8).is_err());
}

#[test]
fn cli_args_env_search() {
    let dir = corpus("mem");
    let dir = dir.to_str().unwrap();
    let (out, _, ok) = crit(&["mem", dir, "args"]);
    assert!(ok);
    assert_eq!(out, "/usr/local/bin/cwork\nmem\n--token\nargv-marker-91c2\n");
    let (out, _, ok) = crit(&["mem", dir, "env", "--format", "json"]);
    assert!(ok);
    let v: Vec<String> = serde_json::from_str(&out).unwrap();
    assert_eq!(v.len(), 5);
    assert_eq!(v[4], "CRIT_ENV_SECRET=env-marker-7f3a");

    let (out, _, ok) = crit(&[
        "mem",
        dir,
        "--format",
        "json",
        "search",
        "CRIT-SECRET-MARKER-0xC0FFEE",
        "--context",
        "4",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hits = v.as_array().unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0]["address"], "0x7f6388d16049");
    assert_eq!(hits[0]["match"], "CRIT-SECRET-MARKER-0xC0FFEE");
    assert_eq!(hits[0]["before"], " CRI");
    assert_eq!(hits[0]["vma"]["start"], "0x7f6388c13000");

    let (out, err, ok) = crit(&["mem", dir, "search", "CRIT-SECRET-MARKER", "--color", "never"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 3);
    assert!(
        out.starts_with("0x7f6388d16049  7f6388c13000-7f6388e17000 rw-p anon  "),
        "{out}"
    );
    assert!(err.contains("3 matches"), "{err}");
}

#[test]
fn cli_read_hexdump_raw_and_holes() {
    let dir = corpus("mem");
    let dir = dir.to_str().unwrap();
    let (out, _, ok) = crit(&["mem", dir, "read", "0x7ffc3ea2cf46", "20"]);
    assert!(ok);
    assert_eq!(
        out,
        "7ffc3ea2cf46: 2f75 7372 2f6c 6f63 616c 2f62 696e 2f63  /usr/local/bin/c\n\
         7ffc3ea2cf56: 776f 726b                                work\n"
    );
    let out = common::crit(&["mem", dir, "read", "140721359343430", "20", "--raw"]);
    assert_eq!(out.stdout, b"/usr/local/bin/cwork");
    // A page that was never touched: zeros, and a note.
    let (out, err, ok) = crit(&["mem", dir, "read", "0x7f6388c14000", "16"]);
    assert!(ok);
    assert_eq!(
        out,
        "7f6388c14000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
    );
    assert!(
        err.contains("0x7f6388c14000-0x7f6388c14010 (16 bytes) is anonymous memory never touched: zeros"),
        "{err}"
    );
    let (out, _, ok) = crit(&["mem", dir, "read", "0x7f6388c13ff8", "16", "--format", "json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hex"], "00000000000000000000000000000000");
    assert_eq!(
        v["gaps"],
        serde_json::json!([{"start": "0x7f6388c14000", "end": "0x7f6388c14008", "kind": "zeros"}])
    );
    let (_, err, ok) = crit(&["mem", dir, "read", "zz", "1"]);
    assert!(!ok && err.contains("ADDR"), "{err}");
}

#[test]
fn cli_maps_and_shmem() {
    let (out, _, ok) = crit(&["mem", corpus("mem").to_str().unwrap(), "maps", "--format", "json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 78);
    assert_eq!(v[0]["pieces"][0]["file"], "pages-1.img");
    assert_eq!(v[2]["flags"], serde_json::json!(["present", "lazy"]));
    let (out, _, ok) = crit(&["mem", corpus("ipc").to_str().unwrap(), "shmem", "--format", "json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["size"], 8192);
    assert_eq!(v["mappings"][0]["kind"], "sysv");
}

/// pid 1 of crit-tree was started as `sh -c "...\n..."`: the text output
/// keeps one argument a line and escapes the newlines; JSON keeps them.
#[test]
fn args_text_escapes_control_characters() {
    let tree = common::fixtures().join("archives/crit-tree.tar.gz");
    let t = tree.to_str().unwrap();
    let script = "echo crit-volume-data > /data/v; echo crit-tmpfs-data > /scratch/s; echo crit-shm-data > /dev/shm/s\n         rm /www/index.html; mkdir -p /root/new; head -c 65536 /dev/urandom > /root/new/blob\n         M=crit-tree-heap-marker.; i=0; while [ $i -lt 10 ]; do M=$M$M; i=$((i+1)); done\n         sleep 100001 & sh -c \"sleep 100002 & sleep 100003 & wait\" & wait";
    let json: Vec<String> = serde_json::from_str(&common::ok_stdout(&["mem", t, "args", "--format", "json"])).unwrap();
    assert_eq!(json, ["sh", "-c", script]);
    assert_eq!(
        common::ok_stdout(&["mem", t, "args"]),
        format!("sh\n-c\n{}\n", script.replace('\n', "\\n"))
    );
}
