//! Dump and restore statistics: the `stats-dump` and `stats-restore` images
//! CRIU writes beside a checkpoint (`crit stats`).
//!
//! Times are in microseconds, as CRIU records them; page counts are in pages
//! of the checkpoint's page size ([`Source::page_size`]).
//!
//! ```no_run
//! let stats = crit::stats::Stats::read("checkpoint")?;
//! if let Some(d) = &stats.dump {
//!     println!("frozen for {} µs, {} pages written", d.frozen_time, d.pages_written);
//! }
//! # Ok::<(), crit::Error>(())
//! ```

use std::io;
use std::path::Path;

use crate::error::{Error, Result};
use crate::image::ImageReader;
use crate::proto::{DumpStatsEntry, RestoreStatsEntry, StatsEntry};
use crate::source::{OpenOptions, Source};

/// What a statistic counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A duration in microseconds.
    Micros,
    /// A number of pages of the checkpoint's page size.
    Pages,
    /// A plain count.
    Count,
}

/// One statistic: its field name in the image, a label for people, its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The field's name in `stats_entry` (`freezing_time`).
    pub name: &'static str,
    /// What it means, for people.
    pub label: &'static str,
    /// Its value, in `unit`s.
    pub value: u64,
    /// The unit of `value`.
    pub unit: Unit,
}

/// The statistics a checkpoint directory has: either or both may be absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// From `stats-dump`.
    pub dump: Option<DumpStatsEntry>,
    /// From `stats-restore`.
    pub restore: Option<RestoreStatsEntry>,
}

impl Stats {
    /// Reads `stats-dump` and `stats-restore` of the checkpoint at `path` (a
    /// directory or an archive), whichever exist.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        Stats::from_source(&Source::open(path, &OpenOptions::default())?)
    }

    /// Reads them from `src`: among the images, or beside them, where
    /// container engines keep `stats-dump`.
    pub fn from_source(src: &Source) -> Result<Self> {
        Ok(Stats {
            dump: dump_of(src)?,
            restore: restore_of(src)?,
        })
    }

    /// True when the directory had neither image.
    pub fn is_empty(&self) -> bool {
        self.dump.is_none() && self.restore.is_none()
    }
}

/// `name`'s entry and how errors name the file; `None` when absent.
fn read_stats(src: &Source, name: &str) -> Result<Option<(StatsEntry, String)>> {
    if src.has_image(name) {
        return Ok(Some((src.read_first(name)?, src.image_label(name))));
    }
    let Some(bytes) = src.file(name)? else { return Ok(None) };
    let label = src.file_label(name);
    let len = bytes.len() as u64;
    let mut r = ImageReader::new(io::Cursor::new(bytes), label.clone(), Some(len))?;
    let mut buf = Vec::new();
    let e = r
        .next_message::<StatsEntry>(&mut buf)?
        .ok_or_else(|| Error::no_entries(&label))?;
    Ok(Some((e, label)))
}

fn dump_of(src: &Source) -> Result<Option<DumpStatsEntry>> {
    match read_stats(src, "stats-dump")? {
        None => Ok(None),
        Some((s, label)) => s
            .dump
            .map(Some)
            .ok_or_else(|| Error::missing_field(label, "dump", "the entry has no dump statistics")),
    }
}

fn restore_of(src: &Source) -> Result<Option<RestoreStatsEntry>> {
    match read_stats(src, "stats-restore")? {
        None => Ok(None),
        Some((s, label)) => s
            .restore
            .map(Some)
            .ok_or_else(|| Error::missing_field(label, "restore", "the entry has no restore statistics")),
    }
}

/// The `dump` part of `stats-dump` of the checkpoint at `path`; `None` when
/// it has none.
///
/// ```no_run
/// let d = crit::stats::dump_stats("checkpoint")?.expect("dumped by criu");
/// println!("{} pages scanned", d.pages_scanned);
/// # Ok::<(), crit::Error>(())
/// ```
pub fn dump_stats(path: impl AsRef<Path>) -> Result<Option<DumpStatsEntry>> {
    dump_of(&Source::open(path, &OpenOptions::default())?)
}

/// The `restore` part of `stats-restore` of the checkpoint at `path`; `None`
/// when it has none.
pub fn restore_stats(path: impl AsRef<Path>) -> Result<Option<RestoreStatsEntry>> {
    restore_of(&Source::open(path, &OpenOptions::default())?)
}

fn stat(name: &'static str, label: &'static str, value: u64, unit: Unit) -> Stat {
    Stat {
        name,
        label,
        value,
        unit,
    }
}

/// The dump statistics in image order; optional fields only when recorded.
///
/// ```
/// use crit::proto::DumpStatsEntry;
/// let d = DumpStatsEntry { frozen_time: 1500, pages_written: 3, ..Default::default() };
/// let s = crit::stats::dump_fields(&d);
/// assert_eq!((s[1].name, s[1].value), ("frozen_time", 1500));
/// ```
pub fn dump_fields(d: &DumpStatsEntry) -> Vec<Stat> {
    use Unit::*;
    let mut v = vec![
        stat("freezing_time", "freezing time", d.freezing_time.into(), Micros),
        stat("frozen_time", "frozen time", d.frozen_time.into(), Micros),
        stat("memdump_time", "memory dump time", d.memdump_time.into(), Micros),
        stat("memwrite_time", "memory write time", d.memwrite_time.into(), Micros),
        stat("pages_scanned", "pages scanned", d.pages_scanned, Pages),
        stat(
            "pages_skipped_parent",
            "pages skipped (in parent)",
            d.pages_skipped_parent,
            Pages,
        ),
        stat("pages_written", "pages written", d.pages_written, Pages),
    ];
    if let Some(x) = d.irmap_resolve {
        v.push(stat("irmap_resolve", "irmap resolve time", x.into(), Micros));
    }
    v.push(stat("pages_lazy", "pages lazy", d.pages_lazy, Pages));
    let opt: [(&'static str, &'static str, Option<u64>, Unit); 5] = [
        ("page_pipes", "page pipes", d.page_pipes, Count),
        ("page_pipe_bufs", "page pipe buffers", d.page_pipe_bufs, Count),
        ("shpages_scanned", "shared pages scanned", d.shpages_scanned, Pages),
        (
            "shpages_skipped_parent",
            "shared pages skipped (in parent)",
            d.shpages_skipped_parent,
            Pages,
        ),
        ("shpages_written", "shared pages written", d.shpages_written, Pages),
    ];
    v.extend(opt.into_iter().filter_map(|(n, l, x, u)| x.map(|x| stat(n, l, x, u))));
    v
}

/// The restore statistics in image order; optional fields only when recorded.
pub fn restore_fields(r: &RestoreStatsEntry) -> Vec<Stat> {
    use Unit::*;
    let mut v = vec![
        stat("pages_compared", "pages compared", r.pages_compared, Pages),
        stat("pages_skipped_cow", "pages skipped (COW)", r.pages_skipped_cow, Pages),
        stat("forking_time", "forking time", r.forking_time.into(), Micros),
        stat("restore_time", "restore time", r.restore_time.into(), Micros),
    ];
    if let Some(x) = r.pages_restored {
        v.push(stat("pages_restored", "pages restored", x, Pages));
    }
    v
}
