//! `crit coredump CHECKPOINT [--container NAME] [--pid PID | --all] [-o FILE | --out-dir DIR] [--files ROOT]`.

use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{bail, Result};
use crit::coredump::{Coredump, Options};
use crit::explore::{Checkpoint, TaskState};
use crit::source::{OpenOptions, Source};

use super::args::CoredumpArgs;
use super::escape::escape;
use super::output::with_seekable_output;
use super::render::human_size;

/// A new core's mode (less the umask), as the kernel writes one: it holds
/// the process's secrets.
const CORE_MODE: u32 = 0o600;

pub fn run(a: &CoredumpArgs) -> Result<()> {
    if let Some(root) = &a.files {
        if !root.is_dir() {
            bail!(
                "{}: --files needs a directory (the root to find mapped files under)",
                root.display()
            );
        }
    }
    let with_pages = OpenOptions {
        pages: true,
        container: a.container.clone(),
        ..OpenOptions::default()
    };
    let cp = Checkpoint::from_source(Source::open(&a.dir, &with_pages)?)?;
    super::problems::report(cp.problems());
    let opts = Options {
        files_root: a.files.clone(),
    };
    let pids: Vec<Option<u32>> = if a.all {
        cp.tasks.iter().map(|t| Some(t.pid)).collect()
    } else {
        vec![a.pid]
    };
    for pid in pids {
        if let Some(t) = cp.tasks.iter().find(|t| a.all && Some(t.pid) == pid) {
            if t.state == TaskState::Zombie {
                eprintln!("crit: skipping task {}: a zombie has no memory", t.pid);
                continue;
            }
        }
        let core = Coredump::new(&cp, pid, &opts)?;
        let path = match (&a.output, &a.out_dir) {
            (Some(o), _) => o.clone(),
            (None, dir) => dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("."))
                .join(format!("core.{}", core.pid())),
        };
        let size = with_seekable_output(&path, Some(&a.dir), CORE_MODE, |f| {
            Ok(core.write(BufWriter::with_capacity(256 * 1024, f))?)
        })?;
        println!(
            "{}: pid {} ({}), {} {}, {} segments, {}",
            path.display(),
            core.pid(),
            escape(core.comm()),
            core.threads(),
            if core.threads() == 1 { "thread" } else { "threads" },
            core.segments(),
            human_size(size)
        );
        let left = core.left_out();
        if let Some(first) = left.first() {
            let bytes: u64 = left.iter().map(|l| l.range.end - l.range.start).sum();
            let hint = if a.files.is_some() {
                format!(
                    "not found under the --files root (first: {}: {})",
                    escape(&first.path),
                    escape(&first.reason)
                )
            } else {
                "--files ROOT reads them from the mapped files".to_string()
            };
            eprintln!(
                "crit: note: {} file-backed {} ({}) not in the checkpoint left out of the core; {hint}",
                left.len(),
                if left.len() == 1 { "range" } else { "ranges" },
                human_size(bytes)
            );
        }
    }
    Ok(())
}
