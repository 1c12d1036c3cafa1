//! `crit mem search` on a compressed archive, in one pass: raw memory is
//! searched as it is decompressed (on a second thread), instead of being
//! copied to a temporary file and read back.
//!
//! Archives list `pages-N.img` before `pstree.img` (Podman and the kubelet
//! write members in name order), so when a task's pages stream by it is not
//! yet known which task will be asked for. Each pages file is searched for
//! the task whose pagemap names it, from the images seen so far, and the
//! matches kept (in memory, then in a temporary file). At the end the task
//! asked for is rebuilt from the whole archive: when it reads the very same
//! extents, its kept matches are the answer; otherwise (pages read from a
//! parent checkpoint, another pages file, an archive in another order) the
//! archive is read again the general way.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::Path;

use tempfile::SpooledTempFile;

use super::reader::{task_pid, MemReader};
use super::search::{SearchMatch, SearchStats, Searcher};
use crate::archive::{self, Archive, Compression, Event, Feed, Member};
use crate::error::{Error, Result};
use crate::proto::PagemapHead;
use crate::source::{Bundle, OpenOptions, Source};

/// Matches kept in memory up to this many bytes, then in a temporary file.
const SPOOL_IN_MEMORY: usize = 8 << 20;

/// A search of one task's memory, ready to hand out its matches: already
/// done (a compressed archive, searched as it streamed by), or to be done.
///
/// ```no_run
/// use crit::mem::{PreparedSearch, Searcher};
/// use crit::source::OpenOptions;
///
/// let s = Searcher::literal(b"password=", false).unwrap();
/// let search = PreparedSearch::open("ctr.tar.zst", &OpenOptions::default(), None, &s, 16)?;
/// println!("task {}", search.mem().pid());
/// search.run(|m| {
///     println!("{:#x}", m.addr);
///     Ok(())
/// })?;
/// # Ok::<(), crit::Error>(())
/// ```
pub struct PreparedSearch<'s> {
    mem: MemReader,
    todo: Todo<'s>,
}

enum Todo<'s> {
    Search(&'s Searcher, usize),
    Done(SearchStats, Spool),
}

impl<'s> PreparedSearch<'s> {
    /// Opens the memory of task `pid` (or the root task) of the checkpoint
    /// at `path` for a search for `searcher`, with `context` bytes either
    /// side of each match. A compressed archive is searched here, as it is
    /// read.
    pub fn open(
        path: impl AsRef<Path>,
        opts: &OpenOptions,
        pid: Option<u32>,
        searcher: &'s Searcher,
        context: usize,
    ) -> Result<Self> {
        let path = path.as_ref();
        let compressed = match path.is_file() {
            true => archive::detect(path)?.filter(|&c| c != Compression::None),
            false => None,
        };
        if let Some(kind) = compressed {
            if let Some(done) = streamed(path, kind, opts, pid, searcher, context)? {
                return Ok(done);
            }
        }
        let opts = OpenOptions {
            pages: true,
            ..opts.clone()
        };
        Ok(PreparedSearch {
            mem: MemReader::from_source(Source::open(path, &opts)?, pid)?,
            todo: Todo::Search(searcher, context),
        })
    }

    /// The memory searched.
    pub fn mem(&self) -> &MemReader {
        &self.mem
    }

    /// Whether the search was done as the archive streamed by.
    pub fn streamed(&self) -> bool {
        matches!(self.todo, Todo::Done(..))
    }

    /// Calls `on_match` for every match, in address order (as
    /// [`MemReader::search`]).
    pub fn run(self, mut on_match: impl FnMut(SearchMatch) -> Result<()>) -> Result<SearchStats> {
        match self.todo {
            Todo::Search(searcher, context) => self.mem.search(searcher, context, on_match),
            Todo::Done(stats, spool) => {
                spool.replay(&self.mem, &mut on_match)?;
                Ok(stats)
            }
        }
    }
}

/// Reads the archive once, searching each pages file as it passes; `None`
/// when the task asked for was not searched that way.
fn streamed<'s>(
    path: &Path,
    kind: Compression,
    opts: &OpenOptions,
    pid: Option<u32>,
    searcher: &'s Searcher,
    context: usize,
) -> Result<Option<PreparedSearch<'s>>> {
    let label = path.display().to_string();
    let mut feed = Feed::start(path, kind)?;
    let mut seen: Vec<Member> = Vec::new();
    // (images folder, pid) → the search of that task's pages.
    let mut found: HashMap<(String, u32), Found> = HashMap::new();
    let mut streams = Vec::new();
    while let Some(event) = feed.next_event() {
        let m = match event {
            Event::Member(m) => {
                seen.push(m);
                continue;
            }
            Event::Pages(m) => m,
            Event::Chunk(_) => continue, // a pages file's bytes are taken by its reader
        };
        let pages = feed.pages(m.size, format!("{label}:{}", m.name));
        let (folder, base) = m.name.rsplit_once('/').map_or(("", m.name.as_str()), |(f, b)| (f, b));
        let folder = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let id = base
            .strip_prefix("pages-")
            .and_then(|b| b.strip_suffix(".img"))
            .map(str::to_string);
        streams.push((m.name.clone(), pages.clone()));
        seen.push(m.streamed(pages.clone()));
        if let Some(id) = id {
            let src = Source::partial(Archive::from_members(label.clone(), kind, seen.clone()), &folder);
            if let Some(task) = owner(&src, &seen, &folder, &id, pid) {
                // Any failure (a read behind the stream, an image not yet
                // seen) only means this task is not searched this way.
                if let Ok(f) = search_task(src, task, searcher, context) {
                    found.insert((folder, task), f);
                }
            }
        }
        pages.drain();
    }
    let mut ar = feed.finish()?;
    for (name, pages) in streams {
        ar.set_streamed(&name, pages);
    }
    let src = Bundle::from_archive(ar)?.container(opts.container.as_deref())?;
    let pid = task_pid(&src, pid)?;
    let Some(f) = found.remove(&(src.images_folder().to_string(), pid)) else {
        return Ok(None);
    };
    // The task as the whole archive describes it must read what was searched.
    let Ok(mem) = MemReader::of_task(src, pid) else {
        return Ok(None);
    };
    if !mem.same_extents(&f.mem) {
        return Ok(None);
    }
    Ok(Some(PreparedSearch {
        mem,
        todo: Todo::Done(f.stats, f.spool),
    }))
}

/// The task whose pagemap (among the images seen, in `folder`) names pages
/// file `id`; only `pid` when it has a pagemap of its own.
fn owner(src: &Source, seen: &[Member], folder: &str, id: &str, pid: Option<u32>) -> Option<u32> {
    let mut owners = seen.iter().filter_map(|m| {
        let base = m.name.strip_prefix(folder)?;
        let task: u32 = base.strip_prefix("pagemap-")?.strip_suffix(".img")?.parse().ok()?;
        if pid.is_some_and(|p| p != task && src.has_image(&format!("pagemap-{p}.img"))) {
            return None;
        }
        let head: PagemapHead = src.read_first(base).ok()?;
        (head.pages_id.to_string() == id).then_some(task)
    });
    let first = owners.next()?;
    // Two tasks naming one pages file: only one could read it as it passed.
    owners.next().is_none().then_some(first)
}

struct Found {
    mem: MemReader,
    stats: SearchStats,
    spool: Spool,
}

fn search_task(src: Source, pid: u32, searcher: &Searcher, context: usize) -> Result<Found> {
    let mem = MemReader::of_task(src, pid)?;
    let mut spool = Spool::new();
    let stats = mem.search(searcher, context, |m| spool.push(&m))?;
    Ok(Found { mem, stats, spool })
}

/// Matches kept for later: address and bytes, back to back.
struct Spool {
    file: SpooledTempFile,
}

fn spool_err(e: io::Error) -> Error {
    Error::io("<temporary file>", e)
}

impl Spool {
    fn new() -> Self {
        Spool {
            file: tempfile::spooled_tempfile(SPOOL_IN_MEMORY),
        }
    }

    fn push(&mut self, m: &SearchMatch) -> Result<()> {
        let mut rec = Vec::with_capacity(20 + m.bytes.len() + m.before.len() + m.after.len());
        rec.extend_from_slice(&m.addr.to_le_bytes());
        for part in [&m.bytes, &m.before, &m.after] {
            rec.extend_from_slice(&(part.len() as u32).to_le_bytes());
            rec.extend_from_slice(part);
        }
        self.file.write_all(&rec).map_err(spool_err)
    }

    fn replay(mut self, mem: &MemReader, on_match: &mut impl FnMut(SearchMatch) -> Result<()>) -> Result<()> {
        self.file.rewind().map_err(spool_err)?;
        let mut r = BufReader::new(self.file);
        let mut addr = [0u8; 8];
        loop {
            match r.read_exact(&mut addr) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(spool_err(e)),
            }
            let addr = u64::from_le_bytes(addr);
            let mut part = || -> Result<Vec<u8>> {
                let mut n = [0u8; 4];
                r.read_exact(&mut n).map_err(spool_err)?;
                let mut v = vec![0u8; u32::from_le_bytes(n) as usize];
                r.read_exact(&mut v).map_err(spool_err)?;
                Ok(v)
            };
            let (bytes, before, after) = (part()?, part()?, part()?);
            on_match(SearchMatch {
                addr,
                bytes,
                before,
                after,
                vma: mem.vma_at(addr).copied(),
            })?;
        }
    }
}
