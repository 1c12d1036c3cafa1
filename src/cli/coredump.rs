//! `crit coredump DIR [--pid PID | --all] [-o FILE | --out-dir DIR] [--files ROOT]`.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use crit::coredump::{Coredump, Options};
use crit::explore::{Checkpoint, TaskState};
use crit::source::{OpenOptions, Source};

use super::args::CoredumpArgs;
use super::escape::escape;
use super::render::human_size;

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
        ..OpenOptions::default()
    };
    let cp = Checkpoint::from_source(Source::open(&a.dir, &with_pages)?)?;
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
        let size = write_file(&path, |f| Ok(core.write(BufWriter::with_capacity(256 * 1024, f))?))?;
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

/// Writes `path` whole or not at all: a temporary file in the same
/// directory, renamed into place; never over anything but a regular file.
/// Kept to one function so it can move to the shared safe-output module.
fn write_file(path: &Path, write: impl FnOnce(&mut File) -> Result<u64>) -> Result<u64> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        if !meta.file_type().is_file() {
            bail!("{}: refusing to replace what is not a regular file", path.display());
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".crit-")
        .tempfile_in(dir)
        .map_err(|e| crit::Error::io(format!("{}: cannot create a temporary file", dir.display()), e))?;
    // On an error the temporary file is dropped, which deletes it.
    let n = write(tmp.as_file_mut())?;
    tmp.persist(path)
        .map_err(|e| crit::Error::io(path.display().to_string(), e.error))?;
    Ok(n)
}
