//! Searching a task's memory for a literal or a regular expression, streaming
//! over the held bytes in blocks so that at most a few MiB are held whatever
//! the dump's size. Matches that cross pages, pagemap runs or files are found:
//! contiguous memory is scanned as one stream with an overlap between blocks.

use memchr::memmem;
use regex::bytes::{Regex, RegexBuilder};

use super::reader::MemReader;
use super::resolve::Extent;
use super::vma::Vma;
use crate::error::Result;

/// Bytes read per block.
const BLOCK: usize = 2 * 1024 * 1024;
/// Longest match a regular expression is guaranteed to find whole.
pub(crate) const REGEX_WINDOW: usize = 64 * 1024;
/// Bytes kept before a block for look-behind (`\b`, `^`).
const LOOKBEHIND: usize = 16;

/// A pattern that cannot be searched for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is empty.
    #[error("empty search pattern")]
    Empty,
    /// The `regex` crate refuses the regular expression (its message, on one line).
    #[error("{}", one_line(.0))]
    Regex(#[source] regex::Error),
}

enum Matcher {
    Literal(Box<memmem::Finder<'static>>),
    Regex(Regex),
}

/// A compiled search pattern.
///
/// ```
/// use crit::mem::Searcher;
/// assert!(Searcher::literal(b"secret", false).is_ok());
/// assert!(Searcher::regex(r"token=[0-9a-f]{8}", true).is_ok());
/// assert!(Searcher::literal(b"", false).is_err());
/// ```
pub struct Searcher {
    matcher: Matcher,
    /// Bytes a match may reach past the part of a block searched.
    overlap: usize,
}

impl Searcher {
    /// Bytes, matched exactly, or ignoring ASCII case.
    pub fn literal(pattern: &[u8], ignore_case: bool) -> Result<Self, PatternError> {
        if pattern.is_empty() {
            return Err(PatternError::Empty);
        }
        if ignore_case {
            // The regex engine's literal optimisations keep this fast.
            let mut re = String::with_capacity(pattern.len() * 4);
            for &b in pattern {
                if b.is_ascii_alphanumeric() {
                    re.push(b as char);
                } else {
                    re.push_str(&format!("\\x{b:02x}"));
                }
            }
            let matcher = Matcher::Regex(build_regex(&re, true)?);
            return Ok(Searcher {
                matcher,
                overlap: pattern.len() - 1,
            });
        }
        let finder = Box::new(memmem::Finder::new(pattern).into_owned());
        Ok(Searcher {
            matcher: Matcher::Literal(finder),
            overlap: pattern.len() - 1,
        })
    }

    /// A regular expression over bytes (`regex` syntax, Unicode off so `.`
    /// matches any byte but `\n`, `^`/`$` at line ends). Matches longer than
    /// `REGEX_WINDOW` may be cut short.
    pub fn regex(pattern: &str, ignore_case: bool) -> Result<Self, PatternError> {
        if pattern.is_empty() {
            return Err(PatternError::Empty);
        }
        Ok(Searcher {
            matcher: Matcher::Regex(build_regex(pattern, ignore_case)?),
            overlap: REGEX_WINDOW,
        })
    }

    /// The first match at or after `from` in `hay`, as a range.
    fn find_at(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        match &self.matcher {
            Matcher::Literal(f) => f.find(&hay[from..]).map(|i| (from + i, from + i + f.needle().len())),
            Matcher::Regex(re) => re.find_at(hay, from).map(|m| (m.start(), m.end())),
        }
    }
}

fn build_regex(pattern: &str, ignore_case: bool) -> Result<Regex, PatternError> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .case_insensitive(ignore_case)
        .multi_line(true)
        .build()
        .map_err(PatternError::Regex)
}

/// The regex parser's message on one line: its own display spans several
/// (the pattern, a caret under the fault, then `error: …`).
fn one_line(e: &regex::Error) -> String {
    let text = e.to_string();
    let why = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or_default().trim());
    format!("regex parse error: {why}")
}

/// One match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchMatch {
    /// Virtual address of the first byte.
    pub addr: u64,
    /// The bytes matched.
    pub bytes: Vec<u8>,
    /// Up to `context` bytes before and after (zeros where not held).
    pub before: Vec<u8>,
    /// Up to `context` bytes after the match.
    pub after: Vec<u8>,
    /// The mapping the match starts in.
    pub vma: Option<Vma>,
}

/// Totals of one search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Bytes of memory searched.
    pub bytes_scanned: u64,
    /// Matches found.
    pub matches: u64,
}

/// `bytes` with every byte outside printable ASCII as `.`.
///
/// ```
/// assert_eq!(crit::mem::printable(b"ab\0\xffc"), "ab..c");
/// ```
pub fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' })
        .collect()
}

/// What a search has counted so far, and its progress.
struct Tally {
    stats: SearchStats,
    meter: crate::progress::Meter,
}

impl MemReader {
    /// Calls `on_match` for every match of `searcher` in the held memory, in
    /// address order, with `context` bytes either side. Matches do not overlap.
    ///
    /// ```no_run
    /// use crit::mem::{MemReader, Searcher};
    ///
    /// let mem = MemReader::open("checkpoint", None)?;
    /// let s = Searcher::literal(b"password=", false).unwrap();
    /// mem.search(&s, 16, |m| {
    ///     println!("{:#x}: {}", m.addr, crit::mem::printable(&m.after));
    ///     Ok(())
    /// })?;
    /// # Ok::<(), crit::Error>(())
    /// ```
    pub fn search(
        &self,
        searcher: &Searcher,
        context: usize,
        mut on_match: impl FnMut(SearchMatch) -> Result<()>,
    ) -> Result<SearchStats> {
        let mut window: Vec<u8> = Vec::with_capacity(BLOCK + searcher.overlap + LOOKBEHIND);
        let total = self.extents.iter().map(|e| e.len).sum();
        let mut tally = Tally {
            stats: SearchStats::default(),
            meter: crate::progress::Meter::start("searching memory", total),
        };
        let mut i = 0;
        while i < self.extents.len() {
            // A stretch: extents that follow each other without a gap.
            let mut j = i + 1;
            while j < self.extents.len() && self.extents[j].start == self.extents[j - 1].end() {
                j += 1;
            }
            self.search_stretch(
                &self.extents[i..j],
                searcher,
                context,
                &mut window,
                &mut tally,
                &mut on_match,
            )?;
            i = j;
        }
        Ok(tally.stats)
    }

    /// Every match, collected (see [`MemReader::search`]).
    pub fn search_all(&self, searcher: &Searcher, context: usize) -> Result<Vec<SearchMatch>> {
        let mut out = Vec::new();
        self.search(searcher, context, |m| {
            out.push(m);
            Ok(())
        })?;
        Ok(out)
    }

    fn search_stretch(
        &self,
        stretch: &[Extent],
        searcher: &Searcher,
        context: usize,
        window: &mut Vec<u8>,
        tally: &mut Tally,
        on_match: &mut impl FnMut(SearchMatch) -> Result<()>,
    ) -> Result<()> {
        window.clear();
        let mut win_addr = stretch[0].start;
        // Next unread byte: extent index and offset in it.
        let (mut ext, mut off) = (0usize, 0u64);
        // Matches may start from here on (earlier bytes were decided).
        let mut from = 0usize;
        loop {
            // Fill one block, across extents (and so across files).
            let mut want = BLOCK;
            while want > 0 && ext < stretch.len() {
                let e = &stretch[ext];
                let n = ((e.len - off) as usize).min(want);
                let at = window.len();
                window.resize(at + n, 0);
                self.files.read_at(e.file, e.offset + off, &mut window[at..])?;
                tally.stats.bytes_scanned += n as u64;
                tally.meter.advance(n as u64);
                want -= n;
                off += n as u64;
                if off == e.len {
                    ext += 1;
                    off = 0;
                }
            }
            let last = ext == stretch.len();
            // Unless at the end, a match must start early enough to be whole.
            let limit = if last {
                window.len()
            } else {
                window.len().saturating_sub(searcher.overlap)
            };
            let mut pos = from;
            while pos < limit {
                let Some((s, e)) = searcher.find_at(window, pos) else {
                    break;
                };
                if s >= limit {
                    break;
                }
                if e > s {
                    tally.stats.matches += 1;
                    on_match(self.make_match(window, win_addr, s, e, context)?)?;
                    pos = e;
                } else {
                    pos = s + 1; // an empty regex match: not reported
                }
            }
            if last {
                return Ok(());
            }
            let resume = pos.max(limit);
            let drop = resume.saturating_sub(LOOKBEHIND);
            window.drain(..drop);
            win_addr += drop as u64;
            from = resume - drop;
        }
    }

    /// A match at `window[s..e]`, with context from the window when it is
    /// there, else read (it may cross into another stretch or a hole).
    fn make_match(&self, window: &[u8], win_addr: u64, s: usize, e: usize, context: usize) -> Result<SearchMatch> {
        let addr = win_addr + s as u64;
        let bytes = window[s..e].to_vec();
        let before = if s >= context {
            window[s - context..s].to_vec()
        } else {
            let start = addr.saturating_sub(context as u64);
            self.read(start, (addr - start) as usize)?.data
        };
        let after = if e + context <= window.len() {
            window[e..e + context].to_vec()
        } else {
            let end = addr + bytes.len() as u64;
            let n = context.min((u64::MAX - end) as usize);
            self.read(end, n)?.data
        };
        Ok(SearchMatch {
            addr,
            bytes,
            before,
            after,
            vma: self.vma_at(addr).copied(),
        })
    }
}
