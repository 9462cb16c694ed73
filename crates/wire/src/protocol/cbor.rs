//! Smithy RPC v2 CBOR: definite or indefinite-length maps in, definite-length maps out,
//! timestamps as tag 1, and the `smithy-protocol: rpc-v2-cbor` header on every response.

use bytes::Bytes;

use super::{Rendered, query_error_header};
use crate::error::ApiError;
use crate::value::Value;

pub const CONTENT_TYPE: &str = "application/cbor";

/// Maximum nesting accepted in a request (shapes are a few levels deep).
pub(super) const MAX_DEPTH: usize = 64;

/// Decodes a CBOR request body; an empty body is an empty structure.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    if body.is_empty() {
        return Ok(Value::empty());
    }
    let mut r = Reader { buf: body, pos: 0 };
    let v = r.item(0)?;
    if r.pos != body.len() {
        return Err(format!(
            "malformed CBOR: {} trailing bytes",
            body.len() - r.pos
        ));
    }
    match v {
        Value::Struct(_) => Ok(v),
        _ => Err("the request body must be a CBOR map".into()),
    }
}

pub use super::cbor_de::validate;

/// A CBOR (RFC 8949) reader producing [`Value`]s: definite and indefinite lengths, tag 1 as a
/// timestamp, other tags transparent, half/single/double floats.
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
}

/// What an initial byte announces.
pub(super) enum Len {
    Definite(u64),
    Indefinite,
}

const BREAK: u8 = 0xff;

impl Reader<'_> {
    pub(super) fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or("malformed CBOR: unexpected end of input")?;
        self.pos += 1;
        Ok(b)
    }

    pub(super) fn take(&mut self, n: u64) -> Result<&[u8], String> {
        let n = usize::try_from(n).map_err(|_| "malformed CBOR: length too large")?;
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or("malformed CBOR: unexpected end of input")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(super) fn uint(&mut self, info: u8) -> Result<Len, String> {
        Ok(Len::Definite(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(self.array()?)),
            26 => u64::from(u32::from_be_bytes(self.array()?)),
            27 => u64::from_be_bytes(self.array()?),
            31 => return Ok(Len::Indefinite),
            _ => {
                return Err(format!(
                    "malformed CBOR: reserved additional information {info}"
                ));
            }
        }))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let s = self.take(N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    pub(super) fn definite(&mut self, info: u8) -> Result<u64, String> {
        match self.uint(info)? {
            Len::Definite(n) => Ok(n),
            Len::Indefinite => Err("malformed CBOR: indefinite length not allowed here".into()),
        }
    }

    pub(super) fn at_break(&mut self) -> Result<bool, String> {
        match self.buf.get(self.pos) {
            Some(&BREAK) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err("malformed CBOR: unexpected end of input".into()),
        }
    }

    /// Bytes of a (possibly chunked) byte or text string of major type `major`.
    fn string(&mut self, major: u8, info: u8) -> Result<Vec<u8>, String> {
        match self.uint(info)? {
            Len::Definite(n) => Ok(self.take(n)?.to_vec()),
            Len::Indefinite => self.string_chunks(major),
        }
    }

    /// The chunks of an indefinite-length string, up to its break.
    pub(super) fn string_chunks(&mut self, major: u8) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        while !self.at_break()? {
            let b = self.byte()?;
            if b >> 5 != major {
                return Err("malformed CBOR: bad chunk in an indefinite-length string".into());
            }
            let n = self.definite(b & 0x1f)?;
            out.extend_from_slice(self.take(n)?);
        }
        Ok(out)
    }

    fn text(&mut self, info: u8) -> Result<String, String> {
        String::from_utf8(self.string(3, info)?)
            .map_err(|_| "malformed CBOR: text is not UTF-8".into())
    }

    pub(super) fn item(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("malformed CBOR: nested too deeply".into());
        }
        let b = self.byte()?;
        let (major, info) = (b >> 5, b & 0x1f);
        Ok(match major {
            0 => {
                let n = self.definite(info)?;
                i64::try_from(n)
                    .map(Value::Int)
                    .unwrap_or(Value::Float(n as f64))
            }
            1 => {
                let n = self.definite(info)?;
                i64::try_from(n)
                    .map(|n| Value::Int(-1 - n))
                    .unwrap_or(Value::Float(-1.0 - n as f64))
            }
            2 => Value::Blob(self.string(2, info)?),
            3 => Value::Str(self.text(info)?),
            4 => {
                let mut items = Vec::new();
                match self.uint(info)? {
                    Len::Definite(n) => {
                        // Every item takes at least one byte: a bound on what to reserve.
                        items.reserve(n.min((self.buf.len() - self.pos) as u64) as usize);
                        for _ in 0..n {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                    Len::Indefinite => {
                        while !self.at_break()? {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                }
                Value::List(items)
            }
            5 => {
                let mut members = Vec::new();
                match self.uint(info)? {
                    Len::Definite(n) => {
                        for _ in 0..n {
                            members.push(self.member(depth)?);
                        }
                    }
                    Len::Indefinite => {
                        while !self.at_break()? {
                            members.push(self.member(depth)?);
                        }
                    }
                }
                Value::Struct(members)
            }
            6 => {
                let tag = self.definite(info)?;
                let inner = self.item(depth + 1)?;
                match (tag, inner) {
                    (1, Value::Int(i)) => Value::Timestamp(i as f64),
                    (1, Value::Float(f)) => Value::Timestamp(f),
                    (1, _) => return Err("malformed CBOR: tag 1 must wrap a number".into()),
                    (_, v) => v,
                }
            }
            _ => match info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 | 23 => Value::Null,
                25 => Value::Float(f16_to_f64(u16::from_be_bytes(self.array()?))),
                26 => Value::Float(f64::from(f32::from_be_bytes(self.array()?))),
                27 => Value::Float(f64::from_be_bytes(self.array()?)),
                _ => return Err(format!("malformed CBOR: unexpected simple value {info}")),
            },
        })
    }

    fn member(&mut self, depth: usize) -> Result<(String, Value), String> {
        let b = self.byte()?;
        if b >> 5 != 3 {
            return Err("malformed CBOR: map keys must be text".into());
        }
        let key = self.text(b & 0x1f)?;
        Ok((key, self.item(depth + 1)?))
    }
}

/// IEEE 754 half precision to double.
pub(super) fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f64::from(h & 0x3ff);
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mant / 1024.0) * 2f64.powi(e - 15),
    }
}

pub fn render_ok(out: &Value) -> Rendered {
    let mut body = Vec::with_capacity(64);
    match out {
        Value::Null => encode(&Value::empty(), &mut body),
        v => encode(v, &mut body),
    }
    Rendered {
        status: 200,
        content_type: CONTENT_TYPE,
        headers: vec![("smithy-protocol", "rpc-v2-cbor".to_owned())],
        body: Bytes::from(body),
    }
}

pub fn render_error(err: &ApiError, query_compatible: bool) -> Rendered {
    let mut members = vec![
        ("__type".into(), Value::Str(err.code.to_string())),
        ("message".into(), Value::Str(err.message.clone())),
    ];
    members.extend(
        err.details
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone())),
    );
    let v = Value::Struct(members);
    let mut body = Vec::new();
    encode(&v, &mut body);
    let mut headers = vec![("smithy-protocol", "rpc-v2-cbor".to_owned())];
    if query_compatible {
        headers.push(query_error_header(err));
    }
    Rendered {
        status: err.status,
        content_type: CONTENT_TYPE,
        headers,
        body: Bytes::from(body),
    }
}

fn head(major: u8, n: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= u64::from(u8::MAX) {
        out.extend_from_slice(&[m | 24, n as u8]);
    } else if n <= u64::from(u16::MAX) {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= u64::from(u32::MAX) {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn int(i: i64, out: &mut Vec<u8>) {
    if i >= 0 {
        head(0, i as u64, out);
    } else {
        head(1, (-1 - i) as u64, out);
    }
}

/// Encodes a [`Value`] as CBOR (RFC 8949), definite lengths throughout.
pub fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Int(i) => int(*i, out),
        Value::Float(f) => {
            out.push(0xfb);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Value::Str(s) => {
            head(3, s.len() as u64, out);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Blob(b) => {
            head(2, b.len() as u64, out);
            out.extend_from_slice(b);
        }
        Value::Timestamp(t) => {
            out.push(0xc1);
            if t.fract() == 0.0 && t.abs() < 9.0e15 {
                int(*t as i64, out);
            } else {
                out.push(0xfb);
                out.extend_from_slice(&t.to_be_bytes());
            }
        }
        Value::List(l) => {
            head(4, l.len() as u64, out);
            for v in l {
                encode(v, out);
            }
        }
        Value::Struct(m) | Value::Map(m) => {
            head(5, m.len() as u64, out);
            for (k, v) in m {
                head(3, k.len() as u64, out);
                out.extend_from_slice(k.as_bytes());
                encode(v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_every_major_type_and_both_length_forms() {
        // {_ "a": [_ 1, -2, h'01', "x", true, null, 1.5 (half), 0.25 (single)], "b": (_ "ab" "c") }
        let body = [
            0xbf, 0x61, b'a', 0x9f, 0x01, 0x21, 0x41, 0x01, 0x61, b'x', 0xf5, 0xf6, 0xf9, 0x3e,
            0x00, 0xfa, 0x3e, 0x80, 0x00, 0x00, 0xff, 0x61, b'b', 0x7f, 0x62, b'a', b'b', 0x61,
            b'c', 0xff, 0xff,
        ];
        let v = decode(&body).unwrap();
        assert_eq!(
            v,
            Value::Struct(vec![
                (
                    "a".into(),
                    Value::List(vec![
                        Value::Int(1),
                        Value::Int(-2),
                        Value::Blob(vec![1]),
                        Value::Str("x".into()),
                        Value::Bool(true),
                        Value::Null,
                        Value::Float(1.5),
                        Value::Float(0.25),
                    ])
                ),
                ("b".into(), Value::Str("abc".into())),
            ])
        );
    }

    #[test]
    fn round_trips_what_it_encodes() {
        let v = Value::Struct(vec![
            ("n".into(), Value::Int(-300)),
            ("big".into(), Value::Int(1 << 40)),
            ("f".into(), Value::Float(0.1)),
            ("t".into(), Value::Timestamp(1.5)),
            ("l".into(), Value::List(vec![Value::Str("é".repeat(30))])),
        ]);
        let mut out = Vec::new();
        encode(&v, &mut out);
        assert_eq!(decode(&out).unwrap(), v);
    }

    #[test]
    fn rejects_truncation_trailing_bytes_and_deep_nesting() {
        let mut out = Vec::new();
        encode(
            &Value::Struct(vec![("k".into(), Value::Str("value".into()))]),
            &mut out,
        );
        for n in 1..out.len() {
            assert!(decode(&out[..n]).is_err(), "prefix {n}");
        }
        let mut trailing = out.clone();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
        let mut deep = vec![0xa1, 0x61, b'k'];
        deep.extend(std::iter::repeat_n(0x81, 200));
        deep.push(0x01);
        assert!(decode(&deep).unwrap_err().contains("deeply"));
        // A huge declared length must not allocate or panic.
        assert!(
            decode(&[
                0xa1, 0x61, b'k', 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ])
            .is_err()
        );
        assert!(
            decode(&[
                0xa1, 0x61, b'k', 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
            ])
            .is_err()
        );
    }
}
