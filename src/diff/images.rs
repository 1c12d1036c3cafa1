//! The image files themselves (`crit diff --images`): which exist on one
//! side only, and for each on both sides whether its entries are equal, with
//! the first difference as a JSON path into the Python CRIT's JSON
//! ([`crate::image_json`]): `entries[0].vmas[17].prot`.

use std::io::{BufReader, Read};

use serde::Serialize;
use serde_json::Value;

use super::Change;
use crate::error::{Error, Result};
use crate::image_json::{decode_image, DecodeOptions};
use crate::source::Source;

/// Images larger than this are compared as bytes only: decoding holds a
/// whole image's JSON in memory.
pub(crate) const DECODE_LIMIT: u64 = 64 * 1024 * 1024;

/// One file present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageDiff {
    /// Its name in the checkpoint directory.
    pub name: String,
    /// True when the files hold the same entries (for files compared as
    /// bytes: the same bytes).
    pub equal: bool,
    /// True when it was compared as decoded entries, false when as bytes (raw
    /// memory `pages-*.img`, files that are not images, files over
    /// `DECODE_LIMIT`).
    pub decoded: bool,
    /// The first difference: a JSON path (`entries[3].vmas[17].prot`) and
    /// both values, or for bytes `bytes[OFFSET]` and both bytes (`null` past
    /// the end of a file). Absent when equal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Change>,
}

/// The image files of two checkpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImagesDiff {
    /// Files only in A, by name.
    pub only_a: Vec<String>,
    /// Files only in B, by name.
    pub only_b: Vec<String>,
    /// Files on both sides, by name.
    pub images: Vec<ImageDiff>,
}

impl ImagesDiff {
    /// True when both sides hold the same files with the same entries.
    pub fn is_equal(&self) -> bool {
        self.only_a.is_empty() && self.only_b.is_empty() && self.images.iter().all(|i| i.equal)
    }
}

/// Compares the image files of checkpoints `a` and `b` (directories or
/// archives alike: each is read through its [`Source`]).
///
/// # Errors
///
/// A folder or file cannot be read, or an image's entries are corrupt.
pub(crate) fn compare(a: &Source, b: &Source) -> Result<ImagesDiff> {
    // Regular files only: the `parent` link and other folders are left out.
    let (na, nb) = (a.image_names()?, b.image_names()?);
    let mut d = ImagesDiff {
        only_a: na.iter().filter(|n| !nb.contains(n)).cloned().collect(),
        only_b: nb.iter().filter(|n| !na.contains(n)).cloned().collect(),
        images: Vec::new(),
    };
    for name in na.iter().filter(|n| nb.contains(n)) {
        d.images.push(compare_file(a, b, name)?);
    }
    Ok(d)
}

fn compare_file(a: &Source, b: &Source, name: &str) -> Result<ImageDiff> {
    let raw = first_byte_difference(a, b, name)?;
    let mut d = ImageDiff {
        name: name.to_string(),
        equal: raw.is_none(),
        decoded: false,
        first: None,
    };
    let Some(raw) = raw else { return Ok(d) };
    let small = |s: &Source| s.image_size(name).is_some_and(|n| n <= DECODE_LIMIT);
    if !name.starts_with("pages-") && small(a) && small(b) {
        if let (Some(ja), Some(jb)) = (decode(a, name)?, decode(b, name)?) {
            d.decoded = true;
            d.first = first_difference(String::new(), &ja, &jb);
            // The same entries written with other bytes (field order, say) are equal.
            d.equal = d.first.is_none();
            return Ok(d);
        }
    }
    d.first = Some(raw);
    Ok(d)
}

/// The image as the Python CRIT's JSON, or `None` when it is not a protobuf
/// image (no known magic).
fn decode(src: &Source, name: &str) -> Result<Option<Value>> {
    let Ok(mut reader) = src.image_reader(name) else {
        return Ok(None);
    };
    let mut json = Vec::new();
    decode_image(&mut reader, &mut json, DecodeOptions::default())?;
    let v = serde_json::from_slice(&json)
        .map_err(|e| Error::bad_image_from(src.image_label(name), format!("decoded to invalid JSON: {e}"), e))?;
    Ok(Some(v))
}

/// The first differing byte of image `name`, or `None` when both sides hold
/// the same bytes.
fn first_byte_difference(a: &Source, b: &Source, name: &str) -> Result<Option<Change>> {
    let open = |s: &Source| s.open_image(name).map(|(r, _)| BufReader::with_capacity(1 << 16, r));
    let (mut fa, mut fb) = (open(a)?, open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut offset = 0u64;
    loop {
        let na = fill(&mut fa, &mut ba).map_err(|e| Error::io(a.image_label(name), e))?;
        let nb = fill(&mut fb, &mut bb).map_err(|e| Error::io(b.image_label(name), e))?;
        let n = na.min(nb);
        if let Some(k) = (0..n).find(|&k| ba[k] != bb[k]) {
            return Ok(Some(Change::new(format!("bytes[{}]", offset + k as u64), ba[k], bb[k])));
        }
        if na != nb {
            let byte = |buf: &[u8], len: usize| if n < len { Value::from(buf[n]) } else { Value::Null };
            return Ok(Some(Change {
                field: format!("bytes[{}]", offset + n as u64),
                a: byte(&ba, na),
                b: byte(&bb, nb),
            }));
        }
        if n == 0 {
            return Ok(None);
        }
        offset += n as u64;
    }
}

/// Reads until `buf` is full or the file ends.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The first place `a` and `b` differ, depth first in `a`'s key order, as a
/// path like `entries[3].vmas[17].prot` (`null` for a side that lacks it).
pub(crate) fn first_difference(path: String, a: &Value, b: &Value) -> Option<Change> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => {
                        if let Some(c) = first_difference(join(k), va, vb) {
                            return Some(c);
                        }
                    }
                    None => return Some(Change::new(join(k), va.clone(), Value::Null)),
                }
            }
            y.iter()
                .find(|(k, _)| !x.contains_key(*k))
                .map(|(k, vb)| Change::new(join(k), Value::Null, vb.clone()))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(c) = first_difference(format!("{path}[{i}]"), va, vb) {
                    return Some(c);
                }
            }
            let n = x.len().min(y.len());
            (x.len() != y.len()).then(|| {
                let at = |v: &Vec<Value>| v.get(n).cloned().unwrap_or(Value::Null);
                Change::new(format!("{path}[{n}]"), at(x), at(y))
            })
        }
        _ => (a != b).then(|| Change::new(path, a.clone(), b.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_into_entries() {
        let a = json!({"magic": "MM", "entries": [{"vmas": [{"prot": 3}, {"prot": 3, "x": 1}]}]});
        let b = json!({"magic": "MM", "entries": [{"vmas": [{"prot": 3}, {"prot": 1, "x": 1}]}]});
        let c = first_difference(String::new(), &a, &b).unwrap();
        assert_eq!(c, Change::new("entries[0].vmas[1].prot", 3, 1));
        let shorter = json!({"magic": "MM", "entries": []});
        let c = first_difference(String::new(), &a, &shorter).unwrap();
        assert_eq!(c.field, "entries[0]");
        assert_eq!(c.b, Value::Null);
        assert!(first_difference(String::new(), &a, &a).is_none());
    }
}
