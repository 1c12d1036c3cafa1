//! A checkpoint directory with fuzzed images: a real checkpoint of the corpus
//! (chosen by the first byte) with a few of its images replaced, spliced,
//! truncated or removed by the rest of the input. `Checkpoint::open` and all
//! five explorers must end in `Ok` or a clean `Err`: no panic, no hang, no
//! allocation of a size an image merely claims.
//!
//! Input: `dir` then up to four edits, each `op image a b` followed by the
//! bytes it writes (`a b`, little-endian, is an offset or a length):
//! - op 0: the image becomes the next `a b` bytes;
//! - op 1: its header (magic) kept, the rest becomes all the bytes left;
//! - op 2: the next 64 bytes (or fewer, at the end) overwrite it from offset `a b`;
//! - op 3: the next 64 bytes (or fewer) are inserted at offset `a b`;
//! - op 4: it is truncated at offset `a b`;
//! - op 5: it is removed.
//!
//! Each corpus checkpoint is copied once per process (its pages files left
//! out: no explorer reads them) and the images edited are put back after
//! each run.
#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crit::explore::{fds, mems, ps, rss, sk, Checkpoint};
use libfuzzer_sys::fuzz_target;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/corpus");

/// A scratch copy of one corpus checkpoint and its pristine images.
struct Base {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    images: Vec<(String, Vec<u8>)>,
}

impl Base {
    fn new(src: &Path) -> Base {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let mut images = Vec::new();
        for e in fs::read_dir(src).expect("corpus") {
            let e = e.expect("corpus entry");
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("pages-") {
                continue;
            }
            let bytes = fs::read(e.path()).expect("corpus image");
            fs::write(dir.join(&name), &bytes).expect("copy");
            images.push((name, bytes));
        }
        images.sort();
        Base { _tmp: tmp, dir, images }
    }
}

static BASES: Mutex<Vec<Base>> = Mutex::new(Vec::new());

fn corpus_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(CORPUS)
        .expect("corpus")
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn u16_at(data: &[u8], i: usize) -> usize {
    let lo = data.get(i).copied().unwrap_or(0);
    let hi = data.get(i + 1).copied().unwrap_or(0);
    usize::from(u16::from_le_bytes([lo, hi]))
}

fn explore(dir: &Path) {
    let Ok(cp) = Checkpoint::open(dir) else {
        return;
    };
    let _ = ps::explore(&cp);
    let _ = fds::explore(&cp);
    let _ = mems::explore(&cp);
    let _ = rss::explore(&cp);
    let _ = sk::explore(&cp);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, mut rest)) = data.split_first() else {
        return;
    };
    let mut bases = BASES.lock().unwrap_or_else(|e| e.into_inner());
    if bases.is_empty() {
        *bases = corpus_dirs().iter().map(|d| Base::new(d)).collect();
    }
    let base = &bases[usize::from(which) % bases.len()];
    let mut touched: Vec<usize> = Vec::new();
    for _ in 0..4 {
        if rest.len() < 4 {
            break;
        }
        let (op, img, n) = (rest[0] % 6, usize::from(rest[1]) % base.images.len(), u16_at(rest, 2));
        rest = &rest[4..];
        let (name, orig) = &base.images[img];
        let path = base.dir.join(name);
        // The bytes of this edit: the next `max` (or all that are left).
        let take = |max: usize| {
            let k = rest.len().min(max);
            let (a, b) = rest.split_at(k);
            (a, b)
        };
        let current = fs::read(&path).unwrap_or_default();
        let new: Option<Vec<u8>> = match op {
            0 => {
                let (bytes, r) = take(n);
                rest = r;
                Some(bytes.to_vec())
            }
            1 => {
                let (bytes, r) = take(usize::MAX);
                rest = r;
                let head = current.len().min(if orig.len() >= 8 { 8 } else { 4 });
                Some([&current[..head], bytes].concat())
            }
            2 | 3 => {
                let (bytes, r) = take(rest.len().min(64));
                rest = r;
                let at = n % (current.len() + 1);
                let mut v = current.clone();
                if op == 2 {
                    let end = (at + bytes.len()).min(v.len());
                    v.splice(at..end, bytes.iter().copied());
                } else {
                    v.splice(at..at, bytes.iter().copied());
                }
                Some(v)
            }
            4 => Some(current[..n % (current.len() + 1)].to_vec()),
            _ => None,
        };
        match new {
            Some(v) => fs::write(&path, v).expect("write image"),
            None => {
                let _ = fs::remove_file(&path);
            }
        }
        touched.push(img);
    }
    explore(&base.dir);
    for img in touched {
        let (name, orig) = &base.images[img];
        fs::write(base.dir.join(name), orig).expect("restore image");
    }
});
