//! Cheap checks a filter-pattern read runs before the full matcher: skip a chunk whose token filter
//! excludes the pattern's required literals (without reading it), and inside a chunk jump from one
//! occurrence of a required literal to the next with one `memmem` search over the decompressed text
//! instead of testing every event.

use memchr::memmem::Finder;

use super::chunk::{ChunkMeta, RawChunk};
use crate::filter_pattern::{FilterPattern, Requirement};

/// The prefilter of one compiled pattern.
pub(crate) struct Prefilter {
    req: Requirement,
    /// A literal every matching event holds in its raw text (searched across the chunk's text).
    anchor: Option<Finder<'static>>,
    /// Otherwise: literals one of which a matching event holds (in its raw text, or — for JSON
    /// patterns — in its decoded strings, so events holding a backslash are always candidates).
    any: Vec<Finder<'static>>,
}

impl Prefilter {
    /// The prefilter of `pattern`; `None` if the pattern requires no literal.
    pub(crate) fn new(pattern: &FilterPattern) -> Option<Prefilter> {
        let req = pattern.requirement();
        if req.is_empty() {
            return None;
        }
        let anchor = req
            .raw
            .then(|| req.anchor())
            .flatten()
            .map(|a| Finder::new(a.as_bytes()).into_owned());
        let any = if anchor.is_some() {
            Vec::new()
        } else {
            // The clause whose shortest literal is longest is the most selective.
            req.clauses
                .iter()
                .max_by_key(|c| c.iter().map(String::len).min().unwrap_or(0))
                .map(|c| {
                    c.iter()
                        .map(|l| Finder::new(l.as_bytes()).into_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Prefilter { req, anchor, any })
    }

    /// Whether the chunk may hold a matching event (its token filter does not exclude the
    /// requirement).
    pub(crate) fn chunk_may_match(&self, c: &ChunkMeta) -> bool {
        c.may_satisfy(&self.req)
    }

    fn event_may_match(&self, msg: &[u8]) -> bool {
        (!self.req.raw && memchr::memchr(b'\\', msg).is_some())
            || self.any.iter().any(|f| f.find(msg).is_some())
    }

    /// The first event at index `i` or later that may match, `None` if none may: with an anchor,
    /// one search of the chunk's text from event `i` on (an occurrence straddling two messages
    /// yields the first, which the matcher then rejects, and the search goes on from the next).
    pub(crate) fn next_candidate(&self, c: &RawChunk, i: usize) -> Option<usize> {
        let hs = &c.headers;
        let h = hs.get(i)?;
        match &self.anchor {
            Some(f) => {
                let from = h.span().0;
                let at = from + f.find(c.text().as_bytes().get(from..)?)?;
                let j = i + hs[i..].partition_point(|h| h.span().1 <= at);
                (j < hs.len()).then_some(j)
            }
            None => (i..hs.len()).find(|&j| self.event_may_match(c.message(&hs[j]).as_bytes())),
        }
    }
}
