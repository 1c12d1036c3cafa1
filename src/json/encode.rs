//! JSON → protobuf payload, driven by the schema.
//!
//! Reads both dialects: the Python CRIT's (plain or `--pretty`: hex strings, flag
//! names, `major:minor`, IP addresses, dict names) and the Go CRIT's (64-bit
//! integers as strings, lowerCamelCase names). Fields are written in number
//! order, as CRIU's protobuf-c does, so a decoded image encodes back to the
//! same bytes.

use serde_json::Value;
use smallvec::SmallVec;

use super::decode::UNKNOWN_FIELDS_KEY;
use super::dialect;
use super::formats;
use super::names;
use crate::schema::{Field, Kind, Message, MessageId, Schema};
use crate::wire::{self, put_tag, put_varint};

/// What is wrong with a JSON value, and where (`thread_info.gpregs.ip`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// Where in the document: `entries[3].thread_info.gpregs.ip`.
    pub path: String,
    /// What is wrong there.
    pub what: String,
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.what)
        } else {
            write!(f, "{}: {}", self.path, self.what)
        }
    }
}

impl EncodeError {
    fn new(what: impl Into<String>) -> Self {
        EncodeError {
            path: String::new(),
            what: what.into(),
        }
    }

    /// Prefixes the path with an enclosing key or index.
    pub fn within(mut self, segment: &str) -> Self {
        self.path = match (self.path.is_empty(), segment.starts_with('[')) {
            (true, _) => segment.to_string(),
            (false, true) if self.path.starts_with('[') => format!("{segment}{}", self.path),
            (false, true) => format!("{segment}.{}", self.path),
            (false, false) if self.path.starts_with('[') => format!("{segment}{}", self.path),
            (false, false) => format!("{segment}.{}", self.path),
        };
        self
    }
}

fn describe(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..s.char_indices().nth(37).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

/// Encodes the JSON object `value` as a `message`, appending to `out`.
/// Keys listed in `skip` (such as `extra`) belong to the caller.
pub fn encode_message(message: MessageId, value: &Value, skip: &[&str], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let schema = Schema::get();
    let msg = &schema.messages[message];
    let obj = value.as_object().ok_or_else(|| {
        EncodeError::new(format!(
            "expected an object for {}, found {}",
            msg.name,
            describe(value)
        ))
    })?;
    // One pass over the object's keys, then the fields in number order, as
    // protobuf-c writes them.
    let mut present: SmallVec<[(&Field, &Value); 24]> = SmallVec::new();
    let mut unknown = None;
    for (key, v) in obj {
        if let Some(field) = msg.field_by_name(key) {
            if !v.is_null() {
                present.push((field, v));
            }
        } else if key == UNKNOWN_FIELDS_KEY {
            unknown = Some(v);
        } else if !skip.contains(&key.as_str()) {
            return Err(EncodeError::new(format!("{} has no field \"{key}\"", msg.name)));
        }
    }
    present.sort_by_key(|(f, _)| f.number);
    if let Some(pair) = present.windows(2).find(|p| p[0].0.number == p[1].0.number) {
        return Err(EncodeError::new(format!(
            "{} is given twice (as \"{}\" and \"{}\")",
            pair[0].0.name, pair[0].0.name, pair[0].0.json_name
        )));
    }
    for (field, v) in present {
        if field.opts.unix_name {
            // The one bytes field written differently by the two CRITs.
            encode_unix_name(field, v, dialect::is_go(value), out).map_err(|e| e.within(&field.name))?;
            continue;
        }
        encode_field(field, v, out).map_err(|e| e.within(&field.name))?;
    }
    if let Some(raw) = unknown {
        let text = raw
            .as_str()
            .ok_or_else(|| EncodeError::new("expected a base64 string").within(UNKNOWN_FIELDS_KEY))?;
        let bytes = formats::decode_base64(text).map_err(|e| EncodeError::new(e).within(UNKNOWN_FIELDS_KEY))?;
        check_unknown_fields(msg, &bytes).map_err(|e| e.within(UNKNOWN_FIELDS_KEY))?;
        out.extend_from_slice(&bytes);
    }
    Ok(())
}

/// Raw unknown fields must be well-formed and unknown to the schema, or the
/// image would not decode back to the same JSON.
fn check_unknown_fields(msg: &Message, bytes: &[u8]) -> Result<(), EncodeError> {
    for f in wire::FieldIter::new(bytes) {
        let f = f.map_err(|e| EncodeError::new(format!("malformed protobuf fields: {e}")))?;
        if let Some(known) = msg.field_by_number(f.number) {
            return Err(EncodeError::new(format!(
                "holds field {}, which is {}.{}",
                f.number, msg.name, known.name
            )));
        }
    }
    Ok(())
}

fn encode_field(field: &Field, v: &Value, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    if !field.repeated {
        return encode_one(field, v, out);
    }
    let items = v
        .as_array()
        .ok_or_else(|| EncodeError::new(format!("expected a list, found {}", describe(v))))?;
    if field.opts.ipadd {
        if let Some(Value::String(text)) = items.first() {
            let words =
                formats::parse_ip(text).ok_or_else(|| EncodeError::new(format!("\"{text}\" is not an IP address")))?;
            for word in words {
                put_tag(out, field.number, wire::VARINT);
                put_varint(out, u64::from(word));
            }
            return Ok(());
        }
    }
    for (i, item) in items.iter().enumerate() {
        encode_one(field, item, out).map_err(|e| e.within(&format!("[{i}]")))?;
    }
    Ok(())
}

fn encode_one(field: &Field, v: &Value, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let n = field.number;
    match field.kind {
        Kind::Message(id) => {
            let mut sub = Vec::new();
            encode_message(id, v, &[], &mut sub)?;
            put_tag(out, n, wire::LEN);
            put_varint(out, sub.len() as u64);
            out.extend_from_slice(&sub);
        }
        Kind::Bytes => {
            let text = v
                .as_str()
                .ok_or_else(|| EncodeError::new(format!("expected a string, found {}", describe(v))))?;
            let bytes = formats::decode_base64(text).map_err(EncodeError::new)?;
            put_len(out, n, &bytes);
        }
        Kind::String => {
            let text = v
                .as_str()
                .ok_or_else(|| EncodeError::new(format!("expected a string, found {}", describe(v))))?;
            put_len(out, n, text.as_bytes());
        }
        Kind::Bool => {
            let b = match v {
                Value::Bool(b) => *b,
                Value::Number(x) => x.as_f64() != Some(0.0),
                Value::String(s) if s == "true" || s == "false" => s == "true",
                _ => {
                    return Err(EncodeError::new(format!(
                        "expected true or false, found {}",
                        describe(v)
                    )))
                }
            };
            put_tag(out, n, wire::VARINT);
            put_varint(out, u64::from(b));
        }
        Kind::Enum(id) => {
            let e = &Schema::get().enums[id];
            let num = match v {
                Value::String(s) => match e.number_of(s) {
                    Some(x) => x,
                    None => names::parse_int(s)
                        .and_then(|x| i32::try_from(x).ok())
                        .ok_or_else(|| EncodeError::new(format!("\"{s}\" is not a value of enum {}", e.name)))?,
                },
                Value::Number(x) => x
                    .as_i64()
                    .and_then(|x| i32::try_from(x).ok())
                    .ok_or_else(|| EncodeError::new(format!("{x} is not a value of enum {}", e.name)))?,
                _ => {
                    return Err(EncodeError::new(format!(
                        "expected a name of enum {}, found {}",
                        e.name,
                        describe(v)
                    )))
                }
            };
            put_tag(out, n, wire::VARINT);
            put_varint(out, i64::from(num) as u64);
        }
        Kind::Double | Kind::Float => {
            let x = match v {
                Value::Number(x) => x.as_f64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            }
            .ok_or_else(|| EncodeError::new(format!("expected a number, found {}", describe(v))))?;
            if field.kind == Kind::Double {
                put_tag(out, n, wire::I64);
                out.extend_from_slice(&x.to_le_bytes());
            } else {
                put_tag(out, n, wire::I32);
                out.extend_from_slice(&(x as f32).to_le_bytes());
            }
        }
        kind => {
            let x = read_int(field, v)?;
            let (lo, hi): (i128, i128) = match kind {
                Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => (i32::MIN.into(), i32::MAX.into()),
                Kind::Uint32 | Kind::Fixed32 => (0, u32::MAX.into()),
                Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => (i64::MIN.into(), i64::MAX.into()),
                _ => (0, u64::MAX.into()),
            };
            if x < lo || x > hi {
                return Err(EncodeError::new(format!("{x} is out of range for a {kind:?} field")));
            }
            match kind {
                Kind::Sint32 => {
                    put_tag(out, n, wire::VARINT);
                    put_varint(out, wire::zigzag32(x as i32));
                }
                Kind::Sint64 => {
                    put_tag(out, n, wire::VARINT);
                    put_varint(out, wire::zigzag64(x as i64));
                }
                Kind::Fixed32 | Kind::Sfixed32 => {
                    put_tag(out, n, wire::I32);
                    out.extend_from_slice(&(x as u32).to_le_bytes());
                }
                Kind::Fixed64 | Kind::Sfixed64 => {
                    put_tag(out, n, wire::I64);
                    out.extend_from_slice(&(x as u64).to_le_bytes());
                }
                // int32 negatives are sign-extended to ten bytes, as protobuf-c writes them.
                Kind::Int32 | Kind::Int64 => {
                    put_tag(out, n, wire::VARINT);
                    put_varint(out, x as i64 as u64);
                }
                _ => {
                    put_tag(out, n, wire::VARINT);
                    put_varint(out, x as u64);
                }
            }
        }
    }
    Ok(())
}

/// A unix socket name: quoted-printable, or base64 from the Go CRIT.
fn encode_unix_name(field: &Field, v: &Value, go: bool, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let text = v
        .as_str()
        .ok_or_else(|| EncodeError::new(format!("expected a string, found {}", describe(v))))?;
    let bytes = dialect::unix_name(text, go).map_err(EncodeError::new)?;
    put_len(out, field.number, &bytes);
    Ok(())
}

fn put_len(out: &mut Vec<u8>, number: u32, data: &[u8]) {
    put_tag(out, number, wire::LEN);
    put_varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

/// An integer from a JSON number, or from any string form `--pretty` (or the Go
/// CRIT) writes: decimal, hex, flag names, `major:minor`, dict names.
fn read_int(field: &Field, v: &Value) -> Result<i128, EncodeError> {
    match v {
        Value::Number(x) => {
            if let Some(u) = x.as_u64() {
                Ok(u.into())
            } else if let Some(i) = x.as_i64() {
                Ok(i.into())
            } else {
                Err(EncodeError::new(format!("expected an integer, found {x}")))
            }
        }
        Value::String(s) => {
            let opts = &field.opts;
            if opts.dev {
                if let Some(d) = formats::parse_dev(s, opts.odev) {
                    return Ok(d.into());
                }
            }
            if let Some(Some(table)) = opts.flags {
                return names::parse_flags(s, table)
                    .map(i128::from)
                    .map_err(|part| EncodeError::new(format!("\"{part}\" is not a flag name or a number")));
            }
            if let Some(table) = opts.dict {
                if let Some((value, _)) = table.iter().find(|(_, name)| name == s) {
                    return Ok((*value).into());
                }
            }
            names::parse_int(s).ok_or_else(|| EncodeError::new(format!("expected an integer, found \"{s}\"")))
        }
        _ => Err(EncodeError::new(format!("expected an integer, found {}", describe(v)))),
    }
}
