//! `crit`: the CRIU image tool.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::args::{Cli, Command};

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let max_temp = match (cli.max_temp, std::env::var_os("CRIT_MAX_TEMP")) {
        (Some(n), _) => Some(n),
        (None, Some(v)) => Some(
            cli::args::parse_size(&v.to_string_lossy())
                .map_err(|e| anyhow::anyhow!("CRIT_MAX_TEMP: {}", cli::escape::escape(&e)))?,
        ),
        (None, None) => None,
    };
    if let Some(n) = max_temp {
        crit::archive::set_temp_limit(n);
    }
    match &cli.command {
        Command::Diff(a) => return cli::diff::run(a),
        Command::Decode(a) => cli::codec::decode(a),
        Command::Encode(a) => cli::codec::encode(a),
        Command::Info(a) => cli::codec::info(a),
        Command::Show(a) => cli::codec::show(a),
        Command::X(a) => cli::explore::run(a),
        Command::Stats(a) => cli::stats::run(a),
        Command::Mem(a) => cli::mem::run(a),
        Command::Inspect(a) => cli::inspect::run(a),
        Command::Coredump(a) => cli::coredump::run(a),
    }
    .map(|()| ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            // `crit … | head`: the reader left; that is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<crit::Error>().is_some_and(crit::Error::is_broken_pipe)
                    || c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // One line that names the file and what is wrong; `--verbose` adds the
            // causes beneath it (not anyhow's `{:?}`, which adds a backtrace when
            // RUST_BACKTRACE is set).
            eprintln!("crit: {e}");
            if cli.verbose {
                for cause in e.chain().skip(1) {
                    eprintln!("  caused by: {cause}");
                }
            }
            // `diff`'s 1 means "different", so its errors are 2, as cmp's and diff's.
            ExitCode::from(if matches!(cli.command, Command::Diff(_)) { 2 } else { 1 })
        }
    }
}
