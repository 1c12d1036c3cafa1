//! `crit mem … --format json` documents, as structs so fields come out in
//! the order docs/explore-json.md gives (as the explorers' do).

use crit::checkpoint::Hex;
use crit::mem::{MapRun, SearchMatch, SharedKind, Vma};
use serde::Serialize;

/// A mapping, in `search` matches.
#[derive(Serialize)]
pub struct VmaJson {
    pub start: Hex,
    pub end: Hex,
    pub perms: String,
    pub kind: &'static str,
}

impl From<&Vma> for VmaJson {
    fn from(v: &Vma) -> Self {
        VmaJson {
            start: Hex(v.start),
            end: Hex(v.end),
            perms: v.perms(),
            kind: v.kind(),
        }
    }
}

/// One match of `mem search`.
#[derive(Serialize)]
pub struct MatchJson {
    pub address: Hex,
    pub length: usize,
    pub vma: Option<VmaJson>,
    pub before: String,
    #[serde(rename = "match")]
    pub matched: String,
    pub after: String,
}

impl From<&SearchMatch> for MatchJson {
    fn from(m: &SearchMatch) -> Self {
        use crit::mem::printable;
        MatchJson {
            address: Hex(m.addr),
            length: m.bytes.len(),
            vma: m.vma.as_ref().map(VmaJson::from),
            before: printable(&m.before),
            matched: printable(&m.bytes),
            after: printable(&m.after),
        }
    }
}

/// Where part of a run lives.
#[derive(Serialize)]
pub struct PieceJson<'a> {
    pub start: Hex,
    pub len: u64,
    pub file: &'a str,
    pub offset: u64,
}

/// One run of `mem maps`.
#[derive(Serialize)]
pub struct RunJson<'a> {
    pub start: Hex,
    pub end: Hex,
    pub nr_pages: u64,
    pub flags: Vec<&'static str>,
    pub image: &'a str,
    pub pieces: Vec<PieceJson<'a>>,
}

impl<'a> RunJson<'a> {
    pub fn new(r: &'a MapRun, flags: Vec<&'static str>) -> Self {
        RunJson {
            start: Hex(r.start),
            end: Hex(r.end),
            nr_pages: r.nr_pages,
            flags,
            image: &r.image,
            pieces: r
                .pieces
                .iter()
                .map(|p| PieceJson {
                    start: Hex(p.start),
                    len: p.len,
                    file: &p.file,
                    offset: p.offset,
                })
                .collect(),
        }
    }
}

/// `mem shmem`.
#[derive(Serialize)]
pub struct ShmemJson {
    pub pid: u32,
    pub size: u64,
    pub held: u64,
    pub mappings: Vec<SharedJson>,
}

/// One shared mapping of `mem shmem`.
#[derive(Serialize)]
pub struct SharedJson {
    pub start: Hex,
    pub end: Hex,
    pub size: u64,
    pub perms: String,
    pub kind: SharedKind,
    pub object: Option<u64>,
    /// The mapped file's path, for a file mapping.
    pub path: Option<String>,
    pub image: Option<String>,
    pub held: u64,
}
