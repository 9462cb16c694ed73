//! A mergeable quantile sketch in the style of DDSketch (Masson et al., VLDB 2019): values fall in
//! logarithmic buckets `(γ^(i-1), γ^i]` with `γ = (1+α)/(1-α)`, so any quantile read back is within
//! relative error `α` = [`RELATIVE_ACCURACY`] (1%) of a value of the exact rank. Negative values use a
//! mirrored store and zero its own counter. Counts are `f64` because CloudWatch `Counts` are
//! doubles. Sketches of two periods merge by adding bucket counts, so rollups answer percentiles
//! over any period made of whole rollup buckets.

use std::collections::BTreeMap;

use crate::codec::bytes::{Reader, Writer};
use crate::error::MetricsError;

/// Relative accuracy of every quantile the sketch returns.
pub const RELATIVE_ACCURACY: f64 = 0.01;
/// Magnitudes below this count as zero.
const MIN_POSITIVE: f64 = 1e-300;

fn gamma_ln() -> f64 {
    ((1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)).ln()
}

/// The sketch. Buckets are sparse (a `BTreeMap`), so memory follows the spread of the data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    positive: BTreeMap<i32, f64>,
    negative: BTreeMap<i32, f64>,
    zero: f64,
}

impl Sketch {
    pub fn new() -> Self {
        Sketch::default()
    }

    fn index(v: f64) -> i32 {
        (v.ln() / gamma_ln()).ceil() as i32
    }

    /// The value a bucket stands for: the point whose relative distance to both ends is `α`.
    fn representative(i: i32) -> f64 {
        let g = gamma_ln();
        2.0 * (i as f64 * g).exp() / (1.0 + g.exp())
    }

    /// Adds `v` with weight `w`.
    pub fn add(&mut self, v: f64, w: f64) {
        if w <= 0.0 || !v.is_finite() {
            return;
        }
        if v.abs() < MIN_POSITIVE {
            self.zero += w;
        } else if v > 0.0 {
            *self.positive.entry(Sketch::index(v)).or_insert(0.0) += w;
        } else {
            *self.negative.entry(Sketch::index(-v)).or_insert(0.0) += w;
        }
    }

    /// Adds every bucket of `other`.
    pub fn merge(&mut self, other: &Sketch) {
        for (i, c) in &other.positive {
            *self.positive.entry(*i).or_insert(0.0) += c;
        }
        for (i, c) in &other.negative {
            *self.negative.entry(*i).or_insert(0.0) += c;
        }
        self.zero += other.zero;
    }

    pub fn count(&self) -> f64 {
        self.zero + self.positive.values().sum::<f64>() + self.negative.values().sum::<f64>()
    }

    pub fn is_empty(&self) -> bool {
        self.count() <= 0.0
    }

    /// The buckets as ascending (representative value, weight) pairs: the input of every
    /// statistic computed from a sketch.
    pub fn weighted_values(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(self.positive.len() + self.negative.len() + 1);
        for (i, c) in self.negative.iter().rev() {
            out.push((-Sketch::representative(*i), *c));
        }
        if self.zero > 0.0 {
            out.push((0.0, self.zero));
        }
        for (i, c) in &self.positive {
            out.push((Sketch::representative(*i), *c));
        }
        out
    }

    pub(crate) fn encode(&self, w: &mut Writer) {
        w.f64(self.zero);
        for store in [&self.positive, &self.negative] {
            w.uvarint(store.len() as u64);
            let mut prev = 0i64;
            for (i, c) in store {
                w.ivarint(i64::from(*i) - prev);
                prev = i64::from(*i);
                w.f64(*c);
            }
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Sketch, MetricsError> {
        let zero = r.f64()?;
        let mut stores = [BTreeMap::new(), BTreeMap::new()];
        for store in &mut stores {
            let n = r.uvarint()?;
            let mut prev = 0i64;
            for _ in 0..n {
                prev += r.ivarint()?;
                let i = i32::try_from(prev)
                    .map_err(|_| MetricsError::corrupt("sketch", "bucket index out of range"))?;
                store.insert(i, r.f64()?);
            }
        }
        let [positive, negative] = stores;
        Ok(Sketch {
            positive,
            negative,
            zero,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    proptest! {
        #[test]
        fn quantiles_are_within_the_relative_accuracy(
            values in proptest::collection::vec(-1e6f64..1e6, 1..400),
            q in 0.0f64..=1.0,
        ) {
            let mut s = Sketch::new();
            for v in &values { s.add(*v, 1.0); }
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let exact = exact_quantile(&sorted, q);
            let got = crate::stats::percentile(&s.weighted_values(), q * 100.0).unwrap_or(f64::NAN);
            prop_assert!((got - exact).abs() <= RELATIVE_ACCURACY * exact.abs() + 1e-9,
                "q={q} exact={exact} got={got}");
        }

        #[test]
        fn merge_equals_adding_everything(
            a in proptest::collection::vec(-1e3f64..1e3, 0..100),
            b in proptest::collection::vec(-1e3f64..1e3, 0..100),
        ) {
            let (mut sa, mut sb, mut all) = (Sketch::new(), Sketch::new(), Sketch::new());
            for v in &a { sa.add(*v, 1.0); all.add(*v, 1.0); }
            for v in &b { sb.add(*v, 1.0); all.add(*v, 1.0); }
            sa.merge(&sb);
            prop_assert_eq!(sa, all);
        }

        #[test]
        fn encoding_round_trips(values in proptest::collection::vec(-1e9f64..1e9, 0..200)) {
            let mut s = Sketch::new();
            for v in &values { s.add(*v, 2.5); }
            let mut w = Writer::default();
            s.encode(&mut w);
            let bytes = w.into_inner();
            let back = Sketch::decode(&mut Reader::new(&bytes)).unwrap_or_default();
            prop_assert_eq!(back, s);
        }
    }
}
