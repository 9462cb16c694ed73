//! The awsJson [`Scan`]: objects, arrays, strings without escapes (spans of the body, which is
//! validated as UTF-8 once at the end) and numbers (plain integers and short plain decimals read
//! here, every other number by serde_json; each as the generic read parses it).

use super::{Entries, Number, Scan, Span, Texts};

/// A [`Scan`] over an awsJson body.
#[derive(Debug)]
pub struct JsonScan<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Digits an integer may have to be read here (beyond, serde_json reads it).
const MAX_FAST_DIGITS: usize = 18;

impl<'a> JsonScan<'a> {
    #[inline]
    pub fn new(body: &'a [u8]) -> Self {
        JsonScan { buf: body, pos: 0 }
    }

    /// Skips JSON whitespace; the next byte.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.buf.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? != c {
            return None;
        }
        self.pos += 1;
        Some(())
    }

    /// A string without escapes or control characters: the range of its contents.
    #[inline]
    fn string(&mut self) -> Option<(usize, usize)> {
        self.eat(b'"')?;
        let start = self.pos;
        let rest = self.buf.get(start..)?;
        let len = string_stop(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        Some((start, start + len))
    }

    /// The separator before an entry (none before the first), or the end of the container.
    #[inline]
    fn next_entry(&mut self, entries: &mut Entries, close: u8) -> Option<bool> {
        let b = self.peek()?;
        if b == close {
            self.pos += 1;
            return Some(false);
        }
        if entries.first {
            entries.first = false;
            return Some(true);
        }
        if b != b',' {
            return None;
        }
        self.pos += 1;
        Some(true)
    }
}

/// The first byte of `s` that ends or interrupts a string's plain run: a quote, a backslash or
/// a control character; eight bytes at a time.
#[inline]
fn string_stop(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte below `n` (exact up to the first such byte; `n` <= 0x80).
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let hits = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|p| at + p)
}

/// A plain integer (`-?[1-9][0-9]*` or `0`, at most [`MAX_FAST_DIGITS`] digits, not `-0`) as
/// serde_json reads it; `None` for anything else.
#[inline]
fn plain_integer(token: &[u8]) -> Option<i64> {
    let (negative, digits) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, token),
    };
    let plain = !digits.is_empty()
        && digits.len() <= MAX_FAST_DIGITS
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || (digits.len() == 1 && !negative));
    if !plain {
        return None;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    Some(if negative { -n } else { n })
}

/// Digits (both sides of the point) a decimal may have to be read here: below 2^53, so that
/// the digits as an integer are exact in an `f64`.
const MAX_FAST_DECIMAL_DIGITS: usize = 15;

/// Powers of ten exact in an `f64`.
const POW10: [f64; MAX_FAST_DECIMAL_DIGITS + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal (`-?(0|[1-9][0-9]*)\.[0-9]+`, at most [`MAX_FAST_DECIMAL_DIGITS`] digits) as
/// serde_json reads it: its digits as an integer, divided by the power of ten of its fraction —
/// both exact, so the one rounding of the division gives the correctly rounded value, which is
/// what serde_json computes for it (with or without its `float_roundtrip` parsing).
#[inline]
fn plain_decimal(token: &[u8]) -> Option<f64> {
    let (negative, rest) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, token),
    };
    let point = rest.iter().position(|&b| b == b'.')?;
    let (int, frac) = (&rest[..point], &rest[point + 1..]);
    let plain = !int.is_empty()
        && !frac.is_empty()
        && int.len() + frac.len() <= MAX_FAST_DECIMAL_DIGITS
        && (int[0] != b'0' || int.len() == 1)
        && int.iter().chain(frac).all(u8::is_ascii_digit);
    if !plain {
        return None;
    }
    let digits = int
        .iter()
        .chain(frac)
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    let f = digits as f64 / POW10[frac.len()];
    Some(if negative { -f } else { f })
}

impl<'a> Scan<'a> for JsonScan<'a> {
    #[inline]
    fn map(&mut self) -> Option<Entries> {
        self.eat(b'{')?;
        Some(Entries {
            left: None,
            first: true,
        })
    }

    #[inline]
    fn key(&mut self, entries: &mut Entries) -> Option<Option<&'a [u8]>> {
        if !self.next_entry(entries, b'}')? {
            return Some(None);
        }
        let (start, end) = self.string()?;
        self.eat(b':')?;
        let buf: &'a [u8] = self.buf;
        Some(Some(&buf[start..end]))
    }

    #[inline]
    fn list(&mut self) -> Option<Entries> {
        self.eat(b'[')?;
        Some(Entries {
            left: None,
            first: true,
        })
    }

    #[inline]
    fn element(&mut self, entries: &mut Entries) -> Option<bool> {
        self.next_entry(entries, b']')
    }

    #[inline]
    fn text(&mut self) -> Option<Span> {
        let (start, end) = self.string()?;
        Span::new(start, end)
    }

    #[inline]
    fn number(&mut self) -> Option<Number> {
        self.peek()?;
        let start = self.pos;
        let len = self.buf[start..]
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(self.buf.len() - start);
        let token = &self.buf[start..start + len];
        self.pos = start + len;
        if let Some(i) = plain_integer(token) {
            return Some(Number::Int(i));
        }
        if let Some(f) = plain_decimal(token) {
            return Some(Number::Float(f));
        }
        // What the generic read makes of serde_json's number (`json_de`'s adapter).
        let n: serde_json::Number = serde_json::from_slice(token).ok()?;
        Some(if n.is_f64() {
            Number::Float(n.as_f64()?)
        } else if let Some(i) = n.as_i64() {
            Number::Int(i)
        } else {
            Number::Float(n.as_u64()? as f64)
        })
    }

    #[inline]
    fn finish(mut self) -> Option<Texts> {
        if self.peek().is_some() {
            return None;
        }
        // Outside strings the body is ASCII (or the scan stopped), so this checks the strings.
        String::from_utf8(self.buf.to_vec()).ok().map(Texts)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Value;
    use crate::protocol::json::decode;

    /// Reads `{"k": [numbers…], "s": text}` with the scan.
    fn read(body: &str) -> Option<(Vec<Number>, String)> {
        super::super::read_numbers_and_text(JsonScan::new(body.as_bytes()))
    }

    /// The numbers of `{"k": [...]}` as `json::decode` reads them.
    fn decoded(body: &str) -> Vec<Number> {
        let Value::Struct(m) = decode(body.as_bytes()).unwrap() else {
            panic!("not a structure")
        };
        let Value::List(items) = &m[0].1 else {
            panic!("not a list")
        };
        items
            .iter()
            .map(|v| match v {
                Value::Int(i) => Number::Int(*i),
                Value::Float(f) => Number::Float(*f),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn numbers_are_what_decode_reads() {
        let body = r#" { "k" : [0, -0, 1, -1, 123456789012345678, 1234567890123456789,
            -9223372036854775808, 9223372036854775808, 18446744073709551616, 0.1, 1e3, -1.5E-3,
            12.34, 1.7976931348623157e308, 5e-324, 2.2250738585072011e-308, -0.0, 0.0, 100.00,
            99.99, -12.345, 0.000000000000001, 123456789.123456, 12345678901234.5,
            1234567890123456.7, 0.30000000000000004, 9007199254740993.0, 1.5e1, 0.5E-0,
            3.141592653589793, 2.718281828459045] , "s": "héllo ✓" } "#;
        let (nums, text) = read(body).unwrap();
        let want = decoded(body);
        assert_eq!(nums.len(), want.len());
        for (a, b) in nums.iter().zip(&want) {
            match (a, b) {
                (Number::Float(x), Number::Float(y)) => assert_eq!(x.to_bits(), y.to_bits()),
                _ => assert_eq!(a, b),
            }
        }
        assert_eq!(text, "héllo ✓");
        assert_eq!(read("{}"), Some((Vec::new(), String::new())));
        assert_eq!(read(r#"{"k":[]}"#), Some((Vec::new(), String::new())));
    }

    proptest::proptest! {
        /// Every plain decimal reads as serde_json reads it, to the bit.
        #[test]
        fn plain_decimals_are_what_serde_json_reads(
            negative: bool,
            int in "(0|[1-9][0-9]{0,13})",
            frac in "[0-9]{1,14}",
        ) {
            let token = format!("{}{int}.{frac}", if negative { "-" } else { "" });
            let want: serde_json::Number = serde_json::from_str(&token).unwrap();
            match plain_decimal(token.as_bytes()) {
                Some(f) => proptest::prop_assert_eq!(f.to_bits(), want.as_f64().unwrap().to_bits()),
                None => proptest::prop_assert!(int.len() + frac.len() > MAX_FAST_DECIMAL_DIGITS),
            }
        }
    }

    #[test]
    fn string_stops_are_found_at_every_offset() {
        for len in 0..40 {
            for stop in [b'"', b'\\', 0x00, 0x1f] {
                let mut s = vec![b'a'; len];
                s.extend_from_slice("é\x7f ~".as_bytes());
                let at = s.len();
                s.push(stop);
                s.extend_from_slice(b"\"\\x");
                assert_eq!(string_stop(&s), Some(at), "{len} {stop}");
            }
            assert_eq!(string_stop(&vec![b' '; len]), None);
        }
    }

    #[test]
    fn anything_unusual_is_left_to_the_generic_read() {
        for body in [
            r#"{"s": "a\"b"}"#,
            r#"{"s": "a\u0041"}"#,
            "{\"s\": \"a\tb\"}",
            r#"{"k": [1,]}"#,
            r#"{"k": [,1]}"#,
            r#"{"k": [01]}"#,
            r#"{"k": [1e400]}"#,
            r#"{"k": [null]}"#,
            r#"{"k": ["1"]}"#,
            r#"{"k": [1 2]}"#,
            r#"{"s": "a",}"#,
            r#"{"s" "a"}"#,
            r#"{"s": "a"} x"#,
            r#"{"s": "a""#,
            r#"["s"]"#,
            "",
        ] {
            assert_eq!(read(body), None, "{body}");
        }
        // Not UTF-8 inside a string.
        let mut bytes = br#"{"s": "a"}"#.to_vec();
        bytes[7] = 0xff;
        let mut s = JsonScan::new(&bytes);
        let mut top = s.map().unwrap();
        assert_eq!(s.key(&mut top), Some(Some(&b"s"[..])));
        s.text().unwrap();
        assert_eq!(s.key(&mut top), Some(None));
        assert!(s.finish().is_none());
    }
}
