//! Protobuf payload → JSON, driven by the schema: one routine for every message.
//!
//! Fields print in field-number order, as Python's `ListFields()` lists them;
//! `--pretty` applies the `(criu)` options. Fields the schema does not know are
//! kept, as their raw bytes in base64, under `UNKNOWN_FIELDS_KEY`, so that
//! `encode` can write them back.

use std::io::{self, Write};

use smallvec::SmallVec;

use super::formats;
use super::writer::JsonWriter;
use crate::schema::{Field, Kind, MessageId, Schema};
use crate::wire::{unzigzag32, unzigzag64, FieldIter, WireError, WireField, WireValue};

/// The key under which fields unknown to our schema are kept (raw wire bytes, base64).
pub(crate) const UNKNOWN_FIELDS_KEY: &str = "_unknown_fields";

/// A failure while turning a payload into JSON.
#[derive(Debug)]
pub enum DecodeError {
    /// The payload is not valid protobuf for its message.
    Wire(WireError),
    /// Writing the JSON failed.
    Io(io::Error),
}

impl From<WireError> for DecodeError {
    fn from(e: WireError) -> Self {
        DecodeError::Wire(e)
    }
}

impl From<io::Error> for DecodeError {
    fn from(e: io::Error) -> Self {
        DecodeError::Io(e)
    }
}

/// Writes `payload`, a `message`, as a JSON object.
pub fn write_message<W: Write>(
    w: &mut JsonWriter<W>,
    message: MessageId,
    payload: &[u8],
    pretty: bool,
) -> Result<(), DecodeError> {
    w.begin_object()?;
    write_fields(w, message, payload, pretty, false)?;
    w.end_object()?;
    Ok(())
}

/// How deep messages may nest (`cgroup_dir_entry` holds itself); deeper input
/// would overflow the stack. 60 keeps the JSON within the 128 levels `encode`
/// (serde_json) reads back, a repeated message taking two (`[{…}]`).
pub(crate) const MAX_DEPTH: usize = 60;

/// Writes the fields of `payload` as keys of the JSON object the caller opened
/// (so it may add keys of its own, like `extra`).
pub(crate) fn write_fields<W: Write>(
    w: &mut JsonWriter<W>,
    message: MessageId,
    payload: &[u8],
    pretty: bool,
    hex: bool,
) -> Result<(), DecodeError> {
    write_fields_at(w, message, payload, pretty, hex, 0)
}

fn write_fields_at<W: Write>(
    w: &mut JsonWriter<W>,
    message: MessageId,
    payload: &[u8],
    pretty: bool,
    hex: bool,
    depth: usize,
) -> Result<(), DecodeError> {
    if depth > MAX_DEPTH {
        return Err(WireError(format!("messages nested more than {MAX_DEPTH} deep")).into());
    }
    // CRIU (protobuf-c) writes fields in number order, each singular field once:
    // print them as they come. Anything else (out of order, repeated singular
    // fields, packed lists, unknown fields, addresses) takes the general path.
    if payload.len() > HOLD_AT_MOST {
        // Too large to hold back in case of a rollback: look first, then write
        // as the output goes.
        return if in_wire_order(message, payload, pretty) {
            write_in_wire_order(w, message, payload, pretty, hex, depth).map(|_| ())
        } else {
            write_sorted(w, message, payload, pretty, hex, depth)
        };
    }
    let mark = w.mark();
    let in_order = write_in_wire_order(w, message, payload, pretty, hex, depth);
    let result = match in_order {
        Ok(true) => Ok(()),
        Ok(false) => {
            w.rollback(mark);
            write_sorted(w, message, payload, pretty, hex, depth)
        }
        Err(e) => Err(e),
    };
    w.release(mark);
    result
}

/// Messages up to this size are written on the chance that their fields are
/// in order, and rolled back if not; larger ones (an `mm` entry of 100,000
/// VMAs) are checked first, so that output is never held back whole.
const HOLD_AT_MOST: usize = 16 * 1024;

/// Whether [`write_in_wire_order`] can write `payload` (malformed input says
/// no: [`write_sorted`] reports it).
fn in_wire_order(message: MessageId, payload: &[u8], pretty: bool) -> bool {
    let msg = &Schema::get().messages[message];
    let mut last: Option<usize> = None;
    for f in FieldIter::new(payload) {
        let Ok(f) = f else { return false };
        let Some(idx) = msg.index_of(f.number) else {
            return false;
        };
        let field = &msg.fields[idx];
        if field.repeated
            && (matches!(f.value, WireValue::Len(_)) && is_packable(field.kind) || pretty && field.opts.ipadd)
        {
            return false;
        }
        if let Some(l) = last {
            if idx < l || (idx == l && !field.repeated) {
                return false;
            }
        }
        last = Some(idx);
    }
    true
}

/// The fast path: `Ok(false)` when the payload needs [`write_sorted`].
fn write_in_wire_order<W: Write>(
    w: &mut JsonWriter<W>,
    message: MessageId,
    payload: &[u8],
    pretty: bool,
    hex: bool,
    depth: usize,
) -> Result<bool, DecodeError> {
    let msg = &Schema::get().messages[message];
    let mut last: Option<usize> = None;
    let mut in_list = false;
    for f in FieldIter::new(payload) {
        let f = f?;
        let Some(idx) = msg.index_of(f.number) else {
            return Ok(false);
        };
        let field = &msg.fields[idx];
        if field.repeated
            && (matches!(f.value, WireValue::Len(_)) && is_packable(field.kind) || pretty && field.opts.ipadd)
        {
            return Ok(false);
        }
        match last {
            Some(l) if idx < l || (idx == l && !field.repeated) => return Ok(false),
            Some(l) if idx == l => {}
            _ => {
                if in_list {
                    w.end_array()?;
                    in_list = false;
                }
                w.key_raw(&field.json_key)?;
                if field.repeated {
                    w.begin_array()?;
                    in_list = true;
                }
            }
        }
        write_value(w, field, f.value, pretty, hex, depth)?;
        last = Some(idx);
    }
    if in_list {
        w.end_array()?;
    }
    Ok(true)
}

/// The general path: gathers the fields, sorts them by number, groups repeated
/// ones, lets the last of a singular field win, and keeps unknown fields.
fn write_sorted<W: Write>(
    w: &mut JsonWriter<W>,
    message: MessageId,
    payload: &[u8],
    pretty: bool,
    hex: bool,
    depth: usize,
) -> Result<(), DecodeError> {
    let schema = Schema::get();
    let msg = &schema.messages[message];
    // Most CRIU messages have few fields: keep them on the stack.
    let mut fields: SmallVec<[(usize, WireField<'_>); 24]> = SmallVec::new();
    let mut unknown: Vec<(usize, usize)> = Vec::new();
    for f in FieldIter::new(payload) {
        let f = f?;
        match msg.index_of(f.number) {
            Some(i) => fields.push((i, f)),
            None => unknown.push((f.start, f.end)),
        }
    }
    fields.sort_by_key(|(i, _)| *i);
    let mut rest = &fields[..];
    while let Some(&(idx, _)) = rest.first() {
        let n = rest.iter().take_while(|(i, _)| *i == idx).count();
        let (group, tail) = rest.split_at(n);
        rest = tail;
        let field = &msg.fields[idx];
        if field.repeated {
            write_repeated(w, field, group, pretty, hex, depth)?;
        } else {
            // Protobuf: the last occurrence of a singular field wins.
            let value = group[n - 1].1.value;
            w.key_raw(&field.json_key)?;
            write_value(w, field, value, pretty, hex, depth)?;
        }
    }
    if !unknown.is_empty() {
        let mut raw = Vec::new();
        for (s, e) in unknown {
            raw.extend_from_slice(&payload[s..e]);
        }
        w.key(UNKNOWN_FIELDS_KEY)?;
        w.string(&formats::base64_lines(&raw))?;
    }
    Ok(())
}

fn write_repeated<W: Write>(
    w: &mut JsonWriter<W>,
    field: &Field,
    group: &[(usize, WireField<'_>)],
    pretty: bool,
    hex: bool,
    depth: usize,
) -> Result<(), DecodeError> {
    let mut values: Vec<WireValue<'_>> = Vec::with_capacity(group.len());
    for (_, f) in group {
        match f.value {
            WireValue::Len(packed) if is_packable(field.kind) => unpack(field.kind, packed, &mut values)?,
            v => values.push(v),
        }
    }
    if values.is_empty() {
        return Ok(());
    }
    w.key_raw(&field.json_key)?;
    if pretty && field.opts.ipadd {
        let words: Vec<u32> = values.iter().map(|v| scalar_bits(*v) as u32).collect();
        if let Some(addr) = formats::format_ip(&words) {
            w.begin_array()?;
            w.string(&addr)?;
            return Ok(w.end_array()?);
        }
    }
    w.begin_array()?;
    for v in values {
        write_value(w, field, v, pretty, hex, depth)?;
    }
    w.end_array()?;
    Ok(())
}

fn is_packable(kind: Kind) -> bool {
    !matches!(kind, Kind::String | Kind::Bytes | Kind::Message(_))
}

fn unpack<'a>(kind: Kind, mut data: &'a [u8], out: &mut Vec<WireValue<'a>>) -> Result<(), WireError> {
    let width = match kind {
        Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => 4,
        Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => 8,
        _ => 0,
    };
    if width == 0 {
        let mut pos = 0;
        while pos < data.len() {
            out.push(WireValue::Varint(crate::wire::read_varint(data, &mut pos)?));
        }
        return Ok(());
    }
    if !data.len().is_multiple_of(width) {
        return Err(WireError(format!(
            "packed field of {} bytes is not a multiple of {width}",
            data.len()
        )));
    }
    while !data.is_empty() {
        let (head, tail) = data.split_at(width);
        out.push(if width == 4 {
            WireValue::I32(u32::from_le_bytes(head.try_into().unwrap()))
        } else {
            WireValue::I64(u64::from_le_bytes(head.try_into().unwrap()))
        });
        data = tail;
    }
    Ok(())
}

fn scalar_bits(v: WireValue<'_>) -> u64 {
    match v {
        WireValue::Varint(x) | WireValue::I64(x) => x,
        WireValue::I32(x) => u64::from(x),
        WireValue::Len(_) => 0,
    }
}

/// A decoded integer: kept signed or unsigned so hex and decimal print as Python does.
#[derive(Clone, Copy)]
enum Int {
    U(u64),
    I(i64),
}

fn wire_mismatch(field: &Field, v: WireValue<'_>) -> WireError {
    let got = match v {
        WireValue::Varint(_) => "a varint",
        WireValue::I64(_) => "8 fixed bytes",
        WireValue::I32(_) => "4 fixed bytes",
        WireValue::Len(_) => "a length-delimited value",
    };
    WireError(format!(
        "field {} ({}) holds {got}, which does not fit its type",
        field.name, field.number
    ))
}

fn write_value<W: Write>(
    w: &mut JsonWriter<W>,
    field: &Field,
    v: WireValue<'_>,
    pretty: bool,
    hex: bool,
    depth: usize,
) -> Result<(), DecodeError> {
    let hex = hex || field.opts.hex;
    let int = match (field.kind, v) {
        (Kind::Message(id), WireValue::Len(data)) => {
            w.begin_object()?;
            write_fields_at(w, id, data, pretty, hex, depth + 1)?;
            w.end_object()?;
            return Ok(());
        }
        (Kind::Bytes, WireValue::Len(data)) => {
            if field.opts.unix_name {
                w.string(&formats::quopri_encode(data))?;
            } else {
                w.raw_string_with(|out| formats::write_base64_json_content(out, data))?;
            }
            return Ok(());
        }
        (Kind::String, WireValue::Len(data)) => {
            w.string(&String::from_utf8_lossy(data))?;
            return Ok(());
        }
        (Kind::Bool, WireValue::Varint(x)) => {
            w.bool(x != 0)?;
            return Ok(());
        }
        (Kind::Enum(id), WireValue::Varint(x)) => {
            let n = x as i32;
            match Schema::get().enums[id].name_of(n) {
                Some(name) => w.string(name)?,
                None => w.i64(i64::from(n))?,
            }
            return Ok(());
        }
        (Kind::Double, WireValue::I64(x)) => {
            w.f64(f64::from_bits(x))?;
            return Ok(());
        }
        (Kind::Float, WireValue::I32(x)) => {
            w.f64(f64::from(f32::from_bits(x)))?;
            return Ok(());
        }
        (Kind::Int32, WireValue::Varint(x)) => Int::I(i64::from(x as i32)),
        (Kind::Int64, WireValue::Varint(x)) => Int::I(x as i64),
        (Kind::Uint32, WireValue::Varint(x)) => Int::U(u64::from(x as u32)),
        (Kind::Uint64, WireValue::Varint(x)) => Int::U(x),
        (Kind::Sint32, WireValue::Varint(x)) => Int::I(i64::from(unzigzag32(x))),
        (Kind::Sint64, WireValue::Varint(x)) => Int::I(unzigzag64(x)),
        (Kind::Fixed32, WireValue::I32(x)) => Int::U(u64::from(x)),
        (Kind::Sfixed32, WireValue::I32(x)) => Int::I(i64::from(x as i32)),
        (Kind::Fixed64, WireValue::I64(x)) => Int::U(x),
        (Kind::Sfixed64, WireValue::I64(x)) => Int::I(x as i64),
        _ => return Err(wire_mismatch(field, v).into()),
    };
    if pretty && write_pretty_int(w, field, int, hex)? {
        return Ok(());
    }
    match int {
        Int::U(x) => w.u64(x)?,
        Int::I(x) => w.i64(x)?,
    }
    Ok(())
}

/// Writes the `--pretty` text of an integer, in the Python CRIT's order of
/// precedence: hex, device, flags, dict. `false` when it prints as a plain number.
fn write_pretty_int<W: Write>(w: &mut JsonWriter<W>, field: &Field, int: Int, hex: bool) -> io::Result<bool> {
    let hexstr = |buf: &mut Vec<u8>| {
        let _ = match int {
            Int::U(x) => write!(buf, "{x:#x}"),
            Int::I(x) if x < 0 => write!(buf, "-{:#x}", x.unsigned_abs()),
            Int::I(x) => write!(buf, "{x:#x}"),
        };
    };
    let bits = match int {
        Int::U(x) => x,
        Int::I(x) => x as u64,
    };
    let opts = &field.opts;
    if hex {
        w.plain_string(hexstr)?;
    } else if opts.dev {
        w.plain_string(|buf| buf.extend_from_slice(formats::format_dev(bits, opts.odev).as_bytes()))?;
    } else if let Some(flags) = opts.flags {
        match flags {
            Some(table) => w.plain_string(|buf| formats::format_flags(bits, table, buf))?,
            None => w.plain_string(hexstr)?,
        }
    } else if let Some(name) = opts
        .dict
        .and_then(|t| t.iter().find(|(v, _)| *v == bits))
        .map(|(_, n)| n)
    {
        w.string(name)?;
    } else {
        return Ok(false);
    }
    Ok(true)
}
