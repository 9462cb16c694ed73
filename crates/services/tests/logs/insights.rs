//! Logs Insights through the pipeline: StartQuery → GetQueryResults over chunks and the head,
//! statistics, `@ptr` → GetLogRecord, StopQuery, DescribeQueries, GetLogGroupFields, the query
//! definitions, and the errors.

use super::*;

/// Polls GetQueryResults until the query ends.
async fn results(e: &Env, id: &str) -> Value {
    for _ in 0..500 {
        let v = e.ok("GetQueryResults", json!({"queryId": id})).await;
        let status = v["status"].as_str().unwrap().to_owned();
        if status != "Running" && status != "Scheduled" {
            return v;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("query {id} did not finish");
}

fn rows(v: &Value) -> Vec<Vec<(String, String)>> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_owned(),
                        f["value"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

/// A group with JSON events in two streams: half flushed into chunks, half in the head.
async fn seeded() -> Env {
    let e = env();
    e.group_and_stream("app", "web").await;
    e.ok(
        "CreateLogStream",
        json!({"logGroupName": "app", "logStreamName": "api"}),
    )
    .await;
    let ev = |i: i64, status: i64| {
        json!({"timestamp": T0 - 600_000 + i * 1000,
               "message": format!("{{\"status\":{status},\"path\":\"/p{}\",\"ms\":{}}}", i % 3, i * 10)})
    };
    e.put("app", "web", json!([ev(0, 200), ev(1, 500), ev(2, 200)]))
        .await;
    e.clock.advance(Duration::from_secs(120));
    e.store.flush_due().unwrap();
    e.put("app", "api", json!([ev(3, 503), ev(4, 200), {"timestamp": T0 - 600_000 + 5000, "message": "plain text ERROR line"}]))
        .await;
    e
}

fn range() -> (i64, i64) {
    ((T0 - 3_600_000) / 1000, (T0 + 3_600_000) / 1000)
}

#[tokio::test]
async fn stats_over_chunks_and_head() {
    let e = seeded().await;
    let (start, end) = range();
    let v = e
        .ok(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": start, "endTime": end,
                   "queryString": "filter status >= 500 | stats count(*) as n, sum(ms) as total by path | sort path"}),
        )
        .await;
    let id = v["queryId"].as_str().unwrap().to_owned();
    let v = results(&e, &id).await;
    assert_eq!(v["status"], "Complete", "{v}");
    assert_eq!(
        rows(&v),
        vec![
            vec![
                ("path".into(), "/p0".into()),
                ("n".into(), "1".into()),
                ("total".into(), "30".into())
            ],
            vec![
                ("path".into(), "/p1".into()),
                ("n".into(), "1".into()),
                ("total".into(), "10".into())
            ],
        ]
    );
    assert_eq!(v["statistics"]["recordsScanned"], 6.0);
    assert_eq!(v["statistics"]["recordsMatched"], 2.0);
    assert!(v["statistics"]["bytesScanned"].as_f64().unwrap() > 100.0);
    assert_eq!(v["queryLanguage"], "CWLI");
}

#[tokio::test]
async fn event_rows_carry_ptr_for_get_log_record() {
    let e = seeded().await;
    let (start, end) = range();
    let v = e
        .ok(
            "StartQuery",
            json!({"logGroupNames": ["app"], "startTime": start, "endTime": end,
                   "queryString": "fields @timestamp, @message, @logStream | filter @message like /ERROR/"}),
        )
        .await;
    let v = results(&e, v["queryId"].as_str().unwrap()).await;
    let r = rows(&v);
    assert_eq!(r.len(), 1, "{v}");
    assert_eq!(r[0][1], ("@message".into(), "plain text ERROR line".into()));
    assert_eq!(r[0][2], ("@logStream".into(), "api".into()));
    let ptr = r[0].iter().find(|(k, _)| k == "@ptr").unwrap().1.clone();
    let rec = e.ok("GetLogRecord", json!({"logRecordPointer": ptr})).await;
    assert_eq!(rec["logRecord"]["@message"], "plain text ERROR line");
    assert_eq!(rec["logRecord"]["@logStream"], "api");
    assert_eq!(rec["logRecord"]["@log"], format!("{TEST_ACCOUNT}:app"));
    assert_eq!(
        rec["logRecord"]["@timestamp"],
        (T0 - 600_000 + 5000).to_string()
    );
    // A flushed event is found in its chunk.
    let v = e
        .ok(
            "StartQuery",
            json!({"logGroupIdentifiers": ["app"], "startTime": start, "endTime": end,
                   "queryString": "fields @message | filter status = 500"}),
        )
        .await;
    let v = results(&e, v["queryId"].as_str().unwrap()).await;
    let ptr = rows(&v)[0]
        .iter()
        .find(|(k, _)| k == "@ptr")
        .unwrap()
        .1
        .clone();
    let rec = e.ok("GetLogRecord", json!({"logRecordPointer": ptr})).await;
    assert_eq!(rec["logRecord"]["status"], "500");
    let (code, _) = e
        .err("GetLogRecord", json!({"logRecordPointer": "nope"}))
        .await;
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn time_range_and_limit() {
    let e = seeded().await;
    // Only the first two events (seconds 0 and 1 of the range).
    let s = (T0 - 600_000) / 1000;
    let v = e
        .ok(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": s, "endTime": s + 1,
                   "queryString": "fields ms | sort ms desc", "limit": 1}),
        )
        .await;
    let v = results(&e, v["queryId"].as_str().unwrap()).await;
    let r = rows(&v);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0][0], ("ms".into(), "10".into()));
    assert_eq!(v["statistics"]["recordsScanned"], 2.0);
}

#[tokio::test]
async fn start_query_errors() {
    let e = seeded().await;
    let (start, end) = range();
    let (code, msg) = e
        .err(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": start, "endTime": end,
                   "queryString": "fields @message | sort @timestamp sideways"}),
        )
        .await;
    assert_eq!(code, "MalformedQueryException");
    assert_eq!(
        msg,
        "unexpected symbol found sideways at line 1 and position 35"
    );
    // The error's location in characters (first and last of `sideways`) and its message.
    let (status, v) = e
        .call(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": start, "endTime": end,
                   "queryString": "fields @message | sort @timestamp sideways"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        v["queryCompileError"],
        json!({"location": {"startCharOffset": 34, "endCharOffset": 41},
               "message": "unexpected symbol found sideways at line 1 and position 35"})
    );
    let (code, _) = e
        .err(
            "StartQuery",
            json!({"logGroupName": "nope", "startTime": start, "endTime": end, "queryString": "fields x"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err(
            "StartQuery",
            json!({"logGroupName": "app", "logGroupNames": ["app"], "startTime": start, "endTime": end, "queryString": "fields x"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "StartQuery",
            json!({"startTime": start, "endTime": end, "queryString": "fields x"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": end, "endTime": start, "queryString": "fields x"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": start, "endTime": end, "queryString": "fields x", "limit": 10001}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = e
        .err(
            "GetQueryResults",
            json!({"queryId": "00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn source_command_picks_groups_by_prefix() {
    let e = seeded().await;
    e.group_and_stream("app-two", "s").await;
    e.put(
        "app-two",
        "s",
        json!([{"timestamp": T0 - 1000, "message": "{\"status\":500,\"ms\":1}"}]),
    )
    .await;
    e.group_and_stream("other", "s").await;
    e.put(
        "other",
        "s",
        json!([{"timestamp": T0 - 1000, "message": "{\"status\":500}"}]),
    )
    .await;
    let (start, end) = range();
    let v = e
        .ok(
            "StartQuery",
            json!({"startTime": start, "endTime": end,
                   "queryString": "SOURCE logGroups(namePrefix: [\"app\"]) | filter status = 500 | stats count(*) as n by @log | sort @log"}),
        )
        .await;
    let v = results(&e, v["queryId"].as_str().unwrap()).await;
    assert_eq!(
        rows(&v),
        vec![
            vec![
                ("@log".into(), format!("{TEST_ACCOUNT}:app")),
                ("n".into(), "1".into())
            ],
            vec![
                ("@log".into(), format!("{TEST_ACCOUNT}:app-two")),
                ("n".into(), "1".into())
            ],
        ]
    );
}

#[tokio::test]
async fn describe_and_stop_queries() {
    let e = seeded().await;
    let (start, end) = range();
    let v = e
        .ok(
            "StartQuery",
            json!({"logGroupName": "app", "startTime": start, "endTime": end, "queryString": "stats count(*)"}),
        )
        .await;
    let id = v["queryId"].as_str().unwrap().to_owned();
    results(&e, &id).await;
    let v = e
        .ok("DescribeQueries", json!({"logGroupName": "app"}))
        .await;
    assert_eq!(v["queries"][0]["queryId"], id);
    assert_eq!(v["queries"][0]["status"], "Complete");
    assert_eq!(v["queries"][0]["queryString"], "stats count(*)");
    assert_eq!(v["queries"][0]["logGroupName"], "app");
    let v = e.ok("DescribeQueries", json!({"status": "Running"})).await;
    assert_eq!(v["queries"], json!([]));
    let v = e
        .ok("DescribeQueries", json!({"logGroupName": "other"}))
        .await;
    assert_eq!(v["queries"], json!([]));
    let (code, _) = e.err("DescribeQueries", json!({"status": "Bogus"})).await;
    assert_eq!(code, "InvalidParameterException");
    // A finished query cannot be stopped.
    let v = e.ok("StopQuery", json!({"queryId": id})).await;
    assert_eq!(v["success"], false);
}

#[tokio::test]
async fn log_group_fields_with_percentages() {
    let e = seeded().await;
    let v = e
        .ok(
            "GetLogGroupFields",
            json!({"logGroupName": "app", "time": (T0 - 600_000) / 1000}),
        )
        .await;
    let fields: Vec<(String, i64)> = v["logGroupFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["percent"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(fields.contains(&("@timestamp".into(), 100)), "{fields:?}");
    assert!(fields.contains(&("@message".into(), 100)));
    // Five of the six events are JSON with `status`.
    assert!(fields.contains(&("status".into(), 83)), "{fields:?}");
    assert!(fields.windows(2).all(|w| w[0].1 >= w[1].1));
    let (code, _) = e
        .err("GetLogGroupFields", json!({"logGroupName": "nope"}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn query_definitions_round_trip() {
    let e = env();
    let v = e
        .ok(
            "PutQueryDefinition",
            json!({"name": "errors/by-path", "queryString": "filter status >= 500 | stats count(*) by path", "logGroupNames": ["app"]}),
        )
        .await;
    let id = v["queryDefinitionId"].as_str().unwrap().to_owned();
    e.ok(
        "PutQueryDefinition",
        json!({"name": "zz", "queryString": "fields @message"}),
    )
    .await;
    let v = e
        .ok(
            "DescribeQueryDefinitions",
            json!({"queryDefinitionNamePrefix": "errors/"}),
        )
        .await;
    assert_eq!(v["queryDefinitions"].as_array().unwrap().len(), 1);
    assert_eq!(v["queryDefinitions"][0]["queryDefinitionId"], id);
    assert_eq!(v["queryDefinitions"][0]["logGroupNames"], json!(["app"]));
    assert_eq!(v["queryDefinitions"][0]["lastModified"], T0);
    // Update in place.
    e.ok(
        "PutQueryDefinition",
        json!({"name": "errors/by-path", "queryDefinitionId": id, "queryString": "stats count(*)"}),
    )
    .await;
    let v = e
        .ok("DescribeQueryDefinitions", json!({"maxResults": 1}))
        .await;
    assert_eq!(v["queryDefinitions"][0]["queryString"], "stats count(*)");
    let next = v["nextToken"].as_str().unwrap().to_owned();
    let v = e
        .ok("DescribeQueryDefinitions", json!({"nextToken": next}))
        .await;
    assert_eq!(v["queryDefinitions"][0]["name"], "zz");
    assert!(v.get("nextToken").is_none());
    let v = e
        .ok("DeleteQueryDefinition", json!({"queryDefinitionId": id}))
        .await;
    assert_eq!(v["success"], true);
    let (code, _) = e
        .err("DeleteQueryDefinition", json!({"queryDefinitionId": id}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err(
            "PutQueryDefinition",
            json!({"name": "x", "queryDefinitionId": id, "queryString": "fields x"}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = e
        .err(
            "PutQueryDefinition",
            json!({"name": "", "queryString": "fields x"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
}
