//! The links between domains that no domain may make itself (only this crate knows them all):
//!
//! - [`MetricsSink`]: metric filters' values (from `openwatch-logs`) into the metrics engine.
//! - [`ApiCallsToBus`]: every audited API call onto the caller's default event bus as
//!   "AWS API Call via CloudTrail".
//! - [`LogGroupTarget`]: EventBridge targets that are CloudWatch Logs log groups.
//!
//! The first two sit on request paths (PutLogEvents, every audited call), so they only queue: a
//! bounded channel per link and one worker thread that writes into the other domain. What is
//! queued when the process dies is lost (a clean shutdown drains the queues first, see
//! [`Links::drain`]); a full queue drops with a warning rather than slowing requests down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use openwatch_events::{DeliveryRequest, Events, TargetSink};
use openwatch_logs::{EmittedMetric, InputEvent, LogStore, LogsError, MetricSink};
use openwatch_metrics::{Clock, Dimension, MetricDatum, Metrics};
use openwatch_trail::CloudTrailRecord;
use openwatch_wire::{AuditEvent, AuditSink};
use parking_lot::Mutex;

/// Capacity of each link's queue (batches of metric values, or API calls).
pub const LINK_QUEUE_CAPACITY: usize = 16_384;
/// Most queued items a link's thread takes at once.
pub const LINK_BATCH: usize = 256;

/// What a link's worker receives.
enum Msg<T> {
    Item(T),
    /// Answered once everything queued before it is written.
    Drain(SyncSender<()>),
}

/// A bounded queue and the thread that empties it.
struct Worker<T: Send + 'static> {
    name: &'static str,
    tx: Mutex<Option<SyncSender<Msg<T>>>>,
    dropped: AtomicU64,
}

impl<T: Send + 'static> Worker<T> {
    /// Starts the thread; `handle` gets what is queued, up to [`LINK_BATCH`] items at a time (so a
    /// busy link writes fewer, larger batches).
    fn start(name: &'static str, mut handle: impl FnMut(Vec<T>) + Send + 'static) -> Worker<T> {
        let (tx, rx): (SyncSender<Msg<T>>, Receiver<Msg<T>>) =
            mpsc::sync_channel(LINK_QUEUE_CAPACITY);
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let mut batch = Vec::new();
                let mut drains = Vec::new();
                while let Ok(first) = rx.recv() {
                    let mut next = Some(first);
                    while let Some(msg) = next.take() {
                        match msg {
                            Msg::Item(item) => batch.push(item),
                            Msg::Drain(done) => drains.push(done),
                        }
                        if batch.len() < LINK_BATCH {
                            next = rx.try_recv().ok();
                        }
                    }
                    if !batch.is_empty() {
                        handle(std::mem::take(&mut batch));
                    }
                    for done in drains.drain(..) {
                        let _ = done.send(());
                    }
                }
            });
        let tx = match spawned {
            Ok(_) => Some(tx),
            Err(e) => {
                tracing::error!(link = name, error = %e, "cannot start a link thread; the link is off");
                None
            }
        };
        Worker {
            name,
            tx: Mutex::new(tx),
            dropped: AtomicU64::new(0),
        }
    }

    /// Queues without waiting; drops (counted, logged) when the queue is full or closed.
    fn push(&self, item: T) {
        let sent = match self.tx.lock().as_ref() {
            Some(tx) => tx.try_send(Msg::Item(item)),
            None => return,
        };
        if let Err(e) = sent {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            let why = match e {
                TrySendError::Full(_) => "full",
                TrySendError::Disconnected(_) => "closed",
            };
            tracing::warn!(
                link = self.name,
                dropped = n,
                "link queue {why}; item dropped"
            );
        }
    }

    /// Waits until everything queued so far has been handled.
    fn drain(&self) {
        let tx = self.tx.lock().clone();
        if let Some(tx) = tx {
            let (done_tx, done_rx) = mpsc::sync_channel(1);
            if tx.send(Msg::Drain(done_tx)).is_ok() {
                let _ = done_rx.recv();
            }
        }
    }

    /// Drains, then stops the thread (later pushes are ignored).
    fn close(&self) {
        self.drain();
        self.tx.lock().take();
    }
}

/// Metric filters' values into the metrics engine (`Metrics::put`, one call per account, region
/// and namespace, at most 1,000 datums each).
pub struct MetricsSink {
    worker: Worker<(String, String, Vec<EmittedMetric>)>,
}

impl MetricsSink {
    pub fn new(metrics: Arc<Metrics>) -> MetricsSink {
        let worker = Worker::start(
            "metric-filters",
            move |batches: Vec<(String, String, Vec<EmittedMetric>)>| {
                write_metrics(&metrics, batches);
            },
        );
        MetricsSink { worker }
    }

    /// Waits until every value emitted so far is in the metrics engine (and durable).
    pub fn drain(&self) {
        self.worker.drain();
    }

    /// Values dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.worker.dropped.load(Ordering::Relaxed)
    }
}

impl MetricSink for MetricsSink {
    fn emit(&self, account: &str, region: &str, metrics: Vec<EmittedMetric>) {
        self.worker
            .push((account.to_owned(), region.to_owned(), metrics));
    }
}

fn datum(m: EmittedMetric) -> MetricDatum {
    MetricDatum {
        metric_name: Some(m.metric_name),
        dimensions: m
            .dimensions
            .into_iter()
            .map(|(n, v)| Dimension::new(n, v))
            .collect(),
        timestamp: Some(m.timestamp),
        value: Some(m.value),
        unit: m.unit,
        storage_resolution: m.storage_resolution,
        ..MetricDatum::default()
    }
}

/// Writes queued values, one `Metrics::put` per account, region and namespace (≤ 1,000 datums).
fn write_metrics(metrics: &Metrics, batches: Vec<(String, String, Vec<EmittedMetric>)>) {
    type Key = (String, String, String);
    let mut grouped: std::collections::BTreeMap<Key, Vec<MetricDatum>> =
        std::collections::BTreeMap::new();
    for (account, region, values) in batches {
        for m in values {
            grouped
                .entry((account.clone(), region.clone(), m.namespace.clone()))
                .or_default()
                .push(datum(m));
        }
    }
    for ((account, region, namespace), data) in grouped {
        for chunk in data.chunks(openwatch_metrics::validate::MAX_DATUMS) {
            if metrics.put(&account, &region, &namespace, chunk).is_ok() {
                continue;
            }
            // The engine refuses a batch whole: put the values one by one so that one bad
            // value (a dimension too long, a reserved namespace) costs only itself.
            for d in chunk {
                if let Err(e) = metrics.put(&account, &region, &namespace, std::slice::from_ref(d))
                {
                    tracing::warn!(%account, %region, %namespace, metric = ?d.metric_name, error = %e, "metric filter value refused by the metrics engine");
                }
            }
        }
    }
}

/// Audited API calls onto the caller's default bus (`Events::put_api_call`), off the request
/// path. The event's `detail` is the CloudTrail record, with the stored record's `eventID`.
pub struct ApiCallsToBus {
    events: Arc<Events>,
    worker: Worker<CloudTrailRecord>,
}

impl ApiCallsToBus {
    pub fn new(events: Arc<Events>) -> ApiCallsToBus {
        let bus_events = Arc::clone(&events);
        let worker = Worker::start("api-calls-to-bus", move |calls: Vec<CloudTrailRecord>| {
            for input in calls {
                forward_api_call(&bus_events, input);
            }
        });
        ApiCallsToBus { events, worker }
    }

    /// Queues one call, unless the caller's default bus has nothing an event could reach: then
    /// the record is neither copied nor turned into JSON (the common case on the request path).
    pub fn offer(&self, record: &CloudTrailRecord) {
        let input = &record.input;
        if self
            .events
            .default_bus_has_routes(&input.recipient_account_id, &input.aws_region)
        {
            self.worker.push(record.clone());
        }
    }

    /// Waits until every call queued so far is on its bus.
    pub fn drain(&self) {
        self.worker.drain();
    }

    /// Calls dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.worker.dropped.load(Ordering::Relaxed)
    }
}

impl AuditSink for ApiCallsToBus {
    fn record(&self, e: AuditEvent) {
        self.offer(&CloudTrailRecord::new(crate::audit::record_input(e)));
    }
}

/// `iam.amazonaws.com` → `aws.iam`, as EventBridge names the source of CloudTrail API calls.
pub fn api_call_source(event_source: &str) -> String {
    let service = event_source
        .strip_suffix(".amazonaws.com")
        .unwrap_or(event_source);
    format!("aws.{service}")
}

fn forward_api_call(events: &Events, record: CloudTrailRecord) {
    let input = &record.input;
    let account = input.recipient_account_id.clone();
    let region = input.aws_region.clone();
    let source = api_call_source(&input.event_source);
    let read_only = input.read_only;
    let json = record.to_cloudtrail_json();
    let detail = match serde_json::from_str(&json) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read back a CloudTrail record; API call not put on the bus");
            return;
        }
    };
    if let Err(e) = events.put_api_call(&account, &region, &source, detail, read_only) {
        tracing::warn!(%account, %region, %source, error = %e, "API call not put on the default bus");
    }
}

/// A CloudWatch Logs log group as an EventBridge target: `arn:aws:logs:<region>:<account>:
/// log-group:<name>` (a trailing `:*` is accepted). Each event becomes one log event in a log
/// stream named after the event's id (created on first use), timestamped with the event's
/// `time`. A target input of the form `{"timestamp": …, "message": "…"}` (what the log-group
/// input template produces) gives the timestamp and message itself; any other input is logged
/// as it is. The log group must exist and belong to the rule's account.
pub struct LogGroupTarget {
    pub logs: Arc<LogStore>,
    pub clock: Arc<dyn Clock>,
}

/// The parts of a log-group ARN: `(region, account, group name)`.
pub fn parse_log_group_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:logs:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, rest) = rest.split_once(':')?;
    let name = rest.strip_prefix("log-group:")?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    let ok = !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty();
    ok.then_some((region, account, name))
}

/// Milliseconds from an event's `time` (RFC 3339) or a number.
fn millis(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond())
            .or_else(|| s.parse::<i64>().ok()),
        _ => None,
    }
}

/// The log event a delivery becomes: `(timestamp, message)`.
fn log_event(payload: &str, now: i64) -> (i64, String) {
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_str::<serde_json::Value>(payload)
    else {
        return (now, payload.to_owned());
    };
    if obj.len() == 2
        && let (Some(ts), Some(msg)) = (obj.get("timestamp"), obj.get("message"))
    {
        let message = match msg {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return (millis(ts).unwrap_or(now), message);
    }
    let ts = obj.get("time").and_then(millis).unwrap_or(now);
    (ts, payload.to_owned())
}

impl TargetSink for LogGroupTarget {
    fn accepts(&self, arn: &str) -> bool {
        parse_log_group_arn(arn).is_some()
    }

    fn deliver(&self, request: &DeliveryRequest<'_>) -> Result<(), String> {
        let (region, account, group) = parse_log_group_arn(request.target_arn)
            .ok_or_else(|| format!("not a log group ARN: {}", request.target_arn))?;
        if account != request.account {
            return Err(format!(
                "log group {} belongs to another account than rule {}",
                request.target_arn, request.rule_arn
            ));
        }
        let now = self.clock.now_millis();
        let (timestamp, message) = log_event(request.payload, now);
        let stream = request.event_id;
        match self.logs.create_log_stream(account, region, group, stream) {
            Ok(()) | Err(LogsError::AlreadyExists(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
        let put = self
            .logs
            .put_log_events_blocking(
                account,
                region,
                group,
                stream,
                vec![InputEvent { timestamp, message }],
            )
            .map_err(|e| e.to_string())?;
        if put.accepted == 0 {
            return Err(format!(
                "log group {group} rejected the event (timestamp {timestamp} is too old, too new or past retention)"
            ));
        }
        Ok(())
    }
}

/// The links the server made, kept to drain them at shutdown.
pub struct Links {
    pub metrics: Arc<MetricsSink>,
    pub api_calls: Arc<ApiCallsToBus>,
}

impl Links {
    /// Connects the domains: metric filters → metrics, log-group targets → logs, and returns
    /// the API-call link for the audit sink.
    pub fn connect(
        logs: &Arc<LogStore>,
        metrics: &Arc<Metrics>,
        events: &Arc<Events>,
        clock: &Arc<dyn Clock>,
    ) -> Links {
        let metrics_sink = Arc::new(MetricsSink::new(Arc::clone(metrics)));
        logs.set_metric_sink(metrics_sink.clone());
        events.add_sink(Arc::new(LogGroupTarget {
            logs: Arc::clone(logs),
            clock: Arc::clone(clock),
        }));
        Links {
            metrics: metrics_sink,
            api_calls: Arc::new(ApiCallsToBus::new(Arc::clone(events))),
        }
    }

    /// Writes out everything queued (API calls first: they may reach log-group targets later,
    /// through the delivery queue) and stops the link threads.
    pub fn drain(&self) {
        self.api_calls.worker.close();
        self.metrics.worker.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns() {
        assert_eq!(
            parse_log_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/x"),
            Some(("us-east-1", "123456789012", "/aws/events/x"))
        );
        assert_eq!(
            parse_log_group_arn("arn:aws:logs:eu-west-1:123456789012:log-group:app:*"),
            Some(("eu-west-1", "123456789012", "app"))
        );
        assert_eq!(
            parse_log_group_arn("arn:aws:sns:us-east-1:123456789012:topic"),
            None
        );
        assert_eq!(
            parse_log_group_arn("arn:aws:logs:us-east-1:12:log-group:x"),
            None
        );
    }

    #[test]
    fn log_events_from_inputs() {
        let event = r#"{"id":"1","time":"2025-11-29T10:00:00Z","detail":{}}"#;
        assert_eq!(log_event(event, 5), (1_764_410_400_000, event.to_owned()));
        assert_eq!(
            log_event(r#"{"timestamp":"2025-11-29T10:00:00Z","message":"hi"}"#, 5),
            (1_764_410_400_000, "hi".to_owned())
        );
        assert_eq!(log_event("plain text", 5), (5, "plain text".to_owned()));
        assert_eq!(api_call_source("iam.amazonaws.com"), "aws.iam");
    }
}
