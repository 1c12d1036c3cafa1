//! `crit mem DIR read ADDR LEN`: a hexdump, raw bytes or JSON, streamed in
//! chunks; each stretch the checkpoint does not hold is said for what it is.

use std::collections::HashMap;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Result};
use crit::checkpoint::files::FileTable;
use crit::checkpoint::Checkpoint;
use crit::checkpoint::Hex;
use crit::mem::{Gap, GapKind, MemReader};
use serde::Serialize;

use super::escape::escape;
use super::output::{with_output, STDOUT_NAME};
use super::render::hexdump::Hexdump;

/// Bytes read per step, so any length streams (a multiple of 16: whole lines).
const READ_CHUNK: usize = 1024 * 1024;

/// How to print what was read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Hexdump,
    Raw,
    Json,
}

/// A gap, with the file it maps when it is file-backed.
struct Explained {
    gap: Gap,
    /// The mapped file's path and the gap's offset in it.
    file: Option<(String, u64)>,
    /// Where its bytes were read from (with `--files ROOT`).
    read_from: Option<PathBuf>,
}

/// Names files of file-backed gaps and reads them under `--files ROOT`.
struct Files<'a> {
    mem: &'a MemReader,
    root: Option<&'a Path>,
    table: Option<FileTable>,
    paths: HashMap<u64, Option<String>>,
    /// Read files whose size or build-id differs from the checkpoint's record.
    force: bool,
}

impl Files<'_> {
    fn path(&mut self, id: u64) -> Result<Option<String>> {
        if let Some(p) = self.paths.get(&id) {
            return Ok(p.clone());
        }
        if self.table.is_none() {
            self.table = Some(FileTable::load(&Checkpoint::from_source(self.mem.source().clone())?)?);
        }
        let table = self.table.as_ref().expect("loaded above");
        let p = u32::try_from(id).ok().and_then(|id| table.path(id).ok());
        self.paths.insert(id, p.clone());
        Ok(p)
    }

    /// The file under ROOT for a checkpoint path; `None` for one that would
    /// leave ROOT (`..`) or is not absolute.
    fn under_root(&self, path: &str) -> Option<PathBuf> {
        let root = self.root?;
        let rel = Path::new(path).strip_prefix("/").ok()?;
        rel.components()
            .all(|c| matches!(c, Component::Normal(_)))
            .then(|| root.join(rel))
    }

    /// Explains `gap` and, under ROOT, fills `buf` (which starts at
    /// `buf_addr`) with the file's bytes for it.
    fn explain(&mut self, gap: Gap, buf: &mut [u8], buf_addr: u64) -> Result<Explained> {
        let mut e = Explained {
            file: None,
            read_from: None,
            gap,
        };
        let Some((id, offset)) = e.gap.file_offset() else {
            return Ok(e);
        };
        let Some(path) = self.path(id)? else { return Ok(e) };
        if let Some(real) = self.under_root(&path) {
            // A file that is missing or unreadable stays zeros, as the note
            // says; a FIFO or device in its place is an error naming it.
            let opened = match crit::regular::open(&real) {
                Err(err) if err.kind() == io::ErrorKind::InvalidInput => {
                    return Err(crit::Error::io(real.display().to_string(), err).into())
                }
                r => r.ok(),
            };
            if let Some(f) = opened {
                // Never read silently from a file that is not the one the
                // process mapped: its bytes would pass for its memory.
                let record = self
                    .table
                    .as_ref()
                    .and_then(|t| t.get(u32::try_from(id).ok()?).ok()?.reg.clone());
                if let Some(r) = record.filter(|_| !self.force) {
                    if let Err(why) = crit::checkpoint::hostfs::matches_record(&r, &real) {
                        bail!(
                            "{}: {why}: not the file the checkpoint mapped, refusing to read it (--force reads it anyway)",
                            real.display()
                        );
                    }
                }
                let dst = &mut buf[(e.gap.start - buf_addr) as usize..(e.gap.end - buf_addr) as usize];
                // Past the file's end the process would get SIGBUS; zeros stay.
                let mut done = 0;
                while done < dst.len() {
                    match f.read_at(&mut dst[done..], offset + done as u64) {
                        Ok(0) => break,
                        Ok(n) => done += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(err) => return Err(crit::Error::io(real.display().to_string(), err).into()),
                    }
                }
                e.read_from = Some(real);
            }
        }
        e.file = Some((path, offset));
        Ok(e)
    }
}

/// Joins `e` to the last gap when it continues it (chunks split gaps).
fn push_gap(all: &mut Vec<Explained>, e: Explained) {
    if let Some(last) = all.last_mut() {
        if last.gap.end == e.gap.start
            && last.gap.kind == e.gap.kind
            && last.gap.vma == e.gap.vma
            && last.read_from == e.read_from
        {
            last.gap.end = e.gap.end;
            return;
        }
    }
    all.push(e);
}

/// Writes `len` bytes at `addr` in `form`; says on stderr (or in the JSON)
/// what each stretch the checkpoint does not hold is.
pub fn read(
    mem: &MemReader,
    addr: u64,
    len: u64,
    form: Form,
    root: Option<&Path>,
    force: bool,
    output: Option<&Path>,
) -> Result<()> {
    let Some(end) = addr.checked_add(len) else {
        bail!("{addr:#x} + {len} runs past the end of the address space");
    };
    let mut files = Files {
        mem,
        root,
        table: None,
        paths: HashMap::new(),
        force,
    };
    let mut gaps: Vec<Explained> = Vec::new();
    with_output(output, None, |out| {
        let io_err = |e: io::Error| crit::Error::io(STDOUT_NAME, e);
        let mut buf = vec![0u8; READ_CHUNK.min(len as usize)];
        let mut dump = Hexdump::new(end);
        let mut hex = Vec::new();
        if form == Form::Json {
            write!(
                out,
                "{{\n  \"address\": \"{addr:#x}\",\n  \"length\": {len},\n  \"hex\": \""
            )
            .map_err(io_err)?;
        }
        let mut done = 0u64;
        while done < len {
            let n = ((len - done) as usize).min(READ_CHUNK);
            let at = addr + done;
            let missing = mem.read_into(at, &mut buf[..n])?;
            if !missing.is_empty() {
                for g in mem.gaps(&missing) {
                    let e = files.explain(g, &mut buf[..n], at)?;
                    push_gap(&mut gaps, e);
                }
            }
            let chunk = &buf[..n];
            match form {
                Form::Raw => out.write_all(chunk),
                Form::Hexdump => dump.write(out, at, chunk),
                Form::Json => {
                    hex.clear();
                    crit::hex::encode_into(&mut hex, chunk);
                    out.write_all(&hex)
                }
            }
            .map_err(io_err)?;
            done += n as u64;
        }
        match form {
            Form::Hexdump => dump.finish(out).map_err(io_err)?,
            Form::Json => {
                let g: Vec<GapJson> = gaps.iter().map(gap_json).collect();
                let g = serde_json::to_string_pretty(&g)?.replace('\n', "\n  ");
                writeln!(out, "\",\n  \"gaps\": {g}\n}}").map_err(io_err)?;
            }
            Form::Raw => {}
        }
        Ok(())
    })?;
    if form != Form::Json && !super::progress::quiet() {
        for g in &gaps {
            eprintln!("crit: {}", gap_note(g));
        }
    }
    Ok(())
}

/// A gap in `mem read --format json`, fields in documented order.
#[derive(Serialize)]
struct GapJson<'a> {
    start: Hex,
    end: Hex,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<Hex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_from: Option<String>,
}

fn gap_json(e: &Explained) -> GapJson<'_> {
    GapJson {
        start: Hex(e.gap.start),
        end: Hex(e.gap.end),
        kind: e.gap.kind.as_str(),
        file: e.file.as_ref().map(|(p, _)| p.as_str()),
        offset: e.file.as_ref().map(|&(_, o)| Hex(o)),
        read_from: e.read_from.as_ref().map(|p| p.display().to_string()),
    }
}

/// One line saying what a gap is and what was printed for it.
fn gap_note(e: &Explained) -> String {
    let g = &e.gap;
    let at = format!("{:#x}-{:#x} ({} bytes)", g.start, g.end, g.end - g.start);
    let what = match (g.kind, &e.file, &e.read_from) {
        (GapKind::Unmapped, ..) => "is unmapped (no mapping: the process would have faulted); read as zeros".to_string(),
        (GapKind::File, Some((path, off)), Some(real)) => format!(
            "is file-backed and not dumped: {} at offset {off:#x}; read from {}",
            escape(path),
            real.display()
        ),
        (GapKind::File, Some((path, off)), None) => format!(
            "is file-backed and not dumped: {} at offset {off:#x}; read as zeros (--files ROOT reads the file)",
            escape(path)
        ),
        (GapKind::File, None, _) => "is file-backed and not dumped (file unknown); read as zeros".to_string(),
        (GapKind::Zeros, ..) => "is anonymous memory never touched: zeros".to_string(),
        (GapKind::Lazy, ..) => "was left to lazy-pages and is not in the checkpoint; read as zeros".to_string(),
        (GapKind::Guard, ..) => "is a guard range: it holds no pages (the task faults there); read as zeros".to_string(),
        (GapKind::Uprobes, ..) => {
            "is the kernel's [uprobes] area: a checkpoint holds no pages of it; read as zeros".to_string()
        }
        (GapKind::ParentMissing, ..) => {
            return format!(
                "warning: {at} lives in a parent checkpoint that is missing (a pre-dump chain copied without its parent?); read as zeros"
            )
        }
    };
    format!("note: {at} {what}")
}
