//! `encode` writes protobuf while it reads the JSON: what a whole-document
//! reader did for free (key order, repeated keys, "entries" before "magic",
//! tokens split across reads) must still come out byte for byte the same.

use crate::common;

use std::io::{self, Read};

use common::{corpus_dirs, images_of};
use crit::image::ImageReader;
use crit::image_json::{self, DecodeOptions};

fn encode(json: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image_json::encode_image(json.as_bytes(), "t.json", &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The PSTREE image of one entry with `payload`.
fn pstree(payload: &[u8]) -> Vec<u8> {
    let mut img = encode(r#"{"magic": "PSTREE", "entries": []}"#).unwrap();
    img.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    img.extend_from_slice(payload);
    img
}

/// pid 7, ppid 1, threads [7, 8]: fields 1, 2 and 5 in number order.
const PSTREE_7: &[u8] = &[0x08, 7, 0x10, 1, 0x28, 7, 0x28, 8];

#[test]
fn keys_in_any_order_write_fields_in_number_order() {
    for json in [
        r#"{"magic": "PSTREE", "entries": [{"pid": 7, "ppid": 1, "threads": [7, 8]}]}"#,
        r#"{"magic": "PSTREE", "entries": [{"threads": [7, 8], "ppid": 1, "pid": 7}]}"#,
        r#"{"entries": [{"ppid": 1, "threads": [7, 8], "pid": 7}], "magic": "PSTREE"}"#,
        // null is an absent field
        r#"{"magic": "PSTREE", "entries": [{"pgid": null, "threads": [7, 8], "pid": 7, "ppid": 1}]}"#,
        // the last of a repeated key wins, as in a JSON object read whole
        r#"{"magic": "PSTREE", "entries": [{"pid": 9, "ppid": 1, "threads": [7, 8], "pid": 7}]}"#,
        r#"{"magic": "PSTREE", "entries": [{"pid": "bad", "ppid": 1, "threads": [7, 8], "pid": 7}]}"#,
        r#"{"magic": "PSTREE", "entries": [{"pid": 7, "ppid": 1, "threads": [{"x": [1]}], "threads": [7, 8]}]}"#,
        // go-criu's names and unknown top-level keys
        r#"{"x": {"y": [1, "z"]}, "magic": "PSTREE", "entries": [{"pid": 7, "ppid": 1, "threads": [7, 8]}]}"#,
    ] {
        assert_eq!(encode(json).unwrap(), pstree(PSTREE_7), "{json}");
    }
}

#[test]
fn repeated_keys_keep_the_last_value_and_its_error() {
    let e = encode(r#"{"magic": "PSTREE", "entries": [{"pid": 7, "pid": "bad"}]}"#).unwrap_err();
    assert_eq!(e, "t.json: entries[0].pid: expected an integer, found \"bad\"");
    // One field under both its names is refused.
    let e = encode(r#"{"magic": "IDS", "entries": [{"pid_ns_id": 1, "pidNsId": 2}]}"#).unwrap_err();
    assert!(
        e.contains("pid_ns_id is given twice (as \"pid_ns_id\" and \"pidNsId\")"),
        "{e}"
    );
    // Errors deep inside a replaced value are passed over too.
    let ok = encode(
        r#"{"magic": "MM", "entries": [{"vmas": [{"start": 1, "bogus": {"a": [1, {"b": 2}]}}], "mm_start_code": 1, "vmas": []}]}"#,
    )
    .unwrap();
    let plain = encode(r#"{"magic": "MM", "entries": [{"mm_start_code": 1}]}"#).unwrap();
    assert_eq!(ok, plain);
}

/// Hands out one byte per read: every token crosses a buffer refill.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.0.split_first() {
            Some((&b, rest)) if !out.is_empty() => {
                out[0] = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn byte_at_a_time_input_round_trips_the_corpus() {
    let mut checked = 0;
    for dir in corpus_dirs() {
        for img in images_of(&dir) {
            let original = std::fs::read(&img).unwrap();
            for pretty in [false, true] {
                let mut r = ImageReader::open(&img).unwrap();
                let mut json = Vec::new();
                if image_json::decode_image(
                    &mut r,
                    &mut json,
                    DecodeOptions {
                        pretty,
                        no_payload: false,
                    },
                )
                .is_err()
                {
                    continue;
                }
                let mut again = Vec::new();
                image_json::encode_image(Trickle(&json), "t.json", &mut again).unwrap();
                assert!(again == original, "{} (pretty {pretty})", img.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "{checked}");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let json = "{\"magic\": \"PSTREE\",\n \"entries\": [{\"pid\": 1,}]}";
    let e = encode(json).unwrap_err();
    assert_eq!(e, "t.json: invalid JSON: trailing comma at line 2 column 24");
    // serde_json (which encode used to read with) says the same.
    let serde = serde_json::from_str::<serde_json::Value>(json).unwrap_err();
    assert_eq!(e, format!("t.json: invalid JSON: {serde}"));
}

/// Reads of 1 to 4093 bytes in turn.
struct Chunks<'a>(&'a [u8], usize);

impl Read for Chunks<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.1 = (self.1 * 31 + 7) % 4093 + 1;
        let n = self.1.min(out.len()).min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// Megabytes of JSON, so that buffer refills land inside keys, strings and numbers.
#[test]
fn large_documents_round_trip_through_any_read_sizes() {
    let mut json = String::from(r#"{"magic": "MM", "entries": [{"mm_start_code": 4096, "vmas": ["#);
    for i in 0..20_000u64 {
        if i > 0 {
            json.push_str(", ");
        }
        json.push_str(&format!(
            r#"{{"start": {}, "end": {}, "pgoff": {}, "shmid": 0, "prot": 3, "flags": 34, "status": 513, "fd": -1}}"#,
            0x7f00_0000_0000 + i * 8192,
            0x7f00_0000_1000 + i * 8192,
            i * 4096
        ));
    }
    json.push_str("]}]}");
    let img = encode(&json).unwrap();
    for pretty in [false, true] {
        let mut text = Vec::new();
        let mut r = ImageReader::new(img.as_slice(), "mm.img", Some(img.len() as u64)).unwrap();
        image_json::decode_image(
            &mut r,
            &mut text,
            DecodeOptions {
                pretty,
                no_payload: false,
            },
        )
        .unwrap();
        assert!(text.len() > 1_000_000);
        for start in [0, 1, 2] {
            let mut again = Vec::new();
            image_json::encode_image(Chunks(&text, start), "t.json", &mut again).unwrap();
            assert!(again == img, "pretty {pretty}, start {start}");
        }
    }
}
