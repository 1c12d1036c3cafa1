//! A streaming JSON writer that prints exactly as Python's `json.dump` does:
//! `", "` and `": "` separators, or `indent=4` when pretty, and `ensure_ascii`
//! escapes. Writing as we go keeps memory flat whatever the image's size.

use std::io::{self, Write};

/// Output leaves in blocks this large: as large as the CLI's `BufWriter`, which
/// then passes them straight through instead of copying them.
const FLUSH_AT: usize = 128 * 1024;

/// Writes one JSON document, value by value, in Python's layout.
pub struct JsonWriter<W: Write> {
    /// Small writes gather here and reach `out` in large blocks.
    buf: Vec<u8>,
    out: W,
    pretty: bool,
    /// One entry per open container: whether it has an item yet.
    open: Vec<bool>,
    /// A key was just written; the value needs no separator.
    after_key: bool,
    /// While non-zero, nothing is handed to `out`, so a [`Mark`] can be rolled back to.
    hold: u32,
}

/// A point in the output to come back to: see [`JsonWriter::rollback`].
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    len: usize,
    depth: usize,
    top_has_items: Option<bool>,
    after_key: bool,
}

impl<W: Write> JsonWriter<W> {
    /// A writer to `out`; `pretty` indents by four spaces.
    pub fn new(out: W, pretty: bool) -> Self {
        JsonWriter {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            out,
            pretty,
            open: Vec::new(),
            after_key: false,
            hold: 0,
        }
    }

    /// Remembers this point and holds output back until [`release`](Self::release),
    /// so that [`rollback`](Self::rollback) can undo what follows.
    pub fn mark(&mut self) -> Mark {
        self.hold += 1;
        Mark {
            len: self.buf.len(),
            depth: self.open.len(),
            top_has_items: self.open.last().copied(),
            after_key: self.after_key,
        }
    }

    /// Forgets everything written since `mark`.
    pub fn rollback(&mut self, mark: Mark) {
        self.buf.truncate(mark.len);
        self.open.truncate(mark.depth);
        if let (Some(top), Some(has)) = (self.open.last_mut(), mark.top_has_items) {
            *top = has;
        }
        self.after_key = mark.after_key;
    }

    /// Ends the hold that `mark` started.
    pub fn release(&mut self, _mark: Mark) {
        self.hold -= 1;
    }

    /// Writes out everything buffered and flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }

    /// Hands the buffered bytes on once there are enough of them.
    #[inline]
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT && self.hold == 0 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn newline_indent(&mut self, depth: usize) -> io::Result<()> {
        self.buf.push(b'\n');
        self.buf.resize(self.buf.len() + depth * 4, b' ');
        Ok(())
    }

    /// Separator before a value or key in the current container.
    fn item(&mut self) -> io::Result<()> {
        if self.after_key {
            self.after_key = false;
            return Ok(());
        }
        self.spill()?;
        let depth = self.open.len();
        if let Some(has) = self.open.last_mut() {
            let first = !*has;
            *has = true;
            if self.pretty {
                if !first {
                    self.buf.push(b',');
                }
                self.newline_indent(depth)?;
            } else if !first {
                self.buf.extend_from_slice(b", ");
            }
        }
        Ok(())
    }

    fn close(&mut self, byte: &[u8]) -> io::Result<()> {
        let had = self.open.pop().unwrap_or(false);
        if self.pretty && had {
            let depth = self.open.len();
            self.newline_indent(depth)?;
        }
        self.buf.extend_from_slice(byte);
        Ok(())
    }

    /// Opens `{`.
    pub fn begin_object(&mut self) -> io::Result<()> {
        self.item()?;
        self.open.push(false);
        self.buf.push(b'{');
        Ok(())
    }

    /// Closes `}`.
    pub fn end_object(&mut self) -> io::Result<()> {
        self.close(b"}")
    }

    /// Opens `[`.
    pub fn begin_array(&mut self) -> io::Result<()> {
        self.item()?;
        self.open.push(false);
        self.buf.push(b'[');
        Ok(())
    }

    /// Closes `]`.
    pub fn end_array(&mut self) -> io::Result<()> {
        self.close(b"]")
    }

    /// Writes an object key; the next call writes its value.
    pub fn key(&mut self, key: &str) -> io::Result<()> {
        self.item()?;
        write_escaped(&mut self.buf, key);
        self.buf.extend_from_slice(b": ");
        self.after_key = true;
        Ok(())
    }

    /// A key already escaped and quoted, with its `": "` (see `Field::json_key`).
    pub(crate) fn key_raw(&mut self, key: &[u8]) -> io::Result<()> {
        self.item()?;
        self.buf.extend_from_slice(key);
        self.after_key = true;
        Ok(())
    }

    /// A string value, escaped as Python's `ensure_ascii` does.
    pub fn string(&mut self, s: &str) -> io::Result<()> {
        self.item()?;
        write_escaped(&mut self.buf, s);
        Ok(())
    }

    /// A string value whose text needs no escaping (hex numbers, flag and dict
    /// names, devices), written by `f` straight into the output.
    pub(crate) fn plain_string(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        self.item()?;
        self.buf.push(b'"');
        f(&mut self.buf);
        self.buf.push(b'"');
        Ok(())
    }

    /// An unsigned integer.
    pub fn u64(&mut self, v: u64) -> io::Result<()> {
        self.item()?;
        self.buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        Ok(())
    }

    /// A signed integer.
    pub fn i64(&mut self, v: i64) -> io::Result<()> {
        self.item()?;
        self.buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        Ok(())
    }

    /// A floating-point number (Python's `repr` form).
    pub fn f64(&mut self, v: f64) -> io::Result<()> {
        self.item()?;
        if v.is_finite() {
            write!(self.buf, "{v:?}")
        } else if v.is_nan() {
            self.buf.write_all(b"NaN")
        } else if v > 0.0 {
            self.buf.write_all(b"Infinity")
        } else {
            self.buf.write_all(b"-Infinity")
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) -> io::Result<()> {
        self.item()?;
        self.buf.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    /// Writes a string whose content the caller produces piecewise (large base64
    /// payloads), without building it in memory. Content must need no escaping.
    pub(crate) fn raw_string_with(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        self.item()?;
        self.buf.push(b'"');
        f(&mut Spill { w: self })?;
        self.buf.push(b'"');
        Ok(())
    }
}

/// Appends to the buffer, spilling to the output as it fills, so a payload of
/// any size streams through.
struct Spill<'a, W: Write> {
    w: &'a mut JsonWriter<W>,
}

impl<W: Write> Write for Spill<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.w.buf.extend_from_slice(data);
        self.w.spill()?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Python's `ensure_ascii` escaping: only printable ASCII passes through.
pub(crate) fn write_escaped(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Nearly every string is plain: copy it in one go.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let plain = (' '..='~').contains(&c) && c != '"' && c != '\\';
        if plain {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        start = i + c.len_utf8();
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(pretty: bool, f: impl FnOnce(&mut JsonWriter<&mut Vec<u8>>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf, pretty);
        f(&mut w).unwrap();
        w.flush().unwrap();
        drop(w);
        String::from_utf8(buf).unwrap()
    }

    fn sample(w: &mut JsonWriter<&mut Vec<u8>>) -> io::Result<()> {
        w.begin_object()?;
        w.key("a")?;
        w.u64(1)?;
        w.key("b")?;
        w.begin_array()?;
        w.string("x\"é\u{1F600}\n")?;
        w.begin_object()?;
        w.end_object()?;
        w.begin_array()?;
        w.end_array()?;
        w.end_array()?;
        w.end_object()
    }

    #[test]
    fn compact_matches_python() {
        // json.dumps({"a": 1, "b": ["x\"é😀\n", {}, []]})
        assert_eq!(
            render(false, sample),
            r#"{"a": 1, "b": ["x\"\u00e9\ud83d\ude00\n", {}, []]}"#
        );
    }

    #[test]
    fn pretty_matches_python() {
        let expected = "{\n    \"a\": 1,\n    \"b\": [\n        \"x\\\"\\u00e9\\ud83d\\ude00\\n\",\n        {},\n        []\n    ]\n}";
        assert_eq!(render(true, sample), expected);
    }

    #[test]
    fn schema_keys_are_escaped_names() {
        // `schema` quotes field names without the escaper (it stands below
        // `message_json`): right only while every name needs no escaping.
        let mut n = 0;
        for m in &crate::schema::Schema::get().messages {
            for f in &m.fields {
                let mut key = Vec::new();
                write_escaped(&mut key, &f.name);
                key.extend_from_slice(b": ");
                assert_eq!(&*f.json_key, &key[..], "{}.{}", m.name, f.name);
                n += 1;
            }
        }
        assert!(n > 1000, "only {n} fields");
    }
}
