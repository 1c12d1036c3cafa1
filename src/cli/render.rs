//! Shared rendering for the reporting commands: colour choice, tables, JSON.

use std::io::{self, IsTerminal, Write};

use anyhow::{Context, Result};

use super::args::ColorChoice;

/// Whether to colour output: `--color`, else a terminal without `NO_COLOR`.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Prints one JSON document (pretty, with a final newline) to standard output.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).context("<output>")?;
    writeln!(out).context("<output>")?;
    Ok(())
}

/// Prints text (a rendered table) to standard output.
pub fn print_text(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).context("<output>")?;
    if !text.ends_with('\n') {
        writeln!(out).context("<output>")?;
    }
    Ok(())
}
