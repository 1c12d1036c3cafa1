//! Broken and hostile input, made from the corpus: truncated images, absurd
//! sizes and counts, swapped magics, corrupt protobuf and wrong JSON.
//!
//! Every case runs the real binary and checks what a person sees: exit status 1
//! (2 for usage errors), one line on stderr starting `crit: ` that names the file
//! (and for image contents the entry and byte offset), no panic, and no output
//! file left behind by `-o`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crit::image::{write_entry, write_header, ImageReader};
use crit::proto;
use crit::schema::magic::{IMG_COMMON, IMG_SERVICE};
use prost::Message;

const CRIT: &str = env!("CARGO_BIN_EXE_crit");

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// Every protobuf image of the corpus (not `pages-*.img`, which is raw memory).
fn corpus_images() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in fs::read_dir(corpus()).unwrap() {
        for f in fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap();
            if !name.starts_with("pages-") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() > 100, "corpus missing");
    out
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(CRIT);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    // A backtrace must never reach the user, even with this set.
    cmd.env("RUST_BACKTRACE", "1");
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().unwrap();
    if let Some(data) = stdin {
        // The child may stop reading early (it found the error): ignore EPIPE.
        let _ = child.stdin.take().unwrap().write_all(data);
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a clean failure: `status`, one `crit: ` line naming `file` and
/// containing every `expect`, and no panic. Returns the line.
#[track_caller]
fn assert_fails(out: &Output, status: i32, file: &str, expect: &[&str]) -> String {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_eq!(out.status.code(), Some(status), "stderr: {err}");
    let line = err.strip_suffix('\n').unwrap_or_else(|| panic!("no newline: {err:?}"));
    assert!(!line.contains('\n'), "more than one line: {err}");
    assert!(
        line.starts_with(&format!("crit: {file}: ")),
        "does not name {file}: {line}"
    );
    for e in expect {
        assert!(line.contains(e), "expected {e:?} in: {line}");
    }
    line.to_string()
}

/// A scratch directory with `bytes` written as `name`, and an empty `out/`.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(name), bytes).unwrap();
        fs::create_dir(dir.path().join("out")).unwrap();
        Scratch { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }

    /// Nothing, not even a temporary `.crit-*`, may be left in `out/`.
    #[track_caller]
    fn assert_out_empty(&self) {
        let left: Vec<_> = fs::read_dir(self.dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "-o left files behind: {left:?}");
    }
}

/// Decodes `bytes` (as file `name`) with `-o`, expecting a failure; checks the
/// message and that no output file remains. Returns the message line.
#[track_caller]
fn decode_fails(name: &str, bytes: &[u8], extra_args: &[&str], expect: &[&str]) -> String {
    let s = Scratch::new(name, bytes);
    let input = s.path(name);
    let output = s.path("out/decoded.json");
    let mut args = vec!["decode", "-i", &input, "-o", &output];
    args.extend_from_slice(extra_args);
    let line = assert_fails(&run(&args, None), 1, &input, expect);
    s.assert_out_empty();
    line
}

/// Length of the magic header: two words, except for `inventory.img`.
fn header_len(bytes: &[u8]) -> usize {
    let first = u32::from_le_bytes(bytes[..4].try_into().unwrap());
    if first == IMG_COMMON || first == IMG_SERVICE {
        8
    } else {
        4
    }
}

fn entry_size(bytes: &[u8], at: usize) -> usize {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

fn magic_of(bytes: &[u8]) -> &'static str {
    ImageReader::new(bytes, "x", None).unwrap().magic()
}

#[test]
fn truncated_images() {
    for path in corpus_images() {
        let bytes = fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let h = header_len(&bytes);

        // Inside the (last) magic word.
        decode_fails(
            name,
            &bytes[..h - 2],
            &[],
            &[&format!("at byte {}: file ends inside the magic (2 of 4 bytes)", h - 2)],
        );
        if h == 8 {
            decode_fails(name, &bytes[..4], &[], &["at byte 4: file ends after the first magic"]);
        }
        if bytes.len() == h {
            continue;
        }
        // Inside the first entry's size field.
        decode_fails(
            name,
            &bytes[..h + 2],
            &[],
            &[&format!(
                "entry 0 at byte {h}: file ends inside the entry's size field (2 of 4 bytes)"
            )],
        );
        // Inside the first payload.
        let size = entry_size(&bytes, h);
        if size >= 2 {
            let cut = h + 4 + size / 2;
            decode_fails(
                name,
                &bytes[..cut],
                &[],
                &[&format!(
                    "entry 0 at byte {h}: payload of {size} bytes runs past the end of the file ({} bytes left)",
                    size / 2
                )],
            );
        }
        // One byte short: inside the last payload or extra payload. A ghost file's
        // raw contents run to the end of the file, so any length of them is whole.
        if magic_of(&bytes) != "GHOST_FILE" {
            for nopl in [&[][..], &["--nopl"][..]] {
                // (inside a payload, or inside the size field of an empty last entry)
                let line = decode_fails(name, &bytes[..bytes.len() - 1], nopl, &[" entry ", " at byte "]);
                assert!(
                    line.contains("runs past the end of the file") || line.contains("file ends inside"),
                    "{line}"
                );
            }
        }
    }
}

#[test]
fn absurd_and_off_by_one_sizes() {
    for path in corpus_images() {
        let mut bytes = fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let h = header_len(&bytes);
        if bytes.len() == h {
            continue;
        }
        let left = bytes.len() - h - 4;
        bytes[h..h + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        decode_fails(
            name,
            &bytes,
            &[],
            &[&format!(
                "entry 0 at byte {h}: payload of 4294967295 bytes runs past the end of the file ({left} bytes left)"
            )],
        );
        // From standard input the length is unknown until it ends.
        let out = run(&["decode"], Some(&bytes));
        assert_fails(
            &out,
            1,
            "<stdin>",
            &[&format!(
                "entry 0 at byte {h}: payload of 4294967295 bytes runs past the end of the input ({left} bytes left)"
            )],
        );
        // One byte more than remains.
        bytes[h..h + 4].copy_from_slice(&(left as u32 + 1).to_le_bytes());
        decode_fails(
            name,
            &bytes,
            &[],
            &[&format!(
                "payload of {} bytes runs past the end of the file ({left} bytes left)",
                left + 1
            )],
        );
    }
}

#[test]
fn swapped_magics() {
    let valid: Vec<u32> = crit::schema::magic::MAGICS
        .iter()
        .filter(|(n, _)| crit::schema::magic::layout(n).is_some() && *n != "INVENTORY")
        .map(|&(_, v)| v)
        .collect();
    for (i, path) in corpus_images().into_iter().enumerate() {
        let mut bytes = fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let h = header_len(&bytes);
        bytes[h - 4..h].copy_from_slice(&0xdead_beefu32.to_le_bytes());
        decode_fails(name, &bytes, &[], &["unknown magic 0xdeadbeef: not a CRIU image"]);
        // Another image's magic: its entries read as the wrong message. Either it
        // happens to decode, or it fails cleanly.
        if h == 8 {
            bytes[4..8].copy_from_slice(&valid[(i * 7) % valid.len()].to_le_bytes());
            let s = Scratch::new(name, &bytes);
            let out = run(
                &["decode", "--pretty", "-i", &s.path(name), "-o", &s.path("out/x.json")],
                None,
            );
            if !out.status.success() {
                assert_fails(&out, 1, &s.path(name), &[" entry "]);
                s.assert_out_empty();
            }
        }
    }
    // Raw memory and an image with no protobuf entries.
    let pages = fs::read(corpus().join("mem/pages-1.img")).unwrap();
    decode_fails(
        "pages-1.img",
        &pages[..4096],
        &[],
        &["this is a raw memory image, which has no magic"],
    );
    let mut kdat = IMG_COMMON.to_le_bytes().to_vec();
    kdat.extend_from_slice(&0x57023458u32.to_le_bytes());
    kdat.extend_from_slice(&[0; 4]);
    decode_fails(
        "kdat.img",
        &kdat,
        &[],
        &["at byte 4: KDAT images hold no protobuf entries"],
    );
    decode_fails("empty.img", &[], &[], &["at byte 0: empty file: no image magic"]);
}

fn image(magic: &str, payloads: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(&mut out, magic).unwrap();
    for p in payloads {
        write_entry(&mut out, p).unwrap();
    }
    out
}

#[test]
fn corrupt_protobuf() {
    let good = proto::PstreeEntry {
        pid: 1,
        ppid: 0,
        pgid: 1,
        sid: 1,
        threads: vec![1],
    }
    .encode_to_vec();
    let cases: &[(&[u8], &str)] = &[
        (&[0x08, 0x80], "varint runs past the end of the payload at byte 2"),
        (
            &[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
            "varint longer than 64 bits",
        ),
        (&[0x0b, 0x00], "unsupported wire type 3 for field 1 at byte 0"),
        (&[0x0f, 0x00], "unsupported wire type 7"),
        (&[0x00], "invalid field number 0 at byte 0"),
        (
            &[0x0a, 0x05, 0x00],
            "field at byte 2 claims 5 bytes, 1 left in the payload",
        ),
        (
            &[0x0a, 0x01, 0x00],
            "field pid (1) holds a length-delimited value, which does not fit its type",
        ),
        (
            &[0x0d, 0x01, 0x00],
            "field at byte 1 claims 4 bytes, 2 left in the payload",
        ),
        (&[0x2a, 0x03, 0x01, 0x80, 0x80], "varint runs past the end"),
    ];
    for (payload, expect) in cases {
        for pretty in [&[][..], &["--pretty"][..]] {
            let img = image("PSTREE", &[payload]);
            decode_fails(
                "pstree.img",
                &img,
                pretty,
                &[&format!("entry 0 at byte 8: malformed protobuf payload: {expect}")],
            );
            // The second entry: its index and offset.
            let img = image("PSTREE", &[&good, payload]);
            let at = 8 + 4 + good.len();
            decode_fails(
                "pstree.img",
                &img,
                pretty,
                &[&format!("entry 1 at byte {at}: malformed protobuf payload: {expect}")],
            );
        }
    }
    // A nested message that is not one.
    let core = image("CORE", &[&[0x08, 0x01, 0x12, 0x02, 0x0a, 0x07]]);
    decode_fails(
        "core-1.img",
        &core,
        &[],
        &["entry 0 at byte 8: malformed protobuf payload: "],
    );
}

/// The first entry of a corpus image decoded as `T`, and the bytes after it.
fn first_entry<T: Message + Default>(rel: &str) -> (T, Vec<u8>, Vec<u8>) {
    let bytes = fs::read(corpus().join(rel)).unwrap();
    let h = header_len(&bytes);
    let size = entry_size(&bytes, h);
    let msg = T::decode(&bytes[h + 4..h + 4 + size]).unwrap();
    (msg, bytes[..h].to_vec(), bytes[h + 4 + size..].to_vec())
}

fn reframe(header: &[u8], payload: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = header.to_vec();
    write_entry(&mut out, payload).unwrap();
    out.extend_from_slice(rest);
    out
}

/// Decodes with and without `--nopl`, from a file and from standard input.
#[track_caller]
fn decode_fails_every_way(name: &str, bytes: &[u8], expect: &str) {
    for nopl in [&[][..], &["--nopl"][..]] {
        decode_fails(name, bytes, nopl, &[expect]);
        let mut args = vec!["decode"];
        args.extend_from_slice(nopl);
        assert_fails(
            &run(&args, Some(bytes)),
            1,
            "<stdin>",
            &["runs past the end of the input"],
        );
    }
}

#[test]
fn absurd_counts_in_extra_payloads() {
    let (mut sem, h, rest) = first_entry::<proto::IpcSemEntry>("ipc/ipcns-sem-10.img");
    sem.nsems = u32::MAX;
    let img = reframe(&h, &sem.encode_to_vec(), &rest);
    decode_fails_every_way("ipcns-sem-10.img", &img, "semaphore values of 858993459");

    let (mut msg, h, rest) = first_entry::<proto::IpcMsgEntry>("ipc/ipcns-msg-10.img");
    msg.qnum = 1_000_000;
    let img = reframe(&h, &msg.encode_to_vec(), &rest);
    for nopl in [&[][..], &["--nopl"][..]] {
        decode_fails(
            "ipcns-msg-10.img",
            &img,
            nopl,
            &["entry 0 at byte", "message queue of 1000000 messages ends early"],
        );
    }

    let (mut shm, h, rest) = first_entry::<proto::IpcShmEntry>("ipc/ipcns-shm-10.img");
    shm.size = u64::MAX;
    shm.in_pagemaps = Some(false); // the contents follow the entry
    let img = reframe(&h, &shm.encode_to_vec(), &rest);
    decode_fails_every_way(
        "ipcns-shm-10.img",
        &img,
        "shared memory of 18446744073709551615 bytes runs past the end of the file",
    );

    let (mut pipe, h, rest) = first_entry::<proto::PipeDataEntry>("files/pipes-data.img");
    pipe.bytes = u32::MAX;
    let img = reframe(&h, &pipe.encode_to_vec(), &rest);
    decode_fails_every_way(
        "pipes-data.img",
        &img,
        "pipe data of 4294967295 bytes runs past the end of the file",
    );

    let (mut sk, h, rest) = first_entry::<proto::SkPacketEntry>("net/sk-queues.img");
    sk.length = u32::MAX;
    let img = reframe(&h, &sk.encode_to_vec(), &rest);
    decode_fails_every_way(
        "sk-queues.img",
        &img,
        "queued packet of 4294967295 bytes runs past the end of the file",
    );

    let (mut tcp, h, rest) = first_entry::<proto::TcpStreamEntry>("net/tcp-stream-71cb.img");
    tcp.inq_len = u32::MAX;
    let img = reframe(&h, &tcp.encode_to_vec(), &rest);
    decode_fails(
        "tcp-stream-71cb.img",
        &img,
        &[],
        &["in queue of 4294967295 bytes runs past the end of the file"],
    );
    decode_fails(
        "tcp-stream-71cb.img",
        &img,
        &["--nopl"],
        &["socket queues of 4294967295"],
    );
}

/// A 12-byte image that claims a 4 GiB entry must fail at once, from a file and
/// from a pipe, without allocating what it claims.
#[test]
#[ignore = "needs /usr/bin/time (Debian package time; bash .ci/deps installs it)"]
fn claimed_sizes_are_not_allocated() {
    let mut img = image("CORE", &[]);
    img.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(img.len(), 12);
    let s = Scratch::new("core-1.img", &img);
    let started = Instant::now();
    // Each run under GNU time, which reports crit's own peak resident size.
    let mut peak_kib = 0;
    let mut run = |args: &[&str], stdin: Option<&[u8]>| {
        let env = [("RUST_BACKTRACE", "1")];
        let m = crate::common::crit_measured_with(args, stdin, &env, Duration::from_secs(20));
        assert!(!m.timed_out, "crit {args:?} took more than 20 s");
        peak_kib = peak_kib.max(m.max_rss_kib);
        m.out
    };
    for _ in 0..3 {
        assert_fails(
            &run(&["decode", "-i", &s.path("core-1.img")], None),
            1,
            &s.path("core-1.img"),
            &["4294967295"],
        );
        assert_fails(&run(&["decode"], Some(&img)), 1, "<stdin>", &["4294967295"]);
        assert_fails(
            &run(&["info", &s.path("core-1.img")], None),
            1,
            &s.path("core-1.img"),
            &["4294967295"],
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    // The peak resident size of the largest of these runs.
    assert!(peak_kib < 256 * 1024, "a child peaked at {peak_kib} KiB");
}

#[test]
fn output_never_clobbers_the_input() {
    let original = fs::read(corpus().join("ipc/core-1.img")).unwrap();
    let s = Scratch::new("core-1.img", &original);
    let input = s.path("core-1.img");
    // The same file, also by another spelling of its path.
    let other_spelling = format!("{}/out/../core-1.img", s.dir.path().display());
    for out_path in [&input, &other_spelling] {
        let out = run(&["decode", "-i", &input, "-o", out_path], None);
        assert_fails(&out, 1, out_path, &["refusing to overwrite the input file"]);
        assert_eq!(fs::read(&input).unwrap(), original);
    }
    // encode, with the JSON as both input and output.
    let json = run(&["decode", "-i", &input], None).stdout;
    fs::write(s.path("core.json"), &json).unwrap();
    let out = run(
        &["encode", "-i", &s.path("core.json"), "-o", &s.path("core.json")],
        None,
    );
    assert_fails(&out, 1, &s.path("core.json"), &["refusing to overwrite the input file"]);
    assert_eq!(fs::read(s.path("core.json")).unwrap(), json);
    s.assert_out_empty();
}

#[test]
fn output_replaces_only_on_success() {
    // A failing run must leave an existing output file as it was.
    let s = Scratch::new("bad.img", &[0x19, 0x43]);
    fs::write(s.path("out/keep.json"), b"old").unwrap();
    let out = run(
        &["decode", "-i", &s.path("bad.img"), "-o", &s.path("out/keep.json")],
        None,
    );
    assert_fails(&out, 1, &s.path("bad.img"), &["magic"]);
    assert_eq!(fs::read(s.path("out/keep.json")).unwrap(), b"old");
    let names: Vec<_> = fs::read_dir(s.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["keep.json"]);
}

/// Encodes `json` (as file `name`) with `-o`, expecting a failure.
#[track_caller]
fn encode_fails(json: &[u8], expect: &[&str]) -> String {
    let s = Scratch::new("in.json", json);
    let input = s.path("in.json");
    let out = run(&["encode", "-i", &input, "-o", &s.path("out/x.img")], None);
    let line = assert_fails(&out, 1, &input, expect);
    s.assert_out_empty();
    // The same from standard input.
    assert_fails(&run(&["encode"], Some(json)), 1, "<stdin>", expect);
    line
}

#[test]
fn wrong_json_for_encode() {
    // Nesting deep enough to overflow the stack of a naive recursive reader.
    let deep = format!(
        r#"{{"magic": "PSTREE", "entries": [{{"pid": {}{}}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "invalid JSON: expected ident at line 1 column 2"),
        ("{".into(), "invalid JSON: EOF while parsing an object"),
        ("".into(), "invalid JSON: EOF while parsing"),
        ("[]".into(), "invalid JSON: invalid type: sequence"),
        (r#"{"magic": "PSTREE"}"#.into(), "the document has no \"entries\""),
        (r#"{"entries": []}"#.into(), "the document has no \"magic\""),
        (r#"{"magic": "NOPE", "entries": []}"#.into(), "unknown magic \"NOPE\""),
        (r#"{"magic": "KDAT", "entries": []}"#.into(), "KDAT images hold no protobuf entries"),
        (r#"{"magic": 5, "entries": []}"#.into(), "invalid JSON: invalid type: integer `5`"),
        (r#"{"magic": "PSTREE", "magic": "PSTREE", "entries": []}"#.into(), "\"magic\" given twice"),
        (r#"{"magic": "PSTREE", "entries": [], "entries": []}"#.into(), "\"entries\" given twice"),
        (r#"{"magic": "PSTREE", "entries": 5}"#.into(), "invalid JSON: invalid type: integer `5`, expected a list of entries"),
        (r#"{"magic": "PSTREE", "entries": [5]}"#.into(), "entries[0]: expected an object for pstree_entry, found 5"),
        (r#"{"magic": "PSTREE", "entries": [{"pid": "abc"}]}"#.into(), "entries[0].pid: expected an integer, found \"abc\""),
        (r#"{"magic": "PSTREE", "entries": [{"pid": 1.5}]}"#.into(), "entries[0].pid: expected an integer, found 1.5"),
        (r#"{"magic": "PSTREE", "entries": [{"pid": 4294967296}]}"#.into(), "entries[0].pid: 4294967296 is out of range"),
        (r#"{"magic": "PSTREE", "entries": [{"pid": -1}]}"#.into(), "entries[0].pid: -1 is out of range"),
        // Once a panic (negating i128::MIN); regressions/encode-double-sign-i128-min.json
        (
            r#"{"magic": "PSTREE", "entries": [{"pid": "--170141183460469231731687303715884105728"}]}"#.into(),
            "entries[0].pid: expected an integer, found \"--170141183460469231731687303715884105728\"",
        ),
        (r#"{"magic": "PSTREE", "entries": [{"pid": 1, "bogus": 1}]}"#.into(), "entries[0]: pstree_entry has no field \"bogus\""),
        (r#"{"magic": "PSTREE", "entries": [{"threads": 1}]}"#.into(), "entries[0].threads: expected a list, found 1"),
        (r#"{"entries": [{"pid": "x"}], "magic": "PSTREE"}"#.into(), "entries[0].pid: expected an integer"),
        (r#"{"magic": "PSTREE", "entries": [{"pid": 1}"#.into(), "invalid JSON: EOF while parsing"),
        (r#"{"magic": "PSTREE", "entries": [{"_unknown_fields": "!!"}]}"#.into(), "entries[0]._unknown_fields: invalid base64"),
        (r#"{"magic": "PSTREE", "entries": [{"_unknown_fields": "CAE="}]}"#.into(), "holds field 1, which is pstree_entry.pid"),
        (r#"{"magic": "PSTREE", "entries": [{"_unknown_fields": "qgY="}]}"#.into(), "_unknown_fields: malformed protobuf fields"),
        (r#"{"magic": "PIPES_DATA", "entries": [{"pipe_id": 1, "bytes": 3, "extra": "!!"}]}"#.into(), "entries[0].extra: invalid base64"),
        (r#"{"magic": "PIPES_DATA", "entries": [{"pipe_id": 1, "bytes": 10, "extra": "YWJj"}]}"#.into(), "entries[0].extra: holds 3 bytes, but the entry's bytes is 10"),
        (r#"{"magic": "PIPES_DATA", "entries": [{"pipe_id": 1, "bytes": 3}]}"#.into(), "holds 0 bytes, but the entry's bytes is 3"),
        (r#"{"magic": "IPCNS_SEM", "entries": [{"desc": {"key": 1, "uid": 0, "gid": 0, "cuid": 0, "cgid": 0, "mode": 0, "id": 0}, "nsems": 2, "extra": [1]}]}"#.into(), "entries[0].extra: 1 values for nsems 2"),
        (r#"{"magic": "IPCNS_SEM", "entries": [{"desc": {"key": 1, "uid": 0, "gid": 0, "cuid": 0, "cgid": 0, "mode": 0, "id": 0}, "nsems": 1, "extra": [70000]}]}"#.into(), "entries[0].extra[0]: 70000 is not a 16-bit semaphore value"),
        (r#"{"magic": "IPCNS_MSG", "entries": [{"desc": {"key": 1, "uid": 0, "gid": 0, "cuid": 0, "cgid": 0, "mode": 0, "id": 0}, "qbytes": 0, "qnum": 2, "extra": []}]}"#.into(), "entries[0].extra: 0 messages for qnum 2"),
        (r#"{"magic": "GHOST_FILE", "entries": [{"uid": 0, "gid": 0, "mode": 0, "extra": ""}, {"len": 0, "off": 0}]}"#.into(), "a ghost file without chunks has only its head entry"),
        (r#"{"magic": "GHOST_FILE", "entries": [{"uid": 0, "gid": 0, "mode": 0}]}"#.into(), "entries[0]: no \"extra\" (the file's contents): payload elided by --nopl"),
        (deep, "invalid JSON: recursion limit exceeded"),
    ];
    for (json, expect) in cases {
        encode_fails(json.as_bytes(), &[expect]);
    }
    // Truncated real JSON.
    let json = run(
        &["decode", "-i", corpus().join("ipc/core-1.img").to_str().unwrap()],
        None,
    )
    .stdout;
    for cut in [1, json.len() / 3, json.len() - 2] {
        encode_fails(&json[..cut], &["invalid JSON: EOF while parsing"]);
    }
}

#[test]
fn missing_files_name_the_file() {
    let s = Scratch::new("x", b"");
    let missing = s.path("nope.img");
    for args in [
        vec!["decode", "-i", &missing],
        vec!["encode", "-i", &missing],
        vec!["info", &missing],
        vec!["show", &missing],
    ] {
        assert_fails(&run(&args, None), 1, &missing, &["No such file or directory"]);
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["decode", "--bogus"],
        &["nonsense"],
        &["info"],
        &["decode", "-i"],
    ] {
        let out = run(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn help_documents_exit_statuses() {
    let out = run(&["--help"], None);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for line in ["0  success", "1  bad input", "2  usage"] {
        assert!(help.contains(line), "--help lacks {line:?}:\n{help}");
    }
}

#[test]
fn verbose_adds_causes_not_backtraces() {
    let s = Scratch::new("x", b"");
    let missing = s.path("nope.img");
    let out = run(&["decode", "--verbose", "-i", &missing], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(
        lines[0],
        format!("crit: {missing}: No such file or directory (os error 2)")
    );
    assert_eq!(lines[1..], ["  caused by: No such file or directory (os error 2)"]);
    assert!(!err.contains("backtrace"), "{err}");
}

/// Inputs that once crashed or misbehaved (found by fuzzing or review), kept as
/// files: each must decode or encode to a clean result, never a panic.
#[test]
fn regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions");
    let mut seen = 0;
    for f in fs::read_dir(&dir).unwrap() {
        let path = f.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let data = fs::read(&path).unwrap();
        let args: Vec<Vec<&str>> = if name.starts_with("encode-") {
            vec![vec!["encode"]]
        } else {
            vec![
                vec!["decode"],
                vec!["decode", "--pretty"],
                vec!["decode", "--nopl"],
                vec!["decode", "--pretty", "--nopl"],
            ]
        };
        for a in args {
            let out = run(&a, Some(&data));
            let err = stderr(&out);
            assert!(!err.contains("panicked"), "{name} {a:?}: {err}");
            if !out.status.success() {
                assert_fails(&out, 1, "<stdin>", &[]);
            }
        }
        seen += 1;
    }
    assert!(seen > 0);
}

/// `cgroup_dir_entry` nests in itself: a hostile image can nest it deep enough to
/// overflow the stack (regressions/decode-cgroup-dirs-nested-30000-deep.img).
/// Decoding allows 60 levels, all that `encode` reads back, and refuses more.
#[test]
fn nesting_depth_is_bounded() {
    fn len_field(number: u32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        crit::wire::put_tag(&mut out, number, crit::wire::LEN);
        crit::wire::put_varint(&mut out, data.len() as u64);
        out.extend_from_slice(data);
        out
    }
    // cgroup_entry.controllers[0].dirs[0].children[0]… `dirs` levels deep.
    let nested = |dirs: usize| {
        let mut d = Vec::new();
        for _ in 0..dirs {
            d = len_field(2, &d);
        }
        image("CGROUP", &[&len_field(2, &d)])
    };
    // The entry, its controller, then dirs: 59 dirs are 60 levels below the entry.
    let ok = nested(59);
    let out = run(&["decode"], Some(&ok));
    assert!(out.status.success(), "{}", stderr(&out));
    let back = run(&["encode"], Some(&out.stdout));
    assert!(back.status.success() && back.stdout == ok, "{}", stderr(&back));
    for pretty in [&[][..], &["--pretty"][..]] {
        decode_fails(
            "cgroup.img",
            &nested(60),
            pretty,
            &["entry 0 at byte 8: malformed protobuf payload: messages nested more than 60 deep"],
        );
    }
}
