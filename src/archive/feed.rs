//! A compressed archive read on a second thread, its raw memory handed over
//! as it is decompressed: for a search, which needs each page once and in
//! order, this takes the place of the temporary file (written, then read
//! back). One thread decompresses while the other searches.
//!
//! The reading thread sends every member as it is kept ([`Event::Member`]);
//! a raw memory member (`pages-N.img`) is announced ([`Event::Pages`]) and its
//! bytes follow in chunks. The receiving side reads them through
//! [`StreamPages`], forward only, with the last chunk kept for the short
//! steps back a search makes (the context before a match).

use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::{Archive, Compression, Member, Want};
use crate::error::{Error, Result};

/// Bytes per chunk of raw memory.
const CHUNK: usize = 1 << 20;
/// Chunks in flight: the reading thread runs at most this far ahead.
const DEPTH: usize = 4;

/// What the reading thread sends, in archive order.
#[derive(Debug)]
pub(crate) enum Event {
    /// A member other than raw memory, as kept (small ones held in memory).
    Member(Member),
    /// A raw memory member starts; its bytes follow as [`Event::Chunk`]s.
    Pages(Member),
    /// The next bytes of the raw memory member.
    Chunk(Vec<u8>),
}

/// The reading thread's half: what [`super::scan::stream`] feeds.
pub(super) struct Sender {
    tx: SyncSender<Event>,
    spare: Receiver<Vec<u8>>,
    stop: Arc<AtomicBool>,
}

impl Sender {
    pub(super) fn send(&self, e: Event) -> io::Result<()> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the reader of the archive stopped",
            ));
        }
        self.tx
            .send(e)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader of the archive stopped"))
    }

    /// Sends raw memory member `m`, and all its bytes from `r` (`m.size` of
    /// them, or fewer should the archive end early); the number sent.
    pub(super) fn pages(&self, m: Member, r: &mut dyn Read) -> io::Result<u64> {
        let size = m.size;
        self.send(Event::Pages(m))?;
        let mut sent = 0;
        while sent < size {
            let want = (size - sent).min(CHUNK as u64) as usize;
            let mut buf = self.spare.try_recv().unwrap_or_default();
            buf.resize(want, 0);
            let n = crate::image::read_full(&mut &mut *r, &mut buf)?;
            if n == 0 {
                break;
            }
            buf.truncate(n);
            sent += n as u64;
            self.send(Event::Chunk(buf))?;
            if n < want {
                break;
            }
        }
        Ok(sent)
    }
}

/// The receiving half: the events, then the archive as a whole.
pub(crate) struct Feed {
    rx: Arc<Mutex<Receiver<Event>>>,
    spare: SyncSender<Vec<u8>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<Archive>>>,
}

impl Feed {
    /// Starts reading compressed archive `path` on a second thread, keeping
    /// what `want` asks for (nested tars' listings; raw memory is sent).
    pub fn start(path: &Path, compression: Compression, want: Want) -> Result<Feed> {
        let want = Want { pages: false, ..want };
        let (tx, rx) = mpsc::sync_channel(DEPTH);
        // Buffers come back to be filled again; a few are enough.
        let (spare_tx, spare_rx) = mpsc::sync_channel(DEPTH + 2);
        let label = path.display().to_string();
        let f = crate::regular::open(path).map_err(|e| Error::io(&label, e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let sender = Sender {
            tx,
            spare: spare_rx,
            stop: Arc::clone(&stop),
        };
        let thread = std::thread::Builder::new()
            .name("archive".into())
            .spawn(move || Archive::from_file(f, label, compression, want, Some(&sender)))
            .map_err(|e| Error::io("<thread>", e))?;
        Ok(Feed {
            rx: Arc::new(Mutex::new(rx)),
            spare: spare_tx,
            stop,
            thread: Some(thread),
        })
    }

    /// The next member, or `None` when the archive has been read.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        self.rx.lock().ok()?.recv().ok()
    }

    /// The bytes of the raw memory member just announced, `len` of them.
    pub fn pages(&self, len: u64, label: String) -> StreamPages {
        StreamPages(Arc::new(Mutex::new(Cursor {
            rx: Arc::clone(&self.rx),
            spare: self.spare.clone(),
            len,
            label,
            prev: Vec::new(),
            cur: Vec::new(),
            cur_at: 0,
            taken: 0,
            failed: false,
        })))
    }

    /// Waits for the reading thread: the archive, or what was wrong with it.
    /// Events not yet taken are dropped, and the thread told to stop.
    pub fn finish(mut self) -> Result<Archive> {
        self.stop_thread()
    }

    fn stop_thread(&mut self) -> Result<Archive> {
        self.stop.store(true, Ordering::Relaxed);
        // A thread blocked sending wakes, sees `stop`, and ends.
        while self.next_event().is_some() {}
        let thread = self.thread.take().expect("finished once");
        thread.join().unwrap_or_else(|_| {
            Err(Error::ThreadFailed {
                what: "the archive reader failed",
            })
        })
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop_thread();
        }
    }
}

/// A raw memory member as it streams by: read forward, with the chunk before
/// the current one kept for short steps back. A read further back fails.
#[derive(Debug, Clone)]
pub struct StreamPages(Arc<Mutex<Cursor>>);

#[derive(Debug)]
struct Cursor {
    rx: Arc<Mutex<Receiver<Event>>>,
    spare: SyncSender<Vec<u8>>,
    len: u64,
    label: String,
    /// The chunk before `cur` (it ends where `cur` starts).
    prev: Vec<u8>,
    cur: Vec<u8>,
    /// Offset of `cur` in the member.
    cur_at: u64,
    /// Bytes received so far (the end of `cur`).
    taken: u64,
    failed: bool,
}

impl Cursor {
    fn advance(&mut self) -> io::Result<()> {
        let next = match self.rx.lock().ok().and_then(|rx| rx.recv().ok()) {
            Some(Event::Chunk(b)) => b,
            _ => {
                self.failed = true;
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the archive ends inside the member",
                ));
            }
        };
        let old = std::mem::replace(&mut self.prev, std::mem::replace(&mut self.cur, next));
        give_back(&self.spare, old);
        self.cur_at = self.taken;
        self.taken += self.cur.len() as u64;
        Ok(())
    }

    fn read_exact_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if offset.checked_add(buf.len() as u64).is_none_or(|end| end > self.len) {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end"));
        }
        let start = self.cur_at - self.prev.len() as u64;
        if self.failed || offset < start {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "read behind a member that streamed by",
            ));
        }
        let mut at = offset;
        let mut done = 0;
        while done < buf.len() {
            while at >= self.taken {
                self.advance()?;
            }
            let (chunk, base) = if at < self.cur_at {
                (&self.prev, self.cur_at - self.prev.len() as u64)
            } else {
                (&self.cur, self.cur_at)
            };
            let from = (at - base) as usize;
            let n = (chunk.len() - from).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&chunk[from..from + n]);
            done += n;
            at += n as u64;
        }
        Ok(())
    }

    /// Takes the rest of the member, so that the next event can be read,
    /// and gives its buffers back: a checkpoint may have thousands of
    /// members read this way.
    fn drain(&mut self) {
        while !self.failed && self.taken < self.len {
            if self.advance().is_err() {
                break;
            }
        }
        self.failed = true;
        give_back(&self.spare, std::mem::take(&mut self.prev));
        give_back(&self.spare, std::mem::take(&mut self.cur));
    }
}

/// Hands a used buffer back to the reading thread, unless it holds enough.
fn give_back(spare: &SyncSender<Vec<u8>>, b: Vec<u8>) {
    if b.capacity() > 0 {
        let _ = spare.try_send(b);
    }
}

impl StreamPages {
    /// The member's length.
    pub fn len(&self) -> u64 {
        self.0.lock().map_or(0, |c| c.len)
    }

    /// Fills `buf` from `offset`, which may be at most a chunk behind the
    /// furthest byte read so far.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<()> {
        let mut c = self.0.lock().map_err(|_| Error::ThreadFailed {
            what: "a raw memory stream was poisoned",
        })?;
        let label = c.label.clone();
        c.read_exact_at(buf, offset).map_err(|e| Error::io(label, e))
    }

    /// Reads past what is left of the member: the next event follows.
    pub fn drain(&self) {
        if let Ok(mut c) = self.0.lock() {
            c.drain();
        }
    }
}
