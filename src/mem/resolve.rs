//! Resolving a pagemap the way CRIU restores it: present runs point into this
//! checkpoint's pages file, in-parent runs into the `parent` checkpoint
//! (recursively, through a chain of pre-dumps). The result is a sorted list of
//! extents, each a stretch of addresses backed by one span of one file.

use super::pagemap::{Pagemap, Run};
use super::pages::{FileId, PagesFiles};
use crate::error::{Error, Result};
use crate::source::Source;

/// Deepest parent chain followed; deeper is taken for a symlink loop.
const MAX_DEPTH: usize = 64;

/// Addresses `start..start+len` are the bytes of `file` from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Extent {
    pub start: u64,
    pub len: u64,
    pub file: FileId,
    pub offset: u64,
}

impl Extent {
    pub fn end(&self) -> u64 {
        self.start + self.len
    }
}

/// A pagemap image resolved: its runs, and the extents backing them (a run's
/// own are those overlapping it: runs never overlap).
pub(crate) struct Resolved {
    pub runs: Vec<Run>,
    pub extents: Vec<Extent>,
}

/// Resolves pagemap images of one checkpoint and its parents.
pub(crate) struct Resolver<'a> {
    pub src: &'a Source,
    pub files: &'a mut PagesFiles,
    /// The checkpoint's page size.
    pub page_size: u64,
}

impl<'a> Resolver<'a> {
    pub fn new(src: &'a Source, files: &'a mut PagesFiles, page_size: u64) -> Self {
        Resolver { src, files, page_size }
    }

    /// `parent/` repeated `depth` times: where the checkpoint `depth` pre-dumps back lives.
    fn level(&self, depth: usize) -> String {
        "parent/".repeat(depth)
    }

    /// Resolves image `name` (e.g. `pagemap-1.img`) of the checkpoint `depth`
    /// levels up the chain; `None` when that checkpoint has no such image.
    pub fn resolve(&mut self, depth: usize, name: &str) -> Result<Option<Resolved>> {
        let prefix = self.level(depth);
        let path = format!("{prefix}{name}");
        if !self.src.has_image(&path) {
            return Ok(None);
        }
        let pm = Pagemap::from_reader(self.src.image_reader(&path)?, self.page_size)?;
        let present: u64 = pm.runs.iter().filter(|r| r.present()).map(Run::len).sum();
        let pages = if present > 0 {
            let pages_name = crate::image::name::pages(pm.pages_id);
            let id = self.files.open(self.src, &format!("{prefix}{pages_name}"))?;
            // Checked once here so that reads never run off the end.
            if self.files.len(id) < present {
                return Err(Error::bad_image(
                    self.src.image_label(&path),
                    format!(
                        "its present runs hold {present} bytes but {} has only {} bytes",
                        self.files.label(id),
                        self.files.len(id)
                    ),
                ));
            }
            Some(id)
        } else {
            None
        };
        let parent = if pm.runs.iter().any(Run::in_parent) && self.src.has_image_dir(&self.level(depth + 1)) {
            if depth + 1 > MAX_DEPTH {
                return Err(Error::limit(
                    self.src.label(),
                    crate::error::Limit::ParentChain { max: MAX_DEPTH },
                ));
            }
            self.resolve(depth + 1, name)?.map(|r| r.extents)
        } else {
            None
        };

        let mut extents = Vec::with_capacity(pm.runs.len());
        let mut offset = 0u64;
        for run in &pm.runs {
            // A present run of no pages holds nothing (and need not have a pages file).
            if run.present() && !run.is_empty() {
                let file = pages.expect("present runs have a pages file");
                push_merged(
                    &mut extents,
                    Extent {
                        start: run.vaddr,
                        len: run.len(),
                        file,
                        offset,
                    },
                );
                offset += run.len();
            } else if run.in_parent() {
                if let Some(parent) = &parent {
                    for e in overlapping(parent, run.vaddr, run.end()) {
                        push_merged(&mut extents, clip(e, run.vaddr, run.end()));
                    }
                }
            }
        }
        Ok(Some(Resolved { runs: pm.runs, extents }))
    }
}

/// Extents of the sorted list `ext` that overlap `start..end`.
pub(crate) fn overlapping(ext: &[Extent], start: u64, end: u64) -> impl Iterator<Item = &Extent> {
    let i = ext.partition_point(|e| e.end() <= start);
    ext[i..].iter().take_while(move |e| e.start < end)
}

/// The part of `e` inside `start..end`.
pub(crate) fn clip(e: &Extent, start: u64, end: u64) -> Extent {
    let s = e.start.max(start);
    let t = e.end().min(end);
    Extent {
        start: s,
        len: t - s,
        file: e.file,
        offset: e.offset + (s - e.start),
    }
}

/// The sorted extents `ext` without the addresses in `holes` (sorted by start).
pub(crate) fn cut(ext: Vec<Extent>, holes: &[std::ops::Range<u64>]) -> Vec<Extent> {
    if holes.is_empty() {
        return ext;
    }
    let mut out = Vec::with_capacity(ext.len());
    for e in ext {
        let mut from = e.start;
        for h in holes.iter().filter(|h| h.start < e.end() && h.end > e.start) {
            if h.start > from {
                out.push(clip(&e, from, h.start));
            }
            from = from.max(h.end);
        }
        if from < e.end() {
            out.push(clip(&e, from, e.end()));
        }
    }
    out
}

/// Appends `e`, joining it to the last extent when both are contiguous in
/// memory and in the same file: fewer, longer reads.
pub(crate) fn push_merged(ext: &mut Vec<Extent>, e: Extent) {
    if e.len == 0 {
        return;
    }
    if let Some(last) = ext.last_mut() {
        if last.end() == e.start && last.file == e.file && last.offset + last.len == e.offset {
            last.len += e.len;
            return;
        }
    }
    ext.push(e);
}
