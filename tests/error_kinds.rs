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

/// The plain tar of the small fixture archive.
fn sleep_tar() -> Vec<u8> {
    common::raw_tar(&common::fixtures().join("archives/crit-sleep.tar"))
}

/// `bytes` written as `name` in `dir`, and its path as errors name it.
fn write_file(dir: &std::path::Path, name: &str, bytes: &[u8]) -> (std::path::PathBuf, String) {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    let label = p.display().to_string();
    (p, label)
}

/// A tar header of type `kind` for `name`, announcing `size` bytes.
fn tar_header(kind: tar::EntryType, name: &[u8], size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h.set_cksum();
    h
}

/// The `io::Error` an error's source is, which it must have.
fn io_source(e: &Error) -> &std::io::Error {
    let source = e.source().expect("a source");
    source.downcast_ref::<std::io::Error>().expect("an io::Error")
}

#[test]
fn a_hostile_tar_header_is_a_bad_archive_whose_refusal_is_the_message() {
    let tmp = tempfile::tempdir().unwrap();
    // A GNU long name of 8 KiB (longer than PATH_MAX) before the checkpoint.
    let mut bytes = tar_header(tar::EntryType::GNULongName, b"././@LongLink", 8192)
        .as_bytes()
        .to_vec();
    bytes.extend(vec![b'n'; 8192]);
    bytes.extend(sleep_tar());
    let (p, label) = write_file(tmp.path(), "long.tar", &bytes);
    let e = Checkpoint::open(&p).expect_err("a hostile header");
    let what = "at byte 0: a GNU long name of 8192 bytes, longer than PATH_MAX (4096): refused before it is read";
    match &e {
        Error::BadArchive { file, what: w, .. } => assert_eq!((file.as_str(), w.as_str()), (label.as_str(), what)),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.to_string(), format!("{label}: {what}"));
    // The refusal is crit's own, not an underlying failure: no source that
    // would only say it again (`--verbose` would print it twice).
    assert!(e.source().is_none(), "{:?}", e.source());
    assert_eq!(e.image_problem(), Some((label.as_str(), what.to_string())));
}

#[test]
fn a_corrupt_compressed_stream_is_a_bad_archive_with_the_decompressors_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut gz = fs::read(common::fixtures().join("archives/crit-sleep.tar.gz")).unwrap();
    // The gzip trailer: CRC-32, then the length. A wrong CRC is noticed at the end.
    let crc = gz.len() - 8;
    gz[crc] ^= 0xff;
    let (p, label) = write_file(tmp.path(), "crc.tar.gz", &gz);
    let e = Checkpoint::open(&p).expect_err("a bad checksum");
    let io = io_source(&e);
    assert_eq!(io.to_string(), "corrupt gzip stream does not have a matching checksum");
    let what = format!("after the last member: truncated or corrupt compressed stream: {io}");
    assert!(
        matches!(&e, Error::BadArchive { file, what: w, source: Some(_) } if *file == label && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{label}: {what}"));
}

#[test]
fn a_refused_member_name_is_a_bad_archive_naming_the_member() {
    let tmp = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_path("checkpoint/pstree.img").unwrap();
    h.set_size(0);
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
    b.append(
        &tar_header(tar::EntryType::Regular, b"checkpoint/../../evil", 1),
        &b"x"[..],
    )
    .unwrap();
    let (p, label) = write_file(tmp.path(), "dotdot.tar", &b.into_inner().unwrap());
    let e = Checkpoint::open(&p).expect_err("a name leading outside");
    let member = format!("{label}:checkpoint/../../evil");
    let what = "refused: path \"checkpoint/../../evil\" leads outside the archive (`..`)";
    assert!(
        matches!(&e, Error::BadArchive { file, what: w, source: None } if *file == member && w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{member}: {what}"));
}

#[test]
fn an_archive_cut_short_is_a_bad_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = sleep_tar();
    let mut ar = tar::Archive::new(&tar[..]);
    let (data, size) = ar
        .entries()
        .unwrap()
        .map(Result::unwrap)
        .find(|e| e.path().unwrap().to_str() == Some("checkpoint/cgroup.img"))
        .map(|e| (e.raw_file_position(), e.size()))
        .expect("cgroup.img");
    let (p, label) = write_file(tmp.path(), "cut.tar", &tar[..(data + 1000) as usize]);
    let e = Checkpoint::open(&p).expect_err("a member cut short");
    let member = format!("{label}:checkpoint/cgroup.img");
    let what = format!("member cut short: the archive holds 1000 of its {size} bytes");
    assert!(
        matches!(&e, Error::BadArchive { file, what: w, source: None } if *file == member && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{member}: {what}"));
    assert_eq!(e.image_problem(), Some((member.as_str(), what)));
}

#[test]
fn a_nested_tar_that_is_no_tar_is_a_bad_archive_with_the_tar_error_as_source() {
    let tar = sleep_tar();
    let mut out = tar::Builder::new(Vec::new());
    for e in tar::Archive::new(&tar[..]).entries().unwrap() {
        let mut e = e.unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        if e.path().unwrap().to_str() == Some("rootfs-diff.tar") {
            data.fill(b'0');
        }
        out.append(&e.header().clone(), &data[..]).unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let (p, label) = write_file(tmp.path(), "junk-diff.tar", &out.into_inner().unwrap());
    let src = crit::source::Source::open(&p, &crit::source::OpenOptions::default()).unwrap();
    let e = src.listing("rootfs-diff.tar").expect_err("junk");
    let io = io_source(&e);
    assert_eq!(io.to_string(), "archive header checksum mismatch");
    let (member, what) = (format!("{label}:rootfs-diff.tar"), format!("not a valid tar: {io}"));
    assert!(
        matches!(&e, Error::BadArchive { file, what: w, source: Some(_) } if *file == member && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{member}: {what}"));
}

#[test]
fn a_whole_archive_where_one_image_is_wanted_is_unsupported() {
    let ar = common::fixtures().join("archives/crit-sleep.tar");
    let label = ar.display().to_string();
    let e = crit::source::open_archive_member(&ar).err().expect("not one image");
    let what = format!(
        "a container checkpoint archive, not one image: name an image in it as {label}:checkpoint/NAME.img (`crit inspect {label}` lists what is inside)"
    );
    assert!(
        matches!(&e, Error::Unsupported { file, what: w } if *file == label && *w == what),
        "{e:?}"
    );
    let pages = std::path::PathBuf::from(format!("{label}:checkpoint/pages-1.img"));
    let e = crit::source::open_archive_member(&pages).err().expect("raw memory");
    assert!(
        matches!(&e, Error::Unsupported { file, .. } if *file == pages.display().to_string()),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!("{label}:checkpoint/pages-1.img: a raw memory image, which has no magic; read process memory with `crit mem ARCHIVE`")
    );
}

/// Cuts image `name` of `dir` to its magic: an image with no entries.
fn header_only(dir: &std::path::Path, name: &str) -> String {
    let p = dir.join(name);
    let f = fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_len(8).unwrap();
    p.display().to_string()
}

fn assert_no_entries(e: &Error, want: &str) {
    assert!(matches!(e, Error::NoEntries { file } if file == want), "{e:?}");
    assert_eq!(e.to_string(), format!("{want}: the image has no entries"));
    assert_eq!(e.image_problem(), Some((want, "the image has no entries".to_string())));
}

#[test]
fn an_image_without_entries_is_no_entries() {
    let tmp = scratch_copy(&corpus("mem"));
    let core = header_only(tmp.path(), "core-20931.img");
    let e = crit::image::read_first::<crit::proto::CoreEntry>(&core).unwrap_err();
    assert_no_entries(&e, &core);
    // The process tree reads each task's core.
    let e = Checkpoint::open(tmp.path()).expect_err("an empty core");
    assert_no_entries(&e, &core);

    let tmp = scratch_copy(&corpus("mem"));
    let mm = header_only(tmp.path(), "mm-20931.img");
    let e = MemReader::open(tmp.path(), None).err().expect("an empty mm");
    assert_no_entries(&e, &mm);
    let stats = header_only(tmp.path(), "stats-dump");
    let e = crit::stats::dump_stats(tmp.path()).unwrap_err();
    assert_no_entries(&e, &stats);
}

fn assert_missing(e: &Error, want_file: &str, want_field: &str, want_what: &str) {
    match e {
        Error::MissingField { file, field, what } => {
            assert_eq!((file.as_str(), *field, *what), (want_file, want_field, want_what))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.to_string(), format!("{want_file}: {want_what}"));
    assert!(e.source().is_none());
}

#[test]
fn a_required_field_missing_is_missing_field() {
    let tmp = scratch_copy(&corpus("mem"));
    let core = tmp.path().join("core-20931.img");
    edit_image(&core, |v| {
        v["entries"][0].as_object_mut().unwrap().remove("tc");
    });
    let e = Checkpoint::open(tmp.path()).expect_err("no tc");
    assert_missing(
        &e,
        &core.display().to_string(),
        "tc",
        "the core entry has no task core (tc)",
    );

    let tmp = scratch_copy(&corpus("mem"));
    edit_image(&tmp.path().join("core-20931.img"), |v| {
        v["entries"][0].as_object_mut().unwrap().remove("thread_info");
    });
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let e = Coredump::new(&cp, None, &Options::default())
        .err()
        .expect("no registers");
    assert_missing(
        &e,
        "core-20931.img",
        "thread_info",
        "an X86_64 core entry without thread_info",
    );

    let tmp = scratch_copy(&corpus("mem"));
    edit_image(&tmp.path().join("core-20931.img"), |v| {
        v["entries"][0]["mtype"] = "AARCH64".into();
    });
    let cp = Checkpoint::open(tmp.path()).unwrap();
    let e = Coredump::new(&cp, None, &Options::default())
        .err()
        .expect("no registers");
    assert_missing(
        &e,
        "core-20931.img",
        "ti_aarch64",
        "an AARCH64 core entry without ti_aarch64",
    );

    let tmp = scratch_copy(&corpus("mem"));
    let pagemap = header_only(tmp.path(), "pagemap-20931.img");
    let e = MemReader::open(tmp.path(), None).err().expect("no pagemap head");
    assert_missing(&e, &pagemap, "pagemap_head", "the pagemap has no head entry");

    let stats = tmp.path().join("stats-dump");
    edit_image(&stats, |v| {
        v["entries"][0].as_object_mut().unwrap().remove("dump");
    });
    let e = crit::stats::dump_stats(tmp.path()).unwrap_err();
    assert_missing(
        &e,
        &stats.display().to_string(),
        "dump",
        "the entry has no dump statistics",
    );
}

/// A gzip'd tar holding `./big`, `len` bytes that do not compress.
fn tmpfs_tar(len: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let data: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut tar = tar::Builder::new(Vec::new());
    tar.append(&tar_header(tar::EntryType::Regular, b"./big", len as u64), &data[..])
        .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_tmpfs_image_that_is_no_tar_keeps_the_tar_error_as_source() {
    let opts = RawOptions {
        pretty: false,
        extract: None,
    };
    let junk = [7u8; 64];
    let e = crit::raw_image::decode(RawKind::TmpfsDev, &junk[..], "tmpfs.img", Vec::new(), &opts).unwrap_err();
    let io = io_source(&e);
    assert_eq!(io.to_string(), "invalid gzip header");
    let what = format!("member 0: {io}");
    assert!(
        matches!(&e, Error::BadImage { file, what: w, source: Some(_) } if file == "tmpfs.img" && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("tmpfs.img: {what}"));

    // Extracting: the stream ends inside the member's data.
    let gz = tmpfs_tar(64 * 1024);
    let gz = &gz[..gz.len() / 2];
    let tmp = tempfile::tempdir().unwrap();
    let opts = RawOptions {
        pretty: false,
        extract: Some(Extract::new(tmp.path().join("out"))),
    };
    let e = crit::raw_image::decode(RawKind::TmpfsDev, gz, "tmpfs.img", Vec::new(), &opts).unwrap_err();
    let io = io_source(&e);
    assert_eq!(io.to_string(), "incomplete deflate stream");
    let what = format!("member \"./big\": {io}");
    assert!(
        matches!(&e, Error::BadImage { file, what: w, source: Some(_) } if file == "tmpfs.img" && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("tmpfs.img: {what}"));
}

#[test]
fn json_that_is_not_json_keeps_the_readers_error_as_source() {
    let mut out = Vec::new();
    let e = crit::image_json::encode_image(&br#"{"magic": "#[..], "in.json", &mut out).unwrap_err();
    let what = "invalid JSON: EOF while parsing a value at line 1 column 10";
    assert!(
        matches!(&e, Error::BadJson { file, what: w, source: Some(_) } if file == "in.json" && w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("in.json: {what}"));
    let syntax = e
        .source()
        .and_then(|s| s.downcast_ref::<crit::image_json::SyntaxError>())
        .expect("the reader's error");
    assert_eq!(
        (syntax.what(), syntax.line(), syntax.column()),
        ("EOF while parsing a value", 1, 10)
    );
    // Well-formed JSON that is no image has no underlying error.
    let e =
        crit::image_json::encode_image(&br#"{"magic": "CORE", "magic": "CORE"}"#[..], "in.json", &mut out).unwrap_err();
    assert!(
        matches!(&e, Error::BadJson { what, source: None, .. } if what == "\"magic\" given twice"),
        "{e:?}"
    );
}

#[test]
fn a_pod_file_that_is_not_json_keeps_serde_jsons_error_as_source() {
    let mut tar = tar::Builder::new(Vec::new());
    let pod = common::pod_of(&[("a", "crit-sleep.tar"), ("b", "crit-sleep.tar.gz")]);
    let mut ar = tar::Archive::new(&pod[..]);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        tar.append(&e.header().clone(), &data[..]).unwrap();
    }
    let mut h = tar::Header::new_ustar();
    h.set_path("pod.options").unwrap();
    h.set_size(5);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append(&h, &b"{oops"[..]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (p, label) = write_file(tmp.path(), "pod.tar", &tar.into_inner().unwrap());
    let e = crit::inspect::inspect(&p).expect_err("pod.options is not JSON");
    let source = e
        .source()
        .and_then(|s| s.downcast_ref::<serde_json::Error>())
        .expect("serde_json's error");
    assert_eq!(source.to_string(), "key must be a string at line 1 column 2");
    let (file, what) = (format!("{label}:pod.options"), format!("not valid JSON: {source}"));
    assert!(
        matches!(&e, Error::BadJson { file: f, what: w, .. } if *f == file && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{file}: {what}"));
}

#[test]
fn a_deleted_files_list_that_is_not_json_keeps_serde_jsons_error_as_source() {
    let ct = common::unpack_archive("crit-sleep.tar.gz");
    fs::write(ct.path().join("deleted.files"), b"[\"/tmp/x\",").unwrap();
    let cp = Checkpoint::open(ct.path()).unwrap();
    let root = tempfile::tempdir().unwrap();
    let opts = crit::check::Options {
        root: root.path().to_path_buf(),
    };
    let e = crit::check::check(&cp, &opts, &common::fake_host::Fake::default()).expect_err("not JSON");
    let source = e
        .source()
        .and_then(|s| s.downcast_ref::<serde_json::Error>())
        .expect("serde_json's error");
    assert_eq!(source.to_string(), "EOF while parsing a value at line 1 column 10");
    let file = ct.path().join("deleted.files").display().to_string();
    let what = format!("not a JSON list of paths: {source}");
    assert!(
        matches!(&e, Error::BadImage { file: f, what: w, .. } if *f == file && *w == what),
        "{e:?}"
    );
    assert_eq!(e.to_string(), format!("{file}: {what}"));
}
