//! The public API: kinds, extraction for metric filters, and round-tripping the pattern text.

mod common;

use common::pat;
use openwatch_logs::filter_pattern::fuzz_parse_and_match;
use openwatch_logs::{FilterPattern, PatternKind};

#[test]
fn kinds_and_text() {
    for (text, kind) in [
        ("", PatternKind::Text),
        ("ERROR -x", PatternKind::Text),
        ("%a%", PatternKind::Text),
        ("  { $.a = 1 }  ", PatternKind::Json),
        ("[a, b]", PatternKind::SpaceDelimited),
    ] {
        let p: FilterPattern = text.parse().expect(text);
        assert_eq!(p.kind(), kind, "{text:?}");
        assert_eq!(p.as_str(), text);
        assert_eq!(p.to_string(), text);
    }
    assert_eq!(pat("{ $.a = %x% || $.b = %y% }").regex_count(), 2);
    assert_eq!(pat("ERROR").regex_count(), 0);
    assert_eq!(pat("ERROR"), pat("ERROR"));
}

#[test]
fn json_values_for_metric_filters() {
    let p = pat("{ $.kind = \"wildcard\" && $.value = * }");
    let event = r#"{"kind":"wildcard","value":19,"items":[{"value":7,"bucket":"A"}],"ok":true,"n":null,
        "s":"text","dotted.key":"d"}"#;
    let m = p.match_event(event).expect("matches");
    assert_eq!(m.value("$.value").as_deref(), Some("19"));
    assert_eq!(m.value("$.items[0].bucket").as_deref(), Some("A"));
    assert_eq!(m.value("$.items[*].value").as_deref(), Some("7"));
    assert_eq!(m.value("$.s").as_deref(), Some("text"));
    assert_eq!(m.value("$.ok").as_deref(), Some("true"));
    assert_eq!(m.value("$.['dotted.key']").as_deref(), Some("d"));
    assert_eq!(m.value("$.n"), None);
    assert_eq!(m.value("$.items"), None);
    assert_eq!(m.value("$.missing"), None);
    assert_eq!(m.value("$value"), None);
    assert_eq!(m.value("not a selector"), None);
    assert!(m.extracted_values().is_empty());
    // Numbers keep their text.
    assert_eq!(
        pat("{ $.v > 0 }")
            .extract(r#"{"v": 1.50e2}"#, "$.v")
            .as_deref(),
        Some("1.50e2")
    );
    // Escaped strings are unescaped.
    assert_eq!(
        pat("{ $.v = * }")
            .extract(r#"{"v": "a\"b\u00e9"}"#, "$.v")
            .as_deref(),
        Some("a\"bé")
    );
}

#[test]
fn delimited_values_for_metric_filters() {
    let p = pat("[ip, user, username, timestamp, request, status_code = 4*, bytes]");
    let event =
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;
    assert_eq!(p.extract(event, "$bytes").as_deref(), Some("1534"));
    assert_eq!(p.extract(event, "$status_code").as_deref(), Some("404"));
    assert_eq!(p.extract(event, "$nope"), None);
    assert_eq!(p.extract(event, "bytes"), None);
    assert_eq!(p.extract(&event.replace(" 404 ", " 200 "), "$bytes"), None);
    let m = p.match_event(event).expect("matches");
    let names: Vec<&str> = m.field_values().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "ip",
            "user",
            "username",
            "timestamp",
            "request",
            "status_code",
            "bytes"
        ]
    );

    let anon = pat("[..., status, bytes]");
    assert_eq!(anon.extract(event, "$1").as_deref(), Some("127.0.0.1"));
    assert_eq!(
        anon.extract(event, "$5").as_deref(),
        Some("GET /index.html HTTP/1.0")
    );
}

#[test]
fn text_patterns_extract_nothing() {
    let p = pat("ERROR");
    let m = p.match_event("ERROR 1").expect("matches");
    assert_eq!(m.value("$1"), None);
    assert!(m.extracted_values().is_empty());
    assert!(p.match_event("INFO").is_none());
}

#[test]
fn json_patterns_need_a_json_object() {
    let p = pat("{ $.a NOT EXISTS }");
    for event in [
        "",
        "not json",
        "[1]",
        "\"a\"",
        "1",
        "{",
        r#"{"a":1} trailing"#,
        "null",
    ] {
        assert!(!p.matches(event), "{event:?}");
    }
    assert!(p.matches("  {}  "));
}

#[test]
fn fuzz_entry_point_accepts_anything() {
    for data in [
        &b""[..],
        b"\n",
        b"{ $.a = 1 }\n{\"a\":1}",
        b"[a, ..., b]\nx y z",
        b"\xff\xfe\n\xff",
        b"%[%\nx",
        b"ERROR\nERROR",
    ] {
        fuzz_parse_and_match(data);
    }
}

#[test]
fn large_inputs_stay_linear() {
    // 50,000 members under a wildcard, a long message for wildcards and terms, a long delimited line:
    // quadratic work here would take minutes.
    let members: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\":{i}")).collect();
    let big = format!("{{{}}}", members.join(","));
    assert!(pat("{ $.* = 49999 }").matches(&big));
    assert!(!pat("{ $.* = 50000 }").matches(&big));

    let text = "ab".repeat(500_000);
    let value = serde_json::json!({ "v": text }).to_string();
    assert!(!pat("{ $.v = \"*a*a*a*c*\" }").matches(&value));
    assert!(!pat("\"abc\"").matches(&text));
    assert!(!pat("%a[0-9]%").matches(&text));

    let line = "w ".repeat(200_000);
    assert!(pat("[first, ..., last = w]").matches(&line));
}
