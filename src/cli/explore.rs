//! `crit x DIR ps|fds|mems|rss|sk|net|mnt|ns|cg`: the explorers, as tables or JSON.

use anyhow::Result;
use crit::checkpoint::files::FileTable;
use crit::explore::select::{self, Selected};
use crit::explore::{
    cg, fds, mems, mnt, net, ns, overview, ps, queues, rss, sk, Checkpoint, Lazy, TaskHead, TaskState,
};
use crit::mem::VmaFilter;
use crit::source::{OpenOptions, Source};
use serde::Serialize;

use super::args::{ExploreArgs, Explorer, Format};
use super::render::explore_ct;
use super::render::table::{self, indented, Cell, Table, TextTable};
use super::render::{self, human_size, Text, Tone};

/// Runs `crit x DIR WHAT`: opens the checkpoint, runs the explorer and prints
/// its report as tables or as JSON. The task explorers stream: tasks are
/// read on a second thread a bounded way ahead of the one writing them, and
/// a task's rows are produced as they are written, so a checkpoint of
/// thousands of tasks (or a task of 100,000 mappings) stays small.
pub fn run(args: &ExploreArgs) -> Result<()> {
    let opts = OpenOptions {
        container: args.container.clone(),
        // The overview reads each task's command line from its memory.
        pages: args.what.is_none(),
        page_size: super::page_size(),
        ..OpenOptions::default()
    };
    let mut cp = Checkpoint::from_source(Source::open(&args.dir, &opts)?)?;
    if let Some(pid) = args.pid {
        let sel = select::select(&mut cp, pid, args.tree)?;
        note_thread(&sel);
    }
    super::problems::report(cp.problems());
    let json = args.output.format == Format::Json;
    let filter = args.filter.filter();
    if !filter.is_empty() && !matches!(args.what, Some(Explorer::Mems | Explorer::Rss)) {
        let msg = "--prot, --kind and --range filter mappings: they go with mems and rss";
        return Err(super::usage_error(&["x"], msg));
    }
    let color = render::use_color(args.output.color);
    table::force_width(args.width);
    let Some(what) = args.what else {
        let r = overview::explore(&cp)?;
        return if json {
            render::print_json(&r)
        } else {
            let mut out = Text::stdout(color, table::table_width(args.width))?;
            out.line(Tone::Dim, &overview_heading(&r))?;
            overview_table(&r).write(&mut out)?;
            out.finish()?;
            Ok(())
        };
    };
    if json {
        return json_report(&cp, what, &filter);
    }
    let mut out = Text::stdout(color, table::table_width(args.width))?;
    match what {
        Explorer::Ps => ps_table(&mut out, &ps::explore(&cp))?,
        Explorer::Fds => {
            let table = FileTable::load(&cp)?;
            fds::with_tasks(&cp, &table, |tasks| for_each(tasks, |t| fds_table(&mut out, &t)))?
        }
        Explorer::Mems => {
            let table = FileTable::load(&cp)?;
            mems::with_tasks(&cp, &table, &filter, |tasks| {
                for_each(tasks, |t| mems_table(&mut out, &t))
            })?
        }
        Explorer::Rss => {
            let table = FileTable::load(&cp)?;
            rss::with_tasks(&cp, &table, &filter, |tasks| {
                for_each(tasks, |t| rss_table(&mut out, &t))
            })?
        }
        Explorer::Sk => {
            let table = FileTable::load(&cp)?;
            let queued = queues::sk_queues(&cp)?;
            sk::with_tasks(&cp, &table, &queued, |tasks| {
                for_each(tasks, |t| sk_table(&mut out, &t))
            })?
        }
        Explorer::Net => explore_ct::net_table(&mut out, &net::explore(&cp)?)?,
        Explorer::Mnt => explore_ct::mnt_table(&mut out, &mnt::explore(&cp)?)?,
        Explorer::Ns => explore_ct::ns_table(&mut out, &ns::explore(&cp)?)?,
        Explorer::Cg => explore_ct::cg_table(&mut out, &cg::explore(&cp)?)?,
    }
    out.finish()?;
    Ok(())
}

/// `--pid` named a thread: say which process is shown instead.
pub fn note_thread(sel: &Selected) {
    if let Some(tid) = sel.thread.filter(|_| !super::progress::quiet()) {
        eprintln!(
            "crit: note: {tid} is a thread of process {}; showing {}",
            sel.pid, sel.pid
        );
    }
}

/// The report as one JSON document (`{"tasks": [...]}` for the task
/// explorers, written task by task).
fn json_report(cp: &Checkpoint, what: Explorer, filter: &VmaFilter) -> Result<()> {
    #[derive(Serialize)]
    struct Report<T> {
        tasks: T,
    }
    // The tasks are read on a second thread while they are written (`with_tasks`).
    match what {
        Explorer::Ps => render::print_json(&ps::explore(cp))?,
        Explorer::Fds => {
            let table = FileTable::load(cp)?;
            fds::with_tasks(cp, &table, |tasks| {
                render::print_json(&Report {
                    tasks: Lazy::new(tasks),
                })
            })?;
        }
        Explorer::Mems => {
            let table = FileTable::load(cp)?;
            mems::with_tasks(cp, &table, filter, |tasks| {
                render::print_json(&Report {
                    tasks: Lazy::new(tasks),
                })
            })?;
        }
        Explorer::Rss => {
            let table = FileTable::load(cp)?;
            rss::with_tasks(cp, &table, filter, |tasks| {
                render::print_json(&Report {
                    tasks: Lazy::new(tasks),
                })
            })?;
        }
        Explorer::Sk => {
            let table = FileTable::load(cp)?;
            let queued = queues::sk_queues(cp)?;
            sk::with_tasks(cp, &table, &queued, |tasks| {
                render::print_json(&Report {
                    tasks: Lazy::new(tasks),
                })
            })?;
        }
        Explorer::Net => render::print_json(&net::explore(cp)?)?,
        Explorer::Mnt => render::print_json(&mnt::explore(cp)?)?,
        Explorer::Ns => render::print_json(&ns::explore(cp)?)?,
        Explorer::Cg => render::print_json(&cg::explore(cp)?)?,
    }
    Ok(())
}

/// Calls `each` on every task, stopping at the first error.
fn for_each<T>(tasks: impl Iterator<Item = crit::Result<T>>, mut each: impl FnMut(T) -> Result<()>) -> Result<()> {
    for t in tasks {
        each(t?)?;
    }
    Ok(())
}

/// `20975 files` (and the state when it is not plain alive).
fn task_line(t: &TaskHead) -> String {
    match t.state {
        TaskState::Alive => format!("{} {}", t.pid, t.comm),
        s => format!("{} {} ({})", t.pid, t.comm, s.as_str()),
    }
}

/// Starts a task's section with its heading line. A task without resources
/// gets a heading saying why it has nothing to show, and `false`: no table.
fn task_heading(out: &mut Text, t: &TaskHead, what: &str, heading: impl FnOnce() -> String) -> Result<bool> {
    out.section()?;
    if !t.state.has_resources() {
        let why = format!("{}: CRIU saves no {what} for a {} task", task_line(t), t.state.as_str());
        out.line(Tone::Heading, &why)?;
        return Ok(false);
    }
    out.line(Tone::Heading, &heading())?;
    Ok(true)
}

/// The line above the overview: the tasks' architectures and the page size.
fn overview_heading(r: &overview::OverviewReport) -> String {
    let mut archs: Vec<&str> = r.tasks.iter().map(|t| t.arch.as_str()).collect();
    archs.sort_unstable();
    archs.dedup();
    let archs = if archs.is_empty() {
        "no tasks".to_string()
    } else {
        archs.join(", ")
    };
    format!("{archs}, {} pages", crit::mem::page_size_label(r.page_size))
}

/// The overview as a table: one row per task, `COMMAND` indented by depth
/// (`[comm]` when the checkpoint holds no command line); an `ARCH` column
/// when the tasks' architectures differ (a 32-bit compat task).
fn overview_table(r: &overview::OverviewReport) -> TextTable {
    let mixed = r.tasks.iter().any(|t| t.arch != r.tasks[0].arch);
    let mut head = vec!["PID", "PPID", "THR", "STATE", "MEMORY", "FDS", "SOCKETS", "COMMAND"];
    if mixed {
        head.insert(7, "ARCH");
    }
    let mut t = TextTable::new(&head).right_align(&[0, 1, 2, 4, 5, 6]);
    for p in &r.tasks {
        let command = match &p.argv {
            Some(argv) if !argv.is_empty() => argv.join(" "),
            _ => format!("[{}]", p.comm),
        };
        let tone = if p.state == TaskState::Alive {
            Tone::Plain
        } else {
            Tone::Warn
        };
        let mut row = vec![
            p.pid.to_string(),
            p.ppid.to_string(),
            p.threads.to_string(),
            p.state.as_str().to_string(),
            p.memory_held.map_or_else(|| "-".to_string(), human_size),
            p.fds.to_string(),
            p.sockets.to_string(),
            indented("  ", p.depth, &command),
        ];
        if mixed {
            row.insert(7, p.arch.clone());
        }
        t.row(row, tone);
    }
    t
}

/// The `ps` report as a table: one row per task, `COMM` indented by depth.
fn ps_table(out: &mut Text, r: &ps::PsReport) -> Result<()> {
    let table = Table::new(&["PID", "PPID", "PGID", "SID", "THR", "STATE", "COMM"]).right_align(&[0, 1, 2, 3, 4]);
    out.table(&table, |rows| {
        for p in &r.tasks {
            let state = match (p.exit_status, p.exit_signal) {
                (Some(code), _) => format!("{} (exit {code})", p.state.as_str()),
                (_, Some(sig)) => format!("{} ({})", p.state.as_str(), crit::checkpoint::names::signal(sig)),
                _ => p.state.as_str().to_string(),
            };
            let tone = if p.state == TaskState::Alive {
                Tone::Plain
            } else {
                Tone::Warn
            };
            let comm = indented("    ", p.depth, &p.comm);
            let cells = [p.pid, p.ppid, p.pgid, p.sid].map(Cell::from);
            rows.row(
                tone,
                &[
                    cells[0],
                    cells[1],
                    cells[2],
                    cells[3],
                    p.threads.into(),
                    (&state).into(),
                    (&comm).into(),
                ],
            )?;
        }
        Ok(())
    })
}

/// One task's open files as a table, with cwd and root rows last.
fn fds_table(out: &mut Text, task: &fds::FdsTask) -> Result<()> {
    if !task_heading(out, &task.task, "files", || task_line(&task.task))? {
        return Ok(());
    }
    let table = Table::new(&["FD", "TYPE", "OBJECT"]).right_align(&[0]);
    out.table(&table, |rows| {
        for f in &task.fds {
            let tone = if f.object.ends_with(" (deleted)") {
                Tone::Warn
            } else {
                Tone::Plain
            };
            let object = format!("{}{}", f.object, f.detail());
            rows.row(tone, &[f.fd.into(), (&f.kind).into(), (&object).into()])?;
        }
        for (name, path) in [("cwd", &task.cwd), ("root", &task.root)] {
            if let Some(p) = path {
                rows.row(Tone::Dim, &[name.into(), "".into(), p.into()])?;
            }
        }
        Ok(())
    })
}

/// One task's mappings as a table, headed by the executable.
fn mems_table(out: &mut Text, task: &mems::LazyTask) -> Result<()> {
    let heading = || format!("{}: exe {}", task_line(&task.task), task.exe.as_deref().unwrap_or("?"));
    if !task_heading(out, &task.task, "memory", heading)? {
        return Ok(());
    }
    let table = Table::new(&["START", "END", "PROT", "RESOURCE"]).right_align(&[0, 1]);
    out.table(&table, |rows| {
        for v in task.vmas() {
            let v = v?;
            let tone = if v.regular { Tone::Plain } else { Tone::Dim };
            rows.row(
                tone,
                &[
                    Cell::Hex(v.start.0),
                    Cell::Hex(v.end.0),
                    (&v.prot).into(),
                    (&v.resource).into(),
                ],
            )?;
        }
        Ok(())
    })
}

/// One task's resident pages as a table: each run and the VMAs it overlaps.
fn rss_table(out: &mut Text, task: &rss::LazyTask) -> Result<()> {
    let heading = || {
        let pages = task.present_pages.map_or_else(
            || "- pages present (its images are damaged)".to_string(),
            |n| format!("{n} pages present ({})", human_size(n.saturating_mul(task.page_size))),
        );
        let parent = match (task.parent_pages, task.parent_missing) {
            (0, _) => String::new(),
            (n, false) => format!(", {n} in the parent checkpoint"),
            (n, true) => format!(", {n} in a parent checkpoint that is MISSING"),
        };
        format!("{}: {pages}{parent}", task_line(&task.task))
    };
    if !task_heading(out, &task.task, "pages", heading)? {
        return Ok(());
    }
    let table = Table::new(&["RUN", "PAGES", "IN VMA", "PAGES", "FILE"]).right_align(&[0, 1, 2, 3]);
    out.table(&table, |rows| {
        let mut parent = String::new();
        for run in task.runs() {
            let run = run?;
            let pages = if run.in_parent {
                parent.clear();
                parent.push_str(itoa::Buffer::new().format(run.pages));
                parent.push_str(" parent");
                Cell::Text(&parent)
            } else {
                Cell::Num(run.pages)
            };
            let start = Cell::Hex(run.start.0);
            if run.vmas.is_empty() {
                rows.row(Tone::Warn, &[start, pages, "-".into()])?;
            }
            for (i, v) in run.vmas.iter().enumerate() {
                let [start, pages] = if i == 0 { [start, pages] } else { ["".into(), "".into()] };
                if v.same_as_previous {
                    rows.row(Tone::Plain, &[start, pages, "~".into()])?;
                } else {
                    let path = v.path.as_deref().unwrap_or("");
                    rows.row(
                        Tone::Plain,
                        &[start, pages, Cell::Hex(v.start.0), v.pages.into(), path.into()],
                    )?;
                }
            }
        }
        Ok(())
    })
}

/// One task's sockets as a table, `ss`-like.
fn sk_table(out: &mut Text, task: &sk::SkTask) -> Result<()> {
    if !task_heading(out, &task.task, "sockets", || task_line(&task.task))? {
        return Ok(());
    }
    if task.sockets.is_empty() {
        out.line(Tone::Plain, "no sockets")?;
        return Ok(());
    }
    let table = Table::new(&["FD", "NETID", "STATE", "QUEUED", "BUF S/R", "LOCAL", "PEER"]).right_align(&[0, 3]);
    out.table(&table, |rows| {
        for s in &task.sockets {
            // `-`: CRIU does not record this socket's queues (UDP, LISTEN, …).
            let queued = s.queued();
            let bufs = format!("{}/{}", human_size(s.send_buf.into()), human_size(s.recv_buf.into()));
            let tone = if queued.unwrap_or(0) > 0 {
                Tone::Warn
            } else {
                Tone::Plain
            };
            let (netid, state, local, remote) = (netid(s), short_state(s), sk::local(s), sk::remote(s));
            let cells = [
                s.fd.into(),
                (&netid).into(),
                (&state).into(),
                queued.map_or(Cell::Text("-"), Cell::Num),
                (&bufs).into(),
                (&local).into(),
                (&remote).into(),
            ];
            rows.row(tone, &cells)?;
        }
        Ok(())
    })
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
