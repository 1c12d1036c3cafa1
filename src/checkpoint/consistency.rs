//! The consistency pass over an opened checkpoint: what its process tree
//! implies is there and reads, so that a damaged checkpoint never looks
//! healthy.
//!
//! `check` looks at, for every task of `pstree.img`:
//!
//! - the images CRIU writes for it: `core-TID.img` of each thread and, for a
//!   task with resources (not a zombie), `mm-`, `pagemap-`, `fs-PID.img`,
//!   `ids-PID.img` (older releases kept the ids inside the core image) and
//!   the fd table `fdinfo-ID.img` its ids name; and `inventory.img`;
//! - every protobuf image present, walked by its size fields (payloads are
//!   skipped, not decoded): a cut image is found wherever it is cut;
//! - every pagemap, decoded: each pages file must hold exactly the pages
//!   its pagemaps say are present (of the page size [`Source::page_size`] finds), and pages said to
//!   be in the parent checkpoint need a `parent/` whose pagemap and pages
//!   hold up in turn.
//!
//! Its findings are [`Problem`]s, each naming the image and what is wrong.
//!
//! ```
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus/mem");
//! let cp = crit::checkpoint::Checkpoint::open(dir)?;
//! assert!(cp.problems().is_empty());
//! # Ok::<(), crit::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::Serialize;

use super::Task;
use crate::error::Error;
use crate::image_json::image_info;
use crate::mem::{Pagemap, PAGE_SIZE};
use crate::proto::{CoreEntry, TaskKobjIdsEntry};
use crate::raw_image::RawKind;
use crate::source::Source;

/// Deepest `parent/` chain followed; deeper is taken for a symlink loop.
const MAX_DEPTH: usize = 64;

/// One thing wrong with a checkpoint: an image missing, cut short, or
/// disagreeing with another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The image, as errors name it: `DIR/pages-1.img`, `ARCHIVE:checkpoint/mm-1.img`.
    pub image: String,
    /// The task whose data it concerns, when it is one task's.
    pub pid: Option<u32>,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.image, self.what)
    }
}

impl Problem {
    /// Whether it is about memory: an `mm`, `pagemap` or `pages` image (of
    /// this checkpoint or a parent), so what a task's memory shows is unknown.
    pub(crate) fn about_memory(&self) -> bool {
        let base = self.image.rsplit(['/', ':']).next().unwrap_or("");
        ["mm-", "pagemap-", "pages-"].iter().any(|p| base.starts_with(p)) || self.image.ends_with("parent/")
    }

    /// The problem an error reading `src` is: the image it names, or the
    /// checkpoint.
    pub fn from_error(src: &Source, e: Error) -> Problem {
        if let Some((file, what)) = e.image_problem() {
            return Problem {
                image: file.to_string(),
                pid: None,
                what,
            };
        }
        match e {
            Error::Io { file, source } => Problem {
                image: file,
                pid: None,
                what: source.to_string(),
            },
            other => {
                let (image, what) = (src.label(), other.to_string());
                let what = what
                    .strip_prefix(&format!("{image}: "))
                    .map_or(what.clone(), str::to_string);
                Problem { image, pid: None, what }
            }
        }
    }

    /// The problem an error reading image `name` of `src` is.
    fn of_error(src: &Source, name: &str, pid: Option<u32>, e: Error) -> Problem {
        if let Some((file, what)) = e.image_problem() {
            return Problem {
                image: file.to_string(),
                pid,
                what,
            };
        }
        let (image, what) = match e {
            Error::Io { file, source } => (file, source.to_string()),
            other => (src.image_label(name), other.to_string()),
        };
        Problem { image, pid, what }
    }
}

/// The images with one entry a reader needs: an image of these cut after
/// its header is as good as missing.
const ONE_ENTRY: [&str; 6] = ["core", "mm", "ids", "fs", "pstree", "inventory"];

/// The consistency pass over `src`, whose process tree is `tasks`.
pub(crate) fn check(src: &Source, tasks: &[Task]) -> Vec<Problem> {
    let names: BTreeSet<String> = match src.image_names() {
        Ok(n) => n.into_iter().collect(),
        Err(e) => return vec![Problem::of_error(src, "", None, e)],
    };
    let mut c = Checker {
        src,
        names: &names,
        page_size: src.page_size().unwrap_or(PAGE_SIZE),
        owner: HashMap::new(),
        problems: Vec::new(),
    };
    for t in tasks {
        c.owner.extend(t.threads.iter().map(|&tid| (tid, t.pid)));
        c.owner.insert(t.pid, t.pid);
    }
    c.require("inventory.img", None, "every checkpoint has one");
    for t in tasks {
        c.task(t);
    }
    // Since CRIU 3.x every file an fd table names is in files.img; older
    // releases wrote one image per kind of file (reg-files.img, …).
    let legacy = names.iter().any(|n| super::files::is_legacy_image(n));
    if names.iter().any(|n| n.starts_with("fdinfo-")) && !legacy {
        c.require("files.img", None, "the fd tables name their files in it");
    }
    for name in &names {
        c.walk(name);
    }
    c.pages(tasks);
    c.problems
}

struct Checker<'a> {
    src: &'a Source,
    names: &'a BTreeSet<String>,
    /// The checkpoint's page size ([`Source::page_size`]).
    page_size: u64,
    /// The process of each pid and thread id of the tree.
    owner: HashMap<u32, u32>,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, name: &str, pid: Option<u32>, what: String) {
        let image = self.src.image_label(name);
        self.problems.push(Problem { image, pid, what });
    }

    /// What is wrong with image `name`, which is not among the images:
    /// something that is no regular file in its place (a FIFO, a device), or
    /// else `missing()`.
    fn absent(&self, name: &str, missing: impl FnOnce() -> String) -> String {
        self.src.image_not_regular(name).unwrap_or_else(missing)
    }

    /// Image `name` must be there; `why` says why it should.
    fn require(&mut self, name: &str, pid: Option<u32>, why: &str) -> bool {
        let there = self.names.contains(name);
        if !there {
            let what = self.absent(name, || format!("missing ({why})"));
            self.push(name, pid, what);
        }
        there
    }

    /// The images task `t` implies.
    fn task(&mut self, t: &Task) {
        let pid = Some(t.pid);
        // A zombie has its core image only (read when the tree was), and
        // CRIU writes its thread list uninitialised.
        if !t.state.has_resources() {
            return;
        }
        for tid in &t.threads {
            self.require(
                &crate::image::name::core(tid),
                pid,
                &format!("thread {tid} of task {}", t.pid),
            );
        }
        let why = format!("task {} is {}: CRIU writes it for such a task", t.pid, t.state.as_str());
        for image in [
            crate::image::name::mm(t.pid),
            crate::image::name::pagemap(t.pid),
            crate::image::name::fs(t.pid),
        ] {
            self.require(&image, pid, &why);
        }
        let ids_name = crate::image::name::ids(t.pid);
        let ids = if self.names.contains(&ids_name) {
            self.src.read_first::<TaskKobjIdsEntry>(&ids_name).ok()
        } else {
            // Releases before 1.4 kept the ids in the core image.
            let core = self.src.read_first::<CoreEntry>(&crate::image::name::core(t.pid));
            let ids = core.ok().and_then(|c| c.ids);
            if ids.is_none() {
                self.push(
                    &ids_name,
                    pid,
                    format!("missing, and core-{}.img holds no ids ({why})", t.pid),
                );
            }
            ids
        };
        if let Some(ids) = ids {
            let fdinfo = crate::image::name::fdinfo(ids.files_id);
            self.require(
                &fdinfo,
                pid,
                &format!("the fd table of task {}, whose ids name it", t.pid),
            );
        }
    }

    /// The task an image of a task is about (`mm-42.img`: 42).
    fn pid_of(&self, name: &str) -> Option<u32> {
        let stem = name.strip_suffix(".img")?;
        let (kind, id) = stem.rsplit_once('-')?;
        let id: u32 = id.parse().ok()?;
        matches!(kind, "core" | "mm" | "pagemap" | "ids" | "fs")
            .then(|| self.owner.get(&id).copied())
            .flatten()
    }

    /// Walks protobuf image `name` by its size fields (pagemaps are read
    /// whole by [`Checker::pages`]; raw memory and raw images are not walked).
    fn walk(&mut self, name: &str) {
        let skip = name.starts_with("pages-")
            || name.starts_with("pagemap-")
            || RawKind::from_file_name(name).is_some()
            || !(name.ends_with(".img") || name.starts_with("stats-"));
        if skip {
            return;
        }
        let pid = self.pid_of(name);
        let info = self.src.image_reader(name).and_then(|mut r| image_info(&mut r));
        match info {
            Err(e) => self.problems.push(Problem::of_error(self.src, name, pid, e)),
            Ok(info) if info.count == 0 => {
                let kind = name.split(['-', '.']).next().unwrap_or("");
                if ONE_ENTRY.contains(&kind) {
                    self.push(name, pid, "holds no entry: the image ends after its header".into());
                }
            }
            Ok(_) => {}
        }
    }

    /// Every pagemap of the tasks and of shared memory, against its pages
    /// file, and the parent chain for pages in the parent.
    fn pages(&mut self, tasks: &[Task]) {
        let mut pagemaps: Vec<(String, Option<u32>)> = tasks
            .iter()
            .map(|t| (crate::image::name::pagemap(t.pid), Some(t.pid)))
            .filter(|(n, _)| self.names.contains(n))
            .collect();
        pagemaps.extend(
            self.names
                .iter()
                .filter(|n| n.starts_with("pagemap-shmem-"))
                .map(|n| (n.clone(), None)),
        );
        let mut level = String::new();
        for depth in 0..=MAX_DEPTH {
            let up = self.level(&level, &pagemaps);
            if up.is_empty() {
                return;
            }
            let next = format!("{level}parent/");
            if !self.src.has_image_dir(&next) {
                for (name, pid, pages) in up {
                    let what = format!(
                        "{pages} page{} are in the parent checkpoint, but there is no {next}",
                        if pages == 1 { "" } else { "s" }
                    );
                    self.push(&format!("{level}{name}"), pid, what);
                }
                return;
            }
            if depth == MAX_DEPTH {
                let what = format!("parent chain deeper than {MAX_DEPTH} checkpoints (a symlink loop?)");
                self.push(&next, None, what);
                return;
            }
            pagemaps.clear();
            for (name, pid, pages) in up {
                let path = format!("{next}{name}");
                if self.src.has_image(&path) {
                    pagemaps.push((name, pid));
                } else {
                    let what = format!("missing: {level}{name} says {pages} of its pages are in it");
                    self.push(&path, pid, what);
                }
            }
            level = next;
        }
    }

    /// The pagemaps `pagemaps` of the checkpoint at `level` (`""`,
    /// `parent/`, …) against their pages files; returns those with pages in
    /// the parent, and how many.
    fn level(&mut self, level: &str, pagemaps: &[(String, Option<u32>)]) -> Vec<(String, Option<u32>, u64)> {
        // pages id: pages said present, the pagemaps saying so, their tasks.
        let mut files: BTreeMap<u32, (u64, Vec<String>, Option<u32>)> = BTreeMap::new();
        let mut up = Vec::new();
        for (name, pid) in pagemaps {
            let path = format!("{level}{name}");
            let pm = match self
                .src
                .image_reader(&path)
                .and_then(|r| Pagemap::from_reader(r, self.page_size))
            {
                Ok(pm) => pm,
                Err(e) => {
                    self.problems.push(Problem::of_error(self.src, &path, *pid, e));
                    continue;
                }
            };
            let count = |f: fn(&crate::mem::Run) -> bool| {
                pm.runs
                    .iter()
                    .filter(|r| f(r))
                    .fold(0u64, |n, r| n.saturating_add(r.nr_pages))
            };
            let (present, parent) = (count(|r| r.present()), count(|r| r.in_parent()));
            let file = files.entry(pm.pages_id).or_insert((0, Vec::new(), *pid));
            file.0 = file.0.saturating_add(present);
            file.1.push(name.clone());
            if file.2 != *pid {
                file.2 = None;
            }
            if parent > 0 {
                up.push((name.clone(), *pid, parent));
            }
        }
        for (id, (present, said_by, pid)) in files {
            let name = format!("{level}{}", crate::image::name::pages(id));
            let said = said_by.join(", ");
            match self.src.image_size(&name) {
                None if present > 0 => {
                    let what = self.absent(&name, || {
                        format!(
                            "missing: {said} say{} {present} pages are present in it",
                            s(said_by.len())
                        )
                    });
                    self.push(&name, pid, what);
                }
                None => {}
                Some(size) if size != present.saturating_mul(self.page_size) => {
                    let what = format!(
                        "holds {}, {said} say{} {present} are present",
                        held(size, self.page_size),
                        s(said_by.len())
                    );
                    self.push(&name, pid, what);
                }
                Some(_) => {}
            }
        }
        up
    }
}

/// The verb's `s` for one sayer.
fn s(sayers: usize) -> &'static str {
    if sayers == 1 {
        "s"
    } else {
        ""
    }
}

/// What a pages file of `size` bytes holds, in pages.
fn held(size: u64, page_size: u64) -> String {
    let pages = size / page_size;
    let plural = if pages == 1 { "" } else { "s" };
    match size % page_size {
        0 => format!("{pages} page{plural}"),
        _ => format!("{size} bytes ({pages} whole page{plural} of {page_size} bytes)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_about_memory_are_told_by_their_image() {
        let p = |image: &str| Problem {
            image: image.into(),
            pid: Some(1),
            what: String::new(),
        };
        for image in [
            "d/mm-1.img",
            "a.tar:checkpoint/pagemap-1.img",
            "d/parent/pages-2.img",
            "d/parent/",
        ] {
            assert!(p(image).about_memory(), "{image}");
        }
        for image in ["d/fs-1.img", "d/core-1.img", "d/ids-1.img", "d/fdinfo-2.img", "d/mm"] {
            assert!(!p(image).about_memory(), "{image}");
        }
    }

    #[test]
    fn pages_held_are_counted_in_pages() {
        assert_eq!(held(4096, 4096), "1 page");
        assert_eq!(held(0, 4096), "0 pages");
        assert_eq!(held(3 * 4096, 4096), "3 pages");
        assert_eq!(held(4097, 4096), "4097 bytes (1 whole page of 4096 bytes)");
        assert_eq!(held(3 * 65536, 65536), "3 pages");
        assert_eq!(held(65536 + 4096, 65536), "69632 bytes (1 whole page of 65536 bytes)");
    }
}
