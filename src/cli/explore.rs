//! `crit x DIR ps|fds|mems|rss|sk|net|mnt|ns|cg`: the explorers, as tables or JSON.

use anyhow::Result;
use crit::explore::select::{self, Selected};
use crit::explore::{cg, fds, mems, mnt, net, ns, overview, ps, rss, sk, Checkpoint, TaskHead, TaskState};
use crit::source::{OpenOptions, Source};

use super::args::{ExploreArgs, Explorer, Format};
use super::explore_ct;
use super::render::{self, heading, human_size, TextTable, Tone};

/// Tables are laid out for a terminal this wide (long paths wrap).
const WIDTH: usize = 80;

/// Runs `crit x DIR WHAT`: opens the checkpoint, runs the explorer and prints
/// its report as a table or as JSON.
pub fn run(args: &ExploreArgs) -> Result<()> {
    let opts = OpenOptions {
        container: args.container.clone(),
        // The overview reads each task's command line from its memory.
        pages: args.what.is_none(),
        ..OpenOptions::default()
    };
    let mut cp = Checkpoint::from_source(Source::open(&args.dir, &opts)?)?;
    if let Some(pid) = args.pid {
        let sel = select::select(&mut cp, pid, args.tree)?;
        note_thread(&sel);
    }
    let json = args.output.format == Format::Json;
    let filter = args.filter.filter();
    if !filter.is_empty() && !matches!(args.what, Some(Explorer::Mems | Explorer::Rss)) {
        usage("--prot, --kind and --range filter mappings: they go with mems and rss");
    }
    let color = render::use_color(args.output.color);
    let Some(what) = args.what else {
        let r = overview::explore(&cp)?;
        return if json {
            render::print_json(&r)
        } else {
            render::print_text(&overview_table(&r, color))
        };
    };
    match what {
        Explorer::Ps => {
            let r = ps::explore(&cp);
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&ps_table(&r, color))
            }
        }
        Explorer::Fds => {
            let r = fds::explore(&cp)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&fds_table(&r, color))
            }
        }
        Explorer::Mems => {
            let r = mems::explore_filtered(&cp, &filter)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&mems_table(&r, color))
            }
        }
        Explorer::Rss => {
            let r = rss::explore_filtered(&cp, &filter)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&rss_table(&r, color))
            }
        }
        Explorer::Sk => {
            let r = sk::explore(&cp)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&sk_table(&r, color))
            }
        }
        Explorer::Net => {
            let r = net::explore(&cp)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&explore_ct::net_table(&r, color))
            }
        }
        Explorer::Mnt => {
            let r = mnt::explore(&cp)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&explore_ct::mnt_table(&r, color))
            }
        }
        Explorer::Ns => {
            let r = ns::explore(&cp)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&explore_ct::ns_table(&r, color))
            }
        }
        Explorer::Cg => {
            let r = cg::explore(&cp)?;
            if json {
                render::print_json(&r)
            } else {
                render::print_text(&explore_ct::cg_table(&r, color))
            }
        }
    }
}

/// Exits as clap does for a usage error (status 2).
pub fn usage(msg: &str) -> ! {
    use clap::CommandFactory;
    let mut cli = super::args::Cli::command();
    cli.build();
    let x = cli.find_subcommand_mut("x").expect("the x command");
    x.error(clap::error::ErrorKind::ArgumentConflict, msg).exit()
}

/// `--pid` named a thread: say which process is shown instead.
pub fn note_thread(sel: &Selected) {
    if let Some(tid) = sel.thread {
        eprintln!(
            "crit: note: {tid} is a thread of process {}; showing {}",
            sel.pid, sel.pid
        );
    }
}

/// `20975 files` (and the state when it is not plain alive).
fn task_line(t: &TaskHead) -> String {
    match t.state {
        TaskState::Alive => format!("{} {}", t.pid, t.comm),
        s => format!("{} {} ({})", t.pid, t.comm, s.as_str()),
    }
}

/// A task without resources gets one line saying why it has nothing to show.
fn no_resources(t: &TaskHead, what: &str, color: bool) -> String {
    heading(
        &format!("{}: CRIU saves no {what} for a {} task", task_line(t), t.state.as_str()),
        color,
    )
}

/// The overview as a table: one row per task, `COMMAND` indented by depth
/// (`[comm]` when the checkpoint holds no command line).
pub fn overview_table(r: &overview::OverviewReport, color: bool) -> String {
    let mut t = TextTable::new(&["PID", "PPID", "THR", "STATE", "MEMORY", "FDS", "SOCKETS", "COMMAND"])
        .right_align(&[0, 1, 2, 4, 5, 6]);
    for p in &r.tasks {
        let command = match &p.argv {
            Some(argv) if !argv.is_empty() => argv.join(" "),
            _ => format!("[{}]", p.comm),
        };
        // The command line is the process's own memory: no control
        // character of it reaches the terminal.
        let command: String = command.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
        let tone = if p.state == TaskState::Alive {
            Tone::Plain
        } else {
            Tone::Warn
        };
        t.row(
            vec![
                p.pid.to_string(),
                p.ppid.to_string(),
                p.threads.to_string(),
                p.state.as_str().to_string(),
                human_size(p.memory_held),
                p.fds.to_string(),
                p.sockets.to_string(),
                format!("{}{command}", "  ".repeat(p.depth)),
            ],
            tone,
        );
    }
    t.fit(WIDTH).render(color)
}

/// The `ps` report as a table: one row per task, `COMM` indented by depth.
pub fn ps_table(r: &ps::PsReport, color: bool) -> String {
    let mut t = TextTable::new(&["PID", "PPID", "PGID", "SID", "THR", "STATE", "COMM"]).right_align(&[0, 1, 2, 3, 4]);
    for p in &r.tasks {
        let state = match (p.exit_status, p.exit_signal) {
            (Some(code), _) => format!("{} (exit {code})", p.state.as_str()),
            (_, Some(sig)) => format!("{} ({})", p.state.as_str(), crit::explore::names::signal(sig)),
            _ => p.state.as_str().to_string(),
        };
        let tone = if p.state == TaskState::Alive {
            Tone::Plain
        } else {
            Tone::Warn
        };
        let comm = format!("{}{}", "    ".repeat(p.depth), p.comm);
        let cells = [p.pid, p.ppid, p.pgid, p.sid].map(|n| n.to_string());
        t.row(
            cells.into_iter().chain([p.threads.to_string(), state, comm]).collect(),
            tone,
        );
    }
    t.render(color)
}

/// The `fds` report as a table per task, with cwd and root rows last.
pub fn fds_table(r: &fds::FdsReport, color: bool) -> String {
    let mut out = String::new();
    for task in &r.tasks {
        if !out.is_empty() {
            out.push('\n');
        }
        if !task.task.state.has_resources() {
            out += &no_resources(&task.task, "files", color);
            continue;
        }
        out += &heading(&task_line(&task.task), color);
        let mut t = TextTable::new(&["FD", "TYPE", "OBJECT"]).right_align(&[0]);
        for f in &task.fds {
            let tone = if f.object.ends_with(" (deleted)") {
                Tone::Warn
            } else {
                Tone::Plain
            };
            t.row(
                vec![f.fd.to_string(), f.kind.clone(), format!("{}{}", f.object, f.detail())],
                tone,
            );
        }
        for (name, path) in [("cwd", &task.cwd), ("root", &task.root)] {
            if let Some(p) = path {
                t.row(vec![name.to_string(), String::new(), p.clone()], Tone::Dim);
            }
        }
        out += &t.fit(WIDTH).render(color);
    }
    out
}

/// The `mems` report as a table per task, headed by the executable.
pub fn mems_table(r: &mems::MemsReport, color: bool) -> String {
    let mut out = String::new();
    for task in &r.tasks {
        if !out.is_empty() {
            out.push('\n');
        }
        if !task.task.state.has_resources() {
            out += &no_resources(&task.task, "memory", color);
            continue;
        }
        let exe = task.exe.as_deref().unwrap_or("?");
        out += &heading(&format!("{}: exe {exe}", task_line(&task.task)), color);
        let mut t = TextTable::new(&["START", "END", "PROT", "RESOURCE"]).right_align(&[0, 1]);
        for v in &task.vmas {
            let tone = if v.regular { Tone::Plain } else { Tone::Dim };
            t.row(
                vec![hex(v.start.0), hex(v.end.0), v.prot.clone(), v.resource.clone()],
                tone,
            );
        }
        out += &t.fit(WIDTH).render(color);
    }
    out
}

/// The `rss` report as a table per task: each run and the VMAs it overlaps.
pub fn rss_table(r: &rss::RssReport, color: bool) -> String {
    let mut out = String::new();
    for task in &r.tasks {
        if !out.is_empty() {
            out.push('\n');
        }
        if !task.task.state.has_resources() {
            out += &no_resources(&task.task, "pages", color);
            continue;
        }
        let kib = task.present_pages * 4;
        let parent = match (task.parent_pages, task.parent_missing) {
            (0, _) => String::new(),
            (n, false) => format!(", {n} in the parent checkpoint"),
            (n, true) => format!(", {n} in a parent checkpoint that is MISSING"),
        };
        out += &heading(
            &format!(
                "{}: {} pages present ({kib} KiB){parent}",
                task_line(&task.task),
                task.present_pages
            ),
            color,
        );
        let mut t = TextTable::new(&["RUN", "PAGES", "IN VMA", "PAGES", "FILE"]).right_align(&[0, 1, 2, 3]);
        for run in &task.runs {
            let mut first = true;
            let pages = if run.in_parent {
                format!("{} parent", run.pages)
            } else {
                run.pages.to_string()
            };
            let start = hex(run.start.0);
            let run_cells = |first: bool| {
                if first {
                    [start.clone(), pages.clone()]
                } else {
                    Default::default()
                }
            };
            if run.vmas.is_empty() {
                t.row(
                    run_cells(true)
                        .into_iter()
                        .chain(["-".into(), String::new(), String::new()])
                        .collect(),
                    Tone::Warn,
                );
            }
            for v in &run.vmas {
                let cells: [String; 3] = if v.same_as_previous {
                    ["~".into(), String::new(), String::new()]
                } else {
                    [hex(v.start.0), v.pages.to_string(), v.path.clone().unwrap_or_default()]
                };
                t.row(run_cells(first).into_iter().chain(cells).collect(), Tone::Plain);
                first = false;
            }
        }
        out += &t.fit(WIDTH).render(color);
    }
    out
}

/// The `sk` report as a table per task, `ss`-like.
pub fn sk_table(r: &sk::SkReport, color: bool) -> String {
    let mut out = String::new();
    for task in &r.tasks {
        if !out.is_empty() {
            out.push('\n');
        }
        if !task.task.state.has_resources() {
            out += &no_resources(&task.task, "sockets", color);
            continue;
        }
        out += &heading(&task_line(&task.task), color);
        if task.sockets.is_empty() {
            out += "no sockets\n";
            continue;
        }
        let mut t =
            TextTable::new(&["FD", "NETID", "STATE", "QUEUED", "BUF S/R", "LOCAL", "PEER"]).right_align(&[0, 3]);
        for s in &task.sockets {
            let queued = s.recv_queued + s.send_queued;
            let bufs = format!("{}/{}", human_size(s.send_buf.into()), human_size(s.recv_buf.into()));
            let tone = if queued > 0 { Tone::Warn } else { Tone::Plain };
            t.row(
                vec![
                    s.fd.to_string(),
                    netid(s),
                    short_state(s),
                    queued.to_string(),
                    bufs,
                    sk::local(s),
                    sk::remote(s),
                ],
                tone,
            );
        }
        out += &t.fit(WIDTH).render(color);
    }
    out
}

/// ss's short names: `tcp`, `udp6`, `u_str`, `nl`, `p_raw`.
fn netid(s: &sk::Socket) -> String {
    let kind = s.kind.as_deref().unwrap_or("");
    let short = |k: &str| match k {
        "stream" => "str".to_string(),
        "dgram" => "dgr".to_string(),
        "seqpacket" => "seq".to_string(),
        other => other.to_string(),
    };
    match s.family.as_str() {
        "unix" => format!("u_{}", short(kind)),
        "netlink" => "nl".to_string(),
        "packet" => format!("p_{}", short(kind)),
        "inet" => s.protocol.clone().unwrap_or_default(),
        "inet6" => format!("{}6", s.protocol.as_deref().unwrap_or("")),
        other => other.to_string(),
    }
}

/// ss's state names, short enough for the table: `ESTAB`, `UNCONN`.
fn short_state(s: &sk::Socket) -> String {
    match (s.state.as_deref(), s.kind.as_deref()) {
        (Some("ESTABLISHED"), _) => "ESTAB".into(),
        (Some("CLOSE"), Some("dgram")) | (Some("CLOSE"), None) => "UNCONN".into(),
        (Some(st), _) => st.into(),
        (None, _) => "-".into(),
    }
}

fn hex(v: u64) -> String {
    format!("{v:x}")
}
