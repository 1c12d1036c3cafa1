//! `crit mem DIR [--pid PID] args|env|read|search|maps|shmem`.

use std::io::Write;
use std::process::ExitCode;

use std::collections::HashSet;

use anyhow::{anyhow, bail, Result};
use crit::checkpoint::files::FileTable;
use crit::checkpoint::Checkpoint;
use crit::checkpoint::Hex;
use crit::mem::{
    in_one_pass, printable, MapRun, MemReader, PreparedSearch, SearchMatch, Searcher, SharedKind, Vma, VmaFilter,
};
use crit::source::{OpenOptions, Source};

use super::args::{Format, MemArgs, MemCommand};
use super::memread::{self, Form};
use super::output::stdout_error;
use super::render::memjson::{MatchJson, RunJson, SharedJson, ShmemJson};
use super::render::table::{Cell, Table};
use super::render::{human_size as size, print_json, stdout_buffered_behind_bar, use_color, Text, Tone};

/// Runs `crit mem`: exit status 0, or (`search`, as grep) 1 when nothing matched.
pub fn run(args: &MemArgs) -> Result<ExitCode> {
    let json = args.format == Format::Json;
    let color = use_color(args.color);
    super::problems::check_path(&args.dir, &base_options(args));
    match &args.command {
        MemCommand::Search {
            pattern,
            regex,
            context,
            ignore_case,
            within,
            filter,
        } => {
            let searcher = if *regex {
                Searcher::regex(pattern, *ignore_case)
            } else {
                Searcher::literal(pattern.as_bytes(), *ignore_case)
            }
            .map_err(|e| anyhow!("bad pattern {pattern:?}: {e}"))?;
            // A compressed archive is searched as it is read.
            let run = PreparedSearch::open(&args.dir, &base_options(args), args.pid, &searcher, *context)?;
            note_thread(args.pid, run.mem());
            let keep = Keep::new(run.mem(), filter.filter(), within.as_deref())?;
            let found = search(run, json, color, &keep)?;
            return Ok(ExitCode::from(if found { 0 } else { 1 }));
        }
        MemCommand::Args => strings(open_with(args, MemReader::args_bytes)?.1, json),
        MemCommand::Env => strings(open_with(args, MemReader::env_bytes)?.1, json),
        MemCommand::Maps { filter } => {
            let (mem, ()) = open_with(args, |_| Ok(()))?;
            maps(&mem, json, color, &Keep::new(&mem, filter.filter(), None)?)
        }
        MemCommand::Shmem => shmem(&open_with(args, |_| Ok(()))?.0, json, color),
        MemCommand::Read {
            addr,
            len,
            raw,
            files,
            force,
            output,
        } => {
            let form = match (*raw, json) {
                (true, true) => {
                    let msg = "--raw writes the bytes themselves: it cannot be --format json";
                    return Err(super::usage_error(&["mem", "read"], msg));
                }
                (true, false) => Form::Raw,
                (false, true) => Form::Json,
                (false, false) => Form::Hexdump,
            };
            let mem = open_memory(args)?;
            memread::read(&mem, *addr, *len, form, files.as_deref(), *force, output.as_deref())
        }
    }
    .map(|()| ExitCode::SUCCESS)
}

fn base_options(args: &MemArgs) -> OpenOptions {
    OpenOptions {
        container: args.container.clone(),
        page_size: super::page_size(),
        ..OpenOptions::default()
    }
}

/// The task's memory, raw memory and all.
fn open_memory(args: &MemArgs) -> Result<MemReader> {
    let opts = OpenOptions {
        pages: true,
        ..base_options(args)
    };
    let mem = MemReader::from_source(Source::open(&args.dir, &opts)?, args.pid)?;
    note_thread(args.pid, &mem);
    Ok(mem)
}

/// The task's memory and what `job` makes of it: for a compressed archive,
/// while it is read (no copy of its raw memory to a temporary file).
fn open_with<T>(args: &MemArgs, mut job: impl FnMut(&MemReader) -> crit::Result<T>) -> Result<(MemReader, T)> {
    if let Some((mem, t)) = in_one_pass(&args.dir, &base_options(args), args.pid, &mut job)? {
        note_thread(args.pid, &mem);
        return Ok((mem, t));
    }
    let mem = open_memory(args)?;
    let t = job(&mem)?;
    Ok((mem, t))
}

/// `--pid` named a thread: say which process is read instead.
fn note_thread(asked: Option<u32>, mem: &MemReader) {
    if let Some(tid) = asked.filter(|&p| p != mem.pid() && !super::progress::quiet()) {
        eprintln!(
            "crit: note: {tid} is a thread of process {}; reading {}",
            mem.pid(),
            mem.pid()
        );
    }
}

/// argv or the environment: JSON strings (invalid UTF-8 replaced), or one
/// line each, escaped (invalid UTF-8 as `\xNN`).
fn strings(items: Vec<Vec<u8>>, json: bool) -> Result<()> {
    if json {
        let items: Vec<_> = items.iter().map(|s| String::from_utf8_lossy(s)).collect();
        return print_json(&items);
    }
    let mut out = Text::stdout(false, None)?;
    for s in items {
        out.line_bytes(&s)?;
    }
    out.finish()?;
    Ok(())
}

/// The mappings `--prot`, `--kind`, `--range` and `--in` keep.
struct Keep {
    filter: VmaFilter,
    /// With `--in`: the starts of the mappings of that path.
    within: Option<HashSet<u64>>,
}

impl Keep {
    fn new(mem: &MemReader, filter: VmaFilter, within: Option<&str>) -> Result<Self> {
        let within = match within {
            None => None,
            Some(path) => {
                let special = match path {
                    "[heap]" => Some("heap"),
                    "[stack]" => Some("stack"),
                    "[vdso]" => Some("vdso"),
                    _ => None,
                };
                let mut table = None;
                let mut set = HashSet::new();
                for v in mem.vmas() {
                    let hit = match special {
                        Some(kind) => v.kind() == kind,
                        None if v.is_file_backed() => {
                            if table.is_none() {
                                table = Some(FileTable::load(&Checkpoint::from_source(mem.source().clone())?)?);
                            }
                            let t = table.as_ref().expect("loaded above");
                            u32::try_from(v.shmid).ok().and_then(|id| t.path(id).ok()).as_deref() == Some(path)
                        }
                        None => false,
                    };
                    if hit {
                        set.insert(v.start);
                    }
                }
                if set.is_empty() {
                    bail!("task {} has no mapping of {path:?}", mem.pid());
                }
                Some(set)
            }
        };
        Ok(Keep { filter, within })
    }

    fn is_empty(&self) -> bool {
        self.filter.is_empty() && self.within.is_none()
    }

    /// Whether addresses `start..end`, in mapping `v`, are kept: the
    /// mapping is, and they overlap `--range`.
    fn keeps(&self, start: u64, end: u64, v: Option<&Vma>) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(v) = v else { return false };
        self.filter.matches(v)
            && self
                .filter
                .range
                .as_ref()
                .is_none_or(|r| start < r.end && r.start < end)
            && self.within.as_ref().is_none_or(|w| w.contains(&v.start))
    }
}

fn vma_label(v: Option<&Vma>) -> String {
    v.map_or_else(
        || "-".to_string(),
        |v| format!("{:x}-{:x} {} {}", v.start, v.end, v.perms(), v.kind()),
    )
}

/// Prints the matches; whether there was one.
fn search(run: PreparedSearch, json: bool, color: bool, keep: &Keep) -> Result<bool> {
    // Matches stream out as they are found: a big dump shows results early,
    // and memory stays bounded however many there are (JSON included).
    // The bar stays until the first match is written.
    let out = stdout_buffered_behind_bar()?;
    let io_err = stdout_error;
    let mut out = if json {
        let mut out = out;
        out.write_all(b"[").map_err(io_err)?;
        Err(out)
    } else {
        Ok(Text::new(out, color, None))
    };
    let mut n = 0u64;
    let stats = run.run(|m| {
        if !keep.keeps(m.addr, m.addr + m.bytes.len() as u64, m.vma.as_ref()) {
            return Ok(());
        }
        n += 1;
        if n == 1 {
            super::progress::before_terminal_output();
        }
        match &mut out {
            Ok(text) => match_line(text, &m, color),
            Err(out) => {
                let item = MatchJson::from(&m);
                out.write_all(if n > 1 { b",\n  " } else { b"\n  " }).map_err(io_err)?;
                serde_json::to_writer(&mut *out, &item).map_err(|e| io_err(e.into()))
            }
        }
    })?;
    match out {
        Ok(text) => {
            text.finish()?;
        }
        Err(mut out) => {
            out.write_all(if n > 0 { b"\n]\n" } else { b"]\n" }).map_err(io_err)?;
            out.flush().map_err(io_err)?;
        }
    }
    if super::progress::quiet() {
        // No summary.
    } else if keep.is_empty() {
        eprintln!("crit: {} in {} held bytes", matches(stats.matches), stats.bytes_scanned);
    } else {
        eprintln!(
            "crit: {} in the mappings asked for ({} in all {} held bytes)",
            matches(n),
            stats.matches,
            stats.bytes_scanned
        );
    }
    Ok(n > 0)
}

/// `1 match`, `3 matches`.
fn matches(n: u64) -> String {
    format!("{n} {}", if n == 1 { "match" } else { "matches" })
}

/// `ADDR  VMA  before[match]after`; the context shows bytes outside
/// printable ASCII as `.`, as a hexdump does, and the line is escaped on
/// its way out like all text.
fn match_line(out: &mut Text, m: &SearchMatch, color: bool) -> crit::Result<()> {
    let addr = format!("{:#x}", m.addr);
    let label = format!("  {}  ", vma_label(m.vma.as_ref()));
    let (before, hit, after) = (printable(&m.before), printable(&m.bytes), printable(&m.after));
    // Without colour, brackets mark where the match is in its context.
    let (open, close) = if color { ("", "") } else { ("[", "]") };
    let spans = [
        (addr.as_str(), Tone::Accent),
        (label.as_str(), Tone::Plain),
        (before.as_str(), Tone::Plain),
        (open, Tone::Plain),
        (hit.as_str(), Tone::Hit),
        (close, Tone::Plain),
        (after.as_str(), Tone::Plain),
    ];
    out.spans(&spans)
}

fn flag_names(r: &MapRun) -> Vec<&'static str> {
    let mut f = Vec::new();
    if r.present() {
        f.push("present");
    }
    if r.lazy() {
        f.push("lazy");
    }
    if r.in_parent() {
        f.push("parent");
    }
    f
}

/// Where a run lives, in a few words.
fn location(r: &MapRun) -> String {
    match r.pieces.as_slice() {
        [] if r.in_parent() => "parent: not found".into(),
        [] => "not in the checkpoint".into(),
        [p] if p.len == r.end - r.start => format!("{} @ {:#x}", p.file, p.offset),
        ps => {
            let held: u64 = ps.iter().map(|p| p.len).sum();
            let files: Vec<String> = ps
                .iter()
                .map(|p| format!("{} @ {:#x}+{:#x}", p.file, p.offset, p.len))
                .collect();
            let partial = if held < r.end - r.start { " (partly held)" } else { "" };
            format!("{}{partial}", files.join(", "))
        }
    }
}

fn maps(mem: &MemReader, json: bool, color: bool, keep: &Keep) -> Result<()> {
    // A run is kept when a mapping it overlaps is kept.
    let kept = |r: &&MapRun| {
        let vmas = mem.vmas();
        let first = vmas.partition_point(|v| v.end <= r.start);
        let mut over = vmas[first..].iter().take_while(|v| v.start < r.end).peekable();
        if over.peek().is_none() {
            return keep.keeps(r.start, r.end, None);
        }
        over.any(|v| keep.keeps(r.start, r.end, Some(v)))
    };
    if json {
        let runs: Vec<RunJson> = mem
            .maps()
            .iter()
            .filter(kept)
            .map(|r| RunJson::new(r, flag_names(r)))
            .collect();
        return print_json(&runs);
    }
    let mut out = Text::stdout(color, super::render::table::table_width(None))?;
    let table = Table::new(&["START", "END", "PAGES", "FLAGS", "IMAGE", "LIVES IN"]).right_align(&[2]);
    out.table(&table, |rows| {
        for r in mem.maps().iter().filter(kept) {
            let flags = flag_names(r).join(",");
            let location = location(r);
            let cells = [
                Cell::Hex(r.start),
                Cell::Hex(r.end),
                r.nr_pages.into(),
                (&flags).into(),
                (&r.image).into(),
                (&location).into(),
            ];
            rows.row(Tone::Plain, &cells)?;
        }
        Ok(())
    })?;
    out.finish()?;
    Ok(())
}

fn shmem(mem: &MemReader, json: bool, color: bool) -> Result<()> {
    let total = mem.shmem_size();
    let held: u64 = mem.shared_mappings().iter().map(|s| s.held).sum();
    // File mappings are named by path (their contents are the file's).
    let mut files = None;
    let mut paths = Vec::new();
    for s in mem.shared_mappings() {
        paths.push(if s.kind == SharedKind::File {
            if files.is_none() {
                files = Some(FileTable::load(&Checkpoint::from_source(mem.source().clone())?)?);
            }
            let t = files.as_ref().expect("loaded above");
            u32::try_from(s.vma.shmid).ok().and_then(|id| t.path(id).ok())
        } else {
            None
        });
    }
    if json {
        let mappings: Vec<SharedJson> = mem
            .shared_mappings()
            .iter()
            .zip(&paths)
            .map(|(s, path)| SharedJson {
                start: Hex(s.vma.start),
                end: Hex(s.vma.end),
                size: s.vma.len(),
                perms: s.vma.perms(),
                kind: s.kind,
                object: s.object,
                path: path.clone(),
                image: s.image.clone(),
                held: s.held,
            })
            .collect();
        return print_json(&ShmemJson {
            pid: mem.pid(),
            size: total,
            held,
            mappings,
        });
    }
    let mut out = Text::stdout(color, super::render::table::table_width(None))?;
    let table =
        Table::new(&["START", "END", "SIZE", "PERMS", "KIND", "OBJECT", "CONTENTS", "HELD"]).right_align(&[2, 7]);
    out.table(&table, |rows| {
        for (s, path) in mem.shared_mappings().iter().zip(&paths) {
            let kind = serde_json::to_value(s.kind)?;
            let (len, perms, held) = (size(s.vma.len()), s.vma.perms(), size(s.held));
            let object = match (path, s.object) {
                (Some(p), _) => p.clone(),
                (None, Some(o)) => o.to_string(),
                (None, None) => "-".into(),
            };
            let cells = [
                Cell::Hex(s.vma.start),
                Cell::Hex(s.vma.end),
                (&len).into(),
                (&perms).into(),
                kind.as_str().unwrap_or_default().into(),
                (&object).into(),
                s.image.as_deref().unwrap_or("-").into(),
                (&held).into(),
            ];
            rows.row(Tone::Plain, &cells)?;
        }
        Ok(())
    })?;
    let total_line = format!(
        "total: {} in {} shared mappings ({total} bytes), {} held",
        size(total),
        mem.shared_mappings().len(),
        size(held)
    );
    out.line(Tone::Plain, &total_line)?;
    out.finish()?;
    Ok(())
}
