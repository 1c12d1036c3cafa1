//! `crit mem search` on a compressed archive searches raw memory as it is
//! decompressed: the answers must be those of the unpacked checkpoint, match
//! for match, and an archive the one-pass search cannot serve falls back to
//! the general way with the same answers.

use crate::common;

use std::path::Path;

use common::{fixtures, raw_tar, unpack};
use crit::explore::Checkpoint;
use crit::mem::{in_one_pass, MemReader, PreparedSearch, SearchMatch, SearchStats, Searcher};
use crit::source::{OpenOptions, Source};

fn searched(path: &Path, pid: u32, s: &Searcher, context: usize) -> (bool, SearchStats, Vec<SearchMatch>) {
    searched_in(path, &OpenOptions::default(), Some(pid), s, context)
}

/// Whether the search was done as the archive streamed by, its stats and matches.
fn searched_in(
    path: &Path,
    opts: &OpenOptions,
    pid: Option<u32>,
    s: &Searcher,
    context: usize,
) -> (bool, SearchStats, Vec<SearchMatch>) {
    let run = PreparedSearch::open(path, opts, pid, s, context).unwrap();
    if let Some(pid) = pid {
        assert_eq!(run.mem().pid(), pid);
    }
    let streamed = run.streamed();
    let mut got = Vec::new();
    let stats = run
        .run(|m| {
            got.push(m);
            Ok(())
        })
        .unwrap();
    (streamed, stats, got)
}

fn in_directory(dir: &Path, pid: u32, s: &Searcher, context: usize) -> (SearchStats, Vec<SearchMatch>) {
    let mem = MemReader::from_source(Source::open(dir, &OpenOptions::default()).unwrap(), Some(pid)).unwrap();
    let mut got = Vec::new();
    let stats = mem
        .search(s, context, |m| {
            got.push(m);
            Ok(())
        })
        .unwrap();
    (stats, got)
}

fn patterns() -> Vec<Searcher> {
    vec![
        Searcher::literal(b"crit-tree-heap-marker.", false).unwrap(),
        Searcher::literal(b"path=", true).unwrap(),
        Searcher::regex(r"[A-Z]{4,}=[a-z/]+", false).unwrap(),
    ]
}

/// Every task of every compressed archive, several patterns: searched as
/// it streamed by, and the same matches as in the unpacked checkpoint.
#[test]
fn streamed_search_equals_the_unpacked_checkpoint() {
    let mut compared = 0;
    let mut found = 0;
    for name in ["crit-tree.tar.gz", "crit-sleep.tar.zst", "crit-httpd.tar.gz"] {
        let path = fixtures().join("archives").join(name);
        let dir = tempfile::tempdir().unwrap();
        unpack(&raw_tar(&path), dir.path());
        let cp = Checkpoint::open(&path).unwrap();
        for task in &cp.tasks {
            for s in patterns() {
                let (streamed, stats, got) = searched(&path, task.pid, &s, 24);
                assert!(streamed, "{name} pid {}: not searched as it streamed by", task.pid);
                let (want_stats, want) = in_directory(dir.path(), task.pid, &s, 24);
                assert_eq!(stats, want_stats, "{name} pid {}", task.pid);
                assert_eq!(got, want, "{name} pid {}", task.pid);
                compared += 1;
                found += got.len();
            }
        }
    }
    assert_eq!(compared, 3 * (5 + 1 + 1));
    // The marker alone: pid 1 of crit-tree holds it 1024 times over.
    assert!(found > 1024, "{found} matches in all");
}

/// Far more matches than are kept in memory (8 MiB of them): the rest go
/// to a temporary file, and come back the same.
#[test]
fn many_matches_are_kept_in_a_temporary_file() {
    let path = fixtures().join("archives/crit-tree.tar.gz");
    let dir = tempfile::tempdir().unwrap();
    unpack(&raw_tar(&path), dir.path());
    let s = Searcher::regex("(?s).", false).unwrap();
    let (streamed, stats, got) = searched(&path, 1, &s, 64);
    assert!(streamed);
    let (want_stats, want) = in_directory(dir.path(), 1, &s, 64);
    assert_eq!(stats.matches, stats.bytes_scanned, "every byte matches");
    assert_eq!(stats, want_stats);
    let spooled: usize = got
        .iter()
        .map(|m| 20 + m.bytes.len() + m.before.len() + m.after.len())
        .sum();
    assert!(spooled > 8 << 20, "only {spooled} bytes of matches");
    assert!(got == want);

    // More than 64 MiB of matches are not kept: the search is done the
    // general way, its matches handed out as they are found.
    let (streamed, stats, got) = searched(&path, 1, &s, 256);
    assert!(!streamed, "over 64 MiB of matches were kept");
    let (want_stats, want) = in_directory(dir.path(), 1, &s, 256);
    let spooled: usize = got
        .iter()
        .map(|m| 20 + m.bytes.len() + m.before.len() + m.after.len())
        .sum();
    assert!(spooled > 64 << 20, "only {spooled} bytes of matches");
    assert_eq!(stats, want_stats);
    assert!(got == want);
}

/// Members in another order (raw memory before its pagemap): the archive
/// is read again, the general way, with the same answers.
#[test]
fn an_archive_in_another_order_is_searched_the_general_way() {
    let tar = raw_tar(&fixtures().join("archives/crit-sleep.tar"));
    let mut members = Vec::new();
    let mut a = tar::Archive::new(&tar[..]);
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        members.push((e.header().clone(), data));
    }
    members.sort_by_key(|(h, _)| !h.path().unwrap().to_string_lossy().contains("pages-"));
    assert!(members[0].0.path().unwrap().ends_with("pages-1.img"));
    let mut b = tar::Builder::new(Vec::new());
    for (h, data) in &members {
        b.append(h, &data[..]).unwrap();
    }
    let reordered = b.into_inner().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zst = dir.path().join("reordered.tar.zst");
    std::fs::write(&zst, zstd::encode_all(&reordered[..], 3).unwrap()).unwrap();
    let unpacked = tempfile::tempdir().unwrap();
    unpack(&tar, unpacked.path());

    let s = Searcher::regex(r"[A-Z]{4,}=[a-z/]+", false).unwrap();
    let (streamed, stats, got) = searched(&zst, 1, &s, 16);
    assert!(!streamed, "pages came before their pagemap");
    let (want_stats, want) = in_directory(unpacked.path(), 1, &s, 16);
    assert_eq!((stats, got), (want_stats, want));
    assert!(stats.matches > 0);
}

/// The command says the same on the archive as on the directory, bytes
/// and all, table and JSON.
#[test]
fn the_command_prints_the_same() {
    let path = fixtures().join("archives/crit-tree.tar.gz");
    let dir = tempfile::tempdir().unwrap();
    unpack(&raw_tar(&path), dir.path());
    let (a, d) = (path.to_str().unwrap(), dir.path().to_str().unwrap());
    for args in [
        vec!["search", "crit-tree-heap-marker.crit", "--context", "8"],
        vec!["search", "--regex", "HOME=[^\\x00]*", "--format", "json"],
        vec!["--pid", "5", "search", "sleep", "--format", "json"],
        vec!["search", "crit", "--prot", "rw", "--in", "[stack]"],
    ] {
        let on = |p: &str| {
            let mut v = vec!["mem", p];
            v.extend(&args);
            common::crit(&v)
        };
        let (x, y) = (on(a), on(d));
        assert!(x.status.success(), "{args:?}: {}", String::from_utf8_lossy(&x.stderr));
        assert!(!x.stdout.is_empty(), "{args:?} found nothing");
        assert_eq!(x.stdout, y.stdout, "{args:?}");
        assert_eq!(x.stderr, y.stderr, "{args:?}");
    }
}

/// A pod of two containers, each with a task 1: each container's pages are
/// searched for its own task, and `--container` picks the right answer.
#[test]
fn each_container_of_a_pod_is_searched_as_it_streams_by() {
    let sources = [
        ("a1b2c3d4-sleeper", "crit-sleep.tar"),
        ("e5f6a7b8-other", "crit-sleep.tar.zst"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pod.tar.zst");
    std::fs::write(&pod, zstd::encode_all(&common::pod_of(&sources)[..], 3).unwrap()).unwrap();
    let s = Searcher::regex(r"[A-Z]{4,}=[a-z/]+", false).unwrap();
    let mut answers = Vec::new();
    for ((_, src), name) in sources.iter().zip(["sleeper", "other"]) {
        let opts = OpenOptions {
            container: Some(name.to_string()),
            ..OpenOptions::default()
        };
        let (streamed, stats, got) = searched_in(&pod, &opts, None, &s, 16);
        assert!(streamed, "{name}");
        let unpacked = tempfile::tempdir().unwrap();
        unpack(&raw_tar(&fixtures().join("archives").join(src)), unpacked.path());
        let (want_stats, want) = in_directory(unpacked.path(), 1, &s, 16);
        assert_eq!((stats, &got), (want_stats, &want), "{name}");
        assert!(!got.is_empty(), "{name}");
        answers.push(got);
    }
    assert_ne!(answers[0], answers[1], "two containers, two address spaces");
}

/// The command line and environment come from one pass over a compressed
/// archive too, read as the pages stream by: the same as the unpacked
/// checkpoint's, for every task.
#[test]
fn args_and_env_in_one_pass() {
    let mut tasks = 0;
    for name in ["crit-tree.tar.gz", "crit-sleep.tar.zst", "crit-httpd.tar.gz"] {
        let path = fixtures().join("archives").join(name);
        let dir = tempfile::tempdir().unwrap();
        unpack(&raw_tar(&path), dir.path());
        for task in &Checkpoint::open(&path).unwrap().tasks {
            let want = MemReader::from_source(
                Source::open(dir.path(), &OpenOptions::default()).unwrap(),
                Some(task.pid),
            )
            .unwrap();
            let opts = OpenOptions::default();
            let (mem, args) = in_one_pass(&path, &opts, Some(task.pid), MemReader::args)
                .unwrap()
                .unwrap_or_else(|| panic!("{name} pid {}: not read in one pass", task.pid));
            assert_eq!(mem.pid(), task.pid);
            assert_eq!(args, want.args().unwrap(), "{name} pid {}", task.pid);
            let (_, env) = in_one_pass(&path, &opts, Some(task.pid), MemReader::env)
                .unwrap()
                .unwrap();
            assert_eq!(env, want.env().unwrap(), "{name} pid {}", task.pid);
            assert!(!args.is_empty());
            tasks += 1;
        }
    }
    assert_eq!(tasks, 7);
    // Not a compressed archive: nothing to do in one pass.
    let plain = fixtures().join("archives/crit-sleep.tar");
    assert!(in_one_pass(&plain, &OpenOptions::default(), None, MemReader::args)
        .unwrap()
        .is_none());
}
