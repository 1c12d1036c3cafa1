//! `crit check CHECKPOINT [--container NAME] [--root DIR] [--format json]`:
//! every blocker of a restore on this machine, grouped by area, each with
//! what to do; notes apart. Exit 0 ready, 1 problems found, 2 could not check.

use std::process::ExitCode;

use anyhow::{bail, Result};
use crit::check::{self, Area, Finding, Options, ProcHost, Report};
use crit::checkpoint::Checkpoint;
use crit::source::{OpenOptions, Source};

use super::args::{CheckArgs, Format};
use super::render::{print_json, use_color, Text, Tone};

pub fn run(a: &CheckArgs) -> Result<ExitCode> {
    if !a.root.is_dir() {
        bail!("{}: --root needs a directory (the root file system)", a.root.display());
    }
    let opts = OpenOptions {
        container: a.container.clone(),
        listings: true,
        page_size: super::page_size(),
        ..OpenOptions::default()
    };
    let cp = Checkpoint::from_source(Source::open(&a.dir, &opts)?)?;
    let report = check::check(&cp, &Options { root: a.root.clone() }, &ProcHost::default())?;
    match a.output.format {
        Format::Json => print_json(&report)?,
        Format::Table => table(&report, use_color(a.output.color))?,
    }
    Ok(ExitCode::from(if report.ready { 0 } else { 1 }))
}

fn table(r: &Report, color: bool) -> Result<()> {
    let mut out = Text::stdout(color, None)?;
    let mut area: Option<Area> = None;
    for p in &r.problems {
        if area != Some(p.area) {
            if area.is_some() {
                out.line(Tone::Plain, "")?;
            }
            area = Some(p.area);
            let n = r.problems.iter().filter(|q| q.area == p.area).count();
            let what = if n == 1 { "problem" } else { "problems" };
            out.line(
                Tone::Heading,
                &format!("{} ({n} {what})", p.area.as_str().to_uppercase()),
            )?;
        }
        problem(&mut out, p)?;
    }
    if !r.notes.is_empty() {
        if area.is_some() {
            out.line(Tone::Plain, "")?;
        }
        out.line(Tone::Heading, "NOTES")?;
        for n in &r.notes {
            out.line(Tone::Dim, &format!("  {}: {}", n.area.as_str(), n.message))?;
        }
    }
    if !r.problems.is_empty() || !r.notes.is_empty() {
        out.line(Tone::Plain, "")?;
    }
    let verdict = if r.ready {
        "ready: nothing found that would stop the restore".to_string()
    } else {
        let n = r.problems.len();
        format!("not ready: {n} {} found", if n == 1 { "problem" } else { "problems" })
    };
    out.line(if r.ready { Tone::Plain } else { Tone::Warn }, &verdict)?;
    out.finish()?;
    Ok(())
}

fn problem(out: &mut Text, p: &Finding) -> crit::Result<()> {
    out.line(Tone::Warn, &format!("  {}", p.message))?;
    // A file that a thousand tasks map: the first few, and how many more.
    const SHOWN: usize = 3;
    for u in p.used_by.iter().take(SHOWN) {
        out.line(Tone::Dim, &format!("    used by {u}"))?;
    }
    if p.used_by.len() > SHOWN {
        let more = p.used_by.len() - SHOWN;
        out.line(
            Tone::Dim,
            &format!("    used by {more} more {}", if more == 1 { "task" } else { "tasks" }),
        )?;
    }
    if let Some(fix) = &p.fix {
        out.line(Tone::Plain, &format!("    fix: {fix}"))?;
    }
    Ok(())
}
