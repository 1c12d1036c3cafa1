//! Text forms of binary values in the Python CRIT's JSON: base64 with line
//! breaks, quoted-printable unix socket names, devices, IP addresses, flags
//! (`A | B`) and integers as Python's `int(text, 0)` reads them.

use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::schema::FlagTable;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Bytes per base64 line: Python's `base64.encodebytes` writes 76 characters.
const LINE_BYTES: usize = 57;

/// Python's `base64.encodebytes`: 76-character lines, each ending in `\n`.
pub(crate) fn write_base64_lines<W: Write>(out: &mut W, data: &[u8]) -> io::Result<()> {
    let mut line = [0u8; 80];
    for chunk in data.chunks(LINE_BYTES) {
        let n = B64.encode_slice(chunk, &mut line).expect("76 chars fit");
        line[n] = b'\n';
        out.write_all(&line[..=n])?;
    }
    Ok(())
}

/// The same lines as the inside of a JSON string (each break escaped), written
/// piecewise so a large payload is never held twice.
pub(crate) fn write_base64_json_content<W: Write + ?Sized>(out: &mut W, data: &[u8]) -> io::Result<()> {
    let mut line = [0u8; 80];
    for chunk in data.chunks(LINE_BYTES) {
        let n = B64.encode_slice(chunk, &mut line).expect("76 chars fit");
        line[n] = b'\\';
        line[n + 1] = b'n';
        out.write_all(&line[..n + 2])?;
    }
    Ok(())
}

/// `write_base64_lines` into a `String`.
pub fn base64_lines(data: &[u8]) -> String {
    let mut v = Vec::with_capacity(data.len() / 3 * 4 + data.len() / LINE_BYTES + 8);
    write_base64_lines(&mut v, data).expect("writing to a Vec");
    String::from_utf8(v).expect("base64 is ASCII")
}

/// Base64 as Python's `base64.decodebytes` reads it: line breaks and other
/// whitespace ignored.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    B64.decode(&clean).map_err(|e| format!("invalid base64: {e}"))
}

/// Python's `quopri.encodestring` (binascii `b2a_qp`, text mode, no tab quoting):
/// how the Python CRIT writes unix socket names.
pub(crate) fn quopri_encode(data: &[u8]) -> String {
    const MAX_LINE: usize = 76;
    let hex = |b: u8, out: &mut Vec<u8>| {
        const D: &[u8; 16] = b"0123456789ABCDEF";
        out.push(b'=');
        out.push(D[(b >> 4) as usize]);
        out.push(D[(b & 15) as usize]);
    };
    let crlf = memchr::memchr(b'\n', data).is_some_and(|p| p > 0 && data[p - 1] == b'\r');
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut line = 0;
    let mut i = 0;
    let n = data.len();
    while i < n {
        let c = data[i];
        let next = data.get(i + 1).copied();
        let encode = c > 126
            || c == b'='
            || (c == b'.' && line == 0 && matches!(next, None | Some(b'\n') | Some(b'\r') | Some(0)))
            || ((c == b'\t' || c == b' ') && i + 1 == n)
            || (c < 33 && c != b'\r' && c != b'\n' && c != b'\t' && c != b' ');
        if encode {
            if line + 3 >= MAX_LINE {
                out.push(b'=');
                if crlf {
                    out.push(b'\r');
                }
                out.push(b'\n');
                line = 0;
            }
            hex(c, &mut out);
            i += 1;
            line += 3;
        } else if c == b'\n' || (c == b'\r' && next == Some(b'\n')) {
            line = 0;
            if let Some(&last) = out.last() {
                if last == b' ' || last == b'\t' {
                    out.pop();
                    hex(last, &mut out);
                }
            }
            if crlf {
                out.push(b'\r');
            }
            out.push(b'\n');
            i += if c == b'\r' { 2 } else { 1 };
        } else {
            if i + 1 != n && next != Some(b'\n') && line + 1 >= MAX_LINE {
                out.push(b'=');
                if crlf {
                    out.push(b'\r');
                }
                out.push(b'\n');
                line = 0;
            }
            line += 1;
            out.push(c);
            i += 1;
        }
    }
    // Only ASCII is ever pushed.
    String::from_utf8(out).expect("quoted-printable is ASCII")
}

/// Python's `quopri.decodestring`: `=XX` escapes and `=` soft line breaks.
pub fn quopri_decode(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let hexval = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|&c| hexval(c)),
                b.get(i + 2).and_then(|&c| hexval(c)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

const MINOR_BITS: u32 = 20;

/// `major:minor` of a device number: the kernel's 20-bit-minor form, or with
/// `odev` glibc's `major()`/`minor()`.
pub(crate) fn format_dev(value: u64, odev: bool) -> String {
    if odev {
        let major = ((value >> 8) & 0xfff) | ((value >> 32) & !0xfff);
        let minor = (value & 0xff) | ((value >> 12) & !0xff);
        format!("{major}:{minor}")
    } else {
        format!("{}:{}", value >> MINOR_BITS, value & ((1 << MINOR_BITS) - 1))
    }
}

/// Reads `major:minor` back into a device number (see [`format_dev`]).
pub(crate) fn parse_dev(text: &str, odev: bool) -> Option<u64> {
    let (maj, min) = text.split_once(':')?;
    let major: u64 = maj.trim().parse().ok()?;
    let minor: u64 = min.trim().parse().ok()?;
    Some(if odev {
        (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
    } else {
        major << MINOR_BITS | minor
    })
}

/// An address held as u32 words in network byte order: one word IPv4, four IPv6.
/// Python prints IPv6 in compressed form (`::1`), as `Ipv6Addr` does. Any other
/// count (never written by CRIU) stays numbers, so that no word is lost.
pub(crate) fn format_ip(words: &[u32]) -> Option<String> {
    match words.len() {
        1 => Some(Ipv4Addr::from(u32::from_be(words[0])).to_string()),
        4 => {
            let mut v: u128 = 0;
            for w in &words[..4] {
                v = v << 32 | u128::from(u32::from_be(*w));
            }
            Some(Ipv6Addr::from(v).to_string())
        }
        _ => None,
    }
}

/// Reads an IPv4 or IPv6 address back into network-order u32 words (see [`format_ip`]).
pub(crate) fn parse_ip(text: &str) -> Option<Vec<u32>> {
    if let Ok(v4) = text.parse::<Ipv4Addr>() {
        return Some(vec![u32::from(v4).to_be()]);
    }
    let v6: u128 = text.parse::<Ipv6Addr>().ok()?.into();
    Some((0..4).rev().map(|i| ((v6 >> (32 * i)) as u32).to_be()).collect())
}

/// `A | B | 0x40`, the Python CRIT's `map_flags`.
pub(crate) fn format_flags(mut value: u64, table: FlagTable, out: &mut Vec<u8>) {
    let mut first = true;
    let mut all = 0;
    for &(name, bit) in table {
        all |= bit;
        if value & bit != 0 {
            if !first {
                out.extend_from_slice(b" | ");
            }
            out.extend_from_slice(name.as_bytes());
            first = false;
        }
    }
    value &= !all;
    if value != 0 {
        if !first {
            out.extend_from_slice(b" | ");
        }
        let _ = write!(out, "{value:#x}");
    }
}

/// Parses `A | B | 0x40` back into bits; `None` names the part that is neither
/// a flag name nor a number.
pub(crate) fn parse_flags(text: &str, table: FlagTable) -> Result<u64, String> {
    if text.is_empty() {
        return Ok(0);
    }
    // Bytes, not chars: `--pretty` writes several names per value, and this
    // runs for each (split at an ASCII `|`, every part is still UTF-8).
    let same = |n: &str, part: &[u8]| n.len() == part.len() && n.bytes().zip(part).all(|(a, b)| a == *b);
    let mut value = 0u64;
    for part in text.as_bytes().split(|&b| b == b'|') {
        let bare = part.trim_ascii();
        if let Some(&(_, bit)) = table.iter().find(|(n, _)| same(n, bare)) {
            value = value.wrapping_add(bit);
            continue;
        }
        // Anything else as before: trimmed of Unicode blanks too, a name or a number.
        let part = std::str::from_utf8(part).expect("split at ASCII").trim();
        match table.iter().find(|(n, _)| *n == part) {
            Some(&(_, bit)) => value = value.wrapping_add(bit),
            None => value = value.wrapping_add(parse_int(part).ok_or_else(|| part.to_string())? as u64),
        }
    }
    Ok(value)
}

/// An integer as Python's `int(text, 0)` reads it: decimal, `0x`, `0o`, `0b`,
/// signed. Allocates nothing unless the text has `_` separators.
pub(crate) fn parse_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if t.bytes().any(|b| b == b'_') {
        if t.starts_with(['-', '+']) {
            return None;
        }
        return parse_int(&t.replace('_', "")).and_then(|v| if neg { v.checked_neg() } else { Some(v) });
    }
    let b = t.as_bytes();
    let (radix, digits) = match (b.first(), b.get(1).map(|c| c | 0x20)) {
        (Some(b'0'), Some(b'x')) => (16, &t[2..]),
        (Some(b'0'), Some(b'o')) => (8, &t[2..]),
        (Some(b'0'), Some(b'b')) => (2, &t[2..]),
        _ => (10, t),
    };
    // from_str_radix takes a sign of its own: refuse a second one ("--5").
    if digits.is_empty() || digits.starts_with(['-', '+']) {
        return None;
    }
    // u64 first: i128 arithmetic is slow, and CRIU's values fit.
    let v = match u64::from_str_radix(digits, radix) {
        Ok(v) => i128::from(v),
        Err(_) => i128::from_str_radix(digits, radix).ok()?,
    };
    if neg {
        v.checked_neg()
    } else {
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lines_like_python() {
        // base64.encodebytes(b"x" * 60)
        let s = base64_lines(&[b'x'; 60]);
        assert_eq!(
            s,
            "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4\neHh4\n"
        );
        assert_eq!(base64_lines(b""), "");
        assert_eq!(decode_base64(&s).unwrap(), vec![b'x'; 60]);
    }

    #[test]
    fn quopri_like_python() {
        // quopri.encodestring(b"/tmp/crit-net.sock\x00")
        assert_eq!(quopri_encode(b"/tmp/crit-net.sock\0"), "/tmp/crit-net.sock=00");
        // quopri.encodestring(b"\x00abstract = name ")
        assert_eq!(quopri_encode(b"\0abstract = name "), "=00abstract =3D name=20");
        assert_eq!(quopri_decode("=00abstract =3D name=20"), b"\0abstract = name ");
        let long = vec![b'a'; 100];
        let enc = quopri_encode(&long);
        assert_eq!(enc, format!("{}=\n{}", "a".repeat(75), "a".repeat(25)));
        assert_eq!(quopri_decode(&enc), long);
    }

    #[test]
    fn integers_as_python_reads_them() {
        for (text, want) in [
            ("42", Some(42)),
            (" -0x1F ", Some(-31)),
            ("0X1f", Some(31)),
            ("0o17", Some(15)),
            ("0b101", Some(5)),
            ("+7", Some(7)),
            ("1_000", Some(1000)),
            ("-0x_ff", Some(-255)),
            ("--5", None),
            ("-+5_0", None),
            ("0x", None),
            ("", None),
            ("0xg", None),
        ] {
            assert_eq!(parse_int(text), want, "{text:?}");
        }
    }

    #[test]
    fn flags_by_name_and_number() {
        use crate::schema::names::flag_table;
        let prot = flag_table("mmap.prot").unwrap();
        assert_eq!(parse_flags("PROT_READ | PROT_WRITE", prot), Ok(3));
        assert_eq!(parse_flags(" PROT_EXEC|0x10 ", prot), Ok(0x14));
        assert_eq!(parse_flags("\u{a0}PROT_READ", prot), Ok(1));
        assert_eq!(parse_flags("", prot), Ok(0));
        assert_eq!(
            parse_flags("PROT_READ | PROT_BOGUS", prot),
            Err("PROT_BOGUS".to_string())
        );
    }

    #[test]
    fn devices() {
        assert_eq!(format_dev(266338304, false), "254:0");
        assert_eq!(parse_dev("254:0", false), Some(266338304));
        assert_eq!(format_dev(0x0801, true), "8:1");
        assert_eq!(parse_dev("8:1", true), Some(0x0801));
    }

    #[test]
    fn ip_addresses() {
        let lo = u32::from_be_bytes([127, 0, 0, 1]).to_be();
        assert_eq!(format_ip(&[lo]).unwrap(), "127.0.0.1");
        let v6 = parse_ip("::1").unwrap();
        assert_eq!(format_ip(&v6).unwrap(), "::1");
        assert_eq!(parse_ip("127.0.0.1").unwrap(), vec![lo]);
        // Odd word counts are not addresses: printing one would drop words.
        assert_eq!(format_ip(&[0; 5]), None);
        assert_eq!(format_ip(&[0; 2]), None);
    }
}
