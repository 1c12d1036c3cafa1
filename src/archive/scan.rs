//! Reading an archive's member list: in place for a plain tar (seeking over
//! the data), or as one pass over a decompressing stream (keeping what the
//! command needs). Both check every name, and that the archive is whole.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

use super::feed::{Event, Sender};
use super::guard::{refusal, Guarded};
use super::member::{check_link, checked_name, list_tar, quoted, EntryKind};
use super::spill::Spill;
use super::{Data, Member, Skip, Want, HELD_LIMIT, HELD_TOTAL};
use crate::error::{Error, Result};

const BLOCK: u64 = 512;

/// Most members read: a hostile archive of empty headers cannot grow the
/// member list without bound.
const MAX_MEMBERS: usize = 1_000_000;

fn too_many(label: &str) -> Error {
    Error::bad_archive(
        label,
        format!("more than {MAX_MEMBERS} members: not a checkpoint archive"),
    )
}

/// Whether a member's name is that of raw memory (`pages-N.img`).
pub(crate) fn is_pages(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.starts_with("pages-") && base.ends_with(".img")
}

/// A nested tar whose file list `inspect` shows.
pub(crate) fn is_nested_tar(name: &str) -> bool {
    let mut parts = name.rsplit('/');
    let base = parts.next().unwrap_or(name);
    base == "rootfs-diff.tar"
        || base == "devshm-checkpoint.tar"
        || (parts.next() == Some("volumes") && base.ends_with(".tar"))
}

/// What the scan says when the tar (or the stream holding it) is bad: after
/// which member.
fn header_error(label: &str, last: Option<&str>, e: io::Error, compressed: bool) -> Error {
    if let Some(what) = refusal(&e) {
        // The refusal is the whole story: `e` only carries it.
        return Error::bad_archive(label, what);
    }
    let what = match e.to_string().as_str() {
        "failed to read entire block" | "unexpected EOF during skip" => {
            "truncated: the archive ends inside a tar block".to_string()
        }
        s if compressed => format!("truncated or corrupt compressed stream: {s}"),
        s => format!("not a valid tar: {s}"),
    };
    match last {
        Some(m) => Error::bad_archive_from(label, format!("after member {m}: {what}"), e),
        None => Error::bad_archive_from(label, format!("at the first member: {what}"), e),
    }
}

/// Checks one entry's name and link, giving the member it describes.
fn member_of<R: Read>(e: &tar::Entry<'_, R>, label: &str) -> Result<Option<Member>> {
    let kind = EntryKind::of(e.header().entry_type());
    let raw = e.path_bytes();
    let name = checked_name(&raw, kind)
        .map_err(|what| Error::bad_archive(format!("{label}:{}", quoted(&raw)), format!("refused: {what}")))?;
    if name.is_empty() {
        return Ok(None);
    }
    if matches!(kind, EntryKind::Symlink | EntryKind::Hardlink) {
        if let Some(t) = e.link_name_bytes() {
            check_link(&name, kind, &t).map_err(|what| {
                Error::bad_archive(
                    format!("{label}:{}", quoted(name.as_bytes())),
                    format!("refused: {what}"),
                )
            })?;
        }
    }
    Ok(Some(Member {
        name,
        kind,
        size: if kind == EntryKind::File { e.size() } else { 0 },
        mtime: e.header().mtime().unwrap_or(0),
        data: Data::Skipped(Skip::NotAsked),
        listing: None,
    }))
}

fn cut_short(label: &str, name: &str, size: u64, got: u64) -> Error {
    Error::bad_archive(
        format!("{label}:{name}"),
        format!("member cut short: the archive holds {got} of its {size} bytes"),
    )
}

fn no_end(label: &str, last: Option<&str>) -> Error {
    Error::bad_archive(
        label,
        format!(
            "truncated: the archive ends without its end-of-archive marker{}",
            last.map(|m| format!(" (last member {m})")).unwrap_or_default()
        ),
    )
}

/// Indexes a plain tar of `len` bytes: members stay in the file.
pub(super) fn in_place(f: &File, len: u64, label: &str, _want: Want) -> Result<Vec<Member>> {
    let mut ar = tar::Archive::new(Guarded::new(f));
    let mut members: Vec<Member> = Vec::new();
    let mut end = 0u64;
    let entries = ar
        .entries_with_seek()
        .map_err(|e| header_error(label, None, e, false))?;
    for e in entries {
        let e = e.map_err(|e| header_error(label, members.last().map(|m| m.name.as_str()), e, false))?;
        let Some(mut m) = member_of(&e, label)? else { continue };
        if members.len() == MAX_MEMBERS {
            return Err(too_many(label));
        }
        let at = e.raw_file_position();
        let size = e.size();
        if at.saturating_add(size) > len {
            return Err(cut_short(label, &m.name, size, len.saturating_sub(at)));
        }
        end = at + size.div_ceil(BLOCK) * BLOCK;
        m.data = Data::InPlace(at);
        members.push(m);
    }
    // The end-of-archive marker: a block of zeros where the next header would be.
    let mut z = [0u8; BLOCK as usize];
    let whole = {
        use std::os::unix::fs::FileExt;
        end + BLOCK <= len && f.read_exact_at(&mut z, end).is_ok() && z.iter().all(|&b| b == 0)
    };
    if !whole {
        return Err(no_end(label, members.last().map(|m| m.name.as_str())));
    }
    Ok(members)
}

/// Reads a decompressing stream once, keeping the small members in memory
/// and, with [`Want::pages`], raw memory in an unlinked temporary file. With
/// a `feed`, every member is also sent on as it is kept, and raw memory is
/// sent rather than kept.
pub(super) fn stream<R: Read>(
    r: R,
    label: &str,
    want: Want,
    feed: Option<&Sender>,
) -> Result<(Vec<Member>, Option<Arc<File>>)> {
    let mut ar = tar::Archive::new(Guarded::new(r));
    let mut members: Vec<Member> = Vec::new();
    let mut spill: Option<Spill> = None;
    let mut held = 0u64;
    let mut end = 0u64;
    let entries = ar.entries().map_err(|e| header_error(label, None, e, true))?;
    for e in entries {
        let mut e = e.map_err(|e| header_error(label, members.last().map(|m| m.name.as_str()), e, true))?;
        let Some(mut m) = member_of(&e, label)? else { continue };
        if members.len() == MAX_MEMBERS {
            return Err(too_many(label));
        }
        end = e.raw_file_position() + e.size().div_ceil(BLOCK) * BLOCK;
        let read_err = |err: io::Error| {
            Error::bad_archive_from(
                format!("{label}:{}", m.name),
                format!("truncated or corrupt compressed stream: {err}"),
                err,
            )
        };
        let stopped = |e: io::Error| Error::io(label, e);
        if let (Some(feed), EntryKind::File, true) = (feed, m.kind, is_pages(&m.name)) {
            let size = m.size;
            let got = feed.pages(m.clone(), &mut e).map_err(|err| match err.kind() {
                io::ErrorKind::BrokenPipe => stopped(err),
                _ => read_err(err),
            })?;
            if got < size {
                return Err(cut_short(label, &m.name, size, got));
            }
            members.push(m);
            continue;
        }
        if m.kind == EntryKind::File {
            if want.pages && is_pages(&m.name) {
                if spill.is_none() {
                    spill = Some(Spill::new()?);
                }
                let w = spill.as_mut().expect("just made");
                let at = w.position();
                let got = w.copy(&mut e, &format!("{label}:{}", m.name))?;
                if got < m.size {
                    return Err(cut_short(label, &m.name, m.size, got));
                }
                m.data = Data::Spilled(at);
            } else if want.listings && is_nested_tar(&m.name) {
                let list = list_tar(&mut e, &format!("{label}:{}", m.name))?;
                m.listing = Some(Arc::new(list));
                m.data = Data::Skipped(Skip::Listed);
            } else if is_pages(&m.name) {
                // Not asked for: stays skipped.
            } else if m.size > HELD_LIMIT {
                m.data = Data::Skipped(Skip::OverMember);
            } else if held + m.size > HELD_TOTAL {
                m.data = Data::Skipped(Skip::OverTotal);
            } else {
                let mut buf = Vec::with_capacity(m.size as usize);
                let got = e.read_to_end(&mut buf).map_err(read_err)? as u64;
                if got < m.size {
                    return Err(cut_short(label, &m.name, m.size, got));
                }
                held += got;
                m.data = Data::Held(buf.into());
            }
        }
        if let Some(feed) = feed {
            feed.send(Event::Member(m.clone())).map_err(stopped)?;
        }
        members.push(m);
    }
    let mut inner = ar.into_inner();
    if inner.pos() < end + BLOCK {
        return Err(no_end(label, members.last().map(|m| m.name.as_str())));
    }
    // Read to the end, so that a corrupt stream (or a bad checksum at the end
    // of a gzip member) is noticed.
    io::copy(&mut inner, &mut io::sink()).map_err(|e| {
        Error::bad_archive_from(
            label,
            format!("after the last member: truncated or corrupt compressed stream: {e}"),
            e,
        )
    })?;
    let file = match spill {
        Some(w) => Some(Arc::new(w.finish()?)),
        None => None,
    };
    Ok((members, file))
}
