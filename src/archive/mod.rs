//! Container checkpoint archives (`podman container checkpoint --export`,
//! the kubelet's `checkpoint-*.tar`): a tar, plain or compressed with gzip or
//! zstd, told apart by its first bytes, never by its name.
//!
//! Nothing is ever unpacked to disk. A plain tar is indexed in place and its
//! members are read by offset; a compressed one is read once, as a stream,
//! keeping the small members (images, metadata) in memory and, only when
//! asked, copying raw memory (`pages-*.img`) to one unlinked temporary file.
//! Member names are checked on the way: an absolute path, a `..` component or
//! a link leading outside the archive is refused.

mod feed;
mod guard;
mod mapped;
mod member;
mod scan;
mod spill;
mod whole;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};

pub(crate) use feed::{Event, Feed, StreamPages};
pub(crate) use guard::{refusal, Guarded};
pub(crate) use member::list_tar;
pub use member::{EntryKind, NestedEntry};
pub(crate) use scan::is_pages as is_pages_name;
pub use spill::{human_size, set_temp_limit};
pub(crate) use whole::{checkpoint_archive, not_one_image};

/// How an archive's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar, read in place.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

impl Compression {
    /// The name people know it by: `none`, `gzip`, `zstd`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Tells a tar archive from its first bytes: gzip and zstd by their magic, a
/// plain tar by `ustar` at byte 257. `None` for anything else.
pub fn sniff(head: &[u8]) -> Option<Compression> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Compression::Zstd)
    } else if head.get(257..262) == Some(b"ustar") {
        Some(Compression::None)
    } else {
        None
    }
}

/// Reads the first bytes of `path` and sniffs them; `None` when it is not an
/// archive (or is too short to be one).
pub fn detect(path: &Path) -> Result<Option<Compression>> {
    let name = path.display().to_string();
    let f = crate::regular::open(path).map_err(|e| Error::io(&name, e))?;
    let mut head = [0u8; 512];
    let mut n = 0;
    while n < head.len() {
        match f.read_at(&mut head[n..], n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(&name, e)),
        }
    }
    Ok(sniff(&head[..n]))
}

/// What to keep of a compressed archive while streaming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Want {
    /// Copy raw memory (`pages-*.img`) to a temporary file, to read it later.
    pub pages: bool,
    /// List the files of the nested tars (`rootfs-diff.tar`, `volumes/*.tar`,
    /// `devshm-checkpoint.tar`) on the way, for `inspect`.
    pub listings: bool,
}

/// The largest member kept in memory from a compressed archive: images and
/// metadata are far smaller; a larger one is skipped, and reading it fails.
pub(crate) const HELD_LIMIT: u64 = 32 * 1024 * 1024;

/// Bytes kept in memory in all, at most: past it, members are skipped.
pub(crate) const HELD_TOTAL: u64 = 256 * 1024 * 1024;

/// Why a compressed archive's member was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// Raw memory, which the command did not ask for (or not a file).
    NotAsked,
    /// A nested tar, listed as it streamed by.
    Listed,
    /// Over [`HELD_LIMIT`] alone.
    OverMember,
    /// The members kept before it already hold [`HELD_TOTAL`].
    OverTotal,
}

impl Skip {
    fn why(self, size: u64) -> String {
        match self {
            Skip::NotAsked => "raw memory the command did not ask for".into(),
            Skip::Listed => "a nested tar, listed as it streamed by".into(),
            Skip::OverMember => format!(
                "{size} bytes, over the {} a member may have to be kept in memory",
                spill::human_size(HELD_LIMIT)
            ),
            Skip::OverTotal => format!(
                "the members before it already took the {} kept in memory of a compressed archive",
                spill::human_size(HELD_TOTAL)
            ),
        }
    }
}

/// Where a member's bytes are.
#[derive(Debug, Clone)]
enum Data {
    /// In the plain tar itself, from this offset.
    InPlace(u64),
    /// Held in memory.
    Held(Arc<[u8]>),
    /// In the temporary file, from this offset.
    Spilled(u64),
    /// Not kept (a compressed archive's member the command did not need, or
    /// one over a limit), and why.
    Skipped(Skip),
    /// Raw memory read as it streamed by (see [`Feed`]).
    Streamed(StreamPages),
}

/// One member of an archive.
#[derive(Debug, Clone)]
pub struct Member {
    /// Its path in the archive, without a leading `./`; directories end in `/`.
    pub name: String,
    /// What it is.
    pub kind: EntryKind,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time (seconds since the epoch), as the tar records it.
    pub mtime: u64,
    data: Data,
    /// A nested tar's files, listed while streaming (with [`Want::listings`]).
    listing: Option<Arc<Vec<NestedEntry>>>,
}

impl Member {
    /// The member, its bytes those of a raw memory stream.
    pub(crate) fn streamed(mut self, pages: StreamPages) -> Member {
        self.data = Data::Streamed(pages);
        self
    }
}

/// An opened archive: its members, readable by name.
#[derive(Debug, Clone)]
pub struct Archive {
    label: String,
    compression: Compression,
    /// The plain tar (members in place) or the temporary file (spilled pages).
    file: Option<Arc<File>>,
    members: Vec<Member>,
    /// Regular files by name (the last of a name given twice, as tar does).
    files: HashMap<String, usize>,
    /// Bytes of the archive as stored (compressed).
    stored_size: u64,
}

impl Archive {
    /// Opens the archive at `path`, which [`detect`] found to be `compression`.
    pub fn open(path: &Path, compression: Compression, want: Want) -> Result<Archive> {
        let label = path.display().to_string();
        let f = crate::regular::open(path).map_err(|e| Error::io(&label, e))?;
        Archive::from_file(f, label, compression, want, None)
    }

    fn from_file(
        f: File,
        label: String,
        compression: Compression,
        want: Want,
        feed: Option<&feed::Sender>,
    ) -> Result<Archive> {
        let stored_size = f.metadata().map_err(|e| Error::io(&label, e))?.len();
        let (members, file) = match compression {
            Compression::None => {
                let members = scan::in_place(&f, stored_size, &label, want)?;
                (members, Some(Arc::new(f)))
            }
            Compression::Gzip => {
                let r = flate2::bufread::MultiGzDecoder::new(mapped::Mapped::new(f, stored_size, &label));
                scan::stream(r, &label, want, feed)?
            }
            Compression::Zstd => {
                let r = zstd::stream::read::Decoder::with_buffer(mapped::Mapped::new(f, stored_size, &label))
                    .map_err(|e| Error::io(&label, e))?;
                scan::stream(r, &label, want, feed)?
            }
        };
        Ok(Archive::assemble(label, compression, file, members, stored_size))
    }

    /// An archive of no members yet, to [`push`](Self::push) those a
    /// [`Feed`] sends.
    pub(crate) fn building(label: String, compression: Compression) -> Archive {
        Archive::assemble(label, compression, None, Vec::new(), 0)
    }

    /// Adds a member (one of a [`Feed`]'s).
    pub(crate) fn push(&mut self, m: Member) {
        if m.kind == EntryKind::File {
            self.files.insert(m.name.clone(), self.members.len());
        }
        self.members.push(m);
    }

    fn assemble(
        label: String,
        compression: Compression,
        file: Option<Arc<File>>,
        members: Vec<Member>,
        stored_size: u64,
    ) -> Archive {
        let files = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind == EntryKind::File)
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        Archive {
            label,
            compression,
            file,
            members,
            files,
            stored_size,
        }
    }

    /// Marks raw memory member `name` as read once, as it streamed by.
    pub(crate) fn set_streamed(&mut self, name: &str, pages: StreamPages) {
        if let Some(&i) = self.files.get(name) {
            self.members[i].data = Data::Streamed(pages);
        }
    }

    /// The archive's path, as errors name it.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    /// How the archive is compressed.
    pub(crate) fn compression(&self) -> Compression {
        self.compression
    }

    /// Its size on disk.
    pub(crate) fn stored_size(&self) -> u64 {
        self.stored_size
    }

    /// Bytes on disk of the temporary file a compressed archive's raw memory
    /// was copied to (zero pages are holes, which take none); `None` when
    /// there is none.
    pub fn temp_disk_usage(&self) -> Option<u64> {
        use std::os::unix::fs::MetadataExt;
        let file = self.file.as_ref().filter(|_| self.compression != Compression::None)?;
        file.metadata().ok().map(|m| m.blocks() * 512)
    }

    /// Every member, in archive order (a name given twice: the last one).
    pub(crate) fn members(&self) -> &[Member] {
        &self.members
    }

    /// The member called `name` (no leading `./`; regular files only).
    pub fn get(&self, name: &str) -> Option<&Member> {
        self.files.get(name).map(|&i| &self.members[i])
    }

    /// Whether any member lies under folder `prefix` (ending in `/`).
    pub(crate) fn has_dir(&self, prefix: &str) -> bool {
        self.members.iter().any(|m| m.name.starts_with(prefix))
    }

    fn member_label(&self, name: &str) -> String {
        format!("{}:{name}", self.label)
    }

    fn need(&self, name: &str) -> Result<&Member> {
        let m = self.get(name).ok_or_else(|| Error::MemberMissing {
            member: self.member_label(name),
        })?;
        if let Data::Skipped(why) = m.data {
            return Err(Error::MemberUnavailable {
                member: self.member_label(name),
                why: format!("not kept while streaming the compressed archive: {}", why.why(m.size)),
            });
        }
        Ok(m)
    }

    /// A reader of member `name`'s bytes, and its size.
    pub(crate) fn open_member(&self, name: &str) -> Result<(Box<dyn Read + Send>, u64)> {
        let m = self.need(name)?;
        let r: Box<dyn Read + Send> = match &m.data {
            Data::Held(b) => Box::new(io::Cursor::new(Arc::clone(b))),
            Data::InPlace(at) | Data::Spilled(at) => Box::new(Slice {
                file: Arc::clone(self.file.as_ref().expect("in-place and spilled members have a file")),
                at: *at,
                left: m.size,
            }),
            Data::Streamed(_) => {
                return Err(Error::MemberUnavailable {
                    member: self.member_label(name),
                    why: "raw memory, read once as the archive streamed by".into(),
                })
            }
            Data::Skipped(_) => unreachable!("checked by need"),
        };
        Ok((r, m.size))
    }

    /// Member `name` whole, if it is at most `limit` bytes.
    pub(crate) fn read_member(&self, name: &str, limit: u64) -> Result<Vec<u8>> {
        let (mut r, size) = self.open_member(name)?;
        if size > limit {
            return Err(Error::limit(
                self.member_label(name),
                crate::error::Limit::MemberSize { size, max: limit },
            ));
        }
        let mut out = Vec::with_capacity(size as usize);
        r.read_to_end(&mut out)
            .map_err(|e| Error::io(self.member_label(name), e))?;
        Ok(out)
    }

    /// Member `name` for positioned reads (raw memory).
    pub fn positioned(&self, name: &str) -> Result<Positioned> {
        let m = self.need(name)?;
        let label = self.member_label(name);
        Ok(match &m.data {
            Data::Held(b) => Positioned::Held(Arc::clone(b), label),
            Data::InPlace(at) | Data::Spilled(at) => Positioned::File {
                file: Arc::clone(self.file.as_ref().expect("in-place and spilled members have a file")),
                base: *at,
                len: m.size,
                label,
            },
            Data::Streamed(p) => Positioned::Stream(p.clone(), label),
            Data::Skipped(_) => unreachable!("checked by need"),
        })
    }

    /// The files of nested tar member `name` (e.g. `rootfs-diff.tar`).
    pub(crate) fn listing(&self, name: &str) -> Result<Vec<NestedEntry>> {
        if let Some(l) = self.get(name).and_then(|m| m.listing.as_ref()) {
            return Ok(l.as_ref().clone());
        }
        let (r, _) = self.open_member(name)?;
        member::list_tar(r, &self.member_label(name))
    }
}

/// A member's bytes at an offset in a file, read with positioned reads so
/// that many readers share one descriptor.
struct Slice {
    file: Arc<File>,
    at: u64,
    left: u64,
}

impl Read for Slice {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        if n == 0 {
            return Ok(0);
        }
        let got = self.file.read_at(&mut buf[..n], self.at)?;
        if got == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside the member",
            ));
        }
        self.at += got as u64;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Bytes read at any offset: a file (or a span of one), or bytes in memory.
#[derive(Debug, Clone)]
pub enum Positioned {
    /// `len` bytes of `file` from `base`.
    File {
        /// The file.
        file: Arc<File>,
        /// Where the bytes start in it.
        base: u64,
        /// How many there are.
        len: u64,
        /// What errors call them.
        label: String,
    },
    /// Bytes in memory.
    Held(Arc<[u8]>, String),
    /// Bytes as they stream by, read forward (see `Feed`).
    Stream(StreamPages, String),
}

impl Positioned {
    /// Opens a whole file.
    pub(crate) fn whole_file(path: &Path, label: String) -> Result<Positioned> {
        let file = crate::regular::open(path).map_err(|e| Error::io(&label, e))?;
        let len = file.metadata().map_err(|e| Error::io(&label, e))?.len();
        Ok(Positioned::File {
            file: Arc::new(file),
            base: 0,
            len,
            label,
        })
    }

    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Positioned::File { len, .. } => *len,
            Positioned::Held(b, _) => b.len() as u64,
            Positioned::Stream(s, _) => s.len(),
        }
    }

    /// True when it holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What errors call it.
    pub(crate) fn label(&self) -> &str {
        match self {
            Positioned::File { label, .. } | Positioned::Held(_, label) | Positioned::Stream(_, label) => label,
        }
    }

    /// Fills `buf` from `offset`; reading past the end is an error.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        if end.is_none_or(|e| e > self.len()) {
            return Err(Error::io(
                self.label(),
                io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end"),
            ));
        }
        match self {
            Positioned::File { file, base, label, .. } => file
                .read_exact_at(buf, base + offset)
                .map_err(|e| Error::io(label.as_str(), e)),
            Positioned::Held(b, _) => {
                buf.copy_from_slice(&b[offset as usize..offset as usize + buf.len()]);
                Ok(())
            }
            Positioned::Stream(s, _) => s.read_exact_at(buf, offset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Some(Compression::Gzip));
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Some(Compression::Zstd));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar), Some(Compression::None));
        assert_eq!(sniff(&tar[..300]), Some(Compression::None));
        assert_eq!(sniff(&tar[..200]), None);
        assert_eq!(sniff(b""), None);
    }
}
