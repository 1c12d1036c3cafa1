//! Text from a checkpoint, made safe for a terminal.
//!
//! A checkpoint is untrusted: a task name or a path may hold ESC (recolour the
//! terminal, set its title), BEL or a newline (fake a line). Every string the
//! text output shows goes through [`escape_into`] (or [`escape_bytes_into`]),
//! which writes control characters as escapes, the way
//! `ls --quoting-style=escape` does: `\n`, `\t`, `\a`, `\x1b`. A backslash is
//! doubled so the escapes are unambiguous, bytes that are not UTF-8 become
//! `\xNN`, and the Unicode controls (C1, bidirectional overrides, line and
//! paragraph separators) become `\u{NNNN}`. JSON output does not come here:
//! serde_json escapes what JSON must, and keeps the text exact.

use std::fmt;

/// Whether `c` is written as an escape.
fn needs_escape(c: char) -> bool {
    c == '\\'
        || c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escape(out: &mut String, c: char) {
    use fmt::Write;
    let _ = match c {
        '\\' => out.write_str("\\\\"),
        '\0' => out.write_str("\\0"),
        '\x07' => out.write_str("\\a"),
        '\x08' => out.write_str("\\b"),
        '\t' => out.write_str("\\t"),
        '\n' => out.write_str("\\n"),
        '\x0b' => out.write_str("\\v"),
        '\x0c' => out.write_str("\\f"),
        '\r' => out.write_str("\\r"),
        c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

/// Appends `s` to `out` with its control characters and backslashes escaped.
///
/// `"a\x1b[31mb\n"` becomes `a\x1b[31mb\n` (as typed: the ESC and newline
/// written out as escapes).
pub fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let (mut done, mut i) = (0, 0);
    // Printable ASCII passes byte by byte; anything else is looked at as a char.
    while i < bytes.len() {
        let b = bytes[i];
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            i += 1;
            continue;
        }
        let c = s[i..].chars().next().expect("at a char boundary");
        if needs_escape(c) {
            out.push_str(&s[done..i]);
            push_escape(out, c);
            done = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    out.push_str(&s[done..]);
}

/// Appends bytes that should be text (argv, the environment) to `out`,
/// escaped as [`escape_into`] does, with bytes that are not UTF-8 as `\xNN`.
pub fn escape_bytes_into(out: &mut String, bytes: &[u8]) {
    use fmt::Write;
    for chunk in bytes.utf8_chunks() {
        escape_into(out, chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
}

/// `s` escaped, as a new string.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: &[u8]) -> String {
        let mut s = String::new();
        escape_bytes_into(&mut s, b);
        s
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(escape("/usr/lib/libc.so.6 + 0x1e4000"), "/usr/lib/libc.so.6 + 0x1e4000");
        assert_eq!(escape("tréma ☃ 名前"), "tréma ☃ 名前");
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape("a\x1b]0;pwned\x07b"), "a\\x1b]0;pwned\\ab");
        assert_eq!(escape("x\ny\r\tz\x08\x0b\x0c\0"), "x\\ny\\r\\tz\\b\\v\\f\\0");
        assert_eq!(escape("\x7f\x01"), "\\x7f\\x01");
        assert_eq!(escape("back\\slash"), "back\\\\slash");
        // C1 CSI, a right-to-left override, a line separator.
        assert_eq!(
            escape("\u{9b}31m\u{202e}txt\u{2028}"),
            "\\u{9b}31m\\u{202e}txt\\u{2028}"
        );
    }

    #[test]
    fn invalid_utf8_is_shown_as_bytes() {
        assert_eq!(bytes(b"ok\xff\xfe\n\xc3\xa9"), "ok\\xff\\xfe\\né");
        // A truncated sequence at the end.
        assert_eq!(bytes(b"a\xe2\x98"), "a\\xe2\\x98");
    }
}
