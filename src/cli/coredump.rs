//! `crit coredump CHECKPOINT [--container NAME] [--pid PID | --all] [-o FILE | --out-dir DIR] [--files ROOT]`.

use std::io::{self, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use crit::checkpoint::{Checkpoint, TaskState};
use crit::coredump::{Coredump, Options};
use crit::source::{OpenOptions, Source};

use super::args::CoredumpArgs;
use super::escape::escape;
use super::output::{is_std, with_seekable_output, Output};
use super::render::human_size;

/// A failed write of the core, said of the user's path: a core larger than
/// the file system's largest file (the kernel says EINVAL or EFBIG) says so.
fn write_error(e: crit::Error, path: &Path, core: &Coredump) -> anyhow::Error {
    match e {
        crit::Error::Io { file, source } if file == "<core file>" => {
            if matches!(source.raw_os_error(), Some(libc::EINVAL | libc::EFBIG)) {
                anyhow::anyhow!(
                    "{}: the core of task {} would be {} ({} bytes, as large as the memory it maps), \
                     more than can be written in one file here ({source})",
                    path.display(),
                    core.pid(),
                    human_size(core.size()),
                    core.size()
                )
            } else {
                anyhow::anyhow!("{}: {source}", path.display())
            }
        }
        e => e.into(),
    }
}

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
    if let Some(dir) = &a.out_dir {
        // A directory reached through another user's link in /tmp is not ours to write in.
        crit::symlinks::resolve(&dir.display().to_string(), dir)?;
    }
    let with_pages = OpenOptions {
        pages: true,
        container: a.container.clone(),
        page_size: super::page_size(),
        ..OpenOptions::default()
    };
    let cp = Checkpoint::from_source(Source::open(&a.dir, &with_pages)?)?;
    super::problems::report(cp.problems());
    let opts = Options {
        files_root: a.files.clone(),
        force: a.force,
        headers_root: None,
    };
    let pids: Vec<Option<u32>> = if a.all {
        cp.tasks.iter().map(|t| Some(t.pid)).collect()
    } else {
        vec![a.pid]
    };
    for pid in pids {
        if let Some(t) = cp.tasks.iter().find(|t| a.all && Some(t.pid) == pid) {
            if t.state == TaskState::Zombie {
                if !super::progress::quiet() {
                    eprintln!("crit: note: skipping task {}: a zombie has no memory", t.pid);
                }
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
        let to_stdout = is_std(Some(&path));
        let size = if to_stdout {
            to_standard_output(&core, &a.dir)?
        } else {
            with_seekable_output(&path, Some(&a.dir), CORE_MODE, |f| {
                core.write(BufWriter::with_capacity(256 * 1024, f))
                    .map_err(|e| write_error(e, &path, &core))
            })?
        };
        let line = format!(
            "{}: pid {} ({}), {} {}, {} segments, {}",
            if to_stdout {
                "<stdout>".into()
            } else {
                path.display().to_string()
            },
            core.pid(),
            escape(core.comm()),
            core.threads(),
            if core.threads() == 1 { "thread" } else { "threads" },
            core.segments(),
            human_size(size)
        );
        // With the core on standard output, the report goes to standard error.
        if to_stdout {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
        let left = core.left_out();
        if let Some(first) = left.first().filter(|_| !super::progress::quiet()) {
            let bytes: u64 = left.iter().map(|l| l.range.end - l.range.start).sum();
            let hint = if a.files.is_some() {
                format!(
                    "not read from the --files root (first: {}: {})",
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

/// `-o -`: the core on standard output, its holes written as zeros (a pipe
/// cannot seek); never to a terminal.
fn to_standard_output(core: &Coredump, input: &Path) -> Result<u64> {
    if io::stdout().is_terminal() {
        bail!("-o -: standard output is a terminal; redirect it to a file or a pipe for the core");
    }
    let mut out = Output::create(None, Some(input))?;
    let n = core.write(Forward(&mut out))?;
    out.commit()?;
    Ok(n)
}

/// A writer that seeks forward only, by writing zeros: enough for a core's
/// holes on a pipe.
struct Forward<W: Write>(W);

impl<W: Write> Write for Forward<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write> Seek for Forward<W> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let SeekFrom::Current(n) = pos else {
            return Err(io::Error::other("standard output can only be written forward"));
        };
        let n = u64::try_from(n).map_err(|_| io::Error::other("standard output can only be written forward"))?;
        io::copy(&mut io::repeat(0).take(n), &mut self.0)?;
        // Only ever asked to move on; the position itself is not tracked.
        Ok(0)
    }
}
