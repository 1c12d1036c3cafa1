//! Tables of the container explorers `crit x DIR net|mnt|ns|cg`.

use crit::explore::{cg, mnt, net, ns};

use super::render::{heading, TextTable, Tone};

const WIDTH: usize = 80;

/// Text from a checkpoint for a line of its own (a ruleset): control
/// characters escaped, tabs as four spaces, so nothing reaches the terminal raw.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

fn pids(p: &[u32]) -> String {
    p.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}

/// Splits a comma-separated list into lines of about `width` characters,
/// breaking only after a comma.
fn comma_lines(list: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for item in list.split(',') {
        if !line.is_empty() && line.len() + 1 + item.len() > width {
            line.push(',');
            lines.push(std::mem::take(&mut line));
        } else if !line.is_empty() {
            line.push(',');
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The `net` report: per namespace, its interfaces, addresses, routes, rules,
/// listening sockets and firewall text.
pub fn net_table(r: &net::NetReport, color: bool) -> String {
    let mut out = String::new();
    for ns in &r.namespaces {
        if !out.is_empty() {
            out.push('\n');
        }
        out += &heading(
            &clean(&format!("net namespace {} (tasks {})", ns.id, pids(&ns.tasks))),
            color,
        );
        if let Some(note) = &ns.note {
            out += &format!("{}\n", clean(note));
        } else {
            out += "interfaces\n";
            let mut t = TextTable::new(&["IDX", "NAME", "TYPE", "MTU", "MAC", "FLAGS"]).right_align(&[0, 3]);
            for i in &ns.interfaces {
                let tone = if i.flags.iter().any(|f| f == "UP") {
                    Tone::Plain
                } else {
                    Tone::Dim
                };
                t.row(
                    vec![
                        i.ifindex.to_string(),
                        i.name.clone(),
                        i.kind.clone(),
                        i.mtu.to_string(),
                        i.mac.clone().unwrap_or_default(),
                        i.flags.join(","),
                    ],
                    tone,
                );
            }
            out += &t.fit(WIDTH).render(color);
            out += "addresses\n";
            if ns.addresses.is_empty() {
                out += "  none\n";
            } else {
                let mut t = TextTable::new(&["DEV", "FAMILY", "ADDRESS", "SCOPE", "FLAGS"]);
                for a in &ns.addresses {
                    let mut addr = format!("{}/{}", a.addr.address, a.addr.prefixlen);
                    if let Some(p) = &a.addr.peer {
                        addr += &format!(" peer {p}");
                    }
                    t.row(
                        vec![
                            a.dev.clone(),
                            a.addr.family.clone(),
                            addr,
                            a.addr.scope.clone(),
                            a.addr.flags.join(","),
                        ],
                        Tone::Plain,
                    );
                }
                out += &t.fit(WIDTH).render(color);
            }
            out += "routes\n";
            if ns.routes.is_empty() {
                out += "  none\n";
            } else {
                let mut t = TextTable::new(&["DST", "GATEWAY", "DEV", "TABLE", "PROTO", "SCOPE", "TYPE", "SRC"]);
                for x in &ns.routes {
                    let r = &x.route;
                    t.row(
                        vec![
                            r.dst.clone(),
                            r.gateway.clone().unwrap_or_default(),
                            x.dev.clone().unwrap_or_default(),
                            r.table.clone(),
                            r.protocol.clone(),
                            r.scope.clone(),
                            r.kind.clone(),
                            r.prefsrc.clone().unwrap_or_default(),
                        ],
                        Tone::Plain,
                    );
                }
                out += &t.fit(WIDTH).render(color);
            }
            out += "rules\n";
            if ns.rules.is_empty() {
                out += "  none\n";
            } else {
                let mut t = TextTable::new(&["PRIO", "FAMILY", "FROM", "TO", "ACTION"]).right_align(&[0]);
                for r in &ns.rules {
                    let mut action = match r.action.as_str() {
                        "to_tbl" => format!("lookup {}", r.table),
                        other => other.to_string(),
                    };
                    if let Some(m) = r.fwmark {
                        action = format!("fwmark {m:#x} {action}");
                    }
                    for (k, v) in [("iif", &r.iif), ("oif", &r.oif)] {
                        if let Some(v) = v {
                            action = format!("{k} {v} {action}");
                        }
                    }
                    t.row(
                        vec![
                            r.priority.to_string(),
                            r.family.clone(),
                            r.from.clone(),
                            r.to.clone().unwrap_or_default(),
                            action,
                        ],
                        Tone::Plain,
                    );
                }
                out += &t.fit(WIDTH).render(color);
            }
        }
        out += "listening\n";
        if ns.listening.is_empty() {
            out += "  none\n";
        } else {
            let mut t = TextTable::new(&["PROTO", "LOCAL", "PID", "FD"]).right_align(&[2, 3]);
            for l in &ns.listening {
                t.row(
                    vec![l.protocol.clone(), l.local.clone(), l.pid.to_string(), l.fd.to_string()],
                    Tone::Plain,
                );
            }
            out += &t.fit(WIDTH).render(color);
        }
        if ns.dumped {
            out += "firewall\n";
            let fw = &ns.firewall;
            for (name, text) in [
                ("iptables", &fw.iptables),
                ("ip6tables", &fw.ip6tables),
                ("nftables", &fw.nftables),
            ] {
                match text.as_deref() {
                    None => out += &format!("  {name}: not saved\n"),
                    Some("") => out += &format!("  {name}: empty\n"),
                    Some(text) => {
                        out += &format!("  {name}: {}\n", plural(text.lines().count(), "line", "lines"));
                        for line in text.lines() {
                            out += &format!("    {}\n", clean(line)).replace("    \n", "\n");
                        }
                    }
                }
            }
        }
    }
    out
}

/// The `mnt` report: per namespace, the mount tree, each mount's options on a
/// dimmed line below it.
pub fn mnt_table(r: &mnt::MntReport, color: bool) -> String {
    let mut out = String::new();
    for ns in &r.namespaces {
        if !out.is_empty() {
            out.push('\n');
        }
        out += &heading(
            &clean(&format!("mnt namespace {} (tasks {})", ns.id, pids(&ns.tasks))),
            color,
        );
        if let Some(note) = &ns.note {
            out += &format!("{}\n", clean(note));
            continue;
        }
        let mut t = TextTable::new(&["ID", "MOUNTPOINT", "TYPE", "SOURCE"]).right_align(&[0]);
        for m in &ns.mounts {
            let tone = if m.deleted { Tone::Warn } else { Tone::Plain };
            t.row(
                vec![
                    m.mnt_id.to_string(),
                    format!("{}{}", "  ".repeat(m.depth), m.mountpoint),
                    m.fstype.clone(),
                    m.source.clone(),
                ],
                tone,
            );
            // Details on dimmed lines below, in the SOURCE column.
            let mut details = Vec::new();
            if m.root != "/" {
                details.push(format!("root {}", m.root));
            }
            let mut opts = m.flags.join(",");
            if !m.options.is_empty() {
                opts += &format!(",{}", m.options);
            }
            details.extend(comma_lines(&opts, 30));
            if let Some(k) = &m.external {
                details.push(format!("external {k}"));
            }
            if m.deleted {
                details.push("deleted".into());
            }
            if let Some(c) = &m.contents {
                details.push(format!(
                    "saved {}, {} in {}",
                    plural(c.files, "file", "files"),
                    plural(c.bytes as usize, "byte", "bytes"),
                    c.image
                ));
            }
            for d in details {
                t.row(
                    vec![String::new(), String::new(), String::new(), format!("  {d}")],
                    Tone::Dim,
                );
            }
        }
        out += &t.fit(WIDTH).render(color);
    }
    out
}

/// The `ns` report: one row per namespace.
pub fn ns_table(r: &ns::NsReport, color: bool) -> String {
    let mut t = TextTable::new(&["TYPE", "ID", "HOST'S", "IMAGE", "TASKS"]).right_align(&[1]);
    for n in &r.namespaces {
        let mut image = n.image.clone().unwrap_or_default();
        if let Some(h) = &n.hostname {
            image += &format!(" (hostname {h})");
        }
        t.row(
            vec![
                n.kind.to_string(),
                n.id.to_string(),
                if n.host { "yes" } else { "no" }.to_string(),
                image,
                pids(&n.tasks),
            ],
            if n.host { Tone::Dim } else { Tone::Plain },
        );
    }
    let mut out = t.fit(WIDTH).render(color);
    for task in &r.tasks {
        if task.ids.is_empty() {
            out += &format!(
                "{} {} ({}): CRIU saves no namespaces for it\n",
                task.task.pid,
                clean(&task.task.comm),
                task.task.state.as_str()
            );
        }
    }
    out
}

/// The `cg` report: per cgroup set, the task's cgroup in each controller,
/// then the non-empty properties saved for those cgroups.
pub fn cg_table(r: &cg::CgReport, color: bool) -> String {
    let mut out = String::new();
    if let Some(note) = &r.note {
        let mut t = TextTable::new(&["PID", "COMM", "CGROUP SET"]).right_align(&[0]);
        for task in &r.tasks {
            let set = task.cg_set.map_or_else(|| "-".to_string(), |s| s.to_string());
            t.row(vec![task.pid.to_string(), task.comm.clone(), set], Tone::Plain);
        }
        return format!("{}\n{}", clean(note), t.render(color));
    }
    let shown: usize = r.sets.iter().map(|s| s.cgroups.len()).sum();
    for s in &r.sets {
        if !out.is_empty() {
            out.push('\n');
        }
        let whose = if s.criu { ", CRIU's own" } else { "" };
        out += &heading(&format!("cgroup set {} (tasks {}{whose})", s.id, pids(&s.tasks)), color);
        let mut t = TextTable::new(&["CONTROLLER", "PATH"]);
        for c in &s.cgroups {
            let name = if c.controller.is_empty() { "(v2)" } else { &c.controller };
            t.row(vec![clean(name), clean(&c.path)], Tone::Plain);
        }
        out += &t.fit(WIDTH).render(color);
        let mut t = TextTable::new(&["CONTROLLER", "PROPERTY", "VALUE"]);
        let mut empty = 0;
        for c in &s.cgroups {
            let name = if c.controller.is_empty() { "(v2)" } else { &c.controller };
            for p in &c.properties {
                if p.value.is_empty() {
                    empty += 1;
                    continue;
                }
                t.row(vec![clean(name), clean(&p.name), clean(&p.value)], Tone::Plain);
            }
        }
        out += "settings\n";
        out += &t.fit(WIDTH).render(color);
        if empty > 0 {
            out += &format!("({} not shown)\n", plural(empty, "empty property", "empty properties"));
        }
    }
    let dirs: usize = r.controllers.iter().map(|c| c.dirs.len()).sum();
    if dirs > shown {
        out += &format!(
            "\ncgroup.img saves {} in {}; --format json lists them all\n",
            plural(dirs, "directory", "directories"),
            plural(r.controllers.len(), "hierarchy", "hierarchies")
        );
    }
    out
}
