//! Subscription filters, destinations (cross-account policies) and delivery with its durable
//! cursor, on the simulated clock; EMF through a recording sink.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use super::test_env::{Env, R, Recording, T0};
use super::*;
use crate::model::Tags;

mod destination_tests;

pub(super) const A: &str = "111111111111";
pub(super) const B: &str = "222222222222";
pub(super) const C: &str = "333333333333";
pub(super) const R2: &str = "eu-west-1";

/// The shared fixture with 4 KiB WAL segments, so the WAL rotates under these tests.
pub(super) fn env() -> Env {
    Env::with_segment_bytes(4096)
}

pub(super) fn put(s: &LogStore, account: &str, group: &str, stream: &str, events: &[(i64, &str)]) {
    s.put_log_events_blocking(
        account,
        R,
        group,
        stream,
        events
            .iter()
            .map(|(t, m)| InputEvent {
                timestamp: *t,
                message: (*m).to_owned(),
            })
            .collect(),
    )
    .unwrap();
}

pub(super) fn group(s: &LogStore, account: &str, region: &str, name: &str, streams: &[&str]) {
    s.create_log_group(account, region, name, None, Tags::new(), None)
        .unwrap();
    for st in streams {
        s.create_log_stream(account, region, name, st).unwrap();
    }
}

/// Every (timestamp, message) of a stream, oldest first.
pub(super) fn stream_events(
    s: &LogStore,
    account: &str,
    region: &str,
    group: &str,
    stream: &str,
) -> Vec<(i64, String)> {
    let page = s
        .get_log_events(
            account,
            region,
            group,
            &GetQuery {
                stream: stream.into(),
                start_from_head: true,
                ..GetQuery::default()
            },
        )
        .unwrap();
    page.events
        .into_iter()
        .map(|e| (e.timestamp, e.message))
        .collect()
}

pub(super) fn sub(group: &str, name: &str, pattern: &str, dest: &str) -> SubscriptionFilterInput {
    SubscriptionFilterInput {
        group: group.into(),
        name: name.into(),
        pattern: pattern.into(),
        destination_arn: dest.into(),
        role_arn: None,
        distribution: None,
        caller_arn: None,
        context: Default::default(),
    }
}

pub(super) fn allow(accounts: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": accounts},
            "Action": "logs:PutSubscriptionFilter",
            "Resource": destination_arn(R, A, "agg"),
        }]
    })
    .to_string()
}

/// A's aggregation group `all` in eu-west-1, its destination `agg` in us-east-1 allowing B.
pub(super) fn aggregator(s: &LogStore) -> String {
    group(s, A, R2, "all", &[]);
    let d = s
        .put_destination(
            A,
            R,
            "agg",
            &crate::names::group_arn(R2, A, "all"),
            "arn:aws:iam::111111111111:role/cwl",
            Tags::new(),
        )
        .unwrap();
    assert_eq!(d.arn, destination_arn(R, A, "agg"));
    s.put_destination_policy(A, R, "agg", &allow(&[B]), false)
        .unwrap();
    d.arn
}

#[test]
fn filters_are_limited_to_two_and_bad_destinations_are_refused() {
    let env = env();
    let s = env.open();
    group(&s, A, R, "src", &["s"]);
    group(&s, A, R, "dst", &[]);
    let dst = crate::names::group_arn(R, A, "dst");
    s.put_subscription_filter(A, R, sub("src", "one", "", &dst))
        .unwrap();
    s.put_subscription_filter(A, R, sub("src", "two", "ERROR", &dst))
        .unwrap();
    let e = s
        .put_subscription_filter(A, R, sub("src", "three", "", &dst))
        .unwrap_err();
    assert_eq!(e.code(), "LimitExceededException");
    // Replacing one by name is not a third.
    s.put_subscription_filter(A, R, sub("src", "two", "WARN", &dst))
        .unwrap();
    for bad in [
        "arn:aws:kinesis:us-east-1:111111111111:stream/s",
        "arn:aws:lambda:us-east-1:111111111111:function:f",
        "arn:aws:firehose:us-east-1:111111111111:deliverystream/f",
        "arn:aws:logs:us-east-1:111111111111:destination:none",
        "arn:aws:logs:us-east-1:111111111111:log-group:missing",
        "arn:aws:logs:us-east-1:222222222222:log-group:dst",
        "arn:aws:logs:us-east-1:111111111111:log-group:src",
    ] {
        let e = s
            .put_subscription_filter(A, R, sub("src", "two", "", bad))
            .unwrap_err();
        assert_eq!(e.code(), "InvalidParameterException", "{bad}");
    }
    // Loops: dst -> src while src -> dst, or a destination writing into the source itself.
    let src = crate::names::group_arn(R, A, "src");
    let e = s
        .put_subscription_filter(A, R, sub("dst", "back", "", &src))
        .unwrap_err();
    assert!(e.message().contains("loop"), "{e}");
    s.put_destination(
        A,
        R,
        "to-src",
        &src,
        "arn:aws:iam::111111111111:role/r",
        Tags::new(),
    )
    .unwrap();
    let e = s
        .put_subscription_filter(
            A,
            R,
            sub("src", "two", "", &destination_arn(R, A, "to-src")),
        )
        .unwrap_err();
    assert!(e.message().contains("loop"), "{e}");
    let e = s
        .put_subscription_filter(A, R, sub("src", "two", "{ $.x = ", &dst))
        .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    let mut bad_dist = sub("src", "two", "", &dst);
    bad_dist.distribution = Some("Sideways".into());
    assert!(s.put_subscription_filter(A, R, bad_dist).is_err());
    let page = s
        .describe_subscription_filters(A, R, "src", None, Some(1), None)
        .unwrap();
    assert_eq!(page.filters.len(), 1);
    assert_eq!(page.filters[0].name, "one");
    let page2 = s
        .describe_subscription_filters(A, R, "src", None, Some(1), page.next_token.as_deref())
        .unwrap();
    assert_eq!(page2.filters[0].name, "two");
    assert_eq!(page2.filters[0].pattern, "WARN");
    assert_eq!(page2.filters[0].distribution, "ByLogStream");
    assert!(page2.next_token.is_none());
    s.delete_subscription_filter(A, R, "src", "one").unwrap();
    let e = s
        .delete_subscription_filter(A, R, "src", "one")
        .unwrap_err();
    assert_eq!(e.code(), "ResourceNotFoundException");
    let e = s
        .describe_subscription_filters(A, R, "nope", None, None, None)
        .unwrap_err();
    assert_eq!(e.code(), "ResourceNotFoundException");
}

#[test]
fn destination_policies_decide_who_may_subscribe() {
    let env = env();
    let s = env.open();
    group(&s, A, R2, "all", &[]);
    let arn = s
        .put_destination(
            A,
            R,
            "agg",
            &crate::names::group_arn(R2, A, "all"),
            "arn:aws:iam::111111111111:role/r",
            Tags::new(),
        )
        .unwrap()
        .arn;
    group(&s, B, R, "app", &[]);
    group(&s, C, R, "app", &[]);
    // No policy: nobody else may subscribe.
    let e = s
        .put_subscription_filter(B, R, sub("app", "f", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    s.put_destination_policy(A, R, "agg", &allow(&[B]), false)
        .unwrap();
    s.put_subscription_filter(B, R, sub("app", "f", "", &arn))
        .unwrap();
    let e = s
        .put_subscription_filter(C, R, sub("app", "f", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    // The destination must be in the log group's region.
    group(&s, B, R2, "app", &[]);
    let e = s
        .put_subscription_filter(B, R2, sub("app", "f", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    // The owner always may.
    group(&s, A, R, "own", &[]);
    s.put_subscription_filter(A, R, sub("own", "f", "", &arn))
        .unwrap();
    // Policy errors and missing destinations.
    let e = s
        .put_destination_policy(A, R, "agg", "{", false)
        .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    let e = s
        .put_destination_policy(A, R, "none", &allow(&[B]), false)
        .unwrap_err();
    assert_eq!(e.code(), "ResourceNotFoundException");
    let e = s
        .put_destination(
            A,
            R,
            "x",
            "arn:aws:kinesis:us-east-1:111111111111:stream/s",
            "r",
            Tags::new(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    // Re-putting keeps the policy.
    s.put_destination(
        A,
        R,
        "agg",
        &crate::names::group_arn(R2, A, "all"),
        "arn:aws:iam::111111111111:role/r2",
        Tags::new(),
    )
    .unwrap();
    let page = s
        .describe_destinations(A, R, Some("ag"), None, None)
        .unwrap();
    assert_eq!(page.destinations.len(), 1);
    assert_eq!(
        page.destinations[0].role_arn,
        "arn:aws:iam::111111111111:role/r2"
    );
    assert_eq!(
        page.destinations[0].access_policy.as_deref(),
        Some(allow(&[B]).as_str())
    );
    assert!(
        s.describe_destinations(B, R, None, None, None)
            .unwrap()
            .destinations
            .is_empty()
    );
    s.delete_destination(A, R, "agg").unwrap();
    assert_eq!(
        s.delete_destination(A, R, "agg").unwrap_err().code(),
        "ResourceNotFoundException"
    );
}

#[test]
fn matching_events_of_another_account_reach_the_aggregation_group() {
    let env = env();
    let s = env.open();
    let arn = aggregator(&s);
    group(&s, B, R, "/app/web", &["host-1", "host-2"]);
    put(
        &s,
        B,
        "/app/web",
        "host-1",
        &[(T0 - 10, "ERROR before the filter")],
    );
    s.put_subscription_filter(B, R, sub("/app/web", "errors", "ERROR", &arn))
        .unwrap();
    put(
        &s,
        B,
        "/app/web",
        "host-1",
        &[(T0 - 5, "ERROR one"), (T0 - 4, "INFO fine")],
    );
    put(&s, B, "/app/web", "host-2", &[(T0 - 6, "ERROR two")]);
    let report = s.deliver_subscriptions().unwrap();
    assert_eq!(report.examined, 3);
    assert_eq!(report.delivered, 2);
    let st1 = forwarded_stream_name(B, R, "/app/web", "host-1");
    assert_eq!(st1, "222222222222/us-east-1//app/web/host-1");
    assert_eq!(
        stream_events(&s, A, R2, "all", &st1),
        vec![(T0 - 5, "ERROR one".to_owned())]
    );
    assert_eq!(
        stream_events(
            &s,
            A,
            R2,
            "all",
            &forwarded_stream_name(B, R, "/app/web", "host-2")
        ),
        vec![(T0 - 6, "ERROR two".to_owned())]
    );
    // Nothing new: nothing delivered twice.
    assert_eq!(s.deliver_subscriptions().unwrap().delivered, 0);
}

pub(super) fn aggregator_again(s: &LogStore) {
    s.put_destination(
        A,
        R,
        "agg",
        &crate::names::group_arn(R2, A, "all"),
        "arn:aws:iam::111111111111:role/cwl",
        Tags::new(),
    )
    .unwrap();
}

#[test]
fn the_cursor_survives_a_crash_and_delivery_reads_chunks_and_the_wal() {
    let env = env();
    {
        let s = env.open();
        let arn = aggregator(&s);
        group(&s, B, R, "app", &["s"]);
        s.put_subscription_filter(B, R, sub("app", "all", "", &arn))
            .unwrap();
        put(&s, B, "app", "s", &[(T0 - 9, "a"), (T0 - 8, "b")]);
        s.flush_all().unwrap(); // into a chunk
        put(&s, B, "app", "s", &[(T0 - 7, "c")]); // in the head
        assert_eq!(s.deliver_subscriptions().unwrap().delivered, 3);
        put(&s, B, "app", "s", &[(T0 - 6, "d")]); // acknowledged, not yet delivered
        // Dropped without close: a crash.
    }
    let s = env.open();
    let st = forwarded_stream_name(B, R, "app", "s");
    assert_eq!(stream_events(&s, A, R2, "all", &st).len(), 3);
    assert_eq!(s.deliver_subscriptions().unwrap().delivered, 1);
    let got: Vec<String> = stream_events(&s, A, R2, "all", &st)
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert_eq!(got, ["a", "b", "c", "d"]);
    // A deleted source group takes its subscription with it.
    s.delete_log_group(B, R, "app").unwrap();
    s.deliver_subscriptions().unwrap();
    assert!(s.all_subscriptions().unwrap().is_empty());
}

#[test]
fn large_backlogs_are_delivered_in_rounds_and_batches() {
    let env = env();
    let s = env.open();
    group(&s, A, R, "src", &["s"]);
    group(&s, A, R, "dst", &[]);
    s.put_subscription_filter(
        A,
        R,
        sub("src", "f", "", &crate::names::group_arn(R, A, "dst")),
    )
    .unwrap();
    let msgs: Vec<String> = (0..12_000).map(|i| format!("m{i}")).collect();
    for chunk in msgs.chunks(5_000) {
        let ev: Vec<(i64, &str)> = chunk.iter().map(|m| (T0 - 1000, m.as_str())).collect();
        put(&s, A, "src", "s", &ev);
    }
    let r = s.deliver_subscriptions().unwrap();
    assert_eq!((r.examined, r.delivered), (12_000, 12_000));
    let st = forwarded_stream_name(A, R, "src", "s");
    let info = s
        .describe_log_streams(A, R, "dst", &StreamQuery::default())
        .unwrap();
    assert_eq!(info.streams[0].name, st);
}

#[test]
fn emf_events_produce_their_metrics_once_durable() {
    let env = env();
    let s = env.open();
    let rec = Arc::new(Recording::default());
    s.set_metric_sink(rec.clone());
    group(&s, A, R, "emf", &["s"]);
    let doc = format!(
        r#"{{"_aws":{{"Timestamp":{},"CloudWatchMetrics":[{{"Namespace":"Shop","Dimensions":[["Service"]],"Metrics":[{{"Name":"Latency","Unit":"Milliseconds"}}]}}]}},"Service":"cart","Latency":42}}"#,
        T0 - 1000
    );
    put(
        &s,
        A,
        "emf",
        "s",
        &[
            (T0 - 2000, "not json"),
            (T0 - 1000, &doc),
            (T0, r#"{"_aws":{"Timestamp":1}}"#),
        ],
    );
    let got = std::mem::take(&mut *rec.0.lock());
    // Forwarded by a subscription, the event does not produce its metrics a second time.
    group(&s, A, R, "copy", &[]);
    s.put_subscription_filter(
        A,
        R,
        sub("emf", "f", "", &crate::names::group_arn(R, A, "copy")),
    )
    .unwrap();
    put(&s, A, "emf", "s", &[(T0 - 1000, &doc)]);
    assert_eq!(rec.0.lock().len(), 1);
    assert_eq!(s.deliver_subscriptions().unwrap().delivered, 1);
    assert_eq!(rec.0.lock().len(), 1);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].namespace, "Shop");
    assert_eq!(got[0].value, 42.0);
    assert_eq!(got[0].timestamp, T0 - 1000);
    assert_eq!(got[0].dimensions, vec![("Service".into(), "cart".into())]);
}
