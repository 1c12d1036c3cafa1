//! Bytes sockets had queued when dumped: `sk-queues.img` (receive queues of
//! unix and other sockets: an `sk_packet_entry`, then `length` bytes of data)
//! and `tcp-stream-INO.img` (a `tcp_stream_entry`, then `inq_len` bytes of the
//! receive queue and `outq_len` bytes of the send queue). Only sizes are read;
//! the data is skipped.

use std::collections::HashMap;

use prost::Message;

use crate::error::{Error, Result};
use crate::proto::{SkPacketEntry, TcpStreamEntry};

use crate::checkpoint::Checkpoint;

/// What one socket had queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queued {
    /// The number of queued packets (`sk_packet_entry` entries).
    pub packets: u64,
    /// Their total size, in bytes.
    pub bytes: u64,
}

/// Receive queues from `sk-queues.img`, by socket file id (`id_for`);
/// empty when the checkpoint has no such image.
///
/// # Errors
///
/// A corrupt or truncated `sk-queues.img`.
pub fn sk_queues(cp: &Checkpoint) -> Result<HashMap<u32, Queued>> {
    let mut out: HashMap<u32, Queued> = HashMap::new();
    if !cp.has("sk-queues.img") {
        return Ok(out);
    }
    let mut r = cp.image("sk-queues.img")?;
    let mut buf = Vec::new();
    loop {
        let start = r.offset();
        if !r.next_payload(&mut buf)? {
            break;
        }
        let e = SkPacketEntry::decode(buf.as_slice()).map_err(|e| r.malformed(start, e))?;
        r.skip(u64::from(e.length), "queued packet")?;
        r.finish_entry();
        let q = out.entry(e.id_for).or_default();
        q.packets += 1;
        q.bytes += u64::from(e.length);
    }
    Ok(out)
}

/// The (receive, send) queue sizes of the TCP socket with inode `ino`, from
/// `tcp-stream-<hex ino>.img`; `None` when CRIU wrote no such image (a socket
/// that is not established, or a dump without `--tcp-established`).
/// Sizes are in bytes.
///
/// # Errors
///
/// A corrupt or truncated `tcp-stream-*.img`, or one without entries.
pub(crate) fn tcp_stream(cp: &Checkpoint, ino: u32) -> Result<Option<(u64, u64)>> {
    let name = crate::image::name::tcp_stream(ino);
    if !cp.has(&name) {
        return Ok(None);
    }
    let mut r = cp.image(&name)?;
    let mut buf = Vec::new();
    let start = r.offset();
    if !r.next_payload(&mut buf)? {
        return Err(Error::no_entries(r.file()));
    }
    let e = TcpStreamEntry::decode(buf.as_slice()).map_err(|e| r.malformed(start, e))?;
    let (inq, outq) = (u64::from(e.inq_len), u64::from(e.outq_len));
    // Check the queues are really there: a truncated image is an error.
    r.skip(inq, "receive queue")?;
    r.skip(outq, "send queue")?;
    Ok(Some((inq, outq)))
}
