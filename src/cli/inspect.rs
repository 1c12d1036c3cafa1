//! `crit inspect ARCHIVE...`: one container checkpoint in full, or one
//! summary line per checkpoint when given several.

use std::process::ExitCode;

use anyhow::Result;
use crit::archive::{EntryKind, NestedEntry};
use crit::inspect::{self, Container, Inspection};

use super::args::{Format, InspectArgs};
use super::escape::escape;
use super::render::table::{indented, TextTable};
use super::render::{self, heading, human_size, Tone};

/// The tasks' architectures and the page size: `x86_64, 4 KiB pages`.
fn architecture(c: &inspect::Container) -> String {
    let mut archs: Vec<&str> = c.processes.iter().map(|p| p.arch.as_str()).collect();
    archs.sort_unstable();
    archs.dedup();
    let archs = match archs.is_empty() {
        true => "-".to_string(),
        false => archs.join(", "),
    };
    match c.criu.page_size {
        Some(p) => format!("{archs}, {} pages", crit::mem::page_size_label(p)),
        None => format!("{archs}, page size unknown (see the problems below)"),
    }
}

/// Several paths are reported each in turn, as `ls` does: one that cannot
/// be read is an error line on standard error, the others are shown, and
/// the exit status is 1.
pub fn run(args: &InspectArgs) -> Result<ExitCode> {
    let mut all = Vec::with_capacity(args.paths.len());
    let mut failed = false;
    for p in &args.paths {
        match inspect::inspect_with(p, args.container.as_deref(), super::page_size()) {
            Ok(i) => all.push(i),
            Err(e) if args.paths.len() == 1 => return Err(e.into()),
            Err(e) => {
                failed = true;
                eprintln!("crit: {}", escape(&e.to_string()));
            }
        }
    }
    let color = render::use_color(args.output.color);
    match (args.output.format, args.paths.len()) {
        (Format::Json, 1) => render::print_json(&all[0])?,
        (Format::Json, _) => render::print_json(&all)?,
        (Format::Table, 1) => render::print_text(&full(&all[0], color))?,
        (Format::Table, _) if all.is_empty() => {}
        (Format::Table, _) => render::print_text(&summary(&all, color))?,
    }
    unread(&all)?;
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Everything readable has been shown; a part that was not (a truncated
/// image, a directory that is no checkpoint) still makes the exit status 1,
/// as for every other command given bad input.
fn unread(all: &[Inspection]) -> Result<()> {
    let mut problems = all.iter().flat_map(|i| &i.containers).flat_map(|c| &c.problems);
    match (problems.next(), problems.count()) {
        (None, _) => Ok(()),
        (Some(first), 0) => anyhow::bail!("{first}"),
        (Some(first), more) => anyhow::bail!("{first} (and {more} more not read)"),
    }
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "-".to_string(), str::to_string)
}

/// When it was checkpointed, a guess marked as one.
fn checkpointed(c: &Container, guess: &str) -> String {
    match &c.checkpointed {
        Some(t) if c.checkpointed_guessed => format!("{t} {guess}"),
        t => opt(t),
    }
}

fn short_id(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(|| "-".to_string(), |id| id.chars().take(12).collect::<String>())
}

/// A command line, arguments quoted when they hold spaces.
fn cmdline(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            // Quoted when it would not read as one word; its control
            // characters are escaped with the rest of the cell.
            if a.is_empty() || a.contains([' ', '\t', '\n', '"', '\'']) {
                let q = if a.contains('"') { '\'' } else { '"' };
                format!("{q}{a}{q}")
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn summary(all: &[Inspection], color: bool) -> String {
    let mut t = TextTable::new(&[
        "ARCHIVE",
        "ENGINE",
        "CONTAINER",
        "IMAGE",
        "ID",
        "PROCS",
        "MEMORY",
        "CHECKPOINTED",
    ])
    .right_align(&[5, 6]);
    for i in all {
        let first = i.containers.first();
        let name = match &i.pod {
            Some(p) => format!("pod {} ({} containers)", opt(&p.name), i.containers.len()),
            None => first.map_or("-".into(), |c| opt(&c.name)),
        };
        let procs: usize = i.containers.iter().map(|c| c.processes.len()).sum();
        let mem: u64 = i.containers.iter().map(|c| c.sizes.memory_pages).sum();
        t.row(
            vec![
                i.path.to_string(),
                first.map_or("-", |c| c.engine.as_str()).to_string(),
                name,
                first.map_or("-".into(), |c| opt(&c.image)),
                first.map_or("-".into(), |c| short_id(&c.id)),
                procs.to_string(),
                human_size(mem),
                first.map_or("-".into(), |c| checkpointed(c, "(guess)")),
            ],
            Tone::Plain,
        );
    }
    t.render(color)
}

fn full(i: &Inspection, color: bool) -> String {
    let mut out = String::new();
    let archive = match (i.compression, i.archive_size) {
        (Some(c), Some(n)) => format!("{} ({}, {} stored)", i.path, c, human_size(n)),
        _ => i.path.to_string(),
    };
    if let Some(p) = &i.pod {
        out += &heading(&format!("Pod {}", opt(&p.name)), color);
        let mut t = TextTable::new(&["", ""]);
        t.row(vec!["archive".into(), archive.clone()], Tone::Plain);
        t.row(vec!["namespace".into(), opt(&p.namespace)], Tone::Plain);
        t.row(vec!["uid".into(), opt(&p.uid)], Tone::Plain);
        t.row(
            vec![
                "containers".into(),
                i.containers.iter().map(|c| opt(&c.name)).collect::<Vec<_>>().join(", "),
            ],
            Tone::Plain,
        );
        out += &body(&t, color);
        out += &annotations(&p.annotations, color);
    }
    for c in &i.containers {
        out += "\n";
        out += &container(c, &archive, i.pod.is_some(), color);
    }
    out.trim_start_matches('\n').to_string()
}

/// A headerless two-column table, without its (empty) header line.
fn body(t: &TextTable, color: bool) -> String {
    let s = t.clone().render(color);
    s.split_once('\n').map_or(String::new(), |(_, rest)| rest.to_string())
}

fn annotations(a: &std::collections::BTreeMap<String, String>, color: bool) -> String {
    if a.is_empty() {
        return String::new();
    }
    let mut t = TextTable::new(&["", ""]);
    for (k, v) in a {
        t.row(vec![k.to_string(), v.to_string()], Tone::Plain);
    }
    format!("\n{}{}", heading("ANNOTATIONS", color), body(&t, color))
}

fn listing(entries: &[NestedEntry], t: &mut TextTable, what: &str) {
    for e in entries {
        let (size, tone) = match e.kind {
            EntryKind::File => (human_size(e.size), Tone::Plain),
            EntryKind::Dir => ("dir".into(), Tone::Dim),
            EntryKind::Symlink | EntryKind::Hardlink => (
                format!("-> {}", e.target.as_deref().map_or_else(String::new, str::to_string)),
                Tone::Dim,
            ),
            EntryKind::Other => ("other".into(), Tone::Dim),
        };
        t.row(vec![what.to_string(), format!("/{}", e.path.to_string()), size], tone);
    }
}

fn container(c: &Container, archive: &str, in_pod: bool, color: bool) -> String {
    let mut out = summary_section(c, archive, in_pod, color);
    out += &processes_section(c, color);
    out += &mounts_section(c, color);
    out += &files_section(c, color);
    out += &stats_section(c, color);
    out += &annotations(&c.annotations, color);
    if !c.problems.is_empty() {
        out += &format!("\n{}", heading("NOT READ", color));
        for p in &c.problems {
            out += &render::text_line(&format!("  {p}"));
        }
    }
    out
}

/// The container's heading and its table of facts.
fn summary_section(c: &Container, archive: &str, in_pod: bool, color: bool) -> String {
    let title = if c.engine == crit::inspect::metadata::Engine::Unknown && c.name.is_none() && c.id.is_none() {
        "CRIU checkpoint (no container metadata)".to_string()
    } else {
        format!("{} {} container {}", opt(&c.name), c.engine.as_str(), short_id(&c.id))
    };
    let mut out = heading(&title, color);
    let mut t = TextTable::new(&["", ""]);
    if !in_pod {
        t.row(vec!["archive".into(), archive.to_string()], Tone::Plain);
    }
    if let Some(f) = &c.folder {
        t.row(vec!["folder".into(), f.to_string()], Tone::Plain);
    }
    let image = match (&c.image, &c.image_ref) {
        (Some(n), Some(r)) => format!("{} ({})", n, r),
        (n, r) => opt(&n.clone().or(r.clone())),
    };
    t.row(vec!["image".into(), image], Tone::Plain);
    t.row(vec!["runtime".into(), opt(&c.runtime)], Tone::Plain);
    t.row(vec!["created".into(), opt(&c.created)], Tone::Plain);
    t.row(
        vec![
            "checkpointed".into(),
            checkpointed(c, "(a guess: when inventory.img was last modified)"),
        ],
        Tone::Plain,
    );
    let criu = match (&c.criu.version, c.criu.image_version) {
        (Some(v), Some(i)) => format!("{} (image format {i})", v),
        (Some(v), None) => v.to_string(),
        (None, Some(i)) => format!("version not recorded (image format {i})"),
        (None, None) => "-".into(),
    };
    t.row(vec!["CRIU".into(), criu], Tone::Plain);
    t.row(vec!["architecture".into(), architecture(c)], Tone::Plain);
    t.row(vec!["command".into(), cmdline(&c.command)], Tone::Plain);
    if let Some(k) = &c.kubernetes {
        t.row(
            vec![
                "kubernetes".into(),
                format!(
                    "pod {} in namespace {} (uid {}), container {}",
                    opt(&k.pod),
                    opt(&k.namespace),
                    opt(&k.pod_uid),
                    opt(&k.container)
                ),
            ],
            Tone::Plain,
        );
    }
    let s = &c.sizes;
    t.row(
        vec![
            "sizes".into(),
            format!(
                "images {} (memory pages {}), rootfs diff {}, volumes {}, /dev/shm {}",
                human_size(s.images),
                human_size(s.memory_pages),
                human_size(s.rootfs_diff),
                human_size(s.volumes),
                human_size(s.devshm)
            ),
        ],
        Tone::Plain,
    );
    let net = match (&c.network.status, c.network.addresses.is_empty()) {
        (_, false) => c
            .network
            .addresses
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        (Some(serde_json::Value::Null) | None, true) => "none (no network.status)".into(),
        (Some(_), true) => "no addresses in network.status".into(),
    };
    t.row(vec!["network".into(), net], Tone::Plain);
    if !c.network.interfaces.is_empty() {
        let ifs = c
            .network
            .interfaces
            .iter()
            .map(|i| format!("{} ({}, mtu {})", i.name, i.kind.to_lowercase(), i.mtu))
            .collect::<Vec<_>>()
            .join(", ");
        t.row(vec!["interfaces".into(), ifs], Tone::Plain);
    }
    out += &body(&t, color);
    out
}

/// The processes; their architectures when they differ (a 32-bit compat task).
fn processes_section(c: &Container, color: bool) -> String {
    let mixed = c.processes.iter().any(|p| p.arch != c.processes[0].arch);
    let head: &[&str] = match mixed {
        true => &["PID", "PPID", "STATE", "ARCH", "COMMAND"],
        false => &["PID", "PPID", "STATE", "COMMAND"],
    };
    let mut t = TextTable::new(head).right_align(&[0, 1]);
    for p in &c.processes {
        let cmd = p
            .args
            .as_deref()
            .filter(|a| !a.is_empty())
            // As `crit x` and ps show a task without a command line.
            .map_or_else(|| format!("[{}]", p.comm), cmdline);
        let tone = if p.state == "alive" { Tone::Plain } else { Tone::Warn };
        let mut row = vec![p.pid.to_string(), p.ppid.to_string(), p.state.to_string()];
        if mixed {
            row.push(p.arch.clone());
        }
        row.push(indented("    ", p.depth, &cmd));
        t.row(row, tone);
    }
    format!("\n{}{}", heading("PROCESSES", color), t.render(color))
}

/// The spec's mounts and the mountpoints image's.
fn mounts_section(c: &Container, color: bool) -> String {
    let mut out = String::new();
    if !c.mounts.is_empty() {
        let mut t = TextTable::new(&["DESTINATION", "TYPE", "SOURCE"]);
        for m in &c.mounts {
            t.row(
                vec![m.destination.to_string(), opt(&m.kind), opt(&m.source)],
                Tone::Plain,
            );
        }
        out += &format!("\n{}{}", heading("MOUNTS (spec)", color), t.render(color));
    }
    if !c.mountpoints.is_empty() {
        let mut t = TextTable::new(&["ID", "PARENT", "MOUNTPOINT", "TYPE", "SOURCE"]).right_align(&[0, 1]);
        let mut ms = c.mountpoints.clone();
        ms.sort_by(|a, b| a.mountpoint.cmp(&b.mountpoint));
        for m in &ms {
            t.row(
                vec![
                    m.mnt_id.to_string(),
                    m.parent_mnt_id.to_string(),
                    m.mountpoint.to_string(),
                    m.fstype.to_string(),
                    m.source.to_string(),
                ],
                Tone::Plain,
            );
        }
        out += &format!(
            "\n{}{}",
            heading("MOUNTPOINTS (mountpoints image)", color),
            t.render(color)
        );
    }
    out
}

/// The files deleted, changed, in volumes and in `/dev/shm`.
fn files_section(c: &Container, color: bool) -> String {
    let mut t = TextTable::new(&["CHANGE", "PATH", "SIZE"]);
    for d in &c.deleted_files {
        t.row(vec!["deleted".into(), d.to_string(), String::new()], Tone::Warn);
    }
    listing(&c.rootfs_diff, &mut t, "added/changed");
    for v in &c.volumes {
        let dest = v
            .destination
            .as_deref()
            .map_or_else(String::new, |d| format!(" at {}", d));
        t.row(
            vec![
                format!("volume {}{dest}", v.name.to_string()),
                String::new(),
                human_size(v.size),
            ],
            Tone::Dim,
        );
        listing(&v.files, &mut t, "  volume file");
    }
    listing(&c.devshm, &mut t, "/dev/shm");
    let mut out = String::new();
    if !(c.deleted_files.is_empty() && c.rootfs_diff.is_empty() && c.volumes.is_empty() && c.devshm.is_empty()) {
        out += &format!("\n{}{}", heading("FILES", color), t.render(color));
    }
    out
}

/// The dump statistics, as `crit stats` shows them.
fn stats_section(c: &Container, color: bool) -> String {
    let mut out = String::new();
    if let Some(stats) = &c.dump_stats {
        // The rows of `crit stats`: one table of labels and units.
        let mut t = TextTable::new(&["", "", ""]).right_align(&[1]);
        for f in super::stats::with_values(super::stats::dump_template(), stats) {
            t.row(
                super::stats::row(&f, c.criu.page_size.unwrap_or(crit::mem::PAGE_SIZE)).to_vec(),
                Tone::Plain,
            );
        }
        out += &format!(
            "\n{}{}",
            heading("DUMP STATISTICS (stats-dump)", color),
            body(&t, color)
        );
    }
    out
}
