//! Metric-alarm evaluation over the metrics engine, publishing state changes to EventBridge.

use openwatch_alarms::Datapoint;
use openwatch_alarms::store::{AlarmStore, DatapointSource, MetricAlarm, StateChange};
use openwatch_events::Events;
use openwatch_metrics::{DataQuery, DataRequest, Dimension, MetricSpec, Metrics, Unit};

/// Reads an alarm's statistic per period from the metrics engine.
#[derive(Debug)]
pub struct MetricsDatapoints<'a>(pub &'a Metrics);

impl DatapointSource for MetricsDatapoints<'_> {
    fn datapoints(
        &self,
        account: &str,
        region: &str,
        alarm: &MetricAlarm,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<Datapoint>, String> {
        if !alarm.metrics.is_empty() {
            return math_datapoints(self.0, account, region, alarm, start_ms, end_ms);
        }
        let spec = MetricSpec {
            namespace: alarm.namespace.clone(),
            metric_name: alarm.metric_name.clone(),
            dimensions: alarm
                .dimensions
                .iter()
                .map(|(n, v)| Dimension::new(n.clone(), v.clone()))
                .collect(),
        };
        let unit = alarm.unit.as_deref().and_then(Unit::parse);
        let values = self
            .0
            .series_values(
                account,
                region,
                &spec,
                alarm.stat(),
                i64::from(alarm.period),
                start_ms,
                end_ms,
                unit,
            )
            .map_err(|e| e.to_string())?;
        // Sample counts decide low-sample percentiles (EvaluateLowSampleCountPercentile).
        let counts: std::collections::HashMap<i64, f64> = if alarm
            .extended_statistic
            .as_deref()
            .and_then(openwatch_alarms::metric::percentile_of)
            .is_some()
            && alarm.evaluate_low_sample_count_percentile.as_deref() == Some("ignore")
        {
            self.0
                .series_values(
                    account,
                    region,
                    &spec,
                    "SampleCount",
                    i64::from(alarm.period),
                    start_ms,
                    end_ms,
                    unit,
                )
                .map_err(|e| e.to_string())?
                .into_iter()
                .collect()
        } else {
            std::collections::HashMap::new()
        };
        Ok(values
            .into_iter()
            .map(|(ts, v)| Datapoint {
                sample_count: counts.get(&ts).copied(),
                ..Datapoint::new(ts, v)
            })
            .collect())
    }
}

/// A metric-math alarm's datapoints: GetMetricData over its `Metrics`, the one query that
/// returns data (with, for an anomaly-detection alarm, the band of its ThresholdMetricId).
fn math_datapoints(
    metrics: &Metrics,
    account: &str,
    region: &str,
    alarm: &MetricAlarm,
    start_ms: i64,
    end_ms: i64,
) -> Result<Vec<Datapoint>, String> {
    let queries = alarm
        .metrics
        .iter()
        .map(|q| DataQuery {
            id: q.id.clone(),
            metric: MetricSpec {
                namespace: q.namespace.clone(),
                metric_name: q.metric_name.clone(),
                dimensions: q
                    .dimensions
                    .iter()
                    .map(|(n, v)| Dimension::new(n.clone(), v.clone()))
                    .collect(),
            },
            period: i64::from(q.period.unwrap_or(alarm.period)),
            stat: q.stat.clone().unwrap_or_default(),
            expression: q.expression.clone(),
            unit: q.unit.clone(),
            label: q.label.clone(),
            return_data: q.return_data,
        })
        .collect();
    let page = metrics
        .get_metric_data(
            account,
            region,
            &DataRequest {
                queries,
                start: start_ms,
                end: end_ms,
                ascending: true,
                max_datapoints: None,
                next_token: None,
            },
        )
        .map_err(|e| e.to_string())?;
    // An anomaly-detection alarm's band (ThresholdMetricId) returns data too.
    let band_id = alarm.threshold_metric_id.as_deref();
    let returned = alarm
        .metrics
        .iter()
        .find(|q| q.return_data && Some(q.id.as_str()) != band_id)
        .map(|q| q.id.as_str());
    let series = |id: Option<&str>, nth: usize| -> Vec<(i64, f64)> {
        page.results
            .iter()
            .filter(|r| Some(r.id.as_str()) == id)
            .nth(nth)
            .map(|r| {
                r.timestamps
                    .iter()
                    .copied()
                    .zip(r.values.iter().copied())
                    .collect()
            })
            .unwrap_or_default()
    };
    let points = series(returned, 0);
    if band_id.is_some() {
        // The band is two results: the lower bound, then the upper.
        let (lower, upper) = (series(band_id, 0), series(band_id, 1));
        return Ok(openwatch_alarms::metric::band::with_band(
            &points, &lower, &upper,
        ));
    }
    Ok(points
        .into_iter()
        .map(|(ts, v)| Datapoint::new(ts, v))
        .collect())
}

/// Evaluates the alarms due at `now` and publishes each state change as "CloudWatch Alarm
/// State Change" on its account's default bus. Alarm actions are not executed (no action
/// targets exist yet). Returns the number of state changes.
pub fn run(alarms: &AlarmStore, metrics: &Metrics, events: &Events, now: i64) -> usize {
    run_with_actions(alarms, metrics, events, None, now)
}

/// As [`run`], and executes each changed alarm's actions (SNS topics) when `sns` is given.
pub fn run_with_actions(
    alarms: &AlarmStore,
    metrics: &Metrics,
    events: &Events,
    sns: Option<&openwatch_sns::Sns>,
    now: i64,
) -> usize {
    let changes = alarms.evaluate_due(now, &MetricsDatapoints(metrics));
    for change in &changes {
        publish(events, change);
        if let Some(sns) = sns {
            crate::alarm_actions::execute(alarms, sns, change);
        }
    }
    changes.len()
}

fn publish(events: &Events, change: &StateChange) {
    openwatch_services::cloudwatch::alarms::publish_state_change(events, change);
}
