//! `ANOMALY_DETECTION_BAND(m[, stddevs])` in GetMetricData: the model of query `m` (see the
//! module docs of `crate::anomaly`) evaluated on the frame's grid.

use super::{DetectorConfig, DetectorTarget};
use crate::engine::Metrics;
use crate::math::{Frame, Series, Val};
use crate::query::DataQuery;

/// Whether a query is itself an anomaly band (it cannot feed a model).
fn is_band(q: &DataQuery) -> bool {
    q.expression
        .as_deref()
        .is_some_and(|e| e.to_ascii_uppercase().contains("ANOMALY_DETECTION_BAND"))
}

/// The configuration of the detector that models query `q`, or the default one.
fn config_for(
    m: &Metrics,
    account: &str,
    region: &str,
    q: &DataQuery,
    queries: &[DataQuery],
) -> DetectorConfig {
    let found = if q.expression.is_none() {
        let mut dimensions: Vec<(String, String)> = q
            .metric
            .dimensions
            .iter()
            .map(|d| (d.name.to_string(), d.value.to_string()))
            .collect();
        dimensions.sort();
        m.find_detector(
            account,
            region,
            &DetectorTarget::Single {
                namespace: q.metric.namespace.clone(),
                metric_name: q.metric.metric_name.clone(),
                dimensions,
                stat: q.stat.clone(),
            },
        )
    } else {
        let stored = queries
            .iter()
            .map(|x| super::StoredQuery {
                return_data: x.id == q.id,
                ..super::StoredQuery::from_query(x)
            })
            .collect();
        m.find_detector(account, region, &DetectorTarget::Math { queries: stored })
    };
    found.map(|d| d.config).unwrap_or_default()
}

/// The band of query `id` among `queries`, `stddevs` wide, on `frame`'s grid: two series,
/// `Lower` and `Upper`, empty while there is no trained model.
#[allow(clippy::too_many_arguments)]
pub(crate) fn band(
    m: &Metrics,
    account: &str,
    region: &str,
    queries: &[DataQuery],
    id: &str,
    stddevs: f64,
    frame: &Frame,
) -> Result<Val, String> {
    let usable: Vec<DataQuery> = queries.iter().filter(|q| !is_band(q)).cloned().collect();
    let Some(q) = usable.iter().find(|q| q.id == id) else {
        return Err(format!(
            "ANOMALY_DETECTION_BAND needs a metric or expression, and {id} is not one"
        ));
    };
    let period = if q.period > 0 {
        q.period
    } else {
        frame.period_s
    };
    let config = config_for(m, account, region, q, &usable);
    let (mut lower, mut upper) = (Vec::new(), Vec::new());
    if let Ok(model) = m.anomaly_model(account, region, &usable, id, period, &config) {
        for t in &frame.grid {
            let (lo, hi) = model.band(*t, stddevs);
            if lo.is_finite() && hi.is_finite() {
                lower.push((*t, lo));
                upper.push((*t, hi));
            }
        }
    }
    Ok(Val::Array(vec![
        Series {
            label: "Lower".into(),
            points: lower,
        },
        Series {
            label: "Upper".into(),
            points: upper,
        },
    ]))
}
