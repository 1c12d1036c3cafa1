//! Bytes as lowercase hex, two digits each, no separator (`7f454c46`): the
//! one hex form of raw bytes, wherever crit writes them (netlink attributes,
//! ELF build-ids, `diff --hex` in JSON, `mem read --format json`, the digits
//! of `mem read`'s hexdump).
//!
//! ```
//! assert_eq!(crit::hex::encode(b"\x7fELF"), "7f454c46");
//! let mut out = b"0x".to_vec();
//! crit::hex::encode_into(&mut out, &[0, 255]);
//! assert_eq!(out, b"0x00ff");
//! ```

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `b` as two lowercase hex digits.
#[inline]
pub fn digits(b: u8) -> [u8; 2] {
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]
}

/// The lowercase hex digit of a nibble (`n` below 16).
#[inline]
pub fn digit(n: u8) -> u8 {
    DIGITS[usize::from(n & 15)]
}

/// Appends `data` as lowercase hex.
pub fn encode_into(out: &mut Vec<u8>, data: &[u8]) {
    out.reserve(data.len() * 2);
    for &b in data {
        out.extend_from_slice(&digits(b));
    }
}

/// `data` as lowercase hex.
pub fn encode(data: &[u8]) -> String {
    let mut out = Vec::with_capacity(data.len() * 2);
    encode_into(&mut out, data);
    // Only ASCII digits were written.
    String::from_utf8(out).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_is_two_lowercase_digits() {
        for b in 0..=255u8 {
            let s = encode(&[b]);
            assert_eq!(s, format!("{b:02x}"));
            assert_eq!(digits(b), *<&[u8; 2]>::try_from(s.as_bytes()).unwrap());
            assert_eq!(char::from(digit(b)), format!("{:x}", b & 15).chars().next().unwrap());
        }
        assert_eq!(encode(b""), "");
    }
}
