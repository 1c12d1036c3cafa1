//! A streaming JSON writer that prints exactly as Python's `json.dump` does:
//! `", "` and `": "` separators, or `indent=4` when pretty, and `ensure_ascii`
//! escapes. Writing as we go keeps memory flat whatever the image's size.

use std::io::{self, Write};

pub struct JsonWriter<W: Write> {
    out: W,
    pretty: bool,
    /// One entry per open container: whether it has an item yet.
    open: Vec<bool>,
    /// A key was just written; the value needs no separator.
    after_key: bool,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W, pretty: bool) -> Self {
        JsonWriter { out, pretty, open: Vec::new(), after_key: false }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn newline_indent(&mut self, depth: usize) -> io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        self.out.write_all(b"\n")?;
        let mut n = depth * 4;
        while n > 0 {
            let k = n.min(SPACES.len());
            self.out.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    /// Separator before a value or key in the current container.
    fn item(&mut self) -> io::Result<()> {
        if self.after_key {
            self.after_key = false;
            return Ok(());
        }
        let depth = self.open.len();
        if let Some(has) = self.open.last_mut() {
            let first = !*has;
            *has = true;
            if self.pretty {
                if !first {
                    self.out.write_all(b",")?;
                }
                self.newline_indent(depth)?;
            } else if !first {
                self.out.write_all(b", ")?;
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
        self.out.write_all(byte)
    }

    pub fn begin_object(&mut self) -> io::Result<()> {
        self.item()?;
        self.open.push(false);
        self.out.write_all(b"{")
    }

    pub fn end_object(&mut self) -> io::Result<()> {
        self.close(b"}")
    }

    pub fn begin_array(&mut self) -> io::Result<()> {
        self.item()?;
        self.open.push(false);
        self.out.write_all(b"[")
    }

    pub fn end_array(&mut self) -> io::Result<()> {
        self.close(b"]")
    }

    pub fn key(&mut self, key: &str) -> io::Result<()> {
        self.item()?;
        write_escaped(&mut self.out, key)?;
        self.out.write_all(b": ")?;
        self.after_key = true;
        Ok(())
    }

    pub fn string(&mut self, s: &str) -> io::Result<()> {
        self.item()?;
        write_escaped(&mut self.out, s)
    }

    pub fn u64(&mut self, v: u64) -> io::Result<()> {
        self.item()?;
        self.out.write_all(itoa::Buffer::new().format(v).as_bytes())
    }

    pub fn i64(&mut self, v: i64) -> io::Result<()> {
        self.item()?;
        self.out.write_all(itoa::Buffer::new().format(v).as_bytes())
    }

    pub fn f64(&mut self, v: f64) -> io::Result<()> {
        self.item()?;
        if v.is_finite() {
            write!(self.out, "{v:?}")
        } else if v.is_nan() {
            self.out.write_all(b"NaN")
        } else if v > 0.0 {
            self.out.write_all(b"Infinity")
        } else {
            self.out.write_all(b"-Infinity")
        }
    }

    pub fn bool(&mut self, v: bool) -> io::Result<()> {
        self.item()?;
        self.out.write_all(if v { b"true" } else { b"false" })
    }

    /// Writes a string whose content the caller produces piecewise (large base64
    /// payloads), without building it in memory. Content must need no escaping.
    pub fn raw_string_with(&mut self, f: impl FnOnce(&mut W) -> io::Result<()>) -> io::Result<()> {
        self.item()?;
        self.out.write_all(b"\"")?;
        f(&mut self.out)?;
        self.out.write_all(b"\"")
    }
}

/// Python's `ensure_ascii` escaping: only printable ASCII passes through.
fn write_escaped<W: Write>(out: &mut W, s: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let plain = (' '..='~').contains(&c) && c != '"' && c != '\\';
        if plain {
            continue;
        }
        out.write_all(&bytes[start..i])?;
        start = i + c.len_utf8();
        match c {
            '"' => out.write_all(b"\\\"")?,
            '\\' => out.write_all(b"\\\\")?,
            '\n' => out.write_all(b"\\n")?,
            '\r' => out.write_all(b"\\r")?,
            '\t' => out.write_all(b"\\t")?,
            '\u{8}' => out.write_all(b"\\b")?,
            '\u{c}' => out.write_all(b"\\f")?,
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(out, "\\u{u:04x}")?;
                }
            }
        }
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(pretty: bool, f: impl FnOnce(&mut JsonWriter<&mut Vec<u8>>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf, pretty);
        f(&mut w).unwrap();
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
        assert_eq!(render(false, sample), r#"{"a": 1, "b": ["x\"\u00e9\ud83d\ude00\n", {}, []]}"#);
    }

    #[test]
    fn pretty_matches_python() {
        let expected = "{\n    \"a\": 1,\n    \"b\": [\n        \"x\\\"\\u00e9\\ud83d\\ude00\\n\",\n        {},\n        []\n    ]\n}";
        assert_eq!(render(true, sample), expected);
    }
}
