//! Whole images ⇄ JSON documents (`{"magic": …, "entries": […]}`), the Python
//! CRIT's dialect, one entry at a time in both directions.
//!
//! Ties the framing ([`crate::image`]), the layout of each magic
//! ([`crate::schema::magic`]) and the message codec ([`crate::message_json`]).

mod decode;
mod encode;
mod info;
mod payload;

use std::io;

use crate::error::Error;
use crate::schema::{MessageId, Schema};

/// Why JSON given to [`encode_image`] is not well formed: the
/// [`source`](std::error::Error::source) of its [`Error::BadJson`].
pub use crate::message_json::reader::SyntaxError;
pub use decode::decode_image;
pub use encode::encode_image;
pub use info::image_info;

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

pub(crate) fn message_id(name: &str) -> MessageId {
    Schema::get()
        .message_id(name)
        .unwrap_or_else(|| panic!("schema lacks {name}"))
}

pub(crate) fn output_error(e: io::Error) -> Error {
    Error::io("<output>", e)
}
