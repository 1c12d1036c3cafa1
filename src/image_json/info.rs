//! `crit info`: the magic and how many entries, counted from the size fields.
//! Payloads are skipped unread; only an entry that says how many raw bytes
//! follow it (see [`super::payload`]) is decoded, and those bytes are skipped.

use std::io::{self, Read};

use crate::error::Result;
use crate::image::ImageReader;
use crate::message_json::writer::JsonWriter;
use crate::proto;
use crate::schema::magic::{Extra, Layout};

use super::decode::{decode_extra, decode_typed};
use super::Info;

/// `crit info`: the magic and the entry count, read without rendering.
pub fn image_info<R: Read>(r: &mut ImageReader<R>) -> Result<Info> {
    let mut buf = Vec::new();
    let mut count: usize = 0;
    match r.layout() {
        Layout::GhostFile => {
            let start = r.offset();
            if r.next_payload(&mut buf)? {
                let head = decode_typed::<proto::GhostFileEntry, R>(r, &buf, start)?;
                r.finish_entry();
                count += 1;
                if !head.chunks() {
                    r.skip_rest()?;
                }
                loop {
                    let start = r.offset();
                    if !r.next_payload(&mut buf)? {
                        break;
                    }
                    let chunk = decode_typed::<proto::GhostChunkEntry, R>(r, &buf, start)?;
                    r.skip(chunk.len, "ghost chunk")?;
                    r.finish_entry();
                    count += 1;
                }
            }
        }
        Layout::Entries {
            extra: extra @ (Extra::Blob | Extra::TcpQueues | Extra::ShmData | Extra::SemValues | Extra::MsgQueue),
            ..
        } => {
            // The same rules decode follows with --nopl, into a sink.
            let mut sink = JsonWriter::new(io::sink(), false);
            loop {
                let start = r.offset();
                if !r.next_payload(&mut buf)? {
                    break;
                }
                decode_extra(r, &mut sink, extra, &buf, start, true)?;
                r.finish_entry();
                count += 1;
            }
        }
        Layout::Entries { .. } | Layout::Pagemap => loop {
            count += r.skip_buffered_entries();
            if !r.skip_payload()? {
                break;
            }
            r.finish_entry();
            count += 1;
        },
    }
    // The Python CRIT counts a pagemap's entries after its head.
    if r.layout() == Layout::Pagemap {
        count = count.saturating_sub(1);
    }
    Ok(Info {
        magic: r.magic(),
        count,
    })
}
