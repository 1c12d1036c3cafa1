//! Tables of the container explorers `crit x DIR net|mnt|ns|cg`.

use crit::explore::{cg, mnt, net, ns};

use anyhow::Result;

use super::table::{indented, TextTable};
use super::{Text, Tone};

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
pub fn net_table(out: &mut Text, r: &net::NetReport) -> Result<()> {
    for ns in &r.namespaces {
        out.section()?;
        out.line(
            Tone::Heading,
            &format!("net namespace {} (tasks {})", ns.id, pids(&ns.tasks)),
        )?;
        if let Some(note) = &ns.note {
            out.line(Tone::Plain, note)?;
        } else {
            net_interfaces(out, ns)?;
            net_addresses(out, ns)?;
            net_routes(out, ns)?;
            net_rules(out, ns)?;
        }
        net_listening(out, ns)?;
        net_firewall(out, ns)?;
    }
    Ok(())
}

/// The interfaces of one namespace.
fn net_interfaces(out: &mut Text, ns: &net::NetNamespace) -> Result<()> {
    out.line(Tone::Plain, "interfaces")?;
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
    t.write(out)?;
    Ok(())
}

/// The addresses of one namespace.
fn net_addresses(out: &mut Text, ns: &net::NetNamespace) -> Result<()> {
    out.line(Tone::Plain, "addresses")?;
    if ns.addresses.is_empty() {
        out.line(Tone::Plain, "  none")?;
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
        t.write(out)?;
    }
    Ok(())
}

/// The routes of one namespace.
fn net_routes(out: &mut Text, ns: &net::NetNamespace) -> Result<()> {
    out.line(Tone::Plain, "routes")?;
    if ns.routes.is_empty() {
        out.line(Tone::Plain, "  none")?;
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
        t.write(out)?;
    }
    Ok(())
}

/// The policy routing rules of one namespace.
fn net_rules(out: &mut Text, ns: &net::NetNamespace) -> Result<()> {
    out.line(Tone::Plain, "rules")?;
    if ns.rules.is_empty() {
        out.line(Tone::Plain, "  none")?;
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
        t.write(out)?;
    }
    Ok(())
}

/// The listening sockets of one namespace.
fn net_listening(out: &mut Text, ns: &net::NetNamespace) -> Result<()> {
    out.line(Tone::Plain, "listening")?;
    if ns.listening.is_empty() {
        out.line(Tone::Plain, "  none")?;
    } else {
        let mut t = TextTable::new(&["PROTO", "LOCAL", "PID", "FD"]).right_align(&[2, 3]);
        for l in &ns.listening {
            t.row(
                vec![l.protocol.clone(), l.local.clone(), l.pid.to_string(), l.fd.to_string()],
                Tone::Plain,
            );
        }
        t.write(out)?;
    }
    Ok(())
}

/// The firewall rulesets of one namespace, when it was dumped.
fn net_firewall(out: &mut Text, ns: &net::NetNamespace) -> Result<()> {
    if ns.dumped {
        out.line(Tone::Plain, "firewall")?;
        let fw = &ns.firewall;
        for (name, text) in [
            ("iptables", &fw.iptables),
            ("ip6tables", &fw.ip6tables),
            ("nftables", &fw.nftables),
        ] {
            match text.as_deref() {
                None => out.line(Tone::Plain, &format!("  {name}: not saved"))?,
                Some("") => out.line(Tone::Plain, &format!("  {name}: empty"))?,
                Some(text) => {
                    out.line(
                        Tone::Plain,
                        &format!("  {name}: {}", plural(text.lines().count(), "line", "lines")),
                    )?;
                    for line in text.lines() {
                        // Rulesets indent with tabs: shown as spaces.
                        let line = format!("    {}", line.replace('\t', "    "));
                        out.line(Tone::Plain, line.trim_end())?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The `mnt` report: per namespace, the mount tree, each mount's options on a
/// dimmed line below it.
pub fn mnt_table(out: &mut Text, r: &mnt::MntReport) -> Result<()> {
    for ns in &r.namespaces {
        out.section()?;
        out.line(
            Tone::Heading,
            &format!("mnt namespace {} (tasks {})", ns.id, pids(&ns.tasks)),
        )?;
        if let Some(note) = &ns.note {
            out.line(Tone::Plain, note)?;
            continue;
        }
        let mut t = TextTable::new(&["ID", "MOUNTPOINT", "TYPE", "SOURCE"]).right_align(&[0]);
        for m in &ns.mounts {
            let tone = if m.deleted { Tone::Warn } else { Tone::Plain };
            t.row(
                vec![
                    m.mnt_id.to_string(),
                    indented("  ", m.depth, &m.mountpoint),
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
            // Piped, on one line (grep sees them all); on a terminal, a few a line.
            details.extend(match out.width {
                Some(_) => comma_lines(&opts, 30),
                None => vec![opts],
            });
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
        t.write(out)?;
    }
    Ok(())
}

/// The `ns` report: one row per namespace.
pub fn ns_table(out: &mut Text, r: &ns::NsReport) -> Result<()> {
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
    t.write(out)?;
    for task in &r.tasks {
        if task.ids.is_empty() {
            out.line(
                Tone::Plain,
                &format!(
                    "{} {} ({}): CRIU saves no namespaces for it",
                    task.task.pid,
                    task.task.comm,
                    task.task.state.as_str()
                ),
            )?;
        }
    }
    Ok(())
}

/// The `cg` report: per cgroup set, the task's cgroup in each controller,
/// then the non-empty properties saved for those cgroups.
pub fn cg_table(out: &mut Text, r: &cg::CgReport) -> Result<()> {
    if let Some(note) = &r.note {
        let mut t = TextTable::new(&["PID", "COMM", "CGROUP SET"]).right_align(&[0]);
        for task in &r.tasks {
            let set = task.cg_set.map_or_else(|| "-".to_string(), |s| s.to_string());
            t.row(vec![task.pid.to_string(), task.comm.clone(), set], Tone::Plain);
        }
        out.line(Tone::Plain, note)?;
        return t.write(out);
    }
    let shown: usize = r.sets.iter().map(|s| s.cgroups.len()).sum();
    for s in &r.sets {
        out.section()?;
        let whose = if s.criu { ", CRIU's own" } else { "" };
        out.line(
            Tone::Heading,
            &format!("cgroup set {} (tasks {}{whose})", s.id, pids(&s.tasks)),
        )?;
        let mut t = TextTable::new(&["CONTROLLER", "PATH"]);
        for c in &s.cgroups {
            let name = if c.controller.is_empty() { "(v2)" } else { &c.controller };
            t.row(vec![name.to_string(), c.path.clone()], Tone::Plain);
        }
        t.write(out)?;
        let mut t = TextTable::new(&["CONTROLLER", "PROPERTY", "VALUE"]);
        let mut empty = 0;
        for c in &s.cgroups {
            let name = if c.controller.is_empty() { "(v2)" } else { &c.controller };
            for p in &c.properties {
                if p.value.is_empty() {
                    empty += 1;
                    continue;
                }
                t.row(vec![name.to_string(), p.name.clone(), p.value.clone()], Tone::Plain);
            }
        }
        out.line(Tone::Plain, "settings")?;
        t.write(out)?;
        if empty > 0 {
            out.line(
                Tone::Plain,
                &format!("({} not shown)", plural(empty, "empty property", "empty properties")),
            )?;
        }
    }
    let dirs: usize = r.controllers.iter().map(|c| c.dirs.len()).sum();
    if dirs > shown {
        out.section()?;
        out.line(
            Tone::Plain,
            &format!(
                "cgroup.img saves {} in {}; --format json lists them all",
                plural(dirs, "directory", "directories"),
                plural(r.controllers.len(), "hierarchy", "hierarchies")
            ),
        )?;
    }
    Ok(())
}
