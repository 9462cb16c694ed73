//! `wildcard` patterns: parsing (`*`, `\*`, `\\`), matching, and the complexity limit.

use std::collections::{HashSet, VecDeque};

use crate::error::{ErrorKind, PatternError};

/// Largest allowed complexity of one wildcard pattern: the most NFA positions a single input can keep
/// alive at once (event-ruler's `MachineComplexityEvaluator` threshold, 100, applied per pattern).
pub const MAX_WILDCARD_COMPLEXITY: usize = 100;
/// Cap on subsets explored while measuring complexity.
const MAX_EXPLORED: usize = 512;

/// A parsed wildcard pattern: literal segments separated by `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Wildcard {
    /// Literal byte segments; `segments.len() == stars + 1`.
    segments: Vec<Vec<u8>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Byte(u8),
    Star,
}

fn tokenize(text: &str) -> Result<Vec<Tok>, PatternError> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'*' => {
                if b.get(i + 1) == Some(&b'*') {
                    return Err(PatternError::new(
                        ErrorKind::Wildcard,
                        format!("Consecutive wildcard characters at pos {i}"),
                    ));
                }
                out.push(Tok::Star);
            }
            b'\\' => match b.get(i + 1) {
                Some(&n @ (b'*' | b'\\')) => {
                    out.push(Tok::Byte(n));
                    i += 1;
                }
                _ => {
                    return Err(PatternError::new(
                        ErrorKind::Wildcard,
                        format!("Invalid escape character at pos {i}"),
                    ));
                }
            },
            c => out.push(Tok::Byte(c)),
        }
        i += 1;
    }
    Ok(out)
}

/// The largest number of NFA positions (excluding acceptance) one input can keep alive at once.
fn complexity(toks: &[Tok]) -> usize {
    let n = toks.len();
    let closure = |set: &mut Vec<bool>| {
        for p in 0..n {
            if set[p] && toks[p] == Tok::Star {
                set[p + 1] = true;
            }
        }
    };
    let mut alphabet: Vec<u8> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Byte(b) => Some(*b),
            Tok::Star => None,
        })
        .collect::<HashSet<u8>>()
        .into_iter()
        .collect();
    alphabet.sort_unstable();
    if let Some(other) = (0u8..=255).find(|b| !alphabet.contains(b)) {
        alphabet.push(other);
    }
    let mut start = vec![false; n + 1];
    start[0] = true;
    closure(&mut start);
    let size = |s: &Vec<bool>| s[..n].iter().filter(|x| **x).count();
    let mut best = size(&start);
    let mut seen: HashSet<Vec<bool>> = HashSet::new();
    let mut queue = VecDeque::new();
    seen.insert(start.clone());
    queue.push_back(start);
    while let Some(set) = queue.pop_front() {
        for &byte in &alphabet {
            let mut next = vec![false; n + 1];
            for p in 0..n {
                if !set[p] {
                    continue;
                }
                match toks[p] {
                    Tok::Star => next[p] = true,
                    Tok::Byte(c) if c == byte => next[p + 1] = true,
                    Tok::Byte(_) => {}
                }
            }
            closure(&mut next);
            best = best.max(size(&next));
            if seen.len() < MAX_EXPLORED && !seen.contains(&next) {
                seen.insert(next.clone());
                queue.push_back(next);
            }
        }
    }
    best
}

impl Wildcard {
    /// Parses and validates a wildcard pattern (EventBridge's rules, including the complexity limit).
    pub fn parse(text: &str) -> Result<Wildcard, PatternError> {
        let toks = tokenize(text)?;
        if complexity(&toks) > MAX_WILDCARD_COMPLEXITY {
            return Err(PatternError::new(
                ErrorKind::Wildcard,
                "Rule is too complex - try using fewer wildcard characters or fewer repeating character \
                 sequences after a wildcard character",
            ));
        }
        let mut segments = vec![Vec::new()];
        for t in toks {
            match t {
                Tok::Star => segments.push(Vec::new()),
                Tok::Byte(b) => {
                    if let Some(last) = segments.last_mut() {
                        last.push(b);
                    }
                }
            }
        }
        Ok(Wildcard { segments })
    }

    /// The literal text before the first `*` (the whole text when there is no `*`).
    pub(crate) fn literal_prefix(&self) -> &[u8] {
        self.segments.first().map_or(&[][..], |s| s.as_slice())
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        let v = value.as_bytes();
        let segs = &self.segments;
        let (first, rest) = match segs.split_first() {
            Some(x) => x,
            None => return v.is_empty(),
        };
        if rest.is_empty() {
            return v == first.as_slice();
        }
        if !v.starts_with(first) {
            return false;
        }
        let mut pos = first.len();
        let (last, middle) = match rest.split_last() {
            Some(x) => x,
            None => return true,
        };
        for seg in middle {
            match find(&v[pos..], seg) {
                Some(i) => pos += i + seg.len(),
                None => return false,
            }
        }
        v.len() >= pos + last.len() && v.ends_with(last)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, v: &str) -> bool {
        Wildcard::parse(p).is_ok_and(|w| w.matches(v))
    }

    #[test]
    fn matching() {
        assert!(m("*bc", "bc"));
        assert!(m("*bc", "abcbc"));
        assert!(m("d*f", "dexeff"));
        assert!(!m("d*ff", "dexef"));
        assert!(m("12*4*", "12345"));
        assert!(!m("12*4*", "1235"));
        assert!(m("xy*", "xy"));
        assert!(m("a*b*a", "aba"));
        assert!(!m("a*a", "a"));
        assert!(m("dir/\\*.png", "dir/*.png"));
        assert!(!m("dir/\\*.png", "dir/a.png"));
        assert!(m("*", ""));
        assert!(m("", ""));
    }

    #[test]
    fn errors() {
        let e = Wildcard::parse("a**b")
            .err()
            .map(|e| e.reason().to_string());
        assert_eq!(
            e.as_deref(),
            Some("Consecutive wildcard characters at pos 1")
        );
        let e = Wildcard::parse("a\\b")
            .err()
            .map(|e| e.reason().to_string());
        assert_eq!(e.as_deref(), Some("Invalid escape character at pos 1"));
        assert_eq!(complexity(&tokenize("*a*a*a*").unwrap_or_default()), 7);
        let nasty = "*a".repeat(60) + "*";
        assert!(Wildcard::parse(&nasty).is_err());
    }
}
