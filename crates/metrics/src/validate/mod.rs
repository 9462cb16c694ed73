//! PutMetricData validation: every datum is checked before anything is stored, with AWS's codes
//! and messages. The output is the normalized batch the engine logs and applies.

use crate::error::MetricsError;
use crate::index::DimStr;
use crate::model::{Dimension, DimensionRef, Entry};
use crate::unit::Unit;

mod datum;
mod inline;
pub(crate) use datum::sorted;
pub use datum::{DatumView, Prepared, RequestDims, SeriesName, Target, ValidDatum, order_hash};
pub use inline::{DimRefs, Entries};

/// Most datums in one PutMetricData call (AWS quota).
pub const MAX_DATUMS: usize = 1_000;
/// Most dimensions on one metric (AWS quota).
pub const MAX_DIMENSIONS: usize = 30;
/// Most distinct `Values` in one datum (AWS quota).
pub const MAX_VALUES: usize = 150;
/// Longest namespace, metric name and dimension name.
pub const MAX_NAME_LEN: usize = 255;
/// Longest dimension value.
pub const MAX_DIMENSION_VALUE_LEN: usize = 1_024;
/// Oldest accepted timestamp: two weeks before now.
pub const MAX_PAST_MILLIS: i64 = 14 * 24 * 3_600_000;
/// Newest accepted timestamp: two hours after now.
pub const MAX_FUTURE_MILLIS: i64 = 2 * 3_600_000;
/// CloudWatch rejects values whose magnitude exceeds 2^360.
pub const MAX_MAGNITUDE: f64 = 2.348_542_582_773_833_2e108;

/// Datums prepared, looked up and checked together ([`validate_put_with`]).
const CHUNK: usize = 128;

/// Checks a PutMetricData request at `now` and normalizes it.
pub fn validate_put<'a, D: DatumView>(
    namespace: Option<&str>,
    data: &'a [D],
    now: i64,
) -> Result<Vec<ValidDatum<'a>>, MetricsError> {
    validate_put_with(namespace, data, now, |_, _| {})
}

/// [`validate_put`] that lets `resolve` look the (unvalidated) series keys up first (fill in
/// [`Prepared::series`] of each datum); the datums of series found come out with their id.
/// `resolve` is called once per chunk of up to [`CHUNK`] datums, in order, and not after the
/// chunk holding the first error. Errors are those of [`validate_put`], in the same order.
pub fn validate_put_with<'a, D: DatumView>(
    namespace: Option<&str>,
    data: &'a [D],
    now: i64,
    mut resolve: impl FnMut(&[D], &mut [Prepared]),
) -> Result<Vec<ValidDatum<'a>>, MetricsError> {
    let namespace = namespace.unwrap_or("");
    check_namespace(namespace)?;
    if data.is_empty() {
        return Err(MetricsError::missing(
            "The parameter MetricData is required.",
        ));
    }
    if data.len() > MAX_DATUMS {
        return Err(MetricsError::invalid(format!(
            "The collection MetricData must not have a size greater than {MAX_DATUMS}."
        )));
    }
    let mut prepared = datum::PreparedList::take();
    // Sized up front: a collect through `Result` would grow (and copy) the list.
    let mut out = Vec::with_capacity(data.len());
    // A few datums at a time through all three steps, so that the second and third reads of a
    // datum's strings (a caller's own heap strings, often cold) hit the cache the first warmed.
    // Datums are still checked in order, so the first error is the same.
    for (c, chunk) in data.chunks(CHUNK).enumerate() {
        prepared.0.clear();
        prepared.0.extend(chunk.iter().map(datum::prepare));
        resolve(chunk, &mut prepared.0);
        for (i, (d, p)) in chunk.iter().zip(&prepared.0).enumerate() {
            out.push(validate_datum(c * CHUNK + i + 1, d, now, *p)?);
        }
    }
    Ok(out)
}

/// Namespace rules: 1–255 printable ASCII characters, not starting with `AWS/`.
pub fn check_namespace(namespace: &str) -> Result<(), MetricsError> {
    if namespace.is_empty() {
        return Err(MetricsError::missing(
            "The parameter Namespace is required.",
        ));
    }
    check_length(namespace, "Namespace", MAX_NAME_LEN)?;
    if namespace.starts_with("AWS/") || !is_printable_not_blank(namespace) {
        return Err(MetricsError::invalid(format!(
            "The value {namespace} for parameter Namespace is invalid."
        )));
    }
    Ok(())
}

fn validate_datum<'a, D: DatumView>(
    member: usize,
    d: &'a D,
    now: i64,
    p: Prepared,
) -> Result<ValidDatum<'a>, MetricsError> {
    // Parameter paths are only formatted when a message needs them.
    let path = &Path(member);
    let name = match d.metric_name() {
        Some(n) if !n.is_empty() => n,
        _ => {
            return Err(MetricsError::missing(format!(
                "The parameter {path}.MetricName is required."
            )));
        }
    };
    if name.len() > MAX_NAME_LEN {
        check_length(name, &format!("{path}.MetricName"), MAX_NAME_LEN)?;
    }
    let target = match (p.series, p.learn) {
        (Some(id), false) => Target::Known(id),
        (Some(id), true) => Target::Learn(
            id,
            Box::new(SeriesName::new(
                name,
                sorted(d.dimensions()),
                Some(d.request_dims()),
            )),
        ),
        (None, _) => {
            let dims = if d.dimensions().is_empty() {
                DimRefs::from_iter([])
            } else {
                check_dimensions_at(DimPath::Datum(member), d.dimensions())?
            };
            Target::New(Box::new(SeriesName::new(
                name,
                dims,
                Some(d.request_dims()),
            )))
        }
    };

    let ts = d.timestamp().unwrap_or(now);
    if ts < now - MAX_PAST_MILLIS || ts > now + MAX_FUTURE_MILLIS {
        return Err(MetricsError::invalid(format!(
            "The parameter {path}.Timestamp must specify a time within the past two weeks."
        )));
    }
    let unit = match d.unit() {
        None => Unit::None,
        Some(u) => Unit::parse(u).ok_or_else(|| {
            MetricsError::invalid(format!(
                "The parameter {path}.Unit must be a value in the set {}.",
                Unit::set_text()
            ))
        })?,
    };
    let high_res = match d.storage_resolution() {
        None | Some(60) => false,
        Some(1) => true,
        Some(other) => {
            return Err(MetricsError::invalid(format!(
                "The value {other} for parameter {path}.StorageResolution is invalid. Valid values are 1 and 60."
            )));
        }
    };
    // CloudWatch keeps high-resolution data per second and standard data per minute.
    let ts = if high_res {
        ts.div_euclid(1_000) * 1_000
    } else {
        ts.div_euclid(60_000) * 60_000
    };

    let has_stats = d.statistic_values().is_some_and(|s| {
        s.sample_count.is_some() || s.sum.is_some() || s.minimum.is_some() || s.maximum.is_some()
    });
    let has_values = !d.values().is_empty();
    let exclusive = |a: &str, b: &str| {
        MetricsError::combination(format!(
            "The parameters {path}.{a} and {path}.{b} are mutually exclusive and you have specified both."
        ))
    };
    if d.value().is_some() && has_stats {
        return Err(exclusive("Value", "StatisticValues"));
    }
    if d.value().is_some() && has_values {
        return Err(exclusive("Value", "Values"));
    }
    if has_values && has_stats {
        return Err(exclusive("Values", "StatisticValues"));
    }
    if !d.counts().is_empty() && !has_values {
        return Err(MetricsError::missing(format!(
            "The parameter {path}.Values is required when {path}.Counts is specified."
        )));
    }

    let entries: Entries = if let Some(v) = d.value() {
        check_value(v, || format!("{path}.Value"))?;
        Entries::One(Entry::single(ts, v, unit, high_res))
    } else if has_values {
        if d.values().len() > MAX_VALUES {
            return Err(MetricsError::invalid(format!(
                "The collection {path}.Values must not have a size greater than {MAX_VALUES}."
            )));
        }
        if !d.counts().is_empty() && d.counts().len() != d.values().len() {
            return Err(MetricsError::invalid(format!(
                "The parameters {path}.Values and {path}.Counts must be of the same size."
            )));
        }
        let mut entries = Vec::with_capacity(d.values().len());
        for (i, v) in d.values().iter().enumerate() {
            check_value(*v, || format!("{path}.Values.member.{}", i + 1))?;
            let c = d.counts().get(i).copied().unwrap_or(1.0);
            if !c.is_finite() || c < 0.0 {
                return Err(MetricsError::invalid(format!(
                    "The value {} for parameter {path}.Counts.member.{} is invalid.",
                    fmt_f64(c),
                    i + 1
                )));
            }
            if c > 0.0 {
                entries.push(Entry::weighted(ts, *v, c, unit, high_res));
            }
        }
        entries.into()
    } else if let Some(s) = d.statistic_values().filter(|_| has_stats) {
        let sp = format!("{path}.StatisticValues");
        let req = |v: Option<f64>, m: &str| {
            v.ok_or_else(|| MetricsError::missing(format!("The parameter {sp}.{m} is required.")))
        };
        let count = req(s.sample_count, "SampleCount")?;
        let sum = req(s.sum, "Sum")?;
        let min = req(s.minimum, "Minimum")?;
        let max = req(s.maximum, "Maximum")?;
        check_value(count, || format!("{sp}.SampleCount"))?;
        check_value(sum, || format!("{sp}.Sum"))?;
        check_value(min, || format!("{sp}.Minimum"))?;
        check_value(max, || format!("{sp}.Maximum"))?;
        if count <= 0.0 {
            return Err(MetricsError::invalid(format!(
                "The parameter {sp}.SampleCount must be greater than 0."
            )));
        }
        if max < min {
            return Err(MetricsError::invalid(format!(
                "The parameter {sp}.Maximum must be greater than {sp}.Minimum."
            )));
        }
        Entries::One(Entry::set(ts, count, sum, min, max, unit, high_res))
    } else {
        return Err(MetricsError::missing(format!(
            "At least one of the parameters {path}.Value or {path}.StatisticValues must be specified."
        )));
    };
    Ok(ValidDatum { entries, target })
}

/// Dimension rules: at most 30, names 1–255 and values 1–1024 ASCII characters with at least one
/// non-blank, no control characters, names not starting with `:`, names unique. Returns them
/// sorted by name.
pub fn check_dimensions(path: &str, dims: &[Dimension]) -> Result<Vec<Dimension>, MetricsError> {
    Ok(check_dimensions_at(DimPath::Named(path), dims)?
        .iter()
        .map(|d| Dimension::new(d.name, d.value))
        .collect())
}

/// Where dimensions sit in the request, formatted only for messages.
#[derive(Clone, Copy)]
enum DimPath<'a> {
    Named(&'a str),
    Datum(usize),
}

impl std::fmt::Display for DimPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DimPath::Named(p) => f.write_str(p),
            DimPath::Datum(i) => write!(f, "MetricData.member.{i}.Dimensions"),
        }
    }
}

/// `MetricData.member.N`, formatted only for messages.
struct Path(usize);

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MetricData.member.{}", self.0)
    }
}

fn check_dimensions_at<'a, T: DimStr>(
    path: DimPath<'_>,
    dims: &'a [T],
) -> Result<DimRefs<'a>, MetricsError> {
    if dims.len() > MAX_DIMENSIONS {
        return Err(MetricsError::invalid(format!(
            "The collection {path} must not have a size greater than {MAX_DIMENSIONS}."
        )));
    }
    for (i, d) in dims.iter().enumerate() {
        let d = DimensionRef {
            name: d.name(),
            value: d.value(),
        };
        let p = || format!("{path}.member.{}", i + 1);
        if d.name.is_empty() {
            return Err(MetricsError::missing(format!(
                "The parameter {}.Name is required.",
                p()
            )));
        }
        if d.value.is_empty() {
            return Err(MetricsError::missing(format!(
                "The parameter {}.Value is required.",
                p()
            )));
        }
        if d.name.len() > MAX_NAME_LEN {
            check_length(d.name, &format!("{}.Name", p()), MAX_NAME_LEN)?;
        }
        if d.value.len() > MAX_DIMENSION_VALUE_LEN {
            check_length(d.value, &format!("{}.Value", p()), MAX_DIMENSION_VALUE_LEN)?;
        }
        if !is_printable_not_blank(d.name) || d.name.starts_with(':') {
            return Err(MetricsError::invalid(format!(
                "The value {} for parameter {}.Name is invalid.",
                d.name,
                p()
            )));
        }
        if !is_printable_not_blank(d.value) {
            return Err(MetricsError::invalid(format!(
                "The value {} for parameter {}.Value is invalid.",
                d.value,
                p()
            )));
        }
    }
    let sorted = sorted(dims);
    for w in sorted.windows(2) {
        if crate::index::str_eq(w[0].name, w[1].name) {
            return Err(MetricsError::invalid(format!(
                "No metric may have duplicate dimension names. The dimension name {} in {path} is duplicated.",
                w[0].name
            )));
        }
    }
    Ok(sorted)
}

/// Checks a value; `path` (its parameter name) is formatted only for the message.
fn check_value(v: f64, path: impl FnOnce() -> String) -> Result<(), MetricsError> {
    if !v.is_finite() || v.abs() > MAX_MAGNITUDE {
        return Err(MetricsError::invalid(format!(
            "The value {} for parameter {} is invalid.",
            fmt_f64(v),
            path()
        )));
    }
    Ok(())
}

fn check_length(s: &str, path: &str, max: usize) -> Result<(), MetricsError> {
    if s.chars().count() > max {
        return Err(MetricsError::invalid(format!(
            "The parameter {path} must be shorter than {} characters.",
            max + 1
        )));
    }
    Ok(())
}

/// Printable ASCII with at least one non-blank character, in one pass. The fold has no early
/// exit, which the compiler vectorizes; names and values are short.
fn is_printable_not_blank(s: &str) -> bool {
    let (printable, blank) = s.bytes().fold((true, true), |(p, bl), b| {
        (p & (0x20..0x7f).contains(&b), bl & (b == b' '))
    });
    printable && !blank
}

/// Orders dimension names as `str::cmp` does. Most names differ in their first eight bytes,
/// compared as one word.
#[inline]
fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    name_prefix(a).cmp(&name_prefix(b)).then_with(|| a.cmp(b))
}

/// The first eight bytes of a name as a big-endian word, zero-padded: comparing
/// these orders names as comparing the strings does, unless they are equal (a NUL byte may tie
/// with the padding; the full comparison then decides).
#[inline]
fn name_prefix(s: &str) -> u64 {
    let b = s.as_bytes();
    if let Some(head) = b.first_chunk::<8>() {
        return u64::from_be_bytes(*head);
    }
    let mut w = 0u64;
    for (i, c) in b.iter().enumerate() {
        w |= u64::from(*c) << (56 - 8 * i);
    }
    w
}

/// Numbers as AWS prints them in messages (`NaN`, `Infinity`, `1.0E200`).
pub(crate) fn fmt_f64(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        format!("{v:?}")
    }
}

#[cfg(test)]
mod tests;
