//! The real Go CRITs' JSON: `tests/fixtures/go-decode.tar.gz` holds, for
//! every image of both corpora, go-criu's `crit decode` (`.go.json`, v7.2
//! and v8.4) and that Go CRIT's own `crit encode` of it (`.go-encoded`). Our
//! encoding of each `.go.json` must hold the same messages as `.go-encoded`.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::fixtures;
use crit::image::ImageReader;
use crit::image_json::{decode_image, encode_image, DecodeOptions};
use crit::proto::FileEntry;
use prost::Message;
use serde_json::Value;

/// The unpacked references: `go-decode/v7.2/…`, `go-decode/v8.4/…`.
fn unpacked() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let f = fs::File::open(fixtures().join("go-decode.tar.gz")).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(f))
        .unpack(tmp.path())
        .unwrap();
    tmp
}

/// Every `.go.json` under `dir`, sorted.
fn go_jsons(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.to_str().unwrap().ends_with(".go.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn encode(json: &[u8], name: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    encode_image(json, name, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Our decoding of an image, as a value to compare.
fn decoded(image: &[u8]) -> Value {
    let mut r = ImageReader::new(image, "x.img", Some(image.len() as u64)).unwrap();
    let mut text = Vec::new();
    decode_image(&mut r, &mut text, DecodeOptions::default()).unwrap();
    serde_json::from_slice(&text).unwrap()
}

fn with_suffix(p: &Path, from: &str, to: &str) -> PathBuf {
    PathBuf::from(p.to_str().unwrap().strip_suffix(from).unwrap().to_string() + to)
}

#[test]
fn every_go_json_encodes_to_what_the_go_crit_encodes() {
    let tmp = unpacked();
    let mut checked = [0usize; 2];
    let mut identical = 0;
    for (i, version) in ["v7.2", "v8.4"].into_iter().enumerate() {
        for json_path in go_jsons(&tmp.path().join("go-decode").join(version)) {
            let json = fs::read(&json_path).unwrap();
            let want = fs::read(with_suffix(&json_path, ".go.json", ".go-encoded")).unwrap();
            let got = encode(&json, "go.json").unwrap_or_else(|e| panic!("{}: {e}", json_path.display()));
            if got == want {
                identical += 1;
            } else {
                assert_eq!(decoded(&got), decoded(&want), "{}", json_path.display());
            }
            checked[i] += 1;
        }
    }
    // Every image both Go CRITs could decode and encode, of all 16 checkpoints.
    assert_eq!(checked, [254, 254]);
    assert_eq!(identical, 508, "every one byte for byte");
}

/// The issue's example: the bound unix socket's name, base64 in Go's JSON
/// with snake_case keys, is the name's bytes, not the base64 text.
#[test]
fn a_go_unix_socket_name_is_its_bytes() {
    let tmp = unpacked();
    for version in ["v7.2", "v8.4"] {
        let path = tmp
            .path()
            .join("go-decode")
            .join(version)
            .join("corpus/net/files.img.go.json");
        let json = fs::read_to_string(&path).unwrap();
        assert!(json.contains(r#""name":"L3RtcC9jcml0LW5ldC5zb2NrAA==""#));
        assert!(json.contains(r#""pid_type":0"#) && !json.contains("pidType"));
        let image = encode(json.as_bytes(), "files.img.go.json").unwrap();
        let names: Vec<Vec<u8>> = entries(&image)
            .into_iter()
            .filter_map(|e| FileEntry::decode(&e[..]).unwrap().usk)
            .map(|u| u.name)
            .filter(|n| !n.is_empty())
            .collect();
        assert_eq!(names, [b"/tmp/crit-net.sock\0".to_vec()], "{version}");
        // The whole image is the original's but for what the Go CRIT drops.
        if version == "v8.4" {
            assert!(image == fs::read(fixtures().join("corpus/net/files.img")).unwrap());
        }
    }
}

/// go-criu v7.2 knows CRIU 4.1's schema, where a pagemap entry's field 2
/// (now `compat_nr_pages`) is `nr_pages`, a uint32 it writes as a number:
/// encoded as field 2, the 4.1.1 checkpoint's own pagemap comes back.
#[test]
fn go_v7_2_page_counts_are_field_2() {
    let tmp = unpacked();
    let path = tmp.path().join("go-decode/v7.2/corpus/mem/pagemap-20931.img.go.json");
    let json = fs::read_to_string(&path).unwrap();
    assert!(json.contains(r#""vaddr":"94583869702144","nr_pages":1,"flags":4"#));
    let image = encode(json.as_bytes(), "pagemap.go.json").unwrap();
    assert!(image == fs::read(fixtures().join("corpus/mem/pagemap-20931.img")).unwrap());
    // v8.4 knows both fields, and writes the 64-bit one as a string.
    let v84 = tmp
        .path()
        .join("go-decode/v8.4/corpus-4.2.1/mem/pagemap-3374.img.go.json");
    let json = fs::read_to_string(v84).unwrap();
    assert!(
        json.contains(r#""compat_nr_pages":0,"flags":4,"nr_pages":"1""#),
        "{json}"
    );
    let image = encode(json.as_bytes(), "pagemap.go.json").unwrap();
    assert!(image == fs::read(fixtures().join("corpus-4.2.1/mem/pagemap-3374.img")).unwrap());
}

/// The size-prefixed entries of an image (after its two magics).
fn entries(image: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 8;
    while at < image.len() {
        let size = u32::from_le_bytes(image[at..at + 4].try_into().unwrap()) as usize;
        out.push(image[at + 4..at + 4 + size].to_vec());
        at += 4 + size;
    }
    out
}
