//! Where commands write: standard output, or a file written whole or not at all.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

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
        let fd = stdout
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| crit::Error::io("<output>", e))?;
        let mut out = BufWriter::with_capacity(128 * 1024, fs::File::from(fd));
        write(&mut out)?;
        out.flush().map_err(|e| crit::Error::io("<output>", e))?;
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
    // Errors are crit::Error so the one-line message keeps its cause (an anyhow
    // context would show only itself).
    let name = path.display().to_string();
    let tmp = tempfile::Builder::new()
        .prefix(".crit-")
        .tempfile_in(&dir)
        .map_err(|e| crit::Error::io(format!("{}: cannot create a temporary file", dir.display()), e))?;
    let mut out = BufWriter::with_capacity(128 * 1024, tmp);
    // On an error the temporary file is dropped, which deletes it.
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| crit::Error::io(&name, e.into_error()))?;
    tmp.persist(path).map_err(|e| crit::Error::io(&name, e.error))?;
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}
