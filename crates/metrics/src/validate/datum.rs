//! What validation reads ([`DatumView`]: an owned [`MetricDatum`] or a borrowed
//! [`MetricDatumRef`], neither converted) and what it hands the engine: [`Prepared`] (a datum's
//! series looked up before it is checked) and [`ValidDatum`] (a checked datum: its entries and
//! how it names its series).

use crate::index::{DimStr, SeriesId};
use crate::model::{Dimension, DimensionRef, MetricDatum, MetricDatumRef, StatisticSet};

use super::{DimRefs, Entries, MAX_DIMENSIONS, name_order};

/// A PutMetricData datum as validation reads it.
pub trait DatumView {
    type Dim: DimStr;
    fn metric_name(&self) -> Option<&str>;
    fn dimensions(&self) -> &[Self::Dim];
    /// The dimensions as a [`SeriesName`] keeps them.
    fn request_dims(&self) -> RequestDims<'_>;
    fn timestamp(&self) -> Option<i64>;
    fn value(&self) -> Option<f64>;
    fn statistic_values(&self) -> Option<StatisticSet>;
    fn values(&self) -> &[f64];
    fn counts(&self) -> &[f64];
    fn unit(&self) -> Option<&str>;
    fn storage_resolution(&self) -> Option<i64>;
}

impl DatumView for MetricDatum {
    type Dim = Dimension;
    fn metric_name(&self) -> Option<&str> {
        self.metric_name.as_deref()
    }
    fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }
    fn request_dims(&self) -> RequestDims<'_> {
        RequestDims::Owned(&self.dimensions)
    }
    fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }
    fn value(&self) -> Option<f64> {
        self.value
    }
    fn statistic_values(&self) -> Option<StatisticSet> {
        self.statistic_values
    }
    fn values(&self) -> &[f64] {
        &self.values
    }
    fn counts(&self) -> &[f64] {
        &self.counts
    }
    fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }
    fn storage_resolution(&self) -> Option<i64> {
        self.storage_resolution
    }
}

impl<'b> DatumView for MetricDatumRef<'b> {
    type Dim = DimensionRef<'b>;
    fn metric_name(&self) -> Option<&str> {
        self.metric_name
    }
    fn dimensions(&self) -> &[DimensionRef<'b>] {
        self.dimensions
    }
    fn request_dims(&self) -> RequestDims<'_> {
        RequestDims::Refs(self.dimensions)
    }
    fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }
    fn value(&self) -> Option<f64> {
        self.value
    }
    fn statistic_values(&self) -> Option<StatisticSet> {
        self.statistic_values
    }
    fn values(&self) -> &[f64] {
        self.values
    }
    fn counts(&self) -> &[f64] {
        self.counts
    }
    fn unit(&self) -> Option<&str> {
        self.unit
    }
    fn storage_resolution(&self) -> Option<i64> {
        self.storage_resolution
    }
}

/// A datum's dimensions in request order, owned by the request or borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RequestDims<'a> {
    Refs(&'a [DimensionRef<'a>]),
    Owned(&'a [Dimension]),
}

/// One validated datum: its entries and its series. A datum of a series the index knew by the
/// key as the request orders it carries only the series' id; the others carry their key.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDatum<'a> {
    pub entries: Entries,
    pub target: Target<'a>,
}

/// How a validated datum names its series.
#[derive(Debug, Clone, PartialEq)]
pub enum Target<'a> {
    /// Found by the key as the request orders it ([`crate::index::Index::resolve`]).
    Known(SeriesId),
    /// Found by its sorted key: the index learns the request's order when the datum is applied.
    Learn(SeriesId, Box<SeriesName<'a>>),
    /// Not found: created when applied (or found, if another writer created it meanwhile).
    New(Box<SeriesName<'a>>),
}

/// A validated series key: the metric name and the dimensions sorted by name (borrowed from the
/// request, so ingest copies no strings for series that already exist), with their hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesName<'a> {
    pub metric_name: &'a str,
    /// Sorted by name; names are unique.
    pub dimensions: DimRefs<'a>,
    /// [`crate::index::datum_hash`] of `metric_name` and `dimensions`.
    pub key_hash: u64,
    /// The dimensions as the request ordered them and their [`order_hash`] with the metric
    /// name, which the index learns (none for keys not from a request).
    pub request: Option<(RequestDims<'a>, u64)>,
}

impl<'a> SeriesName<'a> {
    /// A key from its parts (`dimensions` sorted by name), hashing it.
    pub fn new(
        metric_name: &'a str,
        dimensions: DimRefs<'a>,
        request: Option<RequestDims<'a>>,
    ) -> Self {
        let key_hash = order_hash(metric_name, &dimensions);
        SeriesName {
            metric_name,
            dimensions,
            key_hash,
            request: request.map(|r| {
                let h = match r {
                    RequestDims::Refs(d) => order_hash(metric_name, d),
                    RequestDims::Owned(d) => order_hash(metric_name, d),
                };
                (r, h)
            }),
        }
    }
}

impl<'a> ValidDatum<'a> {
    /// A datum of a new series from its parts (dimensions sorted by name), hashing its key.
    pub fn new(metric_name: &'a str, dimensions: DimRefs<'a>, entries: Entries) -> Self {
        ValidDatum {
            entries,
            target: Target::New(Box::new(SeriesName::new(metric_name, dimensions, None))),
        }
    }

    /// The series' id, when validation found it.
    pub fn series(&self) -> Option<SeriesId> {
        match self.target {
            Target::Known(id) | Target::Learn(id, _) => Some(id),
            Target::New(_) => None,
        }
    }

    /// The series key, unless the series was found by the request's key.
    pub fn name(&self) -> Option<&SeriesName<'a>> {
        match &self.target {
            Target::Known(_) => None,
            Target::Learn(_, n) | Target::New(n) => Some(n),
        }
    }
}

/// What [`crate::index::Index::resolve`] learns of a datum before validation: its series,
/// looked up by the key as the request orders it (no sort), then, if that fails, by its sorted
/// key. A datum whose series exists has a valid key (every series was created from a validated
/// one), so its dimensions are not checked again, character by character. Borrows nothing, so a
/// thread reuses one list of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prepared {
    /// [`order_hash`] of the metric name and the dimensions in request order.
    pub order_hash: u64,
    /// The series found by the lookup.
    pub series: Option<SeriesId>,
    /// Whether the key can name a series at all (a name, at most [`MAX_DIMENSIONS`]).
    pub lookup: bool,
    /// The series was found by its sorted key and the index has room to learn this order.
    pub learn: bool,
}

/// [`crate::index::datum_hash`] of a metric name and dimensions in the given order.
pub fn order_hash(metric_name: &str, dims: &[impl DimStr]) -> u64 {
    crate::index::datum_hash(metric_name, dims.iter().map(|d| (d.name(), d.value())))
}

pub(super) fn prepare<D: DatumView>(d: &D) -> Prepared {
    let metric_name = d.metric_name().unwrap_or("");
    let dimensions = d.dimensions();
    let lookup = !metric_name.is_empty() && dimensions.len() <= MAX_DIMENSIONS;
    Prepared {
        order_hash: if lookup {
            order_hash(metric_name, dimensions)
        } else {
            0
        },
        series: None,
        lookup,
        learn: false,
    }
}

thread_local! {
    /// This thread's list of [`Prepared`], reused from batch to batch (no allocation, and its
    /// memory is warm).
    static SPARE: std::cell::Cell<Vec<Prepared>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A thread's [`Prepared`] list, given back when dropped.
pub(super) struct PreparedList(pub(super) Vec<Prepared>);

impl PreparedList {
    pub(super) fn take() -> Self {
        let mut v = SPARE.with(std::cell::Cell::take);
        v.clear();
        PreparedList(v)
    }
}

impl Drop for PreparedList {
    fn drop(&mut self) {
        SPARE.with(|s| s.set(std::mem::take(&mut self.0)));
    }
}

/// Dimensions sorted by name (not checked).
pub(crate) fn sorted<T: DimStr>(dims: &[T]) -> DimRefs<'_> {
    let mut out: DimRefs<'_> = dims
        .iter()
        .map(|d| DimensionRef {
            name: d.name(),
            value: d.value(),
        })
        .collect();
    out.sort_unstable_by(|a, b| name_order(a.name, b.name));
    out
}
