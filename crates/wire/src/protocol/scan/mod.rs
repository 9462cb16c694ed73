//! Fast readers of request bodies in their common form, for operations that read their own bulk
//! input ([`crate::Operation::read_body_with`]): a pull reader over a CBOR or awsJson body that
//! hands out keys, text (as [`Span`]s of one validated text store), numbers and container
//! boundaries, without building anything per item.
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
    /// The next key of an open map as sent (`Some(None)` past its last entry). A key the caller
    /// does not know must make it stop (the generic read has its own rules for those).
    fn key(&mut self, entries: &mut Entries) -> Option<Option<&'a [u8]>>;
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
    let mut top = s.map()?;
    let (mut nums, mut text) = (Vec::new(), None);
    while let Some(k) = s.key(&mut top)? {
        match k {
            b"k" => {
                let mut l = s.list()?;
                while s.element(&mut l)? {
                    nums.push(s.number()?);
                }
            }
            b"s" => text = Some(s.text()?),
            _ => return None,
        }
    }
    let texts = s.finish()?;
    Some((
        nums,
        text.map_or(String::new(), |t| t.of(texts.as_str()).into()),
    ))
}
