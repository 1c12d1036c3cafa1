//! `crit`: the CRIU image tool.

/// `eprintln!` that never panics: when standard error is a closed pipe
/// (`crit … 2>&1 | head`), the line is lost and the exit status stays what
/// it was, as a closed standard output ends the output quietly.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use cli::args::{Cli, Command};
use cli::escape::{escape, escape_bytes_into};

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
    cli::set_page_size(cli.page_size);
    match &cli.command {
        Command::Diff(a) => return cli::diff::run(a),
        Command::Inspect(a) => return cli::inspect::run(a),
        Command::Mem(a) => return cli::mem::run(a),
        Command::Check(a) => return cli::check::run(a),
        Command::Decode(a) => cli::codec::decode(a),
        Command::Encode(a) => cli::codec::encode(a),
        Command::Info(a) => cli::codec::info(a),
        Command::Show(a) => cli::codec::show(a),
        Command::X(a) => cli::explore::run(a),
        Command::Stats(a) => cli::stats::run(a),
        Command::Coredump(a) => cli::coredump::run(a),
    }
    .map(|()| ExitCode::SUCCESS)
}

/// An error message, escaped; a path given on the command line that is not
/// UTF-8 shows its bytes (`\xff`) where the message holds U+FFFD for them.
fn error_line(msg: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut line = escape(msg);
    for arg in std::env::args_os().skip(1).filter(|a| a.to_str().is_none()) {
        let mut exact = String::new();
        escape_bytes_into(&mut exact, arg.as_bytes());
        line = line.replace(&escape(&arg.to_string_lossy()), &exact);
    }
    line
}

/// The status of a command that succeeded: 1 (2 for a command whose 1 is an
/// answer: `diff`, `mem search`, `check`) when it reported problems in a
/// checkpoint it read.
fn status(cli: &Cli, code: ExitCode) -> ExitCode {
    if cli::problems::found().is_empty() {
        code
    } else if cli.command.answers_a_question() {
        ExitCode::from(2)
    } else if code == ExitCode::SUCCESS {
        ExitCode::from(1)
    } else {
        code
    }
}

fn main() -> ExitCode {
    // `crit generate-assets [OUT_DIR]`, for packagers: outside the clap
    // definitions, so that the completions it writes do not offer it.
    let argv: Vec<_> = std::env::args_os().skip(1).collect();
    if argv.first().is_some_and(|a| a == "generate-assets") {
        return cli::assets::run(&argv[1..]);
    }
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let cli = match parsed {
        Ok((cli, m)) => {
            // `diff --quiet` (print nothing) is quiet too.
            let quiet = cli.quiet || matches!(&cli.command, Command::Diff(d) if d.quiet);
            cli::progress::init(quiet, cli::progress::wants_json(&m));
            cli
        }
        Err(e) => {
            let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
            let hint = e.use_stderr().then(|| cli::hint::for_usage_error(&argv)).flatten();
            let Some(hint) = hint else { e.exit() };
            let _ = e.print();
            eprintln!("crit: hint: {hint}");
            return ExitCode::from(2);
        }
    };
    match run(&cli) {
        Ok(code) => {
            cli::problems::warn(None);
            status(&cli, code)
        }
        Err(e) => {
            // Options that do not go together, found after parsing: clap's
            // wording and status, before anything else is said.
            if let Some(usage) = e.downcast_ref::<clap::Error>() {
                let _ = usage.print();
                return ExitCode::from(2);
            }
            // `crit … | head`: the reader left; that is not a failure (but
            // problems found in the checkpoint still are).
            if e.chain().any(|c| {
                c.downcast_ref::<crit::Error>().is_some_and(crit::Error::is_broken_pipe)
                    || c.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                cli::problems::warn(None);
                return status(&cli, ExitCode::SUCCESS);
            }
            // One line that names the file and what is wrong; `--verbose` adds the
            // causes beneath it (not anyhow's `{:?}`, which adds a backtrace when
            // RUST_BACKTRACE is set). Messages quote names from the checkpoint
            // and the command line: every one is escaped here, once, so that
            // no ESC, BEL or newline reaches the terminal.
            cli::problems::warn(Some(&e.to_string()));
            eprintln!("crit: {}", error_line(&e.to_string()));
            if cli.verbose {
                for cause in e.chain().skip(1) {
                    eprintln!("  caused by: {}", error_line(&cause.to_string()));
                }
            }
            // `diff`'s 1 means "different" and `mem search`'s "no match", so
            // their errors are 2, as those of cmp, diff and grep.
            ExitCode::from(if cli.command.answers_a_question() { 2 } else { 1 })
        }
    }
}
