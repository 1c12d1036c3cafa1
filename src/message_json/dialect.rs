//! Where the two CRITs' JSON differ, as `encode` must tell them apart: the
//! Python CRIT's (which `crit decode` writes) and the Go CRIT's (go-criu's
//! `crit decode`, v7.2 and v8.4: protobuf's JSON mapping with the `.proto`
//! names, `"extra"` pasted on).
//!
//! | | Python CRIT | Go CRIT |
//! | --- | --- | --- |
//! | field names | as in the `.proto`: `pid_type` | the same (`UseProtoNames`); lowerCamelCase `pidType` from protobuf's default mapping is read too |
//! | 64-bit integers | JSON numbers (`--pretty`: `"0x…"` for addresses, flag names, `major:minor`) | decimal strings: `"pos": "0"` |
//! | unix socket `name` | quoted-printable (`/tmp/x.sock=00`) | base64, as every bytes field |
//! | semaphore values | a list: `[1, 2, 3]` | a string holding one: `"[1,2,3]"` |
//! | `--nopl` placeholder | `"... <34B>"`, `"... <1.5KB>"` | `"34 B"`, `"1.5 KB"` |
//! | an empty payload | `"extra": ""` | no `"extra"` |
//!
//! The rest (base64 with or without line breaks, enum names) reads the same
//! whichever wrote it. Only two readings depend on the dialect: a unix
//! socket's `name` and a ghost file's missing `"extra"`; both sit in messages
//! that always carry a 64-bit integer (`unix_sk_entry.opts.so_snd_tmo_sec`,
//! `ghost_file_entry.atim.tv_sec`), which tells.

use serde_json::Value;

use super::formats;
use crate::schema::Kind;

/// A 64-bit integer field (`kind`) written as a JSON string of decimal
/// digits (`"pos": "0"`): protobuf's JSON mapping, as the Go CRIT writes
/// every 64-bit integer. The Python CRIT writes numbers, and in `--pretty`
/// only other string forms (`"0x7f…"`, flag names, `major:minor`).
pub(crate) fn integer_is_go(kind: Kind, text: &[u8]) -> bool {
    let wide = matches!(
        kind,
        Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64
    );
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    wide && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// A unix socket's name from its JSON text: base64 from the Go CRIT,
/// quoted-printable from the Python CRIT (see [`is_go`]).
pub(crate) fn unix_name(text: &str, go: bool) -> Result<Vec<u8>, String> {
    if go {
        formats::decode_base64(text)
    } else {
        Ok(formats::quopri_decode(text))
    }
}

/// Semaphore values: a list (Python), or a string holding a JSON list (Go).
pub(crate) fn semaphore_values(extra: &Value) -> Option<Vec<Value>> {
    match extra {
        Value::Array(items) => Some(items.clone()),
        Value::String(text) => serde_json::from_str(text).ok(),
        _ => None,
    }
}

/// The message `encode` gives where a payload was replaced by its size.
pub(crate) const ELIDED: &str = "payload elided by --nopl: cannot encode";

/// Whether `v` is the placeholder `--nopl` writes instead of a payload:
/// `"... <34B>"` (the Python CRIT's, and ours) or `"34 B"`, `"1.5 KB"` (the
/// Go CRIT's). Neither can be a payload: base64 has no `.`, `<` or space.
pub(crate) fn is_elided(v: &Value) -> bool {
    let Value::String(s) = v else { return false };
    if let Some(size) = s.strip_prefix("... <").and_then(|r| r.strip_suffix('>')) {
        return is_size(size);
    }
    match s.split_once(' ') {
        Some((n, unit)) => is_size(&format!("{n}{unit}")),
        None => false,
    }
}

/// `34B`, `1.5KB`, … `8EB`.
fn is_size(s: &str) -> bool {
    let Some(num) = s.strip_suffix('B') else { return false };
    let num = num
        .strip_suffix(['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'])
        .unwrap_or(num);
    !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit() || b == b'.') && num.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_of_both_tools() {
        for s in ["... <34B>", "... <1.5KB>", "... <8KB>", "34 B", "1.5 KB", "0 B"] {
            assert!(is_elided(&json!(s)), "{s}");
        }
        for s in ["", "MzRC", "... <x>", "34", "B", "a B", "dGhpcyBmaWxl\n"] {
            assert!(!is_elided(&json!(s)), "{s}");
        }
        assert!(!is_elided(&json!(34)));
    }

    #[test]
    fn semaphores_of_both_tools() {
        assert_eq!(
            semaphore_values(&json!([1, 2, 3])),
            Some(vec![json!(1), json!(2), json!(3)])
        );
        assert_eq!(
            semaphore_values(&json!("[1,2,3]")),
            Some(vec![json!(1), json!(2), json!(3)])
        );
        assert_eq!(semaphore_values(&json!("1,2")), None);
    }
}
