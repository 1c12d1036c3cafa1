//! Whole images ⇄ JSON documents (`{"magic": …, "entries": […]}`), the Python
//! CRIT's dialect, one entry at a time in both directions.
//!
//! Ties the framing ([`crate::image`]), the layout of each magic
//! ([`crate::schema::magic`]) and the message codec ([`crate::json`]).

use std::io::{self, Read, Write};

use prost::Message as _;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::image::{self, ImageReader};
use crate::json::decode::{self, DecodeError};
use crate::json::dialect::{self, ELIDED};
use crate::json::encode::{encode_message, EncodeError};
use crate::json::formats;
use crate::json::writer::JsonWriter;
use crate::proto;
use crate::schema::magic::{self, Extra, Layout};
use crate::schema::{MessageId, Schema};

/// How `decode` renders an image.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecodeOptions {
    /// `--pretty`: indented, with the `(criu)` options applied.
    pub pretty: bool,
    /// `--nopl`: extra payloads replaced by their size (`... <31B>`).
    pub no_payload: bool,
}

/// The magic of an image and how many entries it has (`crit info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// The image's magic name, e.g. `CORE`.
    pub magic: &'static str,
    /// For `PAGEMAP`, the `pagemap_entry`s after the head, as the Python CRIT counts.
    pub count: usize,
}

fn message_id(name: &str) -> MessageId {
    Schema::get()
        .message_id(name)
        .unwrap_or_else(|| panic!("schema lacks {name}"))
}

fn output_error(e: io::Error) -> Error {
    Error::io("<output>", e)
}

/// Writes the image read by `reader` as JSON to `out`; returns the number of
/// entries written.
pub fn decode_image<R: Read, W: Write>(reader: &mut ImageReader<R>, out: W, opts: DecodeOptions) -> Result<usize> {
    let mut w = JsonWriter::new(out, opts.pretty);
    let count = decode_into(reader, &mut w, opts)?;
    w.flush().map_err(output_error)?;
    Ok(count)
}

/// `crit info`: the magic and the entry count, read without rendering.
pub fn image_info<R: Read>(reader: &mut ImageReader<R>) -> Result<Info> {
    let mut w = JsonWriter::new(io::sink(), false);
    let count = decode_into(
        reader,
        &mut w,
        DecodeOptions {
            pretty: false,
            no_payload: true,
        },
    )?;
    let count = if reader.layout() == Layout::Pagemap {
        count.saturating_sub(1)
    } else {
        count
    };
    Ok(Info {
        magic: reader.magic(),
        count,
    })
}

fn decode_into<R: Read, W: Write>(r: &mut ImageReader<R>, w: &mut JsonWriter<W>, opts: DecodeOptions) -> Result<usize> {
    let io_err = output_error;
    w.begin_object().map_err(io_err)?;
    w.key("magic").map_err(io_err)?;
    w.string(r.magic()).map_err(io_err)?;
    w.key("entries").map_err(io_err)?;
    w.begin_array().map_err(io_err)?;
    let mut buf = Vec::new();
    let mut count = 0;
    let layout = r.layout();
    // Looked up once: the first entry's type and every later one's.
    let ids = match layout {
        Layout::Entries { message, .. } => [message_id(message); 2],
        Layout::Pagemap => [message_id("pagemap_head"), message_id("pagemap_entry")],
        Layout::GhostFile => [message_id("ghost_file_entry"), message_id("ghost_chunk_entry")],
    };
    let ghost_chunks = loop {
        let start = r.offset();
        if !r.next_payload(&mut buf)? {
            break None;
        }
        let extra = match layout {
            Layout::Entries { extra, .. } => extra,
            Layout::Pagemap => Extra::None,
            Layout::GhostFile => {
                // The head says whether chunks or one raw tail follow.
                let head = decode_typed::<proto::GhostFileEntry, R>(r, &buf, start)?;
                write_entry(r, w, ids[0], &buf, start, opts.pretty, |r, w| {
                    if head.chunks() {
                        return Ok(());
                    }
                    if !opts.no_payload {
                        w.key("extra").map_err(io_err)?;
                        stream_base64(r, w, None, "ghost file contents")?;
                    } else {
                        r.skip_rest()?;
                    }
                    Ok(())
                })?;
                count += 1;
                break Some(head.chunks());
            }
        };
        let id = ids[usize::from(count > 0)];
        write_entry(r, w, id, &buf, start, opts.pretty, |r, w| {
            if extra == Extra::None {
                return Ok(());
            }
            w.key("extra").map_err(io_err)?;
            decode_extra(r, w, extra, &buf, start, opts.no_payload)
        })?;
        count += 1;
    };
    if ghost_chunks == Some(true) {
        let id = ids[1];
        loop {
            let start = r.offset();
            if !r.next_payload(&mut buf)? {
                break;
            }
            let chunk = decode_typed::<proto::GhostChunkEntry, R>(r, &buf, start)?;
            write_entry(r, w, id, &buf, start, opts.pretty, |r, w| {
                let len = chunk.len;
                if opts.no_payload {
                    r.skip(len, "ghost chunk")
                } else {
                    w.key("extra").map_err(io_err)?;
                    stream_base64(r, w, Some(len), "ghost chunk").map(|_| ())
                }
            })?;
            count += 1;
        }
    }
    w.end_array().map_err(io_err)?;
    w.end_object().map_err(io_err)?;
    Ok(count)
}

/// Writes one entry object: its fields, then whatever `extra` adds.
fn write_entry<R: Read, W: Write>(
    r: &mut ImageReader<R>,
    w: &mut JsonWriter<W>,
    id: MessageId,
    payload: &[u8],
    start: u64,
    pretty: bool,
    extra: impl FnOnce(&mut ImageReader<R>, &mut JsonWriter<W>) -> Result<()>,
) -> Result<()> {
    w.begin_object().map_err(output_error)?;
    decode::write_fields(w, id, payload, pretty, false).map_err(|e| payload_error(r, start, e))?;
    extra(r, w)?;
    w.end_object().map_err(output_error)?;
    r.finish_entry();
    Ok(())
}

fn payload_error<R: Read>(r: &ImageReader<R>, start: u64, e: DecodeError) -> Error {
    match e {
        DecodeError::Wire(e) => r.error_at(start, &format!("malformed protobuf payload: {e}")),
        DecodeError::Io(e) => output_error(e),
    }
}

fn decode_typed<T: prost::Message + Default, R: Read>(r: &ImageReader<R>, payload: &[u8], start: u64) -> Result<T> {
    T::decode(payload).map_err(|e| r.error_at(start, &format!("malformed protobuf payload: {e}")))
}

/// The raw bytes after an entry of a `Blob` image (`SK_QUEUES`, `BPFMAP_DATA`,
/// pipe and fifo data): how many its entry says there are, what they are, and
/// which of its fields says so. Decode and encode both go by it.
struct BlobSize {
    len: u64,
    what: &'static str,
    field: &'static str,
}

fn blob_size(magic: &str, payload: &[u8]) -> Result<BlobSize, prost::DecodeError> {
    Ok(match magic {
        "SK_QUEUES" => BlobSize {
            len: u64::from(proto::SkPacketEntry::decode(payload)?.length),
            what: "queued packet",
            field: "length",
        },
        "BPFMAP_DATA" => {
            let e = proto::BpfmapDataEntry::decode(payload)?;
            BlobSize {
                len: u64::from(e.keys_bytes) + u64::from(e.values_bytes),
                what: "map data",
                field: "keys_bytes + values_bytes",
            }
        }
        _ => BlobSize {
            len: u64::from(proto::PipeDataEntry::decode(payload)?.bytes),
            what: "pipe data",
            field: "bytes",
        },
    })
}

/// Streams `n` bytes (or the rest of the input) as a base64 JSON string.
fn stream_base64<R: Read, W: Write>(
    r: &mut ImageReader<R>,
    w: &mut JsonWriter<W>,
    n: Option<u64>,
    what: &str,
) -> Result<u64> {
    let mut total = 0;
    let mut failure = None;
    w.raw_string_with(|out| {
        match r.stream_block(n, what, |block| formats::write_base64_json_content(out, block)) {
            Ok(t) => total = t,
            Err(e) => failure = Some(e),
        }
        Ok(())
    })
    .map_err(output_error)?;
    match failure {
        Some(e) => Err(e),
        None => Ok(total),
    }
}

/// The Python CRIT's `--nopl` size: `31B`, `1.5KB`, …
fn human_readable(n: u64) -> String {
    let mut num = n as f64;
    for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
        if num < 1024.0 {
            return if num.fract() == 0.0 {
                format!("{}{unit}B", num as u64)
            } else {
                format!("{num:.1}{unit}B")
            };
        }
        num /= 1024.0;
    }
    format!("{num:.1}YB")
}

/// `x` rounded up to a multiple of `to`. Saturates: a size read from a hostile
/// image may be near `u64::MAX`, and the read that follows then fails cleanly.
fn round_up(x: u64, to: u64) -> u64 {
    x.div_ceil(to).saturating_mul(to)
}

fn decode_extra<R: Read, W: Write>(
    r: &mut ImageReader<R>,
    w: &mut JsonWriter<W>,
    extra: Extra,
    payload: &[u8],
    start: u64,
    no_payload: bool,
) -> Result<()> {
    let io_err = output_error;
    let nopl = |w: &mut JsonWriter<W>, size: u64| w.string(&format!("... <{}>", human_readable(size))).map_err(io_err);
    match extra {
        Extra::None => {}
        Extra::Blob => {
            let BlobSize { len, what, .. } = blob_size(r.magic(), payload)
                .map_err(|e| r.error_at(start, &format!("malformed protobuf payload: {e}")))?;
            if no_payload {
                r.skip(len, what)?;
                nopl(w, len)?;
            } else {
                stream_base64(r, w, Some(len), what)?;
            }
        }
        Extra::TcpQueues => {
            let e = decode_typed::<proto::TcpStreamEntry, R>(r, payload, start)?;
            let (inq, outq) = (u64::from(e.inq_len), u64::from(e.outq_len));
            if no_payload {
                r.skip(inq + outq, "socket queues")?;
                nopl(w, inq + outq)?;
            } else {
                w.begin_object().map_err(io_err)?;
                w.key("inq").map_err(io_err)?;
                stream_base64(r, w, Some(inq), "in queue")?;
                w.key("outq").map_err(io_err)?;
                stream_base64(r, w, Some(outq), "out queue")?;
                w.end_object().map_err(io_err)?;
            }
        }
        Extra::ShmData => {
            let e = decode_typed::<proto::IpcShmEntry, R>(r, payload, start)?;
            // With in_pagemaps the contents live in pagemap/pages images instead.
            let len = if e.in_pagemaps() { 0 } else { e.size };
            if no_payload {
                r.skip(round_up(len, 4), "shared memory")?;
                nopl(w, e.size)?;
            } else {
                stream_base64(r, w, Some(len), "shared memory")?;
                r.skip(round_up(len, 4) - len, "shared memory padding")?;
            }
        }
        Extra::SemValues => {
            let e = decode_typed::<proto::IpcSemEntry, R>(r, payload, start)?;
            let size = 2 * u64::from(e.nsems);
            if no_payload {
                r.skip(round_up(size, 8), "semaphore values")?;
                nopl(w, size)?;
            } else {
                let mut buf = Vec::new();
                r.read_block(size, &mut buf, r.offset(), "semaphore values")?;
                w.begin_array().map_err(io_err)?;
                for v in buf.chunks_exact(2) {
                    w.u64(u64::from(u16::from_le_bytes([v[0], v[1]]))).map_err(io_err)?;
                }
                w.end_array().map_err(io_err)?;
                r.skip(round_up(size, 8) - size, "semaphore padding")?;
            }
        }
        Extra::MsgQueue => {
            let e = decode_typed::<proto::IpcMsgEntry, R>(r, payload, start)?;
            let id = message_id("ipc_msg");
            let mut buf = Vec::new();
            let mut total = 0;
            if !no_payload {
                w.begin_array().map_err(io_err)?;
            }
            for _ in 0..e.qnum {
                let at = r.offset();
                if !r.next_payload(&mut buf)? {
                    return Err(r.error_at(at, &format!("message queue of {} messages ends early", e.qnum)));
                }
                let msg = decode_typed::<proto::IpcMsg, R>(r, &buf, at)?;
                let msize = u64::from(msg.msize);
                total += buf.len() as u64 + msize;
                if no_payload {
                    r.skip(round_up(msize, 8), "message data")?;
                    continue;
                }
                // The Python CRIT prints queued messages without --pretty.
                decode::write_message(w, id, &buf, false).map_err(|e| payload_error(r, at, e))?;
                stream_base64(r, w, Some(msize), "message data")?;
                r.skip(round_up(msize, 8) - msize, "message padding")?;
            }
            if no_payload {
                nopl(w, total)?;
            } else {
                w.end_array().map_err(io_err)?;
            }
        }
    }
    Ok(())
}

impl<R: Read> ImageReader<R> {
    /// Skips everything left in the input.
    pub fn skip_rest(&mut self) -> Result<()> {
        self.stream_block(None, "rest", |_| Ok(())).map(|_| ())
    }
}

/// Reads a JSON document (either CRIT's dialect) from `input` and writes the
/// binary image to `out`, entry by entry. `file` names the input in errors.
pub fn encode_image<R: Read, W: Write + ?Sized>(input: R, file: &str, out: &mut W) -> Result<()> {
    let mut de = serde_json::Deserializer::from_reader(io::BufReader::with_capacity(128 * 1024, input));
    let mut state = EncodeState {
        out,
        file,
        magic: None,
        failure: None,
        entries_seen: false,
    };
    let result = (&mut de).deserialize_map(ImageVisitor { state: &mut state });
    if let Some(e) = state.failure.take() {
        return Err(e);
    }
    result.map_err(|e| json_syntax_error(file, e))?;
    de.end().map_err(|e| json_syntax_error(file, e))?;
    if state.magic.is_none() {
        return Err(Error::bad_json(file, "the document has no \"magic\""));
    }
    if !state.entries_seen {
        return Err(Error::bad_json(file, "the document has no \"entries\""));
    }
    Ok(())
}

fn json_syntax_error(file: &str, e: serde_json::Error) -> Error {
    if e.is_io() {
        return Error::io(file, e.into());
    }
    Error::bad_json(file, format!("invalid JSON: {e}"))
}

struct EncodeState<'a, W: ?Sized> {
    out: &'a mut W,
    file: &'a str,
    magic: Option<&'static str>,
    /// The real error behind a serde "custom" one, kept typed.
    failure: Option<Error>,
    entries_seen: bool,
}

struct ImageVisitor<'s, 'a, W: ?Sized> {
    state: &'s mut EncodeState<'a, W>,
}

impl<'de, W: Write + ?Sized> Visitor<'de> for ImageVisitor<'_, '_, W> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object with \"magic\" and \"entries\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.state;
        let mut pending: Option<Vec<Value>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "magic" => {
                    let name: String = map.next_value()?;
                    // A second header would corrupt the image.
                    if st.magic.is_some() {
                        return Err(st.fail(Error::bad_json(st.file, "\"magic\" given twice")));
                    }
                    let Some((known, _)) = magic::MAGICS.iter().find(|(n, _)| *n == name) else {
                        let what =
                            crate::raw::encode_refusal(&name).unwrap_or_else(|| format!("unknown magic \"{name}\""));
                        return Err(st.fail(Error::bad_json(st.file, what)));
                    };
                    if magic::layout(known).is_none() {
                        return Err(st.fail(Error::bad_json(
                            st.file,
                            format!("{known} images hold no protobuf entries"),
                        )));
                    }
                    st.magic = Some(known);
                    if let Err(e) = image::write_header(st.out, known) {
                        return Err(st.fail(output_error(e)));
                    }
                    if let Some(entries) = pending.take() {
                        let mut enc = EntryEncoder::new(known);
                        for (i, v) in entries.iter().enumerate() {
                            if let Err(e) = enc.encode(i, v, st.out) {
                                return Err(st.fail(e.into_error(st.file)));
                            }
                        }
                    }
                }
                "entries" => {
                    if st.entries_seen {
                        return Err(st.fail(Error::bad_json(st.file, "\"entries\" given twice")));
                    }
                    st.entries_seen = true;
                    match st.magic {
                        Some(m) => map.next_value_seed(EntriesSeed {
                            state: &mut *st,
                            magic: m,
                        })?,
                        // "magic" comes later: keep the entries until it does.
                        None => pending = Some(map.next_value()?),
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

impl<W: ?Sized> EncodeState<'_, W> {
    fn fail<E: de::Error>(&mut self, e: Error) -> E {
        self.failure = Some(e);
        E::custom("encode failed")
    }
}

struct EntriesSeed<'s, 'a, W: ?Sized> {
    state: &'s mut EncodeState<'a, W>,
    magic: &'static str,
}

impl<'de, W: Write + ?Sized> DeserializeSeed<'de> for EntriesSeed<'_, '_, W> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, W: Write + ?Sized> Visitor<'de> for EntriesSeed<'_, '_, W> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut enc = EntryEncoder::new(self.magic);
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            if let Err(e) = enc.encode(i, &v, self.state.out) {
                let file = self.state.file;
                return Err(self.state.fail(e.into_error(file)));
            }
            i += 1;
        }
        Ok(())
    }
}

/// Why one entry could not be encoded.
enum EntryError {
    Json(EncodeError),
    Io(io::Error),
}

impl EntryError {
    fn into_error(self, file: &str) -> Error {
        match self {
            EntryError::Json(e) => Error::bad_json(file, e.to_string()),
            EntryError::Io(e) => output_error(e),
        }
    }
}

impl From<io::Error> for EntryError {
    fn from(e: io::Error) -> Self {
        EntryError::Io(e)
    }
}

fn bad(path: &str, what: impl Into<String>) -> EntryError {
    EntryError::Json(EncodeError {
        path: path.to_string(),
        what: what.into(),
    })
}

/// Encodes the entries of one image in order, knowing its layout.
struct EntryEncoder {
    magic: &'static str,
    layout: Layout,
    /// The first entry's message type and every later one's.
    ids: [MessageId; 2],
    ghost_chunks: bool,
    buf: Vec<u8>,
}

impl EntryEncoder {
    fn new(magic: &'static str) -> Self {
        let layout = magic::layout(magic).expect("checked");
        let ids = match layout {
            Layout::Entries { message, .. } => [message_id(message); 2],
            Layout::Pagemap => [message_id("pagemap_head"), message_id("pagemap_entry")],
            Layout::GhostFile => [message_id("ghost_file_entry"), message_id("ghost_chunk_entry")],
        };
        EntryEncoder {
            magic,
            layout,
            ids,
            ghost_chunks: false,
            buf: Vec::new(),
        }
    }

    fn encode<W: Write + ?Sized>(&mut self, index: usize, v: &Value, out: &mut W) -> Result<(), EntryError> {
        let extra = match self.layout {
            Layout::Entries { extra, .. } => extra,
            Layout::Pagemap | Layout::GhostFile => Extra::None,
        };
        let id = self.ids[usize::from(index > 0)];
        self.buf.clear();
        let takes_extra = extra != Extra::None || self.layout == Layout::GhostFile;
        let skip: &[&str] = if takes_extra { &["extra"] } else { &[] };
        encode_message(id, v, skip, &mut self.buf)
            .map_err(|e| EntryError::Json(e.within(&format!("entries[{index}]"))))?;
        image::write_entry(out, &self.buf)?;
        if !takes_extra {
            return Ok(());
        }
        let payload = std::mem::take(&mut self.buf);
        // Only a ghost file's missing "extra" reads differently by dialect.
        let go = self.layout == Layout::GhostFile && dialect::is_go(v);
        let result = self.write_extra(index, extra, v.get("extra"), go, &payload, out);
        self.buf = payload;
        result
    }

    fn write_extra<W: Write + ?Sized>(
        &mut self,
        index: usize,
        extra: Extra,
        value: Option<&Value>,
        go: bool,
        payload: &[u8],
        out: &mut W,
    ) -> Result<(), EntryError> {
        let at = &format!("entries[{index}]");
        let at_extra = format!("{at}.extra");
        let typed = |e: prost::DecodeError| bad(at, format!("entry does not re-read: {e}"));
        // `--nopl` output put a size where the payload was: nothing to encode.
        let refuse_elided = |v: Option<&Value>, path: &str| match v {
            Some(v) if dialect::is_elided(v) => Err(bad(path, ELIDED)),
            _ => Ok(()),
        };
        let b64 = |v: Option<&Value>, path: &str| -> Result<Vec<u8>, EntryError> {
            refuse_elided(v, path)?;
            match v {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::String(s)) => formats::decode_base64(s).map_err(|e| bad(path, e)),
                Some(other) => Err(bad(path, format!("expected a base64 string, found {other}"))),
            }
        };
        if self.layout == Layout::GhostFile {
            if index == 0 {
                let head = proto::GhostFileEntry::decode(payload).map_err(typed)?;
                self.ghost_chunks = head.chunks();
                if !self.ghost_chunks {
                    // Both CRITs write the contents unless --nopl dropped
                    // them; the Go CRIT also drops an empty one.
                    if value.is_none() && !go {
                        return Err(bad(at, format!("no \"extra\" (the file's contents): {ELIDED}")));
                    }
                    out.write_all(&b64(value, &at_extra)?)?;
                }
            } else {
                if !self.ghost_chunks {
                    // Without chunks, the file's contents run to the end of the image.
                    return Err(bad(at, "a ghost file without chunks has only its head entry"));
                }
                let chunk = proto::GhostChunkEntry::decode(payload).map_err(typed)?;
                if value.is_none() && chunk.len > 0 {
                    return Err(bad(
                        at,
                        format!("no \"extra\" (the chunk's {} bytes): {ELIDED}", chunk.len),
                    ));
                }
                let data = b64(value, &at_extra)?;
                check_len(&at_extra, &data, chunk.len, "len")?;
                out.write_all(&data)?;
            }
            return Ok(());
        }
        match extra {
            Extra::None => {}
            Extra::Blob => {
                let BlobSize { len, field, .. } = blob_size(self.magic, payload).map_err(typed)?;
                let data = b64(value, &at_extra)?;
                check_len(&at_extra, &data, len, field)?;
                out.write_all(&data)?;
            }
            Extra::TcpQueues => {
                let e = proto::TcpStreamEntry::decode(payload).map_err(typed)?;
                refuse_elided(value, &at_extra)?;
                let get = |k: &str| value.and_then(|v| v.get(k));
                for (key, len) in [("inq", e.inq_len), ("outq", e.outq_len)] {
                    let path = format!("{at_extra}.{key}");
                    let data = b64(get(key), &path)?;
                    check_len(&path, &data, u64::from(len), &format!("{key}_len"))?;
                    out.write_all(&data)?;
                }
            }
            Extra::ShmData => {
                let e = proto::IpcShmEntry::decode(payload).map_err(typed)?;
                if !e.in_pagemaps() {
                    let data = b64(value, &at_extra)?;
                    let size = e.size as usize;
                    if data.len() < size {
                        return Err(bad(
                            &at_extra,
                            format!("holds {} bytes, the entry's size is {size}", data.len()),
                        ));
                    }
                    out.write_all(&data[..size])?;
                    out.write_all(&vec![0; (round_up(e.size, 4) - e.size) as usize])?;
                }
            }
            Extra::SemValues => {
                let e = proto::IpcSemEntry::decode(payload).map_err(typed)?;
                refuse_elided(value, &at_extra)?;
                let values = value
                    .and_then(dialect::semaphore_values)
                    .ok_or_else(|| bad(&at_extra, "expected a list of semaphore values"))?;
                if values.len() != e.nsems as usize {
                    return Err(bad(&at_extra, format!("{} values for nsems {}", values.len(), e.nsems)));
                }
                for (i, v) in values.iter().enumerate() {
                    let x = v.as_u64().and_then(|x| u16::try_from(x).ok()).ok_or_else(|| {
                        bad(
                            &format!("{at_extra}[{i}]"),
                            format!("{v} is not a 16-bit semaphore value"),
                        )
                    })?;
                    out.write_all(&x.to_le_bytes())?;
                }
                let size = 2 * u64::from(e.nsems);
                out.write_all(&vec![0; (round_up(size, 8) - size) as usize])?;
            }
            Extra::MsgQueue => {
                refuse_elided(value, &at_extra)?;
                let items = value
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad(&at_extra, "expected a list of message, data pairs"))?;
                if items.len() % 2 != 0 {
                    return Err(bad(&at_extra, "expected message, data pairs"));
                }
                // decode reads exactly qnum messages after the entry.
                let qnum = proto::IpcMsgEntry::decode(payload).map_err(typed)?.qnum;
                if items.len() / 2 != qnum as usize {
                    return Err(bad(&at_extra, format!("{} messages for qnum {qnum}", items.len() / 2)));
                }
                let id = message_id("ipc_msg");
                for (i, pair) in items.chunks(2).enumerate() {
                    let path = format!("{at_extra}[{}]", 2 * i);
                    let mut msg = Vec::new();
                    encode_message(id, &pair[0], &[], &mut msg).map_err(|e| EntryError::Json(e.within(&path)))?;
                    let msize = u64::from(proto::IpcMsg::decode(msg.as_slice()).map_err(typed)?.msize);
                    image::write_entry(out, &msg)?;
                    let data = b64(Some(&pair[1]), &format!("{at_extra}[{}]", 2 * i + 1))?;
                    if (data.len() as u64) < msize {
                        return Err(bad(
                            &path,
                            format!("msize is {msize} but the data holds {} bytes", data.len()),
                        ));
                    }
                    out.write_all(&data[..msize as usize])?;
                    out.write_all(&vec![0; (round_up(msize, 8) - msize) as usize])?;
                }
            }
        }
        Ok(())
    }
}

/// An extra payload must be as long as its entry says, or the image would not
/// read back.
fn check_len(path: &str, data: &[u8], len: u64, field: &str) -> Result<(), EntryError> {
    if data.len() as u64 != len {
        return Err(bad(
            path,
            format!("holds {} bytes, but the entry's {field} is {len}", data.len()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::human_readable;

    #[test]
    fn nopl_sizes_like_python() {
        assert_eq!(human_readable(31), "31B");
        assert_eq!(human_readable(8192), "8KB");
        assert_eq!(human_readable(1536), "1.5KB");
        assert_eq!(human_readable(0), "0B");
    }
}
