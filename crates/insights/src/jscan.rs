//! A validating scan of a JSON object's top level that only *locates* wanted keys' values (byte
//! spans into the message) and skips everything else without decoding or allocating. The query
//! then materializes only the values it needs, when it needs them (a `filter`'s fields first, the
//! rest only for events that pass).
//!
//! The whole document is checked as serde_json would check it (strings, escapes, numbers,
//! literals, nesting up to 128 levels, nothing after the object but whitespace), so a message
//! that is not one JSON object yields no fields, exactly as full parsing would.

/// Nesting depth serde_json accepts.
const MAX_DEPTH: usize = 128;

/// A located value: `start..end` in the message.
pub type Span = (usize, usize);

/// Scans the JSON object `text`; for each wanted key found at the top level stores its value's
/// span in `out` (same order as `wanted`; the last occurrence of a duplicate key wins; `null`
/// values are left out). Returns `false` (and clears `out`) if `text` is not one valid JSON
/// object.
pub fn locate<W: AsRef<str>>(text: &[u8], wanted: &[W], out: &mut [Option<Span>]) -> bool {
    out.iter_mut().for_each(|o| *o = None);
    let ok = Scanner { b: text, i: 0 }.top(wanted, out, 0).is_some();
    if !ok {
        out.iter_mut().for_each(|o| *o = None);
    }
    ok
}

/// How far [`locate_until`] scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `text` is not one valid JSON object (`out` is cleared).
    Invalid,
    /// The whole object was scanned and is valid: `out` is what [`locate`] gives.
    Complete,
    /// Every key `stop` names was seen; the scan stopped at this offset (just after that
    /// member's value). `out` holds the values seen so far; the rest of the text is unchecked
    /// ([`resume`] finishes the scan).
    Stopped(usize),
}

/// [`locate`], stopping as soon as every wanted key whose flag is set in `stop` has been seen
/// (with a `null` value too) at the top level. Keys past the 64th are never waited for.
pub fn locate_until<W: AsRef<str>>(
    text: &[u8],
    wanted: &[W],
    stop: &[bool],
    out: &mut [Option<Span>],
) -> Progress {
    out.iter_mut().for_each(|o| *o = None);
    let mut mask = 0u64;
    for (i, s) in stop.iter().enumerate() {
        if *s {
            if i >= 64 {
                mask = 0;
                break;
            }
            mask |= 1 << i;
        }
    }
    match (Scanner { b: text, i: 0 }).top(wanted, out, mask) {
        None => {
            out.iter_mut().for_each(|o| *o = None);
            Progress::Invalid
        }
        Some(None) => Progress::Complete,
        Some(Some(at)) => Progress::Stopped(at),
    }
}

/// Finishes a scan [`locate_until`] stopped at `at`, with the `out` it left: later members
/// update `out` (the last occurrence of a key wins). Returns `false` (and clears `out`) if the
/// text is not one valid JSON object after all.
pub fn resume<W: AsRef<str>>(
    text: &[u8],
    wanted: &[W],
    at: usize,
    out: &mut [Option<Span>],
) -> bool {
    let ok = (Scanner { b: text, i: at })
        .members(wanted, out, 0, true)
        .is_some();
    if !ok {
        out.iter_mut().for_each(|o| *o = None);
    }
    ok
}

/// Whether `rest` (the text after a stopped scan) certainly holds no member named by one of
/// `quoted` (each a key between double quotes, as [`quoted_key`] makes it): no backslash (so
/// no escaped key) and no quoted key anywhere, nested or not.
pub fn no_key_in(rest: &[u8], quoted: &[memchr::memmem::Finder<'_>]) -> bool {
    memchr::memchr(b'\\', rest).is_none() && quoted.iter().all(|f| f.find(rest).is_none())
}

/// `"key"`: how an unescaped key appears in JSON text.
pub fn quoted_key(key: &str) -> Vec<u8> {
    let mut q = Vec::with_capacity(key.len() + 2);
    q.push(b'"');
    q.extend_from_slice(key.as_bytes());
    q.push(b'"');
    q
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `w` is `"`, `\\` or below 0x20 (a byte at or above 0x80 never is).
fn special(w: u64) -> bool {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    (zero(w ^ (ONES * u64::from(b'"')))
        | zero(w ^ (ONES * u64::from(b'\\')))
        | (w.wrapping_sub(ONES * 0x20) & !w & HIGH))
        != 0
}

/// The bytes that end a run of plain string content.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn top<W: AsRef<str>>(
        &mut self,
        wanted: &[W],
        out: &mut [Option<Span>],
        stop: u64,
    ) -> Option<Option<usize>> {
        self.ws();
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return self.end().map(|()| None);
        }
        self.members(wanted, out, stop, false)
    }

    /// Whitespace, then the end of the text.
    fn end(&mut self) -> Option<()> {
        self.ws();
        (self.i == self.b.len()).then_some(())
    }

    /// The members of the top-level object, from the cursor (just after a member's value when
    /// `resume`, else at a key). Returns `Some(Some(at))` once every wanted key whose bit is
    /// set in `stop` has been seen (the cursor `at` is just after that member's value, the
    /// rest unchecked), `Some(None)` at the valid end of the text, `None` if it is invalid.
    fn members<W: AsRef<str>>(
        &mut self,
        wanted: &[W],
        out: &mut [Option<Span>],
        stop: u64,
        resume: bool,
    ) -> Option<Option<usize>> {
        let mut seen = 0u64;
        let mut after_value = resume;
        loop {
            if after_value {
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        return self.end().map(|()| None);
                    }
                    _ => return None,
                }
            }
            after_value = true;
            self.ws();
            let (ks, ke, escaped) = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let vs = self.i;
            let is_null = self.peek()? == b'n';
            self.value(1)?;
            let key = &self.b[ks..ke];
            let slot = if escaped {
                let k: String = serde_json::from_slice(&self.b[ks - 1..ke + 1]).ok()?;
                wanted.iter().position(|w| w.as_ref() == k)
            } else {
                wanted.iter().position(|w| w.as_ref().as_bytes() == key)
            };
            if let Some(s) = slot {
                out[s] = (!is_null).then_some((vs, self.i));
                if s < 64 {
                    seen |= 1 << s;
                }
                if stop != 0 && seen & stop == stop {
                    return Some(Some(self.i));
                }
            }
        }
    }

    /// A string at the cursor; returns its contents' span and whether it holds escapes.
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            // Eight bytes at a time while none is a quote, a backslash or a control character,
            // then byte by byte through a class table.
            while let Some(w) = self.b.get(self.i..self.i + 8) {
                let mut a = [0u8; 8];
                a.copy_from_slice(w);
                if special(u64::from_le_bytes(a)) {
                    break;
                }
                self.i += 8;
            }
            while self
                .b
                .get(self.i)
                .is_some_and(|c| !SPECIAL[usize::from(*c)])
            {
                self.i += 1;
            }
            let c = *self.b.get(self.i)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some((start, self.i - 1, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.i += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            let hex = self.b.get(self.i + 1..self.i + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.i += 5;
                        }
                        _ => return None,
                    }
                }
                // Control characters are not allowed inside strings.
                0..0x20 => return None,
                _ => self.i += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let s = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - s
    }

    fn number(&mut self) -> Option<()> {
        if self.peek()? == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        (self.b.get(self.i..self.i + word.len())? == word).then(|| self.i += word.len())
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.number(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn spans(text: &str, wanted: &[&str]) -> Option<Vec<Option<&'static str>>> {
        let mut out = vec![None; wanted.len()];
        if !locate(text.as_bytes(), wanted, &mut out) {
            return None;
        }
        Some(
            out.into_iter()
                .map(|s| s.map(|(a, b)| &*String::from(&text[a..b]).leak()))
                .collect(),
        )
    }

    #[test]
    fn locates_top_level_values_only() {
        let t = r#" {"a": 1, "b": {"a": 2, "c": [1, {"d": "x"}]}, "s": "q\"z", "n": null, "a": -2.5e3} "#;
        assert_eq!(
            spans(t, &["a", "b", "s", "n", "zz"]).unwrap(),
            [
                Some("-2.5e3"),
                Some(r#"{"a": 2, "c": [1, {"d": "x"}]}"#),
                Some(r#""q\"z""#),
                None,
                None
            ]
        );
        // Escaped keys are decoded before comparing.
        assert_eq!(spans(r#"{"\u0061":true}"#, &["a"]).unwrap(), [Some("true")]);
        assert_eq!(spans("{}", &["a"]).unwrap(), [None]);
    }

    #[test]
    fn stops_once_the_wanted_keys_are_seen_and_resumes() {
        let t = br#"{"a":1,"b":"x","c":2,"b":"y","d":[1]}"#;
        let wanted = ["b", "c", "d"];
        let mut out = [None; 3];
        // Waiting for `b` only: stops just after its first value.
        let p = locate_until(t, &wanted, &[true, false, false], &mut out);
        assert_eq!(p, Progress::Stopped(14));
        assert_eq!(out, [Some((11, 14)), None, None]);
        // The rest names `b` again, so the stop cannot be trusted.
        let finders = [memchr::memmem::Finder::new(b"\"b\"")];
        assert!(!no_key_in(&t[14..], &finders));
        assert!(resume(t, &wanted, 14, &mut out));
        assert_eq!(out, [Some((25, 28)), Some((19, 20)), Some((33, 36))]);
        let mut full = [None; 3];
        assert!(locate(t, &wanted, &mut full));
        assert_eq!(out, full);
        // A key seen with `null` counts as seen.
        let t = br#"{"b":null,"c":1}"#;
        assert_eq!(
            locate_until(t, &wanted, &[true, false, false], &mut out),
            Progress::Stopped(9)
        );
        // Never seen: the scan goes to the end.
        assert_eq!(
            locate_until(br#"{"c":1}"#, &wanted, &[true, false, false], &mut out),
            Progress::Complete
        );
        // Invalid before the stop, or after it (found by resuming).
        let t = br#"{"c":01,"b":1}"#;
        assert_eq!(
            locate_until(t, &wanted, &[true, false, false], &mut out),
            Progress::Invalid
        );
        let t = br#"{"b":1,"c":2,}"#;
        assert_eq!(
            locate_until(t, &wanted, &[true, false, false], &mut out),
            Progress::Stopped(6)
        );
        assert!(!resume(t, &wanted, 6, &mut out));
        assert_eq!(out, [None; 3]);
    }

    #[test]
    fn keys_after_a_stop() {
        let f = [memchr::memmem::Finder::new(&quoted_key("status")).into_owned()];
        assert!(no_key_in(br#","svc":"a","n":{"x":1}}"#, &f));
        assert!(!no_key_in(br#","n":{"status":1}}"#, &f));
        // Any backslash could spell the key escaped.
        assert!(!no_key_in(br#","st\u0061tus":1}"#, &f));
        assert!(!no_key_in(br#","m":"a\"b"}"#, &f));
    }

    #[test]
    fn agrees_with_serde_json_on_validity() {
        let cases = [
            r#"{"a":1}"#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":"x\qy"}"#,
            "{\"a\":\"x\ty\"}",
            r#"{"a":"\u12"}"#,
            r#"{"a":[1,2,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":{"b":1}} x"#,
            r#"{"a" 1}"#,
            r#"[1]"#,
            r#"{"a":1}{"#,
            r#"{"a":nul}"#,
            r#"{"a":[],"b":{},"c":"","d":0,"e":-0.5E+2}"#,
            "",
            "{",
            r#"{"a":"unterminated}"#,
        ];
        for c in cases {
            let serde_ok =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(c).is_ok();
            let mut out = [None];
            assert_eq!(locate(c.as_bytes(), &["a"], &mut out), serde_ok, "{c}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert!(!locate(deep.as_bytes(), &["a"], &mut [None]));
    }
}
