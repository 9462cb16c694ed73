//! PutMetricData's own body reader ([`openwatch_wire::Operation::read_body_with`]): a CBOR or
//! awsJson body in its common form is read into borrowed datums ([`MetricDatumRef`]) with no
//! allocation per datum — text stays in the scan's one text store, every datum's dimensions
//! share one arena, `Values` and `Counts` another — and the engine takes them as they are
//! ([`Metrics::put_refs_async`]).
//!
//! The reader handles exactly the members the input shapes ([`super::PutMetricDataInput`] and
//! its datums) read, each at most once, with the types they read; anything else (an unknown or repeated member,
//! `null`, a string where a number goes, escapes, indefinite-length text…) makes it answer
//! `None`, and the generic read takes the body: every error, and the audit record, stay the
//! generic read's.

use std::sync::Arc;

use openwatch_metrics::{DimensionRef, MetricDatumRef, Metrics, StatisticSet};
use openwatch_wire::audit::bulk_members;
use openwatch_wire::operation::Prepared;
use openwatch_wire::protocol::scan::{CborScan, Entries, JsonScan, Key, Number, Scan, Span, Texts};
use openwatch_wire::value::to_value_omitting;
use openwatch_wire::{Bytes, Protocol, Service};

use super::put_data::{PutMetricDataInput, put_metric_data_refs};

/// PutMetricData's reader for [`openwatch_wire::Operation::read_body_with`].
pub(super) fn reader(
    metrics: Arc<Metrics>,
) -> impl Fn(Protocol, &Bytes) -> Option<Prepared> + Send + Sync + 'static {
    let bulk = bulk_members(Service::CloudWatch, "PutMetricData");
    move |protocol, body| {
        let read = read(protocol, body)?;
        // The input as the generic read records it: the namespace, the datums left out.
        let input = PutMetricDataInput {
            namespace: read.namespace().map(str::to_owned),
            metric_data: None,
        };
        let recorded = to_value_omitting(&input, bulk).ok();
        let metrics = Arc::clone(&metrics);
        Some(Prepared::new(recorded, move |ctx| async move {
            let dims = read.dims();
            let data = read.data(&dims);
            put_metric_data_refs(&metrics, ctx, read.namespace(), &data).await
        }))
    }
}

/// A PutMetricData body as read: spans of `texts`, ranges of the arenas.
#[derive(Debug, Default)]
pub(super) struct Read {
    texts: Texts,
    namespace: Option<Span>,
    data: Vec<Datum>,
    /// Every datum's dimensions, `(name, value)`, in order.
    dims: Vec<(Span, Span)>,
    /// Every datum's `Values`, then `Counts`, in order.
    numbers: Vec<f64>,
}

/// One datum of a [`Read`].
#[derive(Debug, Clone, Copy, Default)]
struct Datum {
    metric_name: Option<Span>,
    dims: (usize, usize),
    timestamp: Option<i64>,
    value: Option<f64>,
    statistic_values: Option<StatisticSet>,
    values: (usize, usize),
    counts: (usize, usize),
    unit: Option<Span>,
    storage_resolution: Option<i64>,
}

/// The datums a 1,000-datum body makes room for at once (the API's limit per request).
const RESERVE_DATA: usize = 1_000;

/// Reads a body in `protocol`; `None` leaves it to the generic read.
pub(super) fn read(protocol: Protocol, body: &[u8]) -> Option<Read> {
    match protocol {
        Protocol::RpcV2Cbor => read_with(CborScan::new(body), body.len()),
        Protocol::AwsJson10 | Protocol::AwsJson11 => read_with(JsonScan::new(body), body.len()),
        Protocol::AwsQuery | Protocol::RestJson => None,
    }
}

impl Read {
    pub(super) fn namespace(&self) -> Option<&str> {
        self.namespace.map(|s| s.of(self.texts.as_str()))
    }

    /// Every datum's dimensions, borrowed: the arena [`Read::data`] slices.
    pub(super) fn dims(&self) -> Vec<DimensionRef<'_>> {
        let texts = self.texts.as_str();
        self.dims
            .iter()
            .map(|(name, value)| DimensionRef {
                name: name.of(texts),
                value: value.of(texts),
            })
            .collect()
    }

    /// The datums, borrowed, over the arena of [`Read::dims`].
    pub(super) fn data<'r>(&'r self, dims: &'r [DimensionRef<'r>]) -> Vec<MetricDatumRef<'r>> {
        let texts = self.texts.as_str();
        self.data
            .iter()
            .map(|d| MetricDatumRef {
                metric_name: d.metric_name.map(|s| s.of(texts)),
                dimensions: &dims[d.dims.0..d.dims.1],
                timestamp: d.timestamp,
                value: d.value,
                statistic_values: d.statistic_values,
                values: &self.numbers[d.values.0..d.values.1],
                counts: &self.numbers[d.counts.0..d.counts.1],
                unit: d.unit.map(|s| s.of(texts)),
                storage_resolution: d.storage_resolution,
            })
            .collect()
    }
}

/// Members read so far of one structure: a repeated member is the generic read's to refuse.
#[derive(Default)]
struct Seen(u16);

impl Seen {
    fn first(&mut self, member: usize) -> Option<()> {
        let bit = 1 << member;
        if self.0 & bit != 0 {
            return None;
        }
        self.0 |= bit;
        Some(())
    }
}

/// The order one kind of structure's members came in last time: the member that followed each
/// member (and the start), which the reader expects next ([`Scan::key_in`]). A body's datums,
/// dimensions and statistic sets each list their members in one order, so from the second
/// structure of a kind on, every key is matched in place.
#[derive(Clone, Copy)]
struct Order {
    next: [u8; Order::START + 1],
    prev: usize,
}

impl Order {
    /// The slot of the start (member indexes are below it).
    const START: usize = 15;

    fn new() -> Self {
        Order {
            next: [0; Order::START + 1],
            prev: Order::START,
        }
    }

    /// Starts a structure.
    fn start(&mut self) {
        self.prev = Order::START;
    }

    /// The member expected next.
    fn expect(&self) -> usize {
        usize::from(self.next[self.prev])
    }

    /// Records that `member` came next.
    fn came(&mut self, member: usize) {
        self.next[self.prev] = member as u8;
        self.prev = member;
    }
}

/// What the reader expects next in each kind of structure.
struct Orders {
    top: Order,
    datum: Order,
    dimension: Order,
    statistic_set: Order,
}

/// Reads the next key of a structure of a kind whose members are `keys` (their indexes in it
/// are also their [`Seen`] bits): the key's index, or `None` past the structure's end.
#[inline(always)]
fn member<'a, S: Scan<'a>>(
    s: &mut S,
    entries: &mut Entries,
    keys: &[Key],
    order: &mut Order,
    seen: &mut Seen,
) -> Option<Option<usize>> {
    debug_assert!(keys.len() < Order::START);
    let Some(k) = s.key_in(entries, keys, order.expect())? else {
        return Some(None);
    };
    order.came(k);
    seen.first(k)?;
    Some(Some(k))
}

const TOP: [Key; 2] = [Key::new(b"Namespace"), Key::new(b"MetricData")];
const NAMESPACE: usize = 0;
const METRIC_DATA: usize = 1;

const DATUM: [Key; 9] = [
    Key::new(b"MetricName"),
    Key::new(b"Dimensions"),
    Key::new(b"Timestamp"),
    Key::new(b"Value"),
    Key::new(b"StatisticValues"),
    Key::new(b"Values"),
    Key::new(b"Counts"),
    Key::new(b"Unit"),
    Key::new(b"StorageResolution"),
];
const METRIC_NAME: usize = 0;
const DIMENSIONS: usize = 1;
const TIMESTAMP: usize = 2;
const VALUE: usize = 3;
const STATISTIC_VALUES: usize = 4;
const VALUES: usize = 5;
const COUNTS: usize = 6;
const UNIT: usize = 7;
const STORAGE_RESOLUTION: usize = 8;

const DIMENSION: [Key; 2] = [Key::new(b"Name"), Key::new(b"Value")];
const NAME: usize = 0;
const DIMENSION_VALUE: usize = 1;

const STATISTIC_SET: [Key; 4] = [
    Key::new(b"SampleCount"),
    Key::new(b"Sum"),
    Key::new(b"Minimum"),
    Key::new(b"Maximum"),
];
const SAMPLE_COUNT: usize = 0;
const SUM: usize = 1;
const MINIMUM: usize = 2;
const MAXIMUM: usize = 3;

fn read_with<'a, S: Scan<'a>>(mut s: S, body_len: usize) -> Option<Read> {
    // Sized from the body for the common form (a datum of well over 32 bytes, a dimension of
    // over 16), so that a 1,000-datum request does not regrow its arenas; others grow them.
    let mut read = Read {
        data: Vec::with_capacity(RESERVE_DATA.min(body_len / 32)),
        dims: Vec::with_capacity(body_len / 16),
        ..Read::default()
    };
    let mut orders = Orders {
        top: Order::new(),
        datum: Order::new(),
        dimension: Order::new(),
        statistic_set: Order::new(),
    };
    let mut top = s.map()?;
    let mut seen = Seen::default();
    while let Some(k) = member(&mut s, &mut top, &TOP, &mut orders.top, &mut seen)? {
        match k {
            NAMESPACE => read.namespace = Some(s.text()?),
            METRIC_DATA => {
                let mut list = s.list()?;
                while s.element(&mut list)? {
                    let d = datum(&mut s, &mut read, &mut orders)?;
                    read.data.push(d);
                }
            }
            _ => return None,
        }
    }
    read.texts = s.finish()?;
    Some(read)
}

fn datum<'a, S: Scan<'a>>(s: &mut S, read: &mut Read, orders: &mut Orders) -> Option<Datum> {
    let mut members = s.map()?;
    let mut seen = Seen::default();
    let (d0, n0) = (read.dims.len(), read.numbers.len());
    let mut d = Datum {
        dims: (d0, d0),
        values: (n0, n0),
        counts: (n0, n0),
        ..Datum::default()
    };
    orders.datum.start();
    while let Some(k) = member(s, &mut members, &DATUM, &mut orders.datum, &mut seen)? {
        match k {
            METRIC_NAME => d.metric_name = Some(s.text()?),
            DIMENSIONS => {
                let start = read.dims.len();
                let mut list = s.list()?;
                while s.element(&mut list)? {
                    read.dims.push(dimension(s, &mut orders.dimension)?);
                }
                d.dims = (start, read.dims.len());
            }
            TIMESTAMP => d.timestamp = Some(s.number()?.as_timestamp()?.millis()),
            VALUE => d.value = Some(s.number()?.as_f64()),
            STATISTIC_VALUES => {
                d.statistic_values = Some(statistic_set(s, &mut orders.statistic_set)?);
            }
            VALUES => d.values = numbers(s, &mut read.numbers)?,
            COUNTS => d.counts = numbers(s, &mut read.numbers)?,
            UNIT => d.unit = Some(s.text()?),
            STORAGE_RESOLUTION => d.storage_resolution = Some(s.number()?.as_i64()?),
            _ => return None,
        }
    }
    Some(d)
}

/// A `Dimension`: both members default to empty text, as in [`super::DimensionShape`].
fn dimension<'a, S: Scan<'a>>(s: &mut S, order: &mut Order) -> Option<(Span, Span)> {
    let mut members = s.map()?;
    let mut seen = Seen::default();
    let (mut name, mut value) = (Span::default(), Span::default());
    order.start();
    while let Some(k) = member(s, &mut members, &DIMENSION, order, &mut seen)? {
        match k {
            NAME => name = s.text()?,
            DIMENSION_VALUE => value = s.text()?,
            _ => return None,
        }
    }
    Some((name, value))
}

fn statistic_set<'a, S: Scan<'a>>(s: &mut S, order: &mut Order) -> Option<StatisticSet> {
    let mut members = s.map()?;
    let mut seen = Seen::default();
    let mut set = StatisticSet::default();
    order.start();
    while let Some(k) = member(s, &mut members, &STATISTIC_SET, order, &mut seen)? {
        let slot = match k {
            SAMPLE_COUNT => &mut set.sample_count,
            SUM => &mut set.sum,
            MINIMUM => &mut set.minimum,
            MAXIMUM => &mut set.maximum,
            _ => return None,
        };
        *slot = Some(s.number()?.as_f64());
    }
    Some(set)
}

/// A list of numbers appended to `out`; its range there.
fn numbers<'a, S: Scan<'a>>(s: &mut S, out: &mut Vec<f64>) -> Option<(usize, usize)> {
    let start = out.len();
    let mut list = s.list()?;
    while s.element(&mut list)? {
        out.push(s.number().map(Number::as_f64)?);
    }
    Some((start, out.len()))
}

#[cfg(test)]
#[path = "put_body_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "put_body_props.rs"]
mod props;
