//! What `encode` must tell apart: a payload `--nopl` replaced by its size
//! (refused, saying where), and the Go CRIT's forms of a unix socket name
//! (base64) and of semaphore values (a string), which give back the image's
//! own bytes.

use crate::common;

use std::fs;

use common::{crit, crit_stdin, fixtures};
use crit::proto::FileEntry;
use prost::Message;
use serde_json::{json, Value};

fn corpus_file(rel: &str) -> Vec<u8> {
    fs::read(fixtures().join("corpus").join(rel)).unwrap()
}

fn decode_json(rel: &str, nopl: bool) -> Value {
    let path = fixtures().join("corpus").join(rel);
    let mut args = vec!["decode", "-i", path.to_str().unwrap()];
    if nopl {
        args.push("--nopl");
    }
    let out = crit(&args);
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `crit encode` of `doc`: the image, or the exit status and standard error.
fn encode(doc: &Value) -> Result<Vec<u8>, (i32, String)> {
    let out = crit_stdin(&["encode"], doc.to_string().as_bytes());
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err((out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap()))
    }
}

fn elided(at: &str) -> Result<Vec<u8>, (i32, String)> {
    Err((
        1,
        format!("crit: <stdin>: {at}: payload elided by --nopl: cannot encode\n"),
    ))
}

#[test]
fn nopl_output_is_refused_where_a_payload_was_elided() {
    for rel in [
        "files/fifo-data.img",
        "files/pipes-data.img",
        "net/sk-queues.img",
        "net/tcp-stream-71cb.img",
        "ipc/ipcns-msg-10.img",
        "ipc/ipcns-sem-10.img",
    ] {
        assert_eq!(encode(&decode_json(rel, true)), elided("entries[0].extra"), "{rel}");
    }
    // `show --nopl`, the pretty form, the same.
    let path = fixtures().join("corpus/net/sk-queues.img");
    let shown = crit(&["show", "--nopl", path.to_str().unwrap()]).stdout;
    let out = crit_stdin(&["encode"], &shown);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "crit: <stdin>: entries[0].extra: payload elided by --nopl: cannot encode\n"
    );
    // A ghost file's contents leave no placeholder: the missing "extra" is the sign.
    assert_eq!(
        encode(&decode_json("files/ghost-file-1.img", true)),
        Err((
            1,
            "crit: <stdin>: entries[0]: no \"extra\" (the file's contents): payload elided by --nopl: cannot encode\n"
                .into()
        ))
    );
    // The index says which entry.
    let mut doc = decode_json("net/sk-queues.img", false);
    doc["entries"][2]["extra"] = json!("... <34B>");
    assert_eq!(encode(&doc), elided("entries[2].extra"));
    // A chunked ghost file's chunk without its data.
    let doc = json!({"magic": "GHOST_FILE", "entries": [
        {"uid": 0, "gid": 0, "mode": 33152, "chunks": true, "size": 5},
        {"len": 5, "off": 0},
    ]});
    assert_eq!(
        encode(&doc),
        Err((
            1,
            "crit: <stdin>: entries[1]: no \"extra\" (the chunk's 5 bytes): payload elided by --nopl: cannot encode\n"
                .into()
        ))
    );
    // The Go CRIT's placeholders ("34 B", "1.5 KB").
    let mut doc = decode_json("ipc/ipcns-sem-10.img", false);
    doc["entries"][0]["extra"] = json!("6 B");
    assert_eq!(encode(&doc), elided("entries[0].extra"));
    let mut doc = decode_json("files/pipes-data.img", false);
    doc["entries"][0]["extra"] = json!("1.5 KB");
    assert_eq!(encode(&doc), elided("entries[0].extra"));
}

#[test]
fn nopl_output_without_a_payload_in_the_image_still_encodes() {
    // SysV shm held in pagemaps: the image has no contents to lose.
    let doc = decode_json("ipc/ipcns-shm-10.img", true);
    assert_eq!(doc["entries"][0]["extra"], json!("... <8KB>"));
    assert!(encode(&doc).unwrap() == corpus_file("ipc/ipcns-shm-10.img"));
    // Images without payloads decode the same with --nopl.
    let doc = decode_json("net/files.img", true);
    assert!(encode(&doc).unwrap() == corpus_file("net/files.img"));
}

#[test]
fn a_failed_encode_leaves_no_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out_path = tmp.path().join("sk-queues.img");
    fs::write(&out_path, b"previous").unwrap();
    let doc = decode_json("net/sk-queues.img", true);
    let out = crit_stdin(
        &["encode", "-o", out_path.to_str().unwrap()],
        doc.to_string().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read(&out_path).unwrap(), b"previous");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

fn lower_camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        match c {
            '_' => up = true,
            c if up => {
                out.extend(c.to_uppercase());
                up = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// Protobuf's JSON names for every key, as the Go CRIT writes them.
fn camel_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (lower_camel(k), camel_keys(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(camel_keys).collect()),
        v => v.clone(),
    }
}

/// The net checkpoint's FILES entry for the unix socket bound to a path.
fn bound_socket_entry() -> Value {
    let doc = decode_json("net/files.img", false);
    let entry = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["usk"]["name"] == json!("/tmp/crit-net.sock=00"))
        .expect("the bound unix socket")
        .clone();
    entry
}

fn usk_name(image: &[u8]) -> Vec<u8> {
    // Magic (4), FILES magic (4), then one size-prefixed entry.
    let size = u32::from_le_bytes(image[8..12].try_into().unwrap()) as usize;
    let entry = FileEntry::decode(&image[12..12 + size]).unwrap();
    entry.usk.unwrap().name
}

#[test]
fn go_unix_socket_names_are_base64() {
    let python = bound_socket_entry();
    let want = encode(&json!({"magic": "FILES", "entries": [python.clone()]})).unwrap();
    assert_eq!(usk_name(&want), b"/tmp/crit-net.sock\0");

    // The Go CRIT: lowerCamelCase keys, the name's bytes in base64.
    let mut go = camel_keys(&python);
    go["usk"]["name"] = json!("L3RtcC9jcml0LW5ldC5zb2NrAA==");
    assert!(go["usk"]["fown"].get("pidType").is_some());
    let got = encode(&json!({"magic": "FILES", "entries": [go.clone()]})).unwrap();
    assert!(got == want, "the Go form gives other bytes");

    // An abstract name (leading NUL) and one that is plain base64 text.
    for (name, go_text) in [(&b"\0crit-abstract"[..], "AGNyaXQtYWJzdHJhY3Q="), (b"abcd", "YWJjZA==")] {
        go["usk"]["name"] = json!(go_text);
        let img = encode(&json!({"magic": "FILES", "entries": [go.clone()]})).unwrap();
        assert_eq!(usk_name(&img), name);
    }
    // The same text in Python's dialect is quoted-printable, where it stands for itself.
    let mut py = python.clone();
    py["usk"]["name"] = json!("YWJjZA==");
    let img = encode(&json!({"magic": "FILES", "entries": [py]})).unwrap();
    assert_eq!(usk_name(&img), b"YWJjZA==");
    // Go's base64 that is not base64 says so, naming the field.
    go["usk"]["name"] = json!("/tmp/crit-net.sock=00");
    let (code, err) = encode(&json!({"magic": "FILES", "entries": [go]})).unwrap_err();
    assert_eq!(code, 1);
    assert!(
        err.starts_with("crit: <stdin>: entries[0].usk.name: invalid base64: "),
        "{err}"
    );
}

#[test]
fn go_leaves_out_an_empty_ghost_file() {
    // The Go CRIT writes no "extra" for empty contents; Python writes "".
    let go = json!({"magic": "GHOST_FILE", "entries": [
        {"uid": 0, "gid": 0, "mode": 33152, "atim": {"tvSec": "1", "tvUsec": "2"}},
    ]});
    let mut python = json!({"magic": "GHOST_FILE", "entries": [
        {"uid": 0, "gid": 0, "mode": 33152, "atim": {"tv_sec": 1, "tv_usec": 2}, "extra": ""},
    ]});
    let want = encode(&python).unwrap();
    assert!(encode(&go).unwrap() == want);
    // Python's without it: the contents were elided.
    python["entries"][0].as_object_mut().unwrap().remove("extra");
    assert_eq!(
        encode(&python),
        Err((
            1,
            "crit: <stdin>: entries[0]: no \"extra\" (the file's contents): payload elided by --nopl: cannot encode\n"
                .into()
        ))
    );
}

#[test]
fn go_semaphore_values_are_a_string() {
    // The ipc checkpoint's semaphore set: key 0x2345, values 1, 2, 3.
    let want = corpus_file("ipc/ipcns-sem-10.img");
    let go = json!({"magic": "IPCNS_SEM", "entries": [{
        "desc": {"key": 9029, "uid": 0, "gid": 0, "cuid": 0, "cgid": 0, "mode": 384, "id": 0},
        "nsems": 3,
        "extra": "[1,2,3]",
    }]});
    assert!(encode(&go).unwrap() == want);
    let mut python = go.clone();
    python["entries"][0]["extra"] = json!([1, 2, 3]);
    assert!(encode(&python).unwrap() == want);
    // A string that does not hold a list is refused as before.
    let mut bad = go;
    bad["entries"][0]["extra"] = json!("1,2,3");
    assert_eq!(
        encode(&bad),
        Err((
            1,
            "crit: <stdin>: entries[0].extra: expected a list of semaphore values\n".into()
        ))
    );
}
