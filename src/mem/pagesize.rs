//! The page size of the machine that wrote a checkpoint: 4 KiB on x86_64,
//! often 64 KiB on arm64 and ppc64le, 16 KiB on some arm64 kernels. A
//! pagemap counts pages, so every address and byte figure depends on it.
//! A pages file holds exactly the pages its pagemaps say are present: its
//! size divided by their count is the page size.

use std::collections::BTreeMap;

use serde::Serialize;

use super::pagemap::{Pagemap, PAGE_SIZE};
use crate::error::{Error, Result};
use crate::source::Source;

/// The page sizes CRIU's architectures use, in bytes.
pub const PAGE_SIZES: [u64; 3] = [4096, 16384, 65536];

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
    if size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} bytes")
    }
}

/// Infers the page size of `src` from its pages files and pagemaps.
///
/// # Errors
///
/// A pages file that is not a whole number of 4, 16 or 64 KiB pages for
/// the pages its pagemaps say are present, or two pages files that give
/// different page sizes: the checkpoint is damaged; the error names the images.
pub fn infer_page_size(src: &Source) -> Result<PageSize> {
    // pages_id → (present pages, the pagemaps naming it).
    let mut counts: BTreeMap<u32, (u64, Vec<String>)> = BTreeMap::new();
    for name in src.image_names()? {
        if !(name.starts_with("pagemap-") && name.ends_with(".img")) || name.contains('/') {
            continue;
        }
        // In pages of one byte: nr_pages is the length.
        let pm = Pagemap::from_reader(src.image_reader(&name)?, 1)?;
        let present = pm
            .runs
            .iter()
            .filter(|r| r.present())
            .fold(0u64, |n, r| n.saturating_add(r.nr_pages));
        if present > 0 {
            let c = counts.entry(pm.pages_id).or_default();
            c.0 = c.0.saturating_add(present);
            c.1.push(name);
        }
    }
    let mut found: Option<(u64, String)> = None;
    let mut measured_on = 0;
    for (id, (pages, maps)) in counts {
        let file = format!("pages-{id}.img");
        let Some(bytes) = src.image_size(&file) else {
            continue; // A missing pages file is reported where it is read.
        };
        let say = if maps.len() > 1 { "say" } else { "says" };
        let maps = maps.join(", ");
        let size = (bytes % pages == 0)
            .then(|| bytes / pages)
            .filter(|s| PAGE_SIZES.contains(s));
        let Some(size) = size else {
            return Err(Error::Checkpoint(format!(
                "{}: damaged checkpoint: {maps} {say} {pages} pages are in {file}, which has {bytes} bytes: not {pages} pages of 4, 16 or 64 KiB",
                src.label()
            )));
        };
        if let Some((first, ref by)) = found {
            if first != size {
                return Err(Error::Checkpoint(format!(
                    "{}: damaged checkpoint: {by} holds pages of {} but {file} ({maps}) holds pages of {}",
                    src.label(),
                    page_size_label(first),
                    page_size_label(size)
                )));
            }
        } else {
            found = Some((size, file));
        }
        measured_on += 1;
    }
    Ok(PageSize {
        size: found.map_or(PAGE_SIZE, |f| f.0),
        measured_on,
    })
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
