//! Tables: aligned columns, laid out from widths measured in a first pass
//! and written row by row in a second, straight to the text output, so no
//! large table is held in memory. When there is a width (a terminal) the
//! last column wraps, and when that is not enough the widest other columns
//! are cut with a `…`; without one (a pipe, a file) nothing wraps or is cut.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::Result;

use super::escape;
use super::{Text, Tone};

/// Levels of a tree drawn by indentation, at most: a deeper row is indented
/// as far, with its depth written out, so that a row's width (and so the
/// output) stays linear in the number of rows however deep the tree.
pub const MAX_INDENT: usize = 16;

/// `text` indented by `unit` once per level of `depth`; past [`MAX_INDENT`]
/// levels, by that many and `(depth N)` before it.
pub fn indented(unit: &str, depth: usize, text: &str) -> String {
    if depth <= MAX_INDENT {
        format!("{}{text}", unit.repeat(depth))
    } else {
        format!("{}(depth {depth}) {text}", unit.repeat(MAX_INDENT))
    }
}

/// How wide tables may be: `--width` when given (0: never wrap); else, when
/// standard output is a terminal, `COLUMNS` or the terminal's own width (80
/// when neither is known); else (a pipe, a file) unlimited, one record per
/// line, so `grep` and scripts see whole records.
pub fn table_width(forced: Option<usize>) -> Option<usize> {
    if let Some(w) = forced.or_else(|| FORCED.get().copied()) {
        return (w > 0).then_some(w);
    }
    if !io::stdout().is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok());
    let real = || terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0));
    Some(columns.filter(|&c| c > 0).or_else(real).unwrap_or(80))
}

/// `--width` of the running command, for the tables rendered to a string.
static FORCED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Sets the width every table of this run is laid out to (`crit x --width`).
pub fn force_width(width: Option<usize>) {
    if let Some(w) = width {
        let _ = FORCED.set(w);
    }
}

/// A small table held in memory (a report of a few dozen rows), laid out
/// by [`Text::table`] like every other table.
#[derive(Debug, Clone)]
pub struct TextTable {
    table: Table,
    rows: Vec<(Vec<String>, Tone)>,
}

impl TextTable {
    pub fn new(header: &[&'static str]) -> Self {
        TextTable {
            table: Table::new(header),
            rows: Vec::new(),
        }
    }

    /// Right-aligns columns (numbers).
    pub fn right_align(mut self, columns: &[usize]) -> Self {
        self.table = self.table.right_align(columns);
        self
    }

    /// One row; its cells are escaped when written.
    pub fn row(&mut self, cells: Vec<String>, tone: Tone) {
        self.rows.push((cells, tone));
    }

    /// Writes the table to `out`.
    pub fn write<W: Write>(&self, out: &mut Text<W>) -> Result<()> {
        out.table(&self.table, |rows| {
            for (cells, tone) in &self.rows {
                let cells: Vec<Cell> = cells.iter().map(Cell::from).collect();
                rows.row(*tone, &cells)?;
            }
            Ok(())
        })
    }

    /// The table as text: escaped, coloured with `color`, wrapped to the
    /// width of [`table_width`].
    pub fn render(&self, color: bool) -> String {
        let mut text = Text::new(Vec::new(), color, table_width(None));
        // Writing to memory cannot fail.
        let _ = self.write(&mut text);
        text.into_string()
    }
}

impl<W: Write> Text<W> {
    /// Writes a table: `rows` is called twice, first to measure the columns,
    /// then to write the rows, so no large table is ever held in memory (it
    /// must give the same rows both times). A small table is kept by the
    /// first pass and written from there. The header comes first; each row
    /// is one line, its last column wrapped when the table has a width.
    pub fn table(&mut self, table: &Table, mut rows: impl FnMut(&mut Rows<W>) -> Result<()>) -> Result<()> {
        let n = table.columns;
        let mut widths = vec![0; n];
        for (w, h) in widths.iter_mut().zip(&table.header) {
            *w = display_width(h);
        }
        let mut replay = Some(Replay::default());
        rows(&mut Rows::new(Pass::Measure(&mut widths, &mut replay)))?;
        let right: Vec<bool> = (0..n).map(|c| table.right.contains(&c)).collect();
        let header: Vec<usize> = table.header.iter().map(|h| display_width(h)).collect();
        let room = self.width.and_then(|w| fit(&mut widths, &header, &right, w));
        let layout = Layout { widths, right, room };
        if !table.header.is_empty() {
            let mut header = String::new();
            let mut ends = Vec::with_capacity(n);
            for h in &table.header {
                header.push_str(h);
                ends.push(header.len());
            }
            self.row_line(&layout, &header, &ends, Tone::Heading)?;
        }
        match replay {
            // A small table: its rows as the first pass kept them.
            Some(r) => {
                for (tone, line, text, ends) in &r.rows {
                    let (text, ends) = (&r.text[text.clone()], &r.ends[ends.clone()]);
                    if *line {
                        self.line(*tone, text)?;
                    } else {
                        self.row_line(&layout, text, ends, *tone)?;
                    }
                }
                Ok(())
            }
            None => rows(&mut Rows::new(Pass::Write {
                text: self,
                layout: &layout,
            })),
        }
    }

    /// Lays out one row: each cell padded to its column, two spaces apart,
    /// trailing blanks trimmed; a cell wider than its (narrowed) column cut
    /// with a `…`; the last cell wrapped into continuation lines.
    fn row_line(&mut self, layout: &Layout, cells: &str, ends: &[usize], tone: Tone) -> crit::Result<()> {
        let n = layout.widths.len();
        let cell = |c: usize| {
            let start = if c == 0 {
                0
            } else {
                ends.get(c - 1).copied().unwrap_or(cells.len())
            };
            &cells[start.min(cells.len())..ends.get(c).copied().unwrap_or(cells.len())]
        };
        let last = cell(n.saturating_sub(1));
        let pieces = match layout.room {
            Some(room) if display_width(last) > room => wrap(last, room),
            _ => Vec::new(),
        };
        self.scratch.clear();
        for c in 0..n {
            let text = if c + 1 == n && !pieces.is_empty() {
                pieces[0].as_str()
            } else {
                cell(c)
            };
            if c + 1 < n && display_width(text) > layout.widths[c] {
                let text = cut(text, layout.widths[c]);
                pad_cell(&mut self.scratch, &text, layout.widths[c], layout.right[c], false);
            } else {
                pad_cell(&mut self.scratch, text, layout.widths[c], layout.right[c], c + 1 == n);
            }
        }
        self.finish_row(tone)?;
        for p in pieces.iter().skip(1) {
            self.scratch.clear();
            for c in 0..n - 1 {
                pad_cell(&mut self.scratch, "", layout.widths[c], layout.right[c], false);
            }
            self.scratch.push_str("  ");
            self.scratch.push_str(p);
            self.finish_row(tone)?;
        }
        Ok(())
    }
}

/// The least room the last column is given before other columns are cut.
const LAST_ROOM: usize = 10;
/// The narrowest a cut column gets (or its header, if wider).
const MIN_CUT: usize = 6;

/// Fits columns of `widths` into `width` terminal columns: the room left for
/// the last column, which wraps into it. When that room would be under
/// [`LAST_ROOM`] (or the last column's own width, if less), the widest of
/// the other text (left-aligned) columns are narrowed, one column at a time
/// and never below their header or [`MIN_CUT`], and their cells are then cut
/// with a `…` ([`cut`]); numbers are never cut. When even that leaves too
/// little room, nothing is narrowed or wrapped: a long line beats a column
/// of single characters.
fn fit(widths: &mut [usize], header: &[usize], right: &[bool], width: usize) -> Option<usize> {
    let (last, others) = widths.split_last()?;
    let want = (*last).min(LAST_ROOM);
    let mut narrowed = others.to_vec();
    let mut used: usize = narrowed.iter().map(|w| w + 2).sum();
    while used + want > width {
        let floor = |i: usize| header.get(i).copied().unwrap_or(0).max(MIN_CUT);
        // The widest that may still be narrowed, the rightmost of equals.
        let (i, _) = narrowed
            .iter()
            .enumerate()
            .filter(|&(i, &w)| !right.get(i).copied().unwrap_or(false) && w > floor(i))
            .max_by_key(|&(i, &w)| (w, i))?;
        narrowed[i] -= 1;
        used -= 1;
    }
    let n = narrowed.len();
    widths[..n].copy_from_slice(&narrowed);
    Some(width - used)
}

/// `text` cut to `width` columns, its middle replaced by `…`: both ends of
/// an address, a path or a number stay readable.
fn cut(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let keep = width.saturating_sub(1);
    let head = keep / 2;
    let mut out: String = chars[..head.min(chars.len())].iter().collect();
    out.push('…');
    // The tail, as many characters as fit (wide characters count two).
    let mut tail = Vec::new();
    let mut room = keep - head;
    for &c in chars.iter().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w > room {
            break;
        }
        room -= w;
        tail.push(c);
    }
    out.extend(tail.iter().rev());
    out
}

fn pad_cell(out: &mut String, text: &str, width: usize, right: bool, last: bool) {
    let pad = width.saturating_sub(display_width(text));
    if right {
        spaces(out, pad);
        out.push_str(text);
    } else {
        out.push_str(text);
        if !last {
            spaces(out, pad);
        }
    }
    if !last {
        out.push_str("  ");
    }
}

fn spaces(out: &mut String, mut n: usize) {
    const BLANKS: &str = "                                ";
    while n > 0 {
        let k = n.min(BLANKS.len());
        out.push_str(&BLANKS[..k]);
        n -= k;
    }
}

/// Columns on a terminal: what a cell takes (wide characters count two).
fn display_width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        unicode_width::UnicodeWidthStr::width(s)
    }
}

/// A table's columns: their headers, and which align right (numbers).
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<&'static str>,
    columns: usize,
    right: Vec<usize>,
}

impl Table {
    pub fn new(header: &[&'static str]) -> Self {
        Table {
            header: header.to_vec(),
            columns: header.len(),
            right: Vec::new(),
        }
    }

    /// A table of `columns` columns without a header line.
    pub fn headless(columns: usize) -> Self {
        Table {
            header: Vec::new(),
            columns,
            right: Vec::new(),
        }
    }

    /// Right-aligns columns (numbers).
    pub fn right_align(mut self, columns: &[usize]) -> Self {
        self.right.extend_from_slice(columns);
        self
    }
}

struct Layout {
    widths: Vec<usize>,
    right: Vec<bool>,
    room: Option<usize>,
}

/// The rows of a small table, kept by the first pass so the second need not
/// make them again; dropped once they pass [`Replay::MAX`] bytes.
#[derive(Default)]
struct Replay {
    text: String,
    ends: Vec<usize>,
    /// Tone, whether a line outside the columns, the text, its cells' ends.
    rows: Vec<(Tone, bool, std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl Replay {
    const MAX: usize = 256 * 1024;

    /// Keeps a row (or a line); false once the table is too big to keep.
    fn keep(&mut self, tone: Tone, line: bool, text: &str, ends: &[usize]) -> bool {
        let start = self.text.len();
        self.text.push_str(text);
        let first = self.ends.len();
        self.ends.extend_from_slice(ends);
        self.rows
            .push((tone, line, start..self.text.len(), first..self.ends.len()));
        self.text.len() + 8 * self.ends.len() + 48 * self.rows.len() <= Self::MAX
    }
}

enum Pass<'a, W: Write> {
    Measure(&'a mut Vec<usize>, &'a mut Option<Replay>),
    Write { text: &'a mut Text<W>, layout: &'a Layout },
}

/// A table cell. Numbers are formatted here, without going through
/// `fmt` (a table of 200,000 rows formats a million cells twice).
#[derive(Clone, Copy)]
pub enum Cell<'a> {
    /// Text, escaped.
    Text(&'a str),
    /// A decimal number.
    Num(u64),
    /// An address: lowercase hex without `0x`.
    Hex(u64),
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(s)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(s: &'a String) -> Self {
        Cell::Text(s)
    }
}

impl From<u64> for Cell<'_> {
    fn from(n: u64) -> Self {
        Cell::Num(n)
    }
}

impl From<u32> for Cell<'_> {
    fn from(n: u32) -> Self {
        Cell::Num(n.into())
    }
}

impl From<usize> for Cell<'_> {
    fn from(n: usize) -> Self {
        Cell::Num(n as u64)
    }
}

fn push_hex(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(n & 15) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("hex digits"));
}

/// Where a table's rows go: measured on the first pass, written on the second.
pub struct Rows<'a, W: Write = BufWriter<File>> {
    pass: Pass<'a, W>,
    /// The row's escaped cells, back to back, and where each ends.
    cells: String,
    ends: Vec<usize>,
}

impl<'a, W: Write> Rows<'a, W> {
    fn new(pass: Pass<'a, W>) -> Self {
        Rows {
            pass,
            cells: String::new(),
            ends: Vec::new(),
        }
    }

    /// One row; text cells are escaped. Missing cells are empty.
    pub fn row(&mut self, tone: Tone, cells: &[Cell]) -> crit::Result<()> {
        self.cells.clear();
        self.ends.clear();
        for c in cells {
            match *c {
                Cell::Text(s) => escape::escape_into(&mut self.cells, s),
                Cell::Num(n) => self.cells.push_str(itoa::Buffer::new().format(n)),
                Cell::Hex(n) => push_hex(&mut self.cells, n),
            }
            self.ends.push(self.cells.len());
        }
        match &mut self.pass {
            Pass::Measure(widths, replay) => {
                let mut start = 0;
                for (w, &end) in widths.iter_mut().zip(&self.ends) {
                    *w = (*w).max(display_width(&self.cells[start..end]));
                    start = end;
                }
                if replay
                    .as_mut()
                    .is_some_and(|r| !r.keep(tone, false, &self.cells, &self.ends))
                {
                    **replay = None;
                }
                Ok(())
            }
            Pass::Write { text, layout } => text.row_line(layout, &self.cells, &self.ends, tone),
        }
    }

    /// A line between rows that is not part of the columns (a section
    /// title, a blank line): not measured, written as it is (escaped).
    pub fn line(&mut self, tone: Tone, line: &str) -> crit::Result<()> {
        match &mut self.pass {
            Pass::Measure(_, replay) => {
                if replay.as_mut().is_some_and(|r| !r.keep(tone, true, line, &[])) {
                    **replay = None;
                }
                Ok(())
            }
            Pass::Write { text, .. } => text.line(tone, line),
        }
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
        // Indentation (a tree's) is no place to break.
        let lead = rest.len() - rest.trim_start().len();
        // Prefer breaking before " + 0x…" or " (", then after a '/' or space.
        let brk = head
            .rfind(" + ")
            .or_else(|| head.rfind(" ("))
            .filter(|&i| i > lead)
            .or_else(|| {
                head.rfind(['/', ' '])
                    .map(|i| i + 1)
                    .filter(|&i| i > limit / 3 && i > lead + 1)
            })
            .unwrap_or(cut_at);
        out.push(rest[..brk].trim_end().to_string());
        rest = rest[brk..].trim_start();
        limit = room.saturating_sub(2).max(1);
    }
    out.push(rest.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_cells() {
        for n in [0, 9, 0x10, 0x7f6388d16049, u64::MAX] {
            let mut s = String::new();
            push_hex(&mut s, n);
            assert_eq!(s, format!("{n:x}"));
        }
    }

    #[test]
    fn wrapping_prefers_natural_breaks() {
        let w = wrap("/usr/lib/x86_64-linux-gnu/libc.so.6 + 0x1e4000", 40);
        assert_eq!(w, ["/usr/lib/x86_64-linux-gnu/libc.so.6", "+ 0x1e4000"]);
        assert_eq!(wrap("short", 40), ["short"]);
        // A tree's indentation stays on the first line.
        assert_eq!(wrap("    tree-kid0 x", 10), ["    tree-k", "id0 x"]);
    }

    fn render(table: &Table, width: Option<usize>, rows: &[(&[&str], Tone)]) -> String {
        let mut t = Text::new(Vec::new(), false, width);
        t.table(table, |r| {
            for (cells, tone) in rows {
                let cells: Vec<Cell> = cells.iter().map(|&c| c.into()).collect();
                r.row(*tone, &cells)?;
            }
            Ok(())
        })
        .unwrap();
        String::from_utf8(t.finish().unwrap()).unwrap()
    }

    #[test]
    fn table_lines_are_trimmed_and_aligned() {
        let t = Table::new(&["PID", "COMM"]).right_align(&[0]);
        let rows: &[(&[&str], Tone)] = &[(&["1", "init"], Tone::Plain), (&["20884", "tree-root"], Tone::Plain)];
        assert_eq!(render(&t, None, rows), "  PID  COMM\n    1  init\n20884  tree-root\n");
    }

    #[test]
    fn only_the_last_column_wraps_and_only_with_a_width() {
        let t = Table::new(&["FD", "PATH"]).right_align(&[0]);
        let long = "/var/lib/containers/storage/overlay/0123456789abcdef/merged/usr/lib/libfoo.so";
        let rows: &[(&[&str], Tone)] = &[(&["3", long], Tone::Plain)];
        assert_eq!(render(&t, None, rows), format!("FD  PATH\n 3  {long}\n"));
        assert_eq!(
            render(&t, Some(40), rows),
            "FD  PATH\n 3  /var/lib/containers/storage/overlay/\n      0123456789abcdef/merged/usr/lib/\n      libfoo.so\n"
        );
    }

    #[test]
    fn on_a_narrow_terminal_the_widest_columns_are_cut() {
        let t = Table::new(&["FD", "LOCAL", "PEER"]).right_align(&[0]);
        let rows: &[(&[&str], Tone)] = &[
            (&["3", "127.0.0.1:47101", ""], Tone::Plain),
            (&["4", "127.0.0.1:46580", "127.0.0.1:47101"], Tone::Plain),
        ];
        // Piped: whole.
        assert_eq!(
            render(&t, None, rows),
            "FD  LOCAL            PEER\n 3  127.0.0.1:47101\n 4  127.0.0.1:46580  127.0.0.1:47101\n"
        );
        // 30 columns: LOCAL loses one column, cut in its middle, so that
        // PEER has 10 to wrap in.
        assert_eq!(
            render(&t, Some(30), rows),
            "FD  LOCAL           PEER\n 3  127.0.…1:47101\n 4  127.0.…1:46580  127.0.0.1:\n                      47101\n"
        );
        for line in render(&t, Some(30), rows).lines() {
            assert!(line.chars().count() <= 30, "{line}");
        }
        assert_eq!(cut("/usr/lib/libc.so.6", 9), "/usr…so.6");
        assert_eq!(cut("abcdef", 4), "a…ef");
    }

    #[test]
    fn large_tables_are_made_twice_and_come_out_the_same() {
        let t = Table::new(&["N", "TEXT"]).right_align(&[0]);
        let texts: Vec<String> = (0..20_000).map(|i| format!("row {i}")).collect();
        let mut calls = 0;
        let mut text = Text::new(Vec::new(), false, None);
        text.table(&t, |r| {
            calls += 1;
            for (i, s) in texts.iter().enumerate() {
                r.row(Tone::Plain, &[i.into(), s.into()])?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(calls, 2, "too large to keep: made again");
        let out = String::from_utf8(text.finish().unwrap()).unwrap();
        assert_eq!(out.lines().count(), 20_001);
        assert_eq!(out.lines().nth(1), Some("    0  row 0"));
        assert_eq!(out.lines().last(), Some("19999  row 19999"));
    }

    #[test]
    fn a_table_in_memory_is_laid_out_and_escaped_the_same() {
        let mut t = TextTable::new(&["PID", "COMM"]).right_align(&[0]);
        t.row(vec!["1".into(), "a\x1b[2Jb\n".into()], Tone::Plain);
        t.row(vec!["20884".into(), "tree-root".into()], Tone::Warn);
        let mut text = Text::new(Vec::new(), false, None);
        t.write(&mut text).unwrap();
        let want = "  PID  COMM\n    1  a\\x1b[2Jb\\n\n20884  tree-root\n";
        assert_eq!(text.into_string(), want);
        assert_eq!(t.render(false), want);
    }

    #[test]
    fn cells_are_escaped() {
        let t = Table::new(&["PID", "COMM"]);
        let rows: &[(&[&str], Tone)] = &[(&["1", "a\x1b[2Jb\n"], Tone::Plain)];
        assert_eq!(render(&t, None, rows), "PID  COMM\n1    a\\x1b[2Jb\\n\n");
    }
}
