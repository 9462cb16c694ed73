//! GetMetricData dynamic labels, `LabelOptions.Timezone` and Metrics Insights `ORDER BY` another
//! function, through aws-sdk-cloudwatch (Smithy RPC v2 CBOR) against the real server.

use aws_sdk_cloudwatch::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudwatch::types::{
    Dimension, LabelOptions, Metric, MetricDataQuery, MetricDatum, MetricStat, ScanBy,
};
use openwatch_e2e::{TestServer, expect_err, ok};

/// A whole minute, three minutes ago.
fn minute() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    secs - secs % 60 - 180
}

fn host(h: &str) -> Dimension {
    Dimension::builder().name("Host").value(h).build()
}

#[tokio::test]
async fn dynamic_labels_and_insights_order_by() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;
    let t = minute();
    // AVG per minute: a 10, 10; b 15 (samples 0 and 30), 2; c 20, 1.
    let mut put = cw.put_metric_data().namespace("E2E/Labels");
    for (h, points) in [
        ("a", vec![(0, 10.0), (60, 10.0)]),
        ("b", vec![(0, 0.0), (30, 30.0), (60, 2.0)]),
        ("c", vec![(0, 20.0), (60, 1.0)]),
    ] {
        for (dt, v) in points {
            put = put.metric_data(
                MetricDatum::builder()
                    .metric_name("CPU")
                    .dimensions(host(h))
                    .timestamp(DateTime::from_secs(t + dt))
                    .value(v)
                    .build(),
            );
        }
    }
    ok(put.send().await, "PutMetricData");

    let stat = MetricStat::builder()
        .metric(
            Metric::builder()
                .namespace("E2E/Labels")
                .metric_name("CPU")
                .dimensions(host("b"))
                .build(),
        )
        .period(60)
        .stat("Maximum")
        .build();
    let data = ok(
        cw.get_metric_data()
            .start_time(DateTime::from_secs(t))
            .end_time(DateTime::from_secs(t + 120))
            .scan_by(ScanBy::TimestampAscending)
            .label_options(LabelOptions::builder().timezone("+0530").build())
            .metric_data_queries(
                MetricDataQuery::builder()
                    .id("top")
                    .expression(
                        "SELECT AVG(CPU) FROM SCHEMA(\"E2E/Labels\", Host) GROUP BY Host ORDER BY MAX() DESC LIMIT 2",
                    )
                    .period(60)
                    .label("${PROP('Dim.Host')} peak ${MAX}")
                    .build(),
            )
            .metric_data_queries(
                MetricDataQuery::builder()
                    .id("b")
                    .metric_stat(stat)
                    .label("${LABEL} ${PROP('Stat')} max ${MAX} at ${MAX_TIME}")
                    .build(),
            )
            .send()
            .await,
        "GetMetricData",
    );
    let got: Vec<(&str, &str, &[f64])> = data
        .metric_data_results()
        .iter()
        .map(|r| {
            (
                r.id().unwrap_or_default(),
                r.label().unwrap_or_default(),
                r.values(),
            )
        })
        .collect();
    // The maximum of b is at minute t, shown in +05:30.
    let local = DateTime::from_secs(t + 5 * 3600 + 1800)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default();
    let at = format!("{}+05:30", local.trim_end_matches('Z'));
    let b_label = format!("CPU Maximum max 30 at {at}");
    assert_eq!(
        got,
        vec![
            ("top", "c peak 20", &[20.0, 1.0][..]),
            ("top", "b peak 15", &[15.0, 2.0][..]),
            ("b", b_label.as_str(), &[30.0, 2.0][..]),
        ]
    );

    let err = expect_err(
        cw.get_metric_data()
            .start_time(DateTime::from_secs(t))
            .end_time(DateTime::from_secs(t + 120))
            .label_options(LabelOptions::builder().timezone("+5:30").build())
            .metric_data_queries(
                MetricDataQuery::builder()
                    .id("q")
                    .expression("SELECT AVG(CPU) FROM \"E2E/Labels\"")
                    .build(),
            )
            .send()
            .await,
        "GetMetricData with a bad timezone",
    );
    let info = openwatch_e2e::service_error(&err, "GetMetricData");
    assert_eq!(info.code, "InvalidParameterValue", "{info:?}");
    assert_eq!(info.status, 400);
    server.shutdown().await;
}
