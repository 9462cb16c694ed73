//! The awsJson [`Scan`]: objects, arrays, strings without escapes (spans of the body, which is
//! validated as UTF-8 once at the end) and numbers (plain integers and short plain decimals read
//! here, every other number by serde_json; each as the generic read parses it).

use super::{Entries, Key, Number, Scan, Span, Texts};

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
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.buf.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek()? != c {
            return None;
        }
        self.pos += 1;
        Some(())
    }

    /// A string without escapes or control characters: the range of its contents.
    #[inline(always)]
    fn string(&mut self) -> Option<(usize, usize)> {
        self.eat(b'"')?;
        let start = self.pos;
        let len = closing_quote(self.buf.get(start..)?)?;
        self.pos = start + len + 1;
        Some((start, start + len))
    }

    /// The separator before an entry (none before the first), or the end of the container.
    #[inline(always)]
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

/// Where the plain run of a string's contents `s` ends at its closing quote: `None` when a
/// backslash or a control character comes first, or no quote at all; eight bytes at a time,
/// the quote told from the other stops by the same word's masks (no second load).
#[inline]
fn closing_quote(s: &[u8]) -> Option<usize> {
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
        let quotes = below(w ^ (ONES * u64::from(b'"')), 1);
        let stops = quotes | below(w ^ (ONES * u64::from(b'\\')), 1) | below(w, 0x20);
        if stops != 0 {
            // Below the first stop every mask is exact, so the first stop is a quote exactly
            // when `quotes` has its bit.
            let first = stops & stops.wrapping_neg();
            return (quotes & first != 0).then(|| at + (first.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    match chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
    {
        Some(p) if chunks.remainder()[p] == b'"' => Some(at + p),
        _ => None,
    }
}

/// Digits (both sides of the point) a decimal may have to be read here: below 2^53, so that
/// the digits as an integer are exact in an `f64`.
const MAX_FAST_DECIMAL_DIGITS: usize = 15;

/// Powers of ten exact in an `f64`.
const POW10: [f64; MAX_FAST_DECIMAL_DIGITS + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain integer (`-?[1-9][0-9]*` or `0`, at most [`MAX_FAST_DIGITS`] digits, not `-0`) or a
/// plain decimal (`-?(0|[1-9][0-9]*)\.[0-9]+`, at most [`MAX_FAST_DECIMAL_DIGITS`] digits) at
/// the start of `s`, read in one pass as serde_json reads it, with its length; `None` for
/// anything else (an exponent, more digits, a leading zero…), which serde_json then reads.
///
/// A decimal is its digits as an integer divided by the power of ten of its fraction — both
/// exact in an `f64`, so the one rounding of the division gives the correctly rounded value,
/// which is what serde_json computes for it (with or without its `float_roundtrip` parsing).
#[inline]
fn plain_number(s: &[u8]) -> Option<(Number, usize)> {
    let negative = s.first() == Some(&b'-');
    let int_start = usize::from(negative);
    let mut i = int_start;
    let mut digits = 0u64;
    while let Some(&d) = s.get(i)
        && d.is_ascii_digit()
    {
        digits = digits.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        i += 1;
    }
    let int_len = i - int_start;
    if int_len == 0 || (s[int_start] == b'0' && int_len > 1) {
        return None;
    }
    let ends = |at: usize| {
        !matches!(
            s.get(at),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        )
    };
    if s.get(i) != Some(&b'.') {
        // `-0` is serde_json's float.
        if int_len > MAX_FAST_DIGITS || (negative && digits == 0) || !ends(i) {
            return None;
        }
        let n = digits as i64;
        return Some((Number::Int(if negative { -n } else { n }), i));
    }
    i += 1;
    let frac_start = i;
    while let Some(&d) = s.get(i)
        && d.is_ascii_digit()
    {
        digits = digits.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        i += 1;
    }
    let frac_len = i - frac_start;
    if frac_len == 0 || int_len + frac_len > MAX_FAST_DECIMAL_DIGITS || !ends(i) {
        return None;
    }
    let f = digits as f64 / POW10[frac_len];
    Some((Number::Float(if negative { -f } else { f }), i))
}

impl<'a> Scan<'a> for JsonScan<'a> {
    #[inline(always)]
    fn map(&mut self) -> Option<Entries> {
        self.eat(b'{')?;
        Some(Entries {
            left: None,
            first: true,
        })
    }

    #[inline(always)]
    fn key_in(
        &mut self,
        entries: &mut Entries,
        keys: &[Key],
        expect: usize,
    ) -> Option<Option<usize>> {
        if !self.next_entry(entries, b'}')? {
            return Some(None);
        }
        // `"name":` (spaced around the colon, the slow path reads it).
        self.peek()?;
        if let Some(key) = keys.get(expect) {
            let (buf, p, n) = (self.buf, self.pos, key.len());
            if buf.get(p) == Some(&b'"')
                && key.is_at(buf, p + 1)
                && buf.get(p + 1 + n) == Some(&b'"')
                && buf.get(p + 2 + n) == Some(&b':')
            {
                self.pos = p + 3 + n;
                return Some(Some(expect));
            }
        }
        let (start, end) = self.string()?;
        self.eat(b':')?;
        Key::find(keys, &self.buf[start..end]).map(Some)
    }

    #[inline(always)]
    fn list(&mut self) -> Option<Entries> {
        self.eat(b'[')?;
        Some(Entries {
            left: None,
            first: true,
        })
    }

    #[inline(always)]
    fn element(&mut self, entries: &mut Entries) -> Option<bool> {
        self.next_entry(entries, b']')
    }

    #[inline(always)]
    fn text(&mut self) -> Option<Span> {
        let (start, end) = self.string()?;
        Span::new(start, end)
    }

    #[inline]
    fn number(&mut self) -> Option<Number> {
        self.peek()?;
        let start = self.pos;
        if let Some((n, len)) = plain_number(&self.buf[start..]) {
            self.pos = start + len;
            return Some(n);
        }
        let len = self.buf[start..]
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(self.buf.len() - start);
        let token = &self.buf[start..start + len];
        self.pos = start + len;
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
            3.141592653589793, 2.718281828459045, -0.5, -0, 7] , "s": "héllo ✓" } "#;
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
            match plain_number(format!("{token},").as_bytes()) {
                Some((Number::Float(f), len)) => {
                    proptest::prop_assert_eq!(len, token.len());
                    proptest::prop_assert_eq!(f.to_bits(), want.as_f64().unwrap().to_bits());
                }
                Some(other) => proptest::prop_assert!(false, "{other:?}"),
                None => proptest::prop_assert!(int.len() + frac.len() > MAX_FAST_DECIMAL_DIGITS),
            }
        }
    }

    #[test]
    fn plain_numbers_end_at_the_end_of_the_body_too() {
        assert_eq!(plain_number(b"12"), Some((Number::Int(12), 2)));
        assert_eq!(plain_number(b"-1.5"), Some((Number::Float(-1.5), 4)));
        assert_eq!(plain_number(b"0"), Some((Number::Int(0), 1)));
        assert_eq!(plain_number(b"1."), None);
        assert_eq!(plain_number(b"-"), None);
        assert_eq!(plain_number(b""), None);
    }

    #[test]
    fn closing_quotes_are_found_at_every_offset() {
        for len in 0..40 {
            let mut s = vec![b'a'; len];
            s.extend_from_slice("é\x7f ~".as_bytes());
            let at = s.len();
            for (stop, want) in [(b'"', Some(at)), (b'\\', None), (0x00, None), (0x1f, None)] {
                let mut s = s.clone();
                s.push(stop);
                s.extend_from_slice(b"\"\\x");
                assert_eq!(closing_quote(&s), want, "{len} {stop}");
            }
            assert_eq!(closing_quote(&vec![b' '; len]), None);
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
            r#"{"k": [-01]}"#,
            r#"{"k": [1.]}"#,
            r#"{"k": [.5]}"#,
            r#"{"k": [-]}"#,
            r#"{"k": [+1]}"#,
            r#"{"k": [1e]}"#,
            r#"{"k": [1.2.3]}"#,
            r#"{"k": [1-2]}"#,
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
        let keys = [Key::new(b"s")];
        assert_eq!(s.key_in(&mut top, &keys, 0), Some(Some(0)));
        s.text().unwrap();
        assert_eq!(s.key_in(&mut top, &keys, 0), Some(None));
        assert!(s.finish().is_none());
    }
}
