//! The page size of the machine that wrote a checkpoint: 4 KiB on x86_64,
//! often 64 KiB on arm64 and ppc64le, 16 KiB on some arm64 kernels. A
//! pagemap counts pages, so every address and byte figure depends on it.
//! A pages file holds exactly the pages its pagemaps say are present: its
//! size divided by their count is the page size.

use std::collections::BTreeMap;

use serde::Serialize;

use super::pagemap::{Pagemap, PAGE_SIZE};
use crate::error::Result;
use crate::source::Source;

/// The page sizes CRIU's architectures use, in bytes.
pub(crate) const PAGE_SIZES: [u64; 3] = [4096, 16384, 65536];

/// A checkpoint's page size and how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageSize {
    /// Bytes per page.
    pub size: u64,
    /// How many pages files it was measured on; 0 when the checkpoint holds
    /// no pages and 4 KiB is assumed.
    pub measured_on: usize,
}

/// Parses a `--page-size` value: `4096`, `4k`, `16K`, `64KiB`, `65536`.
pub fn parse_page_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let (num, mul) = match lower.strip_suffix("kib").or_else(|| lower.strip_suffix('k')) {
        Some(n) => (n, 1024),
        None => (lower.as_str(), 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .filter(|n| PAGE_SIZES.contains(n))
        .ok_or_else(|| format!("\"{s}\" is not a page size: give 4K, 16K or 64K (4096, 16384 or 65536)"))
}

/// `4 KiB`, `64 KiB`.
pub fn page_size_label(size: u64) -> String {
    crate::size::format_size(size, crate::size::SizeForm::Exact)
}

impl Source {
    /// The page size of the machine that wrote the checkpoint, in bytes: the
    /// one given with [`set_page_size`](Self::set_page_size), else inferred
    /// once from the checkpoint (see [`infer_page_size`]).
    ///
    /// # Errors
    ///
    /// The pages files and pagemaps disagree: a damaged checkpoint.
    pub fn page_size(&self) -> Result<u64> {
        self.page_size_or(|src| Ok(infer_page_size(src)?.size))
    }
}

/// Infers the page size of `src` from its pages files and pagemaps: each
/// pages file that holds a whole number of 4, 16 or 64 KiB pages for the
/// pages its pagemaps say are present is a vote for that size, and the size
/// most files vote for wins (the larger on a tie). A checkpoint where no
/// file measures whole (every pages file cut or grown) takes 4 KiB if it is
/// an x86_64 one, else the size nearest the largest file's bytes per page;
/// one with no pages, 4 KiB.
///
/// Pages files that disagree with the size found are not an error here:
/// the checkpoint is damaged, and [`crate::checkpoint::consistency`] reports each of
/// them against this size, so that every command says so and exits 1.
///
/// # Errors
///
/// A pagemap that cannot be read.
pub(crate) fn infer_page_size(src: &Source) -> Result<PageSize> {
    // pages_id → present pages, in pages of one byte (nr_pages is the length).
    let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
    for name in src.image_names()? {
        if !(name.starts_with("pagemap-") && name.ends_with(".img")) || name.contains('/') {
            continue;
        }
        let pm = Pagemap::from_reader(src.image_reader(&name)?, 1)?;
        let present = pm
            .runs
            .iter()
            .filter(|r| r.present())
            .fold(0u64, |n, r| n.saturating_add(r.nr_pages));
        if present > 0 {
            let c = counts.entry(pm.pages_id).or_default();
            *c = c.saturating_add(present);
        }
    }
    let mut votes = [0usize; PAGE_SIZES.len()];
    // The largest pages file's bytes and pages, for a checkpoint with no whole one.
    let mut largest = (0u64, 0u64);
    for (id, pages) in counts {
        let Some(bytes) = src.image_size(&crate::image::name::pages(id)) else {
            continue; // A missing pages file is reported where it is checked.
        };
        if bytes.is_multiple_of(pages) {
            if let Some(i) = PAGE_SIZES.iter().position(|&s| s == bytes / pages) {
                votes[i] += 1;
            }
        }
        largest = largest.max((bytes, pages));
    }
    let measured_on = votes.iter().sum();
    let size = match votes.iter().enumerate().rev().max_by_key(|&(_, v)| *v) {
        Some((i, &v)) if v > 0 => PAGE_SIZES[i],
        // x86_64 has 4 KiB pages only, however the pages files are damaged.
        _ if largest.1 == 0 || is_x86(src) => PAGE_SIZE,
        _ => nearest(largest.0 as f64 / largest.1 as f64),
    };
    Ok(PageSize { size, measured_on })
}

/// Whether the checkpoint's first core image is an x86_64 task's (32-bit
/// compat ones included): a machine of 4 KiB pages.
fn is_x86(src: &Source) -> bool {
    let names = src.image_names().unwrap_or_default();
    let Some(core) = names.iter().find(|n| n.starts_with("core-") && n.ends_with(".img")) else {
        return false;
    };
    src.read_first::<crate::proto::CoreEntry>(core)
        .is_ok_and(|c| c.mtype == crate::proto::core_entry::March::X8664 as i32)
}

/// The page size nearest `per_page` bytes (by ratio).
fn nearest(per_page: f64) -> u64 {
    let off = |s: u64| (per_page.max(1.0) / s as f64).ln().abs();
    PAGE_SIZES
        .into_iter()
        .min_by(|&x, &y| off(x).total_cmp(&off(y)))
        .unwrap_or(PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_parse() {
        assert_eq!(parse_page_size("4096"), Ok(4096));
        assert_eq!(parse_page_size("4k"), Ok(4096));
        assert_eq!(parse_page_size("16K"), Ok(16384));
        assert_eq!(parse_page_size("64KiB"), Ok(65536));
        assert_eq!(parse_page_size("65536"), Ok(65536));
        assert!(parse_page_size("8k").unwrap_err().contains("\"8k\" is not a page size"));
        assert!(parse_page_size("x").is_err());
        assert_eq!(page_size_label(65536), "64 KiB");
    }
}
