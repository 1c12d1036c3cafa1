//! `crit stats DIR`: the dump and restore statistics, with units.

use anyhow::{bail, Result};
use crit::source::{OpenOptions, Source};
use crit::stats::{self, Stat, Stats, Unit};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::args::{Format, StatsArgs};
use super::render::table::Table;
use super::render::{human_size, print_json, use_color, Text, Tone};

pub fn run(args: &StatsArgs) -> Result<()> {
    let opts = OpenOptions {
        container: args.container.clone(),
        page_size: super::page_size(),
        ..OpenOptions::default()
    };
    let src = Source::open(&args.dir, &opts)?;
    super::problems::check_source(&src);
    let s = Stats::from_source(&src)?;
    if s.is_empty() {
        bail!("{}: no stats-dump or stats-restore image", args.dir.display());
    }
    let sections: Vec<(&str, &str, Vec<Stat>)> = [
        s.dump.as_ref().map(|d| ("dump", "stats-dump", stats::dump_fields(d))),
        s.restore
            .as_ref()
            .map(|r| ("restore", "stats-restore", stats::restore_fields(r))),
    ]
    .into_iter()
    .flatten()
    .collect();
    // CRIU counts pages of the dumping kernel's size.
    let page_size = src.page_size()?;
    match args.output.format {
        // The numbers as recorded (µs, pages): the Python CRIT's entry, per image.
        Format::Json => {
            let doc: Vec<(&str, Ordered<&str, u64>)> = sections
                .iter()
                .map(|(key, _, fields)| (*key, Ordered(fields.iter().map(|f| (f.name, f.value)).collect())))
                .collect();
            print_json(&Ordered(doc))
        }
        Format::Table => {
            let mut out = Text::stdout(use_color(args.output.color), super::render::table::table_width(None))?;
            // One table for both sections, so their columns line up.
            out.table(&Table::headless(3).right_align(&[1]), |rows| {
                for (i, (key, file, fields)) in sections.iter().enumerate() {
                    if i > 0 {
                        rows.line(Tone::Plain, "")?;
                    }
                    rows.line(Tone::Heading, &format!("{} ({file})", key.to_uppercase()))?;
                    for f in fields {
                        let [label, value, extra] = row(f, page_size);
                        let label = format!("  {label}");
                        rows.row(Tone::Plain, &[(&label).into(), (&value).into(), (&extra).into()])?;
                    }
                }
                Ok(())
            })?;
            out.finish()?;
            Ok(())
        }
    }
}

/// Every field `stats-dump` may hold, in `crit stats`' order, with its
/// label and unit (values 0).
pub(super) fn dump_template() -> Vec<Stat> {
    stats::dump_fields(&crit::proto::DumpStatsEntry {
        irmap_resolve: Some(0),
        page_pipes: Some(0),
        page_pipe_bufs: Some(0),
        shpages_scanned: Some(0),
        shpages_skipped_parent: Some(0),
        shpages_written: Some(0),
        ..Default::default()
    })
}

/// The fields of `template` (their order, labels and units) with the values
/// of `values` (field name to value); those it lacks are left out.
pub(super) fn with_values(template: Vec<Stat>, values: &std::collections::BTreeMap<&str, u64>) -> Vec<Stat> {
    template
        .into_iter()
        .filter_map(|f| {
            let value = *values.get(f.name)?;
            Some(Stat { value, ..f })
        })
        .collect()
}

/// A statistic's label, value and size (for pages): the one layout of
/// `crit stats` and `crit inspect`.
pub(super) fn row(f: &Stat, page_size: u64) -> [String; 3] {
    let (value, extra) = match f.unit {
        Unit::Micros => (format!("{:.3} ms", f.value as f64 / 1000.0), String::new()),
        Unit::Pages => {
            let unit = if f.value == 1 { "page " } else { "pages" };
            (
                format!("{} {unit}", f.value),
                human_size(f.value.saturating_mul(page_size)),
            )
        }
        Unit::Count => (f.value.to_string(), String::new()),
    };
    [f.label.to_string(), value, extra]
}

/// Serialises pairs as a JSON object in their order (serde_json's `Map` sorts).
struct Ordered<K, V>(Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Ordered<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}
