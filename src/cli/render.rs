//! Shared rendering for the reporting commands: colour choice, tables, JSON.

use std::io::{self, IsTerminal, Write};

use anyhow::Result;

use super::args::ColorChoice;
use super::output::stdout_error;

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
    // As an io::Error, so a closed pipe (`| head`) is recognised and not reported.
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| stdout_error(e.into()))?;
    writeln!(out).map_err(stdout_error)?;
    Ok(())
}

/// Prints text (a rendered table) to standard output.
pub fn print_text(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(stdout_error)?;
    if !text.ends_with('\n') {
        writeln!(out).map_err(stdout_error)?;
    }
    Ok(())
}

/// How a table row is coloured (when colour is on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Secondary rows: continuations, tasks without resources.
    Dim,
    /// Rows that need attention: zombies, deleted files.
    Warn,
    /// Section headings.
    Heading,
}

/// A plain-text table: aligned columns under a header, two spaces apart, one
/// line per row (cells never hold newlines), so colour can be applied per line
/// after tabled has measured the plain text.
#[derive(Debug, Clone)]
pub struct TextTable {
    header: Vec<String>,
    rows: Vec<(Vec<String>, Tone)>,
    right: Vec<usize>,
}

impl TextTable {
    pub fn new(header: &[&str]) -> Self {
        TextTable {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            right: Vec::new(),
        }
    }

    /// Right-aligns columns (numbers).
    pub fn right_align(mut self, columns: &[usize]) -> Self {
        self.right.extend_from_slice(columns);
        self
    }

    pub fn row(&mut self, cells: Vec<String>, tone: Tone) {
        let cells = cells.into_iter().map(|c| c.replace(['\n', '\r'], " ")).collect();
        self.rows.push((cells, tone));
    }

    /// Wraps the last column so lines fit `width` columns, splitting long
    /// values (paths) at a `/`, ` + ` or space into continuation rows.
    pub fn fit(mut self, width: usize) -> Self {
        let n = self.header.len();
        if n == 0 {
            return self;
        }
        let mut widths = vec![0usize; n];
        for cells in std::iter::once(&self.header).chain(self.rows.iter().map(|(c, _)| c)) {
            for (w, c) in widths.iter_mut().zip(cells) {
                *w = (*w).max(c.chars().count());
            }
        }
        let used: usize = widths[..n - 1].iter().map(|w| w + 2).sum();
        // Too narrow to wrap usefully: leave long lines alone.
        let Some(room) = width.checked_sub(used).filter(|&r| r >= 24) else {
            return self;
        };
        let mut rows = Vec::with_capacity(self.rows.len());
        for (cells, tone) in self.rows {
            let last = cells.last().cloned().unwrap_or_default();
            let mut pieces = wrap(&last, room).into_iter();
            let mut first = cells;
            if let (Some(slot), Some(p)) = (first.last_mut(), pieces.next()) {
                *slot = p;
            }
            rows.push((first, tone));
            for p in pieces {
                let mut cont = vec![String::new(); n];
                cont[n - 1] = format!("  {p}");
                rows.push((cont, tone));
            }
        }
        self.rows = rows;
        self
    }

    /// Renders the table; with `color`, the header bold and rows by tone.
    pub fn render(&self, color: bool) -> String {
        use owo_colors::OwoColorize;
        use tabled::settings::{object::Columns, Alignment, Padding, Style};

        let mut b = tabled::builder::Builder::default();
        b.push_record(self.header.clone());
        for (cells, _) in &self.rows {
            b.push_record(cells.clone());
        }
        let mut t = b.build();
        t.with(Style::empty()).with(Padding::new(0, 2, 0, 0));
        for &c in &self.right {
            t.modify(Columns::one(c), Alignment::right());
        }
        let text = t.to_string();
        let tones = std::iter::once(Tone::Heading).chain(self.rows.iter().map(|(_, t)| *t));
        let mut out = String::with_capacity(text.len() + 64);
        for (line, tone) in text.lines().zip(tones) {
            let line = line.trim_end();
            if color {
                match tone {
                    Tone::Plain => out.push_str(line),
                    Tone::Dim => out += &line.dimmed().to_string(),
                    Tone::Warn => out += &line.yellow().to_string(),
                    Tone::Heading => out += &line.bold().to_string(),
                }
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out
    }
}

/// A heading line above a table, bold when colour is on.
pub fn heading(text: &str, color: bool) -> String {
    use owo_colors::OwoColorize;
    if color {
        format!("{}\n", text.bold())
    } else {
        format!("{text}\n")
    }
}

/// Splits `s` into pieces of at most `room` characters (the first) and
/// `room - 2` (the rest, which are indented), at a natural break when possible.
fn wrap(s: &str, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut limit = room;
    while rest.chars().count() > limit {
        let cut_at = rest.char_indices().nth(limit).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..cut_at];
        // Prefer breaking before " + 0x…" or " (", then after a '/' or space.
        let brk = head
            .rfind(" + ")
            .or_else(|| head.rfind(" ("))
            .filter(|&i| i > 0)
            .or_else(|| head.rfind(['/', ' ']).map(|i| i + 1).filter(|&i| i > limit / 3))
            .unwrap_or(cut_at);
        out.push(rest[..brk].trim_end().to_string());
        rest = rest[brk..].trim_start();
        limit = room.saturating_sub(2).max(1);
    }
    out.push(rest.to_string());
    out
}

/// `16K`, `3.8M`, `512`: a byte count for narrow columns (powers of 1024).
pub fn human_size(n: u64) -> String {
    let mut value = n as f64;
    for unit in ["", "K", "M", "G", "T"] {
        if value < 1024.0 || unit == "T" {
            return if unit.is_empty() {
                n.to_string()
            } else if value.fract() == 0.0 || value >= 100.0 {
                format!("{value:.0}{unit}")
            } else {
                format!("{value:.1}{unit}")
            };
        }
        value /= 1024.0;
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(16384), "16K");
        assert_eq!(human_size(3939840), "3.8M");
        assert_eq!(human_size(212992), "208K");
        assert_eq!(human_size(36), "36");
    }

    #[test]
    fn wrapping_prefers_natural_breaks() {
        let w = wrap("/usr/lib/x86_64-linux-gnu/libc.so.6 + 0x1e4000", 40);
        assert_eq!(w, ["/usr/lib/x86_64-linux-gnu/libc.so.6", "+ 0x1e4000"]);
        assert_eq!(wrap("short", 40), ["short"]);
    }

    #[test]
    fn table_lines_are_trimmed_and_aligned() {
        let mut t = TextTable::new(&["PID", "COMM"]).right_align(&[0]);
        t.row(vec!["1".into(), "init".into()], Tone::Plain);
        t.row(vec!["20884".into(), "tree-root".into()], Tone::Plain);
        assert_eq!(t.render(false), "  PID  COMM\n    1  init\n20884  tree-root\n");
    }
}
