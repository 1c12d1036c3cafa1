//! `iptables-N.img`, `ip6tables-N.img`, `nftables-N.img`: no magic, just the
//! text CRIU got from `iptables-save`, `ip6tables-save` or the nftables
//! library. An empty file is an empty ruleset (a container without rules).

use std::io::{Read, Write};

use super::{output_error, RawKind};
use crate::error::{Error, Result};
use crate::message_json::writer::JsonWriter;

/// The whole text; bytes that are not UTF-8 become U+FFFD (rulesets are
/// ASCII, but a comment may hold anything).
pub fn read<R: Read>(mut input: R, file: &str) -> Result<String> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| Error::io(file, e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Writes `{"magic": NAME, "text": "..."}`; returns the number of lines.
pub fn decode<R: Read, W: Write>(kind: RawKind, input: R, file: &str, w: &mut JsonWriter<W>) -> Result<usize> {
    let text = read(input, file)?;
    w.begin_object().map_err(output_error)?;
    w.key("magic").map_err(output_error)?;
    w.string(kind.name()).map_err(output_error)?;
    w.key("text").map_err(output_error)?;
    w.string(&text).map_err(output_error)?;
    w.end_object().map_err(output_error)?;
    Ok(text.lines().count())
}

/// Lines and bytes, for `crit info`.
pub fn count<R: Read>(mut input: R, file: &str) -> Result<(usize, u64)> {
    let mut lines = 0;
    let mut size = 0u64;
    let mut last = b'\n';
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(file, e)),
        };
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        last = buf[n - 1];
        size += n as u64;
    }
    // A last line without its newline still counts, as `str::lines` does.
    if last != b'\n' {
        lines += 1;
    }
    Ok((lines, size))
}
