//! EventBridge (JSON 1.1) through aws-sdk-eventbridge: a rule on a custom bus forwards matching
//! events to another bus, whose archive counts them once the delivery job has run; PutEvents
//! reports a malformed entry per entry; TestEventPattern answers true, false, or refuses an
//! invalid pattern.

use aws_sdk_eventbridge::types::{ArchiveState, PutEventsRequestEntry, Target};
use serde_json::json;

use openwatch_e2e::{REGION, TestServer, eventually, expect_err, ok, service_error};

const PATTERN: &str = r#"{"source":["shop"],"detail-type":["Order Placed"],"detail":{"total":[{"numeric":[">",100]}]}}"#;

fn order(bus: &str, detail: &str) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source("shop")
        .detail_type("Order Placed")
        .detail(detail)
        .build()
}

/// A complete event as TestEventPattern takes it.
fn test_event(total: i64) -> String {
    json!({
        "id": "e2e-1",
        "account": "123456789012",
        "source": "shop",
        "time": "2026-01-01T00:00:00Z",
        "region": REGION,
        "resources": [],
        "detail-type": "Order Placed",
        "detail": {"total": total},
    })
    .to_string()
}

#[tokio::test]
async fn a_rule_forwards_matching_events_to_another_bus_whose_archive_counts_them() {
    let server = TestServer::start().await;
    let events = server.root_clients().events;
    let account = server.account().to_owned();

    let orders = ok(
        events.create_event_bus().name("orders").send().await,
        "CreateEventBus orders",
    );
    assert_eq!(
        orders.event_bus_arn(),
        Some(format!("arn:aws:events:{REGION}:{account}:event-bus/orders").as_str()),
        "{orders:?}"
    );
    let audit = ok(
        events.create_event_bus().name("audit").send().await,
        "CreateEventBus audit",
    );
    let audit_arn = audit
        .event_bus_arn()
        .unwrap_or_else(|| panic!("CreateEventBus returns the ARN: {audit:?}"))
        .to_owned();

    let archive = ok(
        events
            .create_archive()
            .archive_name("audit-archive")
            .event_source_arn(&audit_arn)
            .send()
            .await,
        "CreateArchive on the audit bus",
    );
    assert_eq!(archive.state(), Some(&ArchiveState::Enabled), "{archive:?}");

    let rule = ok(
        events
            .put_rule()
            .name("big-orders")
            .event_bus_name("orders")
            .event_pattern(PATTERN)
            .send()
            .await,
        "PutRule",
    );
    assert_eq!(
        rule.rule_arn(),
        Some(format!("arn:aws:events:{REGION}:{account}:rule/orders/big-orders").as_str()),
        "{rule:?}"
    );
    let targets = ok(
        events
            .put_targets()
            .rule("big-orders")
            .event_bus_name("orders")
            .targets(
                Target::builder()
                    .id("to-audit")
                    .arn(&audit_arn)
                    .build()
                    .expect("a target with id and arn"),
            )
            .send()
            .await,
        "PutTargets to the audit bus",
    );
    assert_eq!(targets.failed_entry_count(), 0, "{targets:?}");
    assert!(targets.failed_entries().is_empty(), "{targets:?}");

    // One matching event, one whose Detail is not JSON, one that does not match the rule.
    let put = ok(
        events
            .put_events()
            .entries(order("orders", r#"{"total":150}"#))
            .entries(order("orders", "{not json"))
            .entries(order("orders", r#"{"total":5}"#))
            .send()
            .await,
        "PutEvents",
    );
    assert_eq!(put.failed_entry_count(), 1, "{put:?}");
    let entries = put.entries();
    assert_eq!(entries.len(), 3, "one result per entry, in order: {put:?}");
    assert!(
        entries[0].event_id().is_some_and(|id| !id.is_empty()) && entries[0].error_code().is_none(),
        "{put:?}"
    );
    assert_eq!(entries[1].event_id(), None, "{put:?}");
    assert_eq!(entries[1].error_code(), Some("MalformedDetail"), "{put:?}");
    assert!(entries[1].error_message().is_some(), "{put:?}");
    assert!(entries[2].event_id().is_some(), "{put:?}");

    // TestEventPattern: a match, a non-match, an invalid pattern.
    let t = ok(
        events
            .test_event_pattern()
            .event_pattern(PATTERN)
            .event(test_event(150))
            .send()
            .await,
        "TestEventPattern (match)",
    );
    assert!(t.result(), "{t:?}");
    let t = ok(
        events
            .test_event_pattern()
            .event_pattern(PATTERN)
            .event(test_event(5))
            .send()
            .await,
        "TestEventPattern (no match)",
    );
    assert!(!t.result(), "{t:?}");
    let err = expect_err(
        events
            .test_event_pattern()
            .event_pattern(r#"{"source":"shop"}"#)
            .event(test_event(150))
            .send()
            .await,
        "TestEventPattern with an invalid pattern",
    );
    let info = service_error(&err, "TestEventPattern with an invalid pattern");
    assert_eq!(info.code, "InvalidEventPatternException", "{info:?}");
    assert_eq!(info.status, 400, "{info:?}");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_event_pattern_exception()),
        "{info:?}"
    );

    // Delivery to the audit bus runs on a 1 s job; the archive then holds the one matching event.
    let archive = eventually("the audit archive to count the forwarded event", || async {
        let a = ok(
            events
                .describe_archive()
                .archive_name("audit-archive")
                .send()
                .await,
            "DescribeArchive",
        );
        (a.event_count() > 0).then_some(a)
    })
    .await;
    assert_eq!(
        archive.event_count(),
        1,
        "only the matching event: {archive:?}"
    );
    assert_eq!(archive.event_source_arn(), Some(audit_arn.as_str()));
    assert_eq!(archive.state(), Some(&ArchiveState::Enabled), "{archive:?}");
    assert!(archive.size_bytes() > 0, "{archive:?}");
    server.shutdown().await;
}
