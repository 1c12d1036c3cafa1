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
use crate::schema::{Kind, MessageId, Schema};

/// Whether the Go CRIT wrote a message's JSON object (`object`, a
/// `message`), by the signs `encode` reads as it streams: a key that is a
/// field's lowerCamelCase JSON name (`pidType`, protobuf's default mapping,
/// never the Python CRIT), or a 64-bit integer as a decimal string (see
/// [`integer_is_go`]). Any one of them, anywhere in the object, makes it
/// Go's; none, Python's.
pub fn is_go(message: MessageId, object: &Value) -> bool {
    let Value::Object(m) = object else { return false };
    let msg = &Schema::get().messages[message];
    m.iter().any(|(k, v)| {
        let Some((field, alias)) = msg.field_by_key(k.as_bytes(), 0) else {
            return false;
        };
        if alias {
            return true;
        }
        let values: &[Value] = match v {
            Value::Array(items) => items,
            one => std::slice::from_ref(one),
        };
        values.iter().any(|v| match (field.kind, v) {
            (Kind::Message(id), v) => is_go(id, v),
            (kind, Value::String(s)) => integer_is_go(kind, s.as_bytes()),
            _ => false,
        })
    })
}

/// A 64-bit integer field (`kind`) written as a JSON string of decimal
/// digits (`"pos": "0"`): protobuf's JSON mapping, as the Go CRIT writes
/// every 64-bit integer. The Python CRIT writes numbers, and in `--pretty`
/// only other string forms (`"0x7f…"`, flag names, `major:minor`).
pub fn integer_is_go(kind: Kind, text: &[u8]) -> bool {
    let wide = matches!(
        kind,
        Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64
    );
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    wide && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
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

    fn id(name: &str) -> MessageId {
        Schema::get().message_id(name).expect("in the schema")
    }

    #[test]
    fn dialect_by_what_differs() {
        let opts = |tmo: Value| json!({"so_sndbuf": 1, "so_snd_tmo_sec": tmo});
        // Real Go: snake_case keys, 64-bit integers as decimal strings.
        let go = json!({"id": 1, "fown": {"uid": 0, "pid_type": 0}, "opts": opts(json!("0")), "name": "eA=="});
        assert!(is_go(id("unix_sk_entry"), &go));
        // Python: the same keys, numbers.
        let py = json!({"id": 1, "fown": {"uid": 0, "pid_type": 0}, "opts": opts(json!(0)), "name": "x"});
        assert!(!is_go(id("unix_sk_entry"), &py));
        // --pretty's hex is Python's; a 32-bit integer as a string tells nothing.
        assert!(!is_go(id("reg_file_entry"), &json!({"pos": "0x10", "flags": "2"})));
        assert!(is_go(id("reg_file_entry"), &json!({"pos": "-16"})));
        // lowerCamelCase names, in a repeated sub-message too.
        assert!(is_go(id("unix_sk_entry"), &json!({"id": 1, "fown": {"pidType": 0}})));
        assert!(is_go(
            id("mm_entry"),
            &json!({"vmas": [{"shmid": 1}, {"start": "4096"}]})
        ));
        assert!(!is_go(
            id("mm_entry"),
            &json!({"vmas": [{"start": 4096}], "mm_saved_auxv": [33]})
        ));
        assert!(is_go(id("mm_entry"), &json!({"mm_saved_auxv": [33, "33"]})));
        // One-word keys, 32-bit numbers: nothing tells, Python's.
        assert!(!is_go(id("unix_sk_entry"), &json!({"id": 1, "name": "x"})));
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
