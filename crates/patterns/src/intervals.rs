//! Numeric ranges of one path, indexed for stabbing queries: all ranges containing a value in
//! O(log n + hits) rather than a scan, so `numeric` rules cost the same at 10 or 10,000 rules.
//!
//! Ranges are sorted by lower bound and viewed as an implicit balanced search tree (the middle of every
//! slice is its root); each root records the largest upper bound in its slice, so a query skips every
//! slice that ends below the value and every right half that starts above it.

use crate::index::PredId;
use crate::numeric::Range;

/// Ranges with their predicates, searchable by value.
#[derive(Debug, Default)]
pub(crate) struct Intervals {
    /// Sorted by lower bound (unbounded first).
    items: Vec<(Range, PredId)>,
    /// `max_upper[mid]`: the largest upper bound in the slice whose root is `mid`.
    max_upper: Vec<f64>,
}

impl Intervals {
    /// Indexes `items`.
    pub fn build(mut items: Vec<(Range, PredId)>) -> Intervals {
        items.sort_by(|a, b| a.0.lower_value().total_cmp(&b.0.lower_value()));
        let mut max_upper = vec![f64::NEG_INFINITY; items.len()];
        fill(&items, &mut max_upper, 0, items.len());
        Intervals { items, max_upper }
    }

    /// Whether there are no ranges.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends the predicates of every range containing `v`.
    pub fn stab(&self, v: f64, out: &mut Vec<PredId>) {
        self.visit(v, 0, self.items.len(), out);
    }

    fn visit(&self, v: f64, lo: usize, hi: usize, out: &mut Vec<PredId>) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        if self.max_upper[mid] < v {
            return;
        }
        self.visit(v, lo, mid, out);
        let (range, p) = &self.items[mid];
        if range.lower_value() > v {
            return;
        }
        if range.contains(v) {
            out.push(*p);
        }
        self.visit(v, mid + 1, hi, out);
    }
}

/// Computes `max_upper` for the slice `lo..hi`; returns its maximum.
fn fill(items: &[(Range, PredId)], max_upper: &mut [f64], lo: usize, hi: usize) -> f64 {
    if lo >= hi {
        return f64::NEG_INFINITY;
    }
    let mid = lo + (hi - lo) / 2;
    let left = fill(items, max_upper, lo, mid);
    let right = fill(items, max_upper, mid + 1, hi);
    let m = items[mid].0.upper_value().max(left).max(right);
    max_upper[mid] = m;
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(lower: Option<(f64, bool)>, upper: Option<(f64, bool)>) -> Range {
        Range { lower, upper }
    }

    #[test]
    fn stabbing_agrees_with_a_scan() {
        let mut items = Vec::new();
        let mut seed = 12345u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) % 100) as f64 - 50.0
        };
        for p in 0..300u32 {
            let (a, b) = (next(), next());
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let r = match p % 5 {
                0 => range(None, Some((hi, p % 2 == 0))),
                1 => range(Some((lo, p % 3 == 0)), None),
                2 => range(None, None),
                _ => range(Some((lo, p % 2 == 0)), Some((hi, p % 3 == 0))),
            };
            items.push((r, p));
        }
        let index = Intervals::build(items.clone());
        for i in -120..120 {
            let v = f64::from(i) / 2.0;
            let mut got = Vec::new();
            index.stab(v, &mut got);
            got.sort_unstable();
            let want: Vec<u32> = items
                .iter()
                .filter(|(r, _)| r.contains(v))
                .map(|(_, p)| *p)
                .collect();
            assert_eq!(got, want, "value {v}");
        }
        assert!(Intervals::build(Vec::new()).is_empty());
    }
}
