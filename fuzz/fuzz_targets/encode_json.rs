//! Any bytes as JSON for `encode`. Besides never panicking, whatever `encode`
//! accepts must be an image `decode` reads back, and that decodes to JSON which
//! encodes to the very same bytes.
#![no_main]

use crit::image_json::{decode_image, encode_image, DecodeOptions};
use crit::image::ImageReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut image = Vec::new();
    if encode_image(data, "fuzz.json", &mut image).is_err() {
        return;
    }
    for pretty in [false, true] {
        let mut r = ImageReader::new(image.as_slice(), "encoded.img", Some(image.len() as u64))
            .expect("encode wrote a bad magic");
        let mut json = Vec::new();
        if let Err(e) = decode_image(
            &mut r,
            &mut json,
            DecodeOptions {
                pretty,
                no_payload: false,
            },
        ) {
            panic!("encode wrote an image decode rejects: {e}");
        }
        let mut again = Vec::new();
        if let Err(e) = encode_image(json.as_slice(), "decoded.json", &mut again) {
            panic!("decode wrote JSON encode rejects: {e}");
        }
        assert!(
            again == image,
            "decode → encode changed the image (pretty: {pretty})"
        );
    }
});
