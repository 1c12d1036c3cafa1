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

/// `--page-size`, set once from the command line before a command runs.
static PAGE_SIZE: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();

/// Records `--page-size` for [`page_size`].
pub fn set_page_size(size: Option<u64>) {
    let _ = PAGE_SIZE.set(size);
}

/// `--page-size`, for the commands' `OpenOptions`.
pub fn page_size() -> Option<u64> {
    PAGE_SIZE.get().copied().flatten()
}
