//! The fast path: walking an event straight from its JSON bytes, segment by segment through the path
//! trie, skipping subtrees no rule names without building anything.
//!
//! Strings are scanned eight bytes at a time; non-ASCII text is checked to be UTF-8; kept strings are
//! borrowed unless they contain escapes.
//! Skipped subtrees are only checked for balanced brackets, well-formed strings (escapes, no raw control
//! characters) and well-formed literals. Duplicate keys are all kept (a `serde_json::Value` keeps the last
//! one), so events with duplicate keys may match differently.

use std::borrow::Cow;

use crate::MAX_EVENT_DEPTH;
use crate::error::EventError;
use crate::flatten::{Sink, Walker};
use crate::matcher::Leaf;
use crate::numeric::Num;
use crate::scan::{CLASS, NUM, WS, find_special, special_bytes};
use crate::trie::{NodeId, ROOT, tag};

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
        while let Some(&c) = self.b.get(self.i) {
            if CLASS[c as usize] & WS != 0 {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    /// Reads an object key (opening quote at `self.i`) with its trie [`tag`]. A plain ASCII key is
    /// borrowed, and its tag is the word it was scanned with, masked to its length.
    #[inline]
    fn key(&mut self) -> Result<(Cow<'a, [u8]>, u64), EventError> {
        let start = self.i + 1;
        if let Some(chunk) = self.b.get(start..).and_then(|r| r.first_chunk::<8>()) {
            let w = u64::from_le_bytes(*chunk);
            let marks = special_bytes(w);
            let (end, t) = if marks == 0 {
                (find_special(self.b, start + 8), w)
            } else {
                let p = (marks.trailing_zeros() / 8) as usize;
                (start + p, w & ((1u64 << (8 * p)) - 1))
            };
            if self.b.get(end) == Some(&b'"') {
                self.i = end + 1;
                return Ok((Cow::Borrowed(&self.b[start..end]), t));
            }
        }
        let k = self.string_bytes()?;
        let t = tag(&k);
        Ok((k, t))
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Reads a string's bytes (opening quote at `self.i`), borrowed unless it holds escapes; the text is
    /// checked to be UTF-8.
    #[inline]
    fn string_bytes(&mut self) -> Result<Cow<'a, [u8]>, EventError> {
        let start = self.i + 1;
        let end = find_special(self.b, start);
        if self.b.get(end) == Some(&b'"') {
            // Plain ASCII up to the closing quote.
            self.i = end + 1;
            return Ok(Cow::Borrowed(&self.b[start..end]));
        }
        self.i = start;
        if self.b.get(end) != Some(&b'\\') {
            // Non-ASCII text: borrowed if it is valid UTF-8 without escapes.
            self.string_tail(None)?;
            let raw = &self.b[start..self.i - 1];
            if memchr::memchr(b'\\', raw).is_none() {
                return Ok(Cow::Borrowed(raw));
            }
            self.i = start;
        }
        let mut out: Vec<u8> = Vec::with_capacity(end - start + 16);
        self.string_tail(Some(&mut out))?;
        Ok(Cow::Owned(out))
    }

    /// Reads a string (opening quote at `self.i`), borrowed unless it holds escapes.
    #[inline]
    fn string(&mut self) -> Result<Cow<'a, str>, EventError> {
        let at = self.i;
        let end = find_special(self.b, at + 1);
        if self.b.get(end) == Some(&b'"') {
            // Plain ASCII up to the closing quote (the check below cannot fail; safe code needs it).
            self.i = end + 1;
            return match std::str::from_utf8(&self.b[at + 1..end]) {
                Ok(s) => Ok(Cow::Borrowed(s)),
                Err(_) => Err(EventError::Malformed(at)),
            };
        }
        match self.string_bytes()? {
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(Cow::Borrowed(s)),
                Err(_) => Err(EventError::Malformed(at)),
            },
            Cow::Owned(v) => match String::from_utf8(v) {
                Ok(s) => Ok(Cow::Owned(s)),
                Err(_) => Err(EventError::Malformed(at)),
            },
        }
    }

    /// Skips a string (opening quote at `self.i`), validating it as [`Reader::string`] does.
    #[inline]
    fn skip_string(&mut self) -> Result<(), EventError> {
        let start = self.i + 1;
        let end = find_special(self.b, start);
        if self.b.get(end) == Some(&b'"') {
            self.i = end + 1;
            return Ok(());
        }
        self.i = start;
        self.string_tail(None)
    }

    /// Reads the rest of a string from `self.i` up to and including its closing quote, appending the
    /// unescaped text to `out` when given. Non-ASCII runs are checked to be UTF-8 (escapes are ASCII, so
    /// checking the runs between them checks the whole text).
    fn string_tail(&mut self, mut out: Option<&mut Vec<u8>>) -> Result<(), EventError> {
        let mut run = self.i;
        let mut non_ascii = false;
        loop {
            let end = find_special(self.b, self.i);
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&self.b[self.i..end]);
            }
            self.i = end;
            let c = self.peek();
            if matches!(c, Some(0x80..)) {
                non_ascii = true;
                self.i += 1;
                if let Some(o) = out.as_deref_mut()
                    && let Some(&byte) = self.b.get(end)
                {
                    o.push(byte);
                }
                continue;
            }
            if non_ascii {
                if std::str::from_utf8(&self.b[run..end]).is_err() {
                    return Err(EventError::Malformed(run));
                }
                non_ascii = false;
            }
            match c {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => self.i += 1,
                _ => return self.err(),
            }
            let Some(e) = self.peek() else {
                return self.err();
            };
            self.i += 1;
            let byte = match e {
                b'"' | b'\\' | b'/' => e,
                b'b' => 8,
                b'f' => 12,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
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
                    if let Some(o) = out.as_deref_mut() {
                        let mut buf = [0u8; 4];
                        o.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    run = self.i;
                    continue;
                }
                _ => return self.err(),
            };
            if let Some(o) = out.as_deref_mut() {
                o.push(byte);
            }
            run = self.i;
        }
    }

    fn hex4(&mut self) -> Result<u32, EventError> {
        let Some(h) = self.b.get(self.i..self.i + 4) else {
            return self.err();
        };
        let mut v = 0u32;
        for &c in h {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return self.err(),
            };
            v = v * 16 + u32::from(d);
        }
        self.i += 4;
        Ok(v)
    }

    #[inline]
    fn number_text(&mut self) -> &'a [u8] {
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if CLASS[c as usize] & NUM != 0 {
                self.i += 1;
            } else {
                break;
            }
        }
        &self.b[start..self.i]
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
                Some(b'"') => self.skip_string()?,
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

/// Walks an event object given as raw JSON bytes, handing the leaves at paths the walker's trie holds
/// to its sink.
pub(crate) fn walk_bytes<S: Sink>(
    bytes: &[u8],
    w: &mut Walker<'_, '_, S>,
) -> Result<(), EventError> {
    let mut r = Reader { b: bytes, i: 0 };
    r.ws();
    if r.peek() != Some(b'{') {
        return r.err();
    }
    object(&mut r, w, ROOT, 0)?;
    r.ws();
    if r.i != bytes.len() {
        return r.err();
    }
    Ok(())
}

fn object<S: Sink>(
    r: &mut Reader<'_>,
    w: &mut Walker<'_, '_, S>,
    node: NodeId,
    depth: usize,
) -> Result<(), EventError> {
    if depth > MAX_EVENT_DEPTH {
        return Err(EventError::TooDeep(MAX_EVENT_DEPTH));
    }
    // The caller has seen the opening brace.
    r.i += 1;
    r.ws();
    if r.peek() == Some(b'}') {
        r.i += 1;
        return Ok(());
    }
    loop {
        // Compact JSON (the common case) has no whitespace between tokens: test the byte first.
        if r.peek() != Some(b'"') {
            r.ws();
            if r.peek() != Some(b'"') {
                return r.err();
            }
        }
        let (key, t) = r.key()?;
        if r.peek() != Some(b':') {
            r.ws();
            if r.peek() != Some(b':') {
                return r.err();
            }
        }
        r.i += 1;
        match w.trie.step(node, &key, t) {
            Some(child) => value(r, w, child, depth + 1)?,
            None => {
                r.ws();
                match r.peek() {
                    Some(b'"') => r.skip_string()?,
                    // A number is skipped as `skip` would, without entering its container loop.
                    Some(c) if CLASS[c as usize] & NUM != 0 => {
                        r.number_text();
                    }
                    _ => r.skip()?,
                }
            }
        }
        let mut c = r.peek();
        if !matches!(c, Some(b',' | b'}')) {
            r.ws();
            c = r.peek();
        }
        match c {
            Some(b',') => r.i += 1,
            Some(b'}') => {
                r.i += 1;
                return Ok(());
            }
            _ => return r.err(),
        }
    }
}

fn value<S: Sink>(
    r: &mut Reader<'_>,
    w: &mut Walker<'_, '_, S>,
    node: NodeId,
    depth: usize,
) -> Result<(), EventError> {
    if depth > MAX_EVENT_DEPTH {
        return Err(EventError::TooDeep(MAX_EVENT_DEPTH));
    }
    r.ws();
    let leaf = match r.peek() {
        Some(b'{') => {
            return if w.trie.descend(node) {
                object(r, w, node, depth)
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
                let res = value(r, w, node, depth + 1);
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
        Some(b'"') => {
            if w.trie.key(node).is_none() {
                return r.skip_string();
            }
            Leaf::Str(r.string()?)
        }
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
            match Num::parse_bytes(text) {
                Some(n) => Leaf::Num(n),
                None => return Err(EventError::Malformed(at)),
            }
        }
        None => return r.err(),
    };
    w.emit(node, &leaf);
    Ok(())
}
