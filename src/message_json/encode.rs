//! JSON → protobuf payload, driven by the schema.
//!
//! Reads both dialects: the Python CRIT's (plain or `--pretty`: hex strings, flag
//! names, `major:minor`, IP addresses, dict names) and the Go CRIT's (64-bit
//! integers as strings, base64 bytes; `.proto` or lowerCamelCase names). Fields are written in number
//! order, as CRIU's protobuf-c does, so a decoded image encodes back to the
//! same bytes.
//!
//! It writes protobuf while it reads ([`super::reader`]): no tree of the
//! document is built, each message's fields land in its buffer as they come,
//! and only a message whose keys are out of field order is put in order
//! afterwards.

use std::io::Read;

use serde_json::Value;
use smallvec::SmallVec;

use super::decode::UNKNOWN_FIELDS_KEY;
use super::dialect;
use super::formats;
use super::reader::{JsonReader, Next, Number, ReadError};
use crate::schema::{Enum, Field, Kind, Message, MessageId, Schema};
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

/// Why a message could not be encoded: the JSON does not parse, or a value
/// does not fit its field.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Not JSON (serde_json's wording), or reading the input failed.
    Read(ReadError),
    /// A value that does not fit its field, and where.
    Value(EncodeError),
}

impl From<ReadError> for Failure {
    fn from(e: ReadError) -> Self {
        Failure::Read(e)
    }
}

impl From<EncodeError> for Failure {
    fn from(e: EncodeError) -> Self {
        Failure::Value(e)
    }
}

impl Failure {
    /// Prefixes a value error's path with an enclosing key or index.
    pub fn within(self, segment: &str) -> Self {
        match self {
            Failure::Value(e) => Failure::Value(e.within(segment)),
            other => other,
        }
    }
}

fn value_error(what: impl Into<String>) -> Failure {
    Failure::Value(EncodeError::new(what))
}

/// The value ahead, consumed and shown as serde_json prints it (cut at 40
/// characters), for messages; a syntax error in it wins.
fn describe_str(s: &str) -> String {
    cut(Value::from(s).to_string())
}

fn cut(s: String) -> String {
    if s.len() > 40 {
        format!("{}…", &s[..s.char_indices().nth(37).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

fn describe_next<R: Read>(r: &mut JsonReader<R>) -> Result<String, Failure> {
    let text = r.capture_value()?;
    let s = match serde_json::from_slice::<Value>(&text) {
        Ok(v) => v.to_string(),
        Err(_) => String::from_utf8_lossy(&text).into_owned(),
    };
    Ok(cut(s))
}

/// A field's bytes in the message buffer, as its key came.
#[derive(Clone, Copy)]
struct Seg {
    /// The field's number.
    idx: u32,
    /// Written under the JSON (lowerCamel) name rather than the proto name.
    alias: bool,
    /// `null`: present as a key, but no field.
    null: bool,
    /// Given as a JSON string (`"5"`), not a number.
    quoted: bool,
    start: usize,
    end: usize,
}

/// Encodes messages from a [`JsonReader`], reusing its buffers from one entry
/// to the next.
#[derive(Default)]
pub(crate) struct MessageEncoder {
    /// One buffer per nesting level, for sub-messages (their length goes first).
    bufs: Vec<Vec<u8>>,
    /// Where out-of-order fields are put in order.
    reorder: Vec<u8>,
    /// Which CRIT wrote the message being read, by what it showed so far
    /// (see [`dialect::is_go`]): `Some(true)` once a sign of the Go CRIT's
    /// came, `Some(false)` for `_unknown_fields` (ours) before any.
    telling: Option<bool>,
}

impl MessageEncoder {
    /// Whether the Go CRIT wrote the last top-level message read (see
    /// [`dialect::is_go`]).
    pub(crate) fn was_go(&self) -> bool {
        self.telling == Some(true)
    }

    /// Reads the JSON object ahead as a `message` and appends its payload to
    /// `out`. With `extra`, a key `extra` is the caller's: its value's text is
    /// left there.
    pub fn message<R: Read>(
        &mut self,
        r: &mut JsonReader<R>,
        message: MessageId,
        out: &mut Vec<u8>,
        depth: usize,
        extra: Option<&mut Option<Vec<u8>>>,
    ) -> Result<(), Failure> {
        let msg = &Schema::get().messages[message];
        if r.peek()? != Next::Object {
            let found = describe_next(r)?;
            return Err(value_error(format!(
                "expected an object for {}, found {found}",
                msg.name
            )));
        }
        r.begin_object()?;
        // The dialect is told by this object's keys and values, its
        // sub-objects' included; what they tell is the enclosing object's too.
        let outer = if depth == 0 { None } else { self.telling.take() };
        self.telling = None;
        let result = self.message_fields(r, msg, out, depth, extra);
        self.telling = match (outer, self.telling) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (outer, inner) => outer.or(inner),
        };
        result
    }

    fn message_fields<R: Read>(
        &mut self,
        r: &mut JsonReader<R>,
        msg: &Message,
        out: &mut Vec<u8>,
        depth: usize,
        mut extra: Option<&mut Option<Vec<u8>>>,
    ) -> Result<(), Failure> {
        let base = out.len();
        // Unix socket names, read once the dialect is known: (segment, text).
        let mut unix_names: SmallVec<[(usize, String); 1]> = SmallVec::new();
        let mut segs: SmallVec<[Seg; 24]> = SmallVec::new();
        // Values that did not fit: an error only if no later key of the same
        // name replaces them (a JSON object read whole keeps the last).
        let mut failed: SmallVec<[(usize, EncodeError); 1]> = SmallVec::new();
        let mut unknown: Option<Result<Vec<u8>, EncodeError>> = None;
        let mut in_order = true;
        let mut first = true;
        let mut hint = 0;
        while let Some(key) = r.next_key_bytes(&mut first)? {
            if let Some((field, alias)) = msg.field_by_key(key, hint) {
                let idx = field.number;
                hint = msg.fields.partition_point(|f| f.number <= idx);
                if alias {
                    // A lowerCamel JSON name: protobuf's mapping, never Python's.
                    self.telling = Some(true);
                }
                let start = out.len();
                let next = r.peek()?;
                let null = next == Next::Null;
                if null {
                    r.null()?;
                } else if field.opts.unix_name && !field.repeated && next == Next::String {
                    unix_names.push((segs.len(), r.string()?.to_owned()));
                    in_order = false;
                } else {
                    let level = r.depth();
                    match self.field(r, field, next, out, depth) {
                        Ok(()) => {}
                        Err(Failure::Value(e)) => {
                            r.close_to(level)?;
                            out.truncate(start);
                            failed.push((segs.len(), e.within(&field.name)));
                            in_order = false;
                        }
                        Err(e) => return Err(e),
                    }
                }
                if segs.last().is_some_and(|s| s.idx >= idx) {
                    in_order = false;
                }
                segs.push(Seg {
                    idx,
                    alias,
                    null,
                    quoted: next == Next::String,
                    start,
                    end: out.len(),
                });
            } else if key == UNKNOWN_FIELDS_KEY.as_bytes() {
                self.telling.get_or_insert(false);
                unknown = Some(match read_unknown_fields(r, msg) {
                    Ok(bytes) => Ok(bytes),
                    Err(Failure::Value(e)) => Err(e.within(UNKNOWN_FIELDS_KEY)),
                    Err(e) => return Err(e),
                });
            } else if key == b"extra" && extra.is_some() {
                let slot = extra.as_deref_mut().expect("checked");
                *slot = Some(r.capture_value()?);
            } else {
                let e = value_error(format!(
                    "{} has no field \"{}\"",
                    msg.name,
                    String::from_utf8_lossy(key)
                ));
                // Read past the value, so that an enclosing duplicate key may still replace this.
                r.skip_value()?;
                return Err(e);
            }
        }
        // The one bytes field the two CRITs write differently: quoted-printable
        // (Python) or base64 (Go), read now that the whole object has told
        // the dialect. Its bytes go last; put_in_order moves them.
        if !unix_names.is_empty() {
            self.put_unix_names(msg, unix_names, &mut segs, &mut failed, out);
        }
        if self.telling == Some(true) && msg.name == "pagemap_entry" && legacy_nr_pages(&mut segs, out) {
            in_order = false;
        }
        if !in_order {
            self.put_in_order(msg, &segs, failed, base, out)?;
        }
        if let Some(bytes) = unknown {
            out.extend_from_slice(&bytes?);
        }
        Ok(())
    }

    /// Writes the unix socket names held back by `message_fields` (segment,
    /// text) after the message's other fields, in the dialect now told.
    #[cold]
    fn put_unix_names(
        &self,
        msg: &Message,
        unix_names: SmallVec<[(usize, String); 1]>,
        segs: &mut [Seg],
        failed: &mut SmallVec<[(usize, EncodeError); 1]>,
        out: &mut Vec<u8>,
    ) {
        for (i, text) in unix_names {
            let field = msg.field_by_number(segs[i].idx).expect("a field of msg");
            match dialect::unix_name(&text, self.telling == Some(true)) {
                Ok(bytes) => {
                    segs[i].start = out.len();
                    put_len(out, field.number, &bytes);
                    segs[i].end = out.len();
                }
                Err(e) => failed.push((i, EncodeError::new(e).within(&field.name))),
            }
        }
    }

    /// Puts the fields of the message at `out[base..]` in number order, as
    /// protobuf-c writes them. A key given twice counts once, the last (as in
    /// a JSON object read whole); one field under both its names is an error.
    #[cold]
    fn put_in_order(
        &mut self,
        msg: &Message,
        segs: &[Seg],
        mut failed: SmallVec<[(usize, EncodeError); 1]>,
        base: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        let n = segs.len();
        let mut keep: SmallVec<[bool; 24]> = SmallVec::from_elem(true, n);
        for i in 0..n {
            if segs[i + 1..]
                .iter()
                .any(|s| s.idx == segs[i].idx && s.alias == segs[i].alias)
                || segs[i].null
            {
                keep[i] = false;
            }
        }
        let mut kept: SmallVec<[(usize, Seg); 24]> = segs
            .iter()
            .enumerate()
            .filter(|(i, _)| keep[*i])
            .map(|(i, s)| (i, *s))
            .collect();
        kept.sort_by_key(|(_, s)| s.idx);
        if let Some(pair) = kept.windows(2).find(|p| p[0].1.idx == p[1].1.idx) {
            let f = msg.field_by_number(pair[0].1.idx).expect("a field of msg");
            return Err(value_error(format!(
                "{} is given twice (as \"{}\" and \"{}\")",
                f.name, f.name, f.json_name
            )));
        }
        // The first field (by number) whose kept value did not fit.
        for (i, _) in &kept {
            if let Some(k) = failed.iter().position(|(at, _)| at == i) {
                return Err(Failure::Value(failed.swap_remove(k).1));
            }
        }
        self.reorder.clear();
        for (_, s) in &kept {
            self.reorder.extend_from_slice(&out[s.start..s.end]);
        }
        out.truncate(base);
        out.extend_from_slice(&self.reorder);
        Ok(())
    }

    fn field<R: Read>(
        &mut self,
        r: &mut JsonReader<R>,
        field: &Field,
        next: Next,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), Failure> {
        if !field.repeated {
            return self.one(r, field, next, out, depth);
        }
        if next != Next::Array {
            let found = describe_next(r)?;
            return Err(value_error(format!("expected a list, found {found}")));
        }
        r.begin_array()?;
        let mut first = true;
        let mut i = 0;
        while r.next_item(&mut first)? {
            if i == 0 && field.opts.ipadd && r.peek()? == Next::String {
                // The Python CRIT's one address string; anything after it is ignored.
                let text = r.string()?;
                let words =
                    formats::parse_ip(text).ok_or_else(|| value_error(format!("\"{text}\" is not an IP address")))?;
                for word in words {
                    put_tag(out, field.number, wire::VARINT);
                    put_varint(out, u64::from(word));
                }
                while r.next_item(&mut first)? {
                    r.skip_value()?;
                }
                return Ok(());
            }
            let next = r.peek()?;
            self.one(r, field, next, out, depth)
                .map_err(|e| e.within(&format!("[{i}]")))?;
            i += 1;
        }
        Ok(())
    }

    fn one<R: Read>(
        &mut self,
        r: &mut JsonReader<R>,
        field: &Field,
        next: Next,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), Failure> {
        let n = field.number;
        match field.kind {
            Kind::Message(id) => {
                if self.bufs.len() <= depth {
                    self.bufs.resize_with(depth + 1, Vec::new);
                }
                let mut sub = std::mem::take(&mut self.bufs[depth]);
                sub.clear();
                let result = self.message(r, id, &mut sub, depth + 1, None);
                if result.is_ok() {
                    put_len(out, n, &sub);
                }
                self.bufs[depth] = sub;
                result?;
            }
            Kind::Bytes | Kind::String if next != Next::String => {
                let found = describe_next(r)?;
                return Err(value_error(format!("expected a string, found {found}")));
            }
            Kind::Bytes => {
                // (A unix socket name is read by `message`, which knows the dialect.)
                let bytes = formats::decode_base64(r.string()?).map_err(value_error)?;
                put_len(out, n, &bytes);
            }
            Kind::String => put_len(out, n, r.string()?.as_bytes()),
            Kind::Bool => {
                let b = read_bool(r, next)?;
                put_tag(out, n, wire::VARINT);
                put_varint(out, u64::from(b));
            }
            Kind::Enum(id) => {
                let num = read_enum(r, &Schema::get().enums[id], next)?;
                put_tag(out, n, wire::VARINT);
                put_varint(out, i64::from(num) as u64);
            }
            Kind::Double | Kind::Float => {
                let x = read_float(r, next)?;
                if field.kind == Kind::Double {
                    put_tag(out, n, wire::I64);
                    out.extend_from_slice(&x.to_le_bytes());
                } else {
                    put_tag(out, n, wire::I32);
                    out.extend_from_slice(&(x as f32).to_le_bytes());
                }
            }
            kind => {
                let (x, go) = read_int(r, field, next)?;
                if go {
                    self.telling = Some(true);
                }
                put_int(out, n, kind, x)?;
            }
        }
        Ok(())
    }
}

/// A `bool` field's value: `true`/`false`, a number (non-zero is true) or
/// the string `"true"`/`"false"`.
fn read_bool<R: Read>(r: &mut JsonReader<R>, next: Next) -> Result<bool, Failure> {
    match next {
        Next::Bool => Ok(r.bool()?),
        Next::Number => Ok(r.number()?.as_f64() != 0.0),
        Next::String => match r.string()? {
            "true" => Ok(true),
            "false" => Ok(false),
            s => {
                let found = describe_str(s);
                Err(value_error(format!("expected true or false, found {found}")))
            }
        },
        _ => {
            let found = describe_next(r)?;
            Err(value_error(format!("expected true or false, found {found}")))
        }
    }
}

/// An enum field's value: a name of enum `e`, or its number (as a number or
/// a string).
fn read_enum<R: Read>(r: &mut JsonReader<R>, e: &Enum, next: Next) -> Result<i32, Failure> {
    match next {
        Next::String => {
            let s = r.string()?;
            match e.number_of(s) {
                Some(x) => Ok(x),
                None => formats::parse_int(s)
                    .and_then(|x| i32::try_from(x).ok())
                    .ok_or_else(|| value_error(format!("\"{s}\" is not a value of enum {}", e.name))),
            }
        }
        Next::Number => {
            let x = r.number()?;
            x.as_i64()
                .and_then(|x| i32::try_from(x).ok())
                .ok_or_else(|| value_error(format!("{x} is not a value of enum {}", e.name)))
        }
        _ => {
            let found = describe_next(r)?;
            Err(value_error(format!(
                "expected a name of enum {}, found {found}",
                e.name
            )))
        }
    }
}

/// A `double` or `float` field's value: a number, or a string that parses as one.
fn read_float<R: Read>(r: &mut JsonReader<R>, next: Next) -> Result<f64, Failure> {
    match next {
        Next::Number => Ok(r.number()?.as_f64()),
        Next::String => {
            let s = r.string()?;
            s.parse().map_err(|_| {
                let found = describe_str(s);
                value_error(format!("expected a number, found {found}"))
            })
        }
        _ => {
            let found = describe_next(r)?;
            Err(value_error(format!("expected a number, found {found}")))
        }
    }
}

/// A `pagemap_entry` of the Go CRIT written with CRIU 4.1's schema (go-criu
/// v7.2), where field 2 (now `compat_nr_pages`, required) was called
/// `nr_pages`: `"nr_pages": 1` and no `"compat_nr_pages"`. The Go CRIT
/// writes today's `nr_pages` (field 5, 64-bit) as a string, so a number there
/// is field 2 by its old name, and is moved there in place (both tags are
/// one byte, the varint the same); `true` when it was.
fn legacy_nr_pages(segs: &mut [Seg], out: &mut [u8]) -> bool {
    const COMPAT: u32 = 2;
    const NR_PAGES: u32 = 5;
    let written = |s: &Seg| !s.null && s.end > s.start;
    if segs.iter().any(|s| s.idx == COMPAT && written(s)) {
        return false;
    }
    let fits = |s: &Seg| {
        let mut pos = s.start + 1;
        wire::read_varint(&out[..s.end], &mut pos).is_ok_and(|v| u32::try_from(v).is_ok())
    };
    let mut given = segs.iter().filter(|s| s.idx == NR_PAGES && written(s)).peekable();
    if given.peek().is_none() || !given.all(|s| !s.quoted && fits(s)) {
        return false;
    }
    let mut tag = Vec::with_capacity(1);
    put_tag(&mut tag, COMPAT, wire::VARINT);
    for seg in segs.iter_mut().filter(|s| s.idx == NR_PAGES && written(s)) {
        out[seg.start] = tag[0];
        seg.idx = COMPAT;
    }
    true
}

/// `_unknown_fields`: base64 of raw fields, which must be well-formed and
/// unknown to the schema, or the image would not decode back to the same JSON.
fn read_unknown_fields<R: Read>(r: &mut JsonReader<R>, msg: &Message) -> Result<Vec<u8>, Failure> {
    if r.peek()? != Next::String {
        r.skip_value()?;
        return Err(value_error("expected a base64 string"));
    }
    let bytes = formats::decode_base64(r.string()?).map_err(value_error)?;
    check_unknown_fields(msg, &bytes)?;
    Ok(bytes)
}

/// Encodes the JSON object `value` as a `message`, appending to `out`. Keys
/// listed in `skip` (such as `extra`) belong to the caller. (For callers that
/// hold a `Value`; `encode` streams through `MessageEncoder`.)
pub fn encode_message(message: MessageId, value: &Value, skip: &[&str], out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let text = if skip.is_empty() {
        serde_json::to_vec(value)
    } else {
        let mut v = value.clone();
        if let Some(obj) = v.as_object_mut() {
            obj.retain(|k, _| !skip.contains(&k.as_str()));
        }
        serde_json::to_vec(&v)
    }
    .map_err(|e| EncodeError::new(e.to_string()))?;
    let mut r = JsonReader::new(text.as_slice());
    MessageEncoder::default()
        .message(&mut r, message, out, 0, None)
        .map_err(|e| match e {
            Failure::Value(e) => e,
            Failure::Read(ReadError::Syntax(s)) => EncodeError::new(s.to_string()),
            Failure::Read(ReadError::Io(e)) => EncodeError::new(e.to_string()),
        })
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

/// An integer field's value, range-checked for its kind.
fn put_int(out: &mut Vec<u8>, n: u32, kind: Kind, x: i128) -> Result<(), Failure> {
    let (lo, hi): (i128, i128) = match kind {
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => (i32::MIN.into(), i32::MAX.into()),
        Kind::Uint32 | Kind::Fixed32 => (0, u32::MAX.into()),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => (i64::MIN.into(), i64::MAX.into()),
        _ => (0, u64::MAX.into()),
    };
    if x < lo || x > hi {
        return Err(value_error(format!("{x} is out of range for a {kind:?} field")));
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
    Ok(())
}

fn put_len(out: &mut Vec<u8>, number: u32, data: &[u8]) {
    put_tag(out, number, wire::LEN);
    put_varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

/// `0x` and one to sixteen hex digits, as `--pretty` writes addresses. Every
/// other reading (a flag table, `major:minor`, a dict name) agrees on these.
fn plain_hex(b: &[u8]) -> Option<u64> {
    let digits = b.strip_prefix(b"0x")?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    for &d in digits {
        let x = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        v = v << 4 | u64::from(x);
    }
    Some(v)
}

/// An integer from a JSON number, or from any string form `--pretty` (or the Go
/// CRIT) writes: decimal, hex, flag names, `major:minor`, dict names; and
/// whether its form is the Go CRIT's ([`dialect::integer_is_go`]).
fn read_int<R: Read>(r: &mut JsonReader<R>, field: &Field, next: Next) -> Result<(i128, bool), Failure> {
    match next {
        Next::Number => match r.number()? {
            Number::U(u) => Ok((u.into(), false)),
            Number::I(i) => Ok((i.into(), false)),
            x => Err(value_error(format!("expected an integer, found {x}"))),
        },
        Next::String => {
            let b = r.string_bytes()?;
            // `--pretty`'s hex, the commonest string form, read straight from the bytes.
            if let Some(v) = plain_hex(b) {
                return Ok((v.into(), false));
            }
            let go = dialect::integer_is_go(field.kind, b);
            let s = std::str::from_utf8(b).expect("checked when read");
            let opts = &field.opts;
            if opts.dev {
                if let Some(d) = formats::parse_dev(s, opts.odev) {
                    return Ok((d.into(), go));
                }
            }
            if let Some(Some(table)) = opts.flags {
                return formats::parse_flags(s, table)
                    .map(|x| (i128::from(x), go))
                    .map_err(|part| value_error(format!("\"{part}\" is not a flag name or a number")));
            }
            if let Some(table) = opts.dict {
                if let Some((value, _)) = table.iter().find(|(_, name)| *name == s) {
                    return Ok(((*value).into(), go));
                }
            }
            formats::parse_int(s)
                .map(|x| (x, go))
                .ok_or_else(|| value_error(format!("expected an integer, found \"{s}\"")))
        }
        _ => {
            let found = describe_next(r)?;
            Err(value_error(format!("expected an integer, found {found}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_text(message: &str, text: &str) -> Result<Vec<u8>, Failure> {
        let id = Schema::get().message_id(message).expect("in the schema");
        let mut out = Vec::new();
        MessageEncoder::default().message(&mut JsonReader::new(text.as_bytes()), id, &mut out, 0, None)?;
        Ok(out)
    }

    /// A unix socket's name is read once the object's keys have told the
    /// dialect, even when the name comes before them.
    #[test]
    fn unix_name_by_dialect_whatever_the_key_order() {
        let python = encode_text("unix_sk_entry", r#"{"name": "x=00", "id": 1, "fown": {"pid_type": 0}}"#).unwrap();
        let go = encode_text("unix_sk_entry", r#"{"name": "eAA=", "id": 1, "fown": {"pidType": 0}}"#).unwrap();
        assert_eq!(python, go);
        // Field 11, length 2, "x\0", after id and fown.
        assert_eq!(&python[..2], &[0x08, 0x01]);
        assert_eq!(&python[python.len() - 4..], &[0x5a, 0x02, b'x', 0]);
        // Go's base64 is checked as base64.
        let Err(Failure::Value(e)) = encode_text("unix_sk_entry", r#"{"fown": {"pidType": 0}, "name": "x=00"}"#) else {
            panic!("not base64, yet encoded");
        };
        assert_eq!(e.path, "name");
        // No telling key: the Python CRIT's quoted-printable.
        assert_eq!(
            encode_text("unix_sk_entry", r#"{"name": "x=00"}"#).unwrap(),
            [0x5a, 0x02, b'x', 0]
        );
    }
}
