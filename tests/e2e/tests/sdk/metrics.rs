//! CloudWatch metrics through aws-sdk-cloudwatch (Smithy RPC v2 CBOR): what PutMetricData stores,
//! GetMetricStatistics, GetMetricData and ListMetrics read back; invalid input is refused with the
//! awsQuery code the SDK exposes, and stores nothing.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricDatum, MetricStat, StandardUnit,
    Statistic, StatisticSet,
};
use openwatch_e2e::{TestServer, expect_err, ok};

fn now_minute() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    secs - secs % 60 - 120
}

fn host(h: &str) -> Dimension {
    Dimension::builder().name("Host").value(h).build()
}

#[tokio::test]
async fn put_metric_data_is_read_back_by_every_read_api() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;
    let t = now_minute();
    let at = DateTime::from_secs(t + 10);

    ok(
        cw.put_metric_data()
            .namespace("E2E/App")
            .metric_data(
                MetricDatum::builder()
                    .metric_name("Latency")
                    .dimensions(host("a"))
                    .timestamp(at)
                    .value(10.0)
                    .unit(StandardUnit::Milliseconds)
                    .build(),
            )
            .metric_data(
                MetricDatum::builder()
                    .metric_name("Latency")
                    .dimensions(host("a"))
                    .timestamp(at)
                    .values(20.0)
                    .values(30.0)
                    .counts(1.0)
                    .counts(2.0)
                    .unit(StandardUnit::Milliseconds)
                    .build(),
            )
            .metric_data(
                MetricDatum::builder()
                    .metric_name("Latency")
                    .dimensions(host("b"))
                    .timestamp(at)
                    .statistic_values(
                        StatisticSet::builder()
                            .sample_count(4.0)
                            .sum(40.0)
                            .minimum(5.0)
                            .maximum(15.0)
                            .build(),
                    )
                    .unit(StandardUnit::Milliseconds)
                    .build(),
            )
            .send()
            .await,
        "PutMetricData",
    );

    // Host=a: samples 10, 20, 30, 30 → count 4, sum 90.
    let stats = ok(
        cw.get_metric_statistics()
            .namespace("E2E/App")
            .metric_name("Latency")
            .dimensions(host("a"))
            .start_time(DateTime::from_secs(t))
            .end_time(DateTime::from_secs(t + 60))
            .period(60)
            .statistics(Statistic::SampleCount)
            .statistics(Statistic::Sum)
            .statistics(Statistic::Maximum)
            .statistics(Statistic::Average)
            .send()
            .await,
        "GetMetricStatistics",
    );
    let points = stats.datapoints();
    assert_eq!(points.len(), 1, "{points:?}");
    let p = &points[0];
    assert_eq!(p.sample_count(), Some(4.0));
    assert_eq!(p.sum(), Some(90.0));
    assert_eq!(p.maximum(), Some(30.0));
    assert_eq!(p.average(), Some(22.5));
    assert_eq!(p.unit(), Some(&StandardUnit::Milliseconds));

    // GetMetricData with a MetricStat and an expression over it.
    let stat = |h: &str| {
        MetricStat::builder()
            .metric(
                Metric::builder()
                    .namespace("E2E/App")
                    .metric_name("Latency")
                    .dimensions(host(h))
                    .build(),
            )
            .period(60)
            .stat("Sum")
            .build()
    };
    let data = ok(
        cw.get_metric_data()
            .start_time(DateTime::from_secs(t))
            .end_time(DateTime::from_secs(t + 60))
            .metric_data_queries(
                MetricDataQuery::builder()
                    .id("a")
                    .metric_stat(stat("a"))
                    .return_data(false)
                    .build(),
            )
            .metric_data_queries(
                MetricDataQuery::builder()
                    .id("b")
                    .metric_stat(stat("b"))
                    .return_data(false)
                    .build(),
            )
            .metric_data_queries(
                MetricDataQuery::builder()
                    .id("total")
                    .expression("a + b")
                    .label("Total")
                    .build(),
            )
            .send()
            .await,
        "GetMetricData",
    );
    let results = data.metric_data_results();
    assert_eq!(
        results.len(),
        1,
        "only ReturnData queries come back: {results:?}"
    );
    assert_eq!(results[0].id(), Some("total"));
    assert_eq!(results[0].label(), Some("Total"));
    assert_eq!(results[0].values(), &[130.0]);

    // ListMetrics by dimension.
    let listed = ok(
        cw.list_metrics()
            .namespace("E2E/App")
            .dimensions(DimensionFilter::builder().name("Host").value("b").build())
            .send()
            .await,
        "ListMetrics",
    );
    assert_eq!(listed.metrics().len(), 1, "{listed:?}");
    assert_eq!(listed.metrics()[0].dimensions(), &[host("b")]);
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_metric_data_is_refused_with_the_query_code_and_stores_nothing() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;
    let t = now_minute();
    // One valid datum and one with both Value and StatisticValues: the whole call fails.
    let err = expect_err(
        cw.put_metric_data()
            .namespace("E2E/Bad")
            .metric_data(
                MetricDatum::builder()
                    .metric_name("Ok")
                    .timestamp(DateTime::from_secs(t))
                    .value(1.0)
                    .build(),
            )
            .metric_data(
                MetricDatum::builder()
                    .metric_name("Both")
                    .timestamp(DateTime::from_secs(t))
                    .value(1.0)
                    .statistic_values(
                        StatisticSet::builder()
                            .sample_count(1.0)
                            .sum(1.0)
                            .minimum(1.0)
                            .maximum(1.0)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await,
        "PutMetricData with Value and StatisticValues",
    );
    let info = openwatch_e2e::service_error(&err, "PutMetricData");
    assert_eq!(info.code, "InvalidParameterCombination", "{info:?}");
    assert_eq!(info.status, 400);

    let listed = ok(
        cw.list_metrics().namespace("E2E/Bad").send().await,
        "ListMetrics",
    );
    assert!(
        listed.metrics().is_empty(),
        "nothing from the refused call is stored: {listed:?}"
    );

    // A period that is not a multiple of 60 for standard-resolution data.
    let err = expect_err(
        cw.get_metric_statistics()
            .namespace("E2E/Bad")
            .metric_name("Ok")
            .start_time(DateTime::from_secs(t))
            .end_time(DateTime::from_secs(t + 3600))
            .period(7)
            .statistics(Statistic::Sum)
            .send()
            .await,
        "GetMetricStatistics with period 7",
    );
    assert_eq!(
        openwatch_e2e::service_error(&err, "GetMetricStatistics").code,
        "InvalidParameterValue"
    );
    server.shutdown().await;
}
