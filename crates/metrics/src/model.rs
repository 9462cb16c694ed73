//! The engine's data model: what PutMetricData carries in ([`MetricDatum`]), what a series is
//! ([`SeriesKey`]) and what one stored sample is ([`Entry`]).

use std::sync::Arc;

use crate::unit::Unit;

/// One name/value pair of a metric's identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

impl Dimension {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Dimension {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// PutMetricData's `StatisticValues`: every member optional on the wire, checked by validation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StatisticSet {
    pub sample_count: Option<f64>,
    pub sum: Option<f64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

/// One `MetricDatum` as the request carried it (unvalidated).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricDatum {
    pub metric_name: Option<String>,
    pub dimensions: Vec<Dimension>,
    /// Milliseconds since the epoch; `None` means "now".
    pub timestamp: Option<i64>,
    pub value: Option<f64>,
    pub statistic_values: Option<StatisticSet>,
    pub values: Vec<f64>,
    pub counts: Vec<f64>,
    pub unit: Option<String>,
    pub storage_resolution: Option<i64>,
}

impl MetricDatum {
    /// A datum with one value at `timestamp`, no dimensions, unit None.
    pub fn value(name: impl Into<String>, timestamp: i64, value: f64) -> Self {
        MetricDatum {
            metric_name: Some(name.into()),
            timestamp: Some(timestamp),
            value: Some(value),
            ..MetricDatum::default()
        }
    }

    pub fn with_dimension(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.dimensions.push(Dimension::new(name, value));
        self
    }

    pub fn with_unit(mut self, unit: Unit) -> Self {
        self.unit = Some(unit.as_str().to_owned());
        self
    }
}

/// A dimension borrowed from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DimensionRef<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

impl<'a> From<&'a Dimension> for DimensionRef<'a> {
    fn from(d: &'a Dimension) -> Self {
        DimensionRef {
            name: &d.name,
            value: &d.value,
        }
    }
}

/// A PutMetricData datum borrowed from a request (as [`MetricDatum`], without owning anything).
/// A caller builds one [`DimensionRef`] arena for a whole request and slices it per datum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MetricDatumRef<'a> {
    pub metric_name: Option<&'a str>,
    pub dimensions: &'a [DimensionRef<'a>],
    /// Milliseconds since the epoch; `None` means "now".
    pub timestamp: Option<i64>,
    pub value: Option<f64>,
    pub statistic_values: Option<StatisticSet>,
    pub values: &'a [f64],
    pub counts: &'a [f64],
    pub unit: Option<&'a str>,
    pub storage_resolution: Option<i64>,
}

impl<'a> MetricDatumRef<'a> {
    /// `datum` borrowed, with `dimensions` (its own, as the caller's arena holds them).
    pub fn borrowing(datum: &'a MetricDatum, dimensions: &'a [DimensionRef<'a>]) -> Self {
        MetricDatumRef {
            metric_name: datum.metric_name.as_deref(),
            dimensions,
            timestamp: datum.timestamp,
            value: datum.value,
            statistic_values: datum.statistic_values,
            values: &datum.values,
            counts: &datum.counts,
            unit: datum.unit.as_deref(),
            storage_resolution: datum.storage_resolution,
        }
    }
}

/// The identity of one time series inside an `(account, region)`. Every string is interned by
/// the index, so series sharing a namespace, metric name or dimension share its allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    pub account: Arc<str>,
    pub region: Arc<str>,
    pub namespace: Arc<str>,
    pub metric_name: Arc<str>,
    /// Sorted by name; names are unique.
    pub dimensions: Box<[Dim]>,
}

/// An interned dimension of a [`SeriesKey`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dim {
    pub name: Arc<str>,
    pub value: Arc<str>,
}

/// What one entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// One value (`Value`): count 1, min = max = sum = value.
    Single = 0,
    /// One of `Values` with its weight from `Counts`: sum = value × count.
    Weighted = 1,
    /// A `StatisticValues` set: `value` holds the sum.
    Set = 2,
}

/// One stored sample. Timestamps are truncated to the storage resolution at ingest (seconds for
/// high-resolution data, minutes otherwise), as CloudWatch stores them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub ts: i64,
    /// The value (`Single`, `Weighted`) or the sum (`Set`).
    pub value: f64,
    pub count: f64,
    pub min: f64,
    pub max: f64,
    /// kind (bits 0–1), high resolution (bit 2), unit index (bits 3–7).
    pub meta: u8,
}

impl Entry {
    pub fn single(ts: i64, value: f64, unit: Unit, high_res: bool) -> Entry {
        Entry {
            ts,
            value,
            count: 1.0,
            min: value,
            max: value,
            meta: Entry::pack(Kind::Single, unit, high_res),
        }
    }

    pub fn weighted(ts: i64, value: f64, count: f64, unit: Unit, high_res: bool) -> Entry {
        Entry {
            ts,
            value,
            count,
            min: value,
            max: value,
            meta: Entry::pack(Kind::Weighted, unit, high_res),
        }
    }

    pub fn set(
        ts: i64,
        count: f64,
        sum: f64,
        min: f64,
        max: f64,
        unit: Unit,
        high_res: bool,
    ) -> Entry {
        Entry {
            ts,
            value: sum,
            count,
            min,
            max,
            meta: Entry::pack(Kind::Set, unit, high_res),
        }
    }

    pub fn pack(kind: Kind, unit: Unit, high_res: bool) -> u8 {
        (kind as u8) | (u8::from(high_res) << 2) | (unit.index() << 3)
    }

    pub fn kind(&self) -> Kind {
        match self.meta & 3 {
            0 => Kind::Single,
            1 => Kind::Weighted,
            _ => Kind::Set,
        }
    }

    pub fn high_res(&self) -> bool {
        self.meta & 4 != 0
    }

    pub fn unit(&self) -> Unit {
        Unit::from_index(self.meta >> 3).unwrap_or(Unit::None)
    }

    /// The sum this entry contributes.
    pub fn sum(&self) -> f64 {
        match self.kind() {
            Kind::Single => self.value,
            Kind::Weighted => self.value * self.count,
            Kind::Set => self.value,
        }
    }

    /// The single value and its weight, if the entry can feed a percentile: values, and statistic
    /// sets whose members all equal one value (as AWS documents).
    pub fn percentile_value(&self) -> Option<(f64, f64)> {
        match self.kind() {
            Kind::Single | Kind::Weighted => Some((self.value, self.count)),
            Kind::Set => (self.min == self.max && self.value == self.min * self.count)
                .then_some((self.min, self.count)),
        }
    }
}

/// One metric as ListMetrics returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricId {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<Dimension>,
}
