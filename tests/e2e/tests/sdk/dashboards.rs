//! CloudWatch dashboards and alarm tags through aws-sdk-cloudwatch (CBOR): PutDashboard (valid
//! and invalid bodies), GetDashboard, ListDashboards, DeleteDashboards, TagResource,
//! ListTagsForResource and UntagResource, and the typed errors the SDK parses.

use aws_sdk_cloudwatch::operation::get_dashboard::GetDashboardError;
use aws_sdk_cloudwatch::operation::list_tags_for_resource::ListTagsForResourceError;
use aws_sdk_cloudwatch::operation::put_dashboard::PutDashboardError;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic, Tag};
use openwatch_e2e::{TestServer, expect_err, ok, service_error};

const BODY: &str = r##"{"widgets":[{"type":"metric","x":0,"y":0,"width":12,"height":6,"properties":{"metrics":[["E2E/App","Latency","Host","a"],["...","b"]],"region":"us-east-1","stat":"p99"}},{"type":"text","x":12,"y":0,"width":6,"height":3,"properties":{"markdown":"# Ops"}}]}"##;

#[tokio::test]
async fn dashboards_are_put_read_listed_and_deleted() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;
    let put = ok(
        cw.put_dashboard()
            .dashboard_name("ops")
            .dashboard_body(BODY)
            .send()
            .await,
        "PutDashboard",
    );
    assert!(put.dashboard_validation_messages().is_empty());
    let got = ok(
        cw.get_dashboard().dashboard_name("ops").send().await,
        "GetDashboard",
    );
    assert_eq!(got.dashboard_body(), Some(BODY));
    assert_eq!(
        got.dashboard_arn(),
        Some(format!("arn:aws:cloudwatch::{}:dashboard/ops", server.account()).as_str())
    );
    let list = ok(cw.list_dashboards().send().await, "ListDashboards");
    let entry = &list.dashboard_entries()[0];
    assert_eq!(entry.dashboard_name(), Some("ops"));
    assert_eq!(entry.size(), Some(BODY.len() as i64));
    assert!(entry.last_modified().is_some());

    // An invalid body: the SDK's typed DashboardInvalidInputError, nothing stored.
    let err = expect_err(
        cw.put_dashboard()
            .dashboard_name("bad")
            .dashboard_body(r#"{"widgets":[{"type":"text","height":0,"properties":{}}]}"#)
            .send()
            .await,
        "PutDashboard with an invalid body",
    );
    let info = service_error(&err, "PutDashboard");
    assert_eq!(info.status, 400, "{info:?}");
    assert_eq!(info.code, "InvalidParameterInput");
    let message = info.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("The dashboard body is invalid, there are 2 validation errors:"),
        "{message}"
    );
    let Some(PutDashboardError::DashboardInvalidInputError(invalid)) = err.as_service_error()
    else {
        panic!("expected DashboardInvalidInputError: {err:?}");
    };
    // The messages also arrive as the error's typed member.
    let paths: Vec<_> = invalid
        .dashboard_validation_messages()
        .iter()
        .filter_map(|m| m.data_path())
        .collect();
    assert_eq!(paths.len(), 2, "{invalid:?}");
    assert!(
        paths.iter().all(|p| p.starts_with("/widgets/0")),
        "{paths:?}"
    );
    // All or nothing.
    let err = expect_err(
        cw.delete_dashboards()
            .dashboard_names("ops")
            .dashboard_names("bad")
            .send()
            .await,
        "DeleteDashboards with a missing name",
    );
    assert_eq!(
        service_error(&err, "DeleteDashboards").code,
        "ResourceNotFound"
    );
    ok(
        cw.delete_dashboards().dashboard_names("ops").send().await,
        "DeleteDashboards",
    );
    let list = ok(cw.list_dashboards().send().await, "ListDashboards");
    assert!(list.dashboard_entries().is_empty());
    let err = expect_err(
        cw.get_dashboard().dashboard_name("ops").send().await,
        "GetDashboard after the delete",
    );
    let info = service_error(&err, "GetDashboard");
    assert_eq!((info.status, info.code.as_str()), (404, "ResourceNotFound"));
    assert_eq!(
        info.message.as_deref(),
        Some("Dashboard ops does not exist")
    );
    assert!(matches!(
        err.as_service_error(),
        Some(GetDashboardError::DashboardNotFoundError(_))
    ));
    server.shutdown().await;
}

#[tokio::test]
async fn alarms_are_tagged_and_untagged() {
    let server = TestServer::start().await;
    let cw = server.root_clients().cloudwatch;
    ok(
        cw.put_metric_alarm()
            .alarm_name("tagged")
            .namespace("E2E/App")
            .metric_name("Latency")
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .tags(Tag::builder().key("team").value("core").build())
            .send()
            .await,
        "PutMetricAlarm",
    );
    let arn = format!(
        "arn:aws:cloudwatch:us-east-1:{}:alarm:tagged",
        server.account()
    );
    ok(
        cw.tag_resource()
            .resource_arn(&arn)
            .tags(Tag::builder().key("env").value("e2e").build())
            .send()
            .await,
        "TagResource",
    );
    let tags = ok(
        cw.list_tags_for_resource().resource_arn(&arn).send().await,
        "ListTagsForResource",
    );
    let keys: Vec<Option<&str>> = tags.tags().iter().map(Tag::key).collect();
    assert_eq!(keys, [Some("team"), Some("env")]);
    ok(
        cw.untag_resource()
            .resource_arn(&arn)
            .tag_keys("team")
            .send()
            .await,
        "UntagResource",
    );
    let tags = ok(
        cw.list_tags_for_resource().resource_arn(&arn).send().await,
        "ListTagsForResource",
    );
    assert_eq!(tags.tags().len(), 1);
    let err = expect_err(
        cw.list_tags_for_resource()
            .resource_arn(format!("{arn}-missing"))
            .send()
            .await,
        "ListTagsForResource of a missing alarm",
    );
    assert_eq!(
        service_error(&err, "ListTagsForResource").code,
        "ResourceNotFoundException"
    );
    assert!(matches!(
        err.as_service_error(),
        Some(ListTagsForResourceError::ResourceNotFoundException(_))
    ));
    server.shutdown().await;
}
