//! Fast readers of request bodies in their common form, for operations that read their own bulk
//! input ([`crate::Operation::read_body_with`]): a pull reader over a CBOR or awsJson body that
//! matches keys against the caller's [`Key`] table (the expected one compared in place first),
//! hands out text (as [`Span`]s of one validated text store), numbers and container boundaries,
//! without building anything per item.
//!
//! A reader handles only the common form of a body and answers `None` to anything else
//! (escapes, indefinite-length text, tags other than a timestamp's, `null`, trailing bytes…):
//! the caller then gives the body to the generic read, which answers exactly as it always does.
//! So a reader never has an error of its own. Where it succeeds, it has read nothing that
//! [`super::Protocol::validate`] refuses, and every number is what the generic read's
//! [`crate::Value`] would hold ([`Number`]).

mod cbor;
mod json;

pub use cbor::CborScan;
pub use json::JsonScan;

/// A number as the generic read's [`crate::Value`] holds it (`Int`, `Float` or `Timestamp`),
/// with the conversions of the [`crate::Value`] deserializer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// A CBOR tag 1 (epoch seconds).
    Timestamp(f64),
}

impl Number {
    /// The number as an `f64` member reads it.
    #[inline]
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) | Number::Timestamp(f) => f,
        }
    }

    /// The number as an integer member reads it; `None` where that read fails.
    #[inline]
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(f as i64),
            _ => None,
        }
    }

    /// The number as a [`crate::Timestamp`] member reads it (epoch seconds); `None` where that
    /// read fails (not finite).
    #[inline]
    pub fn as_timestamp(self) -> Option<crate::Timestamp> {
        match self {
            Number::Int(i) => Some(crate::Timestamp(i as f64)),
            Number::Float(f) | Number::Timestamp(f) => f.is_finite().then_some(crate::Timestamp(f)),
        }
    }
}

/// A text value: a byte range of the scan's text store ([`Texts`]). One word (start in the low
/// half, end in the high half), so that it travels in a register, never half by half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span(u64);

impl Span {
    #[inline]
    fn new(start: usize, end: usize) -> Option<Span> {
        let start = u64::from(u32::try_from(start).ok()?);
        let end = u64::from(u32::try_from(end).ok()?);
        Some(Span(start | end << 32))
    }

    /// The text in `texts`.
    #[inline]
    pub fn of(self, texts: &str) -> &str {
        let (start, end) = ((self.0 & 0xffff_ffff) as usize, (self.0 >> 32) as usize);
        // Spans start and end on character boundaries of their store (checked by the scan).
        texts.get(start..end).unwrap_or_default()
    }
}

/// The text store of a finished scan: every [`Span`] it handed out is a slice of it.
#[derive(Debug, Clone, Default)]
pub struct Texts(String);

impl Texts {
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member name a reader's caller knows, packed into words so that it is compared in place
/// with a few word compares.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    name: &'static [u8],
    words: [u64; 3],
}

impl Key {
    /// `name`: 1 to 23 bytes of printable ASCII without `"` or `\` (as every member name is),
    /// checked when the constant is built.
    pub const fn new(name: &'static [u8]) -> Key {
        assert!(!name.is_empty() && name.len() < 24);
        let mut words = [0u64; 3];
        let mut i = 0;
        while i < name.len() {
            let b = name[i];
            assert!(b >= 0x20 && b < 0x7f && b != b'"' && b != b'\\');
            words[i / 8] |= (b as u64) << (8 * (i % 8));
            i += 1;
        }
        Key { name, words }
    }

    #[inline]
    fn len(&self) -> usize {
        self.name.len()
    }

    /// Whether `buf` holds the name at `at`.
    #[inline(always)]
    fn is_at(&self, buf: &[u8], at: usize) -> bool {
        let n = self.name.len();
        let word = |i: usize| {
            let bytes: Option<[u8; 8]> = buf.get(at + 8 * i..at + 8 * i + 8)?.try_into().ok();
            bytes.map(u64::from_le_bytes)
        };
        let masked = |w: u64, left: usize| {
            if left >= 8 {
                w
            } else {
                w & ((1u64 << (8 * left)) - 1)
            }
        };
        match (word(0), word(1), word(2)) {
            (Some(w0), _, _) if n <= 8 => masked(w0, n) == self.words[0],
            (Some(w0), Some(w1), _) if n <= 16 => {
                w0 == self.words[0] && masked(w1, n - 8) == self.words[1]
            }
            (Some(w0), Some(w1), Some(w2)) => {
                w0 == self.words[0] && w1 == self.words[1] && masked(w2, n - 16) == self.words[2]
            }
            // Near the end of the body.
            _ => buf.get(at..at + n) == Some(self.name),
        }
    }

    /// The index of the key named `name` in `keys`.
    #[inline]
    fn find(keys: &[Key], name: &[u8]) -> Option<usize> {
        keys.iter().position(|k| k.name == name)
    }
}

/// The entries of an open map or list.
#[derive(Debug)]
pub struct Entries {
    /// Entries left in a definite-length CBOR container (`None`: indefinite).
    left: Option<u64>,
    /// No entry read yet (JSON: no separator before it).
    first: bool,
}

/// A pull reader over one body. Every method answers `None` when the body is not in the form
/// the reader handles; the caller then stops and leaves the body to the generic read.
pub trait Scan<'a> {
    /// Opens the map that comes next.
    fn map(&mut self) -> Option<Entries>;
    /// The next key of an open map as its index in `keys` (`Some(None)` past the map's last
    /// entry); `None` for a key not in `keys`, which the generic read has its own rules for.
    /// `keys[expect]` is tried first, by comparing its encoding in place, so that a caller that
    /// expects the right key (the one that came next last time) has nothing to scan.
    fn key_in(
        &mut self,
        entries: &mut Entries,
        keys: &[Key],
        expect: usize,
    ) -> Option<Option<usize>>;
    /// Opens the list that comes next.
    fn list(&mut self) -> Option<Entries>;
    /// Whether an open list has another element (which is read next).
    fn element(&mut self, entries: &mut Entries) -> Option<bool>;
    /// The text value that comes next.
    fn text(&mut self) -> Option<Span>;
    /// The number that comes next.
    fn number(&mut self) -> Option<Number>;
    /// Checks that the body ends after the top-level map; the text store.
    fn finish(self) -> Option<Texts>;
}

/// Reads `{"k": [numbers…], "s": text}` with any scan (the readers' tests).
#[cfg(test)]
fn read_numbers_and_text<'a>(mut s: impl Scan<'a>) -> Option<(Vec<Number>, String)> {
    const KEYS: [Key; 2] = [Key::new(b"k"), Key::new(b"s")];
    let mut top = s.map()?;
    let (mut nums, mut text) = (Vec::new(), None);
    while let Some(k) = s.key_in(&mut top, &KEYS, 0)? {
        if k == 0 {
            let mut l = s.list()?;
            while s.element(&mut l)? {
                nums.push(s.number()?);
            }
        } else {
            text = Some(s.text()?);
        }
    }
    let texts = s.finish()?;
    Some((
        nums,
        text.map_or(String::new(), |t| t.of(texts.as_str()).into()),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Value;
    use crate::protocol::cbor::encode;

    /// Names of every length a [`Key`] takes, each as a body whose last member is it (so that it
    /// also ends near the end of the body) after a member named `a`.
    fn names() -> Vec<String> {
        (1..24)
            .map(|n| ('b'..='z').cycle().take(n).collect())
            .collect()
    }

    /// The keys of `{"a": 1, <name>: 2}` read with `keys` expecting `expect` each time.
    fn keys_of<'a>(mut s: impl Scan<'a>, keys: &[Key], expect: usize) -> Option<Vec<usize>> {
        let mut top = s.map()?;
        let mut found = Vec::new();
        while let Some(k) = s.key_in(&mut top, keys, expect)? {
            found.push(k);
            s.number()?;
        }
        s.finish()?;
        Some(found)
    }

    fn json(name: &str, spaced: bool) -> Vec<u8> {
        let sep = if spaced { " , " } else { "," };
        format!(r#"{{"a":1{sep}"{name}":2}}"#).into_bytes()
    }

    fn cbor(name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let v = Value::Struct(vec![
            ("a".into(), Value::Int(1)),
            (name.into(), Value::Int(2)),
        ]);
        encode(&v, &mut out);
        out
    }

    #[test]
    fn keys_are_found_expected_or_not() {
        for name in names() {
            let leaked: &'static [u8] = Vec::leak(name.clone().into_bytes());
            let keys = [Key::new(b"a"), Key::new(leaked)];
            for expect in [0, 1, 2] {
                for spaced in [false, true] {
                    let body = json(&name, spaced);
                    let got = keys_of(JsonScan::new(&body), &keys, expect);
                    assert_eq!(got, Some(vec![0, 1]), "{name} {expect} {spaced}");
                }
                let body = cbor(&name);
                let got = keys_of(CborScan::new(&body), &keys, expect);
                assert_eq!(got, Some(vec![0, 1]), "{name} {expect}");
            }
        }
    }

    #[test]
    fn a_name_one_byte_off_is_no_key() {
        // (Each is in the body, none in `keys`: the read stops.)
        for name in names() {
            let leaked: &'static [u8] = Vec::leak(name.clone().into_bytes());
            let keys = [Key::new(b"a"), Key::new(leaked)];
            let (mut short, long) = (name.clone(), format!("{name}b"));
            short.pop();
            // The same length, one byte changed: at each place.
            let changed = (0..name.len()).map(|i| {
                let mut b = name.clone().into_bytes();
                b[i] = b'_';
                String::from_utf8(b).unwrap()
            });
            for other in [short, long].into_iter().chain(changed) {
                if other.is_empty() {
                    continue;
                }
                for expect in [0, 1] {
                    let body = json(&other, false);
                    assert_eq!(keys_of(JsonScan::new(&body), &keys, expect), None);
                    let body = cbor(&other);
                    assert_eq!(keys_of(CborScan::new(&body), &keys, expect), None);
                }
            }
        }
    }
}
