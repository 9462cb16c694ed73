//! LookupEvents over a trail: every attribute, time ranges, pagination, partitions and limits.

use std::collections::HashSet;

use super::{ACCOUNT, REGION, T0, iam_user, input, memory_trail, root};
use crate::{LookupEvent, LookupPage, LookupQuery, Resource, Trail};

fn by(key: &str, value: &str) -> LookupQuery {
    LookupQuery {
        lookup_attributes: vec![(key.into(), value.into())],
        ..Default::default()
    }
}

fn names(page: &LookupPage) -> Vec<&str> {
    page.events.iter().map(|e| e.event_name.as_str()).collect()
}

fn lookup(trail: &Trail, q: &LookupQuery) -> LookupPage {
    trail.lookup_events(ACCOUNT, REGION, q).expect("lookup")
}

/// Three calls: alice's CreateLogGroup, root's DescribeAlarms, bob's PutMetricAlarm.
fn three(trail: &Trail) {
    trail.record(input(T0, "CreateLogGroup"));
    let mut d = input(T0 + 1_000, "DescribeAlarms");
    d.event_source = "monitoring.amazonaws.com".into();
    d.identity = root("AKIAROOT");
    d.resources.clear();
    trail.record(d);
    let mut p = input(T0 + 2_000, "PutMetricAlarm");
    p.event_source = "monitoring.amazonaws.com".into();
    p.identity = iam_user("bob", "AKIABOB");
    p.resources = vec![Resource {
        arn: format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:high-cpu"),
        account_id: ACCOUNT.into(),
        type_: "AWS::CloudWatch::Alarm".into(),
    }];
    trail.record(p);
    trail.flush().expect("flush");
}

#[test]
fn a_recorded_event_is_found_after_flush_with_its_cloudtrail_json() {
    let (trail, _clock) = memory_trail();
    trail.record(input(T0, "CreateLogGroup"));
    trail.flush().expect("flush");
    let page = lookup(&trail, &LookupQuery::default());
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.next_token, None);
    let e: &LookupEvent = &page.events[0];
    assert_eq!(e.event_name, "CreateLogGroup");
    assert_eq!(e.event_source, "logs.amazonaws.com");
    assert_eq!(e.read_only, "false");
    assert_eq!(e.access_key_id.as_deref(), Some("AKIAALICE"));
    assert_eq!(e.username.as_deref(), Some("alice"));
    assert_eq!(e.event_time_millis, T0);
    assert_eq!(
        e.resources,
        vec![(
            "AWS::Logs::LogGroup".to_string(),
            format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app")
        )]
    );
    let json: serde_json::Value = serde_json::from_str(&e.cloudtrail_event).expect("JSON");
    assert_eq!(json["eventID"], e.event_id.as_str());
    assert_eq!(json["eventName"], "CreateLogGroup");
    assert_eq!(json["eventTime"], "2026-11-28T12:00:00Z");
    assert_eq!(trail.stats().recorded, 1);
}

#[test]
fn lookup_by_every_attribute() {
    let (trail, _clock) = memory_trail();
    three(&trail);
    let all = lookup(&trail, &LookupQuery::default());
    assert_eq!(
        names(&all),
        ["PutMetricAlarm", "DescribeAlarms", "CreateLogGroup"]
    );
    let id = all.events[1].event_id.clone();
    let cases: Vec<(&str, &str, Vec<&str>)> = vec![
        ("EventId", &id, vec!["DescribeAlarms"]),
        ("EventId", "00000000-0000-4000-8000-000000000000", vec![]),
        ("EventName", "CreateLogGroup", vec!["CreateLogGroup"]),
        ("EventName", "createloggroup", vec![]),
        ("ReadOnly", "true", vec!["DescribeAlarms"]),
        (
            "ReadOnly",
            "false",
            vec!["PutMetricAlarm", "CreateLogGroup"],
        ),
        ("Username", "root", vec!["DescribeAlarms"]),
        ("Username", "bob", vec!["PutMetricAlarm"]),
        (
            "ResourceType",
            "AWS::CloudWatch::Alarm",
            vec!["PutMetricAlarm"],
        ),
        (
            "ResourceType",
            "AWS::Logs::LogGroup",
            vec!["CreateLogGroup"],
        ),
        ("ResourceName", "high-cpu", vec!["PutMetricAlarm"]),
        (
            "ResourceName",
            "arn:aws:logs:us-east-1:111122223333:log-group:app",
            vec!["CreateLogGroup"],
        ),
        (
            "EventSource",
            "monitoring.amazonaws.com",
            vec!["PutMetricAlarm", "DescribeAlarms"],
        ),
        ("EventSource", "sts.amazonaws.com", vec![]),
        ("AccessKeyId", "AKIAALICE", vec!["CreateLogGroup"]),
        ("AccessKeyId", "AKIAROOT", vec!["DescribeAlarms"]),
    ];
    for (key, value, expected) in cases {
        let page = lookup(&trail, &by(key, value));
        assert_eq!(names(&page), expected, "{key}={value}");
    }
}

#[test]
fn partitions_are_per_account_and_region() {
    let (trail, _clock) = memory_trail();
    three(&trail);
    let mut other = input(T0, "CreateLogGroup");
    other.aws_region = "eu-west-1".into();
    trail.record(other);
    trail.flush().expect("flush");
    assert_eq!(lookup(&trail, &LookupQuery::default()).events.len(), 3);
    let eu = trail
        .lookup_events(ACCOUNT, "eu-west-1", &LookupQuery::default())
        .expect("lookup");
    assert_eq!(eu.events.len(), 1);
    let none = trail
        .lookup_events("999999999999", REGION, &LookupQuery::default())
        .expect("lookup");
    assert!(none.events.is_empty());
}

#[test]
fn time_ranges_are_inclusive_and_in_whole_seconds() {
    let (trail, _clock) = memory_trail();
    for i in 0..10 {
        trail.record(input(T0 + i * 60_000 + 500, &format!("Call{i}")));
    }
    trail.flush().expect("flush");
    let range = |s: Option<i64>, e: Option<i64>| {
        let q = LookupQuery {
            start_time: s,
            end_time: e,
            ..Default::default()
        };
        names(&lookup(&trail, &q))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        range(Some(T0 + 120_000), Some(T0 + 240_000)),
        ["Call4", "Call3", "Call2"]
    );
    assert_eq!(range(None, Some(T0 + 60_000)), ["Call1", "Call0"]);
    assert_eq!(range(Some(T0 + 480_000), None), ["Call9", "Call8"]);
    assert_eq!(range(Some(T0 + 1), Some(T0 + 59_999)).len(), 0);
    let err = trail
        .lookup_events(
            ACCOUNT,
            REGION,
            &LookupQuery {
                start_time: Some(T0 + 1),
                end_time: Some(T0),
                ..Default::default()
            },
        )
        .expect_err("start after end");
    assert_eq!(err.code(), "InvalidTimeRangeException");
}

#[test]
fn pagination_walks_every_event_once_with_stable_tokens() {
    let (trail, _clock) = memory_trail();
    for i in 0..120 {
        trail.record(input(T0 + i * 1_000, &format!("Call{i:03}")));
    }
    trail.flush().expect("flush");
    let q = LookupQuery {
        max_results: Some(50),
        ..Default::default()
    };
    let p1 = lookup(&trail, &q);
    assert_eq!(p1.events.len(), 50);
    assert_eq!(p1.events[0].event_name, "Call119");
    let token = p1.next_token.clone().expect("a second page");
    // New records arriving between pages do not shift the continuation.
    trail.record(input(T0 + 500_000, "Later"));
    trail.flush().expect("flush");
    let next = LookupQuery {
        next_token: Some(token.clone()),
        ..q.clone()
    };
    let p2 = lookup(&trail, &next);
    assert_eq!(
        p2,
        lookup(&trail, &next),
        "the same token gives the same page"
    );
    assert_eq!(p2.events[0].event_name, "Call069");
    let p3 = lookup(
        &trail,
        &LookupQuery {
            next_token: p2.next_token.clone(),
            ..q.clone()
        },
    );
    assert_eq!(p3.events.len(), 20);
    assert_eq!(p3.next_token, None);
    let mut seen = HashSet::new();
    for e in p1.events.iter().chain(&p2.events).chain(&p3.events) {
        assert!(
            seen.insert(e.event_id.clone()),
            "duplicate {}",
            e.event_name
        );
    }
    assert_eq!(seen.len(), 120);
    // A token belongs to its parameters.
    let mismatched = LookupQuery {
        next_token: Some(token),
        ..by("EventName", "Call001")
    };
    let err = trail
        .lookup_events(ACCOUNT, REGION, &mismatched)
        .expect_err("mismatch");
    assert_eq!(err.code(), "InvalidNextTokenException");
}

#[test]
fn pagination_through_a_posting_list() {
    let (trail, _clock) = memory_trail();
    for i in 0..30 {
        let name = if i % 3 == 0 {
            "DeleteAlarms"
        } else {
            "DescribeAlarms"
        };
        trail.record(input(T0 + i * 1_000, name));
    }
    trail.flush().expect("flush");
    let mut q = LookupQuery {
        max_results: Some(4),
        ..by("EventName", "DeleteAlarms")
    };
    let mut times = Vec::new();
    loop {
        let page = lookup(&trail, &q);
        times.extend(page.events.iter().map(|e| e.event_time_millis));
        match page.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    let expected: Vec<i64> = (0..30)
        .rev()
        .filter(|i| i % 3 == 0)
        .map(|i| T0 + i * 1_000)
        .collect();
    assert_eq!(times, expected);
}

#[test]
fn insight_category_returns_nothing_yet() {
    let (trail, _clock) = memory_trail();
    three(&trail);
    let q = LookupQuery {
        event_category: Some("insight".into()),
        ..Default::default()
    };
    assert!(lookup(&trail, &q).events.is_empty());
}

#[test]
fn slightly_out_of_order_times_are_still_found_by_range() {
    let (trail, _clock) = memory_trail();
    // Each record flushed alone, so the writer cannot reorder them.
    for (i, dt) in [0i64, 5_000, 3_000, 9_000, 1_000, 7_000]
        .into_iter()
        .enumerate()
    {
        trail.record(input(T0 + dt, &format!("C{i}")));
        trail.flush().expect("flush");
    }
    let q = LookupQuery {
        start_time: Some(T0 + 2_000),
        end_time: Some(T0 + 6_000),
        ..Default::default()
    };
    let page = lookup(&trail, &q);
    let mut got = names(&page);
    got.sort_unstable();
    assert_eq!(got, ["C1", "C2"]);
}

#[test]
fn the_index_stays_within_its_memory_budget() {
    let (trail, _clock) = memory_trail();
    let n = 100_000i64;
    for i in 0..n {
        let mut r = input(
            T0 + i * 10,
            ["CreateLogGroup", "DescribeLogGroups", "PutRetentionPolicy"][(i % 3) as usize],
        );
        r.resources[0].arn = format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g{}", i % 500);
        while !trail.record(r.clone()) {}
    }
    trail.flush().expect("flush");
    let stats = trail.stats();
    assert_eq!(stats.indexed, n as usize);
    let per_record = stats.index_bytes / stats.indexed;
    assert!(per_record <= 100, "{per_record} bytes per record");
}
