//! A compressed archive read once, as a stream: each member as it is
//! decompressed, raw memory (`pages-*.img`) readable only while it passes.
//! The door through which `mem`'s one-pass readers see an archive, so that
//! they, like every reader above `source`, name images and never `archive`
//! internals.

use std::path::Path;
use std::sync::Arc;

use super::{Bundle, Source};
use crate::archive::{self, Archive, Compression, Event, Feed, Member, StreamPages, Want};
use crate::error::Result;

/// What passes next in a [`Stream`].
pub(crate) enum Passing {
    /// An image or metadata file, now readable by name for good.
    Member(String),
    /// A pages file, readable through a [`Stream::source`] until the next
    /// call of [`Stream::next`].
    Pages(String),
}

/// A compressed archive being read once (see the module's documentation).
pub(crate) struct Stream {
    feed: Feed,
    /// The members so far; no reader holds on to it between members, so
    /// adding one never copies it.
    ar: Arc<Archive>,
    label: String,
    /// The pages files streamed so far; the one passing is the last.
    streams: Vec<(String, StreamPages)>,
    /// The pages file passing now, drained before the next member.
    passing: Option<StreamPages>,
}

impl Stream {
    /// Starts reading `path` if it is a compressed archive (`None` for
    /// anything else), listing the files of its nested tars on the way when
    /// `listings` is set.
    pub(crate) fn open(path: &Path, listings: bool) -> Result<Option<Stream>> {
        let kind = match path.is_file() {
            true => archive::detect(path)?.filter(|&c| c != Compression::None),
            false => None,
        };
        let Some(kind) = kind else { return Ok(None) };
        let want = Want { pages: false, listings };
        let label = path.display().to_string();
        Ok(Some(Stream {
            feed: Feed::start(path, kind, want)?,
            ar: Arc::new(Archive::building(label.clone(), kind)),
            label,
            streams: Vec::new(),
            passing: None,
        }))
    }

    /// The next member, once the pages file passing before it (if any) is
    /// read to its end; `None` at the end of the archive.
    pub(crate) fn next(&mut self) -> Option<Passing> {
        if let Some(pages) = self.passing.take() {
            pages.drain();
        }
        let add = |ar: &mut Arc<Archive>, m: Member| Arc::make_mut(ar).push(m);
        loop {
            match self.feed.next_event()? {
                Event::Member(m) => {
                    let name = m.name.clone();
                    add(&mut self.ar, m);
                    return Some(Passing::Member(name));
                }
                Event::Pages(m) => {
                    let pages = self.feed.pages(m.size, format!("{}:{}", self.label, m.name));
                    let name = m.name.clone();
                    self.streams.push((name.clone(), pages.clone()));
                    add(&mut self.ar, m.streamed(pages.clone()));
                    self.passing = Some(pages);
                    return Some(Passing::Pages(name));
                }
                Event::Chunk(_) => continue, // a pages file's bytes are taken by its reader
            }
        }
    }

    /// The checkpoint of images folder `images` (`checkpoint/`,
    /// `ID-NAME/checkpoint/` or `""`) as far as the archive was read.
    pub(crate) fn source(&self, images: &str, page_size: Option<u64>) -> Source {
        Source::partial(Arc::clone(&self.ar), images, page_size)
    }

    /// Whether member `name` has passed.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.ar.get(name).is_some()
    }

    /// Reads the rest of the archive: the whole of it, its raw memory read
    /// (drained), as a [`Bundle`].
    pub(crate) fn finish(mut self) -> Result<Bundle> {
        if let Some(pages) = self.passing.take() {
            pages.drain();
        }
        drop(self.ar);
        let mut whole = self.feed.finish()?;
        for (name, pages) in self.streams {
            whole.set_streamed(&name, pages);
        }
        Bundle::from_archive(whole)
    }
}
