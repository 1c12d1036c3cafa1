//! Shared rendering for the reporting commands: colour choice, table
//! layout and width, buffered output, JSON; and the renderers the commands
//! share: tables (`table`), the container explorers' tables (`explore_ct`),
//! memory reports as JSON (`memjson`), hexdumps (`hexdump`).

pub mod explore_ct;
pub mod hexdump;
pub mod memjson;
pub mod table;

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::fd::AsFd;

use anyhow::Result;

use super::args::ColorChoice;
use super::escape;
use super::output::stdout_error;

/// Whether to colour output: `--color`, else a terminal without `NO_COLOR`.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Standard output, buffered: a duplicate of fd 1 as a plain file, since
/// std's stdout is line-buffered and a report of a million lines would cost
/// a million write calls.
pub fn stdout_buffered() -> Result<BufWriter<File>> {
    super::progress::before_terminal_output();
    stdout_buffered_behind_bar()
}

/// [`stdout_buffered`], a progress bar left shown: the caller clears it
/// (`progress::before_terminal_output`) before its first write.
pub fn stdout_buffered_behind_bar() -> Result<BufWriter<File>> {
    let fd = io::stdout().as_fd().try_clone_to_owned().map_err(out_err)?;
    Ok(BufWriter::with_capacity(128 * 1024, File::from(fd)))
}

/// A write error on standard output, with the system's reason.
fn out_err(e: io::Error) -> crit::Error {
    stdout_error(e)
}

/// Prints one JSON document (pretty, with a final newline) to standard output.
/// Reports that are produced as they are written (the explorers' lazy tasks)
/// fail with their own message.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    let mut out = stdout_buffered()?;
    let problems = super::problems::found();
    if !problems.is_empty() {
        // A damaged checkpoint: the document is made whole, to end with its problems.
        let mut doc = Vec::new();
        let mut json = serde_json::Serializer::with_formatter(&mut doc, Pretty::default());
        value.serialize(&mut json).map_err(|e| anyhow::anyhow!("{e}"))?;
        super::problems::splice(&mut doc, &problems)?;
        doc.push(b'\n');
        out.write_all(&doc).map_err(out_err)?;
        out.flush().map_err(out_err)?;
        return Ok(());
    }
    let mut json = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
    value.serialize(&mut json).map_err(|e| -> anyhow::Error {
        if e.is_io() {
            out_err(e.into()).into()
        } else {
            anyhow::anyhow!("{e}")
        }
    })?;
    writeln!(out).map_err(out_err)?;
    out.flush().map_err(out_err)?;
    Ok(())
}

/// serde_json's pretty layout (two spaces a level), byte for byte, with each
/// line break and its indent written at once: a report of 200,000 runs has
/// millions of lines, and serde_json's own writes its indent a level at a time.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break (after a comma) and the indent of the current level.
    fn newline<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        const BREAK: &[u8] = b",\n                                                                ";
        let room = BREAK.len() - 2;
        let mut n = 2 * self.level;
        let k = n.min(room);
        w.write_all(&BREAK[usize::from(!comma)..2 + k])?;
        n -= k;
        while n > 0 {
            let k = n.min(room);
            w.write_all(&BREAK[2..2 + k])?;
            n -= k;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// How a line is coloured (when colour is on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Secondary rows: continuations, tasks without resources.
    Dim,
    /// Rows that need attention: zombies, deleted files.
    Warn,
    /// Section headings.
    Heading,
    /// Addresses that lead a line (`mem search`).
    Accent,
    /// What was searched for.
    Hit,
}

fn paint(out: &mut String, s: &str, tone: Tone, color: bool) {
    use owo_colors::OwoColorize;
    use std::fmt::Write;
    if !color {
        out.push_str(s);
        return;
    }
    let _ = match tone {
        Tone::Plain => write!(out, "{s}"),
        Tone::Dim => write!(out, "{}", s.dimmed()),
        Tone::Warn => write!(out, "{}", s.yellow()),
        Tone::Heading => write!(out, "{}", s.bold()),
        Tone::Accent => write!(out, "{}", s.cyan()),
        Tone::Hit => write!(out, "{}", s.red().bold()),
    };
}

/// All text output goes through here: every string is escaped
/// ([`escape`](super::escape)) on its way to a buffered standard output, and
/// coloured by tone when colour is on.
pub struct Text<W: Write = BufWriter<File>> {
    out: W,
    color: bool,
    pub(super) width: Option<usize>,
    /// Reused for each line.
    pub(super) line: String,
    pub(super) scratch: String,
    /// Whether any line was written yet.
    written: bool,
}

impl Text {
    /// Text on standard output; tables wrap to `width` (see [`table_width`]).
    pub fn stdout(color: bool, width: Option<usize>) -> Result<Text> {
        Ok(Text::new(stdout_buffered()?, color, width))
    }
}

impl<W: Write> Text<W> {
    pub fn new(out: W, color: bool, width: Option<usize>) -> Self {
        Text {
            out,
            color,
            width,
            line: String::new(),
            scratch: String::new(),
            written: false,
        }
    }

    pub(super) fn emit(&mut self) -> crit::Result<()> {
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes()).map_err(out_err)?;
        self.line.clear();
        self.written = true;
        Ok(())
    }

    /// Starts a section (a task's table): a blank line when something came before.
    pub fn section(&mut self) -> crit::Result<()> {
        if self.written {
            self.emit()?;
        }
        Ok(())
    }

    /// One line of text, escaped.
    pub fn line(&mut self, tone: Tone, text: &str) -> crit::Result<()> {
        self.spans(&[(text, tone)])
    }

    /// One line of bytes that should be text (argv, environment), escaped,
    /// with bytes that are not UTF-8 as `\xNN`.
    pub fn line_bytes(&mut self, bytes: &[u8]) -> crit::Result<()> {
        self.scratch.clear();
        escape::escape_bytes_into(&mut self.scratch, bytes);
        let color = self.color;
        paint(&mut self.line, &self.scratch, Tone::Plain, color);
        self.emit()
    }

    /// One line made of pieces of different tones, each escaped.
    pub fn spans(&mut self, spans: &[(&str, Tone)]) -> crit::Result<()> {
        for &(text, tone) in spans {
            self.scratch.clear();
            escape::escape_into(&mut self.scratch, text);
            paint(&mut self.line, &self.scratch, tone, self.color);
        }
        self.emit()
    }

    /// Ends a table row laid out in `scratch`: trimmed, coloured, written.
    pub(super) fn finish_row(&mut self, tone: Tone) -> crit::Result<()> {
        let color = self.color;
        paint(&mut self.line, self.scratch.trim_end(), tone, color);
        self.emit()
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> crit::Result<W> {
        self.out.flush().map_err(out_err)?;
        Ok(self.out)
    }
}

impl Text<Vec<u8>> {
    /// What was written to memory, as a string.
    pub fn into_string(self) -> String {
        String::from_utf8(self.out).expect("escaped text is UTF-8")
    }
}

/// A heading line (escaped, bold when colour is on), for reports put
/// together as a string.
pub fn heading(text: &str, color: bool) -> String {
    let mut t = Text::new(Vec::new(), color, None);
    let _ = t.line(Tone::Heading, text);
    t.into_string()
}

/// Prints a report put together as a string (of [`heading`], [`text_line`]
/// and [`TextTable::render`](table::TextTable::render), which escape).
pub fn print_text(text: &str) -> Result<()> {
    let mut out = stdout_buffered()?;
    out.write_all(text.as_bytes()).map_err(out_err)?;
    if !text.ends_with('\n') {
        writeln!(out).map_err(out_err)?;
    }
    out.flush().map_err(out_err)?;
    Ok(())
}

/// One line of text from a checkpoint (escaped), with its line break.
pub fn text_line(text: &str) -> String {
    heading(text, false)
}

/// `16K`, `3.8M`, `512`: a byte count for narrow columns (powers of 1024).
pub fn human_size(n: u64) -> String {
    crit::size::format_size(n, crit::size::SizeForm::Short)
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
    fn json_layout_is_serde_jsons_pretty_one() {
        use serde::Serialize;
        let deep = (0..40).fold(
            serde_json::json!([]),
            |v, i| serde_json::json!({"k": [v, i, {}], "e": []}),
        );
        for v in [
            serde_json::json!({"a": [1, {"b": null}], "c": {}}),
            serde_json::json!([]),
            deep,
        ] {
            let mut ours = Vec::new();
            v.serialize(&mut serde_json::Serializer::with_formatter(
                &mut ours,
                Pretty::default(),
            ))
            .unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string_pretty(&v).unwrap()
            );
        }
    }

    #[test]
    fn lines_are_escaped() {
        let mut text = Text::new(Vec::new(), true, None);
        text.line(Tone::Plain, "x\x07").unwrap();
        text.line_bytes(b"y\xff").unwrap();
        assert_eq!(text.finish().unwrap(), b"x\\a\ny\\xff\n");
    }
}
