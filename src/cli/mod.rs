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
pub mod hint;
pub mod inspect;
pub mod mem;
pub mod memread;
pub mod output;
pub mod problems;
pub mod progress;
pub mod render;
pub mod stats;

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

/// A usage error found after parsing (options that do not go together),
/// worded as clap words its own for the subcommand `path` (`["mem", "read"]`).
/// `main` prints it and exits with status 2, as for any usage error.
pub fn usage_error(path: &[&str], msg: &str) -> anyhow::Error {
    use clap::CommandFactory;
    let mut cli = args::Cli::command();
    cli.build();
    let mut cmd = &mut cli;
    for name in path {
        cmd = cmd.find_subcommand_mut(name).expect("a subcommand of the definition");
    }
    cmd.error(clap::error::ErrorKind::ArgumentConflict, msg).into()
}
