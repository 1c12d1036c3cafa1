//! A task's memory in a compressed archive, read in one pass: raw memory is
//! read as it is decompressed (on a second thread), instead of being copied
//! to a temporary file and read back. `mem search`, `args`, `env`, `maps`
//! and `shmem` go this way ([`in_one_pass`], [`PreparedSearch`]).
//!
//! Archives list `pages-N.img` before `pstree.img` (Podman and the kubelet
//! write members in name order), so when a task's pages stream by it is not
//! yet known which task will be asked for. Each pages file is read for the
//! task whose pagemap names it, from the images seen so far, and what the
//! job made of it kept (a search's matches: in memory, then in a temporary
//! file, up to 64 MiB of them). At the end the task asked for is rebuilt
//! from the whole archive: when it reads the very same extents, what was
//! kept for it is the answer; otherwise (pages read from a parent
//! checkpoint, another pages file, an archive in another order, too many
//! matches to keep) the archive is read again the general way.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Seek, Write};
use std::ops::Range;
use std::path::Path;

use tempfile::SpooledTempFile;

use super::reader::{task_pid, MemLayout, MemReader};
use super::search::{SearchMatch, SearchStats, Searcher};
use crate::error::{Error, Result};
use crate::proto::PagemapHead;
use crate::source::stream::{Passing, Stream};
use crate::source::{Bundle, OpenOptions, Source};

/// Matches kept in memory up to this many bytes, then in a temporary file.
const SPOOL_IN_MEMORY: usize = 8 << 20;
/// Matches kept at most, of all tasks: a search that finds more (`--regex .`)
/// is done the general way, its matches written as they are found, rather
/// than filling the temporary file's disk with them.
const SPOOL_LIMIT: u64 = 64 << 20;

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
    /// Searched: the stats, and where in the spool the matches are.
    Done(SearchStats, Spool, Range<u64>),
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
        // One spool for every task searched as it streams by: memory and
        // disk stay bounded however many tasks the archive holds.
        let mut spool = Spool::new();
        // `None`: too many matches to keep; the task is left to the general way.
        let spooled = |mem: &MemReader| -> Result<Option<(SearchStats, Range<u64>)>> {
            // Once full, every later task would fill the rest and be
            // undone: the tasks after are left to the general way.
            if spool.overflowed {
                return Ok(None);
            }
            let start = spool.len();
            match mem.search(searcher, context, |m| {
                spool.push(&m);
                Ok(())
            }) {
                Ok(_) if spool.overflowed => {
                    spool.truncate(start)?;
                    Ok(None)
                }
                Ok(stats) => Ok(Some((stats, start..spool.len()))),
                Err(e) => {
                    spool.truncate(start)?;
                    Err(e)
                }
            }
        };
        if let Some((mem, Some((stats, kept)))) = in_one_pass(path, opts, pid, spooled)? {
            return Ok(PreparedSearch {
                mem,
                todo: Todo::Done(stats, spool, kept),
            });
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
            Todo::Done(stats, spool, kept) => {
                spool.replay(kept, &self.mem, &mut on_match)?;
                Ok(stats)
            }
        }
    }
}

/// Runs `job` on the memory of task `pid` (or the root task) of the
/// compressed archive at `path` as the archive is read, once: `job` gets each
/// task's memory as its pages stream by, and must read it forward (a short
/// step back is allowed). `None` when `path` is not a compressed archive, or
/// when the task asked for could not be served that way (pages in a parent
/// checkpoint or another pages file, an archive in another order, `job`
/// failing): open it with [`MemReader::from_source`] instead.
///
/// ```no_run
/// use crit::mem::in_one_pass;
/// use crit::source::OpenOptions;
///
/// if let Some((mem, argv)) = in_one_pass("ctr.tar.zst", &OpenOptions::default(), None, |m| m.args())? {
///     println!("{}: {argv:?}", mem.pid());
/// }
/// # Ok::<(), crit::Error>(())
/// ```
pub fn in_one_pass<T>(
    path: impl AsRef<Path>,
    opts: &OpenOptions,
    pid: Option<u32>,
    job: impl FnMut(&MemReader) -> Result<T>,
) -> Result<Option<(MemReader, T)>> {
    let Some((bundle, mut found)) = stream_tasks(path.as_ref(), false, opts, pid, job)? else {
        return Ok(None);
    };
    let mut src = bundle.container(opts.container.as_deref())?;
    src.set_page_size(opts.page_size);
    let pid = task_pid(&src, pid)?;
    let Some((layout, t)) = found.remove(&(src.images_folder().to_string(), pid)) else {
        return Ok(None);
    };
    // The task as the whole archive describes it must read what was read.
    let Ok(mem) = MemReader::of_task(src, pid) else {
        return Ok(None);
    };
    Ok((mem.layout() == layout).then_some((mem, t)))
}

/// What [`stream_tasks`] made of each task whose pages streamed by, by
/// images folder and pid, with the memory layout it was read with.
pub(crate) type Served<T> = HashMap<(String, u32), (MemLayout, T)>;

/// What `job` makes of a task served as it streamed by, if the task as the
/// whole checkpoint describes it (`mem`) reads the very same extents.
pub(crate) fn served<T>(found: &mut Served<T>, src: &Source, mem: &MemReader) -> Option<T> {
    let (layout, t) = found.remove(&(src.images_folder().to_string(), mem.pid()))?;
    (mem.layout() == layout).then_some(t)
}

/// Reads compressed archive `path` once (`None` when it is not one),
/// running `job` on the memory of each task whose pages stream by (only task
/// `pid`, when given; only in folders that may be `opts.container`'s): the
/// archive as a whole (its raw memory read, drained; its nested tars listed
/// with `listings`), and what `job` made of each task served.
pub(crate) fn stream_tasks<T>(
    path: &Path,
    listings: bool,
    opts: &OpenOptions,
    pid: Option<u32>,
    mut job: impl FnMut(&MemReader) -> Result<T>,
) -> Result<Option<(Bundle, Served<T>)>> {
    let Some(mut stream) = Stream::open(path, listings)? else {
        return Ok(None);
    };
    // (images folder, pages file id) → the tasks whose pagemap names it.
    let mut owners: HashMap<(String, String), Vec<u32>> = HashMap::new();
    // (images folder, pid) → what `job` made of that task's memory.
    let mut found: Served<T> = HashMap::new();
    while let Some(passing) = stream.next() {
        let name = match passing {
            Passing::Member(name) => {
                if let Some((folder, task)) = pagemap_of(&name) {
                    let src = stream.source(folder, opts.page_size);
                    if let Ok(head) = src.read_first::<PagemapHead>(&crate::image::name::pagemap(task)) {
                        let key = (folder.to_string(), head.pages_id.to_string());
                        owners.entry(key).or_default().push(task);
                    }
                }
                continue;
            }
            Passing::Pages(name) => name,
        };
        let (folder, base) = split(&name);
        let id = base.strip_prefix("pages-").and_then(|b| b.strip_suffix(".img"));
        // Two tasks naming one pages file: only one could read it as it passed.
        let task = match id.and_then(|id| owners.get(&(folder.to_string(), id.to_string()))) {
            Some(tasks) if tasks.len() == 1 => Some(tasks[0]),
            Some(tasks) => pid.filter(|p| tasks.contains(p)),
            None => None,
        };
        // With --pid naming a task with a pagemap, only its pages are read;
        // with --container, only those of a folder that may be its.
        let wanted =
            |t: u32| pid.is_none_or(|p| p == t || !stream.has(&format!("{folder}{}", crate::image::name::pagemap(p))));
        let container = opts.container.as_deref().is_none_or(|c| may_hold(folder, c));
        if let Some(task) = task.filter(|&t| container && wanted(t)) {
            // Any failure (a read behind the stream, an image not yet seen,
            // more matches than are kept) only means this task is not
            // served this way.
            if let Ok(mem) = MemReader::of_task(stream.source(folder, opts.page_size), task) {
                if let Ok(t) = job(&mem) {
                    found.insert((folder.to_string(), task), (mem.layout(), t));
                }
            }
        }
    }
    Ok(Some((stream.finish()?, found)))
}

/// Whether images folder `folder` (`ID-NAME/checkpoint/`) may be the one
/// of the pod's container `name`, as [`Bundle::container`] picks it (which
/// `pod.options`, read later, may also name otherwise: then the archive is
/// read again).
fn may_hold(folder: &str, name: &str) -> bool {
    let top = folder.split('/').next().unwrap_or("");
    top == name || top.starts_with(name) || top.split_once('-').is_some_and(|(_, n)| n == name)
}

/// `("checkpoint/", "pages-1.img")` of `checkpoint/pages-1.img`.
fn split(name: &str) -> (&str, &str) {
    match name.rfind('/') {
        Some(i) => name.split_at(i + 1),
        None => ("", name),
    }
}

/// The images folder and task of a `pagemap-PID.img` member.
fn pagemap_of(name: &str) -> Option<(&str, u32)> {
    let (folder, base) = split(name);
    let task = base.strip_prefix("pagemap-")?.strip_suffix(".img")?.parse().ok()?;
    Some((folder, task))
}

/// Matches kept for later: address and bytes, back to back, the matches
/// of each task searched one after the other.
struct Spool {
    file: SpooledTempFile,
    size: u64,
    /// A push found no room.
    overflowed: bool,
}

fn spool_err(e: io::Error) -> Error {
    Error::io("<temporary file>", e)
}

impl Spool {
    fn new() -> Self {
        Spool {
            file: tempfile::spooled_tempfile(SPOOL_IN_MEMORY),
            size: 0,
            overflowed: false,
        }
    }

    fn len(&self) -> u64 {
        self.size
    }

    /// Keeps a match; once the spool is full, marks it overflowed and keeps
    /// nothing more (a write error also overflows it: the general way then
    /// reports it, if it recurs).
    fn push(&mut self, m: &SearchMatch) {
        if self.overflowed {
            return;
        }
        let mut rec = Vec::with_capacity(20 + m.bytes.len() + m.before.len() + m.after.len());
        rec.extend_from_slice(&m.addr.to_le_bytes());
        for part in [&m.bytes, &m.before, &m.after] {
            rec.extend_from_slice(&(part.len() as u32).to_le_bytes());
            rec.extend_from_slice(part);
        }
        if self.size + rec.len() as u64 > SPOOL_LIMIT || self.file.write_all(&rec).is_err() {
            self.overflowed = true;
            return;
        }
        self.size += rec.len() as u64;
    }

    /// Forgets what was kept from offset `at` on.
    fn truncate(&mut self, at: u64) -> Result<()> {
        self.file.set_len(at).map_err(spool_err)?;
        self.file.seek(io::SeekFrom::Start(at)).map_err(spool_err)?;
        self.size = at;
        Ok(())
    }

    fn replay(
        mut self,
        kept: Range<u64>,
        mem: &MemReader,
        on_match: &mut impl FnMut(SearchMatch) -> Result<()>,
    ) -> Result<()> {
        self.file.seek(io::SeekFrom::Start(kept.start)).map_err(spool_err)?;
        let mut r = BufReader::new(Read::take(&mut self.file, kept.end - kept.start));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A full spool is a state, not an error: it keeps what fitted, and
    /// nothing after.
    #[test]
    fn a_full_spool_says_so_and_keeps_nothing_more() {
        let m = SearchMatch {
            addr: 0x1000,
            bytes: vec![b'x'; 8 << 20],
            before: Vec::new(),
            after: Vec::new(),
            vma: None,
        };
        let rec = 8 + 3 * 4 + (8u64 << 20);
        let fit = SPOOL_LIMIT / rec;
        let mut spool = Spool::new();
        for _ in 0..fit {
            spool.push(&m);
        }
        assert!(!spool.overflowed);
        assert_eq!(spool.len(), fit * rec);
        spool.push(&m);
        assert!(spool.overflowed);
        assert_eq!(spool.len(), fit * rec);
        spool.truncate(0).unwrap();
        assert_eq!(spool.len(), 0);
    }
}
