//! A container checkpoint archive, fuzzed two ways, read as `crit inspect`
//! and `crit x ARCHIVE ps` read it: `inspect::inspect` (the archive's index or
//! stream, the member-name checks, the nested tar listings of the rootfs diff
//! and volumes, the metadata `config.dump`, `spec.dump`, `network.status`,
//! `stats-dump`) and `Source::open` + `Checkpoint::from_source` + `ps`.
//!
//! Input: the first byte picks the mode.
//! - even: the rest of the input is the archive file itself (headers, gzip
//!   and zstd framing all fuzzed);
//! - odd: a fixture archive's members (picked by the second byte), with up to
//!   four edits `op member a b` + bytes, as in `explore_dir` (0: replace the
//!   member's data with the next `a b` bytes; 1: overwrite 64 bytes at `a b`;
//!   2: truncate at `a b`; 3: remove; 4: rename it to the next `a` bytes),
//!   packed again as a plain tar, or gzip'd or zstd'd by the top bits of the
//!   first byte. This reaches the metadata and images behind a valid tar.
//!
//! Every call must end in `Ok` or a clean `Err`: no panic, no hang, no
//! allocation of a size an archive merely claims.
#![no_main]

use std::io::{Read, Write};
use std::sync::OnceLock;

use crit::explore::{ps, Checkpoint};
use crit::source::{OpenOptions, Source};
use libfuzzer_sys::fuzz_target;

const ARCHIVES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/archives");

/// One member: its path, its tar entry type, its data.
type Member = (Vec<u8>, tar::EntryType, Vec<u8>);

/// The members of every fixture archive, in file name order.
fn bases() -> &'static Vec<Vec<Member>> {
    static BASES: OnceLock<Vec<Vec<Member>>> = OnceLock::new();
    BASES.get_or_init(|| {
        let mut paths: Vec<_> = std::fs::read_dir(ARCHIVES)
            .expect("fixture archives")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let raw = std::fs::read(p).expect("read fixture");
                let tar_bytes = match raw.get(..4) {
                    Some([0x1f, 0x8b, ..]) => {
                        let mut out = Vec::new();
                        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).expect("gunzip");
                        out
                    }
                    Some([0x28, 0xb5, 0x2f, 0xfd]) => zstd::decode_all(&raw[..]).expect("unzstd"),
                    _ => raw,
                };
                let mut members = Vec::new();
                let mut ar = tar::Archive::new(&tar_bytes[..]);
                for e in ar.entries().expect("tar") {
                    let mut e = e.expect("tar entry");
                    let path = e.path_bytes().into_owned();
                    let kind = e.header().entry_type();
                    let mut data = Vec::new();
                    e.read_to_end(&mut data).expect("member");
                    members.push((path, kind, data));
                }
                members
            })
            .collect()
    })
}

fn u16_at(d: &[u8], i: usize) -> usize {
    usize::from(d.get(i).copied().unwrap_or(0)) | usize::from(d.get(i + 1).copied().unwrap_or(0)) << 8
}

/// The members of base `pick` with the edits the input describes applied.
fn edited(pick: u8, mut rest: &[u8]) -> Vec<Member> {
    let all = bases();
    let mut members = all[usize::from(pick) % all.len()].clone();
    for _ in 0..4 {
        if rest.len() < 4 || members.is_empty() {
            break;
        }
        let (op, m, at) = (rest[0] % 5, usize::from(rest[1]) % members.len(), u16_at(rest, 2));
        rest = &rest[4..];
        let take = |rest: &mut &[u8], n: usize| {
            let n = n.min(rest.len());
            let (a, b) = rest.split_at(n);
            *rest = b;
            a.to_vec()
        };
        match op {
            0 => members[m].2 = take(&mut rest, at),
            1 => {
                let bytes = take(&mut rest, 64);
                let data = &mut members[m].2;
                let at = at.min(data.len());
                let end = (at + bytes.len()).min(data.len());
                data[at..end].copy_from_slice(&bytes[..end - at]);
            }
            2 => members[m].2.truncate(at),
            3 => {
                members.remove(m);
            }
            _ => members[m].0 = take(&mut rest, at & 0xff),
        }
    }
    members
}

/// `members` as a tar archive (names the tar crate refuses are left out).
fn pack(members: &[Member]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, kind, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        let Ok(path) = std::str::from_utf8(path) else { continue };
        if b.append_data(&mut h, path, &data[..]).is_err() {
            continue;
        }
    }
    b.into_inner().expect("tar")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let Some((&pick, edits)) = rest.split_first() else {
            return;
        };
        let tar_bytes = pack(&edited(pick, edits));
        match mode >> 6 {
            1 => {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(&tar_bytes).expect("gzip");
                gz.finish().expect("gzip")
            }
            2 => zstd::encode_all(&tar_bytes[..], 1).expect("zstd"),
            _ => tar_bytes,
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fuzz.tar");
    std::fs::write(&path, &file).expect("write archive");

    let _ = crit::inspect::inspect(&path);
    if let Ok(src) = Source::open(&path, &OpenOptions::default()) {
        if let Ok(cp) = Checkpoint::from_source(src) {
            let _ = serde_json::to_vec(&ps::explore(&cp));
        }
    }
});
