//! Aggregate functions of `stats`, as mergeable states: each worker aggregates its chunks and the
//! states merge, so partial results can be shown while a query runs.
//!
//! `pct` is **exact** (nearest rank over every value kept), and `count_distinct` is **exact**
//! (AWS approximates beyond about 10,000 distinct values; exact answers are within its error).
//! `stddev` is the sample standard deviation (n − 1), merged with Chan's parallel formula.

use std::collections::HashSet;

use crate::value::Value;

const AGGS: &[(&str, usize, usize)] = &[
    ("avg", 1, 1),
    ("count", 0, 1),
    ("count_distinct", 1, 1),
    ("max", 1, 1),
    ("min", 1, 1),
    ("sum", 1, 1),
    ("pct", 2, 2),
    ("percentile", 2, 2),
    ("stddev", 1, 1),
    ("earliest", 1, 1),
    ("latest", 1, 1),
    ("sortsfirst", 1, 1),
    ("sortslast", 1, 1),
];

/// Whether `name` (lower-case) is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    AGGS.iter().any(|(n, ..)| *n == name)
}

/// An aggregate's argument count bounds.
pub fn arity(name: &str) -> Option<(usize, usize)> {
    AGGS.iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, a, b)| (*a, *b))
}

/// The running state of one aggregate in one group.
#[derive(Debug, Clone)]
pub enum AggState {
    Count(u64),
    Sum { sum: f64, n: u64 },
    Avg { sum: f64, n: u64 },
    Min(Option<Value>),
    Max(Option<Value>),
    Distinct(HashSet<String>),
    Pct { values: Vec<f64>, p: f64 },
    Stddev { n: u64, mean: f64, m2: f64 },
    Earliest(Option<(i64, Value)>),
    Latest(Option<(i64, Value)>),
    SortsFirst(Option<Value>),
    SortsLast(Option<Value>),
}

impl AggState {
    /// The empty state of aggregate `name`; `p` is `pct`'s percentile.
    pub fn new(name: &str, p: f64) -> AggState {
        match name {
            "count" => AggState::Count(0),
            "sum" => AggState::Sum { sum: 0.0, n: 0 },
            "avg" => AggState::Avg { sum: 0.0, n: 0 },
            "min" => AggState::Min(None),
            "max" => AggState::Max(None),
            "count_distinct" => AggState::Distinct(HashSet::new()),
            "pct" | "percentile" => AggState::Pct {
                values: Vec::new(),
                p,
            },
            "stddev" => AggState::Stddev {
                n: 0,
                mean: 0.0,
                m2: 0.0,
            },
            "earliest" => AggState::Earliest(None),
            "latest" => AggState::Latest(None),
            "sortsfirst" => AggState::SortsFirst(None),
            _ => AggState::SortsLast(None),
        }
    }

    /// Adds one event's value (`ts`: the event's timestamp, for earliest/latest).
    pub fn update(&mut self, v: &Value, ts: i64) {
        if v.is_null() {
            return;
        }
        match self {
            AggState::Count(c) => *c += 1,
            AggState::Sum { sum, n } | AggState::Avg { sum, n } => {
                if let Some(x) = v.as_num() {
                    *sum += x;
                    *n += 1;
                }
            }
            AggState::Min(m) | AggState::SortsFirst(m) => {
                if m.as_ref().is_none_or(|c| v.compare(c).is_lt()) {
                    *m = Some(v.clone());
                }
            }
            AggState::Max(m) | AggState::SortsLast(m) => {
                if m.as_ref().is_none_or(|c| v.compare(c).is_gt()) {
                    *m = Some(v.clone());
                }
            }
            AggState::Distinct(s) => {
                let t = v.text();
                if !s.contains(&t) {
                    s.insert(t);
                }
            }
            AggState::Pct { values, .. } => {
                if let Some(x) = v.as_num() {
                    values.push(x);
                }
            }
            AggState::Stddev { n, mean, m2 } => {
                if let Some(x) = v.as_num() {
                    *n += 1;
                    let d = x - *mean;
                    *mean += d / *n as f64;
                    *m2 += d * (x - *mean);
                }
            }
            AggState::Earliest(e) => {
                if e.as_ref().is_none_or(|(t, _)| ts < *t) {
                    *e = Some((ts, v.clone()));
                }
            }
            AggState::Latest(e) => {
                if e.as_ref().is_none_or(|(t, _)| ts >= *t) {
                    *e = Some((ts, v.clone()));
                }
            }
        }
    }

    /// Merges another state of the same aggregate into this one.
    pub fn merge(&mut self, other: AggState) {
        match (self, other) {
            (AggState::Count(a), AggState::Count(b)) => *a += b,
            (AggState::Sum { sum, n }, AggState::Sum { sum: s2, n: n2 })
            | (AggState::Avg { sum, n }, AggState::Avg { sum: s2, n: n2 }) => {
                *sum += s2;
                *n += n2;
            }
            (AggState::Min(a), AggState::Min(Some(b)))
            | (AggState::SortsFirst(a), AggState::SortsFirst(Some(b)))
                if a.as_ref().is_none_or(|c| b.compare(c).is_lt()) =>
            {
                *a = Some(b);
            }
            (AggState::Max(a), AggState::Max(Some(b)))
            | (AggState::SortsLast(a), AggState::SortsLast(Some(b)))
                if a.as_ref().is_none_or(|c| b.compare(c).is_gt()) =>
            {
                *a = Some(b);
            }
            (AggState::Distinct(a), AggState::Distinct(b)) => a.extend(b),
            (AggState::Pct { values, .. }, AggState::Pct { values: v2, .. }) => {
                values.extend(v2);
            }
            (
                AggState::Stddev { n, mean, m2 },
                AggState::Stddev {
                    n: n2,
                    mean: mean2,
                    m2: m22,
                },
            ) => {
                if n2 == 0 {
                    return;
                }
                let total = *n + n2;
                let d = mean2 - *mean;
                *m2 += m22 + d * d * (*n as f64) * (n2 as f64) / total as f64;
                *mean += d * n2 as f64 / total as f64;
                *n = total;
            }
            (AggState::Earliest(a), AggState::Earliest(Some(b)))
                if a.as_ref().is_none_or(|(t, _)| b.0 < *t) =>
            {
                *a = Some(b);
            }
            (AggState::Latest(a), AggState::Latest(Some(b)))
                if a.as_ref().is_none_or(|(t, _)| b.0 >= *t) =>
            {
                *a = Some(b);
            }
            _ => {}
        }
    }

    /// The aggregate's value.
    pub fn finish(&self) -> Value {
        match self {
            AggState::Count(c) => Value::Num(*c as f64),
            AggState::Sum { sum, n } => {
                if *n == 0 {
                    Value::Null
                } else {
                    Value::Num(*sum)
                }
            }
            AggState::Avg { sum, n } => {
                if *n == 0 {
                    Value::Null
                } else {
                    Value::Num(*sum / *n as f64)
                }
            }
            AggState::Min(v)
            | AggState::Max(v)
            | AggState::SortsFirst(v)
            | AggState::SortsLast(v) => v.clone().unwrap_or(Value::Null),
            AggState::Distinct(s) => Value::Num(s.len() as f64),
            AggState::Pct { values, p } => {
                if values.is_empty() {
                    return Value::Null;
                }
                let mut v = values.clone();
                v.sort_by(f64::total_cmp);
                // Nearest rank: the smallest value with at least p% of values at or below it.
                let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
                Value::Num(v[rank.clamp(1, v.len()) - 1])
            }
            AggState::Stddev { n, m2, .. } => {
                if *n < 2 {
                    if *n == 1 {
                        Value::Num(0.0)
                    } else {
                        Value::Null
                    }
                } else {
                    Value::Num((m2 / (*n - 1) as f64).sqrt())
                }
            }
            AggState::Earliest(e) | AggState::Latest(e) => {
                e.as_ref().map_or(Value::Null, |(_, v)| v.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_states_equal_one_pass() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        let mut whole = AggState::new("stddev", 0.0);
        let mut a = AggState::new("stddev", 0.0);
        let mut b = AggState::new("stddev", 0.0);
        let mut p = AggState::new("pct", 90.0);
        for (i, x) in xs.iter().enumerate() {
            whole.update(&Value::Num(*x), 0);
            p.update(&Value::Num(*x), 0);
            if i % 3 == 0 { &mut a } else { &mut b }.update(&Value::Num(*x), 0);
        }
        a.merge(b);
        let (Some(w), Some(m)) = (whole.finish().as_num(), a.finish().as_num()) else {
            panic!("no stddev");
        };
        assert!((w - m).abs() < 1e-9);
        assert_eq!(p.finish(), Value::Num(90.0));
    }
}
