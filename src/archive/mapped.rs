//! A compressed archive's bytes, mapped a window at a time: the decompressor
//! reads them in place, without a copy through a read buffer, and no more
//! than one window is ever mapped (the resident set stays small). Where a
//! file cannot be mapped, the window is read into memory instead.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek};

use memmap2::{Mmap, MmapOptions};

use crate::progress::Meter;

/// Bytes mapped at once.
const WINDOW: u64 = 8 << 20;

enum Window {
    Mapped(Mmap),
    Read(Vec<u8>),
}

impl Window {
    fn bytes(&self) -> &[u8] {
        match self {
            Window::Mapped(m) => m,
            Window::Read(v) => v,
        }
    }
}

/// Reads `file` (of `len` bytes) through windows of it mapped in turn.
pub(super) struct Mapped {
    file: File,
    len: u64,
    /// Offset of the window in the file.
    at: u64,
    window: Window,
    /// Bytes of the window consumed.
    pos: usize,
    /// The compressed bytes read, of `len`.
    meter: Meter,
}

impl Mapped {
    pub(super) fn new(file: File, len: u64, label: &str) -> Mapped {
        Mapped {
            file,
            len,
            at: 0,
            window: Window::Read(Vec::new()),
            pos: 0,
            meter: Meter::start(&format!("reading {}", crate::progress::file_name(label)), len),
        }
    }

    fn next_window(&mut self) -> io::Result<()> {
        let next = self.at + self.window.bytes().len() as u64;
        let n = (self.len.saturating_sub(next)).min(WINDOW) as usize;
        self.window = Window::Read(Vec::new());
        self.at = next;
        self.pos = 0;
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the mapping is read only and private to this reader. Should
        // another process truncate the file meanwhile, reading the lost pages
        // raises SIGBUS, as with any mapped file (ripgrep's caveat too).
        match unsafe { MmapOptions::new().offset(next).len(n).populate().map(&self.file) } {
            Ok(m) => self.window = Window::Mapped(m),
            Err(_) => {
                let mut v = vec![0u8; n];
                (&self.file).seek(io::SeekFrom::Start(next))?;
                let got = crate::image::read_full(&mut &self.file, &mut v)?;
                v.truncate(got);
                self.window = Window::Read(v);
            }
        }
        Ok(())
    }
}

impl BufRead for Mapped {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.window.bytes().len() {
            self.next_window()?;
        }
        Ok(&self.window.bytes()[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        self.meter.advance(n as u64);
    }
}

impl Read for Mapped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}
