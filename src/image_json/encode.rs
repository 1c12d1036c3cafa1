//! JSON → image: the document's magic and entries, each entry's extra payload
//! written after it.

use std::io::{self, Read, Write};

use prost::Message as _;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::image;
use crate::message_json::dialect::{self, ELIDED};
use crate::message_json::encode::{encode_message, EncodeError, Failure, MessageEncoder};
use crate::message_json::formats;
use crate::message_json::reader::{JsonReader, Next, ReadError};
use crate::proto;
use crate::schema::magic::{self, Extra, Layout};
use crate::schema::MessageId;

use super::payload::{blob_size, padding, sem_len, BlobSize, MSG_ALIGN, SEM_ALIGN, SHM_ALIGN};
use super::{message_id, output_error};

/// Reads a JSON document (either CRIT's dialect) from `input` and writes the
/// binary image to `out`, entry by entry, as it reads: memory holds one entry's
/// payload, never the document. `file` names the input in errors.
pub fn encode_image<R: Read, W: Write + ?Sized>(input: R, file: &str, out: &mut W) -> Result<()> {
    let mut r = JsonReader::new(input);
    let fail = |e: EntryError| e.into_error(file);
    if r.peek().map_err(|e| fail(e.into()))? != Next::Object {
        let e = r.invalid_type("an object with \"magic\" and \"entries\"");
        return Err(fail(e.into()));
    }
    r.begin_object().map_err(|e| fail(e.into()))?;
    let mut magic: Option<&'static str> = None;
    // "entries" before "magic": their text, kept until the magic says what they are.
    let mut pending: Option<Vec<u8>> = None;
    let mut entries_seen = false;
    let mut first = true;
    loop {
        let key = match r.next_key(&mut first).map_err(|e| fail(e.into()))? {
            None => break,
            Some("magic") => Key::Magic,
            Some("entries") => Key::Entries,
            Some(_) => Key::Other,
        };
        match key {
            Key::Magic => {
                if r.peek().map_err(|e| fail(e.into()))? != Next::String {
                    return Err(fail(r.invalid_type("a string").into()));
                }
                let name = r.string().map_err(|e| fail(e.into()))?;
                // A second header would corrupt the image.
                if magic.is_some() {
                    return Err(Error::bad_json(file, "\"magic\" given twice"));
                }
                let Some(known) = magic::Magic::from_name(name).map(magic::Magic::name) else {
                    let what =
                        crate::raw_image::encode_refusal(name).unwrap_or_else(|| format!("unknown magic \"{name}\""));
                    return Err(Error::bad_json(file, what));
                };
                if magic::layout(known).is_none() {
                    return Err(Error::bad_json(
                        file,
                        format!("{known} images hold no protobuf entries"),
                    ));
                }
                magic = Some(known);
                image::write_header(out, known).map_err(output_error)?;
                if let Some(text) = pending.take() {
                    encode_entries(&mut JsonReader::new(text.as_slice()), known, out).map_err(fail)?;
                }
            }
            Key::Entries => {
                if entries_seen {
                    return Err(Error::bad_json(file, "\"entries\" given twice"));
                }
                entries_seen = true;
                match magic {
                    Some(m) => encode_entries(&mut r, m, out).map_err(fail)?,
                    None => {
                        if r.peek().map_err(|e| fail(e.into()))? != Next::Array {
                            return Err(fail(r.invalid_type("a list of entries").into()));
                        }
                        pending = Some(r.capture_value().map_err(|e| fail(e.into()))?);
                    }
                }
            }
            Key::Other => r.skip_value().map_err(|e| fail(e.into()))?,
        }
    }
    r.end().map_err(|e| fail(e.into()))?;
    if magic.is_none() {
        return Err(Error::bad_json(file, "the document has no \"magic\""));
    }
    if !entries_seen {
        return Err(Error::bad_json(file, "the document has no \"entries\""));
    }
    Ok(())
}

enum Key {
    Magic,
    Entries,
    Other,
}

/// The entries list ahead, each entry written as soon as it is read.
fn encode_entries<R: Read, W: Write + ?Sized>(
    r: &mut JsonReader<R>,
    magic: &'static str,
    out: &mut W,
) -> Result<(), EntryError> {
    if r.peek()? != Next::Array {
        return Err(r.invalid_type("a list of entries").into());
    }
    r.begin_array()?;
    let mut enc = EntryEncoder::new(magic);
    let mut first = true;
    let mut i = 0;
    while r.next_item(&mut first)? {
        enc.encode(r, i, out)?;
        i += 1;
    }
    Ok(())
}

/// Why one entry could not be encoded.
enum EntryError {
    /// A value that does not fit its field.
    Json(EncodeError),
    /// Not JSON, or the input could not be read.
    Read(ReadError),
    /// An extra payload's JSON, read whole, is not JSON.
    Extra(serde_json::Error),
    /// Writing the image failed.
    Io(io::Error),
}

impl EntryError {
    fn into_error(self, file: &str) -> Error {
        match self {
            EntryError::Json(e) => Error::bad_json(file, e.to_string()),
            EntryError::Read(ReadError::Syntax(e)) => Error::bad_json_from(file, format!("invalid JSON: {e}"), e),
            EntryError::Extra(e) => Error::bad_json_from(file, format!("invalid JSON: {e}"), e),
            EntryError::Read(ReadError::Io(e)) => Error::io(file, e),
            EntryError::Io(e) => output_error(e),
        }
    }
}

impl From<ReadError> for EntryError {
    fn from(e: ReadError) -> Self {
        EntryError::Read(e)
    }
}

impl From<Failure> for EntryError {
    fn from(e: Failure) -> Self {
        match e {
            Failure::Read(e) => EntryError::Read(e),
            Failure::Value(e) => EntryError::Json(e),
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
    messages: MessageEncoder,
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
            messages: MessageEncoder::default(),
        }
    }

    /// Reads the entry ahead and writes it, then any extra payload it carries.
    fn encode<R: Read, W: Write + ?Sized>(
        &mut self,
        r: &mut JsonReader<R>,
        index: usize,
        out: &mut W,
    ) -> Result<(), EntryError> {
        let extra = match self.layout {
            Layout::Entries { extra, .. } => extra,
            Layout::Pagemap | Layout::GhostFile => Extra::None,
        };
        let id = self.ids[usize::from(index > 0)];
        self.buf.clear();
        let takes_extra = extra != Extra::None || self.layout == Layout::GhostFile;
        let mut extra_text = None;
        self.messages
            .message(r, id, &mut self.buf, 0, takes_extra.then_some(&mut extra_text))
            .map_err(|e| e.within(&format!("entries[{index}]")))?;
        image::write_entry(out, &self.buf)?;
        if !takes_extra {
            return Ok(());
        }
        // Extra payloads are rare and small beside the entries: read whole.
        let value: Option<Value> = extra_text
            .map(|text| serde_json::from_slice(&text))
            .transpose()
            .map_err(EntryError::Extra)?;
        let payload = std::mem::take(&mut self.buf);
        // Only a ghost file's missing "extra" reads differently by dialect.
        let go = self.layout == Layout::GhostFile && self.messages.was_go();
        let result = self.write_extra(index, extra, value.as_ref(), go, &payload, out);
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
        if self.layout == Layout::GhostFile {
            return self.write_ghost_extra(index, value, go, payload, out);
        }
        let at = &format!("entries[{index}]");
        let at_extra = format!("{at}.extra");
        let typed = reread(at);
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
                    out.write_all(&vec![0; padding(e.size, SHM_ALIGN) as usize])?;
                }
            }
            Extra::SemValues => write_sem_values(value, payload, &at_extra, &typed, out)?,
            Extra::MsgQueue => write_msg_queue(value, payload, &at_extra, &typed, out)?,
        }
        Ok(())
    }

    /// The payloads of a ghost file's entries: the contents after its head,
    /// or after each chunk.
    fn write_ghost_extra<W: Write + ?Sized>(
        &mut self,
        index: usize,
        value: Option<&Value>,
        go: bool,
        payload: &[u8],
        out: &mut W,
    ) -> Result<(), EntryError> {
        let at = &format!("entries[{index}]");
        let at_extra = format!("{at}.extra");
        let typed = reread(at);
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
        Ok(())
    }
}

/// The error for an entry of `at` that does not decode again.
fn reread(at: &str) -> impl Fn(prost::DecodeError) -> EntryError + '_ {
    move |e| bad(at, format!("entry does not re-read: {e}"))
}

/// `--nopl` output put a size where the payload was: nothing to encode.
fn refuse_elided(v: Option<&Value>, path: &str) -> Result<(), EntryError> {
    match v {
        Some(v) if dialect::is_elided(v) => Err(bad(path, ELIDED)),
        _ => Ok(()),
    }
}

/// The bytes of base64 string `v` (none for a missing or null one).
fn b64(v: Option<&Value>, path: &str) -> Result<Vec<u8>, EntryError> {
    refuse_elided(v, path)?;
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => formats::decode_base64(s).map_err(|e| bad(path, e)),
        Some(other) => Err(bad(path, format!("expected a base64 string, found {other}"))),
    }
}

/// A semaphore set's values, after its entry.
fn write_sem_values<W: Write + ?Sized>(
    value: Option<&Value>,
    payload: &[u8],
    at_extra: &str,
    typed: &impl Fn(prost::DecodeError) -> EntryError,
    out: &mut W,
) -> Result<(), EntryError> {
    let e = proto::IpcSemEntry::decode(payload).map_err(typed)?;
    refuse_elided(value, at_extra)?;
    let values = value
        .and_then(dialect::semaphore_values)
        .ok_or_else(|| bad(at_extra, "expected a list of semaphore values"))?;
    if values.len() != e.nsems as usize {
        return Err(bad(at_extra, format!("{} values for nsems {}", values.len(), e.nsems)));
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
    out.write_all(&vec![0; padding(sem_len(&e), SEM_ALIGN) as usize])?;
    Ok(())
}

/// A message queue's messages, each an entry and its data, after its entry.
fn write_msg_queue<W: Write + ?Sized>(
    value: Option<&Value>,
    payload: &[u8],
    at_extra: &str,
    typed: &impl Fn(prost::DecodeError) -> EntryError,
    out: &mut W,
) -> Result<(), EntryError> {
    refuse_elided(value, at_extra)?;
    let items = value
        .and_then(Value::as_array)
        .ok_or_else(|| bad(at_extra, "expected a list of message, data pairs"))?;
    if items.len() % 2 != 0 {
        return Err(bad(at_extra, "expected message, data pairs"));
    }
    // decode reads exactly qnum messages after the entry.
    let qnum = proto::IpcMsgEntry::decode(payload).map_err(typed)?.qnum;
    if items.len() / 2 != qnum as usize {
        return Err(bad(at_extra, format!("{} messages for qnum {qnum}", items.len() / 2)));
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
        out.write_all(&vec![0; padding(msize, MSG_ALIGN) as usize])?;
    }
    Ok(())
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
