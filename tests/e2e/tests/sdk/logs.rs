//! CloudWatch Logs (JSON 1.1) through aws-sdk-cloudwatchlogs, in the order log shippers call it
//! (Vector's `aws_cloudwatch_logs` sink, fluent-bit's `cloudwatch_logs` output): health check,
//! group and stream creation (tolerating ResourceAlreadyExistsException), retention, PutLogEvents
//! with sequence tokens and rejected events; then what readers do (GetLogEvents, FilterLogEvents),
//! and a restart that keeps the events.

use aws_sdk_cloudwatchlogs::types::{InputLogEvent, OutputLogEvent};
use openwatch_e2e::{TestServer, expect_err, ok, service_error};

const GROUP: &str = "/e2e/app";
const STREAM: &str = "host-1";
const DAY_MS: i64 = 24 * 3600 * 1000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .expect("the clock is after 1970")
}

fn event(timestamp: i64, message: &str) -> InputLogEvent {
    InputLogEvent::builder()
        .timestamp(timestamp)
        .message(message)
        .build()
        .expect("an event with timestamp and message")
}

fn messages(events: &[OutputLogEvent]) -> Vec<&str> {
    events.iter().filter_map(OutputLogEvent::message).collect()
}

/// What is stored (oldest first), besides the too-old event that is rejected.
const STORED: [&str; 4] = [
    "INFO service started",
    "ERROR disk full on /dev/sda1",
    r#"{"level":"error","status":500,"path":"/api"}"#,
    r#"{"level":"info","status":200,"path":"/health"}"#,
];

/// Every event of the stream, oldest first, following GetLogEvents' forward tokens (pages of
/// `limit`) until the token comes back unchanged, as the documentation says to.
async fn all_events(logs: &aws_sdk_cloudwatchlogs::Client, limit: i32) -> Vec<String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..20 {
        let page = ok(
            logs.get_log_events()
                .log_group_name(GROUP)
                .log_stream_name(STREAM)
                .start_from_head(true)
                .limit(limit)
                .set_next_token(token.clone())
                .send()
                .await,
            "GetLogEvents (paging forward)",
        );
        assert!(page.events().len() <= limit as usize, "{page:?}");
        out.extend(messages(page.events()).into_iter().map(str::to_owned));
        let next = page
            .next_forward_token()
            .expect("GetLogEvents always returns nextForwardToken")
            .to_owned();
        if token.as_deref() == Some(next.as_str()) {
            assert!(
                page.events().is_empty(),
                "an unchanged token ends the stream: {page:?}"
            );
            return out;
        }
        token = Some(next);
    }
    panic!("GetLogEvents' forward token never came back unchanged; read so far: {out:?}");
}

#[tokio::test]
async fn a_log_shipper_creates_a_group_and_stream_puts_events_and_they_are_read_back() {
    let server = TestServer::start().await;
    let logs = server.root_clients().logs;

    // Vector's health check: DescribeLogGroups(limit=1, prefix) on a fresh server.
    let groups = ok(
        logs.describe_log_groups()
            .limit(1)
            .log_group_name_prefix(GROUP)
            .send()
            .await,
        "DescribeLogGroups (health check)",
    );
    assert!(groups.log_groups().is_empty(), "{groups:?}");

    // Sending starts with DescribeLogStreams; a missing group is ResourceNotFoundException (then
    // the shipper creates it).
    let err = expect_err(
        logs.describe_log_streams()
            .log_group_name(GROUP)
            .log_stream_name_prefix(STREAM)
            .send()
            .await,
        "DescribeLogStreams of a missing group",
    );
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{:?}",
        service_error(&err, "DescribeLogStreams")
    );

    ok(
        logs.create_log_group().log_group_name(GROUP).send().await,
        "CreateLogGroup",
    );
    let err = expect_err(
        logs.create_log_group().log_group_name(GROUP).send().await,
        "CreateLogGroup again",
    );
    let info = service_error(&err, "CreateLogGroup again");
    assert_eq!(info.code, "ResourceAlreadyExistsException", "{info:?}");
    assert_eq!(info.status, 400, "{info:?}");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_already_exists_exception()),
        "{info:?}"
    );

    // An empty group: Vector needs the logStreams member, even empty.
    let streams = ok(
        logs.describe_log_streams()
            .log_group_name(GROUP)
            .log_stream_name_prefix(STREAM)
            .send()
            .await,
        "DescribeLogStreams of an empty group",
    );
    assert_eq!(
        streams.log_streams,
        Some(Vec::new()),
        "logStreams must be present and empty: {streams:?}"
    );

    ok(
        logs.create_log_stream()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .send()
            .await,
        "CreateLogStream",
    );
    let err = expect_err(
        logs.create_log_stream()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .send()
            .await,
        "CreateLogStream again",
    );
    assert_eq!(
        service_error(&err, "CreateLogStream again").code,
        "ResourceAlreadyExistsException"
    );

    // fluent-bit's log_retention_days: an invalid value is refused, a valid one shows.
    let err = expect_err(
        logs.put_retention_policy()
            .log_group_name(GROUP)
            .retention_in_days(8)
            .send()
            .await,
        "PutRetentionPolicy 8 days",
    );
    let info = service_error(&err, "PutRetentionPolicy 8 days");
    assert_eq!(info.code, "InvalidParameterException", "{info:?}");
    assert_eq!(info.status, 400, "{info:?}");
    ok(
        logs.put_retention_policy()
            .log_group_name(GROUP)
            .retention_in_days(30)
            .send()
            .await,
        "PutRetentionPolicy 30 days",
    );
    let groups = ok(
        logs.describe_log_groups()
            .log_group_name_prefix(GROUP)
            .send()
            .await,
        "DescribeLogGroups",
    );
    assert_eq!(groups.log_groups().len(), 1, "{groups:?}");
    let group = &groups.log_groups()[0];
    assert_eq!(group.log_group_name(), Some(GROUP));
    assert_eq!(group.retention_in_days(), Some(30), "{group:?}");

    // First batch: one event older than 14 days (rejected as too old) and two recent ones.
    let now = now_ms();
    let t0 = now - 60_000;
    let first = ok(
        logs.put_log_events()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .log_events(event(now - 15 * DAY_MS, "too old to keep"))
            .log_events(event(t0, STORED[0]))
            .log_events(event(t0 + 1000, STORED[1]))
            .send()
            .await,
        "PutLogEvents with a too-old event",
    );
    let rejected = first
        .rejected_log_events_info()
        .unwrap_or_else(|| panic!("the too-old event is reported: {first:?}"));
    assert_eq!(
        rejected.too_old_log_event_end_index(),
        Some(1),
        "{rejected:?}"
    );
    assert_eq!(
        rejected.too_new_log_event_start_index(),
        None,
        "{rejected:?}"
    );
    let token = first
        .next_sequence_token()
        .unwrap_or_else(|| panic!("PutLogEvents returns nextSequenceToken: {first:?}"))
        .to_owned();

    // The stream now shows its upload token, which Vector reads.
    let streams = ok(
        logs.describe_log_streams()
            .log_group_name(GROUP)
            .log_stream_name_prefix(STREAM)
            .send()
            .await,
        "DescribeLogStreams",
    );
    assert_eq!(streams.log_streams().len(), 1, "{streams:?}");
    let stream = &streams.log_streams()[0];
    assert_eq!(stream.log_stream_name(), Some(STREAM));
    assert_eq!(stream.first_event_timestamp(), Some(t0), "{stream:?}");
    assert_eq!(stream.last_event_timestamp(), Some(t0 + 1000), "{stream:?}");

    // Second batch with the sequence token, as Vector sends it.
    let second = ok(
        logs.put_log_events()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .sequence_token(token.clone())
            .log_events(event(t0 + 2000, STORED[2]))
            .log_events(event(t0 + 3000, STORED[3]))
            .send()
            .await,
        "PutLogEvents with the sequence token",
    );
    assert!(second.rejected_log_events_info().is_none(), "{second:?}");
    let next = second
        .next_sequence_token()
        .unwrap_or_else(|| panic!("PutLogEvents returns nextSequenceToken: {second:?}"));
    assert_ne!(next, token, "the sequence token advances");

    check_reads(&logs, t0).await;

    // A restart keeps the events (and the retention).
    let server = server.restart().await;
    let logs = server.root_clients().logs;
    check_reads(&logs, t0).await;
    let groups = ok(
        logs.describe_log_groups()
            .log_group_name_prefix(GROUP)
            .send()
            .await,
        "DescribeLogGroups after the restart",
    );
    assert_eq!(
        groups
            .log_groups()
            .first()
            .and_then(|g| g.retention_in_days()),
        Some(30),
        "{groups:?}"
    );
    server.shutdown().await;
}

/// GetLogEvents and FilterLogEvents over the four stored events.
async fn check_reads(logs: &aws_sdk_cloudwatchlogs::Client, t0: i64) {
    // Everything, oldest first, one page of 10 and pages of 2 (tokens).
    assert_eq!(all_events(logs, 10).await, STORED);
    assert_eq!(all_events(logs, 2).await, STORED);

    let page = ok(
        logs.get_log_events()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .start_from_head(true)
            .limit(1)
            .send()
            .await,
        "GetLogEvents startFromHead limit 1",
    );
    assert_eq!(messages(page.events()), [STORED[0]], "{page:?}");
    assert_eq!(page.events()[0].timestamp(), Some(t0));
    assert!(page.events()[0].ingestion_time().is_some(), "{page:?}");

    // Without startFromHead the newest events come first (the last page); its backward token
    // leads to the older ones.
    let page = ok(
        logs.get_log_events()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .limit(2)
            .send()
            .await,
        "GetLogEvents from the tail",
    );
    assert_eq!(messages(page.events()), &STORED[2..], "{page:?}");
    let back = page
        .next_backward_token()
        .expect("GetLogEvents returns nextBackwardToken")
        .to_owned();
    let page = ok(
        logs.get_log_events()
            .log_group_name(GROUP)
            .log_stream_name(STREAM)
            .limit(2)
            .next_token(back)
            .send()
            .await,
        "GetLogEvents with the backward token",
    );
    assert_eq!(messages(page.events()), &STORED[..2], "{page:?}");

    // A term is a case-sensitive substring match.
    let found = ok(
        logs.filter_log_events()
            .log_group_name(GROUP)
            .filter_pattern("ERROR")
            .send()
            .await,
        "FilterLogEvents with a term",
    );
    let got: Vec<_> = found.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(got, [STORED[1]], "{found:?}");
    let e = &found.events()[0];
    assert_eq!(e.log_stream_name(), Some(STREAM));
    assert_eq!(e.timestamp(), Some(t0 + 1000));
    assert!(e.event_id().is_some_and(|id| !id.is_empty()), "{found:?}");

    // A JSON pattern only matches JSON events.
    let found = ok(
        logs.filter_log_events()
            .log_group_name(GROUP)
            .filter_pattern("{ $.status >= 500 }")
            .send()
            .await,
        "FilterLogEvents with a JSON pattern",
    );
    let got: Vec<_> = found.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(got, [STORED[2]], "{found:?}");

    // No pattern: every stored event, never the rejected one.
    let found = ok(
        logs.filter_log_events().log_group_name(GROUP).send().await,
        "FilterLogEvents without a pattern",
    );
    let got: Vec<_> = found.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(got, STORED, "{found:?}");

    let err = expect_err(
        logs.filter_log_events()
            .log_group_name(GROUP)
            .filter_pattern("{ $.status >= }")
            .send()
            .await,
        "FilterLogEvents with an invalid pattern",
    );
    let info = service_error(&err, "FilterLogEvents with an invalid pattern");
    assert_eq!(info.code, "InvalidParameterException", "{info:?}");
    assert_eq!(info.status, 400, "{info:?}");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{info:?}"
    );
}
