//! The image codec against the real corpus and the Python CRIT's output:
//! `decode` (plain and `--pretty`), `info`, and byte-identical `encode` round
//! trips, plus the schema against CRIU 4.1.1's format facts.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{corpus_dirs, corpus_dirs_of, crit, fixtures, images_of, CORPORA};
use crit::image::ImageReader;
use crit::image_json::{self, DecodeOptions};
use serde_json::Value;

fn decode_lib(path: &Path, pretty: bool) -> String {
    let mut r = ImageReader::open(path).unwrap();
    let mut out = Vec::new();
    image_json::decode_image(
        &mut r,
        &mut out,
        DecodeOptions {
            pretty,
            no_payload: false,
        },
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

fn encode_lib(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    image_json::encode_image(json, "test.json", &mut out).unwrap();
    out
}

fn reference(dir: &str, image: &str, suffix: &str) -> Option<String> {
    reference_in("peers", dir, image, suffix)
}

fn reference_in(peers: &str, dir: &str, image: &str, suffix: &str) -> Option<String> {
    fs::read_to_string(fixtures().join(peers).join(dir).join(format!("{image}{suffix}"))).ok()
}

/// Every image of both corpora (CRIU 4.1.1's and 4.2.1's) decodes to the
/// bytes the Python CRIT 4.2.1 prints (so the same values, keys in the same
/// order, same number forms); on 4.1.1 pagemaps that is `compat_nr_pages`.
#[test]
fn decode_equals_python_crit() {
    let mut checked = 0;
    for (corpus, peers) in CORPORA {
        for dir in corpus_dirs_of(corpus) {
            let dname = dir.file_name().unwrap().to_str().unwrap();
            for img in images_of(&dir) {
                let name = img.file_name().unwrap().to_str().unwrap();
                let expected = reference_in(peers, dname, name, ".json")
                    .unwrap_or_else(|| panic!("{peers}/{dname}/{name}.json is missing"));
                let ours = decode_lib(&img, false);
                assert_eq!(ours, expected, "{corpus}/{dname}/{name}: plain decode differs");
                let a: Value = serde_json::from_str(&ours).unwrap();
                let b: Value = serde_json::from_str(&expected).unwrap();
                assert_eq!(a, b);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 288, "every image of both corpora");
}

#[test]
fn pretty_decode_equals_python_crit() {
    let mut checked = 0;
    for (corpus, peers) in CORPORA {
        for dir in corpus_dirs_of(corpus) {
            let dname = dir.file_name().unwrap().to_str().unwrap();
            for img in images_of(&dir) {
                let name = img.file_name().unwrap().to_str().unwrap();
                let expected = reference_in(peers, dname, name, ".pretty.json")
                    .unwrap_or_else(|| panic!("{peers}/{dname}/{name}.pretty.json is missing"));
                assert_eq!(
                    decode_lib(&img, true),
                    expected,
                    "{corpus}/{dname}/{name}: --pretty differs"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 288, "every image of both corpora");
}

/// The Python CRIT 4.2.1's JSON tells the releases apart only in pagemaps:
/// 4.1.1's entries carry the count in `compat_nr_pages`, 4.2.1's in both
/// fields, `compat_nr_pages` being 0.
#[test]
fn pagemap_json_names_both_count_fields() {
    let old: Value = serde_json::from_str(&reference("mem", "pagemap-20931.img", ".json").unwrap()).unwrap();
    let run = &old["entries"][1];
    assert!(run["compat_nr_pages"].as_u64().unwrap() > 0, "{run}");
    assert!(run.get("nr_pages").is_none(), "{run}");
    let new: Value = serde_json::from_str(&decode_lib(
        &fixtures().join("corpus-4.2.1/mem/pagemap-3374.img"),
        false,
    ))
    .unwrap();
    for run in new["entries"].as_array().unwrap().iter().skip(1) {
        assert_eq!(run["compat_nr_pages"], 0, "{run}");
        assert!(run["nr_pages"].as_u64().unwrap() > 0, "{run}");
    }
}

/// Decoding then encoding gives back the original bytes, from the plain and the
/// `--pretty` JSON, for every image of both corpora.
#[test]
fn encode_round_trips_every_image() {
    let mut checked = 0;
    for dir in corpus_dirs().into_iter().chain(corpus_dirs_of("corpus-4.2.1")) {
        for img in images_of(&dir) {
            let original = fs::read(&img).unwrap();
            for pretty in [false, true] {
                let json = decode_lib(&img, pretty);
                assert!(
                    encode_lib(json.as_bytes()) == original,
                    "{} (pretty: {pretty}) does not round-trip",
                    img.display()
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 288, "every image of both corpora");
}

/// The Python CRIT's own JSON (not just ours) encodes to the original image.
#[test]
fn encode_reads_python_crit_json() {
    for (dir, image) in [
        ("files", "files.img"),
        ("net", "files.img"),
        ("ipc", "ipcns-msg-10.img"),
        ("files", "ghost-file-1.img"),
    ] {
        let original = fs::read(fixtures().join("corpus").join(dir).join(image)).unwrap();
        for suffix in [".json", ".pretty.json"] {
            let json = reference(dir, image, suffix).unwrap();
            assert!(encode_lib(json.as_bytes()) == original, "{dir}/{image}{suffix}");
        }
    }
}

/// The Go CRIT's dialect: protobuf's JSON mapping, with lowerCamelCase names,
/// 64-bit integers as strings, base64 without line breaks (a unix socket's
/// name too); "extra" pasted on as go-criu does: base64 without line breaks,
/// semaphore values as a string, left out when empty.
fn to_go_dialect(v: &Value, in_extra: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !(*k == "extra" && v.as_str() == Some("")))
                .map(|(k, v)| {
                    let extra = in_extra || k == "extra";
                    let key = if extra { k.clone() } else { lower_camel(k) };
                    let v = match (k.as_str(), v) {
                        // unix_sk_entry.name: quoted-printable in Python's dialect.
                        ("name", Value::String(s)) if !in_extra && m.contains_key("backlog") => {
                            Value::String(base64_plain(&crit::message_json::formats::quopri_decode(s)))
                        }
                        ("extra", Value::String(s)) => Value::String(s.replace('\n', "")),
                        ("extra", Value::Array(a)) if a.iter().all(Value::is_u64) => {
                            Value::String(serde_json::to_string(a).unwrap())
                        }
                        _ => to_go_dialect(v, extra),
                    };
                    (key, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| to_go_dialect(x, in_extra)).collect()),
        Value::Number(n) if !in_extra && n.as_u64().is_some_and(|x| x > u64::from(u32::MAX)) => {
            Value::String(n.to_string())
        }
        Value::String(s) if !in_extra => Value::String(s.replace('\n', "")),
        other => other.clone(),
    }
}

/// Go's `base64.StdEncoding`: one line.
fn base64_plain(data: &[u8]) -> String {
    crit::message_json::formats::base64_lines(data).replace('\n', "")
}

fn lower_camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn encode_reads_go_crit_dialect() {
    let mut checked = 0;
    for dir in corpus_dirs().into_iter().chain(corpus_dirs_of("corpus-4.2.1")) {
        for img in images_of(&dir) {
            let original = fs::read(&img).unwrap();
            let plain: Value = serde_json::from_str(&decode_lib(&img, false)).unwrap();
            let mut go = to_go_dialect(&plain, false);
            // Top-level keys stay as they are in both tools.
            if let Value::Object(m) = &mut go {
                assert!(m.contains_key("magic") && m.contains_key("entries"));
            }
            let json = serde_json::to_vec(&go).unwrap();
            assert!(
                encode_lib(&json) == original,
                "{} in Go's dialect does not encode back",
                img.display()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 288);
}

/// Images whose entries carry extra payloads, where the Python CRIT's `info`
/// miscounts: it reads the payload bytes as more size-prefixed entries.
const PYTHON_INFO_MISCOUNTS: &[&str] = &[
    "fifo-data.img",
    "pipes-data.img",
    "ipcns-msg-10.img",
    "ipcns-sem-10.img",
    "sk-queues.img",
    "tcp-stream-71cb.img",
    "tcp-stream-71cc.img",
];

#[test]
fn info_equals_python_crit_where_it_counts_right() {
    let mut checked = 0;
    for dir in corpus_dirs() {
        let dname = dir.file_name().unwrap().to_str().unwrap().to_string();
        for img in images_of(&dir) {
            let name = img.file_name().unwrap().to_str().unwrap();
            let out = crit(&["info", img.to_str().unwrap()]);
            assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
            let ours = String::from_utf8(out.stdout).unwrap();
            if PYTHON_INFO_MISCOUNTS.contains(&name) {
                // The right count: the number of entries `decode` lists.
                let decoded: Value = serde_json::from_str(&reference(&dname, name, ".json").unwrap()).unwrap();
                let n = decoded["entries"].as_array().unwrap().len();
                let info: Value = serde_json::from_str(&ours).unwrap();
                assert_eq!(info["count"], n, "{dname}/{name}");
                assert_eq!(info["magic"], decoded["magic"]);
                let python: Value = serde_json::from_str(&reference(&dname, name, ".info.json").unwrap()).unwrap();
                assert_ne!(
                    python["count"], n,
                    "{dname}/{name}: Python counts right after all; compare directly"
                );
            } else if let Some(expected) = reference(&dname, name, ".info.json") {
                assert_eq!(ours, expected, "{dname}/{name}");
            } else {
                // No Python reference (it has no count for ghost files).
                let info: Value = serde_json::from_str(&ours).unwrap();
                assert_eq!(info["count"], 1, "{dname}/{name}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 140);
}

#[test]
fn info_counts_pagemap_entries_after_the_head() {
    let out = crit(&[
        "info",
        fixtures().join("corpus/mem/pagemap-20931.img").to_str().unwrap(),
    ]);
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    let decoded: Value = serde_json::from_str(&reference("mem", "pagemap-20931.img", ".json").unwrap()).unwrap();
    assert_eq!(info["count"], decoded["entries"].as_array().unwrap().len() - 1);
}

#[test]
fn nopl_replaces_payloads_by_their_size() {
    let img = fixtures().join("corpus/files/pipes-data.img");
    let out = crit(&["decode", "--nopl", "-i", img.to_str().unwrap()]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entries"][0]["extra"], "... <31B>");
    assert_eq!(v["entries"][0]["bytes"], 31);

    let img = fixtures().join("corpus/ipc/ipcns-msg-10.img");
    let v: Value = serde_json::from_slice(&crit(&["show", "--nopl", img.to_str().unwrap()]).stdout).unwrap();
    // Two messages: 4-byte ipc_msg payloads and 13 + 35 data bytes.
    assert_eq!(v["entries"][0]["extra"], "... <56B>");
}

#[test]
fn show_is_decode_pretty() {
    let img = fixtures().join("corpus/net/files.img");
    let show = crit(&["show", img.to_str().unwrap()]);
    let decode = crit(&["decode", "--pretty", "-i", img.to_str().unwrap()]);
    assert!(show.status.success());
    assert_eq!(show.stdout, decode.stdout);
    let text = String::from_utf8(show.stdout).unwrap();
    assert!(
        text.contains("\"name\": \"/tmp/crit-net.sock=00\""),
        "unix names as the Python CRIT writes them"
    );
    assert!(
        text.contains("\"src_addr\": [\n                    \"::1\"\n                ]"),
        "IPv6 compressed"
    );
}

#[test]
fn decode_reads_stdin_and_writes_stdout() {
    let img = fixtures().join("corpus/mem/pstree.img");
    let out = common::crit_stdin(&["decode"], &fs::read(&img).unwrap());
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        reference("mem", "pstree.img", ".json").unwrap()
    );
    let out = common::crit_stdin(&["decode", "-i", "-", "-o", "-"], &fs::read(&img).unwrap());
    assert!(out.status.success());
}

#[test]
fn encode_to_file_and_back() {
    let tmp = tempfile::tempdir().unwrap();
    let img = fixtures().join("corpus/threads/core-20915.img");
    let json = tmp.path().join("core.json");
    let back = tmp.path().join("core.img");
    assert!(
        crit(&["decode", "-i", img.to_str().unwrap(), "-o", json.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        crit(&["encode", "-i", json.to_str().unwrap(), "-o", back.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(fs::read(&back).unwrap(), fs::read(&img).unwrap());
    let names: Vec<PathBuf> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

/// Magics the Python CRIT has no handler for decode and encode like the rest.
#[test]
fn magics_python_lacks_round_trip() {
    let cases = [
        r#"{"magic": "PIDFD", "entries": [{"id": 7, "ino": 4242, "flags": 2048, "nspid": 31, "fown": {"uid": 0, "euid": 0, "signum": 0, "pid_type": 0, "pid": 0}}]}"#,
        r#"{"magic": "SIGNAL", "entries": [{"signals": [{"siginfo": "CgAAAAAAAAAAAAAA\n"}, {"siginfo": "DAAAAAAAAAAAAAAA\n"}]}]}"#,
        r#"{"magic": "BINFMT_MISC", "entries": [{"name": "qemu-arm", "enabled": true, "interpreter": "/usr/bin/qemu-arm", "flags": "OCF", "magic": "7f454c46", "offset": 0}]}"#,
    ];
    for json in cases {
        let bin = encode_lib(json.as_bytes());
        let tmp = tempfile::NamedTempFile::new().unwrap();
        fs::write(tmp.path(), &bin).unwrap();
        assert_eq!(decode_lib(tmp.path(), false), json);
    }
}

#[test]
fn raw_pages_image_gets_a_clear_error() {
    let img = fixtures().join("corpus/mem/pages-1.img");
    let out = crit(&["decode", "-i", img.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("crit: "), "{err}");
    assert!(
        err.contains("pages-1.img") && err.contains("raw memory") && err.contains("crit mem"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert!(out.stdout.is_empty());
}

#[test]
fn closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let img = fixtures().join("corpus/files/core-20975.img");
    let mut child = Command::new(env!("CARGO_BIN_EXE_crit"))
        .args(["decode", "--pretty", "-i", img.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up, like `| head -c 10`.
    let mut first = [0u8; 10];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first, b"{\n    \"mag");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

/// Our `.proto` files carry exactly the facts of CRIU 4.1.1's format: every
/// message, field, number, type, label, default and `(criu)` option.
#[test]
fn schema_matches_criu_format_facts() {
    use prost_reflect::{Cardinality, Kind};
    let facts: Value =
        serde_json::from_str(&fs::read_to_string(fixtures().join("criu-format-4.2.1.json")).unwrap()).unwrap();
    let pool = crit::schema::pool();
    let ext = pool.get_extension_by_name("criu").unwrap();
    let files = facts["files"].as_object().unwrap();
    assert_eq!(files.len(), 75);
    let mut fields_checked = 0;

    fn check_enum(pool: &prost_reflect::DescriptorPool, e: &Value) {
        let name = e["name"].as_str().unwrap();
        let ours = pool
            .get_enum_by_name(name)
            .unwrap_or_else(|| panic!("enum {name} missing"));
        let values = e["values"].as_object().unwrap();
        assert_eq!(ours.values().len(), values.len(), "{name}");
        for (k, v) in values {
            assert_eq!(
                ours.get_value_by_name(k).map(|x| i64::from(x.number())),
                v.as_i64(),
                "{name}.{k}"
            );
        }
    }

    let mut stack: Vec<&Value> = Vec::new();
    for (fname, file) in files {
        let ours = pool
            .get_file_by_name(fname)
            .unwrap_or_else(|| panic!("{fname} missing"));
        assert_eq!(
            ours.syntax() == prost_reflect::Syntax::Proto2,
            file["syntax"] == "proto2",
            "{fname}"
        );
        let deps: Vec<String> = ours.dependencies().map(|d| d.name().to_string()).collect();
        let want: Vec<String> = file["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        assert_eq!(deps, want, "{fname} imports");
        let top: Vec<String> = ours.messages().map(|m| m.name().to_string()).collect();
        let want: Vec<String> = file["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(top, want, "{fname} messages");
        for e in file["enums"].as_array().unwrap() {
            check_enum(pool, e);
        }
        stack.extend(file["messages"].as_array().unwrap());
        while let Some(m) = stack.pop() {
            let mname = m["name"].as_str().unwrap();
            let desc = pool
                .get_message_by_name(mname)
                .unwrap_or_else(|| panic!("message {mname} missing"));
            let fields = m["fields"].as_array().unwrap();
            assert_eq!(desc.fields().len(), fields.len(), "{mname} field count");
            // prost-reflect lists fields by number; the .proto's order is in its proto.
            let declared: Vec<_> = desc
                .descriptor_proto()
                .field
                .iter()
                .map(|p| desc.get_field(p.number() as u32).unwrap())
                .collect();
            for (ours, f) in declared.into_iter().zip(fields) {
                let what = format!("{mname}.{}", f["name"].as_str().unwrap());
                assert_eq!(ours.name(), f["name"], "{what}: declaration order");
                assert_eq!(i64::from(ours.number()), f["number"].as_i64().unwrap(), "{what}");
                let label = match ours.cardinality() {
                    Cardinality::Required => "required",
                    Cardinality::Optional => "optional",
                    Cardinality::Repeated => "repeated",
                };
                assert_eq!(label, f["label"], "{what}");
                let (ty, type_name) = match ours.kind() {
                    Kind::Message(m) => ("message", Some(m.full_name().to_string())),
                    Kind::Enum(e) => ("enum", Some(e.full_name().to_string())),
                    Kind::Double => ("double", None),
                    Kind::Float => ("float", None),
                    Kind::Int32 => ("int32", None),
                    Kind::Int64 => ("int64", None),
                    Kind::Uint32 => ("uint32", None),
                    Kind::Uint64 => ("uint64", None),
                    Kind::Sint32 => ("sint32", None),
                    Kind::Sint64 => ("sint64", None),
                    Kind::Fixed32 => ("fixed32", None),
                    Kind::Fixed64 => ("fixed64", None),
                    Kind::Sfixed32 => ("sfixed32", None),
                    Kind::Sfixed64 => ("sfixed64", None),
                    Kind::Bool => ("bool", None),
                    Kind::String => ("string", None),
                    Kind::Bytes => ("bytes", None),
                };
                assert_eq!(ty, f["type"], "{what}");
                assert_eq!(type_name.as_deref(), f["type_name"].as_str(), "{what}");
                let default = ours.field_descriptor_proto().default_value.clone();
                match f.get("default") {
                    None => assert_eq!(default, None, "{what}"),
                    Some(Value::Bool(b)) => {
                        assert_eq!(default.as_deref(), Some(if *b { "true" } else { "false" }), "{what}")
                    }
                    Some(Value::Number(n)) if ty == "enum" => {
                        let Kind::Enum(e) = ours.kind() else { unreachable!() };
                        let v = e.get_value(n.as_i64().unwrap() as i32).unwrap();
                        assert_eq!(default.as_deref(), Some(v.name()), "{what}");
                    }
                    Some(Value::Number(n)) => assert_eq!(default.as_deref(), Some(n.to_string().as_str()), "{what}"),
                    Some(other) => panic!("{what}: unexpected default {other}"),
                }
                let opts = ours.options();
                let mut got = serde_json::Map::new();
                if opts.has_extension(&ext) {
                    let v = opts.get_extension(&ext);
                    let msg = v.as_message().unwrap();
                    for (fd, val) in msg.fields() {
                        let j = match val {
                            prost_reflect::Value::Bool(b) => Value::Bool(*b),
                            prost_reflect::Value::String(s) => Value::String(s.clone()),
                            other => panic!("{what}: option {other:?}"),
                        };
                        got.insert(fd.name().to_string(), j);
                    }
                }
                let want = f.get("criu").and_then(Value::as_object).cloned().unwrap_or_default();
                assert_eq!(got, want, "{what} (criu) options");
                fields_checked += 1;
            }
            for e in m["enums"].as_array().unwrap() {
                check_enum(pool, e);
            }
            let nested = m["nested"].as_array().unwrap();
            assert_eq!(desc.child_messages().count(), nested.len(), "{mname} nested");
            stack.extend(nested);
        }
    }
    assert_eq!(fields_checked, 1045); // 4.2.1 adds pagemap_entry.nr_pages and inventory_entry.allow_uprobes
                                      // The extension itself.
    assert_eq!(ext.number(), 1018);
    assert_eq!(ext.containing_message().full_name(), "google.protobuf.FieldOptions");
}

#[test]
fn magic_table_matches_criu_format_facts() {
    let facts: Value =
        serde_json::from_str(&fs::read_to_string(fixtures().join("criu-format-4.2.1.json")).unwrap()).unwrap();
    let magics = facts["magic"].as_object().unwrap();
    assert_eq!(magics.len(), 72);
    assert_eq!(crit::schema::magic::MAGICS.len(), 72);
    for (name, value) in magics {
        assert_eq!(
            crit::schema::magic::value_of(name).map(u64::from),
            value.as_u64(),
            "{name}"
        );
    }
    // Every magic but the framing ones and KDAT (not protobuf) has a layout whose
    // message exists.
    for (name, _) in crit::schema::magic::MAGICS {
        match crit::schema::magic::layout(name) {
            Some(crit::schema::magic::Layout::Entries { message, .. }) => {
                assert!(
                    crit::schema::Schema::get().message(message).is_some(),
                    "{name}: {message}"
                )
            }
            Some(_) => {}
            None => assert!(
                ["CRTOOLS_IMAGES_V1_1", "IMG_COMMON", "IMG_SERVICE", "KDAT"].contains(name),
                "{name}"
            ),
        }
    }
}
