//! `info` counts entries from their size fields without decoding them: its
//! count must be the number of entries `decode` writes, on every image.

use crate::common;

use common::{corpus_dirs, images_of};
use crit::image::ImageReader;
use crit::image_json::{self, DecodeOptions};
use crit::schema::magic::Layout;

#[test]
fn info_counts_what_decode_writes() {
    let mut checked = 0;
    for dir in corpus_dirs() {
        for img in images_of(&dir) {
            let Ok(mut r) = ImageReader::open(&img) else { continue };
            let info = image_json::image_info(&mut r).unwrap();
            let mut r = ImageReader::open(&img).unwrap();
            let opts = DecodeOptions {
                pretty: false,
                no_payload: true,
            };
            let written = image_json::decode_image(&mut r, std::io::sink(), opts).unwrap();
            let expected = if r.layout() == Layout::Pagemap {
                written - 1
            } else {
                written
            };
            assert_eq!(info.count, expected, "{}", img.display());
            checked += 1;
        }
    }
    assert!(checked > 130, "{checked}");
}

#[test]
fn info_still_finds_truncated_payloads() {
    let img = common::fixtures().join("corpus/mem/core-20931.img");
    let bytes = std::fs::read(img).unwrap();
    let cut = &bytes[..bytes.len() - 1];
    let mut r = ImageReader::new(cut, "core.img", Some(cut.len() as u64)).unwrap();
    let e = image_json::image_info(&mut r).unwrap_err().to_string();
    let size = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
    let left = cut.len() - 12;
    assert_eq!(
        e,
        format!(
            "core.img: entry 0 at byte 8: payload of {size} bytes runs past the end of the file ({left} bytes left)"
        )
    );
}
