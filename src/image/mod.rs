//! Image framing: the magic header, then entries of a little-endian u32 size and
//! a protobuf payload, sometimes followed by raw bytes the payload describes.
//!
//! [`ImageReader`] streams entries one at a time and never allocates more than
//! the bytes really present, whatever a size field claims.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

pub mod name;

use crate::error::{Error, Result};
use crate::schema::magic::{self, Layout, Magic};

/// Reads one image, entry by entry.
pub struct ImageReader<R> {
    inner: BufReader<R>,
    file: String,
    /// Bytes left in the input, when known (a file), to refuse absurd sizes early.
    left: Option<u64>,
    offset: u64,
    entry: usize,
    magic: &'static str,
}

impl ImageReader<File> {
    /// Opens an image file and reads its magic.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let f = crate::regular::open(path).map_err(|e| Error::io(&name, e))?;
        let len = f.metadata().map_err(|e| Error::io(&name, e))?.len();
        ImageReader::new(f, name, Some(len))
    }
}

impl<R: Read> ImageReader<R> {
    /// Reads the magic from `inner` (buffered here: pass it unbuffered). `file`
    /// names the input in errors; `len` is its size if known.
    pub fn new(inner: R, file: impl Into<String>, len: Option<u64>) -> Result<Self> {
        // A small image needs no 128 KiB buffer: one of its size is cheaper
        // to get for each of the thousands an explorer opens.
        const BUF: usize = 128 * 1024;
        let cap = len.map_or(BUF, |l| usize::try_from(l).map_or(BUF, |l| l.clamp(64, BUF)));
        let inner = BufReader::with_capacity(cap, inner);
        let mut r = ImageReader {
            inner,
            file: file.into(),
            left: len,
            offset: 0,
            entry: 0,
            magic: "",
        };
        let first = r
            .read_magic_word()?
            .ok_or_else(|| r.truncated_here("empty file: no image magic"))?;
        let value = if first == magic::IMG_COMMON || first == magic::IMG_SERVICE {
            r.read_magic_word()?
                .ok_or_else(|| r.truncated_here("file ends after the first magic: no image magic"))?
        } else {
            first
        };
        r.magic = match Magic::from_u32(value) {
            Some(m) if m.layout().is_some() => m.name(),
            Some(m) => {
                r.offset -= 4; // point at the magic itself
                return Err(r.error_here(&format!("{} images hold no protobuf entries", m.name())));
            }
            None => return Err(r.unknown_magic(value)),
        };
        Ok(r)
    }

    fn unknown_magic(&self, value: u32) -> Error {
        let base = Path::new(&self.file).file_name().and_then(|s| s.to_str()).unwrap_or("");
        let what = if base.starts_with("pages-") {
            format!(
                "unknown magic {value:#010x}: this is a raw memory image, which has no magic; read process memory with `crit mem DIR`"
            )
        } else {
            format!(
                "unknown magic {value:#010x}: not a CRIU image (a raw memory image, pages-*.img, is read with `crit mem DIR`)"
            )
        };
        Error::bad_image(&self.file, what)
    }

    fn read_magic_word(&mut self) -> Result<Option<u32>> {
        let mut b = [0u8; 4];
        match self.read_exact_or_eof(&mut b)? {
            0 => Ok(None),
            4 => Ok(Some(u32::from_le_bytes(b))),
            n => Err(self.truncated_here(&format!("file ends inside the magic ({n} of 4 bytes)"))),
        }
    }

    /// The image's magic name, e.g. `"CORE"`.
    pub fn magic(&self) -> &'static str {
        self.magic
    }

    /// How this image's entries are laid out.
    pub fn layout(&self) -> Layout {
        magic::layout(self.magic).expect("checked when opened")
    }

    /// The name of the input, for messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Index of the next entry to be read.
    pub fn entry_index(&self) -> usize {
        self.entry
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// An error about this file at the current entry and a given byte offset.
    pub(crate) fn error_at(&self, offset: u64, what: &str) -> Error {
        Error::bad_image(&self.file, format!("entry {} at byte {offset}: {what}", self.entry))
    }

    fn error_here(&self, what: &str) -> Error {
        Error::bad_image(&self.file, format!("at byte {}: {what}", self.offset))
    }

    /// The image ends inside what the entry at byte `offset` announced.
    pub fn truncated_at(&self, offset: u64, what: &str) -> Error {
        Error::Truncated {
            file: self.file.clone(),
            entry: Some(self.entry),
            offset,
            what: what.to_string(),
        }
    }

    /// The image ends inside its header.
    fn truncated_here(&self, what: &str) -> Error {
        Error::Truncated {
            file: self.file.clone(),
            entry: None,
            offset: self.offset,
            what: what.to_string(),
        }
    }

    /// The payload of the entry at byte `offset` is not valid protobuf.
    pub fn malformed(&self, offset: u64, source: impl Into<crate::error::BoxError>) -> Error {
        Error::Malformed {
            file: self.file.clone(),
            entry: self.entry,
            offset,
            source: source.into(),
        }
    }

    fn read_exact_or_eof(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = read_full(&mut self.inner, buf).map_err(|e| Error::io(&self.file, e))?;
        self.consume(n as u64);
        Ok(n)
    }

    fn consume(&mut self, n: u64) {
        self.offset += n;
        if let Some(l) = self.left.as_mut() {
            *l = l.saturating_sub(n);
        }
    }

    /// Reads the next entry's payload into `buf`. `Ok(false)` at the end of the image.
    pub fn next_payload(&mut self, buf: &mut Vec<u8>) -> Result<bool> {
        let start = self.offset;
        // Usually the whole entry is already buffered: take it from there.
        if let Ok(avail) = self.inner.fill_buf() {
            if let Some(size) = avail.get(..4) {
                let size = u32::from_le_bytes(size.try_into().expect("4 bytes")) as usize;
                if let Some(payload) = avail.get(4..4 + size) {
                    buf.clear();
                    buf.extend_from_slice(payload);
                    self.inner.consume(4 + size);
                    self.consume(4 + size as u64);
                    return Ok(true);
                }
            }
        }
        let mut size = [0u8; 4];
        match self.read_exact_or_eof(&mut size)? {
            0 => return Ok(false),
            4 => {}
            n => {
                return Err(self.truncated_at(
                    start,
                    &format!("file ends inside the entry's size field ({n} of 4 bytes)"),
                ))
            }
        }
        let size = u64::from(u32::from_le_bytes(size));
        self.read_block(size, buf, start, "payload")?;
        Ok(true)
    }

    /// Hands the next entry's payload to `f`: straight from the read buffer
    /// when it is there whole (no copy), else read into `buf`. `Ok(None)` at
    /// the end of the image.
    pub(crate) fn with_next_payload<T>(&mut self, buf: &mut Vec<u8>, f: impl FnOnce(&[u8]) -> T) -> Result<Option<T>> {
        if let Ok(avail) = self.inner.fill_buf() {
            if let Some(size) = avail.get(..4) {
                let size = u32::from_le_bytes(size.try_into().expect("4 bytes")) as usize;
                if let Some(payload) = avail.get(4..4 + size) {
                    let t = f(payload);
                    self.inner.consume(4 + size);
                    self.consume(4 + size as u64);
                    return Ok(Some(t));
                }
            }
        }
        if !self.next_payload(buf)? {
            return Ok(None);
        }
        Ok(Some(f(buf)))
    }

    /// Marks the end of an entry (its payload and any extra bytes).
    pub fn finish_entry(&mut self) {
        self.entry += 1;
    }

    /// Reads exactly `n` bytes of an entry's payload or extra data into `buf`.
    pub(crate) fn read_block(&mut self, n: u64, buf: &mut Vec<u8>, start: u64, what: &str) -> Result<()> {
        buf.clear();
        if let Some(left) = self.left {
            if n > left {
                return Err(self.truncated_at(
                    start,
                    &format!("{what} of {n} bytes runs past the end of the file ({left} bytes left)"),
                ));
            }
            // The bytes are known to be there: read them straight in.
            buf.resize(n as usize, 0);
            let got = self.read_exact_or_eof(buf)? as u64;
            if got < n {
                buf.truncate(got as usize);
                return Err(self.truncated_at(
                    start,
                    &format!("{what} of {n} bytes runs past the end of the input ({got} bytes left)"),
                ));
            }
            return Ok(());
        }
        // Unknown length (a pipe): grow only as bytes really arrive.
        let got = (&mut self.inner)
            .take(n)
            .read_to_end(buf)
            .map_err(|e| Error::io(&self.file, e))? as u64;
        self.consume(got);
        if got < n {
            return Err(self.truncated_at(
                start,
                &format!("{what} of {n} bytes runs past the end of the input ({got} bytes left)"),
            ));
        }
        Ok(())
    }

    /// Reads `n` bytes (or all that is left, for `None`) in blocks, handing each to `f`.
    pub(crate) fn stream_block(
        &mut self,
        n: Option<u64>,
        what: &str,
        mut f: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<u64> {
        const BLOCK: usize = 57 * 1150; // whole base64 lines per block
        let start = self.offset;
        if let (Some(n), Some(left)) = (n, self.left) {
            if n > left {
                return Err(self.truncated_at(
                    start,
                    &format!("{what} of {n} bytes runs past the end of the file ({left} bytes left)"),
                ));
            }
        }
        // Sized to what is asked: a queue of many empty messages must not zero a
        // whole block for each.
        let mut buf = vec![0u8; n.map_or(BLOCK, |n| n.min(BLOCK as u64) as usize)];
        let mut total = 0u64;
        loop {
            let want = match n {
                Some(n) => ((n - total) as usize).min(BLOCK),
                None => BLOCK,
            };
            if want == 0 {
                break;
            }
            let got = self.read_exact_or_eof(&mut buf[..want])?;
            if got > 0 {
                f(&buf[..got]).map_err(|e| Error::io("<output>", e))?;
            }
            total += got as u64;
            if got < want {
                if let Some(n) = n {
                    return Err(self.truncated_at(
                        start,
                        &format!("{what} of {n} bytes runs past the end of the input ({total} bytes left)"),
                    ));
                }
                break;
            }
        }
        Ok(total)
    }

    /// Skips `n` bytes, checking they are there, straight out of the buffer.
    pub fn skip(&mut self, n: u64, what: &str) -> Result<()> {
        self.skip_from(n, what, self.offset)
    }

    /// Skips the next entry's payload (not any extra bytes after it) without
    /// reading it; `Ok(false)` at the end of the image.
    pub(crate) fn skip_payload(&mut self) -> Result<bool> {
        let start = self.offset;
        match self.next_size()? {
            Some(n) => self.skip_from(n, "payload", start).map(|()| true),
            None => Ok(false),
        }
    }

    /// Skips the whole entries (size field and payload) already in the read
    /// buffer, without a call per entry; returns how many. For images with
    /// nothing after their entries; [`skip_payload`](Self::skip_payload) takes
    /// the one the buffer cuts.
    pub(crate) fn skip_buffered_entries(&mut self) -> usize {
        let Ok(avail) = self.inner.fill_buf() else { return 0 };
        let (mut at, mut n) = (0, 0);
        while let Some(size) = avail.get(at..at + 4) {
            let size = u32::from_le_bytes(size.try_into().expect("4 bytes")) as usize;
            if avail.len() - at - 4 < size {
                break;
            }
            at += 4 + size;
            n += 1;
        }
        self.inner.consume(at);
        self.consume(at as u64);
        self.entry += n;
        n
    }

    /// [`skip`](Self::skip), with errors placed at `start`.
    fn skip_from(&mut self, n: u64, what: &str, start: u64) -> Result<()> {
        if let Some(left) = self.left {
            if n > left {
                return Err(self.truncated_at(
                    start,
                    &format!("{what} of {n} bytes runs past the end of the file ({left} bytes left)"),
                ));
            }
        }
        let mut total = 0u64;
        while total < n {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b.len(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&self.file, e)),
            };
            if avail == 0 {
                return Err(self.truncated_at(
                    start,
                    &format!("{what} of {n} bytes runs past the end of the input ({total} bytes left)"),
                ));
            }
            let k = (avail as u64).min(n - total) as usize;
            self.inner.consume(k);
            self.consume(k as u64);
            total += k as u64;
        }
        Ok(())
    }

    /// Reads the next entry's size field; `Ok(None)` at the end of the image.
    /// The caller reads or [`skip`](Self::skip)s that many bytes.
    pub(crate) fn next_size(&mut self) -> Result<Option<u64>> {
        let start = self.offset;
        if let Ok(avail) = self.inner.fill_buf() {
            if let Some(size) = avail.get(..4) {
                let size = u32::from_le_bytes(size.try_into().expect("4 bytes"));
                self.inner.consume(4);
                self.consume(4);
                return Ok(Some(u64::from(size)));
            }
        }
        let mut size = [0u8; 4];
        match self.read_exact_or_eof(&mut size)? {
            0 => Ok(None),
            4 => Ok(Some(u64::from(u32::from_le_bytes(size)))),
            n => Err(self.truncated_at(
                start,
                &format!("file ends inside the entry's size field ({n} of 4 bytes)"),
            )),
        }
    }

    /// Reads the next payload and decodes it as `T`; `None` at the end.
    pub fn next_message<T: prost::Message + Default>(&mut self, buf: &mut Vec<u8>) -> Result<Option<T>> {
        let start = self.offset;
        if !self.next_payload(buf)? {
            return Ok(None);
        }
        let msg = T::decode(buf.as_slice()).map_err(|e| self.malformed(start, e))?;
        self.finish_entry();
        Ok(Some(msg))
    }
}

/// Reads every entry of a plain entry-list image as `T` (explorers' helper).
pub fn read_all<T: prost::Message + Default>(path: impl AsRef<Path>) -> Result<Vec<T>> {
    let mut r = ImageReader::open(path)?;
    let mut buf = Vec::new();
    let mut out = Vec::new();
    while let Some(m) = r.next_message::<T>(&mut buf)? {
        out.push(m);
    }
    Ok(out)
}

/// Reads the first entry of an image as `T` (for one-entry images: core, mm, ids, fs).
pub fn read_first<T: prost::Message + Default>(path: impl AsRef<Path>) -> Result<T> {
    let mut r = ImageReader::open(path)?;
    let mut buf = Vec::new();
    let file = r.file().to_string();
    r.next_message::<T>(&mut buf)?.ok_or_else(|| Error::no_entries(file))
}

/// Writes the magic header of image `magic_name`.
pub fn write_header<W: Write + ?Sized>(out: &mut W, magic_name: &str) -> io::Result<()> {
    let magic = Magic::from_name(magic_name)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("unknown magic {magic_name}")))?;
    if let Some(first) = magic.leading() {
        out.write_all(&first.to_le_bytes())?;
    }
    out.write_all(&magic.value().to_le_bytes())
}

/// Writes one entry: size, then payload.
pub fn write_entry<W: Write + ?Sized>(out: &mut W, payload: &[u8]) -> io::Result<()> {
    let size = u32::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "entry larger than 4 GiB"))?;
    out.write_all(&size.to_le_bytes())?;
    out.write_all(payload)
}

/// Reads until `buf` is full or the input ends (retrying interrupted reads),
/// so a short count means the end of the input, not a short read.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
