//! The protobuf ⇄ JSON conversion of single messages, in the Python CRIT's
//! dialect, driven entirely by the schema and its `(criu)` options.

pub mod decode;
pub mod dialect;
pub mod encode;
pub mod formats;
pub mod reader;
pub mod writer;
