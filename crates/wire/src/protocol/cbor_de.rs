//! Reading an operation's input shape straight from a CBOR body, without building the
//! [`Value`] tree first: maps and lists are streamed and member names are matched in place, so a
//! 1,000-datum PutMetricData costs the shape's own strings and nothing else.
//!
//! The result is exactly what `from_value(cbor::decode(body))` gives, errors included: every
//! scalar (and anything unusual — tags, indefinite-length text, a list where a structure is
//! expected) is read into a [`Value`] and handed to the [`Value`] deserializer, which holds the
//! protocol leniencies; only well-formed maps and lists are streamed. The body is walked once:
//! a read succeeds only on a body [`validate`] accepts (every member the shape ignores is skipped
//! with `validate`'s checks, nesting and map keys are checked as it checks them), so the pipeline
//! runs [`validate`] only when a read fails, to tell a malformed body from a shape error.

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::cbor::{Len, MAX_DEPTH, Reader};
use crate::value::{BLOB_NAME, DecodeError, TIMESTAMP_NAME, Value};

/// Checks that a request body is what [`super::cbor::decode`] accepts — well-formed CBOR, one
/// map, nothing after it, nesting and text as `decode` requires — without building anything;
/// returns the error `decode` would return. [`from_cbor`] reads shapes from the bytes and
/// succeeds only where this does.
pub fn validate(body: &[u8]) -> Result<(), String> {
    if body.is_empty() {
        return Ok(());
    }
    let mut r = Reader { buf: body, pos: 0 };
    let top = r.skip(0)?;
    if r.pos != body.len() {
        return Err(format!(
            "malformed CBOR: {} trailing bytes",
            body.len() - r.pos
        ));
    }
    if top != 5 {
        return Err("the request body must be a CBOR map".into());
    }
    Ok(())
}

/// What [`Reader::skip`] returns for a float (major type 7 holds floats and simple values).
const FLOAT: u8 = 8;
/// What [`Reader::skip`] returns for a timestamp (tag 1), which another tag 1 cannot wrap.
const TIMESTAMP: u8 = 9;

impl Reader<'_> {
    /// Skips one item as [`Reader::item`] would read it, with the same checks and errors;
    /// returns the item's major type (another tag's is that of what it wraps; [`FLOAT`] for
    /// floats, [`TIMESTAMP`] for tag 1).
    pub(super) fn skip(&mut self, depth: usize) -> Result<u8, String> {
        if depth > MAX_DEPTH {
            return Err("malformed CBOR: nested too deeply".into());
        }
        let b = self.byte()?;
        let (major, info) = (b >> 5, b & 0x1f);
        match major {
            0 | 1 => {
                self.definite(info)?;
            }
            2 => {
                self.skip_string(2, info)?;
            }
            3 => {
                if !self.skip_string(3, info)? {
                    return Err("malformed CBOR: text is not UTF-8".into());
                }
            }
            4 => match self.uint(info)? {
                Len::Definite(n) => {
                    for _ in 0..n {
                        self.skip(depth + 1)?;
                    }
                }
                Len::Indefinite => {
                    while !self.at_break()? {
                        self.skip(depth + 1)?;
                    }
                }
            },
            5 => match self.uint(info)? {
                Len::Definite(n) => {
                    for _ in 0..n {
                        self.skip_member(depth)?;
                    }
                }
                Len::Indefinite => {
                    while !self.at_break()? {
                        self.skip_member(depth)?;
                    }
                }
            },
            6 => {
                let tag = self.definite(info)?;
                let inner = self.skip(depth + 1)?;
                // `item` accepts a tag 1 wrapping an integer or a float only.
                if tag == 1 {
                    if !matches!(inner, 0 | 1 | FLOAT) {
                        return Err("malformed CBOR: tag 1 must wrap a number".into());
                    }
                    return Ok(TIMESTAMP);
                }
                return Ok(inner);
            }
            _ => {
                let n = match info {
                    20..=23 => 0,
                    25 => 2,
                    26 => 4,
                    27 => 8,
                    _ => return Err(format!("malformed CBOR: unexpected simple value {info}")),
                };
                if n > 0 {
                    self.take(n)?;
                    return Ok(FLOAT);
                }
            }
        }
        Ok(major)
    }

    /// Skips a byte or text string; returns whether its bytes are UTF-8.
    fn skip_string(&mut self, major: u8, info: u8) -> Result<bool, String> {
        match self.uint(info)? {
            Len::Definite(n) => Ok(std::str::from_utf8(self.take(n)?).is_ok()),
            Len::Indefinite => {
                let bytes = self.string_chunks(major)?;
                Ok(std::str::from_utf8(&bytes).is_ok())
            }
        }
    }

    fn skip_member(&mut self, depth: usize) -> Result<(), String> {
        let b = self.byte()?;
        if b >> 5 != 3 {
            return Err("malformed CBOR: map keys must be text".into());
        }
        if !self.skip_string(3, b & 0x1f)? {
            return Err("malformed CBOR: text is not UTF-8".into());
        }
        self.skip(depth + 1)?;
        Ok(())
    }
}

/// Reads `T` from a request body. It succeeds only on bodies that [`validate`] accepts, so a body
/// can be read first and checked only when the read fails: then a body `validate` refuses is
/// malformed, and for any other the error is the shape's, the one
/// `from_value(cbor::decode(body))` gives.
pub fn from_cbor<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let Some(&first) = body.first() else {
        return T::deserialize(Value::empty());
    };
    // A top-level item that is not a plain map (a tagged map is one `decode` accepts) is checked
    // first: the streamed read below only knows that maps are maps.
    if first >> 5 != MAP {
        validate(body).map_err(malformed)?;
    }
    let mut r = Reader { buf: body, pos: 0 };
    let t = T::deserialize(Item {
        r: &mut r,
        depth: 0,
    })?;
    if r.pos != body.len() {
        // Trailing bytes, or a shape that stopped before the end of its map: `validate` decides
        // whether the body is well-formed.
        validate(body).map_err(malformed)?;
    }
    Ok(t)
}

/// The next item of the body.
struct Item<'a, 'b> {
    r: &'b mut Reader<'a>,
    depth: usize,
}

fn malformed(m: String) -> DecodeError {
    DecodeError::Invalid(m)
}

impl<'a> Item<'a, '_> {
    /// The initial byte of the item, not consumed. Every read of an item starts here (or in
    /// [`Reader::item`] / [`Reader::skip`], which check the same), so nesting is limited as
    /// [`validate`] limits it.
    fn peek(&self) -> Result<u8, DecodeError> {
        if self.depth > MAX_DEPTH {
            return Err(malformed("malformed CBOR: nested too deeply".into()));
        }
        self.r
            .buf
            .get(self.r.pos)
            .copied()
            .ok_or_else(|| malformed("malformed CBOR: unexpected end of input".into()))
    }

    /// Reads the whole item as a [`Value`] (the path for scalars and anything unusual).
    fn value(self) -> Result<Value, DecodeError> {
        self.r.item(self.depth).map_err(malformed)
    }

    /// Consumes a map or list head; returns its length (`None`: indefinite).
    fn container(&mut self) -> Result<Option<u64>, DecodeError> {
        let b = self.r.byte().map_err(malformed)?;
        match self.r.uint(b & 0x1f).map_err(malformed)? {
            Len::Definite(n) => Ok(Some(n)),
            Len::Indefinite => Ok(None),
        }
    }

    /// A definite-length text item's bytes as `&str`, consumed; `None` (nothing consumed) for
    /// anything else.
    fn definite_text(&mut self) -> Result<Option<&'a str>, DecodeError> {
        let b = self.peek()?;
        if b >> 5 != 3 || b & 0x1f == 31 {
            return Ok(None);
        }
        self.r.pos += 1;
        let n = match self.r.uint(b & 0x1f).map_err(malformed)? {
            Len::Definite(n) => n,
            Len::Indefinite => return Err(malformed("malformed CBOR: bad text".into())),
        };
        let bytes = take(self.r, n)?;
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| malformed("malformed CBOR: text is not UTF-8".into()))
    }

    fn stream_map<V: Visitor<'static>>(mut self, v: V) -> Result<V::Value, DecodeError> {
        let len = self.container()?;
        v.visit_map(Members {
            r: self.r,
            depth: self.depth,
            left: len,
        })
    }

    fn stream_seq<V: Visitor<'static>>(mut self, v: V) -> Result<V::Value, DecodeError> {
        let len = self.container()?;
        v.visit_seq(Elements {
            r: self.r,
            depth: self.depth + 1,
            left: len,
        })
    }
}

/// `Reader::take` with the reader's own lifetime on the slice.
fn take<'a>(r: &mut Reader<'a>, n: u64) -> Result<&'a [u8], DecodeError> {
    let n = usize::try_from(n).map_err(|_| malformed("malformed CBOR: length too large".into()))?;
    let buf: &'a [u8] = r.buf;
    let end = r
        .pos
        .checked_add(n)
        .filter(|&e| e <= buf.len())
        .ok_or_else(|| malformed("malformed CBOR: unexpected end of input".into()))?;
    let s = &buf[r.pos..end];
    r.pos = end;
    Ok(s)
}

const MAP: u8 = 5;
const LIST: u8 = 4;

/// Delegates to the [`Value`] deserializer after reading the item as a value.
macro_rules! via_value {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
            de::Deserializer::$method(self.value()?, v)
        }
    )*};
}

impl<'a> de::Deserializer<'static> for Item<'a, '_> {
    type Error = DecodeError;

    via_value!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit
    );

    fn deserialize_any<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.peek()? >> 5 {
            MAP => self.stream_map(v),
            LIST => self.stream_seq(v),
            _ => self.value()?.deserialize_any(v),
        }
    }

    fn deserialize_str<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(v)
    }

    fn deserialize_string<V: Visitor<'static>>(mut self, v: V) -> Result<V::Value, DecodeError> {
        match self.definite_text()? {
            Some(s) => v.visit_str(s),
            None => de::Deserializer::deserialize_string(self.value()?, v),
        }
    }

    fn deserialize_identifier<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_string(v)
    }

    fn deserialize_option<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        match self.peek()? {
            // null and undefined, which `item` reads as `Value::Null`.
            0xf6 | 0xf7 => {
                self.r.pos += 1;
                v.visit_none()
            }
            b if b >> 5 == 6 => self.value()?.deserialize_option(v),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.value()?.deserialize_unit_struct(name, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        if name == TIMESTAMP_NAME || name == BLOB_NAME {
            return self.value()?.deserialize_newtype_struct(name, v);
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        if self.peek()? >> 5 == LIST {
            self.stream_seq(v)
        } else {
            self.value()?.deserialize_seq(v)
        }
    }

    fn deserialize_tuple<V: Visitor<'static>>(
        self,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'static>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        if self.peek()? >> 5 == MAP {
            self.stream_map(v)
        } else {
            self.value()?.deserialize_map(v)
        }
    }

    fn deserialize_struct<V: Visitor<'static>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        if self.peek()? >> 5 == MAP {
            self.stream_map(v)
        } else {
            self.value()?.deserialize_struct(name, fields, v)
        }
    }

    fn deserialize_enum<V: Visitor<'static>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DecodeError> {
        self.value()?.deserialize_enum(name, variants, v)
    }

    fn deserialize_ignored_any<V: Visitor<'static>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.r.skip(self.depth).map_err(malformed)?;
        v.visit_unit()
    }
}

/// Whether a streamed container has another entry (consuming the break of an indefinite one).
fn more(r: &mut Reader<'_>, left: &mut Option<u64>) -> Result<bool, DecodeError> {
    match left {
        Some(0) => Ok(false),
        Some(n) => {
            *n -= 1;
            Ok(true)
        }
        None => r.at_break().map(|end| !end).map_err(malformed),
    }
}

/// A streamed map: text keys matched in place, values read by the shape.
struct Members<'a, 'b> {
    r: &'b mut Reader<'a>,
    depth: usize,
    left: Option<u64>,
}

impl MapAccess<'static> for Members<'_, '_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'static>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        if !more(self.r, &mut self.left)? {
            return Ok(None);
        }
        // Keys must be text, as `validate` requires; as `Value::Str` keys they go through the
        // string path.
        if self.r.buf.get(self.r.pos).is_some_and(|b| b >> 5 != 3) {
            return Err(malformed("malformed CBOR: map keys must be text".into()));
        }
        seed.deserialize(Item {
            r: self.r,
            depth: self.depth + 1,
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'static>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        seed.deserialize(Item {
            r: self.r,
            depth: self.depth + 1,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.left.map(|n| n.min(1024) as usize)
    }
}

/// A streamed list.
struct Elements<'a, 'b> {
    r: &'b mut Reader<'a>,
    depth: usize,
    left: Option<u64>,
}

impl SeqAccess<'static> for Elements<'_, '_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'static>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        if !more(self.r, &mut self.left)? {
            return Ok(None);
        }
        seed.deserialize(Item {
            r: self.r,
            depth: self.depth,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        self.left.map(|n| n.min(1024) as usize)
    }
}
