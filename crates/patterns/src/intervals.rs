//! Numeric ranges of one path, indexed for stabbing queries: all ranges containing a value in
//! O(log n + hits) rather than a scan, so `numeric` rules cost the same at 10 or 10,000 rules.
//!
//! Ranges are sorted by lower bound (then upper). When their upper bounds then never decrease — no
//! range ends inside an earlier-starting one, as with bins — a query is one binary search over the
//! lower bounds and a backward scan that stops at the first range ending below the value. Otherwise
//! the sorted ranges are viewed as an implicit balanced search tree (the middle of every slice is its
//! root); each root records the largest upper bound in its slice, so a query skips every slice that
//! ends below the value and every right half that starts above it.

use crate::index::PredId;
use crate::numeric::Range;

/// Ranges with their predicates, searchable by value.
#[derive(Debug, Default)]
pub(crate) struct Intervals {
    /// Sorted by lower bound (unbounded first), then upper bound.
    items: Vec<(Range, PredId)>,
    /// The items' lower bounds, contiguous for the binary search.
    lowers: Vec<f64>,
    /// Whether the upper bounds never decrease along `items`.
    chained: bool,
    /// `max_upper[mid]`: the largest upper bound in the slice whose root is `mid`.
    max_upper: Vec<f64>,
}

impl Intervals {
    /// Indexes `items`.
    pub fn build(mut items: Vec<(Range, PredId)>) -> Intervals {
        items.sort_by(|a, b| {
            a.0.lower_value()
                .total_cmp(&b.0.lower_value())
                .then(a.0.upper_value().total_cmp(&b.0.upper_value()))
        });
        let lowers = items.iter().map(|(r, _)| r.lower_value()).collect();
        let chained = items
            .windows(2)
            .all(|w| w[0].0.upper_value() <= w[1].0.upper_value());
        let mut max_upper = vec![f64::NEG_INFINITY; items.len()];
        fill(&items, &mut max_upper, 0, items.len());
        Intervals {
            items,
            lowers,
            chained,
            max_upper,
        }
    }

    /// Whether there are no ranges.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends the predicates of every range containing `v`.
    #[inline]
    pub fn stab(&self, v: f64, out: &mut Vec<PredId>) {
        if !self.chained {
            return self.visit(v, 0, self.items.len(), out);
        }
        // Ranges past `end` start above `v`; scanning back, once one ends below `v` all earlier do.
        let end = self.lowers.partition_point(|l| *l <= v);
        for (range, p) in self.items[..end].iter().rev() {
            if range.upper_value() < v {
                break;
            }
            if range.contains(v) {
                out.push(*p);
            }
        }
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
        assert!(!index.chained);
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

    #[test]
    fn chained_ranges_agree_with_a_scan() {
        // Bins (touching, open or closed at either end), duplicates and points: upper bounds never
        // decrease once sorted, so queries take the binary-search path.
        let mut items = Vec::new();
        for i in 0..60u32 {
            let lo = f64::from(i) / 2.0 - 10.0;
            let hi = lo + 0.5;
            items.push((range(Some((lo, i % 2 == 0)), Some((hi, i % 3 == 0))), i));
            if i % 7 == 0 {
                items.push((range(Some((lo, false)), Some((hi, false))), 1000 + i));
                items.push((range(Some((lo, false)), Some((lo, false))), 2000 + i));
            }
        }
        items.push((range(None, Some((-10.0, true))), 3000));
        items.push((range(Some((20.0, true)), None), 3001));
        let index = Intervals::build(items.clone());
        assert!(index.chained);
        for i in -100..100 {
            let v = f64::from(i) / 4.0;
            let mut got = Vec::new();
            index.stab(v, &mut got);
            got.sort_unstable();
            let mut want: Vec<u32> = items
                .iter()
                .filter(|(r, _)| r.contains(v))
                .map(|(_, p)| *p)
                .collect();
            want.sort_unstable();
            assert_eq!(got, want, "value {v}");
        }
    }
}
