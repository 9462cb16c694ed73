//! String values with `*` wildcards (`*Event`, `Event*`, `123.123.*`, `*.html*`), matched in linear time.
//!
//! `*` matches any run of characters, including none. `\*` is a literal star. A value without a star is
//! an exact, case-sensitive comparison. The archived AWS guide said a star in the middle (`Ev*ent`) was
//! literal; the current guide only says "use the asterisk as a wild card to match text", so a star
//! anywhere is a wildcard here.

use memchr::memmem;

/// A parsed wildcard value: literal segments between stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    /// `segments.len() == stars + 1`; with no star this is the single exact value.
    pub(crate) segments: Vec<String>,
}

impl Wildcard {
    /// Parses a value as written in a pattern (quotes already removed, escapes not yet resolved):
    /// `\*` is a literal star, `\"` and `\\` are resolved, other backslashes are kept.
    pub(crate) fn parse(raw: &str) -> Self {
        let mut segments = vec![String::new()];
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            let last = segments.len() - 1;
            match c {
                '*' => segments.push(String::new()),
                '\\' => match chars.next() {
                    Some(n @ ('*' | '"' | '\\')) => segments[last].push(n),
                    Some(n) => {
                        segments[last].push('\\');
                        segments[last].push(n);
                    }
                    None => segments[last].push('\\'),
                },
                c => segments[last].push(c),
            }
        }
        Self { segments }
    }

    /// Whether `text` matches the whole value.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let (first, rest) = match self.segments.split_first() {
            Some(split) => split,
            None => return text.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            return text == first;
        };
        if text.len() < first.len() + last.len()
            || !text.starts_with(first.as_str())
            || !text.ends_with(last.as_str())
        {
            return false;
        }
        let mut hay = &text.as_bytes()[first.len()..text.len() - last.len()];
        for seg in middle {
            match memmem::find(hay, seg.as_bytes()) {
                Some(at) => hay = &hay[at + seg.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pat: &str, text: &str) -> bool {
        Wildcard::parse(pat).is_match(text)
    }

    #[test]
    fn globbing() {
        assert!(m("*Event", "PutEvent"));
        assert!(m("*Event", "GetEvent"));
        assert!(m("Event*", "EventId"));
        assert!(m("Ev*ent", "Event"));
        assert!(m("Ev*ent", "Ev-x-ent"));
        assert!(!m("Ev*ent", "Evnt"), "prefix and suffix must not overlap");
        assert!(m("*.html*", "GET /index.html HTTP/1.0"));
        assert!(m("4*", "404"));
        assert!(!m("4*", "500"));
        assert!(m("*", ""));
        assert!(m("a*b*c", "aXbYc"));
        assert!(!m("a*b*c", "aXcYb"));
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
    }
}
