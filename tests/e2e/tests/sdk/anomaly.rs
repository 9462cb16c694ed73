//! CloudWatch anomaly detection through aws-sdk-cloudwatch (CBOR): PutAnomalyDetector,
//! DescribeAnomalyDetectors, ANOMALY_DETECTION_BAND in GetMetricData, an anomaly-detection
//! alarm, DeleteAnomalyDetector and its ResourceNotFoundException.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    AnomalyDetectorConfiguration, AnomalyDetectorStateValue, ComparisonOperator, Metric,
    MetricDataQuery, MetricStat, Range, SingleMetricAnomalyDetector,
};
use openwatch_e2e::{TestServer, expect_err, ok, service_error};

fn detector() -> SingleMetricAnomalyDetector {
    SingleMetricAnomalyDetector::builder()
        .namespace("E2E/Anomaly")
        .metric_name("Orders")
        .stat("Sum")
        .build()
}

fn queries() -> Vec<MetricDataQuery> {
    vec![
        MetricDataQuery::builder()
            .id("m1")
            .metric_stat(
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace("E2E/Anomaly")
                            .metric_name("Orders")
                            .build(),
                    )
                    .period(60)
                    .stat("Sum")
                    .build(),
            )
            .return_data(true)
            .build(),
        MetricDataQuery::builder()
            .id("ad1")
            .expression("ANOMALY_DETECTION_BAND(m1, 2)")
            .return_data(true)
            .build(),
    ]
}

#[tokio::test]
async fn anomaly_detectors_bands_and_alarms() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();

    let put = ok(
        cw.put_anomaly_detector()
            .single_metric_anomaly_detector(detector())
            .configuration(
                AnomalyDetectorConfiguration::builder()
                    .excluded_time_ranges(
                        Range::builder()
                            .start_time(DateTime::from_secs(now - 7200))
                            .end_time(DateTime::from_secs(now - 3600))
                            .build(),
                    )
                    .metric_timezone("UTC")
                    .build(),
            )
            .send()
            .await,
        "PutAnomalyDetector",
    );
    let id = put.anomaly_detector_id().unwrap_or_default().to_owned();
    assert!(!id.is_empty());

    let described = ok(
        cw.describe_anomaly_detectors()
            .namespace("E2E/Anomaly")
            .send()
            .await,
        "DescribeAnomalyDetectors",
    );
    let d = &described.anomaly_detectors()[0];
    assert_eq!(d.anomaly_detector_id(), Some(id.as_str()));
    assert_eq!(
        d.state_value(),
        Some(&AnomalyDetectorStateValue::PendingTraining)
    );
    let conf = d.configuration().expect("configuration");
    assert_eq!(conf.metric_timezone(), Some("UTC"));
    assert_eq!(conf.excluded_time_ranges().len(), 1);

    // Without history, the band is two empty results with the band's id.
    let data = ok(
        cw.get_metric_data()
            .set_metric_data_queries(Some(queries()))
            .start_time(DateTime::from_secs(now - 3600))
            .end_time(DateTime::from_secs(now))
            .send()
            .await,
        "GetMetricData",
    );
    let labels: Vec<&str> = data
        .metric_data_results()
        .iter()
        .filter(|r| r.id() == Some("ad1"))
        .filter_map(|r| r.label())
        .collect();
    assert_eq!(labels, vec!["ad1 Lower", "ad1 Upper"]);

    // An alarm on the band; a Threshold beside ThresholdMetricId is refused.
    ok(
        cw.put_metric_alarm()
            .alarm_name("orders-anomaly")
            .evaluation_periods(1)
            .comparison_operator(ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold)
            .threshold_metric_id("ad1")
            .set_metrics(Some(queries()))
            .send()
            .await,
        "PutMetricAlarm",
    );
    let alarms = ok(
        cw.describe_alarms()
            .alarm_names("orders-anomaly")
            .send()
            .await,
        "DescribeAlarms",
    );
    let a = &alarms.metric_alarms()[0];
    assert_eq!(a.threshold_metric_id(), Some("ad1"));
    assert_eq!(a.threshold(), None);
    let err = expect_err(
        cw.put_metric_alarm()
            .alarm_name("orders-anomaly-bad")
            .evaluation_periods(1)
            .threshold(5.0)
            .comparison_operator(ComparisonOperator::GreaterThanUpperThreshold)
            .threshold_metric_id("ad1")
            .set_metrics(Some(queries()))
            .send()
            .await,
        "PutMetricAlarm with Threshold",
    );
    assert_eq!(
        service_error(&err, "PutMetricAlarm").code,
        "InvalidParameterCombination"
    );

    ok(
        cw.delete_anomaly_detector()
            .anomaly_detector_id(&id)
            .send()
            .await,
        "DeleteAnomalyDetector",
    );
    let err = expect_err(
        cw.delete_anomaly_detector()
            .anomaly_detector_id(&id)
            .send()
            .await,
        "DeleteAnomalyDetector again",
    );
    let info = service_error(&err, "DeleteAnomalyDetector");
    assert_eq!(info.code, "ResourceNotFoundException", "{info:?}");
    assert_eq!(info.status, 404, "{info:?}");
}
