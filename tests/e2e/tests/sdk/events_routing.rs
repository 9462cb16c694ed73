//! EventBridge delivery end to end, through aws-sdk-eventbridge and aws-sdk-cloudwatchlogs on a
//! server with two accounts: a rule routes events to a log group and to an HTTP API destination
//! on loopback (which fails twice before it accepts, so the delivery is retried); account B
//! reaches account A's bus only once A's policy allows it; a replay of A's archive delivers the
//! archived event again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::{
    ConnectionAuthorizationType, CreateConnectionApiKeyAuthRequestParameters,
    CreateConnectionAuthRequestParameters, PutEventsRequestEntry, ReplayDestination, RetryPolicy,
    Target,
};
use openwatch_e2e::{Clients, REGION, create_accounts, ok, stand_in, start_on};

/// Requests an HTTP endpoint received: (x-api-key header, body).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// An endpoint that answers 503 to its first `failures` requests and 200 afterwards.
async fn flaky_receiver(failures: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let base = stand_in::start(move |req| {
        let key = req.header("x-api-key").to_owned();
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let attempt = {
            let mut seen = log.lock().expect("lock");
            seen.push((key, body));
            seen.len()
        };
        if attempt <= failures {
            http::StatusCode::SERVICE_UNAVAILABLE
        } else {
            http::StatusCode::OK
        }
    })
    .await;
    (format!("{base}/orders"), seen)
}

/// The messages in a log group, polled until `done` accepts them (or 30 s pass).
async fn wait_for_messages(
    clients: &Clients,
    group: &str,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = ok(
            clients
                .logs
                .filter_log_events()
                .log_group_name(group)
                .send()
                .await,
            "FilterLogEvents",
        );
        let messages: Vec<String> = found
            .events()
            .iter()
            .filter_map(|e| e.message().map(str::to_owned))
            .collect();
        if done(&messages) {
            return messages;
        }
        assert!(
            Instant::now() < deadline,
            "log group {group} never got what was expected: {messages:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn order(bus: &str, id: &str) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source("shop")
        .detail_type("Order Placed")
        .detail(format!(r#"{{"order":"{id}","total":150}}"#))
        .build()
}

#[tokio::test]
async fn rules_deliver_to_logs_api_destinations_and_permitted_accounts_and_replays_redeliver() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data = tmp.path().join("data");
    let accounts = create_accounts(&data, &["team-a", "team-b"]);
    let (account_a, keys_a) = accounts[0].clone();
    let (account_b, keys_b) = accounts[1].clone();
    let server = start_on(&data).await;
    let endpoint = format!("http://{}", server.local_addr());
    let a = Clients::new(&endpoint, &keys_a);
    let b = Clients::new(&endpoint, &keys_b);

    // A: a custom bus "central" whose rule writes every order into a log group, with an
    // archive; and an API destination behind an API-key connection.
    let central = ok(
        a.events.create_event_bus().name("central").send().await,
        "CreateEventBus",
    )
    .event_bus_arn()
    .expect("bus arn")
    .to_owned();
    ok(
        a.logs
            .create_log_group()
            .log_group_name("/orders")
            .send()
            .await,
        "CreateLogGroup",
    );
    let archive = ok(
        a.events
            .create_archive()
            .archive_name("central-archive")
            .event_source_arn(&central)
            .send()
            .await,
        "CreateArchive",
    )
    .archive_arn()
    .expect("archive arn")
    .to_owned();
    ok(
        a.events
            .put_rule()
            .name("orders")
            .event_bus_name("central")
            .event_pattern(r#"{"source":["shop"],"detail-type":["Order Placed"]}"#)
            .send()
            .await,
        "PutRule",
    );
    let (url, seen) = flaky_receiver(2).await;
    let connection = ok(
        a.events
            .create_connection()
            .name("shop-api")
            .authorization_type(ConnectionAuthorizationType::ApiKey)
            .auth_parameters(
                CreateConnectionAuthRequestParameters::builder()
                    .api_key_auth_parameters(
                        CreateConnectionApiKeyAuthRequestParameters::builder()
                            .api_key_name("x-api-key")
                            .api_key_value("s3cr3t")
                            .build()
                            .expect("api key"),
                    )
                    .build(),
            )
            .send()
            .await,
        "CreateConnection",
    )
    .connection_arn()
    .expect("connection arn")
    .to_owned();
    let destination = ok(
        a.events
            .create_api_destination()
            .name("shop-hook")
            .connection_arn(&connection)
            .invocation_endpoint(&url)
            .http_method(aws_sdk_eventbridge::types::ApiDestinationHttpMethod::Post)
            .send()
            .await,
        "CreateApiDestination",
    )
    .api_destination_arn()
    .expect("api destination arn")
    .to_owned();
    let group_arn = format!("arn:aws:logs:{REGION}:{account_a}:log-group:/orders");
    let put = ok(
        a.events
            .put_targets()
            .rule("orders")
            .event_bus_name("central")
            .targets(
                Target::builder()
                    .id("log")
                    .arn(&group_arn)
                    .build()
                    .expect("target"),
            )
            .targets(
                Target::builder()
                    .id("hook")
                    .arn(&destination)
                    .role_arn(format!("arn:aws:iam::{account_a}:role/events-invoke"))
                    .retry_policy(RetryPolicy::builder().maximum_retry_attempts(5).build())
                    .build()
                    .expect("target"),
            )
            .send()
            .await,
        "PutTargets",
    );
    assert_eq!(put.failed_entry_count(), 0, "{put:?}");

    // A's own event reaches the log group and, after two refusals, the API destination.
    let sent = ok(
        a.events
            .put_events()
            .entries(order("central", "alpha"))
            .send()
            .await,
        "PutEvents",
    );
    assert_eq!(sent.failed_entry_count(), 0, "{sent:?}");
    wait_for_messages(&a, "/orders", |m| m.iter().any(|m| m.contains("alpha"))).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().expect("lock").len() < 3 {
        assert!(
            Instant::now() < deadline,
            "attempts: {:?}",
            seen.lock().expect("lock")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(
            seen.len(),
            3,
            "no attempt after the one that was accepted: {seen:?}"
        );
        for (key, body) in seen.iter() {
            assert_eq!(key, "s3cr3t");
            let event: serde_json::Value = serde_json::from_str(body).expect("the event as JSON");
            assert_eq!(event["detail"]["order"], "alpha");
        }
    }

    // B cannot put events on A's bus until A's policy allows it.
    let denied = ok(
        b.events
            .put_events()
            .entries(order(&central, "bravo"))
            .send()
            .await,
        "PutEvents from B (denied)",
    );
    assert_eq!(denied.failed_entry_count(), 1, "{denied:?}");
    assert_eq!(
        denied.entries()[0].error_code(),
        Some("AccessDeniedException"),
        "{denied:?}"
    );
    ok(
        a.events
            .put_permission()
            .event_bus_name("central")
            .action("events:PutEvents")
            .principal(&account_b)
            .statement_id("team-b")
            .send()
            .await,
        "PutPermission",
    );
    let allowed = ok(
        b.events
            .put_events()
            .entries(order(&central, "charlie"))
            .send()
            .await,
        "PutEvents from B (allowed)",
    );
    assert_eq!(allowed.failed_entry_count(), 0, "{allowed:?}");
    let messages =
        wait_for_messages(&a, "/orders", |m| m.iter().any(|m| m.contains("charlie"))).await;
    assert!(
        !messages.iter().any(|m| m.contains("bravo")),
        "the denied event was delivered: {messages:?}"
    );
    let from_b: serde_json::Value = serde_json::from_str(
        messages
            .iter()
            .find(|m| m.contains("charlie"))
            .expect("B's event"),
    )
    .expect("JSON");
    assert_eq!(from_b["account"], account_b.as_str());

    // A replay of the archive delivers A's first event again, marked with the replay's name.
    let now = std::time::SystemTime::now();
    ok(
        a.events
            .start_replay()
            .replay_name("again")
            .event_source_arn(&archive)
            .event_start_time((now - Duration::from_secs(600)).into())
            .event_end_time(now.into())
            .destination(
                ReplayDestination::builder()
                    .arn(&central)
                    .build()
                    .expect("destination"),
            )
            .send()
            .await,
        "StartReplay",
    );
    let messages = wait_for_messages(&a, "/orders", |m| {
        m.iter()
            .any(|m| m.contains("alpha") && m.contains("\"replay-name\":\"again\""))
    })
    .await;
    assert_eq!(
        messages.iter().filter(|m| m.contains("alpha")).count(),
        2,
        "the original and its replay: {messages:?}"
    );
    server.shutdown().await.expect("clean shutdown");
}
