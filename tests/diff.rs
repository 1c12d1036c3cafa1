//! `crit diff`: pairs of checkpoints built from the corpus with our own
//! encoder (an image decoded to JSON, edited, encoded back) or by editing the
//! raw bytes of `pages-*.img`, each test knowing exactly what it changed.

use crate::common;

use std::fs;
use std::path::Path;

use serde_json::{json, Value};
use tempfile::TempDir;

use common::{corpus, edit_image};
use crit::diff::{compare, files::FdRef, pages::PageRun, Change, Diff, MatchBy, Options};
use crit::explore::Hex;
use crit::mem::{MemReader, Searcher, PAGE_SIZE};

/// A copy of corpus checkpoint `name` to edit.
fn copy(name: &str) -> TempDir {
    common::scratch_copy(&corpus(name))
}

/// A copy of `mem` whose one task, 20931, is `pid` instead.
fn renumbered_mem(pid: u32) -> TempDir {
    let b = copy("mem");
    for e in fs::read_dir(b.path()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(rest) = name.strip_suffix("-20931.img") {
            fs::rename(b.path().join(&name), b.path().join(format!("{rest}-{pid}.img"))).unwrap();
        }
    }
    edit_image(&b.path().join("pstree.img"), |v| {
        v["entries"][0] = json!({"pid": pid, "ppid": 0, "pgid": pid, "sid": pid, "threads": [pid]});
    });
    b
}

/// Where the byte at `addr` of the root task lives: a pages file and offset.
fn file_offset(m: &MemReader, addr: u64) -> (String, u64) {
    m.maps()
        .iter()
        .flat_map(|r| &r.pieces)
        .find(|p| (p.start..p.start + p.len).contains(&addr))
        .map(|p| (p.file.clone(), p.offset + (addr - p.start)))
        .expect("a held address")
}

/// Overwrites memory at `addr` of the root task of checkpoint `dir`.
fn poke(dir: &Path, addr: u64, bytes: &[u8]) {
    use std::os::unix::fs::FileExt;
    let m = MemReader::open(dir, None).unwrap();
    let (file, off) = file_offset(&m, addr);
    let f = fs::OpenOptions::new().write(true).open(dir.join(file)).unwrap();
    f.write_all_at(bytes, off).unwrap();
}

fn find(dir: &Path, text: &[u8]) -> u64 {
    let m = MemReader::open(dir, None).unwrap();
    let s = Searcher::literal(text, false).unwrap();
    let hits = m.search_all(&s, 0).unwrap();
    hits.iter()
        .find(|h| m.vma_at(h.addr).is_some_and(|v| v.kind() == "stack"))
        .unwrap_or(&hits[0])
        .addr
}

fn diff(a: &Path, b: &Path) -> Diff {
    compare(a, b, &Options::default()).unwrap()
}

fn page(addr: u64) -> u64 {
    addr / PAGE_SIZE * PAGE_SIZE
}

#[test]
fn a_checkpoint_equals_itself() {
    for name in ["mem", "net", "tree", "files", "ipc", "threads", "pty"] {
        let d = compare(
            corpus(name),
            corpus(name),
            &Options {
                images: true,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(d.equal, "{name}");
        assert!(d.tasks.is_empty() && d.processes.added.is_empty() && d.processes.removed.is_empty());
        assert_eq!((d.memory.changed, d.memory.only_a, d.memory.only_b), (0, 0, 0));
        assert!(d.images.unwrap().images.iter().all(|i| i.equal));
    }
    let d = diff(&corpus("mem"), &corpus("mem"));
    assert_eq!(d.memory.equal, 350, "every held page of `mem`, once");
}

#[test]
fn a_task_removed_and_added() {
    let b = copy("tree");
    edit_image(&b.path().join("pstree.img"), |v| {
        v["entries"].as_array_mut().unwrap().retain(|e| e["pid"] != 20888);
    });
    let d = diff(&corpus("tree"), b.path());
    assert!(!d.equal);
    let removed: Vec<(u32, u32, &str)> = d
        .processes
        .removed
        .iter()
        .map(|t| (t.pid, t.ppid, t.comm.as_str()))
        .collect();
    assert_eq!(removed, [(20888, 20886, "tree-grandkid")]);
    assert!(d.processes.added.is_empty());
    assert!(d.tasks.is_empty(), "the other tasks are unchanged");
    let held = MemReader::open(corpus("tree"), Some(20888)).unwrap().held_pages();
    assert_eq!((d.memory.only_a, d.memory.only_b, d.memory.changed), (held, 0, 0));

    let back = diff(b.path(), &corpus("tree"));
    let added: Vec<u32> = back.processes.added.iter().map(|t| t.pid).collect();
    assert_eq!(added, [20888]);
    assert!(back.processes.removed.is_empty());
    assert_eq!(back.memory.only_b, held);
}

#[test]
fn argv_and_environment_edited_in_memory() {
    let b = copy("mem");
    let argv = find(b.path(), b"argv-marker-91c2");
    let env = find(b.path(), b"env-marker-7f3a");
    poke(b.path(), argv, b"argv-marker-ABCD");
    poke(b.path(), env, b"env-marker-beef");
    let d = diff(&corpus("mem"), b.path());
    assert!(!d.equal);
    let t = &d.tasks[0];
    assert_eq!((t.pid, t.b_pid), (20931, 20931));
    assert_eq!(
        t.changes,
        [Change::new(
            "argv",
            json!(["/usr/local/bin/cwork", "mem", "--token", "argv-marker-91c2"]),
            json!(["/usr/local/bin/cwork", "mem", "--token", "argv-marker-ABCD"]),
        )]
    );
    assert!(t.env.added.is_empty() && t.env.removed.is_empty());
    assert_eq!(t.env.changed.len(), 1);
    assert_eq!(
        (
            t.env.changed[0].name.as_str(),
            t.env.changed[0].a.as_str(),
            t.env.changed[0].b.as_str()
        ),
        ("CRIT_ENV_SECRET", "env-marker-7f3a", "env-marker-beef")
    );
    let mut pages = vec![page(argv), page(env)];
    pages.dedup();
    let changed: Vec<u64> = t
        .pages
        .changed_runs
        .iter()
        .flat_map(|r| (0..r.pages).map(move |k| r.start.0 + k * PAGE_SIZE))
        .collect();
    assert_eq!(changed, pages);
    assert!(t.files.is_empty() && t.vmas.is_empty());
}

#[test]
fn three_pages_changed() {
    let b = copy("mem");
    let m = MemReader::open(corpus("mem"), None).unwrap();
    // A run of the 1 MiB anonymous buffer: pages 0, 5 and 6 of it.
    let run = m
        .maps()
        .iter()
        .find(|r| r.nr_pages >= 8 && m.vma_at(r.start).is_some_and(|v| v.kind() == "anon"))
        .unwrap();
    let addrs = [run.start, run.start + 5 * PAGE_SIZE, run.start + 6 * PAGE_SIZE + 4095];
    for a in addrs {
        let old = m.read(a, 1).unwrap().data[0];
        poke(b.path(), a, &[!old]);
    }
    let d = diff(&corpus("mem"), b.path());
    assert_eq!(
        (d.memory.equal, d.memory.changed, d.memory.only_a, d.memory.only_b),
        (347, 3, 0, 0)
    );
    let p = &d.tasks[0].pages;
    assert_eq!(
        p.changed_runs,
        [
            PageRun {
                start: Hex(run.start),
                pages: 1
            },
            PageRun {
                start: Hex(run.start + 5 * PAGE_SIZE),
                pages: 2
            }
        ]
    );
    assert_eq!(p.vmas.len(), 1);
    let v = &p.vmas[0];
    assert_eq!(
        (v.kind, v.side, v.changed, v.only_a, v.only_b),
        ("anon", "both", 3, 0, 0)
    );
    let want: Vec<Hex> = [0, 5, 6].iter().map(|k| Hex(run.start + k * PAGE_SIZE)).collect();
    assert_eq!(v.first_changed, want);

    // The CLI: the table names the pages, --hexdiff shows both sides.
    let a_dir = corpus("mem");
    let a = a_dir.to_str().unwrap();
    let out = common::crit(&["diff", a, b.path().to_str().unwrap(), "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let firsts = want.iter().map(|h| format!("{:x}", h.0)).collect::<Vec<_>>().join(" ");
    assert!(text.contains(&firsts), "{text}");
    assert!(
        text.contains("memory: 347 pages equal, 3 changed, 0 only in A, 0 only in B"),
        "{text}"
    );
    let addr = format!("{:#x}", run.start + 5 * PAGE_SIZE);
    let out = common::crit(&["diff", a, b.path().to_str().unwrap(), "--hexdiff", &addr, "32"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(&format!("-{:x}: ", run.start + 5 * PAGE_SIZE)),
        "{text}"
    );
    assert!(lines[1].starts_with('+') && lines[2].starts_with(' '), "{text}");
    let out = common::crit(&["diff", a, a, "--hexdiff", &addr, "32", "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_page_held_on_one_side_only() {
    let b = copy("mem");
    let m = MemReader::open(corpus("mem"), None).unwrap();
    let run = m
        .maps()
        .iter()
        .find(|r| r.nr_pages >= 3 && r.present() && m.vma_at(r.start).is_some_and(|v| v.kind() == "anon"))
        .unwrap()
        .clone();
    let gone = run.start + PAGE_SIZE;
    // Split the run around its second page and cut that page out of the pages file.
    edit_image(&b.path().join("pagemap-20931.img"), |v| {
        let entries = v["entries"].as_array_mut().unwrap();
        let i = entries.iter().position(|e| e["vaddr"] == run.start).unwrap();
        let flags = entries[i]["flags"].clone();
        entries[i]["compat_nr_pages"] = json!(1);
        let rest = json!({"vaddr": run.start + 2 * PAGE_SIZE, "compat_nr_pages": run.nr_pages - 2, "flags": flags});
        entries.insert(i + 1, rest);
    });
    let (file, off) = file_offset(&m, gone);
    let path = b.path().join(file);
    let mut bytes = fs::read(&path).unwrap();
    bytes.drain(off as usize..(off + PAGE_SIZE) as usize);
    fs::write(&path, bytes).unwrap();

    let d = diff(&corpus("mem"), b.path());
    assert_eq!(
        (d.memory.equal, d.memory.changed, d.memory.only_a, d.memory.only_b),
        (349, 0, 1, 0)
    );
    let p = &d.tasks[0].pages;
    assert_eq!(
        p.only_a_runs,
        [PageRun {
            start: Hex(gone),
            pages: 1
        }]
    );
    assert_eq!((p.vmas[0].only_a, p.vmas[0].changed), (1, 0));
    let back = diff(b.path(), &corpus("mem"));
    assert_eq!(
        back.tasks[0].pages.only_b_runs,
        [PageRun {
            start: Hex(gone),
            pages: 1
        }]
    );
    assert_eq!(back.memory.only_b, 1);
}

#[test]
fn an_fd_closed() {
    let b = copy("net");
    edit_image(&b.path().join("fdinfo-2.img"), |v| {
        v["entries"].as_array_mut().unwrap().retain(|e| e["fd"] != 6);
    });
    let d = diff(&corpus("net"), b.path());
    assert_eq!(d.tasks.len(), 1);
    let f = &d.tasks[0].files;
    assert_eq!(
        f.removed,
        [FdRef {
            fd: 6,
            kind: "INETSK".into(),
            object: "udp 127.0.0.1:47102".into()
        }]
    );
    assert!(f.added.is_empty() && f.changed.is_empty());
    let back = diff(b.path(), &corpus("net"));
    assert_eq!(back.tasks[0].files.added.len(), 1);
}

#[test]
fn a_socket_state_changed() {
    let b = copy("net");
    edit_image(&b.path().join("files.img"), |v| {
        let e = v["entries"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|e| e["id"] == 5)
            .unwrap();
        assert_eq!(e["isk"]["state"], 10);
        e["isk"]["state"] = json!(7);
    });
    let d = diff(&corpus("net"), b.path());
    let f = &d.tasks[0].files;
    assert!(f.added.is_empty() && f.removed.is_empty());
    assert_eq!(f.changed.len(), 1);
    assert_eq!(f.changed[0].fd, 3);
    assert_eq!(f.changed[0].changes, [Change::new("state", "LISTEN", "CLOSE")]);
}

#[test]
fn a_vma_protection_changed() {
    let b = copy("mem");
    let mm = b.path().join("mm-20931.img");
    let mut index = 0;
    edit_image(&mm, |v| {
        let vmas = v["entries"][0]["vmas"].as_array_mut().unwrap();
        index = vmas.iter().position(|x| x["prot"] == 3).unwrap();
        vmas[index]["prot"] = json!(1);
    });
    let d = compare(
        corpus("mem"),
        b.path(),
        &Options {
            images: true,
            ..Options::default()
        },
    )
    .unwrap();
    let v = &d.tasks[0].vmas;
    assert!(v.added.is_empty() && v.removed.is_empty());
    assert_eq!(v.changed.len(), 1);
    assert_eq!(v.changed[0].what, ["prot"]);
    assert_eq!(
        (v.changed[0].a.prot.as_str(), v.changed[0].b.prot.as_str()),
        ("rw-", "r--")
    );
    assert_eq!(d.memory.changed, 0, "the pages stay the same");
    let images = d.images.unwrap();
    let differing: Vec<_> = images.images.iter().filter(|i| !i.equal).collect();
    assert_eq!(differing.len(), 1);
    assert_eq!(differing[0].name, "mm-20931.img");
    assert_eq!(
        differing[0].first,
        Some(Change::new(format!("entries[0].vmas[{index}].prot"), 3, 1))
    );
}

#[test]
fn renumbered_tasks_pair_by_command() {
    let b = renumbered_mem(40931);
    let by_pid = diff(&corpus("mem"), b.path());
    assert_eq!(by_pid.processes.removed[0].pid, 20931);
    assert_eq!(by_pid.processes.added[0].pid, 40931);
    assert_eq!((by_pid.memory.only_a, by_pid.memory.only_b), (350, 350));
    let by_comm = compare(
        corpus("mem"),
        b.path(),
        &Options {
            match_by: MatchBy::Comm,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(by_comm.equal, "{:?}", by_comm.tasks);
    assert_eq!(by_comm.memory.equal, 350);
}

#[test]
fn restored_against_ipc() {
    let d = diff(&corpus("ipc"), &corpus("restored"));
    assert!(d.equal, "a restore leaves the images as they were");
    let d = compare(
        corpus("ipc"),
        corpus("restored"),
        &Options {
            images: true,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(!d.equal);
    let images = d.images.unwrap();
    assert_eq!(images.only_b, ["stats-restore"]);
    assert!(images.only_a.is_empty());
    assert_eq!(images.images.len(), 20);
    assert!(images.images.iter().all(|i| i.equal));
}

#[test]
fn exit_status_and_formats() {
    let (ipc, restored) = (corpus("ipc"), corpus("restored"));
    let (ipc, restored) = (ipc.to_str().unwrap(), restored.to_str().unwrap());
    let out = common::crit(&["diff", ipc, restored]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains(": equal"));
    let out = common::crit(&["diff", ipc, restored, "--images", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let out = common::crit(&["diff", ipc, restored, "--images", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["equal"], false);
    assert_eq!(v["images"]["only_b"], json!(["stats-restore"]));
    assert_eq!(
        v["memory"],
        json!({"equal": 30, "changed": 0, "only_a": 0, "only_b": 0})
    );
    // Trouble is 2, not 1 ("different").
    let out = common::crit(&["diff", ipc, "/nonexistent/checkpoint"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "crit: /nonexistent/checkpoint: No such file or directory (os error 2)\n"
    );
    let out = common::crit(&["diff", ipc]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn credentials_changed() {
    let b = copy("mem");
    edit_image(&b.path().join("core-20931.img"), |v| {
        let creds = &mut v["entries"][0]["thread_core"]["creds"];
        creds["euid"] = json!(1000);
        creds["cap_eff"] = json!([0, 0]);
    });
    let d = diff(&corpus("mem"), b.path());
    assert_eq!(
        d.tasks[0].changes,
        [
            Change::new("creds.euid", 0, 1000),
            Change::new("creds.cap_eff", json!([4278190079u32, 511]), json!([0, 0])),
        ]
    );
}

#[test]
fn a_file_position_and_flags_changed() {
    let b = copy("files");
    edit_image(&b.path().join("files.img"), |v| {
        let e = v["entries"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|e| e["id"] == 8)
            .unwrap();
        assert_eq!(
            (e["reg"]["pos"].as_u64(), e["reg"]["flags"].as_u64()),
            (Some(54), Some(33793))
        );
        e["reg"]["pos"] = json!(4096);
        e["reg"]["flags"] = json!(32770);
    });
    let d = diff(&corpus("files"), b.path());
    let f = &d.tasks[0].files;
    assert_eq!(f.changed.len(), 1);
    assert_eq!(
        (f.changed[0].fd, f.changed[0].object.as_str()),
        (4, "/tmp/crit-files/log.txt")
    );
    assert_eq!(
        f.changed[0].changes,
        [Change::new("pos", 54, 4096), Change::new("flags", 33793, 32770)]
    );
}

#[test]
fn cli_match_by_command_and_all_pages() {
    let b = renumbered_mem(7);
    let m = MemReader::open(corpus("mem"), None).unwrap();
    let run = m.maps().iter().find(|r| r.nr_pages >= 8).unwrap().start;
    for k in [2, 3, 4, 9] {
        poke(b.path(), run + k * PAGE_SIZE, b"x");
    }
    let a_dir = corpus("mem");
    let (a, bp) = (a_dir.to_str().unwrap(), b.path().to_str().unwrap());
    let out = common::crit(&["diff", a, bp, "--match", "comm", "--pages", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\n20931 mem (B: 7)\n"), "{text}");
    let pages: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with("changed "))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let (p2, p9) = (
        format!("{:x}", run + 2 * PAGE_SIZE),
        format!("{:x}", run + 9 * PAGE_SIZE),
    );
    let want = [["changed", p2.as_str(), "3"], ["changed", p9.as_str(), "1"]];
    assert_eq!(pages, want, "{text}");
    let out = common::crit(&["diff", a, bp, "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "by pid: one task removed, one added");
}

/// A copy of `mem` whose largest run is in its parent checkpoint (a
/// pre-dump, `parent/`): the pagemap marks the run in-parent and the pages
/// file no longer holds it.
fn with_parent() -> (TempDir, u64, u64) {
    let b = copy("mem");
    let parent = b.path().join("parent");
    fs::create_dir(&parent).unwrap();
    common::copy_checkpoint(&corpus("mem"), &parent);
    let m = MemReader::open(corpus("mem"), None).unwrap();
    let run = m.maps().iter().max_by_key(|r| r.nr_pages).unwrap().clone();
    edit_image(&b.path().join("pagemap-20931.img"), |v| {
        let e = v["entries"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|e| e["vaddr"] == run.start)
            .unwrap();
        e["flags"] = json!(crit::mem::PE_PARENT);
    });
    let (file, off) = file_offset(&m, run.start);
    let path = b.path().join(file);
    let mut bytes = fs::read(&path).unwrap();
    bytes.drain(off as usize..(off + run.nr_pages * PAGE_SIZE) as usize);
    fs::write(&path, bytes).unwrap();
    (b, run.start, run.nr_pages)
}

#[test]
fn a_dump_compares_through_its_parent() {
    let (b, start, pages) = with_parent();
    assert!(pages > 100);
    let m = MemReader::open(b.path(), None).unwrap();
    assert!(m.maps().iter().any(|r| r.start == start && r.in_parent()));
    let d = diff(&corpus("mem"), b.path());
    assert!(d.equal, "{:?}", d.tasks);
    assert_eq!(d.memory.equal, 350);
    // A page changed in the parent is a page changed in the dump.
    poke(&b.path().join("parent"), start + 7 * PAGE_SIZE, b"!");
    let d = diff(&corpus("mem"), b.path());
    assert_eq!(
        d.tasks[0].pages.changed_runs,
        [PageRun {
            start: Hex(start + 7 * PAGE_SIZE),
            pages: 1
        }]
    );
}

#[test]
fn a_corrupt_image_is_trouble_not_a_difference() {
    let b = copy("net");
    let path = b.path().join("files.img");
    common::truncate_by(&path, 3);
    let a_dir = corpus("net");
    let out = common::crit(&["diff", a_dir.to_str().unwrap(), b.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("crit: {}", path.display())), "{err}");
}
