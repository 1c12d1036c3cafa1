//! The `PT_LOAD` segments of a core: one per mapping, filled from the
//! checkpoint's pages, from the mapped file under `--files ROOT`, or with
//! zeros; and the streaming writer that copies them out in bounded chunks.

use std::io::{Seek, SeekFrom, Write};
use std::ops::Range;

use super::elf::prot_flags;
use super::rootfs::MappedFiles;
use crate::error::{Error, Result};
use crate::mem::{MemReader, Vma, PAGE_SIZE};

const PROT_READ: u32 = 1;

/// Bytes copied per step: what bounds the writer's memory.
const CHUNK: usize = 1024 * 1024;
/// Zero runs shorter than this are written: a hole per stray zero page
/// fragments the file (renaming it over an old core then took minutes).
const MIN_HOLE: u64 = 256 * 1024;
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// Where a stretch of a segment's bytes comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The checkpoint's pages (as [`MemReader`] resolves them).
    Held,
    /// A mapped file under the root: file `id` from `offset`.
    File { id: usize, offset: u64 },
    /// Anonymous memory the checkpoint does not hold: zeros, as CRIU would
    /// restore it.
    Zeros,
}

/// `len` bytes from address `start`, from `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub start: u64,
    pub len: u64,
    pub source: Source,
}

/// One `PT_LOAD`: `memsz` bytes at `vaddr`, of which the `pieces` (if any)
/// are written; none means `p_filesz` 0, as the kernel writes unmodified
/// file pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub flags: u32,
    pub pieces: Vec<Piece>,
}

impl Segment {
    pub fn filesz(&self) -> u64 {
        self.pieces.iter().map(|p| p.len).sum()
    }
}

/// A file-backed range whose contents the core leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The addresses left out.
    pub range: Range<u64>,
    /// The mapped file, as the checkpoint names it.
    pub path: String,
    /// Why it could not be read (no root given, not found, …).
    pub reason: String,
}

/// A mapping to dump and what backs it.
pub(crate) struct Mapping {
    pub vma: Vma,
    /// The mapped file's path, for a mapping whose pages the checkpoint
    /// does not hold are the file's.
    pub path: Option<String>,
    /// A mapping whose contents no one can read (`[vsyscall]`): its segment
    /// has no bytes.
    pub no_contents: bool,
}

/// Plans the segments of `maps` (in address order), reading the held ranges
/// from `mem` and opening mapped files through `files`.
pub(crate) fn plan(mem: &MemReader, maps: &[Mapping], files: &mut MappedFiles) -> (Vec<Segment>, Vec<LeftOut>) {
    let held = mem.held_ranges();
    let mut segments = Vec::with_capacity(maps.len());
    let mut left_out = Vec::new();
    for m in maps {
        let v = &m.vma;
        let flags = prot_flags(v.prot);
        if m.no_contents || v.is_empty() {
            segments.push(Segment {
                vaddr: v.start,
                memsz: v.len(),
                flags,
                pieces: Vec::new(),
            });
            continue;
        }
        // (piece, available) in address order.
        let mut parts: Vec<(Piece, bool)> = Vec::new();
        let mut gap = |from: u64, to: u64, parts: &mut Vec<(Piece, bool)>| {
            if from >= to {
                return;
            }
            let piece = |source| Piece {
                start: from,
                len: to - from,
                source,
            };
            match &m.path {
                // A PROT_NONE reservation (guard areas, sanitizer shadows of
                // terabytes) reads as nothing, and the kernel writes none of it.
                None if v.prot == 0 => parts.push((piece(Source::Zeros), false)),
                None => parts.push((piece(Source::Zeros), true)),
                Some(path) => match files.open(path) {
                    Ok(id) => {
                        let offset = v.pgoff.saturating_add(from - v.start);
                        parts.push((piece(Source::File { id, offset }), true));
                    }
                    Err(reason) => {
                        // Without a root, the kernel's ELF header page: the first
                        // page (of the checkpoint's size) of a readable mapping at
                        // file offset 0, from the file at its path here when it is
                        // the one recorded.
                        let head = if from == v.start && v.pgoff == 0 && v.prot & PROT_READ != 0 {
                            files.header(path)
                        } else {
                            None
                        };
                        let from = match head {
                            Some(id) => {
                                let end = v.start.saturating_add(mem.page_size()).min(to);
                                let head = Piece {
                                    start: from,
                                    len: end - from,
                                    source: Source::File { id, offset: 0 },
                                };
                                parts.push((head, true));
                                end
                            }
                            None => from,
                        };
                        if from == to {
                            return;
                        }
                        let piece = |source| Piece {
                            start: from,
                            len: to - from,
                            source,
                        };
                        left_out.push(LeftOut {
                            range: from..to,
                            path: path.clone(),
                            reason,
                        });
                        parts.push((piece(Source::Zeros), false));
                    }
                },
            }
        };
        let mut at = v.start;
        let i = held.partition_point(|r| r.end <= v.start);
        for r in held[i..].iter().take_while(|r| r.start < v.end) {
            let (s, e) = (r.start.max(v.start), r.end.min(v.end));
            gap(at, s, &mut parts);
            parts.push((
                Piece {
                    start: s,
                    len: e - s,
                    source: Source::Held,
                },
                true,
            ));
            at = e;
        }
        gap(at, v.end, &mut parts);
        into_segments(parts, flags, &mut segments);
    }
    (segments, left_out)
}

/// The segments of one mapping's `parts` (piece, available), in address
/// order: normally one; a file mapping only partly available splits so that
/// no unknown byte is written as a zero.
fn into_segments(parts: Vec<(Piece, bool)>, flags: u32, segments: &mut Vec<Segment>) {
    let mut cur: Option<(Segment, bool)> = None;
    for (p, avail) in parts {
        match &mut cur {
            Some((seg, a)) if *a == avail => {
                seg.memsz += p.len;
                if avail {
                    seg.pieces.push(p);
                }
            }
            _ => {
                segments.extend(cur.take().map(|(s, _)| s));
                cur = Some((
                    Segment {
                        vaddr: p.start,
                        memsz: p.len,
                        flags,
                        pieces: if avail { vec![p] } else { Vec::new() },
                    },
                    avail,
                ));
            }
        }
    }
    segments.extend(cur.map(|(s, _)| s));
}

/// A writer that turns runs of zeros into holes (a sparse file, as the
/// kernel writes cores), keeping track of the offset.
pub(crate) struct Sink<W: Write + Seek> {
    out: W,
    pos: u64,
    hole: u64,
}

impl<W: Write + Seek> Sink<W> {
    pub fn new(out: W) -> Self {
        Sink { out, pos: 0, hole: 0 }
    }

    pub fn pos(&self) -> u64 {
        self.pos + self.hole
    }

    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        self.fill()?;
        self.out.write_all(data).map_err(io)?;
        self.pos += data.len() as u64;
        Ok(())
    }

    /// Writes the pending zeros: a hole when long, else the bytes.
    fn fill(&mut self) -> Result<()> {
        if self.hole >= MIN_HOLE {
            let hole = i64::try_from(self.hole).map_err(|_| Error::Damaged {
                what: "core file too large".into(),
            })?;
            self.out.seek(SeekFrom::Current(hole)).map_err(io)?;
            self.pos += self.hole;
            self.hole = 0;
        }
        while self.hole > 0 {
            let n = self.hole.min(ZEROS.len() as u64);
            self.out.write_all(&ZEROS[..n as usize]).map_err(io)?;
            self.pos += n;
            self.hole -= n;
        }
        Ok(())
    }

    pub fn zeros(&mut self, n: u64) {
        self.hole += n;
    }

    /// Writes `data`, leaving holes for its all-zero pages.
    pub(crate) fn write_sparse(&mut self, data: &[u8]) -> Result<()> {
        let page = PAGE_SIZE as usize;
        let mut from = 0;
        while from < data.len() {
            let zero = |c: &[u8]| c.iter().all(|&b| b == 0);
            let end = (from + page).min(data.len());
            let z = zero(&data[from..end]);
            let mut to = end;
            while to < data.len() && zero(&data[to..(to + page).min(data.len())]) == z {
                to = (to + page).min(data.len());
            }
            if z {
                self.zeros((to - from) as u64);
            } else {
                self.write(&data[from..to])?;
            }
            from = to;
        }
        Ok(())
    }

    /// Ends the file: a trailing hole still counts toward its length.
    pub fn finish(mut self) -> Result<W> {
        if self.hole >= MIN_HOLE {
            self.hole -= 1;
            self.write(&[0])?;
        }
        self.fill()?;
        self.out.flush().map_err(io)?;
        Ok(self.out)
    }
}

fn io(e: std::io::Error) -> Error {
    Error::io("<core file>", e)
}

/// Writes the bytes of `seg`, `CHUNK` at a time.
pub(crate) fn write_segment<W: Write + Seek>(
    sink: &mut Sink<W>,
    seg: &Segment,
    mem: &MemReader,
    files: &MappedFiles,
    buf: &mut Vec<u8>,
    meter: &mut crate::progress::Meter,
) -> Result<()> {
    for p in &seg.pieces {
        let mut done = 0u64;
        while done < p.len {
            let n = (p.len - done).min(CHUNK as u64) as usize;
            match p.source {
                Source::Zeros => {
                    sink.zeros(n as u64);
                }
                Source::Held => {
                    buf.resize(n, 0);
                    mem.read_into(p.start + done, &mut buf[..n])?;
                    sink.write_sparse(&buf[..n])?;
                }
                Source::File { id, offset } => {
                    buf.resize(n, 0);
                    files
                        .read_at(id, offset + done, &mut buf[..n])
                        .map_err(|e| Error::io(format!("mapped file of {:#x}", p.start), e))?;
                    sink.write_sparse(&buf[..n])?;
                }
            }
            done += n as u64;
            meter.advance(n as u64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn sparse_sink_keeps_length_and_bytes() {
        let mut s = Sink::new(Cursor::new(Vec::new()));
        s.write(b"ab").unwrap();
        s.zeros(3);
        s.write_sparse(&[[0u8; 4096], [1u8; 4096]].concat()).unwrap();
        s.zeros(2);
        assert_eq!(s.pos(), 2 + 3 + 8192 + 2);
        let out = s.finish().unwrap().into_inner();
        assert_eq!(out.len(), 2 + 3 + 8192 + 2);
        for tail in [MIN_HOLE - 1, MIN_HOLE, 3 * MIN_HOLE + 5] {
            let mut s = Sink::new(Cursor::new(Vec::new()));
            s.write(b"x").unwrap();
            s.zeros(tail);
            s.write(b"y").unwrap();
            s.zeros(tail);
            let out = s.finish().unwrap().into_inner();
            assert_eq!(out.len() as u64, 2 + 2 * tail);
            assert_eq!(out[tail as usize + 1], b'y');
            assert_eq!(out.iter().filter(|&&b| b != 0).count(), 2);
        }
        assert_eq!(&out[..2], b"ab");
        assert!(out[2..5 + 4096].iter().all(|&b| b == 0));
        assert!(out[5 + 4096..5 + 8192].iter().all(|&b| b == 1));
        assert_eq!(&out[5 + 8192..], &[0, 0]);
    }
}
