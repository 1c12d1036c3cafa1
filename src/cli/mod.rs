//! The `crit` command: one module per command, over the library.

pub mod args;
pub mod assets;
pub mod check;
pub mod cleanup;
pub mod codec;
pub mod coredump;
pub mod diff;
pub mod escape;
pub mod examples;
pub mod explore;
pub mod explore_ct;
pub mod hexdump;
pub mod hint;
pub mod inspect;
pub mod mem;
pub mod memjson;
pub mod memread;
pub mod output;
pub mod problems;
pub mod progress;
pub mod render;
pub mod stats;
pub mod table;
