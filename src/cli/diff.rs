//! `crit diff A B`: renders the library's comparison ([`crit::diff`]) as
//! tables or JSON, and sets the exit status (0 equal, 1 different, 2 trouble).

use std::process::ExitCode;

use anyhow::{bail, Result};
use crit::checkpoint::Checkpoint;
use crit::diff::{self, pages::HexDiff, Change, Diff, MatchBy, Options, TaskDiff};
use crit::mem::{printable, MemReader};
use crit::source::{Bundle, Layout, Source};
use serde_json::{json, Value};

use super::args::{DiffArgs, Format, MatchArg};
use super::render::table::TextTable;
use super::render::{self, heading, Tone};

/// The most bytes `--hexdiff` shows.
const HEXDIFF_MAX: u64 = 1 << 20;

pub fn run(args: &DiffArgs) -> Result<ExitCode> {
    let opts = Options {
        match_by: match args.match_by {
            MatchArg::Pid => MatchBy::Pid,
            MatchArg::Comm => MatchBy::Comm,
        },
        images: args.images,
    };
    if let Some(hd) = &args.hexdiff {
        return hexdiff(args, &opts, hd[0], hd[1]);
    }
    let (a, b) = open_sides(args)?;
    // Each side's process tree read once, for its problems and the diff.
    let (ca, cb) = (super::problems::checked(&a), super::problems::checked(&b));
    let d = diff::compare_checkpoints(&ca?, &cb?, &opts)?;
    if !args.quiet {
        if args.output.format == Format::Json {
            render::print_json(&d)?;
        } else {
            let color = render::use_color(args.output.color);
            render::print_text(&report(&d, args.pages, color))?;
        }
    }
    Ok(status(d.equal))
}

/// Opens both sides once each. `--container NAME` picks the container of
/// each side that is a pod (`--container-b` names B's when it differs); a
/// side of one container ignores it, so a pod's container compares with a
/// checkpoint of that container alone. Neither side a pod: an error.
fn open_sides(args: &DiffArgs) -> Result<(Source, Source)> {
    let ba = Bundle::open(&args.a, &diff::with_pages(None))?;
    let bb = Bundle::open(&args.b, &diff::with_pages(None))?;
    let is_pod = |b: &Bundle| matches!(b.layout(), Layout::Pod(_));
    let (a_pod, b_pod) = (is_pod(&ba), is_pod(&bb));
    let name_a = args.container.as_deref().filter(|_| a_pod || !b_pod);
    let name_b = match &args.container_b {
        Some(n) => Some(n.as_str()),
        None => args.container.as_deref().filter(|_| b_pod || !a_pod),
    };
    let (mut a, mut b) = (ba.container(name_a)?, bb.container(name_b)?);
    a.set_page_size(super::page_size());
    b.set_page_size(super::page_size());
    Ok((a, b))
}

fn status(equal: bool) -> ExitCode {
    ExitCode::from(if equal { 0 } else { 1 })
}

/// A value for a table cell: strings as they are, lists and numbers as JSON,
/// `-` for nothing.
fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    }
}

fn change_row(t: &mut TextTable, lead: Vec<String>, c: &Change) {
    let mut cells = lead;
    cells.extend([c.field.clone(), cell(&c.a), cell(&c.b)]);
    t.row(cells, Tone::Plain);
}

/// The whole report for people.
pub fn report(d: &Diff, all_pages: bool, color: bool) -> String {
    let mut out = String::new();
    let verdict = if d.equal { "equal" } else { "different" };
    out += &heading(&format!("{} vs {}: {verdict}", d.a, d.b), color);
    let p = &d.processes;
    if !p.added.is_empty() || !p.removed.is_empty() {
        out += "\n";
        out += &heading("processes", color);
        let mut t = TextTable::new(&["", "PID", "PPID", "STATE", "COMM"]).right_align(&[1, 2]);
        for (sign, list) in [("-", &p.removed), ("+", &p.added)] {
            for r in list.iter() {
                let cells = vec![
                    sign.to_string(),
                    r.pid.to_string(),
                    r.ppid.to_string(),
                    r.state.as_str().to_string(),
                    r.comm.clone(),
                ];
                t.row(cells, if sign == "-" { Tone::Warn } else { Tone::Plain });
            }
        }
        out += &t.render(color);
    }
    for task in &d.tasks {
        out += "\n";
        out += &task_report(task, all_pages, color);
    }
    let m = &d.memory;
    out += "\n";
    out += &heading(
        &format!(
            "memory: {} pages equal, {} changed, {} only in A, {} only in B",
            m.equal, m.changed, m.only_a, m.only_b
        ),
        color,
    );
    if let Some(images) = &d.images {
        out += "\n";
        out += &heading("images", color);
        let same = images.images.iter().filter(|i| i.equal).count();
        if same == images.images.len() && images.only_a.is_empty() && images.only_b.is_empty() {
            out += &render::text_line(&format!("all {same} images equal"));
            return out;
        }
        let mut t = TextTable::new(&["IMAGE", "STATE", "FIRST DIFFERENCE"]);
        for n in &images.only_a {
            t.row(vec![n.clone(), "only in A".into(), String::new()], Tone::Warn);
        }
        for n in &images.only_b {
            t.row(vec![n.clone(), "only in B".into(), String::new()], Tone::Plain);
        }
        for i in images.images.iter().filter(|i| !i.equal) {
            let first = match &i.first {
                Some(c) => format!("{}: {} → {}", c.field, short(&cell(&c.a)), short(&cell(&c.b))),
                None => String::new(),
            };
            t.row(vec![i.name.clone(), "differs".into(), first], Tone::Plain);
        }
        if same > 0 {
            t.row(vec![format!("({same} more)"), "equal".into(), String::new()], Tone::Dim);
        }
        out += &t.render(color);
    }
    out
}

/// A long value cut to fit a line.
fn short(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX - 1).collect::<String>() + "…"
    }
}

fn task_report(t: &TaskDiff, all_pages: bool, color: bool) -> String {
    let mut out = String::new();
    let who = if t.pid == t.b_pid {
        format!("{} {}", t.pid, t.comm)
    } else {
        format!("{} {} (B: {})", t.pid, t.comm, t.b_pid)
    };
    out += &heading(&who, color);
    if !t.changes.is_empty() || !t.env.is_empty() {
        let mut tb = TextTable::new(&["FIELD", "A", "B"]);
        for c in &t.changes {
            change_row(&mut tb, Vec::new(), c);
        }
        for v in &t.env.removed {
            tb.row(
                vec![format!("env {}", v.name), v.value.clone(), "(unset)".into()],
                Tone::Plain,
            );
        }
        for v in &t.env.added {
            tb.row(
                vec![format!("env {}", v.name), "(unset)".into(), v.value.clone()],
                Tone::Plain,
            );
        }
        for v in &t.env.changed {
            tb.row(vec![format!("env {}", v.name), v.a.clone(), v.b.clone()], Tone::Plain);
        }
        out += &tb.render(color);
    }
    let f = &t.files;
    if !f.is_empty() {
        out += &heading("  files", color);
        let mut tb = TextTable::new(&["FD", "CHANGE", "A", "B"]).right_align(&[0]);
        for r in &f.removed {
            tb.row(
                vec![r.fd.to_string(), "closed".into(), r.object.clone(), "-".into()],
                Tone::Warn,
            );
        }
        for r in &f.added {
            tb.row(
                vec![r.fd.to_string(), "opened".into(), "-".into(), r.object.clone()],
                Tone::Plain,
            );
        }
        for c in &f.changed {
            for ch in &c.changes {
                change_row(&mut tb, vec![c.fd.to_string()], ch);
            }
        }
        out += &tb.render(color);
    }
    let v = &t.vmas;
    if !v.is_empty() {
        out += &heading("  memory map", color);
        let mut tb = TextTable::new(&["CHANGE", "A", "B"]);
        let show = |r: &diff::vmas::VmaRef| format!("{:x}-{:x} {} {}", r.start.0, r.end.0, r.prot, r.resource);
        for r in &v.removed {
            tb.row(vec!["removed".into(), show(r), "-".into()], Tone::Warn);
        }
        for r in &v.added {
            tb.row(vec!["added".into(), "-".into(), show(r)], Tone::Plain);
        }
        for c in &v.changed {
            tb.row(vec![c.what.join(","), show(&c.a), show(&c.b)], Tone::Plain);
        }
        out += &tb.render(color);
    }
    out += &pages_report(&t.pages, all_pages, color);
    out
}

/// How a task's memory pages differ, VMA by VMA (and run by run with
/// `all_pages`); nothing when they are equal.
fn pages_report(p: &diff::pages::TaskPages, all_pages: bool, color: bool) -> String {
    let mut out = String::new();
    if p.is_equal() {
        return out;
    }
    out += &heading(
        &format!(
            "  memory: {} pages equal, {} changed, {} only in A, {} only in B",
            p.equal, p.changed, p.only_a, p.only_b
        ),
        color,
    );
    let mut tb = TextTable::new(&[
        "START",
        "END",
        "KIND",
        "IN",
        "CHANGED",
        "ONLY A",
        "ONLY B",
        "FIRST CHANGED",
    ])
    .right_align(&[4, 5, 6]);
    for m in &p.vmas {
        let first: Vec<String> = m.first_changed.iter().map(|a| format!("{:x}", a.0)).collect();
        let more = if m.changed > first.len() as u64 { " …" } else { "" };
        tb.row(
            vec![
                format!("{:x}", m.start.0),
                format!("{:x}", m.end.0),
                m.kind.to_string(),
                m.side.to_string(),
                m.changed.to_string(),
                m.only_a.to_string(),
                m.only_b.to_string(),
                first.join(" ") + more,
            ],
            Tone::Plain,
        );
    }
    out += &tb.render(color);
    if all_pages {
        let mut tb = TextTable::new(&["PAGES", "START", "COUNT"]).right_align(&[2]);
        for (what, runs) in [
            ("changed", &p.changed_runs),
            ("only in A", &p.only_a_runs),
            ("only in B", &p.only_b_runs),
        ] {
            for r in runs.iter() {
                tb.row(
                    vec![what.into(), format!("{:x}", r.start.0), r.pages.to_string()],
                    Tone::Plain,
                );
            }
        }
        out += &tb.render(color);
    }
    out
}

/// `--hexdiff ADDR LEN`: both sides of a range, a line per 16 bytes; lines
/// that differ are shown twice, `-` for A and `+` for B.
fn hexdiff(args: &DiffArgs, opts: &Options, addr: u64, len: u64) -> Result<ExitCode> {
    if len > HEXDIFF_MAX {
        bail!("LEN {len} is over the {HEXDIFF_MAX} bytes --hexdiff shows");
    }
    if addr.checked_add(len).is_none() {
        bail!("{addr:#x} + {len} runs past the end of the address space");
    }
    let (a, b) = open_sides(args)?;
    let cpa = Checkpoint::from_source(a.clone())?;
    let cpb = Checkpoint::from_source(b.clone())?;
    super::problems::report(cpa.problems());
    super::problems::report(cpb.problems());
    let pid = args.pid.unwrap_or(cpa.tasks[0].pid);
    let pairing = diff::procs::pair(&cpa, &cpb, opts.match_by);
    let Some(&b_pid) = pairing.pid_map.get(&pid) else {
        bail!("{}: task {pid} has no pair in {}", a.label(), b.label());
    };
    let ma = MemReader::from_source(a, Some(pid))?;
    let mb = MemReader::from_source(b, Some(b_pid))?;
    let h = diff::pages::hexdiff(&ma, &mb, addr, len as usize)?;
    let equal = h.a == h.b && h.a_missing == h.b_missing;
    if args.quiet {
        return Ok(status(equal));
    }
    if args.output.format == Format::Json {
        let ranges = |m: &[std::ops::Range<u64>]| -> Vec<Value> {
            m.iter()
                .map(|r| json!({"start": format!("{:#x}", r.start), "end": format!("{:#x}", r.end)}))
                .collect()
        };
        let hexs = crit::hex::encode;
        render::print_json(&json!({
            "pid": pid,
            "b_pid": b_pid,
            "address": format!("{addr:#x}"),
            "length": len,
            "equal": equal,
            "a": hexs(&h.a),
            "b": hexs(&h.b),
            "a_missing": ranges(&h.a_missing),
            "b_missing": ranges(&h.b_missing),
        }))?;
    } else {
        render::print_text(&hexdiff_text(&h, render::use_color(args.output.color)))?;
        // Notes go to standard error, as `mem read`'s do.
        for (side, missing) in [("A", &h.a_missing), ("B", &h.b_missing)] {
            for m in missing.iter().filter(|_| !super::progress::quiet()) {
                eprintln!(
                    "crit: note: {:#x}-{:#x} is not in {side}; shown as zeros",
                    m.start, m.end
                );
            }
        }
    }
    Ok(status(equal))
}

fn hexdiff_text(h: &HexDiff, color: bool) -> String {
    use owo_colors::OwoColorize;
    let width = format!("{:x}", h.addr + h.a.len() as u64).len().max(8);
    let line = |sign: char, at: u64, bytes: &[u8], other: &[u8]| {
        let mut hexs = String::with_capacity(64);
        for j in 0..16 {
            let cell = match bytes.get(j) {
                Some(b) if color && other.get(j) != Some(b) => format!("{b:02x}").reversed().to_string(),
                Some(b) => format!("{b:02x}"),
                None => "  ".to_string(),
            };
            hexs += &cell;
            if j % 2 == 1 && j < 15 {
                hexs.push(' ');
            }
        }
        format!("{sign}{at:0width$x}: {hexs}  {}\n", printable(bytes))
    };
    let mut out = String::new();
    for (i, (la, lb)) in h.a.chunks(16).zip(h.b.chunks(16)).enumerate() {
        let at = h.addr + 16 * i as u64;
        if la == lb {
            out += &line(' ', at, la, lb);
        } else {
            out += &line('-', at, la, lb);
            out += &line('+', at, lb, la);
        }
    }
    out
}
