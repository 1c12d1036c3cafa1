//! Any bytes as an image of any magic: decoding must end in `Ok` or a clean
//! `Err`, never a panic, a hang or an allocation the input merely claims. And
//! JSON that `decode` writes, `encode` must take back: image → JSON → image →
//! JSON gives the same JSON (the bytes may differ: input need not be canonical).
#![no_main]

use crit::image_json::{decode_image, encode_image, image_info, DecodeOptions};
use crit::image::ImageReader;
use libfuzzer_sys::fuzz_target;

fn decode(data: &[u8], len: Option<u64>, opts: DecodeOptions) -> Option<Vec<u8>> {
    let mut r = ImageReader::new(data, "fuzz.img", len).ok()?;
    let mut json = Vec::new();
    decode_image(&mut r, &mut json, opts).ok()?;
    Some(json)
}

fuzz_target!(|data: &[u8]| {
    // With the length known (a file) and unknown (standard input): the two
    // take different paths when a size runs past the end.
    for len in [Some(data.len() as u64), None] {
        for pretty in [false, true] {
            for no_payload in [false, true] {
                let opts = DecodeOptions { pretty, no_payload };
                let Some(json) = decode(data, len, opts) else {
                    continue;
                };
                if no_payload || len.is_none() {
                    continue;
                }
                let mut image = Vec::new();
                if let Err(e) = encode_image(json.as_slice(), "decoded.json", &mut image) {
                    panic!("encode rejects what decode wrote: {e}");
                }
                let again =
                    decode(&image, Some(image.len() as u64), opts).expect("decode of encode");
                assert!(
                    again == json,
                    "image → JSON → image → JSON changed the JSON (pretty: {pretty})"
                );
            }
        }
        if let Ok(mut r) = ImageReader::new(data, "fuzz.img", len) {
            let _ = image_info(&mut r);
        }
    }
});
