//! The `crit` command: one module per command, over the library.

pub mod args;
pub mod codec;
pub mod escape;
pub mod explore;
pub mod mem;
pub mod output;
pub mod render;
pub mod stats;
pub mod table;
