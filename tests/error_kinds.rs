//! `crit::Error` kinds a program can match on (issue 23.3): each failure
//! below is a real one, made from the fixtures, and is matched by variant
//! and field values, with its message and its source where it has one.

use crate::common;

use std::error::Error as _;
use std::fs;
use std::io::Write;

use common::{corpus, edit_image, scratch_copy};
use crit::coredump::{Coredump, Options};
use crit::explore::Checkpoint;
use crit::image::ImageReader;
use crit::mem::{MemReader, PatternError, Searcher};
use crit::raw_image::extract::Extract;
use crit::raw_image::{RawKind, RawOptions};
use crit::{Error, Limit};

/// Reads every entry of image bytes `bytes`, named `file`.
fn read_entries(bytes: &[u8], file: &str) -> crit::Result<usize> {
    let mut r = ImageReader::new(bytes, file, Some(bytes.len() as u64))?;
    let mut buf = Vec::new();
    let mut n = 0;
    while r.next_message::<crit::proto::CoreEntry>(&mut buf)?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[test]
fn a_missing_task_is_task_not_found() {
    let dir = corpus("mem");
    let e = MemReader::open(&dir, Some(4242)).err().expect("no task 4242");
    let label = dir.display().to_string();
    assert!(
        matches!(&e, Error::TaskNotFound { checkpoint, pid: 4242, threads: false } if *checkpoint == label),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{label}: no task with pid 4242 in pstree.img"));
}

#[test]
fn a_missing_image_names_the_task_and_the_image() {
    let tmp = scratch_copy(&corpus("mem"));
    fs::remove_file(tmp.path().join("mm-20931.img")).unwrap();
    let e = MemReader::open(tmp.path(), None).err().expect("no mm image");
    match &e {
        Error::ImageMissing { pid, image, .. } => assert_eq!((*pid, image.as_str()), (20931, "mm-20931.img")),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().ends_with(": task 20931 has no mm-20931.img: its memory is not in the checkpoint (a zombie has none; a live task whose image is missing, a damaged checkpoint)"), "{e}");
}

#[test]
fn a_zombie_has_no_memory() {
    let cp = Checkpoint::open(corpus("tree")).unwrap();
    let e = Coredump::new(&cp, Some(20887), &Options::default())
        .err()
        .expect("a zombie");
    assert!(
        matches!(
            e,
            Error::NoMemory {
                pid: 20887,
                zombie: true,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_truncated_image_says_where_at_the_exact_offset() {
    let core = fs::read(corpus("mem").join("core-20931.img")).unwrap();
    // Magics (8 bytes), then entry 0: its size field at byte 8.
    let size = u32::from_le_bytes(core[8..12].try_into().unwrap()) as u64;
    assert_eq!(core.len() as u64, 12 + size, "one entry");
    let cut = &core[..core.len() - 10];
    let e = read_entries(cut, "core.img").unwrap_err();
    match &e {
        Error::Truncated {
            file,
            entry,
            offset,
            what,
        } => {
            assert_eq!((file.as_str(), *entry, *offset), ("core.img", Some(0), 8));
            assert_eq!(
                *what,
                format!(
                    "payload of {size} bytes runs past the end of the file ({} bytes left)",
                    size - 10
                )
            );
        }
        other => panic!("{other:?}"),
    }
    // Cut inside the header: no entry yet, the offset where the input ended.
    let e = read_entries(&core[..6], "core.img").unwrap_err();
    assert!(
        matches!(&e, Error::Truncated { entry: None, offset: 6, what, .. } if what == "file ends inside the magic (2 of 4 bytes)"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "core.img: at byte 6: file ends inside the magic (2 of 4 bytes)"
    );
}

#[test]
fn a_malformed_payload_keeps_the_decoders_error_as_source() {
    let core = fs::read(corpus("mem").join("core-20931.img")).unwrap();
    let mut bad = core[..8].to_vec();
    // One entry of 2 bytes: field 1, wire type 2 (bytes), length 9, nothing after.
    bad.extend_from_slice(&2u32.to_le_bytes());
    bad.extend_from_slice(&[0x0a, 0x09]);
    let e = read_entries(&bad, "core.img").unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Malformed {
                entry: 0,
                offset: 8,
                ..
            }
        ),
        "{e:?}"
    );
    let source = e.source().expect("a source");
    assert!(source.downcast_ref::<prost::DecodeError>().is_some(), "{source:?}");
    assert_eq!(
        e.to_string(),
        format!("core.img: entry 0 at byte 8: malformed protobuf payload: {source}")
    );
}

#[test]
fn a_bad_pattern_keeps_the_regex_error_as_source() {
    let e = Searcher::regex("(unclosed", false).err().expect("a bad regex");
    assert!(matches!(e, PatternError::Regex(_)), "{e:?}");
    let source = e.source().expect("a source");
    assert!(source.downcast_ref::<regex::Error>().is_some(), "{source:?}");
    assert_eq!(e.to_string(), "regex parse error: unclosed group");
    assert!(matches!(Searcher::literal(b"", false).err(), Some(PatternError::Empty)));
}

#[test]
fn an_unsupported_architecture_is_named() {
    let tmp = scratch_copy(&corpus("mem"));
    edit_image(&tmp.path().join("core-20931.img"), |v| {
        v["entries"][0]["mtype"] = "PPC64".into();
    });
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let e = Coredump::new(&cp, None, &Options::default())
        .err()
        .expect("not x86_64 or aarch64");
    match &e {
        Error::UnsupportedArch { file, arch, supported } => assert_eq!(
            (file.as_str(), arch.as_str(), supported.as_str()),
            ("core-20931.img", "PPC64", "x86_64 and aarch64")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_limit_says_which_its_value_and_how_to_raise_it() {
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..5].copy_from_slice(b"./big");
    h.set_size(4096);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    tar.append(&h, &[7u8; 4096][..]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let image = gz.finish().unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    let opts = RawOptions {
        pretty: false,
        extract: Some(Extract {
            max_bytes: 1024,
            ..Extract::new(&dest)
        }),
    };
    let e = crit::raw_image::decode(RawKind::TmpfsDev, &image[..], "tmpfs.img", Vec::new(), &opts).unwrap_err();
    match &e {
        Error::LimitExceeded { file, limit } => {
            assert_eq!(file, "tmpfs.img");
            assert_eq!(
                *limit,
                Limit::Extract {
                    member: "./big".into(),
                    size: 4096,
                    max: 1024
                }
            );
            assert_eq!(limit.how_to_raise(), Some("--max-extract SIZE"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!dest.exists(), "nothing extracted");
}
