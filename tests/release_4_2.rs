//! CRIU 4.2.1's checkpoints (`tests/fixtures/corpus-4.2.1`: the programs of
//! `corpus/`, dumped by CRIU 4.2.1) read as correctly as 4.1.1's: every
//! command over them, the same facts as the 4.1.1 checkpoint of the same
//! program, pagemaps of either release read alike, guard ranges, and the
//! refusal of pagemap entries from a newer CRIU.
//!
//! Decode and `--pretty` against the Python CRIT 4.2.1 are in `codec.rs`, the
//! explorers against it in `explore_peers.rs`. After an intended change to
//! the tables, rewrite the snapshots with
//! `UPDATE_SNAPSHOTS=1 cargo test --test integration release_4_2::` and review the diff.

use crate::common;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use common::{copy_checkpoint, crit_text, fixtures, images_of, scratch_copy, Snapshots};
use crit::image::{write_entry, write_header, ImageReader};
use crit::mem::{MemReader, Searcher, PAGE_SIZE};
use crit::proto::{MmEntry, PagemapEntry, VmaEntry};
use prost::Message;
use serde_json::Value;

const DIRS: &[&str] = &["tree", "threads", "mem", "net", "files", "ipc", "pty", "restored"];
const EXPLORERS: &[&str] = &["ps", "fds", "mems", "rss", "sk"];

const MARKER: &[u8] = b"CRIT-SECRET-MARKER-0xC0FFEE";
const FILLER: &[u8] = b"CRIT-HEAP-FILLER ";
const MARKER_OFFSETS: [u64; 3] = [12345, 300007, 1024 * 1024 - 4096];

const VMA_AREA_GUARD: u32 = 1 << 16;
const VMA_AREA_UPROBES: u32 = 1 << 17;

fn old(dir: &str) -> PathBuf {
    fixtures().join("corpus").join(dir)
}

fn new(dir: &str) -> PathBuf {
    fixtures().join("corpus-4.2.1").join(dir)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `crit ARGS`, which must succeed: its standard output.
fn ok(args: &[&str]) -> String {
    let (out, err, success) = crit_text(args);
    assert!(success, "crit {args:?}: {err}");
    out
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap_or_else(|e| panic!("crit {args:?}: {e}"))
}

/// The pids of `pstree.img` with memory (not zombies), in tree order.
fn tasks_with_memory(dir: &Path) -> Vec<u32> {
    json(&["x", s(dir), "ps", "--format", "json"])["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] != "zombie")
        .map(|t| t["pid"].as_u64().unwrap() as u32)
        .collect()
}

/// Rewrites a pagemap image entry by entry: `f(index, payload)` gets each
/// entry after the head (from 1, as errors number them) and returns it anew.
fn rewrite_pagemap(path: &Path, mut f: impl FnMut(usize, Vec<u8>) -> Vec<u8>) {
    let mut r = ImageReader::open(path).unwrap();
    let mut buf = Vec::new();
    let mut entries = Vec::new();
    while r.next_payload(&mut buf).unwrap() {
        let i = r.entry_index();
        r.finish_entry();
        entries.push(if i == 0 { buf.clone() } else { f(i, buf.clone()) });
    }
    let mut out = File::create(path).unwrap();
    write_header(&mut out, "PAGEMAP").unwrap();
    for e in entries {
        write_entry(&mut out, &e).unwrap();
    }
}

/// The same, through the typed entry.
fn rewrite_entries(path: &Path, mut f: impl FnMut(&mut PagemapEntry)) {
    rewrite_pagemap(path, |_, payload| {
        let mut pe = PagemapEntry::decode(payload.as_slice()).unwrap();
        f(&mut pe);
        pe.encode_to_vec()
    });
}

/// Every pagemap image of a checkpoint directory.
fn pagemaps(dir: &Path) -> Vec<PathBuf> {
    images_of(dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("pagemap-"))
        .collect()
}

// ------------------------------------------------------------ every command

fn snapshot(dir: &str, what: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/explore-4.2.1")
        .join(format!("{dir}-{what}.txt"))
}

/// Every explorer's table on every 4.2.1 checkpoint, against its snapshot,
/// laid out for an 80-column terminal.
#[test]
fn explorer_tables_match_snapshots() {
    let mut snapshots = Snapshots::from_env();
    for dir in DIRS {
        for what in EXPLORERS {
            let got = ok(&["x", s(&new(dir)), what, "--color", "never", "--width", "80"]);
            for line in got.lines() {
                assert!(line.chars().count() <= 80, "x {dir} {what}: {line}");
            }
            snapshots.check(format!("{dir}-{what}"), &snapshot(dir, what), &got);
        }
    }
    snapshots.finish("tables");
}

/// The other commands run on every 4.2.1 checkpoint and every task with
/// memory, and `info` counts what `decode` lists.
#[test]
fn every_command_runs_on_every_checkpoint() {
    for dir in DIRS {
        let d = new(dir);
        for what in EXPLORERS {
            let doc = json(&["x", s(&d), what, "--format", "json"]);
            assert!(!doc["tasks"].as_array().unwrap().is_empty(), "x {dir} {what}");
        }
        let stats = json(&["stats", s(&d), "--format", "json"]);
        assert!(stats["dump"]["pages_written"].as_u64().unwrap() > 0, "{dir}: {stats}");
        for pid in tasks_with_memory(&d) {
            let pid = pid.to_string();
            let mem = |rest: &[&str]| -> Vec<String> {
                ["mem", s(&d), "--pid", pid.as_str()]
                    .iter()
                    .chain(rest)
                    .map(|a| a.to_string())
                    .collect()
            };
            let run = |rest: &[&str]| json(&mem(rest).iter().map(String::as_str).collect::<Vec<_>>());
            let args = run(&["args", "--format", "json"]);
            assert_eq!(args[0], "/usr/local/bin/cwork", "{dir} {pid}");
            let env = run(&["env", "--format", "json"]);
            assert!(env.as_array().unwrap().contains(&"HOME=/root".into()), "{dir} {pid}");
            let maps = run(&["maps", "--format", "json"]);
            assert!(!maps.as_array().unwrap().is_empty(), "{dir} {pid}");
            run(&["shmem", "--format", "json"]);
            let search = mem(&["search", "cwork"]);
            let (_, err, success) = crit_text(&search.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(success && !err.starts_with("crit: 0 matches"), "{dir} {pid}: {err}");
        }
        for img in images_of(&d) {
            let info = json(&["info", s(&img)]);
            let decoded = json(&["decode", "-i", s(&img)]);
            let mut n = decoded["entries"].as_array().unwrap().len();
            if info["magic"] == "PAGEMAP" {
                n -= 1; // the head
            }
            assert_eq!(info["count"], n, "{}", img.display());
        }
    }
}

// ------------------------------------------------- the same facts as 4.1.1

/// Each program's tasks have the same names, tree, command lines and
/// environments in both releases' checkpoints.
#[test]
fn same_tasks_argv_and_environment_as_4_1_1() {
    for dir in DIRS {
        let strip = |v: Value| -> Vec<(Value, Value, Value)> {
            v["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["comm"].clone(), t["depth"].clone(), t["state"].clone()))
                .collect()
        };
        assert_eq!(
            strip(json(&["x", s(&new(dir)), "ps", "--format", "json"])),
            strip(json(&["x", s(&old(dir)), "ps", "--format", "json"])),
            "{dir}"
        );
        let (a, b) = (tasks_with_memory(&old(dir)), tasks_with_memory(&new(dir)));
        assert_eq!(a.len(), b.len(), "{dir}");
        for (p, q) in a.into_iter().zip(b) {
            let (m, n) = (
                MemReader::open(old(dir), Some(p)).unwrap(),
                MemReader::open(new(dir), Some(q)).unwrap(),
            );
            assert_eq!(n.args().unwrap(), m.args().unwrap(), "{dir} {q}");
            assert_eq!(n.env().unwrap(), m.env().unwrap(), "{dir} {q}");
        }
    }
    let out = ok(&["mem", s(&new("mem")), "args"]);
    assert_eq!(out, "/usr/local/bin/cwork\nmem\n--token\nargv-marker-91c2\n");
    let out = ok(&["mem", s(&new("mem")), "env"]);
    assert_eq!(
        out,
        "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=/root\nLANG=C.UTF-8\nREADY=/tmp/ready\nCRIT_ENV_SECRET=env-marker-7f3a\n"
    );
}

fn heap_start(m: &MemReader) -> u64 {
    common::heap_start(m, FILLER)
}

/// The three heap markers at their offsets, the sparse mapping's 64 stamped
/// pages, and the same page counts as the 4.1.1 checkpoint.
#[test]
fn mem_markers_and_pages_as_in_4_1_1() {
    let offsets = |m: &MemReader| -> Vec<u64> {
        let heap = heap_start(m);
        let s = Searcher::literal(MARKER, false).unwrap();
        m.search_all(&s, 0).unwrap().iter().map(|x| x.addr - heap).collect()
    };
    let (m, n) = (
        MemReader::open(old("mem"), None).unwrap(),
        MemReader::open(new("mem"), None).unwrap(),
    );
    assert_eq!(offsets(&n), MARKER_OFFSETS);
    assert_eq!(offsets(&n), offsets(&m));
    let (_, err, _) = crit_text(&["mem", s(&new("mem")), "search", "CRIT-SECRET-MARKER-0xC0FFEE"]);
    assert_eq!(err, "crit: 3 matches in 1433600 held bytes\n");

    // The 256-page mapping lies just below the heap buffer's chunk, in the same VMA.
    let base = n.vma_at(heap_start(&n)).unwrap().start;
    let r = n.read(base, 256 * PAGE_SIZE as usize).unwrap();
    for i in 0..256u64 {
        let page = &r.data[(i * PAGE_SIZE) as usize..((i + 1) * PAGE_SIZE) as usize];
        let stamp = u64::from_le_bytes(page[..8].try_into().unwrap());
        let want = if i % 4 == 0 { 0x5041_4745_0000_0000 | i } else { 0 };
        assert_eq!(stamp, want, "page {i}");
    }
    assert_eq!(r.missing.len(), 64);

    // Page counts: every reader agrees, and with 4.1.1 where the program
    // alone decides them (libc's dirty pages differ between the builds).
    for (dir, pages) in [("mem", 350), ("threads", 34), ("files", 30)] {
        for d in [old(dir), new(dir)] {
            let rss = json(&["x", s(&d), "rss", "--format", "json"]);
            assert_eq!(rss["tasks"][0]["present_pages"], pages, "{}", d.display());
            let stats = json(&["stats", s(&d), "--format", "json"]);
            let written = stats["dump"]["pages_written"].as_u64().unwrap();
            // CRIU counts the task's own pages; shared memory is dumped apart.
            let m = MemReader::open(&d, None).unwrap();
            let shared: u64 = m.shared_mappings().iter().map(|s| s.held).sum();
            assert_eq!(m.held_pages() - shared / PAGE_SIZE, written, "{}", d.display());
        }
    }
    for dir in DIRS {
        let d = new(dir);
        let rss = json(&["x", s(&d), "rss", "--format", "json"]);
        for pid in tasks_with_memory(&d) {
            let t = rss["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["pid"] == pid)
                .unwrap();
            let m = MemReader::open(&d, Some(pid)).unwrap();
            let private: u64 = m
                .maps()
                .iter()
                .filter(|r| r.image == format!("pagemap-{pid}.img"))
                .map(|r| r.nr_pages)
                .sum();
            assert_eq!(t["present_pages"], private, "{dir} {pid}");
            assert!(private > 0, "{dir} {pid}");
        }
    }
}

/// Shared memory: the SysV segment and the memfd hold what they held in 4.1.1.
#[test]
fn shared_memory_as_in_4_1_1() {
    for dir in ["files", "ipc", "restored"] {
        let facts = |d: PathBuf| -> Vec<(String, u64, u64)> {
            MemReader::open(d, None)
                .unwrap()
                .shared_mappings()
                .iter()
                .map(|s| (format!("{:?}", s.kind), s.vma.len(), s.held))
                .collect()
        };
        assert_eq!(facts(new(dir)), facts(old(dir)), "{dir}");
    }
    let m = MemReader::open(new("ipc"), None).unwrap();
    let [shm] = m.shared_mappings() else {
        panic!("one shared mapping")
    };
    let r = m.read(shm.vma.start, 64).unwrap();
    assert!(r.data.starts_with(b"shared memory segment contents"));
}

// --------------------------------------- 4.1-style and 4.2-style pagemaps

/// What every reader of memory says of a checkpoint: x rss, mem maps, mem
/// shmem, mem search, and the bytes of every held range (mem read).
fn readings(dir: &Path) -> Vec<String> {
    let d = s(dir);
    let mut out = vec![
        ok(&["x", d, "rss", "--format", "json"]),
        ok(&["x", d, "rss"]),
        ok(&["mem", d, "maps", "--format", "json"]),
        ok(&["mem", d, "shmem", "--format", "json"]),
    ];
    for pattern in ["cwork", "CRIT-SECRET-MARKER", "shared memory segment", "PAGE"] {
        let (o, e, success) = crit_text(&["mem", d, "search", pattern, "--format", "json"]);
        // As grep: success when something matched.
        assert_eq!(success, o != "[]\n", "{e}");
        out.push(o + &e);
    }
    let m = MemReader::open(dir, None).unwrap();
    let held = m.held_ranges();
    assert!(!held.is_empty());
    for r in held {
        let (a, len) = (format!("{:#x}", r.start), (r.end - r.start).to_string());
        let o = common::crit(&["mem", d, "read", &a, &len, "--raw"]);
        assert!(o.status.success() && o.stderr.is_empty());
        assert_eq!(o.stdout.len() as u64, r.end - r.start);
        out.push(format!("{:?}", o.stdout));
    }
    out
}

/// The same checkpoint with its pagemaps in the other release's form reads
/// the same in every reader: 4.1.1's rewritten as 4.2 writes them
/// (`compat_nr_pages` 0, the count in `nr_pages`), 4.2.1's as 4.1 did.
#[test]
fn pagemaps_of_either_release_read_alike() {
    for (dir, to_new) in [
        ("mem", true),
        ("files", true),
        ("ipc", true),
        ("files", false),
        ("ipc", false),
    ] {
        let src = if to_new { old(dir) } else { new(dir) };
        let tmp = scratch_copy(&src);
        for pm in pagemaps(tmp.path()) {
            rewrite_entries(&pm, |pe| {
                let n = pe.nr_pages.unwrap_or(u64::from(pe.compat_nr_pages));
                if to_new {
                    assert!(pe.nr_pages.is_none() && n > 0);
                    (pe.compat_nr_pages, pe.nr_pages) = (0, Some(n));
                } else {
                    assert_eq!(pe.compat_nr_pages, 0);
                    (pe.compat_nr_pages, pe.nr_pages) = (u32::try_from(n).unwrap(), None);
                }
            });
        }
        for pm in pagemaps(tmp.path()) {
            let name = pm.file_name().unwrap();
            assert_ne!(
                fs::read(&pm).unwrap(),
                fs::read(src.join(name)).unwrap(),
                "{dir}: rewritten"
            );
        }
        assert_eq!(readings(tmp.path()), readings(&src), "{dir} (to 4.2 form: {to_new})");
    }
}

/// When both fields are there, `nr_pages` (field 5) counts, as in CRIU.
#[test]
fn nr_pages_wins_over_compat_nr_pages() {
    let tmp = scratch_copy(&new("mem"));
    let pm = pagemaps(tmp.path()).into_iter().next().unwrap();
    rewrite_entries(&pm, |pe| pe.compat_nr_pages = 9999);
    assert_eq!(readings(tmp.path()), readings(&new("mem")));
}

// ------------------------------------------------ guard ranges, [uprobes]

fn rewrite_mm(dir: &Path, f: impl FnOnce(&mut MmEntry)) {
    let path = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("mm-"))
        .unwrap();
    let mut mm: MmEntry = crit::image::read_first(&path).unwrap();
    f(&mut mm);
    let mut out = File::create(&path).unwrap();
    write_header(&mut out, "MM").unwrap();
    write_entry(&mut out, &mm.encode_to_vec()).unwrap();
}

/// The threads checkpoint of 4.2.1 has three guard ranges (glibc's thread
/// stack guards): `x mems` lists them as `[guard]` after the mappings, and
/// `x rss` matches runs to the mapping around them, as the Python CRIT 4.2.1.
#[test]
fn real_guard_ranges() {
    let mems = json(&["x", s(&new("threads")), "mems", "--format", "json"]);
    let vmas = mems["tasks"][0]["vmas"].as_array().unwrap();
    let guards: Vec<&Value> = vmas.iter().filter(|v| v["resource"] == "[guard]").collect();
    assert_eq!(guards.len(), 3);
    assert!(vmas.ends_with(&guards.iter().map(|v| (*v).clone()).collect::<Vec<_>>()));
    for g in &guards {
        assert_eq!((g["prot"].as_str(), g["regular"].as_bool()), (Some("---"), Some(false)));
    }
    let rss = json(&["x", s(&new("threads")), "rss", "--format", "json"]);
    let run = rss["tasks"][0]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["start"] == "0x7ff1df1d3000")
        .unwrap();
    assert_eq!(run["vmas"][0]["start"], "0x7ff1de9d4000");
    assert_eq!(run["vmas"][0]["pages"], 6147);
    // Reading a guard range says what it is.
    let (out, err, success) = crit_text(&["mem", s(&new("threads")), "read", "0x7ff1df1d5000", "16"]);
    assert!(success);
    assert_eq!(
        out,
        "7ff1df1d5000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
    );
    assert_eq!(
        err,
        "crit: note: 0x7ff1df1d5000-0x7ff1df1d5010 (16 bytes) is a guard range: it holds no pages (the task faults there); read as zeros\n"
    );
}

/// A guard range over held pages and a `[uprobes]` area: no reader looks
/// for pages there, whatever the pagemap says.
#[test]
fn no_pages_are_read_in_guard_ranges_or_uprobes() {
    let tmp = scratch_copy(&new("mem"));
    let before = MemReader::open(tmp.path(), None).unwrap();
    let base = before.vma_at(heap_start(&before)).unwrap().start;
    // Page 4 of the sparse mapping holds stamp 4: guard it. Another
    // anonymous mapping holds pages too: call it the uprobes area.
    let guard = base + 4 * PAGE_SIZE;
    let uprobes = *before
        .vmas()
        .iter()
        .find(|v| v.kind() == "anon" && v.start != base && r_missing(&before, v) < v.len())
        .unwrap();
    let uprobes_held = (uprobes.len() - r_missing(&before, &uprobes)) / PAGE_SIZE;
    assert!(uprobes_held > 0);
    rewrite_mm(tmp.path(), |mm| {
        for v in mm.vmas.iter_mut().filter(|v| v.start == uprobes.start) {
            v.status = 1 | VMA_AREA_UPROBES;
            v.flags = 0x2;
        }
        mm.vmas.push(VmaEntry {
            start: guard,
            end: guard + PAGE_SIZE,
            status: VMA_AREA_GUARD,
            fd: -1,
            ..Default::default()
        });
    });
    let d = s(tmp.path());
    let m = MemReader::open(tmp.path(), None).unwrap();
    assert_eq!(m.pageless_areas().len(), 2);
    assert_eq!(
        m.vma_at(guard).unwrap().start,
        base,
        "lookups see the mapping around the guard"
    );
    let r = m.read(guard - PAGE_SIZE, 3 * PAGE_SIZE as usize).unwrap();
    assert_eq!(r.missing.len(), 1, "pages 3 and 5 untouched, 4 guarded");
    assert_eq!(r.missing[0], guard - PAGE_SIZE..guard + 2 * PAGE_SIZE);
    let r = m.read(guard + 4 * PAGE_SIZE, 8).unwrap();
    assert_eq!(
        r.data,
        (0x5041_4745_0000_0000u64 | 8).to_le_bytes(),
        "later pages stay in place"
    );
    let stamps = Searcher::literal(b"EGAP", false).unwrap();
    assert_eq!(m.search_all(&stamps, 0).unwrap().len(), 63);
    assert!(m
        .read(uprobes.start, uprobes.len() as usize)
        .unwrap()
        .data
        .iter()
        .all(|&b| b == 0));
    assert_eq!(m.held_pages(), 350 - 1 - uprobes_held);
    // `mem maps` still lists the pagemap's run there, holding nothing.
    let run = m.maps().iter().find(|r| r.start == guard).unwrap();
    assert_eq!((run.nr_pages, run.held()), (1, 0));

    let (_, err, _) = crit_text(&["mem", d, "read", &format!("{:#x}", guard), "4096"]);
    assert_eq!(
        err,
        format!(
            "crit: note: {guard:#x}-{:#x} (4096 bytes) is a guard range: it holds no pages (the task faults there); read as zeros\n",
            guard + PAGE_SIZE
        )
    );
    let (_, err, _) = crit_text(&["mem", d, "read", &format!("{:#x}", uprobes.start), "16"]);
    assert_eq!(
        err,
        format!(
            "crit: note: {:#x}-{:#x} (16 bytes) is the kernel's [uprobes] area: a checkpoint holds no pages of it; read as zeros\n",
            uprobes.start,
            uprobes.start + 16
        )
    );
    let read = json(&["mem", d, "read", &format!("{:#x}", guard), "16", "--format", "json"]);
    assert_eq!(read["gaps"][0]["kind"], "guard");

    let mems = ok(&["x", d, "mems", "--color", "never"]);
    let last = mems.lines().last().unwrap();
    assert!(last.ends_with("---   [guard]"), "{mems}");
    assert!(mems.contains("rw-   [uprobes]\n"), "{mems}");
    // x rss: the run holding page 4 falls in the sparse mapping, not the
    // guard; the uprobes area's runs fall in no mapping.
    let rss = json(&["x", d, "rss", "--format", "json"]);
    for r in rss["tasks"][0]["runs"].as_array().unwrap() {
        for v in r["vmas"].as_array().unwrap() {
            assert_ne!(v["start"], format!("{guard:#x}"));
            assert_ne!(v["start"], format!("{:#x}", uprobes.start));
        }
    }
}

/// Bytes of `vma` the reader does not hold.
fn r_missing(m: &MemReader, vma: &crit::mem::Vma) -> u64 {
    m.read(vma.start, vma.len() as usize)
        .unwrap()
        .missing
        .iter()
        .map(|r| r.end - r.start)
        .sum()
}

// --------------------------------------------- never misread a newer CRIU

/// Field 6 (varint 1) appended to a payload: what a newer CRIU's compressed
/// pages would add.
fn with_field_6(mut payload: Vec<u8>) -> Vec<u8> {
    payload.extend_from_slice(&[6 << 3, 1]);
    payload
}

fn refusal(image: &Path, entry: usize, what: &str) -> String {
    let mut r = ImageReader::open(image).unwrap();
    let mut buf = Vec::new();
    let mut at = 0;
    for _ in 0..=entry {
        at = r.offset();
        r.next_payload(&mut buf).unwrap();
        r.finish_entry();
    }
    format!(
        "crit: {}: entry {entry} at byte {at}: pagemap_entry has {what}, which crit does not know: the checkpoint is newer than crit's format (CRIU {}); refusing to read its pages\n",
        image.display(),
        crit::CRIU_FORMAT_VERSION
    )
}

fn assert_refused(args: &[&str], want: &str) {
    let (out, err, success) = crit_text(args);
    assert!(!success, "crit {args:?} succeeded");
    assert_eq!(err, want, "crit {args:?}");
    assert!(out.is_empty(), "crit {args:?}: {out}");
}

/// An unknown field or flag bit in a pagemap entry: every reader of page
/// contents refuses with one line; decode and encode keep the field.
#[test]
fn unknown_pagemap_field_or_flag_is_refused() {
    for (what, entry) in [("field 6", 3), ("flag bit 0x8", 2), ("field 6 and flag bits 0x18", 5)] {
        let tmp = scratch_copy(&new("mem"));
        let d = s(tmp.path());
        let pm = tmp.path().join("pagemap-3374.img");
        rewrite_pagemap(&pm, |i, payload| {
            if i != entry {
                return payload;
            }
            let mut pe = PagemapEntry::decode(payload.as_slice()).unwrap();
            if what.contains("flag") {
                let bits = if what.contains("0x18") { 0x18 } else { 0x8 };
                pe.flags = Some(pe.flags.unwrap() | bits);
            }
            let payload = pe.encode_to_vec();
            if what.contains("field") {
                with_field_6(payload)
            } else {
                payload
            }
        });
        let want = refusal(&pm, entry, what);
        assert_eq!(want.lines().count(), 1);
        for args in [
            &["mem", d, "args"][..],
            &["mem", d, "env"],
            &["mem", d, "read", "0x1000", "16"],
            &["mem", d, "search", "CRIT"],
            &["mem", d, "maps"],
            &["mem", d, "shmem"],
            &["x", d, "rss"],
        ] {
            assert_refused(args, &want);
        }
        // What does not read pages still shows what it reads, and warns
        // that the checkpoint's pages cannot be read (exit 1).
        let (out, err, success) = crit_text(&["x", d, "mems"]);
        assert!(!success && out.contains("[heap]"), "{out}");
        assert_eq!(err, want.replacen("crit: ", "crit: warning: ", 1));
        // decode keeps the unknown field, encode puts it back.
        let plain = ok(&["decode", "-i", s(&pm)]);
        assert_eq!(plain.contains("_unknown_fields"), what.contains("field"), "{what}");
        let back = common::crit_stdin(&["encode"], plain.as_bytes());
        assert!(back.status.success());
        assert_eq!(back.stdout, fs::read(&pm).unwrap(), "{what}: round trip");
    }
}

/// The refusal covers shared memory pagemaps and parent checkpoints too.
#[test]
fn unknown_fields_are_refused_in_shmem_and_parent_pagemaps() {
    let tmp = scratch_copy(&new("files"));
    let shm = tmp.path().join("pagemap-shmem-1085.img");
    rewrite_pagemap(&shm, |_, p| with_field_6(p));
    assert_refused(&["mem", s(tmp.path()), "shmem"], &refusal(&shm, 1, "field 6"));

    // A pre-dump chain: the child says its pages are in the parent, whose
    // pagemap is from a newer CRIU.
    let root = tempfile::tempdir().unwrap();
    let parent = root.path().join("pre");
    let child = root.path().join("dump");
    for dir in [&parent, &child] {
        fs::create_dir(dir).unwrap();
        copy_checkpoint(&new("mem"), dir);
    }
    std::os::unix::fs::symlink("../pre", child.join("parent")).unwrap();
    let pm = child.join("pagemap-3374.img");
    rewrite_entries(&pm, |pe| pe.flags = Some(1)); // PE_PARENT
    fs::write(child.join("pages-1.img"), b"").unwrap();
    // The chain reads as the checkpoint itself did...
    let args = ok(&["mem", s(&child), "args"]);
    assert_eq!(args, "/usr/local/bin/cwork\nmem\n--token\nargv-marker-91c2\n");
    // ...until the parent's pagemap has a field crit does not know.
    let ppm = parent.join("pagemap-3374.img");
    rewrite_pagemap(&ppm, |i, p| if i == 4 { with_field_6(p) } else { p });
    let want = refusal(&ppm, 4, "field 6").replace(s(&parent), &format!("{}/parent", s(&child)));
    assert_refused(&["mem", s(&child), "args"], &want);
}

// ------------------------------------------------------- --pretty names

/// An MM image of one mapping, and its `--pretty` JSON.
fn mm_pretty(vma: VmaEntry) -> (Vec<u8>, String) {
    let mm = MmEntry {
        vmas: vec![vma],
        ..Default::default()
    };
    let mut img = Vec::new();
    write_header(&mut img, "MM").unwrap();
    write_entry(&mut img, &mm.encode_to_vec()).unwrap();
    let pretty = String::from_utf8(common::decode_bytes(&img, true).unwrap()).unwrap();
    (img, pretty)
}

/// CRIU 4.2's VMA names, as the Python CRIT 4.2.1 prints them, and back.
#[test]
fn pretty_names_map_droppable_and_uprobes() {
    let (img, pretty) = mm_pretty(VmaEntry {
        start: 0x1000,
        end: 0x2000,
        prot: 3,
        flags: 0x2 | 0x8 | 0x20,
        status: 1 | (1 << 9) | VMA_AREA_UPROBES,
        fd: -1,
        ..Default::default()
    });
    assert!(
        pretty.contains(r#""flags": "MAP_PRIVATE | MAP_DROPPABLE | MAP_ANON","#),
        "{pretty}"
    );
    assert!(
        pretty.contains(r#""status": "VMA_AREA_REGULAR | VMA_ANON_PRIVATE | VMA_AREA_UPROBES","#),
        "{pretty}"
    );
    let back = common::crit_stdin(&["encode"], pretty.as_bytes());
    assert_eq!(back.stdout, img);
    // A guard range has no name in the Python CRIT 4.2.1: a number.
    let (_, pretty) = mm_pretty(VmaEntry {
        start: 0x1000,
        end: 0x2000,
        status: VMA_AREA_GUARD,
        fd: -1,
        ..Default::default()
    });
    assert!(pretty.contains(r#""status": "0x10000","#), "{pretty}");
}
