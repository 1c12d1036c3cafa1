//! Where the two CRITs' JSON differ beyond the names of fields, as `encode`
//! must tell them apart: the Python CRIT's (which `crit decode` writes) and
//! the Go CRIT's (go-criu: protobuf's JSON mapping, with `"extra"` pasted on).
//!
//! | | Python CRIT | Go CRIT |
//! | --- | --- | --- |
//! | field names | as in the `.proto`: `pid_type` | lowerCamelCase: `pidType` |
//! | unix socket `name` | quoted-printable (`/tmp/x.sock=00`) | base64, as every bytes field |
//! | semaphore values | a list: `[1, 2, 3]` | a string holding one: `"[1,2,3]"` |
//! | `--nopl` placeholder | `"... <34B>"`, `"... <1.5KB>"` | `"34 B"`, `"1.5 KB"` |
//! | an empty payload | `"extra": ""` | no `"extra"` |
//!
//! The rest (64-bit integers as strings, base64 without line breaks) reads
//! the same whichever wrote it.

use serde_json::Value;

use super::formats;

/// Whether the Go CRIT wrote a message's JSON object.
///
/// The JSON does not say which tool wrote it, so its keys decide. CRIU's
/// `.proto` field names are all lower snake_case: the Python CRIT writes them
/// as they are, the Go CRIT as protobuf's JSON names, lowerCamelCase. So a key
/// with an upper-case letter (`pidType`) is Go's, a key with an underscore
/// (`pid_type`, and our `_unknown_fields`) is Python's, and a one-word key
/// (`id`, `name`) is the same in both and says nothing. The first key that
/// says anything decides, searching the object depth-first; `"extra"` holds a
/// payload, not fields, and is skipped. When no key says anything the object
/// is taken as Python's, and it then reads the same either way — except a unix
/// socket's `name`, but every `unix_sk_entry` has telling keys: its required
/// `fown` holds `pid_type`, its required `opts` `so_sndbuf`.
pub fn is_go(object: &Value) -> bool {
    telling_key(object) == Some(true)
}

/// `Some(true)` for Go's, `Some(false)` for Python's, `None` when undecided.
fn telling_key(v: &Value) -> Option<bool> {
    match v {
        Value::Object(m) => m.iter().filter(|(k, _)| *k != "extra").find_map(|(k, v)| {
            if k.bytes().any(|b| b.is_ascii_uppercase()) {
                Some(true)
            } else if k.contains('_') {
                Some(false)
            } else {
                telling_key(v)
            }
        }),
        Value::Array(items) => items.iter().find_map(telling_key),
        _ => None,
    }
}

/// A unix socket's name from its JSON text: base64 from the Go CRIT,
/// quoted-printable from the Python CRIT (see [`is_go`]).
pub fn unix_name(text: &str, go: bool) -> Result<Vec<u8>, String> {
    if go {
        formats::decode_base64(text)
    } else {
        Ok(formats::quopri_decode(text))
    }
}

/// Semaphore values: a list (Python), or a string holding a JSON list (Go).
pub fn semaphore_values(extra: &Value) -> Option<Vec<Value>> {
    match extra {
        Value::Array(items) => Some(items.clone()),
        Value::String(text) => serde_json::from_str(text).ok(),
        _ => None,
    }
}

/// The message `encode` gives where a payload was replaced by its size.
pub const ELIDED: &str = "payload elided by --nopl: cannot encode";

/// Whether `v` is the placeholder `--nopl` writes instead of a payload:
/// `"... <34B>"` (the Python CRIT's, and ours) or `"34 B"`, `"1.5 KB"` (the
/// Go CRIT's). Neither can be a payload: base64 has no `.`, `<` or space.
pub fn is_elided(v: &Value) -> bool {
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
    fn dialect_by_keys() {
        assert!(is_go(
            &json!({"id": 1, "fown": {"uid": 0, "pidType": 0}, "name": "eA=="})
        ));
        assert!(!is_go(
            &json!({"id": 1, "fown": {"uid": 0, "pid_type": 0}, "name": "x"})
        ));
        assert!(!is_go(&json!({"id": 1, "name": "x"})));
        // Payload keys say nothing about the fields.
        assert!(!is_go(&json!({"id": 1, "extra": {"inQ": "", "outQ": ""}})));
        assert!(is_go(&json!({"items": [{"a": 1}, {"nsId": 2}]})));
    }

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
