//! The fast path: flattening an event straight from its JSON bytes, skipping subtrees no rule looks at.
//!
//! Skipped subtrees are only checked for balanced brackets and well-formed strings. Duplicate keys are all
//! kept (a `serde_json::Value` keeps the last one), so events with duplicate keys may match differently.

use std::borrow::Cow;

use crate::MAX_EVENT_DEPTH;
use crate::error::EventError;
use crate::flatten::{Flat, PathFilter, PathInfo, Walker};
use crate::matcher::Leaf;
use crate::numeric::Num;

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn err<T>(&self) -> Result<T, EventError> {
        Err(EventError::Malformed(self.i))
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), EventError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            self.err()
        }
    }

    /// Reads a string (opening quote at `self.i`).
    fn string(&mut self) -> Result<Cow<'a, str>, EventError> {
        self.i += 1;
        let start = self.i;
        let rest = &self.b[start..];
        let Some(end) = memchr::memchr2(b'"', b'\\', rest) else {
            return self.err();
        };
        if rest[end] == b'"' {
            self.i = start + end + 1;
            return match std::str::from_utf8(&rest[..end]) {
                Ok(s) if !s.bytes().any(|c| c < 0x20) => Ok(Cow::Borrowed(s)),
                _ => self.err(),
            };
        }
        let mut out: Vec<u8> = rest[..end].to_vec();
        self.i = start + end;
        loop {
            let Some(c) = self.peek() else {
                return self.err();
            };
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return self.err();
                    };
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return self.err();
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err();
                                }
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            }
                            let Some(ch) = char::from_u32(cp) else {
                                return self.err();
                            };
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return self.err(),
                    }
                }
                c if c < 0x20 => return self.err(),
                c => out.push(c),
            }
        }
        match String::from_utf8(out) {
            Ok(s) => Ok(Cow::Owned(s)),
            Err(_) => self.err(),
        }
    }

    fn hex4(&mut self) -> Result<u32, EventError> {
        let Some(h) = self.b.get(self.i..self.i + 4) else {
            return self.err();
        };
        let Ok(text) = std::str::from_utf8(h) else {
            return self.err();
        };
        let Ok(v) = u32::from_str_radix(text, 16) else {
            return self.err();
        };
        self.i += 4;
        Ok(v)
    }

    fn number_text(&mut self) -> &'a str {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        std::str::from_utf8(&self.b[start..self.i]).unwrap_or("")
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), EventError> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            self.err()
        }
    }

    /// Skips one value without building anything.
    fn skip(&mut self) -> Result<(), EventError> {
        self.ws();
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek() {
                Some(b'{' | b'[') => {
                    depth += 1;
                    if depth > MAX_EVENT_DEPTH {
                        return Err(EventError::TooDeep(MAX_EVENT_DEPTH));
                    }
                    self.i += 1;
                    continue;
                }
                Some(b'}' | b']') => {
                    if depth == 0 {
                        return self.err();
                    }
                    depth -= 1;
                    self.i += 1;
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b',' | b':') => {
                    if depth == 0 {
                        return self.err();
                    }
                    self.i += 1;
                    continue;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(_) => {
                    if self.number_text().is_empty() {
                        return self.err();
                    }
                }
                None => return self.err(),
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}

/// Flattens an event object from raw JSON bytes, keeping only paths `filter` wants.
pub(crate) fn flatten_bytes<'a, F: PathFilter>(
    bytes: &'a [u8],
    filter: &F,
) -> Result<Flat<'a>, EventError> {
    let mut r = Reader { b: bytes, i: 0 };
    let mut out = Flat::default();
    let mut w = Walker::new(filter);
    r.ws();
    if r.peek() != Some(b'{') {
        return r.err();
    }
    object(&mut r, &mut w, &mut out, 0)?;
    r.ws();
    if r.i != bytes.len() {
        return r.err();
    }
    Ok(out)
}

fn object<'a, F: PathFilter>(
    r: &mut Reader<'a>,
    w: &mut Walker<'_, F>,
    out: &mut Flat<'a>,
    depth: usize,
) -> Result<(), EventError> {
    if depth > MAX_EVENT_DEPTH {
        return Err(EventError::TooDeep(MAX_EVENT_DEPTH));
    }
    r.expect(b'{')?;
    r.ws();
    if r.peek() == Some(b'}') {
        r.i += 1;
        return Ok(());
    }
    loop {
        r.ws();
        if r.peek() != Some(b'"') {
            return r.err();
        }
        let key = r.string()?;
        r.expect(b':')?;
        let len = w.path.len();
        if len > 0 {
            w.path.push('.');
        }
        w.path.push_str(&key);
        let info = w.filter.lookup(&w.path);
        let res = if info.key.is_some() || info.descend {
            value(r, info, w, out, depth + 1)
        } else {
            r.skip()
        };
        w.path.truncate(len);
        res?;
        r.ws();
        match r.peek() {
            Some(b',') => r.i += 1,
            Some(b'}') => {
                r.i += 1;
                return Ok(());
            }
            _ => return r.err(),
        }
    }
}

fn value<'a, F: PathFilter>(
    r: &mut Reader<'a>,
    info: PathInfo,
    w: &mut Walker<'_, F>,
    out: &mut Flat<'a>,
    depth: usize,
) -> Result<(), EventError> {
    if depth > MAX_EVENT_DEPTH {
        return Err(EventError::TooDeep(MAX_EVENT_DEPTH));
    }
    r.ws();
    let leaf = match r.peek() {
        Some(b'{') => {
            return if info.descend {
                object(r, w, out, depth)
            } else {
                r.skip()
            };
        }
        Some(b'[') => {
            r.i += 1;
            let id = w.next_array;
            w.next_array += 1;
            r.ws();
            if r.peek() == Some(b']') {
                r.i += 1;
                return Ok(());
            }
            let mut idx = 0u32;
            loop {
                w.stack.push((id, idx));
                let res = value(r, info, w, out, depth + 1);
                w.stack.pop();
                res?;
                idx += 1;
                r.ws();
                match r.peek() {
                    Some(b',') => r.i += 1,
                    Some(b']') => {
                        r.i += 1;
                        return Ok(());
                    }
                    _ => return r.err(),
                }
            }
        }
        Some(b'"') => Leaf::Str(r.string()?),
        Some(b't') => {
            r.literal(b"true")?;
            Leaf::Bool(true)
        }
        Some(b'f') => {
            r.literal(b"false")?;
            Leaf::Bool(false)
        }
        Some(b'n') => {
            r.literal(b"null")?;
            Leaf::Null
        }
        Some(_) => {
            let at = r.i;
            let text = r.number_text();
            match Num::parse(text) {
                Some(n) => Leaf::Num(n),
                None => return Err(EventError::Malformed(at)),
            }
        }
        None => return r.err(),
    };
    if let Some(key) = info.key {
        w.emit(out, key, leaf);
    }
    Ok(())
}
