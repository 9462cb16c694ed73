//! Partner event sources: the partner creates a source for a customer account, the customer's
//! partner bus activates it and receives PutPartnerEvents; deactivation, deletion and the
//! per-entry errors.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use super::*;
use crate::*;

const PARTNER: &str = "555555555555";
const SOURCE: &str = "aws.partner/example.com/123/orders";

fn partner_entry(source: &str, n: i64) -> EventEntry {
    EventEntry {
        source: Some(source.into()),
        detail_type: Some("Order".into()),
        detail: Some(json!({ "n": n }).to_string()),
        ..Default::default()
    }
}

#[tokio::test]
async fn partner_events_reach_the_customer_partner_bus() {
    let dir = tempfile::tempdir().unwrap();
    let Env {
        events: e,
        sink,
        clock,
    } = env(dir.path());
    let s = e
        .create_partner_event_source(PARTNER, R, SOURCE, A)
        .unwrap();
    assert_eq!(s.arn, format!("arn:aws:events:{R}::event-source/{SOURCE}"));
    assert_eq!(s.state, EventSourceState::Pending);
    assert_eq!(s.created_by(), "example.com");
    assert_eq!(
        e.create_partner_event_source(PARTNER, R, SOURCE, A)
            .unwrap_err()
            .code(),
        "ResourceAlreadyExistsException"
    );
    for bad in [
        "aws.partner/example.com",
        "partner/x/y",
        "aws.partner/a/b c",
    ] {
        assert_eq!(
            e.create_partner_event_source(PARTNER, R, bad, A)
                .unwrap_err()
                .code(),
            "ValidationException",
            "{bad}"
        );
    }
    assert_eq!(
        e.create_partner_event_source("666666666666", R, SOURCE, "777777777777")
            .unwrap_err()
            .code(),
        "ResourceAlreadyExistsException",
        "the name belongs to its partner"
    );
    e.create_partner_event_source(PARTNER, R, SOURCE, "888888888888")
        .unwrap();

    // Partner views.
    let page = PageRequest::default();
    let listed = e
        .list_partner_event_sources(PARTNER, R, "aws.partner/example.com", &page)
        .unwrap();
    assert_eq!(listed.items.len(), 1, "one item per name");
    let accounts = e
        .list_partner_event_source_accounts(PARTNER, R, SOURCE, &page)
        .unwrap();
    let accounts: Vec<&str> = accounts.items.iter().map(|s| s.account.as_str()).collect();
    assert_eq!(accounts, vec![A, "888888888888"]);
    assert_eq!(
        e.describe_partner_event_source("666666666666", R, SOURCE)
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );

    // Customer views; events for a PENDING source are accepted and go nowhere.
    let mine = e.list_event_sources(A, R, None, &page).unwrap();
    assert_eq!(mine.items.len(), 1);
    let r = e
        .put_partner_events(PARTNER, R, &[partner_entry(SOURCE, 0)])
        .await
        .unwrap();
    assert!(matches!(r[0], EntryResult::Accepted { .. }));
    assert_eq!(
        e.set_event_source_active(A, R, SOURCE, false)
            .unwrap_err()
            .code(),
        "InvalidStateException"
    );

    // The partner bus activates the source and receives its events.
    assert_eq!(
        e.create_partner_event_bus(A, R, "other", SOURCE, None, vec![])
            .unwrap_err()
            .code(),
        "ValidationException"
    );
    assert_eq!(
        e.create_partner_event_bus(
            A,
            R,
            "aws.partner/x.com/1/none",
            "aws.partner/x.com/1/none",
            None,
            vec![]
        )
        .unwrap_err()
        .code(),
        "ResourceNotFoundException"
    );
    let bus = e
        .create_partner_event_bus(A, R, SOURCE, SOURCE, None, vec![])
        .unwrap();
    assert_eq!(
        bus.arn,
        format!("arn:aws:events:{R}:{A}:event-bus/{SOURCE}")
    );
    assert_eq!(
        e.describe_event_source(A, R, SOURCE).unwrap().state,
        EventSourceState::Active
    );
    e.put_rule(
        A,
        R,
        PutRuleInput {
            event_bus_name: Some(SOURCE.into()),
            ..rule("all", r#"{"source":[{"prefix":"aws.partner/"}]}"#)
        },
    )
    .unwrap();
    e.put_targets(A, R, Some(SOURCE), "all", vec![target("log", LOG_ARN)])
        .unwrap();
    let entries = vec![
        partner_entry(SOURCE, 1),
        partner_entry("aws.partner/example.com/123/other", 2),
        EventEntry {
            detail: Some("not json".into()),
            ..partner_entry(SOURCE, 3)
        },
    ];
    let r = e.put_partner_events(PARTNER, R, &entries).await.unwrap();
    assert!(matches!(r[0], EntryResult::Accepted { .. }));
    assert!(
        matches!(&r[1], EntryResult::Failed { code, .. } if code == "NotAuthorizedForSourceException")
    );
    assert!(matches!(&r[2], EntryResult::Failed { code, .. } if code == "MalformedDetail"));
    let r = e
        .put_partner_events("666666666666", R, &[partner_entry(SOURCE, 4)])
        .await
        .unwrap();
    assert!(
        matches!(&r[0], EntryResult::Failed { code, .. } if code == "NotAuthorizedForSourceException"),
        "another partner cannot use the source"
    );
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);
    let got = sink.got.lock().clone();
    let event: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(event["source"], SOURCE);
    assert_eq!(event["account"], A);
    assert_eq!(event["detail"]["n"], 1);

    // Over 20 entries is a request error.
    let many: Vec<EventEntry> = (0..21).map(|n| partner_entry(SOURCE, n)).collect();
    assert_eq!(
        e.put_partner_events(PARTNER, R, &many)
            .await
            .unwrap_err()
            .code(),
        "ValidationException"
    );

    // Deactivated: nothing reaches the bus; activated again: events flow.
    e.set_event_source_active(A, R, SOURCE, false).unwrap();
    e.put_partner_events(PARTNER, R, &[partner_entry(SOURCE, 5)])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().delivered, 0);
    e.set_event_source_active(A, R, SOURCE, true).unwrap();
    e.put_partner_events(PARTNER, R, &[partner_entry(SOURCE, 6)])
        .await
        .unwrap();
    assert_eq!(e.run_deliveries().unwrap().delivered, 1);

    // Deleted by the partner: gone for the customer, the bus stays.
    e.delete_partner_event_source(PARTNER, R, SOURCE, A)
        .unwrap();
    assert_eq!(
        e.describe_event_source(A, R, SOURCE).unwrap_err().code(),
        "ResourceNotFoundException"
    );
    assert!(e.describe_event_bus(A, R, Some(SOURCE)).is_ok());
    assert_eq!(
        e.delete_partner_event_source(PARTNER, R, SOURCE, A)
            .unwrap_err()
            .code(),
        "ResourceNotFoundException"
    );
    // Survives a reopen.
    drop(e);
    let e = open(dir.path(), clock).events;
    assert_eq!(
        e.describe_event_source("888888888888", R, SOURCE)
            .unwrap()
            .state,
        EventSourceState::Pending
    );
}
