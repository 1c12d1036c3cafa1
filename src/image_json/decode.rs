//! Image → JSON: entries, then the extra payloads their magic puts after them.

use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::image::ImageReader;
use crate::message_json::decode::{self, DecodeError};
use crate::message_json::formats;
use crate::message_json::writer::JsonWriter;
use crate::proto;
use crate::schema::magic::{Extra, Layout};
use crate::schema::MessageId;

use super::payload::{blob_size, padding, round_up, sem_len, shm_len, BlobSize, MSG_ALIGN, SEM_ALIGN, SHM_ALIGN};
use super::{message_id, output_error, DecodeOptions};

/// Writes the image read by `reader` as JSON to `out`; returns the number of
/// entries written.
pub fn decode_image<R: Read, W: Write>(reader: &mut ImageReader<R>, out: W, opts: DecodeOptions) -> Result<usize> {
    let mut w = JsonWriter::new(out, opts.pretty);
    let count = decode_into(reader, &mut w, opts)?;
    w.flush().map_err(output_error)?;
    Ok(count)
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
    if let Layout::Entries { extra: Extra::None, .. } | Layout::Pagemap = layout {
        // Nothing after the entries: each is written from the read buffer.
        loop {
            let start = r.offset();
            let id = ids[usize::from(count > 0)];
            let written = r.with_next_payload(&mut buf, |payload| -> Result<(), DecodeError> {
                w.begin_object()?;
                decode::write_fields(w, id, payload, opts.pretty, false)?;
                w.end_object()?;
                Ok(())
            })?;
            match written {
                None => break,
                Some(Ok(())) => {}
                Some(Err(e)) => return Err(payload_error(r, start, e)),
            }
            r.finish_entry();
            count += 1;
        }
        w.end_array().map_err(io_err)?;
        w.end_object().map_err(io_err)?;
        return Ok(count);
    }
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
        DecodeError::Wire(e) => r.malformed(start, e),
        DecodeError::Io(e) => output_error(e),
    }
}

pub(super) fn decode_typed<T: prost::Message + Default, R: Read>(
    r: &ImageReader<R>,
    payload: &[u8],
    start: u64,
) -> Result<T> {
    T::decode(payload).map_err(|e| r.malformed(start, e))
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
    crate::size::format_size(n, crate::size::SizeForm::PythonCrit)
}

pub(super) fn decode_extra<R: Read, W: Write>(
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
            let BlobSize { len, what, .. } = blob_size(r.magic(), payload).map_err(|e| r.malformed(start, e))?;
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
            let len = shm_len(&e);
            if no_payload {
                r.skip(round_up(len, SHM_ALIGN), "shared memory")?;
                nopl(w, e.size)?;
            } else {
                stream_base64(r, w, Some(len), "shared memory")?;
                r.skip(padding(len, SHM_ALIGN), "shared memory padding")?;
            }
        }
        Extra::SemValues => {
            let e = decode_typed::<proto::IpcSemEntry, R>(r, payload, start)?;
            let size = sem_len(&e);
            if no_payload {
                r.skip(round_up(size, SEM_ALIGN), "semaphore values")?;
                nopl(w, size)?;
            } else {
                let mut buf = Vec::new();
                r.read_block(size, &mut buf, r.offset(), "semaphore values")?;
                w.begin_array().map_err(io_err)?;
                for v in buf.chunks_exact(2) {
                    w.u64(u64::from(u16::from_le_bytes([v[0], v[1]]))).map_err(io_err)?;
                }
                w.end_array().map_err(io_err)?;
                r.skip(padding(size, SEM_ALIGN), "semaphore padding")?;
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
                    return Err(r.truncated_at(at, &format!("message queue of {} messages ends early", e.qnum)));
                }
                let msg = decode_typed::<proto::IpcMsg, R>(r, &buf, at)?;
                let msize = u64::from(msg.msize);
                total += buf.len() as u64 + msize;
                if no_payload {
                    r.skip(round_up(msize, MSG_ALIGN), "message data")?;
                    continue;
                }
                // The Python CRIT prints queued messages without --pretty.
                decode::write_message(w, id, &buf, false).map_err(|e| payload_error(r, at, e))?;
                stream_base64(r, w, Some(msize), "message data")?;
                r.skip(padding(msize, MSG_ALIGN), "message padding")?;
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
    pub(crate) fn skip_rest(&mut self) -> Result<()> {
        self.stream_block(None, "rest", |_| Ok(())).map(|_| ())
    }
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
