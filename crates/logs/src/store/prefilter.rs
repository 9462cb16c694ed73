//! Cheap checks a filter-pattern read runs before the full matcher: skip a chunk whose token filter
//! excludes the pattern's required literals (without reading it), and inside a chunk jump from one
//! occurrence of a required literal to the next with one `memmem` search over the decompressed text
//! instead of testing every event.

use memchr::memmem::Finder;

use super::chunk::{ChunkMeta, RawChunk};
use super::token_filter::TokenFilter;
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

    /// Whether a block whose trigram filter is `f` may hold a matching event.
    pub(crate) fn filter_may_match(&self, f: &TokenFilter) -> bool {
        f.may_satisfy(&self.req)
    }

    /// A fresh cursor for [`Prefilter::next_candidate`] over one chunk or block.
    pub(crate) fn cursor(&self) -> Cursor {
        let needles = if self.anchor.is_some() {
            1
        } else {
            self.any.len() + usize::from(!self.req.raw)
        };
        Cursor {
            hits: vec![(usize::MAX, None); needles],
        }
    }

    /// The first hit of needle `k` at byte `from` or later (the anchor, else `any[k]`, else the
    /// backslash), remembered in `cur` so every needle searches each stretch of text once.
    fn hit(&self, k: usize, text: &[u8], from: usize, cur: &mut Cursor) -> Option<usize> {
        let (searched_from, hit) = cur.hits[k];
        if searched_from <= from && hit.is_none_or(|h| h >= from) {
            return hit;
        }
        let rest = text.get(from..)?;
        let found = match (&self.anchor, self.any.get(k)) {
            (Some(f), _) | (None, Some(f)) => f.find(rest),
            (None, None) => memchr::memchr(b'\\', rest),
        };
        let hit = found.map(|p| p + from);
        cur.hits[k] = (from, hit);
        hit
    }

    /// The first event at index `i` or later that may match, `None` if none may: the event
    /// holding the nearest occurrence, from event `i` on, of the anchor (or of any literal of the
    /// chosen clause or — for JSON patterns — a backslash). An occurrence straddling two messages
    /// yields the first, which the matcher then rejects, and the search goes on from the next.
    pub(crate) fn next_candidate(&self, c: &RawChunk, i: usize, cur: &mut Cursor) -> Option<usize> {
        let hs = &c.headers;
        let from = hs.get(i)?.span().0;
        let text = c.text().as_bytes();
        let at = (0..cur.hits.len())
            .filter_map(|k| self.hit(k, text, from, cur))
            .min()?;
        // Hits are often a few events ahead: walk (sequential memory) before bisecting.
        let mut j = i;
        while j < hs.len() && hs[j].span().1 <= at {
            j += 1;
            if j - i == 16 {
                j += hs[j..].partition_point(|h| h.span().1 <= at);
                break;
            }
        }
        (j < hs.len()).then_some(j)
    }
}

/// Where each needle of a [`Prefilter`] was last searched from and found, in one chunk or block.
pub(crate) struct Cursor {
    hits: Vec<(usize, Option<usize>)>,
}
