//! A pull parser for JSON that streams from any reader through one buffer, so
//! `encode` can write protobuf while it reads, with memory bounded by the
//! longest single token (a base64 payload), never by the document.
//!
//! Hand-written rather than serde_json's reader: serde_json's `from_reader`
//! reads a byte at a time and a streaming visitor would still need the whole
//! document for `from_slice`. Errors read as serde_json's do (`EOF while parsing
//! an object at line 1 column 9`), which is what `encode` has always printed.

use std::io::{self, Read};

mod number;
mod string;

pub use number::Number;

const BUF: usize = 64 * 1024;
/// serde_json's default nesting limit: the JSON `decode` writes stays well below it.
const MAX_NESTING: usize = 128;

/// Why the document could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Not JSON, or not the JSON expected there.
    Syntax(SyntaxError),
    /// Reading the input failed.
    Io(io::Error),
}

/// JSON that is not well formed, or not the JSON expected there: serde_json's
/// wording, with the line and column (`EOF while parsing an object at line 1
/// column 9`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    what: String,
    line: usize,
    column: usize,
}

impl SyntaxError {
    /// What is wrong (`EOF while parsing an object`).
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The line where it is, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column, as serde_json counts it: from 1 at the byte at fault, the
    /// line's length at the end of the input.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {} column {}", self.what, self.line, self.column)
    }
}

impl std::error::Error for SyntaxError {}

/// What the next value is, seen from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// `{`
    Object,
    /// `[`
    Array,
    /// `"`
    String,
    /// `-` or a digit
    Number,
    /// `true` or `false`
    Bool,
    /// `null`
    Null,
}

/// Reads one JSON document from `R`, token by token.
pub struct JsonReader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Start of the last token read (set by each token's reader, kept by
    /// blanks and punctuation): a refill keeps `buf[tok..]`, so a key stays in
    /// place while its `:` is looked for.
    tok: usize,
    /// Newlines in the bytes already dropped, and the bytes after the last of
    /// them: error positions without counting every byte as it passes.
    lines_dropped: usize,
    col_dropped: usize,
    depth: usize,
    /// The open containers, innermost last: `true` for an object.
    open: Vec<bool>,
    /// Strings with escapes are unescaped here.
    scratch: Vec<u8>,
    /// While capturing a value's raw text: the text so far and where in `buf`
    /// the part not yet copied starts.
    capture: Option<(Vec<u8>, usize)>,
}

impl<R: Read> JsonReader<R> {
    /// A reader of the document in `src` (buffered here: pass it unbuffered).
    pub fn new(src: R) -> Self {
        JsonReader {
            src,
            buf: vec![0; BUF],
            pos: 0,
            end: 0,
            eof: false,
            tok: 0,
            lines_dropped: 0,
            col_dropped: 0,
            depth: 0,
            open: Vec::new(),
            scratch: Vec::new(),
            capture: None,
        }
    }

    /// Reads more input, keeping `buf[tok..end]`. `Ok(false)` at the end of input.
    #[cold]
    fn refill(&mut self) -> Result<bool, ReadError> {
        if self.eof {
            return Ok(false);
        }
        let keep = self.tok.min(self.pos);
        if let Some((text, from)) = self.capture.as_mut() {
            text.extend_from_slice(&self.buf[*from..keep]);
            *from = 0;
        }
        if keep > 0 {
            let dropped = &self.buf[..keep];
            match memchr::memrchr(b'\n', dropped) {
                Some(i) => {
                    self.lines_dropped += memchr::memchr_iter(b'\n', dropped).count();
                    self.col_dropped = keep - i - 1;
                }
                None => self.col_dropped += keep,
            }
            self.buf.copy_within(keep..self.end, 0);
            self.end -= keep;
            self.pos -= keep;
            self.tok -= keep;
        }
        if self.end == self.buf.len() {
            // One token fills the buffer: let it grow with the token.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// The byte at `pos`, reading more if needed; `None` at the end of input.
    #[inline]
    fn byte(&mut self) -> Result<Option<u8>, ReadError> {
        if self.pos < self.end {
            return Ok(Some(self.buf[self.pos]));
        }
        if self.refill()? {
            Ok(Some(self.buf[self.pos]))
        } else {
            Ok(None)
        }
    }

    /// The next non-blank byte, not consumed.
    #[inline]
    fn peek_nonblank(&mut self) -> Result<Option<u8>, ReadError> {
        loop {
            while self.pos < self.end {
                let b = self.buf[self.pos];
                if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                    return Ok(Some(b));
                }
                self.pos += 1;
                // --pretty's indentation: eight spaces at a time.
                while self.pos + 8 <= self.end && self.buf[self.pos..self.pos + 8] == *b"        " {
                    self.pos += 8;
                }
            }
            if !self.refill()? {
                return Ok(None);
            }
        }
    }

    /// serde_json's message with the line and column of byte `at` of the buffer
    /// (the end of input when `eof`).
    #[cold]
    fn error_at(&self, what: &str, at: usize, eof: bool) -> ReadError {
        let before = &self.buf[..at.min(self.end)];
        let (line, col) = match memchr::memrchr(b'\n', before) {
            Some(i) => (
                self.lines_dropped + memchr::memchr_iter(b'\n', before).count(),
                before.len() - i - 1,
            ),
            None => (self.lines_dropped, self.col_dropped + before.len()),
        };
        let col = if eof { col } else { col + 1 };
        ReadError::Syntax(SyntaxError {
            what: what.to_string(),
            line: line + 1,
            column: col,
        })
    }

    /// An error at the current byte.
    #[cold]
    fn error(&self, what: &str) -> ReadError {
        self.error_at(what, self.pos, self.pos >= self.end)
    }

    /// An error of the kind serde_json gives for a value of the wrong type, at
    /// the value ahead: `invalid type: integer `5`, expected a string`. Consumes
    /// the value.
    pub(crate) fn invalid_type(&mut self, expected: &str) -> ReadError {
        let at = self.pos;
        let unexpected = match self.peek() {
            Ok(Next::Object) => "map".to_string(),
            Ok(Next::Array) => "sequence".to_string(),
            Ok(Next::String) => match self.string() {
                Ok(s) => format!("string {s:?}"),
                Err(e) => return e,
            },
            Ok(Next::Number) => match self.number() {
                Ok(Number::F(x)) => format!("floating point `{}`", Number::F(x)),
                Ok(n) => format!("integer `{n}`"),
                Err(e) => return e,
            },
            Ok(Next::Bool) => match self.bool() {
                Ok(b) => format!("boolean `{b}`"),
                Err(e) => return e,
            },
            Ok(Next::Null) => match self.null() {
                Ok(()) => "unit value".to_string(),
                Err(e) => return e,
            },
            Err(e) => return e,
        };
        self.error_at(&format!("invalid type: {unexpected}, expected {expected}"), at, false)
    }

    /// What the next value is (after blanks); an error if none can start here.
    pub fn peek(&mut self) -> Result<Next, ReadError> {
        match self.peek_nonblank()? {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'{') => Ok(Next::Object),
            Some(b'[') => Ok(Next::Array),
            Some(b'"') => Ok(Next::String),
            Some(b'-' | b'0'..=b'9') => Ok(Next::Number),
            Some(b't' | b'f') => Ok(Next::Bool),
            Some(b'n') => Ok(Next::Null),
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn enter(&mut self, object: bool) -> Result<(), ReadError> {
        self.open.push(object);
        self.depth += 1;
        if self.depth >= MAX_NESTING {
            return Err(self.error("recursion limit exceeded"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Consumes the `{` that [`peek`](Self::peek) saw.
    pub fn begin_object(&mut self) -> Result<(), ReadError> {
        self.enter(true)
    }

    /// Consumes the `[` that [`peek`](Self::peek) saw.
    pub fn begin_array(&mut self) -> Result<(), ReadError> {
        self.enter(false)
    }

    /// How many containers are open.
    pub fn depth(&mut self) -> usize {
        self.depth
    }

    /// From just after a value inside containers opened past `depth`, reads
    /// (and checks) the rest of them: how a value that could not be encoded is
    /// passed over, in case a later key of the same name replaces it.
    pub(crate) fn close_to(&mut self, depth: usize) -> Result<(), ReadError> {
        while self.depth > depth {
            let mut first = false;
            if self.open.last() == Some(&true) {
                while self.next_key_bytes(&mut first)?.is_some() {
                    self.skip_value()?;
                }
            } else {
                while self.next_item(&mut first)? {
                    self.skip_value()?;
                }
            }
        }
        Ok(())
    }

    /// The next key of the open object, or `None` at its `}`. `first` is the
    /// caller's flag for the object, true before its first key.
    pub fn next_key(&mut self, first: &mut bool) -> Result<Option<&str>, ReadError> {
        // Keys are checked as UTF-8 when read.
        Ok(self
            .next_key_bytes(first)?
            .map(|k| std::str::from_utf8(k).expect("validated")))
    }

    /// [`next_key`](Self::next_key) as bytes: what a lookup among ASCII field
    /// names needs, without a second UTF-8 check.
    pub(crate) fn next_key_bytes(&mut self, first: &mut bool) -> Result<Option<&[u8]>, ReadError> {
        let Some(mut b) = self.peek_nonblank()? else {
            return Err(self.error("EOF while parsing an object"));
        };
        if b == b'}' {
            self.pos += 1;
            self.depth -= 1;
            self.open.pop();
            return Ok(None);
        }
        if !*first {
            if b != b',' {
                return Err(self.error("expected `,` or `}`"));
            }
            self.pos += 1;
            b = match self.peek_nonblank()? {
                Some(b'}') => return Err(self.error("trailing comma")),
                Some(b) => b,
                None => return Err(self.error("EOF while parsing a value")),
            };
        }
        *first = false;
        if b != b'"' {
            return Err(self.error("key must be a string"));
        }
        self.string_then_colon()
    }

    fn string_then_colon(&mut self) -> Result<Option<&[u8]>, ReadError> {
        let range = self.string_range()?;
        match self.peek_nonblank()? {
            Some(b':') => self.pos += 1,
            Some(_) => return Err(self.error("expected `:`")),
            None => return Err(self.error("EOF while parsing an object")),
        }
        Ok(Some(self.bytes(range)))
    }

    /// Moves to the next item of the open array: `false` at its `]`.
    pub fn next_item(&mut self, first: &mut bool) -> Result<bool, ReadError> {
        let Some(b) = self.peek_nonblank()? else {
            return Err(self.error("EOF while parsing a list"));
        };
        if b == b']' {
            self.pos += 1;
            self.depth -= 1;
            self.open.pop();
            return Ok(false);
        }
        if !*first {
            if b != b',' {
                return Err(self.error("expected `,` or `]`"));
            }
            self.pos += 1;
            if self.peek_nonblank()? == Some(b']') {
                return Err(self.error("trailing comma"));
            }
        }
        *first = false;
        Ok(true)
    }

    fn ident(&mut self, word: &[u8]) -> Result<(), ReadError> {
        for &want in word {
            match self.byte()? {
                Some(b) if b == want => self.pos += 1,
                Some(_) => return Err(self.error("expected ident")),
                None => return Err(self.error("EOF while parsing a value")),
            }
        }
        Ok(())
    }

    /// Reads the `true` or `false` that [`peek`](Self::peek) saw.
    pub fn bool(&mut self) -> Result<bool, ReadError> {
        if self.byte()? == Some(b't') {
            self.ident(b"true")?;
            Ok(true)
        } else {
            self.ident(b"false")?;
            Ok(false)
        }
    }

    /// Reads the `null` that [`peek`](Self::peek) saw.
    pub fn null(&mut self) -> Result<(), ReadError> {
        self.ident(b"null")
    }

    /// Reads and checks the next value, discarding it.
    pub fn skip_value(&mut self) -> Result<(), ReadError> {
        match self.peek()? {
            Next::Object => {
                self.begin_object()?;
                let mut first = true;
                while self.next_key_bytes(&mut first)?.is_some() {
                    self.skip_value()?;
                }
            }
            Next::Array => {
                self.begin_array()?;
                let mut first = true;
                while self.next_item(&mut first)? {
                    self.skip_value()?;
                }
            }
            Next::String => {
                self.string_range()?;
            }
            Next::Number => {
                self.number()?;
            }
            Next::Bool => {
                self.bool()?;
            }
            Next::Null => self.null()?,
        }
        Ok(())
    }

    /// Reads and checks the next value, returning its text as written.
    pub fn capture_value(&mut self) -> Result<Vec<u8>, ReadError> {
        self.peek_nonblank()?;
        debug_assert!(self.capture.is_none(), "captures do not nest");
        // Nothing before the value is needed again: refills copy from here on.
        self.tok = self.pos;
        self.capture = Some((Vec::new(), self.pos));
        let result = self.skip_value();
        let (mut text, from) = self.capture.take().expect("set above");
        text.extend_from_slice(&self.buf[from..self.pos]);
        result.map(|()| text)
    }

    /// Checks that only blanks follow the document.
    pub fn end(&mut self) -> Result<(), ReadError> {
        match self.peek_nonblank()? {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small buffers and one-byte reads: every token crosses a refill.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let Some((&b, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            out[0] = b;
            self.0 = rest;
            Ok(1)
        }
    }

    /// Reads of 1 to 7 bytes in turn.
    struct Chunks<'a>(&'a [u8], usize);

    impl Read for Chunks<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.1 = self.1 % 7 + 1;
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn tokens(text: &str) -> Result<String, String> {
        let one = tokens_with(JsonReader::new(Trickle(text.as_bytes())));
        for start in 0..7 {
            assert_eq!(
                tokens_with(JsonReader::new(Chunks(text.as_bytes(), start))),
                one,
                "{text}"
            );
        }
        one
    }

    fn tokens_with<R: Read>(mut r: JsonReader<R>) -> Result<String, String> {
        r.buf = vec![0; 4];
        let mut out = String::new();
        fn walk<R: Read>(r: &mut JsonReader<R>, out: &mut String) -> Result<(), ReadError> {
            match r.peek()? {
                Next::Object => {
                    r.begin_object()?;
                    out.push('{');
                    let mut first = true;
                    while let Some(k) = r.next_key(&mut first)? {
                        out.push_str(&format!("{k:?}:"));
                        walk(r, out)?;
                        out.push(',');
                    }
                    out.push('}');
                }
                Next::Array => {
                    r.begin_array()?;
                    out.push('[');
                    let mut first = true;
                    while r.next_item(&mut first)? {
                        walk(r, out)?;
                        out.push(',');
                    }
                    out.push(']');
                }
                Next::String => out.push_str(&format!("{:?}", r.string()?)),
                Next::Number => out.push_str(&format!("{:?}", r.number()?)),
                Next::Bool => out.push_str(&r.bool()?.to_string()),
                Next::Null => {
                    r.null()?;
                    out.push_str("null")
                }
            }
            Ok(())
        }
        let res = walk(&mut r, &mut out).and_then(|()| r.end());
        match res {
            Ok(()) => Ok(out),
            Err(ReadError::Syntax(s)) => Err(s.to_string()),
            Err(ReadError::Io(e)) => Err(e.to_string()),
        }
    }

    #[test]
    fn tokens_across_refills() {
        assert_eq!(
            tokens(r#" {"ab\ncd": [1, -2, 3.5, -0, 18446744073709551616, true, null, "x\u00e9\ud83d\ude00y"]} "#)
                .unwrap(),
            r#"{"ab\ncd":[U(1),I(-2),F(3.5),F(-0.0),F(1.8446744073709552e19),true,null,"xé😀y",],}"#
        );
        assert_eq!(
            tokens("\"long string that grows the buffer\"").unwrap(),
            "\"long string that grows the buffer\""
        );
    }

    #[test]
    fn errors_read_as_serde_json() {
        // serde_json::from_str's messages for the same inputs.
        for (text, want) in [
            ("not json", "expected ident at line 1 column 2"),
            ("{", "EOF while parsing an object at line 1 column 1"),
            ("", "EOF while parsing a value at line 1 column 0"),
            ("[1,]", "trailing comma at line 1 column 4"),
            ("{\"a\" 1}", "expected `:` at line 1 column 6"),
            ("[1 2]", "expected `,` or `]` at line 1 column 4"),
            ("{1: 2}", "key must be a string at line 1 column 2"),
            (
                "\"a\nb\"",
                "control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0",
            ),
            ("01", "invalid number at line 1 column 2"),
            ("1e400", "number out of range at line 1 column 1"),
            ("{}\n x", "trailing characters at line 2 column 2"),
            ("\"\\q\"", "invalid escape at line 1 column 3"),
        ] {
            let got = tokens(text).unwrap_err();
            let serde = serde_json::from_str::<serde_json::Value>(text).unwrap_err().to_string();
            // The message is serde_json's; positions agree where it matters most.
            assert_eq!(got.split(" at line").next(), serde.split(" at line").next(), "{text:?}");
            assert_eq!(got, want, "{text:?}");
        }
        let deep = "[".repeat(200);
        assert!(tokens(&deep).unwrap_err().starts_with("recursion limit exceeded"));
    }
}
