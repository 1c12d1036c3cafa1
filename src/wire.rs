//! Protobuf wire-format primitives: varints, tags and the four wire types CRIU uses.

/// A malformed protobuf payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WireError {}

/// Wire type 0: a varint.
pub const VARINT: u8 = 0;
/// Wire type 1: eight little-endian bytes.
pub const I64: u8 = 1;
/// Wire type 2: a length, then that many bytes.
pub const LEN: u8 = 2;
/// Wire type 5: four little-endian bytes.
pub const I32: u8 = 5;

/// One field occurrence on the wire.
#[derive(Debug, Clone, Copy)]
pub enum WireValue<'a> {
    /// A varint's value.
    Varint(u64),
    /// Eight fixed bytes.
    I64(u64),
    /// Length-delimited bytes.
    Len(&'a [u8]),
    /// Four fixed bytes.
    I32(u32),
}

/// A field occurrence with where it sits in the message (for unknown fields,
/// which are kept as their raw bytes).
#[derive(Debug, Clone, Copy)]
pub struct WireField<'a> {
    /// The field number.
    pub number: u32,
    /// Its value.
    pub value: WireValue<'a>,
    /// Offset of its tag in the payload.
    pub start: usize,
    /// Offset just past its value.
    pub end: usize,
}

/// Reads a varint at `*pos`, advancing it.
#[inline]
pub(crate) fn read_varint(buf: &[u8], pos: &mut usize) -> Result<u64, WireError> {
    // Most varints in CRIU images are a byte or two: take those first.
    if let Some(&b) = buf.get(*pos) {
        if b < 0x80 {
            *pos += 1;
            return Ok(u64::from(b));
        }
    }
    // Addresses are six-byte varints: with ten bytes in hand, no bounds checks.
    if let Some(b) = buf.get(*pos..*pos + 10) {
        let mut value = 0u64;
        for (i, &byte) in b.iter().enumerate() {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                if i == 9 && byte > 1 {
                    break; // too long: the slow path says so
                }
                *pos += i + 1;
                return Ok(value);
            }
        }
    }
    read_varint_slow(buf, pos)
}

fn read_varint_slow(buf: &[u8], pos: &mut usize) -> Result<u64, WireError> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let Some(&b) = buf.get(*pos) else {
            return Err(WireError(format!(
                "varint runs past the end of the payload at byte {}",
                *pos
            )));
        };
        *pos += 1;
        if shift == 63 && b > 1 {
            return Err(WireError(format!("varint longer than 64 bits at byte {}", *pos - 1)));
        }
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err(WireError(format!("varint longer than 10 bytes at byte {}", *pos)));
        }
    }
}

/// Iterates the fields of one message payload.
pub struct FieldIter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> FieldIter<'a> {
    /// Iterates the fields of `buf`, one message's payload.
    pub fn new(buf: &'a [u8]) -> Self {
        FieldIter { buf, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let left = self.buf.len() - self.pos;
        if n > left {
            return Err(WireError(format!(
                "field at byte {} claims {} bytes, {} left in the payload",
                self.pos, n, left
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn next_field(&mut self) -> Result<WireField<'a>, WireError> {
        let start = self.pos;
        let tag = read_varint(self.buf, &mut self.pos)?;
        let number = tag >> 3;
        if number == 0 || number > 0x1fff_ffff {
            return Err(WireError(format!("invalid field number {number} at byte {start}")));
        }
        let value = match (tag & 7) as u8 {
            VARINT => WireValue::Varint(read_varint(self.buf, &mut self.pos)?),
            I64 => WireValue::I64(u64::from_le_bytes(self.take(8)?.try_into().unwrap())),
            I32 => WireValue::I32(u32::from_le_bytes(self.take(4)?.try_into().unwrap())),
            LEN => {
                let n = read_varint(self.buf, &mut self.pos)?;
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                WireValue::Len(self.take(n)?)
            }
            t => {
                return Err(WireError(format!(
                    "unsupported wire type {t} for field {number} at byte {start}"
                )))
            }
        };
        Ok(WireField {
            number: number as u32,
            value,
            start,
            end: self.pos,
        })
    }
}

impl<'a> Iterator for FieldIter<'a> {
    type Item = Result<WireField<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let r = self.next_field();
        if r.is_err() {
            self.pos = self.buf.len();
        }
        Some(r)
    }
}

#[inline]
/// Appends a varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
/// Appends a field tag.
pub fn put_tag(out: &mut Vec<u8>, number: u32, wire_type: u8) {
    put_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// `sint32` encoding.
pub fn zigzag32(v: i32) -> u64 {
    u64::from(((v << 1) ^ (v >> 31)) as u32)
}

/// `sint64` encoding.
pub fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// `sint32` decoding.
pub(crate) fn unzigzag32(v: u64) -> i32 {
    let v = v as u32;
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

/// `sint64` decoding.
pub(crate) fn unzigzag64(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let mut pos = 0;
            assert_eq!(read_varint(&b, &mut pos).unwrap(), v);
            assert_eq!(pos, b.len());
        }
    }

    #[test]
    fn varints_with_ten_bytes_in_hand() {
        for v in [0u64, 1, 127, 128, 300, 0x7f12_3456_7000, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let n = b.len();
            b.extend_from_slice(&[0xff; 10]);
            let mut pos = 0;
            assert_eq!(read_varint(&b, &mut pos).unwrap(), v);
            assert_eq!(pos, n);
        }
        // Eleven bytes, and a tenth byte past 64 bits: errors, with or without bytes after.
        for bad in [
            &[0xff; 11][..],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0],
        ] {
            let mut pos = 0;
            assert!(read_varint(bad, &mut pos).is_err());
        }
    }

    #[test]
    fn truncated_varint_is_an_error() {
        let mut pos = 0;
        assert!(read_varint(&[0x80, 0x80], &mut pos).is_err());
    }

    #[test]
    fn zigzag() {
        for v in [0i32, -1, 1, i32::MIN, i32::MAX] {
            assert_eq!(unzigzag32(zigzag32(v)), v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag64(zigzag64(v)), v);
        }
    }

    #[test]
    fn length_past_end_is_an_error() {
        // field 1, LEN, claims 5 bytes, has 1
        let r: Vec<_> = FieldIter::new(&[0x0a, 0x05, 0x00]).collect();
        assert!(r[0].is_err());
    }
}
