#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use super::*;

fn problems(body: Value) -> Vec<(String, String)> {
    check(&body.to_string())
        .unwrap()
        .into_iter()
        .map(|m| (m.data_path, m.message))
        .collect()
}

fn p(path: &str, msg: &str) -> (String, String) {
    (path.to_owned(), msg.to_owned())
}

#[test]
fn the_documented_example_is_valid() {
    let body = json!({
        "start": "-PT6H", "periodOverride": "inherit",
        "widgets": [
            {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
             "properties": {"metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"]],
                            "period": 300, "stat": "Average", "region": "us-east-1",
                            "title": "EC2 Instance CPU", "liveData": false,
                            "legend": {"position": "right"}}},
            {"type": "text", "x": 0, "y": 7, "width": 3, "height": 3,
             "properties": {"markdown": "Hello world"}}
        ]
    });
    assert_eq!(problems(body), vec![]);
    assert!(validate(r#"{"widgets": []}"#).is_ok());
}

#[test]
fn not_an_object_or_no_widgets() {
    for body in ["", "not json", "[]", "42", "\"x\""] {
        let e = validate(body).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The field DashboardBody must be a valid JSON object"
        );
    }
    assert_eq!(
        problems(json!({})),
        vec![p("", "Should have required property 'widgets'")]
    );
    assert_eq!(
        problems(json!({"widgets": {}})),
        vec![p("/widgets", "Should be array")]
    );
}

#[test]
fn widget_structure_and_ranges() {
    let body = json!({"periodOverride": "sometimes", "start": "yesterday", "widgets": [
        {"type": "graph", "properties": {}},
        {"type": "text", "x": 24, "y": -1, "width": 25, "height": 0, "properties": {"markdown": "a"}},
        {"type": "text", "x": 1.5, "y": 0, "width": "6", "properties": {"markdown": "a"}},
        {"type": "text"},
        "text",
        {"type": "text", "y": 2, "properties": {"markdown": "a"}}
    ]});
    assert_eq!(
        problems(body),
        vec![
            p(
                "/widgets/0/type",
                "Should be equal to one of the allowed values"
            ),
            p("/widgets/1/x", "Should be <= 23"),
            p("/widgets/1/y", "Should be >= 0"),
            p("/widgets/1/width", "Should be <= 24"),
            p("/widgets/1/height", "Should be >= 1"),
            p("/widgets/2/x", "Should be integer"),
            p("/widgets/2/width", "Should be integer"),
            p("/widgets/3", "Should have required property 'properties'"),
            p("/widgets/4", "Should be object"),
            p(
                "/widgets/5",
                "Should have property x when property y is present"
            ),
            p(
                "/periodOverride",
                "Should be equal to one of the allowed values"
            ),
            p(
                "/start",
                "Should be a relative time (-P…) or an ISO 8601 timestamp"
            ),
        ]
    );
    // Relative and absolute times.
    for t in [
        "-PT6H",
        "-P7D",
        "-P1DT12H",
        "-PT15M",
        "2026-01-01T00:00:00Z",
    ] {
        assert_eq!(problems(json!({"widgets": [], "start": t})), vec![], "{t}");
    }
    for t in ["-P", "-PT", "-P6", "-PTH", "26-1-1"] {
        assert_eq!(problems(json!({"widgets": [], "end": t})).len(), 1, "{t}");
    }
}

#[test]
fn text_log_and_alarm_properties() {
    let arn = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:high";
    let body = json!({"widgets": [
        {"type": "text", "properties": {"background": "red"}},
        {"type": "log", "properties": {"query": "fields @message", "view": "line"}},
        {"type": "log", "properties": {"query": "SOURCE 'app' | fields @message", "region": "us-east-1",
                                       "view": "table", "stacked": false}},
        {"type": "alarm", "properties": {"alarms": [arn, "high", 3], "sortBy": "severity",
                                         "states": ["ALARM", "BROKEN"]}},
        {"type": "alarm", "properties": {"alarms": []}},
        {"type": "alarm", "properties": {}}
    ]});
    assert_eq!(
        problems(body),
        vec![
            p(
                "/widgets/0/properties",
                "Should have required property 'markdown'"
            ),
            p(
                "/widgets/0/properties/background",
                "Should be equal to one of the allowed values"
            ),
            p(
                "/widgets/1/properties/query",
                "Should match pattern \"^SOURCE \""
            ),
            p(
                "/widgets/1/properties/view",
                "Should be equal to one of the allowed values"
            ),
            p("/widgets/3/properties/alarms/1", ALARM_ARN_PATTERN),
            p("/widgets/3/properties/alarms/2", "Should be string"),
            p(
                "/widgets/3/properties/sortBy",
                "Should be equal to one of the allowed values"
            ),
            p(
                "/widgets/3/properties/states/1",
                "Should be equal to one of the allowed values"
            ),
            p(
                "/widgets/4/properties/alarms",
                "Should NOT have fewer than 1 items"
            ),
            p(
                "/widgets/5/properties",
                "Should have required property 'alarms'"
            ),
        ]
    );
}

#[test]
fn metric_widget_properties() {
    let body = json!({"widgets": [
        {"type": "metric", "properties": {"metrics": [["AWS/EC2", "CPUUtilization"]]}},
        {"type": "metric", "properties": {"region": "us-east-1"}},
        {"type": "metric", "properties": {"region": "us-east-1",
            "annotations": {"alarms": ["arn:aws:cloudwatch:us-east-1:111122223333:alarm:a"]}}},
        {"type": "metric", "properties": {"region": "us-east-1", "metrics": [], "view": "line",
            "stacked": "yes", "period": 45, "yAxis": {"left": {"min": "0"}},
            "annotations": {"horizontal": [{"value": 5, "label": "max"}, [{"value": 1}, {"value": 2}],
                                           {"label": "no value"}],
                            "vertical": [{"value": 3}]}}}
    ]});
    assert_eq!(
        problems(body),
        vec![
            p(
                "/widgets/0/properties",
                "Should have required property 'region'"
            ),
            p(
                "/widgets/1/properties",
                "Should have required property 'metrics'"
            ),
            p(
                "/widgets/3/properties/view",
                "Should be equal to one of the allowed values"
            ),
            p("/widgets/3/properties/stacked", "Should be boolean"),
            p(
                "/widgets/3/properties/period",
                "Should be 1, 5, 10, 30 or a multiple of 60"
            ),
            p("/widgets/3/properties/yAxis/left/min", "Should be number"),
            p(
                "/widgets/3/properties/annotations/horizontal/2",
                "Should have required property 'value'"
            ),
            p(
                "/widgets/3/properties/annotations/vertical/0/value",
                "Should be string"
            ),
        ]
    );
}

fn metric_problems(metrics: Value) -> Vec<(String, String)> {
    problems(json!({"widgets": [{"type": "metric",
        "properties": {"region": "us-east-1", "metrics": metrics}}]}))
}

#[test]
fn metrics_array_and_shorthand() {
    let ok = json!([
        ["AWS/EC2", "CPUUtilization", "InstanceId", "i-1", {"stat": "p99", "id": "m1", "color": "#ff0000"}],
        ["...", "i-2"],
        [".", "NetworkIn", ".", "i-3", {"yAxis": "right", "period": 60}],
        [{"expression": "SUM(METRICS())", "label": "total", "id": "e1"}],
        ["AWS/Lambda", "Errors"]
    ]);
    assert_eq!(metric_problems(ok), vec![]);
    let bad = json!([
        "AWS/EC2",
        [],
        ["AWS/EC2", 5, "InstanceId", "i-1"],
        ["AWS/EC2"],
        ["AWS/EC2", "CPUUtilization", "InstanceId"],
        [{"label": "no expression"}],
        ["AWS/EC2", "CPUUtilization", {"color": "red", "id": "Bad", "period": 7, "visible": 1}]
    ]);
    let path = "/widgets/0/properties/metrics";
    assert_eq!(
        metric_problems(bad),
        vec![
            p(&format!("{path}/0"), "Should be array"),
            p(&format!("{path}/1"), "Should NOT have fewer than 1 items"),
            p(
                &format!("{path}/2/1"),
                "Invalid metric field type, only \"String\" type is allowed"
            ),
            p(&format!("{path}/3"), "Should NOT have fewer than 2 items"),
            p(
                &format!("{path}/4/2"),
                "Should have a value for each dimension name"
            ),
            p(
                &format!("{path}/5/0"),
                "Should have required property 'expression'"
            ),
            p(
                &format!("{path}/6/2/color"),
                "Should match pattern \"^#[0-9a-fA-F]{6}$\""
            ),
            p(
                &format!("{path}/6/2/id"),
                "Should match pattern \"^[a-z][a-zA-Z0-9_]*$\""
            ),
            p(
                &format!("{path}/6/2/period"),
                "Should be 1, 5, 10, 30 or a multiple of 60"
            ),
            p(&format!("{path}/6/2/visible"), "Should be boolean"),
        ]
    );
    // Shorthand without a previous metric.
    assert_eq!(
        metric_problems(json!([["...", "i-2"]])),
        vec![p(
            &format!("{path}/0"),
            "Should have a previous metric to repeat with \".\" or \"...\""
        )]
    );
    assert_eq!(
        metric_problems(json!([["AWS/EC2", "CPU"], [".", ".", ".", "x"]])).len(),
        1
    );
}

#[test]
fn explorer_properties() {
    let ok = json!({"widgets": [{"type": "explorer", "properties": {
        "metrics": [{"metricName": "CPUUtilization", "resourceType": "AWS::EC2::Instance", "stat": "Average"}],
        "aggregateBy": {"key": "InstanceType", "func": "MAX"},
        "labels": [{"key": "cw:Env", "value": "prod"}, {"key": "Team"}],
        "widgetOptions": {"legend": {"position": "bottom"}, "view": "timeSeries",
                          "stacked": false, "rowsPerPage": 1, "widgetsPerRow": 1},
        "period": 300, "splitBy": "AvailabilityZone", "title": "CPU"}}]});
    assert_eq!(problems(ok), vec![]);
    let bad = json!({"widgets": [{"type": "explorer", "properties": {
        "metrics": [{"metricName": "CPUUtilization"}],
        "aggregateBy": {"func": "MEDIAN"}, "labels": [{"value": "x"}],
        "widgetOptions": {"view": "gauge"}}}]});
    assert_eq!(
        problems(bad),
        vec![
            p(
                "/widgets/0/properties/metrics/0",
                "Should have required property 'resourceType'"
            ),
            p(
                "/widgets/0/properties/metrics/0",
                "Should have required property 'stat'"
            ),
            p(
                "/widgets/0/properties/labels/0",
                "Should have required property 'key'"
            ),
            p(
                "/widgets/0/properties/aggregateBy/func",
                "Should be equal to one of the allowed values"
            ),
            p(
                "/widgets/0/properties/widgetOptions/view",
                "Should be equal to one of the allowed values"
            ),
        ]
    );
}

#[test]
fn the_error_lists_every_message_as_aws_does() {
    let e = validate(r#"{"widgets":[{"type":"text","properties":{}}]}"#).unwrap_err();
    let DashboardsError::InvalidInput { message, messages } = e else {
        panic!("{e:?}");
    };
    assert_eq!(messages.len(), 1);
    assert_eq!(
        message,
        "The dashboard body is invalid, there are 1 validation errors:\n[\n  {\n    \"dataPath\": \"/widgets/0/properties\",\n    \"message\": \"Should have required property 'markdown'\"\n  }\n]"
    );
}
