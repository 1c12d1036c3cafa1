//! `crit mem read`'s hexdump: `xxd` lines (address, 16 bytes in pairs,
//! ASCII), with repeated lines folded into `*` as `hexdump -C` does (bytes
//! compared, not the printable column). Built from lookup tables into a line
//! buffer: no formatting machinery per byte, so it keeps up with `xxd`.

use std::io::{self, Write};

use crit::hex::{digit, digits};

/// Writes a hexdump of consecutive chunks; lines are counted from the first
/// address, so chunks must be whole lines (multiples of 16) but the last.
pub struct Hexdump {
    /// Digits of the address column (at least 8).
    width: usize,
    /// The last line written, to fold repeats.
    prev: Option<[u8; 16]>,
    /// The address of the last line folded away, while folding.
    folded: Option<u64>,
    line: Vec<u8>,
}

impl Hexdump {
    /// A hexdump whose highest address is below `end`.
    pub fn new(end: u64) -> Self {
        let width = (64 - end.leading_zeros() as usize).div_ceil(4).max(8);
        Hexdump {
            width,
            prev: None,
            folded: None,
            line: Vec::with_capacity(width + 60),
        }
    }

    /// Dumps `data`, read at `addr`.
    pub fn write(&mut self, out: &mut (impl Write + ?Sized), addr: u64, data: &[u8]) -> io::Result<()> {
        for (i, bytes) in data.chunks(16).enumerate() {
            let at = addr + 16 * i as u64;
            if let Ok(full) = <[u8; 16]>::try_from(bytes) {
                if self.prev == Some(full) {
                    if self.folded.is_none() {
                        out.write_all(b"*\n")?;
                    }
                    self.folded = Some(at);
                    continue;
                }
                self.prev = Some(full);
            } else {
                self.prev = None;
            }
            self.folded = None;
            self.line(out, at, bytes)?;
        }
        Ok(())
    }

    /// Ends the dump: a fold that reached the end shows its last line, so
    /// the dump says where it stops (as `xxd -a` does).
    pub fn finish(mut self, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
        if let (Some(at), Some(bytes)) = (self.folded.take(), self.prev) {
            self.line(out, at, &bytes)?;
        }
        Ok(())
    }

    fn line(&mut self, out: &mut (impl Write + ?Sized), at: u64, bytes: &[u8]) -> io::Result<()> {
        let l = &mut self.line;
        l.clear();
        for shift in (0..self.width).rev() {
            let nibble = if shift < 16 { (at >> (4 * shift)) & 15 } else { 0 };
            l.push(digit(nibble as u8));
        }
        l.extend_from_slice(b": ");
        for j in 0..16 {
            match bytes.get(j) {
                Some(&b) => l.extend_from_slice(&digits(b)),
                None => l.extend_from_slice(b"  "),
            }
            if j % 2 == 1 && j < 15 {
                l.push(b' ');
            }
        }
        l.extend_from_slice(b"  ");
        l.extend(bytes.iter().map(|&b| if (0x20..0x7f).contains(&b) { b } else { b'.' }));
        l.push(b'\n');
        out.write_all(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(addr: u64, chunks: &[&[u8]]) -> String {
        let mut out = Vec::new();
        let end = addr + chunks.iter().map(|c| c.len() as u64).sum::<u64>();
        let mut h = Hexdump::new(end);
        let mut at = addr;
        for c in chunks {
            h.write(&mut out, at, c).unwrap();
            at += c.len() as u64;
        }
        h.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_as_xxd_prints_them() {
        assert_eq!(
            dump(0x7ffc3ea2cf46, &[b"/usr/local/bin/cwork"]),
            "7ffc3ea2cf46: 2f75 7372 2f6c 6f63 616c 2f62 696e 2f63  /usr/local/bin/c\n\
             7ffc3ea2cf56: 776f 726b                                work\n"
        );
    }

    #[test]
    fn repeats_fold_across_chunks_as_hexdump_c_does() {
        let zeros = [0u8; 64];
        let got = dump(0, &[&zeros, &zeros, b"abcdefghijklmnop", &zeros[..20]]);
        assert_eq!(
            got,
            "00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n\
             *\n\
             00000080: 6162 6364 6566 6768 696a 6b6c 6d6e 6f70  abcdefghijklmnop\n\
             00000090: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n\
             000000a0: 0000 0000                                ....\n"
        );
        // The same printable column with other bytes is not a repeat.
        let got = dump(0, &[&[1u8; 16], &[2u8; 16]]);
        assert_eq!(got.lines().count(), 2);
    }

    #[test]
    fn a_fold_to_the_end_ends_with_its_last_line() {
        let got = dump(0x1000, &[&[0u8; 1 << 20]]);
        assert_eq!(
            got,
            "00001000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n\
             *\n\
             00100ff0: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
        );
    }
}
