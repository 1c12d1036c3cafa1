//! [`Hex`]: an address or offset as JSON and tables show it.

use serde::{Serialize, Serializer};

/// An address or offset, serialized (and displayed) as a `0x…` lowercase hex
/// string such as `"0x7f6a9ece6000"`, since 64-bit values do not fit a JSON
/// number (a double).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hex(
    /// The raw value.
    pub u64,
);

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written by hand into a stack buffer: `collect_str` goes through
        // `fmt`, and a report of 200,000 runs has hundreds of thousands.
        let mut buf = [0u8; 18];
        s.serialize_str(hex_str(self.0, &mut buf))
    }
}

/// `v` as `0x…` lowercase hex (`{:#x}`), in `buf`.
fn hex_str(mut v: u64, buf: &mut [u8; 18]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    buf[i - 2..i].copy_from_slice(b"0x");
    std::str::from_utf8(&buf[i - 2..]).expect("ASCII hex digits")
}

impl std::fmt::Display for Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_fmts_alternate_hex() {
        for v in [0, 1, 0xf, 0x10, 0x7f6a_9ece_6000, u64::MAX] {
            assert_eq!(hex_str(v, &mut [0; 18]), format!("{v:#x}"));
            assert_eq!(serde_json::to_string(&Hex(v)).unwrap(), format!("\"{v:#x}\""));
        }
    }
}
