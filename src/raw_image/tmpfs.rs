//! `tmpfs-dev-N.tar.gz.img`: the files of a tmpfs mount (N is its device
//! number, `root_dev` of `mountpoints-M.img`), as CRIU saves them with
//! `tar --create --gzip` from the mount's root. No magic: a gzip stream.
//!
//! Decoding lists the members. Extracting (`--extract DIR`) writes them as
//! files, by the rules of [`super::extract`].

use std::io::{self, Read, Write};

use serde::Serialize;

use super::extract::{Extract, Extraction};
use super::{output_error, Doc};
use crate::error::{Error, Result};
use crate::message_json::writer::JsonWriter;

/// One member of the tar.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct TmpfsEntry {
    /// The path as stored (`./shm/`, `./s`); bytes that are not UTF-8 become U+FFFD.
    pub path: String,
    /// `file`, `dir`, `symlink`, `hardlink`, `char`, `block`, `fifo` or `other`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Bytes of a regular file's contents (0 for the others).
    pub size: u64,
    /// Permission bits, with setuid/setgid/sticky (`0o1777` is 1023).
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Last modification, seconds since the epoch.
    pub mtime: u64,
    /// What a symbolic or hard link points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// A device node's `major:minor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

impl TmpfsEntry {
    /// The JSON form `decode` writes; `--pretty` shows the mode in octal.
    pub fn doc(&self, pretty: bool) -> Doc {
        let mut d = Doc::map();
        d.put("path", self.path.as_str().into());
        d.put("type", self.kind.into());
        d.put("size", self.size.into());
        if pretty {
            d.put("mode", format!("{:04o}", self.mode).into());
        } else {
            d.put("mode", self.mode.into());
        }
        d.put("uid", self.uid.into());
        d.put("gid", self.gid.into());
        d.put("mtime", self.mtime.into());
        if let Some(t) = &self.target {
            d.put("target", t.as_str().into());
        }
        if let Some(dev) = &self.device {
            d.put("device", dev.as_str().into());
        }
        d
    }
}

/// What a pass over the tar found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Members listed.
    pub entries: usize,
    /// Bytes of regular files.
    pub file_bytes: u64,
    /// Members not extracted, and why (only with `--extract`).
    pub skipped: Vec<String>,
}

/// Calls `f` with each member, reading the gzip'd tar as one stream.
pub fn for_each<R: Read>(
    input: R,
    file: &str,
    mut f: impl FnMut(TmpfsEntry, &mut dyn Read) -> Result<()>,
) -> Result<()> {
    let bad = |what: String, e: io::Error| Error::bad_image_from(file, what, e);
    let gz = flate2::read::GzDecoder::new(input);
    // Guarded: a GNU long name or PAX header is refused past a small cap
    // before the `tar` crate reads it whole.
    let mut archive = tar::Archive::new(crate::archive::Guarded::new(gz));
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("not a gzip'd tar: {e}"), e))?;
    for (i, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| bad(format!("member {i}: {}", tar_error(&e)), e))?;
        let info = describe(&entry).map_err(|e| bad(format!("member {i}: {}", tar_error(&e)), e))?;
        f(info, &mut entry)?;
    }
    Ok(())
}

pub(super) fn tar_error(e: &io::Error) -> String {
    if let Some(what) = crate::archive::refusal(e) {
        return what;
    }
    // flate2 and tar say "corrupt deflate stream", "unexpected EOF", …
    let s = e.to_string();
    if s.is_empty() {
        format!("{:?}", e.kind())
    } else {
        s.replace('\n', " ")
    }
}

fn describe<R: Read>(entry: &tar::Entry<'_, R>) -> io::Result<TmpfsEntry> {
    use tar::EntryType as T;
    let h = entry.header();
    let kind = match h.entry_type() {
        T::Regular | T::Continuous => "file",
        T::Directory => "dir",
        T::Symlink => "symlink",
        T::Link => "hardlink",
        T::Char => "char",
        T::Block => "block",
        T::Fifo => "fifo",
        _ => "other",
    };
    let device = match kind {
        "char" | "block" => Some(format!(
            "{}:{}",
            h.device_major()?.unwrap_or(0),
            h.device_minor()?.unwrap_or(0)
        )),
        _ => None,
    };
    let target = match kind {
        "symlink" | "hardlink" => entry
            .link_name_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        _ => None,
    };
    Ok(TmpfsEntry {
        path: String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
        kind,
        size: if kind == "file" { entry.size() } else { 0 },
        mode: h.mode()? & 0o7777,
        uid: h.uid()?,
        gid: h.gid()?,
        mtime: h.mtime()?,
        target,
        device,
    })
}

/// Writes `{"magic": "TMPFS_DEV", "entries": [...]}`, one entry per member
/// (`pretty`: modes in octal); with `extract`, also unpacks the members into
/// that directory (see the module's rules).
pub fn decode<R: Read, W: Write>(
    input: R,
    file: &str,
    w: &mut JsonWriter<W>,
    extract: Option<&Extract>,
    pretty: bool,
) -> Result<Summary> {
    let mut into = extract.map(|x| Extraction::begin(x, file)).transpose()?;
    w.begin_object().map_err(output_error)?;
    w.key("magic").map_err(output_error)?;
    w.string("TMPFS_DEV").map_err(output_error)?;
    w.key("entries").map_err(output_error)?;
    w.begin_array().map_err(output_error)?;
    let mut summary = Summary::default();
    for_each(input, file, |e, data| {
        summary.entries += 1;
        if e.kind == "file" {
            summary.file_bytes += e.size;
        }
        if let Some(x) = into.as_mut() {
            x.member(&e, data)?;
        }
        e.doc(pretty).write(w).map_err(output_error)
    })?;
    w.end_array().map_err(output_error)?;
    w.end_object().map_err(output_error)?;
    if let Some(x) = into {
        summary.skipped = x.finish()?;
    }
    Ok(summary)
}
