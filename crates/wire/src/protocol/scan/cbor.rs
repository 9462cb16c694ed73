//! The CBOR [`Scan`]: definite and indefinite-length maps and lists, definite-length text (copied
//! into one text store, validated once at the end), integers, floats and tag 1 timestamps.

use super::{Entries, Key, Number, Scan, Span, Texts};
use crate::protocol::cbor::f16_to_f64;

const TEXT: u8 = 3;
const LIST: u8 = 4;
const MAP: u8 = 5;
const BREAK: u8 = 0xff;

/// A [`Scan`] over a CBOR body.
#[derive(Debug)]
pub struct CborScan<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Every text value read so far, back to back ([`Span`]s index it).
    texts: Vec<u8>,
}

impl<'a> CborScan<'a> {
    #[inline]
    pub fn new(body: &'a [u8]) -> Self {
        CborScan {
            buf: body,
            pos: 0,
            texts: Vec::with_capacity(body.len()),
        }
    }

    #[inline(always)]
    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// A definite argument (length or value) announced by `info`.
    #[inline(always)]
    fn arg(&mut self, info: u8) -> Option<u64> {
        Some(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(self.array()?)),
            26 => u64::from(u32::from_be_bytes(self.array()?)),
            27 => u64::from_be_bytes(self.array()?),
            _ => return None,
        })
    }

    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.take(N as u64)?;
        s.try_into().ok()
    }

    #[inline(always)]
    fn take(&mut self, n: u64) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(usize::try_from(n).ok()?)?;
        let buf: &'a [u8] = self.buf;
        let s = buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    #[inline(always)]
    fn open(&mut self, major: u8) -> Option<Entries> {
        let b = self.byte()?;
        if b >> 5 != major {
            return None;
        }
        let left = match b & 0x1f {
            31 => None,
            info => Some(self.arg(info)?),
        };
        Some(Entries { left, first: true })
    }

    #[inline(always)]
    fn more(&mut self, entries: &mut Entries) -> Option<bool> {
        match &mut entries.left {
            Some(0) => Some(false),
            Some(n) => {
                *n -= 1;
                Some(true)
            }
            None => {
                if *self.buf.get(self.pos)? == BREAK {
                    self.pos += 1;
                    Some(false)
                } else {
                    Some(true)
                }
            }
        }
    }

    /// An integer or float (no tag), as `cbor::decode` reads it.
    #[inline]
    fn plain_number(&mut self) -> Option<Number> {
        let b = self.byte()?;
        let info = b & 0x1f;
        Some(match b >> 5 {
            0 => {
                let n = self.arg(info)?;
                i64::try_from(n).map_or(Number::Float(n as f64), Number::Int)
            }
            1 => {
                let n = self.arg(info)?;
                i64::try_from(n).map_or(Number::Float(-1.0 - n as f64), |n| Number::Int(-1 - n))
            }
            7 => Number::Float(match info {
                25 => f16_to_f64(u16::from_be_bytes(self.array()?)),
                26 => f64::from(f32::from_be_bytes(self.array()?)),
                27 => f64::from_be_bytes(self.array()?),
                _ => return None,
            }),
            _ => return None,
        })
    }
}

impl<'a> Scan<'a> for CborScan<'a> {
    #[inline(always)]
    fn map(&mut self) -> Option<Entries> {
        self.open(MAP)
    }

    #[inline(always)]
    fn key_in(
        &mut self,
        entries: &mut Entries,
        keys: &[Key],
        expect: usize,
    ) -> Option<Option<usize>> {
        if !self.more(entries)? {
            return Some(None);
        }
        // Text of fewer than 24 bytes: its length in the header byte.
        if let Some(key) = keys.get(expect) {
            let n = key.len();
            if self.buf.get(self.pos) == Some(&(TEXT << 5 | n as u8))
                && key.is_at(self.buf, self.pos + 1)
            {
                self.pos += 1 + n;
                return Some(Some(expect));
            }
        }
        let b = self.byte()?;
        if b >> 5 != TEXT {
            return None;
        }
        let n = self.arg(b & 0x1f)?;
        Key::find(keys, self.take(n)?).map(Some)
    }

    #[inline(always)]
    fn list(&mut self) -> Option<Entries> {
        self.open(LIST)
    }

    #[inline(always)]
    fn element(&mut self, entries: &mut Entries) -> Option<bool> {
        self.more(entries)
    }

    #[inline(always)]
    fn text(&mut self) -> Option<Span> {
        let b = self.byte()?;
        if b >> 5 != TEXT {
            return None;
        }
        let n = self.arg(b & 0x1f)?;
        let bytes = self.take(n)?;
        // Each text starts on a character boundary of the store, so once the whole store is
        // valid UTF-8 (`finish`), so is each text.
        if bytes.first().is_some_and(|&f| (0x80..0xc0).contains(&f)) {
            return None;
        }
        let start = self.texts.len();
        self.texts.extend_from_slice(bytes);
        Span::new(start, self.texts.len())
    }

    #[inline]
    fn number(&mut self) -> Option<Number> {
        if self.buf.get(self.pos) == Some(&0xc1) {
            self.pos += 1;
            return Some(Number::Timestamp(self.plain_number()?.as_f64()));
        }
        self.plain_number()
    }

    #[inline]
    fn finish(self) -> Option<Texts> {
        if self.pos != self.buf.len() {
            return None;
        }
        String::from_utf8(self.texts).ok().map(Texts)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Value;
    use crate::protocol::cbor::{decode, encode};

    /// Reads `{"k": [numbers…], "s": text}` with the scan.
    fn read(body: &[u8]) -> Option<(Vec<Number>, String)> {
        super::super::read_numbers_and_text(CborScan::new(body))
    }

    #[test]
    fn numbers_are_what_decode_reads() {
        let v = Value::Struct(vec![
            (
                "k".into(),
                Value::List(vec![
                    Value::Int(0),
                    Value::Int(-1),
                    Value::Int(i64::MAX),
                    Value::Int(i64::MIN),
                    Value::Float(0.1),
                    Value::Timestamp(1.5),
                    Value::Timestamp(1_767_225_600.0),
                ]),
            ),
            ("s".into(), Value::Str("héllo".into())),
        ]);
        let mut body = Vec::new();
        encode(&v, &mut body);
        let (nums, text) = read(&body).unwrap();
        assert_eq!(
            nums,
            [
                Number::Int(0),
                Number::Int(-1),
                Number::Int(i64::MAX),
                Number::Int(i64::MIN),
                Number::Float(0.1),
                Number::Timestamp(1.5),
                Number::Timestamp(1_767_225_600.0),
            ]
        );
        assert_eq!(text, "héllo");
        // Half and single floats, unsigned beyond i64, indefinite map and list.
        let body = [
            0xbf, 0x61, b'k', 0x9f, 0xf9, 0x3e, 0x00, 0xfa, 0x3e, 0x80, 0x00, 0x00, 0x1b, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ];
        let (nums, _) = read(&body).unwrap();
        assert_eq!(
            nums,
            [
                Number::Float(1.5),
                Number::Float(0.25),
                Number::Float(u64::MAX as f64)
            ]
        );
        assert!(decode(&body).is_ok());
    }

    #[test]
    fn anything_unusual_is_left_to_the_generic_read() {
        let cases: [&[u8]; 9] = [
            // Indefinite-length text.
            &[0xa1, 0x61, b's', 0x7f, 0x61, b'a', 0xff],
            // A tag other than 1.
            &[0xa1, 0x61, b'k', 0x81, 0xc2, 0x01],
            // Tag 1 around a tag 1.
            &[0xa1, 0x61, b'k', 0x81, 0xc1, 0xc1, 0x01],
            // null where a number is read.
            &[0xa1, 0x61, b'k', 0x81, 0xf6],
            // Text that is not UTF-8, and text starting inside a character.
            &[0xa1, 0x61, b's', 0x61, 0xff],
            &[0xa1, 0x61, b's', 0x61, 0x80],
            // Trailing bytes; truncation; a key that is not text.
            &[0xa0, 0x00],
            &[0xa1, 0x61, b'k', 0x82, 0x01],
            &[0xa1, 0x01, 0x01],
        ];
        for body in cases {
            assert_eq!(read(body), None, "{body:02x?}");
        }
    }
}
