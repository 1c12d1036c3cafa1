//! The `crit` command: one module per command, over the library.

pub mod args;
pub mod codec;
pub mod coredump;
pub mod diff;
pub mod explore;
pub mod explore_ct;
pub mod inspect;
pub mod mem;
pub mod output;
pub mod render;
pub mod stats;
