//! Where commands write: standard output, or a file written whole or not at all.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// True when `path` is absent or `-`: use standard input/output.
pub fn is_std(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p.as_os_str() == "-")
}

/// Runs `write` against the chosen output. A file is written to a temporary
/// file beside it and renamed into place only when `write` succeeds, so a
/// failure never leaves a partial file, and the input is never overwritten.
pub fn with_output(
    output: Option<&Path>,
    input: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    if is_std(output) {
        // A duplicate of fd 1 as a plain file: std's stdout is line-buffered,
        // and scanning megabytes of JSON for newlines costs more than writing them.
        let stdout = io::stdout();
        let _lock = stdout.lock();
        let fd = stdout.as_fd().try_clone_to_owned().context("<output>")?;
        let mut out = BufWriter::with_capacity(128 * 1024, fs::File::from(fd));
        write(&mut out)?;
        out.flush().context("<output>")?;
        return Ok(());
    }
    let path = output.expect("checked");
    if let Some(input) = input.filter(|p| !is_std(Some(p))) {
        if same_file(input, path) {
            bail!("{}: refusing to overwrite the input file", path.display());
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".crit-")
        .tempfile_in(&dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    let mut out = BufWriter::with_capacity(128 * 1024, tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| e.into_error()).with_context(|| path.display().to_string())?;
    tmp.persist(path).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}
