//! Cross-account, cross-region log aggregation through aws-sdk-cloudwatchlogs: account A owns a
//! central log group (eu-west-1) and a destination (us-east-1) writing into it; account B's log
//! group (us-east-1) subscribes to A's destination once A's policy allows B, and B's matching
//! events appear in A's group. B's Embedded Metric Format events become B's metrics. Then an export task of A's group completes into a local bucket.

use aws_config::Region;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cloudwatchlogs::types::{ExportTaskStatusCode, InputLogEvent};
use openwatch_e2e::{
    create_accounts, eventually, expect_err, ok, sdk_config_with, service_error, start_on,
};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .expect("the clock is after 1970")
}

fn logs_client(
    endpoint: &str,
    id: &str,
    secret: &str,
    region: &str,
) -> aws_sdk_cloudwatchlogs::Client {
    let creds = SharedCredentialsProvider::new(Credentials::new(id, secret, None, None, "e2e"));
    aws_sdk_cloudwatchlogs::Client::new(&sdk_config_with(
        endpoint,
        creds,
        Region::new(region.to_owned()),
    ))
}

/// Creates two accounts in `data` (before the server's first start): (id, access key, secret).
fn two_accounts(data: &std::path::Path, names: [&str; 2]) -> [(String, String, String); 2] {
    let accounts = create_accounts(data, &names);
    let one = |i: usize| {
        let (account, key) = &accounts[i];
        (
            account.clone(),
            key.access_key_id.clone(),
            key.secret_access_key.clone(),
        )
    };
    [one(0), one(1)]
}

#[tokio::test]
async fn account_b_subscribes_to_account_a_destination_and_events_arrive_in_a() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data = tmp.path().join("data");
    // Two accounts, created before the first start (the server then creates none).
    let [(account_a, a_id, a_secret), (account_b, b_id, b_secret)] =
        two_accounts(&data, ["team-a", "team-b"]);
    let server = start_on(&data).await;
    assert!(server.bootstrap().is_none());
    let endpoint = format!("http://{}", server.local_addr());
    // A's destination is in us-east-1 (the senders' region, as AWS requires); the group it
    // writes into is in eu-west-1.
    let a = logs_client(&endpoint, &a_id, &a_secret, "us-east-1");
    let a_eu = logs_client(&endpoint, &a_id, &a_secret, "eu-west-1");
    let b = logs_client(&endpoint, &b_id, &b_secret, "us-east-1");

    // A: the central group and a destination writing into it.
    ok(
        a_eu.create_log_group()
            .log_group_name("central")
            .send()
            .await,
        "A CreateLogGroup",
    );
    let target = format!("arn:aws:logs:eu-west-1:{account_a}:log-group:central");
    let dest = ok(
        a.put_destination()
            .destination_name("to-central")
            .target_arn(&target)
            .role_arn(format!("arn:aws:iam::{account_a}:role/cwl-to-central"))
            .send()
            .await,
        "A PutDestination",
    );
    let dest_arn = dest
        .destination()
        .and_then(|d| d.arn())
        .expect("the destination's ARN")
        .to_owned();
    assert_eq!(
        dest_arn,
        format!("arn:aws:logs:us-east-1:{account_a}:destination:to-central")
    );

    let listed = ok(
        a.describe_destinations()
            .destination_name_prefix("to-")
            .send()
            .await,
        "A DescribeDestinations",
    );
    assert_eq!(listed.destinations().len(), 1);
    assert_eq!(listed.destinations()[0].target_arn(), Some(target.as_str()));
    let none = ok(
        a.describe_destinations()
            .destination_name_prefix("other")
            .send()
            .await,
        "A DescribeDestinations (no match)",
    );
    assert!(none.destinations().is_empty());

    // B: its group; subscribing is refused until A's policy allows B.
    ok(
        b.create_log_group().log_group_name("/b/app").send().await,
        "B CreateLogGroup",
    );
    ok(
        b.create_log_stream()
            .log_group_name("/b/app")
            .log_stream_name("web-1")
            .send()
            .await,
        "B CreateLogStream",
    );
    let subscribe = || {
        b.put_subscription_filter()
            .log_group_name("/b/app")
            .filter_name("errors-to-central")
            .filter_pattern("ERROR")
            .destination_arn(&dest_arn)
            .send()
    };
    let err = expect_err(
        subscribe().await,
        "B PutSubscriptionFilter without A's policy",
    );
    let info = service_error(&err, "B PutSubscriptionFilter without A's policy");
    assert_eq!(info.code, "AccessDeniedException", "{info:?}");
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": [account_b.as_str()]},
            "Action": "logs:PutSubscriptionFilter",
            "Resource": dest_arn.as_str(),
        }]
    });
    ok(
        a.put_destination_policy()
            .destination_name("to-central")
            .access_policy(policy.to_string())
            .send()
            .await,
        "A PutDestinationPolicy",
    );
    ok(subscribe().await, "B PutSubscriptionFilter with A's policy");
    let filters = ok(
        b.describe_subscription_filters()
            .log_group_name("/b/app")
            .send()
            .await,
        "B DescribeSubscriptionFilters",
    );
    assert_eq!(filters.subscription_filters().len(), 1);
    assert_eq!(
        filters.subscription_filters()[0].destination_arn(),
        Some(dest_arn.as_str())
    );

    // B logs; only the matching event reaches A, unchanged.
    let t = now_ms();
    let ev = |ts: i64, m: &str| {
        InputLogEvent::builder()
            .timestamp(ts)
            .message(m)
            .build()
            .expect("event")
    };
    ok(
        b.put_log_events()
            .log_group_name("/b/app")
            .log_stream_name("web-1")
            .log_events(ev(t - 2, "ERROR payment failed"))
            .log_events(ev(t - 1, "INFO all good"))
            .send()
            .await,
        "B PutLogEvents",
    );
    let expected_stream = format!("{account_b}/us-east-1//b/app/web-1");
    let events = eventually("B's event in A's central group", || async {
        let page = a_eu
            .filter_log_events()
            .log_group_name("central")
            .send()
            .await
            .ok()?;
        (!page.events().is_empty()).then(|| page.events().to_vec())
    })
    .await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].message(), Some("ERROR payment failed"));
    assert_eq!(events[0].timestamp(), Some(t - 2));
    assert_eq!(events[0].log_stream_name(), Some(expected_stream.as_str()));
    // An Embedded Metric Format event of B becomes a metric of B's account.
    let emf = serde_json::json!({
        "_aws": {"Timestamp": t - 3, "CloudWatchMetrics": [{"Namespace": "E2E/Shop",
            "Dimensions": [["Service"]], "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}]}]},
        "Service": "cart",
        "Latency": 42
    });
    ok(
        b.put_log_events()
            .log_group_name("/b/app")
            .log_stream_name("web-1")
            .log_events(ev(t - 3, &emf.to_string()))
            .send()
            .await,
        "B PutLogEvents (EMF)",
    );
    let creds =
        SharedCredentialsProvider::new(Credentials::new(&b_id, &b_secret, None, None, "e2e"));
    let cw = aws_sdk_cloudwatch::Client::new(&sdk_config_with(
        &endpoint,
        creds,
        Region::new("us-east-1"),
    ));
    eventually("the EMF metric in B's account", || async {
        let page = cw.list_metrics().namespace("E2E/Shop").send().await.ok()?;
        let m = page.metrics().first()?;
        (m.metric_name() == Some("Latency")
            && m.dimensions().first().and_then(|d| d.value()) == Some("cart"))
        .then_some(())
    })
    .await;
    // B cannot see A's group.
    assert!(
        b.filter_log_events()
            .log_group_name("central")
            .send()
            .await
            .is_err()
    );

    // A exports its central group into a local bucket.
    let task = ok(
        a_eu.create_export_task()
            .log_group_name("central")
            .from(0)
            .to(t + 1000)
            .destination("central-archive")
            .send()
            .await,
        "A CreateExportTask",
    );
    let task_id = task.task_id().expect("a task id").to_owned();
    eventually("the export task to complete", || async {
        let page = a_eu
            .describe_export_tasks()
            .task_id(&task_id)
            .send()
            .await
            .ok()?;
        let code = page.export_tasks().first()?.status()?.code()?.clone();
        (code == ExportTaskStatusCode::Completed).then_some(())
    })
    .await;
    // The key `<prefix>/<task>/<stream>/000000.gz`; the empty segment of `//b/app` is stored as
    // `%20` in the local bucket directory.
    let file = data
        .join("buckets/central-archive/exportedlogs")
        .join(&task_id)
        .join(expected_stream.replace("//", "/%20/"))
        .join("000000.gz");
    assert!(file.exists(), "{}", file.display());
    server.shutdown().await.expect("shutdown");
}

/// A destination policy that allows "*" under conditions on the caller's account and address
/// (evaluated with the IAM condition operators), tags on the destination, and a condition that
/// matches nobody (an organization id: this server has none).
#[tokio::test]
async fn a_destination_policy_with_a_condition_decides_who_may_subscribe() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data = tmp.path().join("data");
    let [(owner, o_id, o_secret), (sender, s_id, s_secret)] =
        two_accounts(&data, ["owner", "sender"]);
    let server = start_on(&data).await;
    let endpoint = format!("http://{}", server.local_addr());
    let o = logs_client(&endpoint, &o_id, &o_secret, "us-east-1");
    let s = logs_client(&endpoint, &s_id, &s_secret, "us-east-1");
    ok(
        o.create_log_group().log_group_name("sink").send().await,
        "owner CreateLogGroup",
    );
    let dest = ok(
        o.put_destination()
            .destination_name("conditional")
            .target_arn(format!("arn:aws:logs:us-east-1:{owner}:log-group:sink"))
            .role_arn(format!("arn:aws:iam::{owner}:role/cwl"))
            .tags("team", "platform")
            .send()
            .await,
        "owner PutDestination with tags",
    );
    let dest_arn = dest
        .destination()
        .and_then(|d| d.arn())
        .expect("the destination's ARN")
        .to_owned();
    let tags = ok(
        o.list_tags_for_resource()
            .resource_arn(&dest_arn)
            .send()
            .await,
        "owner ListTagsForResource on the destination",
    );
    assert_eq!(
        tags.tags().and_then(|t| t.get("team")).map(String::as_str),
        Some("platform")
    );
    ok(
        s.create_log_group().log_group_name("app").send().await,
        "sender CreateLogGroup",
    );
    let set_policy = |condition: serde_json::Value| {
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": "logs:PutSubscriptionFilter",
                "Resource": dest_arn.as_str(),
                "Condition": condition,
            }]
        });
        o.put_destination_policy()
            .destination_name("conditional")
            .access_policy(policy.to_string())
            .send()
    };
    let subscribe = || {
        s.put_subscription_filter()
            .log_group_name("app")
            .filter_name("all")
            .filter_pattern("")
            .destination_arn(&dest_arn)
            .send()
    };
    for (what, condition) in [
        (
            "an organization id",
            serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": ["o-1234567890"]}}),
        ),
        (
            "another account",
            serde_json::json!({"StringEquals": {"aws:PrincipalAccount": [owner.as_str()]}}),
        ),
        (
            "another network",
            serde_json::json!({"StringEquals": {"aws:PrincipalAccount": [sender.as_str()]},
                               "IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
        ),
    ] {
        ok(set_policy(condition).await, "owner PutDestinationPolicy");
        let err = expect_err(subscribe().await, what);
        let info = service_error(&err, what);
        assert_eq!(info.code, "AccessDeniedException", "{what}: {info:?}");
    }
    ok(
        set_policy(serde_json::json!({
            "StringEquals": {"aws:PrincipalAccount": [sender.as_str()]},
            "IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]},
        }))
        .await,
        "owner PutDestinationPolicy (sender, loopback)",
    );
    ok(
        subscribe().await,
        "sender PutSubscriptionFilter allowed by the condition",
    );
    server.shutdown().await.expect("shutdown");
}
