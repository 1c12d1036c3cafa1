//! Numbers: [`Number`], and reading one without allocating.

use std::io::Read;

use super::{JsonReader, ReadError};

/// A JSON number as serde_json keeps it: unsigned, negative, or floating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A non-negative integer that fits u64.
    U(u64),
    /// A negative integer that fits i64.
    I(i64),
    /// Anything else: a fraction, an exponent, `-0`, or an integer too large.
    F(f64),
}

impl Number {
    /// The value as a float (serde_json's `as_f64`).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::U(x) => x as f64,
            Number::I(x) => x as f64,
            Number::F(x) => x,
        }
    }

    /// The value as i64 when it is an integer that fits.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::U(x) => i64::try_from(x).ok(),
            Number::I(x) => Some(x),
            Number::F(_) => None,
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Number::U(x) => write!(f, "{x}"),
            Number::I(x) => write!(f, "{x}"),
            // serde_json's float form, as errors have always shown it.
            Number::F(x) => match serde_json::Number::from_f64(x) {
                Some(n) => write!(f, "{n}"),
                None => write!(f, "{x}"),
            },
        }
    }
}

impl<R: Read> JsonReader<R> {
    /// Reads the number that [`peek`](Self::peek) saw, without allocating.
    #[inline]
    pub fn number(&mut self) -> Result<Number, ReadError> {
        // The common case in one pass: up to 18 digits (no overflow), in the buffer.
        let start = self.pos;
        let b = &self.buf[start..self.end];
        let neg = b.first() == Some(&b'-');
        let first = usize::from(neg);
        let mut i = first;
        let mut v: u64 = 0;
        while i < b.len() && i - first < 18 && b[i].is_ascii_digit() {
            v = v * 10 + u64::from(b[i] - b'0');
            i += 1;
        }
        let digits = i - first;
        if digits > 0
            && (b[first] != b'0' || digits == 1)
            && b.get(i)
                .is_some_and(|c| !matches!(c, b'0'..=b'9' | b'.' | b'e' | b'E' | b'-' | b'+'))
        {
            self.tok = start;
            self.pos = start + i;
            return Ok(match (neg, v) {
                (false, v) => Number::U(v),
                (true, 0) => Number::F(-0.0),
                (true, v) => Number::I(-(v as i64)),
            });
        }
        self.number_slow()
    }

    #[cold]
    pub(super) fn number_slow(&mut self) -> Result<Number, ReadError> {
        self.tok = self.pos;
        // The whole token in the buffer first: numbers are short.
        let mut len = 0;
        loop {
            let hay = &self.buf[self.tok + len..self.end];
            match hay
                .iter()
                .position(|&b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            {
                Some(k) => {
                    len += k;
                    break;
                }
                None => {
                    len = self.end - self.tok;
                    self.pos = self.end;
                    if !self.refill()? {
                        break;
                    }
                }
            }
        }
        let at = self.tok;
        let text = &self.buf[at..at + len];
        self.pos = at + len;
        let (neg, digits) = match text.first() {
            Some(b'-') => (true, &text[1..]),
            _ => (false, text),
        };
        let int_len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        let bad = |r: &Self, off: usize| Err(r.error_at("invalid number", at + off, at + off >= r.end));
        if int_len == 0 {
            return bad(self, usize::from(neg));
        }
        if digits[0] == b'0' && int_len > 1 {
            return bad(self, usize::from(neg) + 1);
        }
        if int_len == digits.len() {
            let mut v: u64 = 0;
            let mut fits = true;
            for &d in digits {
                match v.checked_mul(10).and_then(|x| x.checked_add(u64::from(d - b'0'))) {
                    Some(x) => v = x,
                    None => {
                        fits = false;
                        break;
                    }
                }
            }
            if fits {
                if !neg {
                    return Ok(Number::U(v));
                }
                // serde_json: -0 is a float, and so is anything below i64::MIN.
                if v != 0 && v <= i64::MAX as u64 + 1 {
                    return Ok(Number::I((v as i64).wrapping_neg()));
                }
            }
        } else {
            // Validate the fraction and exponent as JSON has them.
            let mut k = int_len;
            if digits.get(k) == Some(&b'.') {
                k += 1;
                let n = digits[k..].iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return bad(self, usize::from(neg) + k);
                }
                k += n;
            }
            if matches!(digits.get(k), Some(b'e' | b'E')) {
                k += 1;
                if matches!(digits.get(k), Some(b'+' | b'-')) {
                    k += 1;
                }
                let n = digits[k..].iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return bad(self, usize::from(neg) + k);
                }
                k += n;
            }
            if k != digits.len() {
                return bad(self, usize::from(neg) + k);
            }
        }
        let x: f64 = std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN);
        if !x.is_finite() {
            return Err(self.error_at("number out of range", at, false));
        }
        Ok(Number::F(x))
    }
}
