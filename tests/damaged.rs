//! A damaged checkpoint never looks healthy (issue 20, point 1).
//!
//! A generator makes damaged copies of every fixture checkpoint (both
//! corpora and the unpacked Podman archives): each protobuf image cut short,
//! each image the process tree implies deleted, each pages file cut by a
//! page or grown by one. The consistency pass ([`crit::consistency`]) must name
//! the damaged image in every copy; the commands, run on a rotating sample
//! of the copies (every command meets every kind of damage), must exit
//! non-zero and name it too; and the intact fixtures must give no problem
//! and exit 0 under every command.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{copy_checkpoint, corpus_dirs_of, crit, fixtures, unpack_archive};
use crit::explore::Checkpoint;
use crit::mem::PAGE_SIZE;
use tempfile::TempDir;

/// A fixture checkpoint: the path commands are given, and its images' folder.
struct Fixture {
    name: String,
    path: PathBuf,
    images: PathBuf,
    _keep: Option<TempDir>,
}

/// Every fixture checkpoint: the two corpora, and the gzipped Podman
/// archives unpacked (their `checkpoint/` folder holds the images).
fn fixtures_all() -> Vec<Fixture> {
    let mut out = Vec::new();
    for corpus in ["corpus", "corpus-4.2.1"] {
        for d in corpus_dirs_of(corpus) {
            out.push(Fixture {
                name: format!("{corpus}/{}", d.file_name().unwrap().to_str().unwrap()),
                images: d.clone(),
                path: d,
                _keep: None,
            });
        }
    }
    for a in ["crit-httpd.tar.gz", "crit-sleep.tar.gz", "crit-tree.tar.gz"] {
        let tmp = unpack_archive(a);
        out.push(Fixture {
            name: a.to_string(),
            path: tmp.path().to_path_buf(),
            images: tmp.path().join("checkpoint"),
            _keep: Some(tmp),
        });
    }
    out
}

/// One way of damaging one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// The last byte cut off: the last entry runs past the end.
    Truncated,
    /// The image deleted.
    Deleted,
    /// A pages file one page short.
    PagesShort,
    /// A pages file one page longer.
    PagesGrown,
}

#[derive(Debug, Clone)]
struct Damage {
    image: String,
    kind: Kind,
}

/// Images with no size fields to walk: raw memory, the raw images (text,
/// netlink, tar) and a ghost file's raw tail, whose length nothing records.
fn unframed(name: &str) -> bool {
    name.starts_with("pages-")
        || name.starts_with("ghost-file-")
        || crit::raw_image::RawKind::from_file_name(name).is_some()
}

/// The images the process tree implies, whose absence is a problem.
fn implied(name: &str) -> bool {
    let kind = name.split(['-', '.']).next().unwrap_or("");
    matches!(
        kind,
        "inventory" | "pstree" | "core" | "mm" | "pagemap" | "ids" | "fs" | "fdinfo" | "files"
    ) && !name.starts_with("pagemap-shmem-")
}

/// Every damage the generator makes of the checkpoint in `images`.
fn damages(images: &Path) -> Vec<Damage> {
    let mut names: Vec<String> = std::fs::read_dir(images)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for n in names {
        let size = std::fs::metadata(images.join(&n)).unwrap().len();
        let mut add = |kind| out.push(Damage { image: n.clone(), kind });
        if n.starts_with("pages-") {
            if size > 0 {
                add(Kind::PagesShort);
                add(Kind::Deleted);
            }
            add(Kind::PagesGrown);
            continue;
        }
        let image = n.ends_with(".img") || n.starts_with("stats-");
        if image && !unframed(&n) {
            add(Kind::Truncated);
        }
        if implied(&n) {
            add(Kind::Deleted);
        }
    }
    out
}

/// Applies `d` to the images of a copy.
fn apply(images: &Path, d: &Damage) {
    let path = images.join(&d.image);
    match d.kind {
        Kind::Truncated => common::truncate_by(&path, 1),
        Kind::Deleted => std::fs::remove_file(&path).unwrap(),
        Kind::PagesShort => common::truncate_by(&path, PAGE_SIZE),
        Kind::PagesGrown => {
            let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            f.set_len(f.metadata().unwrap().len() + PAGE_SIZE).unwrap();
        }
    }
}

/// A writable copy of fixture `f` (the whole container for an archive):
/// the temporary directory, the path to give commands, the images' folder.
fn copy_of(f: &Fixture) -> (TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&f.path, tmp.path());
    let path = tmp.path().to_path_buf();
    let images = path.join(f.images.strip_prefix(&f.path).unwrap());
    (tmp, path, images)
}

/// Copies directory `from` into `to`, folders and all, writable.
fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
            let mut perm = std::fs::metadata(&dest).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            std::fs::set_permissions(&dest, perm).unwrap();
        }
    }
}

/// The commands of the property, on checkpoint `dir` (`orig`: the intact
/// fixture, for `diff`; `scratch`: where `coredump` writes).
fn commands(dir: &Path, orig: &Path, scratch: &Path) -> Vec<Vec<String>> {
    let d = dir.display().to_string();
    let o = orig.display().to_string();
    let core = scratch.join("core").display().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["x", &d]),
        s(&["x", &d, "ps"]),
        s(&["x", &d, "fds"]),
        s(&["x", &d, "mems"]),
        s(&["x", &d, "rss"]),
        s(&["x", &d, "sk"]),
        s(&["inspect", &d]),
        s(&["mem", &d, "args"]),
        s(&["stats", &d]),
        s(&["diff", &d, &o]),
        s(&["coredump", &d, "-o", &core]),
    ]
}

const COMMANDS: usize = 11;

fn run(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crit(&args)
}

/// What the consistency pass finds in the checkpoint at `path`, as lines;
/// a checkpoint that does not open gives its error.
fn found(path: &Path) -> Vec<String> {
    match Checkpoint::open(path) {
        Ok(cp) => cp.problems().iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn intact_fixtures_have_no_problem_and_every_command_succeeds() {
    let all = fixtures_all();
    let scratch = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for f in &all {
        assert_eq!(found(&f.path), Vec::<String>::new(), "{}", f.name);
        jobs.extend(commands(&f.path, &f.path, scratch.path()));
    }
    let failed = in_parallel(jobs, |args| {
        let out = run(args);
        // `stats` of a checkpoint without statistics is an error of its own;
        // `diff X X` saying "different" (1) is issue 20's point 2, not a problem.
        let ok = out.status.success()
            || (args[0] == "stats" && !has_stats(Path::new(&args[1])))
            || (args[0] == "diff" && out.status.code() == Some(1));
        let warned = String::from_utf8_lossy(&out.stderr).contains("warning");
        (!ok || warned).then(|| {
            format!(
                "crit {}: {:?} {}",
                args.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    });
    assert!(failed.is_empty(), "intact fixtures failed:\n{}", failed.join("\n"));
}

fn has_stats(dir: &Path) -> bool {
    dir.join("stats-dump").exists() || dir.join("checkpoint/stats-dump").exists()
}

/// Runs `job` on each of `jobs` on two threads; the `Some`s it returns.
fn in_parallel<T: Sync>(jobs: Vec<T>, job: impl Fn(&T) -> Option<String> + Sync) -> Vec<String> {
    let (first, second) = jobs.split_at(jobs.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| second.iter().filter_map(&job).collect::<Vec<_>>());
        let mut out: Vec<String> = first.iter().filter_map(&job).collect();
        out.extend(other.join().unwrap());
        out
    })
}

#[test]
fn every_damaged_copy_names_its_damage() {
    let all = fixtures_all();
    let mut kinds = std::collections::BTreeSet::new();
    let mut jobs = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (fi, f) in all.iter().enumerate() {
        for (di, d) in damages(&f.images).into_iter().enumerate() {
            kinds.insert(format!("{:?}", d.kind));
            // Every damage meets the pass. Commands take the damages of each
            // kind in turn, every one of the rarer pages damages and one in
            // two of the others, so that every command meets every kind of
            // damage and the run stays short.
            let n = seen.entry(d.kind).or_insert(0usize);
            let step = if matches!(d.kind, Kind::PagesShort | Kind::PagesGrown) {
                1
            } else {
                2
            };
            let command = (*n % step == 0).then_some((*n / step) % COMMANDS);
            *n += 1;
            jobs.push((fi, di, d, command));
        }
    }
    assert_eq!(kinds.len(), 4, "every kind of damage is made: {kinds:?}");
    let mut met = std::collections::BTreeSet::new();
    for (_, _, d, c) in &jobs {
        if let Some(c) = c {
            met.insert((format!("{:?}", d.kind), *c));
        }
    }
    assert_eq!(met.len(), 4 * COMMANDS, "every command meets every kind of damage");
    let failed = in_parallel(jobs, |(fi, _, d, c)| {
        let f = &all[*fi];
        let (tmp, path, images) = copy_of(f);
        apply(&images, d);
        // The library: the pass (or opening) names the image.
        let problems = found(&path);
        if !problems.iter().any(|p| p.contains(&d.image)) {
            return Some(format!("{} {d:?}: the pass found {problems:?}", f.name));
        }
        // The command.
        let c = (*c)?;
        let scratch = tempfile::tempdir().unwrap();
        let args = &commands(&path, &f.path, scratch.path())[c];
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        drop(tmp);
        (out.status.success() || !stderr.contains(&d.image)).then(|| {
            format!(
                "{} {d:?}: crit {} exited {:?}: {stderr}",
                f.name,
                args[0],
                out.status.code()
            )
        })
    });
    assert!(
        failed.is_empty(),
        "{} damaged copies not reported:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The example, exactly: `pages-1.img` of `mem` cut to one page.
#[test]
fn a_pages_file_cut_to_one_page_is_named_and_its_task_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    copy_checkpoint(&fixtures().join("corpus/mem"), tmp.path());
    let pages = tmp.path().join("pages-1.img");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&pages)
        .unwrap()
        .set_len(4096)
        .unwrap();
    let dir = tmp.path().display().to_string();
    let warning = format!("crit: warning: {dir}/pages-1.img: holds 1 page, pagemap-20931.img says 350 are present\n");

    let out = crit(&["x", &dir]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), warning);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "x86_64, 4 KiB pages\n  PID  PPID  THR  STATE  MEMORY  FDS  SOCKETS  COMMAND\n\
         20931     0    1  alive       -    3        0  [mem]\n"
    );

    let out = crit(&["x", &dir, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"][0]["memory_held"], serde_json::Value::Null);
    assert_eq!(v["tasks"][0]["argv"], serde_json::Value::Null);
    assert_eq!(
        v["problems"],
        serde_json::json!([{
            "image": format!("{dir}/pages-1.img"),
            "pid": 20931,
            "what": "holds 1 page, pagemap-20931.img says 350 are present",
        }])
    );

    let out = crit(&["x", &dir, "rss", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"][0]["present_pages"], serde_json::Value::Null);
    assert_eq!(v["problems"][0]["image"], format!("{dir}/pages-1.img"));
    let out = crit(&["x", &dir, "rss"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("20931 mem: - pages present (its images are damaged)\n"),
        "{text}"
    );

    let out = crit(&["inspect", &dir]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.ends_with(&format!(
            "NOT READ\n  {dir}/pages-1.img: holds 1 page, pagemap-20931.img says 350 are present\n"
        )),
        "{text}"
    );
    assert!(text.contains("20931     0  alive  [mem]\n"), "{text}");

    let out = crit(&["diff", &dir, fixtures().join("corpus/mem").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(&warning));
}

/// The other damages of the example and more, with their exact messages.
#[test]
fn missing_cut_and_emptied_images_have_their_exact_messages() {
    let dir_of = |tmp: &TempDir| tmp.path().display().to_string();
    let copy = || {
        let tmp = tempfile::tempdir().unwrap();
        copy_checkpoint(&fixtures().join("corpus/mem"), tmp.path());
        tmp
    };

    let tmp = copy();
    std::fs::remove_file(tmp.path().join("pages-1.img")).unwrap();
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let got: Vec<String> = cp.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [format!(
            "{}/pages-1.img: missing: pagemap-20931.img says 350 pages are present in it",
            dir_of(&tmp)
        )]
    );

    let tmp = copy();
    common::truncate_by(&tmp.path().join("mm-20931.img"), 100);
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let got: Vec<String> = cp.problems().iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with(&format!(
            "{}/mm-20931.img: entry 0 at byte 8: payload of ",
            dir_of(&tmp)
        )),
        "{got:?}"
    );
    assert_eq!(cp.problems()[0].pid, Some(20931));

    // Cut after its header, the image that must hold the memory map holds none.
    let tmp = copy();
    let mm = tmp.path().join("mm-20931.img");
    let len = std::fs::metadata(&mm).unwrap().len();
    common::truncate_by(&mm, len - 8);
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let got: Vec<String> = cp.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [format!(
            "{}/mm-20931.img: holds no entry: the image ends after its header",
            dir_of(&tmp)
        )]
    );
    // Its memory is unknown, not empty.
    let out = crit(&["x", &dir_of(&tmp), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"][0]["memory_held"], serde_json::Value::Null);
    assert_eq!(
        v["problems"][0]["what"],
        "holds no entry: the image ends after its header"
    );

    // A cut fs image is named, but leaves the memory known.
    let tmp = copy();
    common::truncate_by(&tmp.path().join("fs-20931.img"), 1);
    let out = crit(&["x", &dir_of(&tmp), "rss", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"][0]["present_pages"], 350);
    assert_eq!(v["problems"][0]["image"], format!("{}/fs-20931.img", dir_of(&tmp)));

    // A thread's core image lost.
    let tmp = tempfile::tempdir().unwrap();
    copy_checkpoint(&fixtures().join("corpus-4.2.1/threads"), tmp.path());
    std::fs::remove_file(tmp.path().join("core-3359.img")).unwrap();
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let got: Vec<String> = cp.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [format!(
            "{}/core-3359.img: missing (thread 3359 of task 3357)",
            dir_of(&tmp)
        )]
    );
}

/// Warnings and the error go to a standard error that is a closed pipe
/// (`crit … 2>&1 | true`): the lines are lost, the exit status is still 1
/// for a damaged checkpoint, never a panic (101) from printing them.
#[test]
fn a_closed_standard_error_keeps_the_exit_status() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().to_path_buf();
    common::copy_tree(&common::corpus("mem"), &dir);
    std::fs::remove_file(dir.join("mm-20931.img")).unwrap();
    for args in [&["x", "DIR", "mems"][..], &["x", "DIR"], &["mem", "DIR", "maps"]] {
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "DIR" { dir.to_str().unwrap() } else { a })
            .collect();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crit"))
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(1), "crit {args:?}");
    }
}
