//! Strings: read in place in the buffer when plain, unescaped into the
//! scratch space otherwise, and checked as UTF-8.

use std::io::Read;

use super::{JsonReader, ReadError};

impl<R: Read> JsonReader<R> {
    /// Reads the string that [`peek`](Self::peek) saw.
    pub fn string(&mut self) -> Result<&str, ReadError> {
        let range = self.string_range()?;
        Ok(self.text(range))
    }

    /// [`string`](Self::string) as bytes (UTF-8, checked), for callers that
    /// look at ASCII forms first and need no second check.
    pub fn string_bytes(&mut self) -> Result<&[u8], ReadError> {
        let range = self.string_range()?;
        Ok(self.bytes(range))
    }

    pub(super) fn bytes(&self, range: StrRange) -> &[u8] {
        match range {
            StrRange::Buf(a, b) => &self.buf[self.tok + a..self.tok + b],
            StrRange::Scratch => &self.scratch,
        }
    }

    pub(super) fn text(&self, range: StrRange) -> &str {
        // Checked as UTF-8 when read.
        std::str::from_utf8(self.bytes(range)).expect("validated")
    }

    /// Reads a string (at its `"`), leaving it in `buf` or, with escapes, in `scratch`.
    pub(super) fn string_range(&mut self) -> Result<StrRange, ReadError> {
        // Most strings are short, plain ASCII and in the buffer: find the quote
        // with memchr, then check what lies before it.
        if let Some(k) = memchr::memchr(b'"', &self.buf[self.pos + 1..self.end]) {
            let span = &self.buf[self.pos + 1..self.pos + 1 + k];
            if span.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'\\') {
                self.tok = self.pos;
                self.pos += k + 2;
                return Ok(StrRange::Buf(1, 1 + k));
            }
        }
        self.tok = self.pos;
        self.pos += 1;
        // Offsets from `tok`, which a refill moves.
        let mut i = 1;
        let mut ascii = true;
        loop {
            let start = self.tok + i;
            let hay = &self.buf[start..self.end];
            match hay
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
            {
                Some(k) if hay[k] >= 0x80 => {
                    // Not ASCII: checked as UTF-8 once the string ends.
                    ascii = false;
                    i += k + 1;
                }
                Some(k) => {
                    let at = start + k;
                    match self.buf[at] {
                        b'"' => {
                            let (a, b) = (self.tok + 1, at);
                            self.pos = at + 1;
                            if !ascii && std::str::from_utf8(&self.buf[a..b]).is_err() {
                                return Err(self.error_at("invalid unicode code point", at, false));
                            }
                            return Ok(StrRange::Buf(1, b - self.tok));
                        }
                        b'\\' => {
                            self.scratch.clear();
                            let a = self.tok + 1;
                            self.scratch.extend_from_slice(&self.buf[a..at]);
                            self.pos = at;
                            return self.escaped_rest();
                        }
                        _ => {
                            // serde_json counts the character as read.
                            return Err(self.error_at(
                                "control character (\\u0000-\\u001F) found while parsing a string",
                                at + 1,
                                true,
                            ));
                        }
                    }
                }
                None => {
                    i = self.end - self.tok;
                    self.pos = self.end;
                    if !self.refill()? {
                        return Err(self.error("EOF while parsing a string"));
                    }
                }
            }
        }
    }

    /// The rest of a string that has escapes, from the first `\`, into `scratch`.
    #[cold]
    pub(super) fn escaped_rest(&mut self) -> Result<StrRange, ReadError> {
        loop {
            let Some(b) = self.byte()? else {
                return Err(self.error("EOF while parsing a string"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(e) = self.byte()? else {
                        return Err(self.error("EOF while parsing a string"));
                    };
                    self.pos += 1;
                    let c = match e {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let ch = self.unicode_escape()?;
                            let mut utf8 = [0u8; 4];
                            self.scratch.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
                            continue;
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    };
                    self.scratch.push(c);
                }
                b if b < 0x20 => {
                    self.pos -= 1;
                    return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string"));
                }
                b => self.scratch.push(b),
            }
        }
        if std::str::from_utf8(&self.scratch).is_err() {
            return Err(self.error("invalid unicode code point"));
        }
        Ok(StrRange::Scratch)
    }

    pub(super) fn hex4(&mut self) -> Result<u32, ReadError> {
        let mut v = 0;
        for _ in 0..4 {
            let Some(b) = self.byte()? else {
                return Err(self.error("EOF while parsing a string"));
            };
            let d = (b as char).to_digit(16).ok_or_else(|| self.error("invalid escape"))?;
            self.pos += 1;
            v = v * 16 + d;
        }
        Ok(v)
    }

    pub(super) fn unicode_escape(&mut self) -> Result<char, ReadError> {
        let hi = self.hex4()?;
        if (0xDC00..0xE000).contains(&hi) {
            return Err(self.error("lone leading surrogate in hex escape"));
        }
        if !(0xD800..0xDC00).contains(&hi) {
            return char::from_u32(hi).ok_or_else(|| self.error("invalid unicode code point"));
        }
        for want in [b'\\', b'u'] {
            match self.byte()? {
                Some(b) if b == want => self.pos += 1,
                Some(_) => return Err(self.error("unexpected end of hex escape")),
                None => return Err(self.error("EOF while parsing a string")),
            }
        }
        let lo = self.hex4()?;
        if !(0xDC00..0xE000).contains(&lo) {
            return Err(self.error("lone leading surrogate in hex escape"));
        }
        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            .ok_or_else(|| self.error("invalid unicode code point"))
    }
}

/// Where a string just read is: in `buf`, as offsets from `tok` (which a
/// refill moves), or unescaped in `scratch`.
#[derive(Clone, Copy)]
pub(super) enum StrRange {
    Buf(usize, usize),
    Scratch,
}
