//! Raw images: the files of a (container) checkpoint that are not protobuf
//! entries, each with its own decoder, one module per format.
//!
//! - `netlink`: `ifaddr-N.img`, `route-N.img`, `route6-N.img`, `rule-N.img`,
//!   a 4-byte magic and then the kernel's netlink messages as iproute2's
//!   `ip addr save` / `ip route save` / `ip rule save` write them;
//! - `text`: `iptables-N.img`, `ip6tables-N.img`, `nftables-N.img`, no
//!   magic, the text of the ruleset (often empty);
//! - `tmpfs`: `tmpfs-dev-N.tar.gz.img`, no magic, a gzip'd tar of a tmpfs
//!   mount's files.
//!
//! Images with a magic are recognised by it; the others by their file name
//! (and a gzip'd tar also by its first bytes). Their JSON forms are in
//! `docs/raw-images.md`. They are decoded only: CRIU writes them from the
//! kernel's or a tool's own output, and encoding them back is not offered.

pub mod extract;
pub(crate) mod netlink;
pub use netlink::{AddressSummary, RouteSummary};
pub(crate) mod text;
pub(crate) mod tmpfs;

use std::io::{self, Cursor, Read, Write};

use crate::error::{Error, Result};
use crate::message_json::writer::JsonWriter;

/// Which raw format an image is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKind {
    /// `ifaddr-N.img`: `RTM_NEWADDR` messages (`ip addr save`).
    Ifaddr,
    /// `route-N.img`: IPv4 `RTM_NEWROUTE` messages (`ip route save`).
    Route,
    /// `route6-N.img`: IPv6 `RTM_NEWROUTE` messages (`ip -6 route save`).
    Route6,
    /// `rule-N.img`: `RTM_NEWRULE` messages (`ip rule save`).
    Rule,
    /// `iptables-N.img`: `iptables-save` text.
    Iptables,
    /// `ip6tables-N.img`: `ip6tables-save` text.
    Ip6tables,
    /// `nftables-N.img`: the nftables ruleset as text.
    Nftables,
    /// `tmpfs-dev-N.tar.gz.img`: a gzip'd tar of a tmpfs mount.
    TmpfsDev,
}

/// The magic of `ifaddr-N.img`.
pub(crate) const IFADDR_MAGIC: u32 = 0x4736_1222;
/// The magic of `route-N.img` and `route6-N.img`.
pub(crate) const ROUTE_MAGIC: u32 = 0x4531_1224;
/// The magic of `rule-N.img`.
pub(crate) const RULE_MAGIC: u32 = 0x7170_6986;

const GZIP: [u8; 2] = [0x1f, 0x8b];

impl RawKind {
    /// The name `decode` writes as `"magic"` (CRIU's name for the image).
    pub fn name(self) -> &'static str {
        match self {
            RawKind::Ifaddr => "IFADDR",
            RawKind::Route => "ROUTE",
            RawKind::Route6 => "ROUTE6",
            RawKind::Rule => "RULE",
            RawKind::Iptables => "IPTABLES",
            RawKind::Ip6tables => "IP6TABLES",
            RawKind::Nftables => "NFTABLES",
            RawKind::TmpfsDev => "TMPFS_DEV",
        }
    }

    /// The 4-byte magic the image starts with, for the netlink dumps.
    pub fn magic(self) -> Option<u32> {
        match self {
            RawKind::Ifaddr => Some(IFADDR_MAGIC),
            RawKind::Route | RawKind::Route6 => Some(ROUTE_MAGIC),
            RawKind::Rule => Some(RULE_MAGIC),
            _ => None,
        }
    }

    /// The kind an image's file name says (`ifaddr-10.img`, a path, or `None`).
    pub fn from_file_name(name: &str) -> Option<RawKind> {
        let base = name.rsplit('/').next().unwrap_or(name);
        let numbered = |prefix: &str, suffix: &str| {
            base.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(suffix))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        [
            ("ifaddr-", ".img", RawKind::Ifaddr),
            ("route-", ".img", RawKind::Route),
            ("route6-", ".img", RawKind::Route6),
            ("rule-", ".img", RawKind::Rule),
            ("iptables-", ".img", RawKind::Iptables),
            ("ip6tables-", ".img", RawKind::Ip6tables),
            ("nftables-", ".img", RawKind::Nftables),
            ("tmpfs-dev-", ".tar.gz.img", RawKind::TmpfsDev),
            // CRIU before 3.0 named them without "dev-".
            ("tmpfs-", ".tar.gz.img", RawKind::TmpfsDev),
        ]
        .into_iter()
        .find(|(p, s, _)| numbered(p, s))
        .map(|(_, _, k)| k)
    }

    /// The kind of an image from its name and first bytes: a netlink magic
    /// wins (a route image keeps the name's `route6`), then the name, then a
    /// gzip header (a tmpfs image read from standard input).
    pub fn detect(name: &str, head: &[u8]) -> Option<RawKind> {
        // Raw memory may begin with any bytes: never take it for a raw image.
        if name.rsplit('/').next().unwrap_or(name).starts_with("pages-") {
            return None;
        }
        let by_name = RawKind::from_file_name(name);
        if let Some(word) = head.get(..4) {
            let word = u32::from_le_bytes(word.try_into().expect("4 bytes"));
            match word {
                IFADDR_MAGIC => return Some(RawKind::Ifaddr),
                ROUTE_MAGIC if by_name == Some(RawKind::Route6) => return Some(RawKind::Route6),
                ROUTE_MAGIC => return Some(RawKind::Route),
                RULE_MAGIC => return Some(RawKind::Rule),
                _ => {}
            }
        }
        by_name.or_else(|| head.starts_with(&GZIP).then_some(RawKind::TmpfsDev))
    }

    /// Every kind, by its `"magic"` name (for `encode`'s message).
    pub(crate) fn from_name(name: &str) -> Option<RawKind> {
        RawKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Every raw format, in the order of the enum.
    pub const ALL: [RawKind; 8] = [
        RawKind::Ifaddr,
        RawKind::Route,
        RawKind::Route6,
        RawKind::Rule,
        RawKind::Iptables,
        RawKind::Ip6tables,
        RawKind::Nftables,
        RawKind::TmpfsDev,
    ];
}

/// An input whose first bytes were read to tell its kind, and are given back first.
pub(crate) type Sniffed<R> = io::Chain<Cursor<Vec<u8>>, R>;

/// Reads the first bytes of `input` to tell whether it is a raw image, and
/// gives back a reader that still yields every byte.
pub fn sniff<R: Read>(name: &str, mut input: R) -> Result<(Option<RawKind>, Sniffed<R>)> {
    let mut head = Vec::with_capacity(4);
    (&mut input)
        .take(4)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(name, e))?;
    let kind = RawKind::detect(name, &head);
    Ok((kind, Cursor::new(head).chain(input)))
}

/// Why `encode` cannot write an image of this `"magic"` name, when it is a
/// raw one; `None` for any other name.
pub(crate) fn encode_refusal(magic: &str) -> Option<String> {
    RawKind::from_name(magic).map(|k| {
        format!(
            "{} is a raw image ({}): crit decodes it but does not encode it back",
            k.name(),
            match k {
                RawKind::Ifaddr | RawKind::Route | RawKind::Route6 | RawKind::Rule => "kernel netlink messages",
                RawKind::Iptables | RawKind::Ip6tables | RawKind::Nftables => "ruleset text",
                RawKind::TmpfsDev => "a gzip'd tar",
            }
        )
    })
}

/// How `decode` renders a raw image.
#[derive(Debug, Clone, Default)]
pub struct RawOptions {
    /// `--pretty`: indented; a tmpfs member's mode in octal.
    pub pretty: bool,
    /// `--extract DIR`: unpack a tmpfs image into this new (or empty) directory.
    pub extract: Option<extract::Extract>,
}

/// What decoding a raw image did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Entries written: messages, tar members (1 for a text image).
    pub entries: usize,
    /// With `--extract`: members listed but not created, and why.
    pub skipped: Vec<String>,
}

/// Decodes the raw image read by `input` (of kind `kind`, named `file` in
/// errors) to its JSON form.
pub fn decode<R: Read, W: Write>(kind: RawKind, input: R, file: &str, out: W, opts: &RawOptions) -> Result<Decoded> {
    if opts.extract.is_some() && kind != RawKind::TmpfsDev {
        return Err(Error::Unsupported {
            file: file.to_string(),
            what: format!(
                "--extract unpacks tmpfs-dev-N.tar.gz.img images; this is a {} image",
                kind.name()
            ),
        });
    }
    let mut w = JsonWriter::new(out, opts.pretty);
    let done = match kind {
        RawKind::Iptables | RawKind::Ip6tables | RawKind::Nftables => {
            text::decode(kind, input, file, &mut w)?;
            Decoded {
                entries: 1,
                skipped: Vec::new(),
            }
        }
        RawKind::TmpfsDev => {
            let s = tmpfs::decode(input, file, &mut w, opts.extract.as_ref(), opts.pretty)?;
            Decoded {
                entries: s.entries,
                skipped: s.skipped,
            }
        }
        _ => Decoded {
            entries: netlink::decode(kind, input, file, &mut w)?,
            skipped: Vec::new(),
        },
    };
    w.flush().map_err(output_error)?;
    Ok(done)
}

/// What `crit info` says of a raw image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawInfo {
    /// The image's name, as `decode` writes it.
    pub magic: &'static str,
    /// Netlink messages, lines of text, or tar members.
    pub count: usize,
    /// Bytes: of the messages (after the magic), of the text, or of the files
    /// in the tar.
    pub size: u64,
}

/// Reads the whole raw image to count what it holds.
pub fn info<R: Read>(kind: RawKind, input: R, file: &str) -> Result<RawInfo> {
    let (count, size) = match kind {
        RawKind::Iptables | RawKind::Ip6tables | RawKind::Nftables => text::count(input, file)?,
        RawKind::TmpfsDev => {
            let (mut count, mut bytes) = (0, 0);
            tmpfs::for_each(input, file, |e, _| {
                count += 1;
                if e.kind == "file" {
                    bytes += e.size;
                }
                Ok(())
            })?;
            (count, bytes)
        }
        _ => {
            let mut count = 0;
            let mut size = 0;
            netlink::for_each(kind, input, file, |m| {
                count += 1;
                size += u64::from(m.len);
                Ok(())
            })?;
            (count, size)
        }
    };
    Ok(RawInfo {
        magic: kind.name(),
        count,
        size,
    })
}

pub(crate) fn output_error(e: io::Error) -> Error {
    Error::io("<output>", e)
}

/// A small JSON value kept in insertion order, written in the Python CRIT's
/// layout through [`JsonWriter`] so raw images print like every other image.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Doc {
    /// `true` / `false`.
    Bool(bool),
    /// An unsigned number.
    U(u64),
    /// A signed number.
    I(i64),
    /// A string.
    Str(String),
    /// An array.
    List(Vec<Doc>),
    /// An object, keys in the order given.
    Map(Vec<(String, Doc)>),
    /// The values of a key given more than once, written as an array.
    Repeated(Vec<Doc>),
}

impl Doc {
    /// An empty object to [`Doc::put`] into.
    pub fn map() -> Doc {
        Doc::Map(Vec::new())
    }

    /// Adds `key: value` to an object; a key given again turns its value into
    /// a list of all values given.
    pub fn put(&mut self, key: impl Into<String>, value: Doc) {
        let Doc::Map(items) = self else { return };
        let key = key.into();
        match items.iter_mut().find(|(k, _)| *k == key) {
            Some((_, Doc::Repeated(vs))) => vs.push(value),
            Some((_, slot)) => {
                let first = std::mem::replace(slot, Doc::Bool(false));
                *slot = Doc::Repeated(vec![first, value]);
            }
            None => items.push((key, value)),
        }
    }

    /// Writes the value.
    pub fn write<W: Write>(&self, w: &mut JsonWriter<W>) -> io::Result<()> {
        match self {
            Doc::Bool(b) => w.bool(*b),
            Doc::U(n) => w.u64(*n),
            Doc::I(n) => w.i64(*n),
            Doc::Str(s) => w.string(s),
            Doc::List(vs) | Doc::Repeated(vs) => {
                w.begin_array()?;
                for v in vs {
                    v.write(w)?;
                }
                w.end_array()
            }
            Doc::Map(items) => {
                w.begin_object()?;
                for (k, v) in items {
                    w.key(k)?;
                    v.write(w)?;
                }
                w.end_object()
            }
        }
    }

    /// The value as a `serde_json::Value` (tests, explorers).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Doc::Bool(b) => Value::Bool(*b),
            Doc::U(n) => Value::from(*n),
            Doc::I(n) => Value::from(*n),
            Doc::Str(s) => Value::from(s.as_str()),
            Doc::List(vs) | Doc::Repeated(vs) => Value::Array(vs.iter().map(Doc::to_value).collect()),
            Doc::Map(items) => Value::Object(items.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
        }
    }
}

impl From<&str> for Doc {
    fn from(s: &str) -> Doc {
        Doc::Str(s.to_string())
    }
}

impl From<String> for Doc {
    fn from(s: String) -> Doc {
        Doc::Str(s)
    }
}

impl From<u64> for Doc {
    fn from(n: u64) -> Doc {
        Doc::U(n)
    }
}

impl From<u32> for Doc {
    fn from(n: u32) -> Doc {
        Doc::U(n.into())
    }
}

impl From<u16> for Doc {
    fn from(n: u16) -> Doc {
        Doc::U(n.into())
    }
}

impl From<u8> for Doc {
    fn from(n: u8) -> Doc {
        Doc::U(n.into())
    }
}

impl From<i32> for Doc {
    fn from(n: i32) -> Doc {
        Doc::I(n.into())
    }
}

impl From<bool> for Doc {
    fn from(b: bool) -> Doc {
        Doc::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name_and_magic() {
        assert_eq!(RawKind::from_file_name("ifaddr-10.img"), Some(RawKind::Ifaddr));
        assert_eq!(RawKind::from_file_name("/x/route6-10.img"), Some(RawKind::Route6));
        assert_eq!(
            RawKind::from_file_name("tmpfs-dev-81.tar.gz.img"),
            Some(RawKind::TmpfsDev)
        );
        assert_eq!(RawKind::from_file_name("iptables-.img"), None);
        assert_eq!(RawKind::from_file_name("core-1.img"), None);
        let route = ROUTE_MAGIC.to_le_bytes();
        assert_eq!(RawKind::detect("route6-3.img", &route), Some(RawKind::Route6));
        assert_eq!(RawKind::detect("<stdin>", &route), Some(RawKind::Route));
        assert_eq!(RawKind::detect("<stdin>", &[0x1f, 0x8b, 8, 0]), Some(RawKind::TmpfsDev));
        assert_eq!(RawKind::detect("<stdin>", b"table"), None);
        assert_eq!(RawKind::detect("pages-1.img", &[0x1f, 0x8b, 8, 0]), None);
        assert_eq!(RawKind::detect("d/pages-2.img", &route), None);
        assert!(encode_refusal("NFTABLES").is_some() && encode_refusal("CORE").is_none());
    }

    #[test]
    fn repeated_keys_become_lists() {
        let mut d = Doc::map();
        d.put("a", Doc::U(1));
        d.put("a", Doc::U(2));
        d.put("a", Doc::U(3));
        assert_eq!(d.to_value(), serde_json::json!({"a": [1, 2, 3]}));
    }
}
