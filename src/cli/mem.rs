//! `crit mem DIR [--pid PID] args|env|read|search|maps|shmem`.

use std::io::{self, Write};

use anyhow::{bail, Context, Result};
use crit::mem::{printable, MapRun, MemReader, SearchMatch, Searcher, Vma};
use serde_json::{json, Value};

use super::args::{Format, MemArgs, MemCommand};
use super::render::{print_json, stdout_buffered, use_color, Text, Tone};
use super::stats::size;
use super::table::{Cell, Table};

/// Bytes read per step by `read`, so any length streams.
const READ_CHUNK: usize = 1024 * 1024;

pub fn run(args: &MemArgs) -> Result<()> {
    let mem = MemReader::open(&args.dir, args.pid)?;
    let json = args.format == Format::Json;
    let color = use_color(args.color);
    match &args.command {
        MemCommand::Args => strings(&mem, MemReader::args_bytes, json),
        MemCommand::Env => strings(&mem, MemReader::env_bytes, json),
        MemCommand::Read { addr, len, raw } => read(&mem, parse_num(addr, "ADDR")?, parse_num(len, "LEN")?, *raw, json),
        MemCommand::Search {
            pattern,
            regex,
            context,
            ignore_case,
        } => {
            let searcher = if *regex {
                Searcher::regex(pattern, *ignore_case)
            } else {
                Searcher::literal(pattern.as_bytes(), *ignore_case)
            }
            .with_context(|| format!("bad pattern {pattern:?}"))?;
            search(&mem, &searcher, *context, json, color)
        }
        MemCommand::Maps => maps(&mem, json, color),
        MemCommand::Shmem => shmem(&mem, json, color),
    }
}

fn hex(x: u64) -> String {
    format!("{x:#x}")
}

/// `ADDR`/`LEN`: decimal or `0x…` hexadecimal.
fn parse_num(s: &str, what: &str) -> Result<u64> {
    let t = s.trim().replace('_', "");
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.with_context(|| format!("{what} {s:?} is not a number (decimal or 0x…)"))
}

/// argv or the environment: JSON strings (invalid UTF-8 replaced), or one
/// line each, escaped (invalid UTF-8 as `\xNN`).
fn strings(mem: &MemReader, get: fn(&MemReader) -> crit::Result<Vec<Vec<u8>>>, json: bool) -> Result<()> {
    let items = get(mem)?;
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

fn note_missing(missing: &[std::ops::Range<u64>]) {
    for m in missing {
        eprintln!(
            "crit: note: {:#x}-{:#x} ({} bytes) is not in the checkpoint; read as zeros",
            m.start,
            m.end,
            m.end - m.start
        );
    }
}

/// Adds `r` to sorted ranges, joining it to the last when they touch.
fn push_range(all: &mut Vec<std::ops::Range<u64>>, r: std::ops::Range<u64>) {
    match all.last_mut() {
        Some(last) if last.end == r.start => last.end = r.end,
        _ => all.push(r),
    }
}

fn read(mem: &MemReader, addr: u64, len: u64, raw: bool, json: bool) -> Result<()> {
    if addr.checked_add(len).is_none() {
        bail!("{addr:#x} + {len} runs past the end of the address space");
    }
    let out = io::stdout();
    let mut out = io::BufWriter::with_capacity(128 * 1024, out.lock());
    let width = format!("{:x}", addr + len).len().max(8);
    let mut missing = Vec::new();
    let mut buf = vec![0u8; READ_CHUNK.min(len as usize)];
    if json {
        write!(
            out,
            "{{\n  \"address\": \"{addr:#x}\",\n  \"length\": {len},\n  \"hex\": \""
        )
        .context("<output>")?;
    }
    let mut done = 0u64;
    while done < len {
        let n = ((len - done) as usize).min(READ_CHUNK);
        let at = addr + done;
        for m in mem.read_into(at, &mut buf[..n])? {
            push_range(&mut missing, m);
        }
        let chunk = &buf[..n];
        if raw {
            out.write_all(chunk)
        } else if json {
            chunk.iter().try_for_each(|b| write!(out, "{b:02x}"))
        } else {
            hexdump(&mut out, at, chunk, width)
        }
        .context("<output>")?;
        done += n as u64;
    }
    if json {
        let m: Vec<Value> = missing
            .iter()
            .map(|r| json!({"start": hex(r.start), "end": hex(r.end)}))
            .collect();
        writeln!(out, "\",\n  \"missing\": {}\n}}", serde_json::to_string(&m)?).context("<output>")?;
    }
    out.flush().context("<output>")?;
    if !json {
        note_missing(&missing);
    }
    Ok(())
}

/// `xxd`-style lines: address, 16 bytes in pairs, ASCII.
fn hexdump(out: &mut impl Write, addr: u64, data: &[u8], width: usize) -> io::Result<()> {
    for (i, line) in data.chunks(16).enumerate() {
        let mut hexs = String::with_capacity(40);
        for j in 0..16 {
            match line.get(j) {
                Some(b) => hexs.push_str(&format!("{b:02x}")),
                None => hexs.push_str("  "),
            }
            if j % 2 == 1 && j < 15 {
                hexs.push(' ');
            }
        }
        writeln!(out, "{:0width$x}: {hexs}  {}", addr + 16 * i as u64, printable(line))?;
    }
    Ok(())
}

fn vma_label(v: Option<&Vma>) -> String {
    v.map_or_else(
        || "-".to_string(),
        |v| format!("{:x}-{:x} {} {}", v.start, v.end, v.perms(), v.kind()),
    )
}

fn vma_json(v: Option<&Vma>) -> Value {
    v.map_or(
        Value::Null,
        |v| json!({"start": hex(v.start), "end": hex(v.end), "perms": v.perms(), "kind": v.kind()}),
    )
}

fn search(mem: &MemReader, searcher: &Searcher, context: usize, json: bool, color: bool) -> Result<()> {
    // Matches stream out as they are found: a big dump shows results early,
    // and memory stays bounded however many there are (JSON included).
    let n = if json {
        search_json(mem, searcher, context)?
    } else {
        let mut out = Text::stdout(color, None)?;
        let stats = mem.search(searcher, context, |m| match_line(&mut out, &m, color))?;
        out.finish()?;
        stats
    };
    eprintln!("crit: {} matches in {} held bytes", n.matches, n.bytes_scanned);
    Ok(())
}

fn search_json(mem: &MemReader, searcher: &Searcher, context: usize) -> Result<crit::mem::SearchStats> {
    let mut out = stdout_buffered()?;
    let io_err = |e: io::Error| crit::Error::io("<output>", e);
    out.write_all(b"[").map_err(io_err)?;
    let mut n = 0u64;
    let stats = mem.search(searcher, context, |m| {
        n += 1;
        let item = json!({
            "address": hex(m.addr),
            "length": m.bytes.len(),
            "vma": vma_json(m.vma.as_ref()),
            "before": printable(&m.before),
            "match": printable(&m.bytes),
            "after": printable(&m.after),
        });
        out.write_all(if n > 1 { b",\n  " } else { b"\n  " }).map_err(io_err)?;
        serde_json::to_writer(&mut out, &item).map_err(|e| io_err(e.into()))
    })?;
    out.write_all(if n > 0 { b"\n]\n" } else { b"]\n" }).map_err(io_err)?;
    out.flush().map_err(io_err)?;
    Ok(stats)
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

fn maps(mem: &MemReader, json: bool, color: bool) -> Result<()> {
    if json {
        let runs: Vec<Value> = mem
            .maps()
            .iter()
            .map(|r| {
                json!({
                    "start": hex(r.start),
                    "end": hex(r.end),
                    "nr_pages": r.nr_pages,
                    "flags": flag_names(r),
                    "image": r.image,
                    "pieces": r.pieces.iter().map(|p| json!({
                        "start": hex(p.start), "len": p.len, "file": p.file, "offset": p.offset,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return print_json(&runs);
    }
    let mut out = Text::stdout(color, None)?;
    let table = Table::new(&["START", "END", "PAGES", "FLAGS", "IMAGE", "LIVES IN"]).right_align(&[2]);
    out.table(&table, |rows| {
        for r in mem.maps() {
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
    if json {
        let maps: Vec<Value> = mem
            .shared_mappings()
            .iter()
            .map(|s| {
                json!({
                    "start": hex(s.vma.start), "end": hex(s.vma.end), "size": s.vma.len(),
                    "perms": s.vma.perms(), "kind": s.kind, "object": s.object,
                    "image": s.image, "held": s.held,
                })
            })
            .collect();
        return print_json(&json!({"pid": mem.pid(), "size": total, "held": held, "mappings": maps}));
    }
    let mut out = Text::stdout(color, None)?;
    let table =
        Table::new(&["START", "END", "SIZE", "PERMS", "KIND", "OBJECT", "CONTENTS", "HELD"]).right_align(&[2, 7]);
    out.table(&table, |rows| {
        for s in mem.shared_mappings() {
            let kind = serde_json::to_value(s.kind)?;
            let (len, perms, held) = (size(s.vma.len()), s.vma.perms(), size(s.held));
            let object = s.object.map_or_else(|| "-".into(), |o| o.to_string());
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
