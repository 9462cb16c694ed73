//! Metric math for GetMetricData: the [`parse`]r and an evaluator over the period grid of the
//! request. Values are scalars, time series (aligned to period starts) or arrays of series;
//! operators between series keep the timestamps present in both; non-finite results (x/0) are
//! dropped, as CloudWatch omits them.
//!
//! Functions: ABS, CEIL, FLOOR, LOG, LOG10, SUM, AVG, MIN, MAX, STDDEV (across an array per
//! timestamp, or over a series to a scalar), METRICS(["substring"]), RATE, DIFF, DIFF_TIME,
//! FILL(m, value | REPEAT | LINEAR), IF(cond, a[, b]), REMOVE_EMPTY, FIRST, LAST, RUNNING_SUM,
//! PERIOD, TIME_SERIES, SORT(array, AVG|SUM|MIN|MAX, ASC|DESC[, n]), SLICE(array, from, to), and
//! the UTC date functions MINUTE, HOUR, DAY, MONTH, DAY_OF_WEEK (Monday = 1), EPOCH, and
//! SEARCH('{Namespace, Dim…} terms', 'Stat'[, Period]) (grammar in `crate::search`), and
//! ANOMALY_DETECTION_BAND(m[, stddevs]) (the band of `crate::anomaly`, through [`Env`]),
//! DATAPOINT_COUNT(m | array). SERVICE_QUOTA, INSIGHT_RULE_METRIC and LAMBDA name things this
//! server does not have (service quotas, Contributor Insights rules, Lambda functions) and are
//! refused as unknown functions. Metrics Insights SQL lives in `crate::insights`.

pub mod parse;

use std::collections::BTreeMap;

pub use parse::{Expr, Op, ParseError, parse};

/// A time series: (period start ms, value), ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(i64, f64)>,
}

/// What an expression evaluates to.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Scalar(f64),
    Series(Series),
    Array(Vec<Series>),
}

/// The frame an expression is evaluated in.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Every period start of the request, ascending.
    pub grid: Vec<i64>,
    pub period_s: i64,
    /// Ids of the request's MetricStat queries, in request order (for `METRICS()`).
    pub metric_ids: Vec<String>,
}

/// What an expression reads from outside: other queries' values and SEARCH results.
pub trait Env {
    /// The value of the query with this id.
    fn lookup(&mut self, id: &str) -> Result<Val, String>;
    /// `SEARCH(expression, stat, period)`: matching metrics as an array.
    fn search(&mut self, expression: &str, stat: &str, period_s: i64) -> Result<Val, String>;
    /// `ANOMALY_DETECTION_BAND(id, stddevs)`: the band of query `id` on the frame's grid, as an
    /// array of two series, the lower bound (label `Lower`) then the upper (label `Upper`).
    fn anomaly_band(&mut self, id: &str, stddevs: f64) -> Result<Val, String> {
        let _ = (id, stddevs);
        Err("ANOMALY_DETECTION_BAND is not available here".into())
    }
}

/// The default width of `ANOMALY_DETECTION_BAND`, in standard deviations.
pub const DEFAULT_BAND_STDDEVS: f64 = 2.0;

/// The environment type every evaluation function takes.
pub type Lookup<'a> = dyn Env + 'a;

fn truthy(v: f64) -> bool {
    v != 0.0
}

fn apply_op(op: Op, a: f64, b: f64) -> f64 {
    let bool_f = |x: bool| if x { 1.0 } else { 0.0 };
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => a.powf(b),
        Op::Eq => bool_f(a == b),
        Op::Ne => bool_f(a != b),
        Op::Lt => bool_f(a < b),
        Op::Le => bool_f(a <= b),
        Op::Gt => bool_f(a > b),
        Op::Ge => bool_f(a >= b),
        Op::And => bool_f(truthy(a) && truthy(b)),
        Op::Or => bool_f(truthy(a) || truthy(b)),
    }
}

fn map_series(s: &Series, f: impl Fn(f64) -> f64) -> Series {
    Series {
        label: s.label.clone(),
        points: s
            .points
            .iter()
            .map(|(t, v)| (*t, f(*v)))
            .filter(|(_, v)| v.is_finite())
            .collect(),
    }
}

fn zip_series(a: &Series, b: &Series, f: impl Fn(f64, f64) -> f64) -> Series {
    let bm: BTreeMap<i64, f64> = b.points.iter().copied().collect();
    Series {
        label: a.label.clone(),
        points: a
            .points
            .iter()
            .filter_map(|(t, v)| bm.get(t).map(|w| (*t, f(*v, *w))))
            .filter(|(_, v)| v.is_finite())
            .collect(),
    }
}

fn map_val(v: Val, f: impl Fn(f64) -> f64 + Copy) -> Val {
    match v {
        Val::Scalar(x) => Val::Scalar(f(x)),
        Val::Series(s) => Val::Series(map_series(&s, f)),
        Val::Array(a) => Val::Array(a.iter().map(|s| map_series(s, f)).collect()),
    }
}

fn binary(op: Op, a: Val, b: Val) -> Result<Val, String> {
    let f = move |x: f64, y: f64| apply_op(op, x, y);
    Ok(match (a, b) {
        (Val::Scalar(x), Val::Scalar(y)) => Val::Scalar(f(x, y)),
        (Val::Series(s), Val::Scalar(y)) => Val::Series(map_series(&s, |x| f(x, y))),
        (Val::Scalar(x), Val::Series(s)) => Val::Series(map_series(&s, |y| f(x, y))),
        (Val::Series(s), Val::Series(t)) => Val::Series(zip_series(&s, &t, f)),
        (Val::Array(a), Val::Scalar(y)) => {
            Val::Array(a.iter().map(|s| map_series(s, |x| f(x, y))).collect())
        }
        (Val::Scalar(x), Val::Array(a)) => {
            Val::Array(a.iter().map(|s| map_series(s, |y| f(x, y))).collect())
        }
        (Val::Array(a), Val::Series(t)) => {
            Val::Array(a.iter().map(|s| zip_series(s, &t, f)).collect())
        }
        (Val::Series(s), Val::Array(a)) => {
            Val::Array(a.iter().map(|t| zip_series(&s, t, f)).collect())
        }
        (Val::Array(_), Val::Array(_)) => {
            return Err("an operator cannot combine two arrays of time series".into());
        }
    })
}

#[derive(Clone, Copy)]
enum Reduce {
    Sum,
    Avg,
    Min,
    Max,
    Stddev,
}

fn reduce(r: Reduce, xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().sum();
    Some(match r {
        Reduce::Sum => sum,
        Reduce::Avg => sum / n,
        Reduce::Min => xs.iter().copied().fold(f64::INFINITY, f64::min),
        Reduce::Max => xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Reduce::Stddev => {
            if xs.len() < 2 {
                0.0
            } else {
                let mean = sum / n;
                (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            }
        }
    })
}

fn series_of(v: Val, what: &str) -> Result<Series, String> {
    match v {
        Val::Series(s) => Ok(s),
        Val::Array(mut a) if a.len() == 1 => Ok(a.remove(0)),
        _ => Err(format!("{what} needs a single time series")),
    }
}

fn pairwise(s: &Series, f: impl Fn((i64, f64), (i64, f64)) -> f64) -> Series {
    Series {
        label: s.label.clone(),
        points: s
            .points
            .windows(2)
            .map(|w| (w[1].0, f(w[0], w[1])))
            .filter(|(_, v)| v.is_finite())
            .collect(),
    }
}

fn fill(s: &Series, how: &Val, grid: &[i64]) -> Series {
    let have: BTreeMap<i64, f64> = s.points.iter().copied().collect();
    let filler = |t: i64| match how {
        Val::Scalar(x) => Some(*x),
        Val::Series(f) => f.points.iter().find(|p| p.0 == t).map(|p| p.1),
        Val::Array(_) => None,
    };
    Series {
        label: s.label.clone(),
        points: grid
            .iter()
            .filter_map(|t| have.get(t).copied().or_else(|| filler(*t)).map(|v| (*t, v)))
            .collect(),
    }
}

fn fill_mode(s: &Series, mode: &str, grid: &[i64]) -> Result<Series, String> {
    let have: BTreeMap<i64, f64> = s.points.iter().copied().collect();
    let mut points = Vec::with_capacity(grid.len());
    for t in grid {
        if let Some(v) = have.get(t) {
            points.push((*t, *v));
            continue;
        }
        let prev = have.range(..*t).next_back();
        let next = have.range(*t..).next();
        let v = match (mode, prev, next) {
            ("REPEAT", Some((_, pv)), _) => Some(*pv),
            ("REPEAT", None, Some((_, nv))) => Some(*nv),
            ("LINEAR", Some((pt, pv)), Some((nt, nv))) => {
                Some(pv + (nv - pv) * (t - pt) as f64 / (nt - pt) as f64)
            }
            ("LINEAR", Some((_, v)), None) | ("LINEAR", None, Some((_, v))) => Some(*v),
            ("REPEAT" | "LINEAR", None, None) => None,
            _ => return Err(format!("FILL does not know {mode}")),
        };
        if let Some(v) = v {
            points.push((*t, v));
        }
    }
    Ok(Series {
        label: s.label.clone(),
        points,
    })
}

/// Evaluates `e` in `frame`, resolving query ids through `lookup`.
pub fn eval(e: &Expr, frame: &Frame, lookup: &mut Lookup<'_>) -> Result<Val, String> {
    match e {
        Expr::Number(n) => Ok(Val::Scalar(*n)),
        Expr::Str(s) => Err(format!("unexpected string \"{s}\"")),
        Expr::Ident(id) => lookup.lookup(id),
        Expr::Neg(x) => Ok(map_val(eval(x, frame, lookup)?, |v| -v)),
        Expr::Not(x) => Ok(map_val(eval(x, frame, lookup)?, |v| {
            if truthy(v) { 0.0 } else { 1.0 }
        })),
        Expr::Binary(op, a, b) => {
            let a = eval(a, frame, lookup)?;
            let b = eval(b, frame, lookup)?;
            binary(*op, a, b)
        }
        Expr::Call(name, args) => call(name, args, frame, lookup),
    }
}

fn call(name: &str, args: &[Expr], frame: &Frame, lookup: &mut Lookup<'_>) -> Result<Val, String> {
    let arity = |n: std::ops::RangeInclusive<usize>| {
        if n.contains(&args.len()) {
            Ok(())
        } else {
            Err(format!("{name} takes {n:?} arguments, not {}", args.len()))
        }
    };
    let elementwise = |f: fn(f64) -> f64, lookup: &mut Lookup<'_>| -> Result<Val, String> {
        arity(1..=1)?;
        Ok(map_val(eval(&args[0], frame, lookup)?, f))
    };
    let reducer = |r: Reduce, lookup: &mut Lookup<'_>| -> Result<Val, String> {
        arity(1..=1)?;
        Ok(match eval(&args[0], frame, lookup)? {
            Val::Scalar(x) => Val::Scalar(x),
            Val::Series(s) => {
                let xs: Vec<f64> = s.points.iter().map(|p| p.1).collect();
                Val::Scalar(reduce(r, &xs).unwrap_or(f64::NAN))
            }
            Val::Array(a) => {
                let mut by_ts: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
                for s in &a {
                    for (t, v) in &s.points {
                        by_ts.entry(*t).or_default().push(*v);
                    }
                }
                Val::Series(Series {
                    label: name.to_owned(),
                    points: by_ts
                        .into_iter()
                        .filter_map(|(t, xs)| reduce(r, &xs).map(|v| (t, v)))
                        .collect(),
                })
            }
        })
    };
    match name {
        "ABS" => elementwise(f64::abs, lookup),
        "CEIL" => elementwise(f64::ceil, lookup),
        "FLOOR" => elementwise(f64::floor, lookup),
        "LOG" => elementwise(f64::ln, lookup),
        "LOG10" => elementwise(f64::log10, lookup),
        "SUM" => reducer(Reduce::Sum, lookup),
        "AVG" => reducer(Reduce::Avg, lookup),
        "MIN" => reducer(Reduce::Min, lookup),
        "MAX" => reducer(Reduce::Max, lookup),
        "STDDEV" => reducer(Reduce::Stddev, lookup),
        // Over one series, the number of datapoints (a scalar, so `SUM(m1)/DATAPOINT_COUNT(m1)`
        // averages a sparse metric); over an array, per timestamp, how many series reported.
        "DATAPOINT_COUNT" => {
            arity(1..=1)?;
            Ok(match eval(&args[0], frame, lookup)? {
                Val::Scalar(_) => return Err("DATAPOINT_COUNT needs time series".into()),
                Val::Series(s) => Val::Scalar(s.points.len() as f64),
                Val::Array(a) => {
                    let mut by_ts: BTreeMap<i64, f64> = BTreeMap::new();
                    for s in &a {
                        for (t, _) in &s.points {
                            *by_ts.entry(*t).or_default() += 1.0;
                        }
                    }
                    Val::Series(Series {
                        label: name.to_owned(),
                        points: by_ts.into_iter().collect(),
                    })
                }
            })
        }
        "METRICS" => {
            arity(0..=1)?;
            let filter = match args.first() {
                None => None,
                Some(Expr::Str(s)) => Some(s.clone()),
                Some(_) => return Err("METRICS takes a string".into()),
            };
            let mut out = Vec::new();
            for id in &frame.metric_ids {
                if filter.as_ref().is_none_or(|f| id.contains(f.as_str())) {
                    match lookup.lookup(id)? {
                        Val::Series(s) => out.push(s),
                        Val::Array(a) => out.extend(a),
                        Val::Scalar(_) => {}
                    }
                }
            }
            Ok(Val::Array(out))
        }
        "RATE" | "DIFF" | "DIFF_TIME" | "RUNNING_SUM" => {
            arity(1..=1)?;
            let v = eval(&args[0], frame, lookup)?;
            let one = |s: &Series| -> Series {
                match name {
                    "RATE" => pairwise(s, |(t0, v0), (t1, v1)| {
                        (v1 - v0) / ((t1 - t0) as f64 / 1000.0)
                    }),
                    "DIFF" => pairwise(s, |(_, v0), (_, v1)| v1 - v0),
                    "DIFF_TIME" => pairwise(s, |(t0, _), (t1, _)| (t1 - t0) as f64 / 1000.0),
                    _ => {
                        let mut acc = 0.0;
                        Series {
                            label: s.label.clone(),
                            points: s
                                .points
                                .iter()
                                .map(|(t, v)| {
                                    acc += v;
                                    (*t, acc)
                                })
                                .collect(),
                        }
                    }
                }
            };
            match v {
                Val::Series(s) => Ok(Val::Series(one(&s))),
                Val::Array(a) => Ok(Val::Array(a.iter().map(one).collect())),
                Val::Scalar(_) => Err(format!("{name} needs a time series")),
            }
        }
        "FILL" => {
            arity(2..=2)?;
            let v = eval(&args[0], frame, lookup)?;
            let mode = match &args[1] {
                Expr::Ident(w) if w.eq_ignore_ascii_case("REPEAT") => Some("REPEAT"),
                Expr::Ident(w) if w.eq_ignore_ascii_case("LINEAR") => Some("LINEAR"),
                _ => None,
            };
            let how = match mode {
                Some(_) => Val::Scalar(0.0),
                None => eval(&args[1], frame, lookup)?,
            };
            let one = |s: &Series| -> Result<Series, String> {
                match mode {
                    Some(m) => fill_mode(s, m, &frame.grid),
                    None => Ok(fill(s, &how, &frame.grid)),
                }
            };
            match v {
                Val::Series(s) => Ok(Val::Series(one(&s)?)),
                Val::Array(a) => Ok(Val::Array(a.iter().map(one).collect::<Result<_, _>>()?)),
                Val::Scalar(_) => Err("FILL needs a time series".into()),
            }
        }
        "IF" => {
            arity(2..=3)?;
            let cond = series_of(eval(&args[0], frame, lookup)?, "IF")?;
            let a = eval(&args[1], frame, lookup)?;
            let b = args.get(2).map(|x| eval(x, frame, lookup)).transpose()?;
            let at = |v: &Val, t: i64| -> Option<f64> {
                match v {
                    Val::Scalar(x) => Some(*x),
                    Val::Series(s) => s.points.iter().find(|p| p.0 == t).map(|p| p.1),
                    Val::Array(_) => None,
                }
            };
            Ok(Val::Series(Series {
                label: cond.label.clone(),
                points: cond
                    .points
                    .iter()
                    .filter_map(|(t, c)| {
                        let v = if truthy(*c) {
                            at(&a, *t)
                        } else {
                            b.as_ref().and_then(|b| at(b, *t))
                        };
                        v.map(|v| (*t, v))
                    })
                    .collect(),
            }))
        }
        "REMOVE_EMPTY" | "FIRST" | "LAST" => {
            arity(1..=1)?;
            let a = match eval(&args[0], frame, lookup)? {
                Val::Array(a) => a,
                Val::Series(s) => vec![s],
                Val::Scalar(_) => return Err(format!("{name} needs time series")),
            };
            Ok(match name {
                "REMOVE_EMPTY" => {
                    Val::Array(a.into_iter().filter(|s| !s.points.is_empty()).collect())
                }
                "FIRST" => a
                    .into_iter()
                    .next()
                    .map_or(Val::Array(Vec::new()), Val::Series),
                _ => a
                    .into_iter()
                    .next_back()
                    .map_or(Val::Array(Vec::new()), Val::Series),
            })
        }
        "MINUTE" | "HOUR" | "DAY" | "MONTH" | "DAY_OF_WEEK" | "EPOCH" => {
            arity(1..=1)?;
            let f = |t: i64| -> f64 {
                let secs = t.div_euclid(1000);
                let days = secs.div_euclid(86_400);
                let (_, month, day) = civil_from_days(days);
                match name {
                    "MINUTE" => (secs.rem_euclid(3600) / 60) as f64,
                    "HOUR" => (secs.rem_euclid(86_400) / 3600) as f64,
                    "DAY" => day as f64,
                    "MONTH" => month as f64,
                    // 1970-01-01 was a Thursday (4).
                    "DAY_OF_WEEK" => ((days + 3).rem_euclid(7) + 1) as f64,
                    _ => secs as f64,
                }
            };
            let dated = |s: &Series| Series {
                label: s.label.clone(),
                points: s.points.iter().map(|(t, _)| (*t, f(*t))).collect(),
            };
            match eval(&args[0], frame, lookup)? {
                Val::Series(s) => Ok(Val::Series(dated(&s))),
                Val::Array(a) => Ok(Val::Array(a.iter().map(dated).collect())),
                Val::Scalar(_) => Err(format!("{name} needs a time series")),
            }
        }
        "SORT" => {
            arity(3..=4)?;
            let mut a = match eval(&args[0], frame, lookup)? {
                Val::Array(a) => a,
                Val::Series(s) => vec![s],
                Val::Scalar(_) => return Err("SORT needs an array of time series".into()),
            };
            let r = match &args[1] {
                Expr::Ident(w) => match w.to_ascii_uppercase().as_str() {
                    "AVG" => Reduce::Avg,
                    "SUM" => Reduce::Sum,
                    "MIN" => Reduce::Min,
                    "MAX" => Reduce::Max,
                    "STDDEV" => Reduce::Stddev,
                    other => return Err(format!("SORT cannot order by {other}")),
                },
                _ => return Err("SORT needs AVG, SUM, MIN, MAX or STDDEV".into()),
            };
            let desc = match &args[2] {
                Expr::Ident(w) if w.eq_ignore_ascii_case("DESC") => true,
                Expr::Ident(w) if w.eq_ignore_ascii_case("ASC") => false,
                _ => return Err("SORT needs ASC or DESC".into()),
            };
            let key = |s: &Series| {
                let xs: Vec<f64> = s.points.iter().map(|p| p.1).collect();
                reduce(r, &xs).unwrap_or(f64::NAN)
            };
            a.sort_by(|x, y| {
                let o = key(x).total_cmp(&key(y));
                if desc { o.reverse() } else { o }
            });
            if let Some(n) = args.get(3) {
                match eval(n, frame, lookup)? {
                    Val::Scalar(n) if n >= 0.0 => a.truncate(n as usize),
                    _ => return Err("SORT's limit must be a non-negative number".into()),
                }
            }
            Ok(Val::Array(a))
        }
        "SLICE" => {
            arity(3..=3)?;
            let a = match eval(&args[0], frame, lookup)? {
                Val::Array(a) => a,
                Val::Series(s) => vec![s],
                Val::Scalar(_) => return Err("SLICE needs an array of time series".into()),
            };
            let bound = |e: &Expr, lookup: &mut Lookup<'_>| match eval(e, frame, lookup)? {
                Val::Scalar(x) if x >= 0.0 => Ok(x as usize),
                _ => Err("SLICE bounds must be non-negative numbers".to_owned()),
            };
            let from = bound(&args[1], lookup)?.min(a.len());
            let to = bound(&args[2], lookup)?.clamp(from, a.len());
            Ok(Val::Array(a[from..to].to_vec()))
        }
        "SEARCH" => {
            arity(2..=3)?;
            let text = |e: &Expr| match e {
                Expr::Str(s) => Ok(s.clone()),
                _ => Err("SEARCH takes quoted strings".to_owned()),
            };
            let query = text(&args[0])?;
            let stat = text(&args[1])?;
            let period = match args.get(2) {
                None => frame.period_s,
                Some(e) => match eval(e, frame, lookup)? {
                    Val::Scalar(p) if p >= 1.0 && p.fract() == 0.0 => p as i64,
                    _ => return Err("SEARCH's period must be a whole number of seconds".into()),
                },
            };
            lookup.search(&query, &stat, period)
        }
        "ANOMALY_DETECTION_BAND" => {
            arity(1..=2)?;
            let Expr::Ident(id) = &args[0] else {
                return Err("ANOMALY_DETECTION_BAND needs the id of a metric or expression".into());
            };
            let stddevs = match args.get(1) {
                None => DEFAULT_BAND_STDDEVS,
                Some(e) => match eval(e, frame, lookup)? {
                    Val::Scalar(k) if k.is_finite() && k > 0.0 => k,
                    _ => {
                        return Err(
                            "ANOMALY_DETECTION_BAND's standard deviations must be a positive number"
                                .into(),
                        );
                    }
                },
            };
            lookup.anomaly_band(id, stddevs)
        }
        "PERIOD" => {
            arity(1..=1)?;
            Ok(Val::Scalar(frame.period_s as f64))
        }
        "TIME_SERIES" => {
            arity(1..=1)?;
            match eval(&args[0], frame, lookup)? {
                Val::Scalar(x) => Ok(Val::Series(Series {
                    label: String::new(),
                    points: frame.grid.iter().map(|t| (*t, x)).collect(),
                })),
                other => Ok(other),
            }
        }
        other => Err(format!("unknown function {other}")),
    }
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (proleptic Gregorian, UTC).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
