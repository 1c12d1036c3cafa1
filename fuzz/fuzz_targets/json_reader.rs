//! Any bytes as a JSON document for the streaming pull parser that `encode`
//! reads with (`message_json::reader::JsonReader`), read value by value the generic
//! way. It must agree with serde_json on which documents are valid (bar the
//! depth limits, where ours refuses first and says so), and end in `Ok` or a
//! clean `Err`: no panic, no hang, no allocation beyond the input.
#![no_main]

use crit::message_json::reader::{JsonReader, Next, ReadError};
use libfuzzer_sys::fuzz_target;

/// Reads one value of any kind; counts the scalars seen.
fn walk<R: std::io::Read>(r: &mut JsonReader<R>, scalars: &mut u64) -> Result<(), ReadError> {
    match r.peek()? {
        Next::Object => {
            r.begin_object()?;
            let mut first = true;
            while r.next_key(&mut first)?.is_some() {
                walk(r, scalars)?;
            }
        }
        Next::Array => {
            r.begin_array()?;
            let mut first = true;
            while r.next_item(&mut first)? {
                walk(r, scalars)?;
            }
        }
        Next::String => {
            r.string_bytes()?;
            *scalars += 1;
        }
        Next::Number => {
            r.number()?;
            *scalars += 1;
        }
        Next::Bool => {
            r.bool()?;
            *scalars += 1;
        }
        Next::Null => {
            r.null()?;
            *scalars += 1;
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    // Deeper than this, recursion in `walk` itself (not the reader) is the limit.
    if data.iter().filter(|&&b| b == b'[' || b == b'{').count() > 4096 {
        return;
    }
    let mut r = JsonReader::new(data);
    let mut scalars = 0;
    let ours = walk(&mut r, &mut scalars).and_then(|()| r.end());
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    if ours.is_ok() {
        assert!(theirs.is_ok(), "we accept what serde_json refuses: {theirs:?}");
    }
    // Also the reader's own skip and capture paths.
    let mut r = JsonReader::new(data);
    let _ = r.skip_value();
    let mut r = JsonReader::new(data);
    let _ = r.capture_value();
});
