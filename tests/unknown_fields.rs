//! Images from a newer CRIU carry fields our schema does not know. `decode`
//! keeps them (raw wire bytes, base64, under `_unknown_fields`) and `encode`
//! writes them back, so the round trip stays byte-identical — also when the
//! unknown fields sit inside nested messages.

use crate::common;

use std::fs;
use std::path::Path;

use crit::image::{write_entry, write_header, ImageReader};
use crit::image_json::encode_image;
use crit::schema::magic::{Extra, Layout};
use crit::schema::{Kind, MessageId, Schema};
use crit::wire::{put_tag, put_varint, FieldIter, WireValue, I32, I64, LEN, VARINT};

/// Fields of every wire type, numbered far above anything CRIU uses.
fn unknown_tail(msg: MessageId) -> Vec<u8> {
    let m = &Schema::get().messages[msg];
    let mut out = Vec::new();
    for n in 1000..1004 {
        assert!(m.field_by_number(n).is_none(), "{} knows field {n}", m.name);
    }
    put_tag(&mut out, 1000, VARINT);
    put_varint(&mut out, 300);
    put_tag(&mut out, 1001, LEN);
    put_varint(&mut out, 5);
    out.extend_from_slice(b"newer");
    put_tag(&mut out, 1002, I32);
    out.extend_from_slice(&7u32.to_le_bytes());
    put_tag(&mut out, 1003, I64);
    out.extend_from_slice(&u64::MAX.to_le_bytes());
    out
}

/// `payload` with unknown fields appended to it and, recursively, to every
/// nested message it holds.
fn add_unknown(msg: MessageId, payload: &[u8]) -> Vec<u8> {
    let m = &Schema::get().messages[msg];
    let mut out = Vec::new();
    for f in FieldIter::new(payload) {
        let f = f.unwrap();
        match (m.field_by_number(f.number).map(|x| x.kind), f.value) {
            (Some(Kind::Message(sub)), WireValue::Len(data)) => {
                let inner = add_unknown(sub, data);
                put_tag(&mut out, f.number, LEN);
                put_varint(&mut out, inner.len() as u64);
                out.extend_from_slice(&inner);
            }
            _ => out.extend_from_slice(&payload[f.start..f.end]),
        }
    }
    out.extend_from_slice(&unknown_tail(msg));
    out
}

fn decode(image: &[u8], pretty: bool) -> String {
    String::from_utf8(common::decode_bytes(image, pretty).unwrap()).unwrap()
}

fn assert_round_trip(name: &str, image: &[u8], nested: bool) {
    for pretty in [false, true] {
        let json = decode(image, pretty);
        // At the top level, and inside a nested message too when there is one.
        let kept = json.matches("_unknown_fields").count();
        let want = if nested { 2 } else { 1 };
        assert!(kept >= want, "{name}: unknown fields not kept ({kept}):\n{json}");
        let mut again = Vec::new();
        encode_image(json.as_bytes(), "test.json", &mut again).unwrap();
        assert!(
            again == image,
            "{name} (pretty: {pretty}): encode did not write the same bytes"
        );
    }
}

/// Every corpus image whose entries carry no extra payload, each entry given
/// unknown fields at every level.
#[test]
fn corpus_entries_with_unknown_fields_round_trip() {
    let schema = Schema::get();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut tested = 0;
    let mut nested_seen = 0;
    for dir in fs::read_dir(&corpus).unwrap() {
        for file in fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let data = fs::read(&path).unwrap();
            let Ok(mut r) = ImageReader::new(data.as_slice(), "x", Some(data.len() as u64)) else {
                continue;
            };
            let layout = r.layout();
            let messages = |index: usize| match layout {
                Layout::Entries {
                    message,
                    extra: Extra::None,
                } => Some(message),
                Layout::Pagemap => Some(if index == 0 { "pagemap_head" } else { "pagemap_entry" }),
                _ => None,
            };
            if messages(0).is_none() {
                continue;
            }
            let mut out = Vec::new();
            write_header(&mut out, r.magic()).unwrap();
            let mut buf = Vec::new();
            let mut index = 0;
            let mut nested = false;
            while r.next_payload(&mut buf).unwrap() {
                let id = schema.message_id(messages(index).unwrap()).unwrap();
                let grown = add_unknown(id, &buf);
                nested |= grown.len() > buf.len() + unknown_tail(id).len();
                write_entry(&mut out, &grown).unwrap();
                r.finish_entry();
                index += 1;
            }
            let name = path.display().to_string();
            assert_round_trip(&name, &out, nested);
            tested += 1;
            nested_seen += usize::from(nested);
        }
    }
    assert!(tested > 80, "only {tested} images");
    assert!(nested_seen > 10, "only {nested_seen} images with nested messages");
}

/// An entry with an extra payload (pipe data) keeps both.
#[test]
fn unknown_fields_beside_an_extra_payload() {
    use prost::Message;
    let id = Schema::get().message_id("pipe_data_entry").unwrap();
    let data = b"queued pipe bytes";
    let entry = crit::proto::PipeDataEntry {
        pipe_id: 7,
        bytes: data.len() as u32,
        size: Some(4096),
    };
    let mut image = Vec::new();
    write_header(&mut image, "PIPES_DATA").unwrap();
    write_entry(&mut image, &add_unknown(id, &entry.encode_to_vec())).unwrap();
    image.extend_from_slice(data);
    assert_round_trip("pipes-data", &image, false);
}
