//! `crit generate-assets [OUT_DIR]` (hidden): write the shell completions and
//! man pages of `crit` from its clap definitions, as ripgrep's `--generate`
//! does: from the binary itself, not a second copy of the flags.
//!
//! Writes `OUT_DIR/completions/` (bash, zsh, fish, elvish, PowerShell) and
//! `OUT_DIR/man/` (`crit.1` and one page per subcommand, nested ones
//! included, e.g. `crit-mem-search.1`). `OUT_DIR` defaults to the current
//! directory. The output depends only on the clap definitions and the package
//! version (no dates), so the committed files can be checked against a fresh
//! run: `tests/assets.rs` does.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::args;
use clap_complete::{Generator, Shell};
use clap_mangen::Man;

/// The program's name, as installed.
const BIN: &str = "crit";

/// The shells completions are written for, each to its conventional file
/// name (`crit.bash`, `_crit`, `crit.fish`, `crit.elv`, `_crit.ps1`).
const SHELLS: [Shell; 5] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell];

/// The `clap::Command` of `crit`, fully built: every subcommand knows its
/// `crit-…` page name and its `crit …` usage.
fn command() -> clap::Command {
    let mut cmd = args::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Write every asset under `out`; returns the files written, relative to `out`.
pub fn generate(out: &Path) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();

    let dir = out.join("completions");
    fs::create_dir_all(&dir)?;
    for shell in SHELLS {
        let mut cmd = args::Cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, BIN, &mut buf);
        let name = Path::new("completions").join(shell.file_name(BIN));
        fs::write(out.join(&name), buf)?;
        written.push(name);
    }

    let dir = out.join("man");
    fs::create_dir_all(&dir)?;
    let root = command();
    let exit_status = exit_status(&root);
    let mut pages = Vec::new();
    collect(&root, &[], &mut pages);
    for (path, cmd) in &pages {
        let name = Path::new("man").join(format!("{}.1", page_name(path)));
        fs::write(out.join(&name), man_page(cmd, path, &exit_status)?)?;
        written.push(name);
    }
    // A page whose subcommand is gone must not linger.
    for entry in fs::read_dir(&dir)? {
        let file = PathBuf::from("man").join(entry?.file_name());
        let is_ours = file
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(BIN) && n.ends_with(".1"));
        if is_ours && !written.contains(&file) {
            fs::remove_file(out.join(&file))?;
        }
    }
    Ok(written)
}

/// Every visible command of the tree, depth first, with its path of names
/// below `crit` (empty for `crit` itself).
fn collect<'a>(cmd: &'a clap::Command, path: &[&'a str], pages: &mut Vec<(Vec<&'a str>, &'a clap::Command)>) {
    pages.push((path.to_vec(), cmd));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let mut p = path.to_vec();
        p.push(sub.get_name());
        collect(sub, &p, pages);
    }
}

/// `crit`, `crit-mem`, `crit-mem-search`: the page of the command at `path`.
fn page_name(path: &[&str]) -> String {
    std::iter::once(BIN)
        .chain(path.iter().copied())
        .collect::<Vec<_>>()
        .join("-")
}

/// The exit statuses, from the `Exit status:` table of `crit --help`:
/// `(status, meaning)` pairs.
fn exit_status(root: &clap::Command) -> Vec<(String, String)> {
    let help = root.get_after_help().map(|h| h.to_string()).unwrap_or_default();
    let mut lines = help.lines();
    assert!(
        lines.next().is_some_and(|l| l.trim() == "Exit status:"),
        "crit's after_help no longer starts with 'Exit status:'; update src/cli/assets.rs"
    );
    status_table(&lines.collect::<Vec<_>>().join("\n"))
}

/// `(status, meaning)` pairs from the lines of an exit status table (a
/// first line that is not one, such as ` (like grep):`, is skipped).
fn status_table(table: &str) -> Vec<(String, String)> {
    table
        .lines()
        .filter(|l| l.trim().starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|l| {
            let (code, meaning) = l.trim().split_once(char::is_whitespace)?;
            Some((code.to_owned(), meaning.trim().to_owned()))
        })
        .collect()
}

/// Escape text for a roff text line.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

/// The man page of the command at `path`: clap_mangen's sections, then EXIT
/// STATUS, SEE ALSO and VERSION.
fn man_page(cmd: &clap::Command, path: &[&str], exit_status: &[(String, String)]) -> io::Result<Vec<u8>> {
    let man = Man::new(cmd.clone());
    // `.TH title section date source manual`, written here: clap_mangen writes
    // an empty date as nothing at all, which shifts the source into the date's
    // place. No date, so the page only changes when the command line does.
    let mut page = format!(
        ".TH {} 1 \"\" \"{BIN} {}\" \"User Commands\"\n",
        roff(&page_name(path).to_uppercase()),
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes();
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut page)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut page)?;
    }

    let mut extra = String::new();
    // The command's examples (its after_help), as --help shows them, and
    // its own exit statuses when it has them (`diff`, `mem search`).
    let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
    let (examples, own_status) = match after.split_once("\n\nExit status") {
        Some((ex, status)) => (ex.to_owned(), Some(status_table(status))),
        None => (after, None),
    };
    if let Some(lines) = examples.strip_prefix("Examples:\n") {
        extra.push_str(".SH EXAMPLES\n.nf\n");
        for line in lines.lines() {
            let _ = writeln!(extra, "{}", roff(line));
        }
        extra.push_str(".fi\n");
    }
    extra.push_str(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in own_status.as_deref().unwrap_or(exit_status) {
        let _ = write!(extra, ".TP\n.B {}\n{}\n", roff(code), roff(meaning));
    }

    // The pages above this one, then the ones below.
    let mut see_also: Vec<String> = (0..path.len()).map(|n| page_name(&path[..n])).collect();
    see_also.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            .map(|s| {
                let mut p = path.to_vec();
                p.push(s.get_name());
                page_name(&p)
            }),
    );
    if !see_also.is_empty() {
        extra.push_str(".SH \"SEE ALSO\"\n");
        let last = see_also.len() - 1;
        for (i, name) in see_also.iter().enumerate() {
            let _ = writeln!(extra, ".BR {} (1){}", roff(name), if i < last { "," } else { "" });
        }
    }
    page.extend_from_slice(extra.as_bytes());

    man.render_version_section(&mut page)?;
    Ok(ascii(&String::from_utf8_lossy(&page)).into_bytes())
}

/// `…` and other non-ASCII characters as groff's `\[u2026]` escapes: without
/// preconv (`groff -man`, not `man`) troff rejects raw UTF-8.
fn ascii(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "\\[u{:04X}]", u32::from(c));
        }
    }
    out
}

/// `crit generate-assets [OUT_DIR]`: write every asset under OUT_DIR (default:
/// the current directory) and list the files written.
pub fn run(args: &[std::ffi::OsString]) -> std::process::ExitCode {
    let out = match args {
        [] => PathBuf::from("."),
        [dir] if !dir.to_string_lossy().starts_with('-') => PathBuf::from(dir),
        _ => {
            eprintln!("usage: crit generate-assets [OUT_DIR]");
            return std::process::ExitCode::from(2);
        }
    };
    match generate(&out) {
        Ok(files) => {
            for f in files {
                println!("{}", out.join(f).display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("crit: {}: {e}", super::escape::escape(&out.display().to_string()));
            std::process::ExitCode::from(1)
        }
    }
}
