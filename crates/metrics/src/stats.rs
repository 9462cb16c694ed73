//! Statistics: the five basic ones and the extended ones (pNN.NN, tmNN, wmNN, tcNN, tsNN,
//! `TM/WM/TC/TS/PR(x:y)` with percent or absolute bounds, IQM), parsed from their names and
//! computed from an [`Agg`]: count/sum/min/max plus either the exact weighted values (raw data) or
//! a [`Sketch`] (rollups). Extended statistics work the same on both: they read a sorted list of
//! (value, weight) pairs.

use crate::model::Entry;
use crate::sketch::Sketch;

/// The statistics of GetMetricStatistics' `Statistics`.
pub const BASIC_STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

/// One bound of a trimmed statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    Unbounded,
    Percent(f64),
    Value(f64),
}

/// What an extended statistic computes over the values inside its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    Mean,
    Winsorized,
    Count,
    Sum,
    /// Percentile rank: the percentage of values inside the (absolute) bounds.
    Rank,
}

/// A statistic CloudWatch can return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    SampleCount,
    Average,
    Sum,
    Minimum,
    Maximum,
    Percentile(f64),
    Trimmed(Trim, Bound, Bound),
}

impl Statistic {
    /// Parses a statistic or extended statistic name; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Statistic> {
        Some(match s {
            "SampleCount" => Statistic::SampleCount,
            "Average" => Statistic::Average,
            "Sum" => Statistic::Sum,
            "Minimum" => Statistic::Minimum,
            "Maximum" => Statistic::Maximum,
            "IQM" => Statistic::Trimmed(Trim::Mean, Bound::Percent(25.0), Bound::Percent(75.0)),
            _ => return parse_extended(s),
        })
    }

    pub fn is_extended(&self) -> bool {
        matches!(self, Statistic::Percentile(_) | Statistic::Trimmed(..))
    }

    /// Computes the statistic; `None` when the data cannot answer it (percentiles of statistic
    /// sets, a trimmed range holding no value).
    pub fn compute(&self, agg: &Agg) -> Option<f64> {
        if agg.count <= 0.0 {
            return None;
        }
        match *self {
            Statistic::SampleCount => Some(agg.count),
            Statistic::Sum => Some(agg.sum),
            Statistic::Average => Some(agg.sum / agg.count),
            Statistic::Minimum => Some(agg.min),
            Statistic::Maximum => Some(agg.max),
            Statistic::Percentile(p) => {
                let v = agg.weighted_values()?;
                // The exact extremes are known even when the values come from a sketch.
                let got = percentile(&v, p)?;
                Some(got.clamp(agg.min, agg.max))
            }
            Statistic::Trimmed(kind, lo, hi) => trimmed(&agg.weighted_values()?, kind, lo, hi),
        }
    }
}

fn parse_number(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `0 ≤ p ≤ 100` with at most two decimals.
fn parse_percent(s: &str) -> Option<f64> {
    if let Some((_, frac)) = s.split_once('.')
        && frac.len() > 2
    {
        return None;
    }
    parse_number(s).filter(|p| (0.0..=100.0).contains(p) && !s.starts_with('-'))
}

fn parse_extended(s: &str) -> Option<Statistic> {
    let short = |prefix: &str| s.strip_prefix(prefix).and_then(parse_percent);
    if let Some(p) = short("p") {
        return Some(Statistic::Percentile(p));
    }
    for (prefix, kind) in [
        ("tm", Trim::Mean),
        ("wm", Trim::Winsorized),
        ("tc", Trim::Count),
        ("ts", Trim::Sum),
    ] {
        if let Some(p) = short(prefix) {
            return Some(Statistic::Trimmed(
                kind,
                Bound::Unbounded,
                Bound::Percent(p),
            ));
        }
    }
    let (name, rest) = s.split_once('(')?;
    let kind = match name {
        "TM" => Trim::Mean,
        "WM" => Trim::Winsorized,
        "TC" => Trim::Count,
        "TS" => Trim::Sum,
        "PR" => Trim::Rank,
        _ => return None,
    };
    let inner = rest.strip_suffix(')')?;
    let (a, b) = inner.split_once(':')?;
    let bound = |t: &str| -> Option<Bound> {
        let t = t.trim();
        if t.is_empty() {
            Some(Bound::Unbounded)
        } else if let Some(p) = t.strip_suffix('%') {
            (kind != Trim::Rank).then_some(())?;
            parse_percent(p).map(Bound::Percent)
        } else {
            parse_number(t).map(Bound::Value)
        }
    };
    let (lo, hi) = (bound(a)?, bound(b)?);
    if lo == Bound::Unbounded && hi == Bound::Unbounded {
        return None;
    }
    if let (Bound::Percent(x), Bound::Percent(y)) | (Bound::Value(x), Bound::Value(y)) = (lo, hi)
        && x >= y
    {
        return None;
    }
    Some(Statistic::Trimmed(kind, lo, hi))
}

/// The nearest-rank percentile `p` (0–100) of ascending weighted values: the smallest value whose
/// cumulative weight reaches `p%` of the total.
pub fn percentile(sorted: &[(f64, f64)], p: f64) -> Option<f64> {
    let total: f64 = sorted.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return None;
    }
    let target = p / 100.0 * total;
    let mut cum = 0.0;
    for (v, w) in sorted {
        cum += w;
        if cum >= target * (1.0 - 1e-12) && *w > 0.0 {
            return Some(*v);
        }
    }
    sorted.last().map(|(v, _)| *v)
}

fn trimmed(sorted: &[(f64, f64)], kind: Trim, lo: Bound, hi: Bound) -> Option<f64> {
    let total: f64 = sorted.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return None;
    }
    // Rank window (lo_rank, hi_rank] for percent bounds; value window for absolute ones.
    let lo_rank = match lo {
        Bound::Percent(x) => x / 100.0 * total,
        _ => 0.0,
    };
    let hi_rank = match hi {
        Bound::Percent(y) => y / 100.0 * total,
        _ => total,
    };
    let in_values = |v: f64| {
        (match lo {
            Bound::Value(x) => v > x,
            _ => true,
        }) && (match hi {
            Bound::Value(y) => v <= y,
            _ => true,
        })
    };
    let (mut w_in, mut s_in) = (0.0, 0.0);
    let (mut lo_val, mut hi_val) = (None, None);
    let mut cum = 0.0;
    for &(v, w) in sorted {
        let (start, end) = (cum, cum + w);
        cum = end;
        let overlap = (end.min(hi_rank) - start.max(lo_rank)).max(0.0);
        if overlap > 0.0 && in_values(v) {
            w_in += overlap;
            s_in += overlap * v;
            lo_val.get_or_insert(v);
            hi_val = Some(v);
        }
    }
    match kind {
        Trim::Count => Some(w_in),
        Trim::Sum => (w_in > 0.0).then_some(s_in),
        Trim::Mean => (w_in > 0.0).then(|| s_in / w_in),
        Trim::Rank => Some(w_in / total * 100.0),
        Trim::Winsorized => {
            let (lv, hv) = (lo_val?, hi_val?);
            let sum: f64 = sorted.iter().map(|&(v, w)| v.clamp(lv, hv) * w).sum();
            Some(sum / total)
        }
    }
}

/// What one period (or one rollup bucket) knows about its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Agg {
    pub count: f64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    /// Exact (value, weight) pairs, kept when percentiles may be asked for.
    pub exact: Vec<(f64, f64)>,
    /// Approximate values (rollups).
    pub sketch: Option<Sketch>,
    /// A statistic set that cannot feed percentiles was added.
    pub no_percentiles: bool,
}

impl Default for Agg {
    fn default() -> Self {
        Agg {
            count: 0.0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            exact: Vec::new(),
            sketch: None,
            no_percentiles: false,
        }
    }
}

impl Agg {
    /// Adds one raw entry; its value is kept if `keep_values`.
    pub fn add_entry(&mut self, e: &Entry, keep_values: bool) {
        self.count += e.count;
        self.sum += e.sum();
        self.min = self.min.min(e.min);
        self.max = self.max.max(e.max);
        match e.percentile_value() {
            Some(vw) if keep_values => self.exact.push(vw),
            Some(_) => {}
            None => self.no_percentiles = true,
        }
    }

    /// Adds another aggregate (a rollup bucket, or a partial period).
    pub fn merge(&mut self, o: &Agg) {
        self.count += o.count;
        self.sum += o.sum;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.exact.extend_from_slice(&o.exact);
        self.no_percentiles |= o.no_percentiles;
        if let Some(s) = &o.sketch {
            self.sketch.get_or_insert_with(Sketch::new).merge(s);
        }
    }

    /// Moves the exact values into the sketch (how rollups store them).
    pub fn into_rollup(mut self) -> Agg {
        let mut sketch = self.sketch.take().unwrap_or_default();
        for (v, w) in self.exact.drain(..) {
            sketch.add(v, w);
        }
        self.sketch = Some(sketch);
        self
    }

    /// The ascending (value, weight) pairs statistics read, or `None` if percentiles cannot be
    /// answered for this data.
    pub fn weighted_values(&self) -> Option<Vec<(f64, f64)>> {
        if self.no_percentiles {
            return None;
        }
        let mut out = match &self.sketch {
            Some(s) => {
                let mut s = s.clone();
                for (v, w) in &self.exact {
                    s.add(*v, *w);
                }
                s.weighted_values()
            }
            None => self.exact.clone(),
        };
        if out.is_empty() {
            return None;
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse() {
        assert_eq!(Statistic::parse("p99"), Some(Statistic::Percentile(99.0)));
        assert_eq!(
            Statistic::parse("p99.99"),
            Some(Statistic::Percentile(99.99))
        );
        assert_eq!(Statistic::parse("p99.999"), None);
        assert_eq!(Statistic::parse("p101"), None);
        assert_eq!(
            Statistic::parse("tm90"),
            Some(Statistic::Trimmed(
                Trim::Mean,
                Bound::Unbounded,
                Bound::Percent(90.0)
            ))
        );
        assert_eq!(
            Statistic::parse("TM(10%:90%)"),
            Some(Statistic::Trimmed(
                Trim::Mean,
                Bound::Percent(10.0),
                Bound::Percent(90.0)
            ))
        );
        assert_eq!(
            Statistic::parse("PR(:300)"),
            Some(Statistic::Trimmed(
                Trim::Rank,
                Bound::Unbounded,
                Bound::Value(300.0)
            ))
        );
        assert_eq!(Statistic::parse("PR(10%:90%)"), None);
        assert_eq!(Statistic::parse("TM(90%:10%)"), None);
        assert_eq!(Statistic::parse("Avg"), None);
    }

    fn agg(values: &[f64]) -> Agg {
        let mut a = Agg::default();
        for v in values {
            a.add_entry(&Entry::single(0, *v, crate::Unit::None, false), true);
        }
        a
    }

    #[test]
    fn trimmed_statistics_on_one_to_ten() {
        let a = agg(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10.]);
        let st = |s: &str| Statistic::parse(s).and_then(|s| s.compute(&a));
        assert_eq!(st("p50"), Some(5.0));
        assert_eq!(st("p90"), Some(9.0));
        assert_eq!(st("p100"), Some(10.0));
        assert_eq!(st("p0"), Some(1.0));
        assert_eq!(st("tm90"), Some(5.0));
        assert_eq!(st("tc90"), Some(9.0));
        assert_eq!(st("ts90"), Some(45.0));
        assert_eq!(st("TM(10%:90%)"), Some(5.5));
        assert_eq!(st("PR(:5)"), Some(50.0));
        assert_eq!(st("TC(2:4)"), Some(2.0));
        assert_eq!(st("WM(10%:90%)"), Some(5.5));
    }
}
