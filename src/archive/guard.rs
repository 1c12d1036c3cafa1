//! A watch on the tar headers as they go by, before the `tar` crate reads
//! them: it reads a GNU long name or link (`L`, `K`) and a PAX header (`x`,
//! `g`) whole into memory, so a 1 GiB name in a 100 KB archive costs 1 GiB.
//! [`Guarded`] follows the archive's layout from the bytes it passes on (the
//! headers' sizes, a PAX `size` record, GNU sparse extension blocks) and
//! fails the read that would hand over an extension header larger than a
//! small cap. Names longer than [`PATH_MAX`] that fit under it are refused
//! where members are checked.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};

/// The longest name or link target accepted, in bytes (Linux's `PATH_MAX`).
pub const PATH_MAX: usize = 4096;

/// The largest GNU long name or link header: a name of [`PATH_MAX`] bytes and its NUL.
const LONG_NAME_MAX: u64 = PATH_MAX as u64 + 1;

/// The largest PAX extended header: its records (path, linkpath, times,
/// extended attributes) are far smaller.
pub(crate) const PAX_MAX: u64 = 64 * 1024;

/// GNU sparse extension blocks after one header, at most (21 extents each).
const SPARSE_EXT_MAX: u32 = 4096;

const BLOCK: u64 = 512;

/// Why the guard stopped the archive: a message that names no name (it has
/// not been read), for [`refusal`] to find again.
#[derive(Debug)]
pub(crate) struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The guard's message, when `e` is its refusal (the `tar` crate passes read
/// errors on as they are).
pub fn refusal(e: &io::Error) -> Option<String> {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<Refused>())
        .map(|r| r.0.clone())
}

/// A tar stream, watched (see the module's documentation).
pub(crate) struct Guarded<R> {
    inner: R,
    /// Offset of the next byte read.
    pos: u64,
    /// Offset of the next header (or sparse extension block).
    next: u64,
    head: [u8; BLOCK as usize],
    /// Bytes of `head` gathered so far.
    got: usize,
    /// The block at `next` is a GNU sparse extension, not a header: how
    /// many so far, and the size of the data after the last one.
    sparse: Option<(u32, u64)>,
    /// A PAX header's records being gathered, and where they end.
    pax: Option<(Vec<u8>, u64)>,
    /// A PAX `size` for the next entry.
    pax_size: Option<u64>,
    /// Past the end-of-archive marker, or lost (the `tar` crate fails there).
    done: bool,
}

impl<R> Guarded<R> {
    /// Watches the tar that starts at offset 0 of `inner`.
    pub fn new(inner: R) -> Self {
        Guarded {
            inner,
            pos: 0,
            next: 0,
            head: [0; BLOCK as usize],
            got: 0,
            sparse: None,
            pax: None,
            pax_size: None,
            done: false,
        }
    }

    /// Bytes read (or sought over) so far.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Looks at bytes `buf` read from offset `self.pos`.
    fn watch(&mut self, buf: &[u8]) -> io::Result<()> {
        let start = self.pos;
        let end = start + buf.len() as u64;
        let mut at = start;
        while !self.done && at < end {
            if let Some((records, stop)) = &mut self.pax {
                // A PAX header's records (they lie before the next header).
                let take = (*stop).min(end);
                if at < take {
                    records.extend_from_slice(&buf[(at - start) as usize..(take - start) as usize]);
                    at = take;
                }
                if at >= *stop {
                    let (records, _) = self.pax.take().expect("just seen");
                    self.pax_size = pax_size(&records).or(self.pax_size);
                }
                continue;
            }
            let want = self.next + self.got as u64;
            if want > at {
                at = want.min(end);
                continue;
            }
            if want < at {
                // Bytes skipped without being read: not the `tar` crate's way.
                self.done = true;
                break;
            }
            let take = (BLOCK as usize - self.got).min((end - at) as usize);
            let from = (at - start) as usize;
            self.head[self.got..self.got + take].copy_from_slice(&buf[from..from + take]);
            self.got += take;
            at += take as u64;
            if self.got == BLOCK as usize {
                self.got = 0;
                self.block()?;
            }
        }
        Ok(())
    }

    /// A whole header (or sparse extension block) has been gathered at `self.next`.
    fn block(&mut self) -> io::Result<()> {
        let h = &self.head;
        let here = self.next;
        self.next += BLOCK;
        if let Some((n, data)) = self.sparse {
            if n + 1 > SPARSE_EXT_MAX {
                return Err(refused(format!(
                    "at byte {here}: more than {SPARSE_EXT_MAX} GNU sparse extension blocks for one member"
                )));
            }
            // Byte 504 says whether another extension block follows; the data after the last.
            if h[504] != 0 {
                self.sparse = Some((n + 1, data));
            } else {
                self.sparse = None;
                self.skip_data(data);
            }
            return Ok(());
        }
        if h.iter().all(|&b| b == 0) {
            // The end-of-archive marker: the `tar` crate stops here.
            self.done = true;
            return Ok(());
        }
        let Some(size) = size_field(&h[124..136]) else {
            // The `tar` crate refuses it too, saying why.
            self.done = true;
            return Ok(());
        };
        // The `tar` crate takes `L`, `K` and `x` for extensions in a ustar or
        // GNU header only; a PAX `size` applies to the next header that is
        // none of `L`, `K`, `x`, `g`, and goes with the next entry returned.
        let recognized = matches!((&h[257..263], &h[263..265]), (b"ustar\0", b"00") | (b"ustar ", b" \0"));
        let kind = h[156];
        let cap = match kind {
            b'L' => Some((LONG_NAME_MAX, "a GNU long name", "longer than PATH_MAX (4096)")),
            b'K' => Some((LONG_NAME_MAX, "a GNU long link target", "longer than PATH_MAX (4096)")),
            b'x' | b'g' => Some((PAX_MAX, "a PAX extended header", "over the limit of 65536")),
            _ => None,
        };
        if let Some((cap, what, why)) = cap {
            if size > cap {
                return Err(refused(format!(
                    "at byte {here}: {what} of {size} bytes, {why}: refused before it is read"
                )));
            }
        }
        let extension = recognized && matches!(kind, b'L' | b'K' | b'x');
        let size = match kind {
            b'L' | b'K' | b'x' | b'g' => {
                if !extension {
                    self.pax_size = None;
                }
                size
            }
            _ => self.pax_size.take().unwrap_or(size),
        };
        let kind = if extension || kind != b'x' { kind } else { b'0' };
        if kind == b'x' {
            self.pax = Some((Vec::with_capacity(size as usize), self.next + size));
        }
        if kind == b'S' && h[482] != 0 {
            self.sparse = Some((0, size));
        } else {
            self.skip_data(size);
        }
        Ok(())
    }

    /// The next header is after `size` bytes of data, in whole blocks.
    fn skip_data(&mut self, size: u64) {
        match self.next.checked_add(size.div_ceil(BLOCK) * BLOCK) {
            Some(n) => self.next = n,
            None => self.done = true,
        }
    }
}

fn refused(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Refused(msg))
}

/// A header's size field: octal digits, or base-256 when its first bit is set.
fn size_field(f: &[u8]) -> Option<u64> {
    if f[0] & 0x80 != 0 {
        if f[..4].iter().skip(1).any(|&b| b != 0) || f[0] != 0x80 {
            return None;
        }
        return Some(f[4..].iter().fold(0u64, |a, &b| (a << 8) | b as u64));
    }
    let s = std::str::from_utf8(f).ok()?;
    let s = s.trim_matches(|c| c == ' ' || c == '\0');
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

/// The `size` record of PAX records (`LEN size=N\n`), as the `tar` crate reads it.
fn pax_size(records: &[u8]) -> Option<u64> {
    let mut rest = records;
    let mut found = None;
    while !rest.is_empty() {
        let sp = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..sp]).ok()?.parse().ok()?;
        if len <= sp || len > rest.len() {
            return found;
        }
        let rec = &rest[sp + 1..len];
        let rec = rec.strip_suffix(b"\n").unwrap_or(rec);
        if let Some(v) = rec.strip_prefix(b"size=") {
            found = std::str::from_utf8(v).ok().and_then(|v| v.parse().ok());
        }
        rest = &rest[len..];
    }
    found
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.watch(&buf[..n])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Guarded<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_fields() {
        assert_eq!(size_field(b"00000001750\0"), Some(0o1750));
        assert_eq!(size_field(b"     12 \0\0\0\0"), Some(0o12));
        assert_eq!(size_field(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(256));
        assert_eq!(size_field(b"0000000x750\0"), None);
    }

    /// A header block: `kind`, `size`, a GNU magic.
    fn block(kind: u8, size: u64) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..4].copy_from_slice(b"name");
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar ");
        h[263..265].copy_from_slice(b" \0");
        h
    }

    /// Reads `bytes` through the watch, in odd-sized reads: its refusal, if any.
    fn watched(bytes: &[u8]) -> Option<String> {
        let mut g = Guarded::new(bytes);
        let mut buf = [0u8; 77];
        loop {
            match g.read(&mut buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(refusal(&e).expect("a refusal")),
            }
        }
    }

    #[test]
    fn follows_sparse_extension_blocks() {
        // A sparse member with one extension block, 1000 bytes of data, then a long name.
        let mut sparse = block(b'S', 1000);
        sparse[482] = 1;
        let mut tar = sparse;
        tar.extend(vec![0u8; 512]); // the extension block: none follows it
        tar.extend(vec![7u8; 1024]); // the data, in whole blocks
        tar.extend(block(b'L', 1 << 30));
        assert_eq!(
            watched(&tar).unwrap(),
            "at byte 2048: a GNU long name of 1073741824 bytes, longer than PATH_MAX (4096): refused before it is read"
        );
        // A long name of PATH_MAX bytes and its NUL passes.
        let mut ok = block(b'L', 4097);
        ok.extend(vec![b'a'; 4608]);
        ok.extend(vec![0u8; 1024]);
        assert_eq!(watched(&ok), None);
    }

    #[test]
    fn pax_records() {
        assert_eq!(pax_size(b"15 size=123456\n12 path=abc\n"), Some(123456));
        assert_eq!(pax_size(b"12 path=abc\n"), None);
    }
}
