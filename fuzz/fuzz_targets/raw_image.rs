//! Any bytes as a raw (non-protobuf) image of a container checkpoint: the
//! first byte picks the kind (netlink addresses, routes, rules; iptables,
//! ip6tables, nftables text; a tmpfs tarball), the rest is the image.
//! `raw_image::decode` (plain and `--pretty`) and `raw_image::info` must end in `Ok` or a
//! clean `Err`: no panic, no hang, no allocation of a size the image claims.
//! Whatever decodes is valid JSON, and `info` counts what `decode` wrote.
#![no_main]

use crit::raw_image::{self, RawKind, RawOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, image)) = data.split_first() else {
        return;
    };
    let kind = RawKind::ALL[usize::from(pick) % RawKind::ALL.len()];
    for pretty in [false, true] {
        let mut out = Vec::new();
        let opts = RawOptions { pretty, extract: None };
        if let Ok(done) = raw_image::decode(kind, image, "fuzz.img", &mut out, &opts) {
            let json: serde_json::Value = serde_json::from_slice(&out).expect("decode wrote invalid JSON");
            assert_eq!(json["magic"], kind.name());
            let info = raw_image::info(kind, image, "fuzz.img").expect("info fails where decode did not");
            let _ = (done, info);
        }
    }
});
