//! Every example in AWS's filter-pattern documentation, as (pattern, event, expected) tables.
//!
//! Pages (CloudWatch Logs User Guide):
//! - "Filter pattern syntax for metric filters, subscription filters, filter log events, and Live Tail"
//!   (FilterAndPatternSyntax), with its sections "Supported regular expressions (regex) syntax",
//!   "Using filter patterns to match terms with a regular expression (regex)", "... in unstructured log
//!   events", "... in JSON log events", "... in space-delimited log events";
//! - "Using filter patterns to match terms in JSON log events" (the newer split page);
//! - the archived "Filter and Pattern Syntax" page (awsdocs/amazon-cloudwatch-logs-user-guide).
//!
//! Where a page's prose contradicts AWS's recorded behaviour the test follows the behaviour and says so.

mod common;

use common::{check, extracted, matching, pat, rejection, values};

// ---- "Supported regular expressions (regex) syntax" ----

#[test]
fn regex_page_examples() {
    check(
        "%AUTHORIZED%",
        &[
            ("[ERROR 401] UNAUTHORIZED REQUEST", true),
            ("[SUCCESS 200] AUTHORIZED REQUEST", true),
            ("[SUCCESS 200] authorized", false),
        ],
    );
    check(
        r"%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%",
        &[
            ("client 10.0.12.7 connected", true),
            ("client unknown", false),
        ],
    );
    check(
        "%[Ee]rror|[Ff]ail%",
        &[
            ("Error", true),
            ("error", true),
            ("Fail", true),
            ("fail", true),
            ("ok", false),
        ],
    );
    // ^ anchors at the start, $ at the end.
    check(
        "%^[hc]at%",
        &[
            ("hat", true),
            ("cat", true),
            ("cats", true),
            ("that", false),
        ],
    );
    check(
        "%[hc]at$%",
        &[("hat", true), ("a cat", true), ("cats", false)],
    );
    check(
        "%colou?r%",
        &[("color", true), ("colour", true), ("colr", false)],
    );
    check(
        "%[abc]%",
        &[("a", true), ("b", true), ("c", true), ("xyz", false)],
    );
    check("%[a-z]%", &[("q", true), ("Q1", false)]);
    check(
        "%[abcx-z]%",
        &[
            ("a", true),
            ("b", true),
            ("c", true),
            ("x", true),
            ("y", true),
            ("z", true),
            ("d", false),
        ],
    );
    // {m,n}; "either m or n can be omitted".
    check(
        "%a{3,5}%",
        &[
            ("aaa", true),
            ("aaaa", true),
            ("aaaaa", true),
            ("aa", false),
        ],
    );
    check("%a{2,}%", &[("aa", true), ("a", false)]);
    check(
        "%^xa{,2}y$%",
        &[("xy", true), ("xaay", true), ("xaaay", false)],
    );
    check(
        "%gra|ey%",
        &[("gray", true), ("grey", true), ("gruy", false)],
    );
    check(
        "%^starting|^initializing|^shutting down%",
        &[
            ("starting ...", true),
            ("initializing ...", true),
            ("shutting down", true),
            ("skipping initializing ...", false),
        ],
    );
    // The page writes this one without its closing %; "aba ..." cannot end in `ab[^c]`, so the row
    // uses "aba".
    check(
        "%abcc|ab[^c]$%",
        &[("abcc ...", true), ("aba", true), ("aac ...", false)],
    );
    check(
        r"%\[.\]%",
        &[
            ("[a]", true),
            ("[b]", true),
            ("[7]", true),
            ("[@]", true),
            ("[]]", true),
            ("[ ]", true),
            ("[]", false),
        ],
    );
    check(
        r"%10\.10\.0\.1%",
        &[("10.10.0.1", true), ("10010,051", false)],
    );
    check("%10.10.0.1%", &[("10.10.0.1", true), ("10010,051", true)]);
    check("%ab*c%", &[("ac", true), ("abc", true), ("abbbc", true)]);
    check(
        "%ab[0-9]*%",
        &[("ab", true), ("ab0", true), ("ab129", true)],
    );
    check(
        "%ab+c%",
        &[
            ("abc", true),
            ("abbc", true),
            ("abbbc", true),
            ("ac", false),
        ],
    );
    check(
        "%.at%",
        &[
            ("hat", true),
            ("cat", true),
            ("bat", true),
            ("4at", true),
            ("#at", true),
            (" at", true),
            ("at", false),
        ],
    );
    for (a, b) in [
        (r"%\d%", "%[0-9]%"),
        (r"%\D%", "%[^0-9]%"),
        (r"%\w%", "%[a-zA-Z_0-9]%"),
        (r"%\W%", "%[^a-zA-Z_0-9]%"),
    ] {
        for event in ["7", "x", "_", "!", "a1", "", " ", "-"] {
            assert_eq!(
                pat(a).matches(event),
                pat(b).matches(event),
                "{a} vs {b} on {event:?}"
            );
        }
    }
    check(
        r"%\s%",
        &[("a b", true), ("a\tb", true), ("a\nb", true), ("ab", false)],
    );
    check(r"%\S%", &[(" ", false), (" a", true)]);
    check(r"%\x3A%", &[(":", true), ("x", false)]);
    check(r"%\x28%", &[("(", true), (")", false)]);
    // "%something!% would be rejected since '!' is not supported."
    assert_eq!(
        rejection("%something!%"),
        "Invalid character(s) in term '%something!'"
    );
    // "The ( and ) operators are not supported."
    assert!(rejection("%(a)%").starts_with("Invalid character(s) in term"));
}

// ---- "Using filter patterns to match terms in unstructured log events" ----

const ERRORS: [&str; 4] = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
];

#[test]
fn unstructured_examples() {
    assert_eq!(matching("ERROR", &ERRORS), [0, 1, 2, 3]);
    assert_eq!(matching("ERROR ARGUMENTS", &ERRORS), [2, 3]);
    assert_eq!(matching("?ERROR ?ARGUMENTS", &ERRORS), [0, 1, 2, 3]);
    // "If you combine "?" with other filter patterns, all question mark terms will be ignored."
    check(
        "?ERROR ?ARGUMENTS REQUEST",
        &[
            ("[INFO] REQUEST FAILED", true),
            ("[WARN] UNAUTHORIZED REQUEST", true),
            ("[ERROR] 400 BAD REQUEST", true),
            ("[ERROR] 419 MISSING ARGUMENTS", false),
        ],
    );
    check(
        "\"INTERNAL SERVER ERROR\"",
        &[
            ("[ERROR 500] INTERNAL SERVER ERROR", true),
            ("[ERROR 500] INTERNAL ERROR", false),
        ],
    );
    assert_eq!(matching("ERROR -ARGUMENTS", &ERRORS), [0, 1]);
    // "You can match everything in your log events with double quotation marks: " "". Recorded AWS
    // responses show `" "` is the one-space phrase: it matches these, but not a message without a space.
    assert_eq!(matching("\" \"", &ERRORS), [0, 1, 2, 3]);
    check("\" \"", &[("no-space", false)]);
    check("", &[("anything", true), ("", true)]);
}

// ---- "Using filter patterns to match terms with a regular expression (regex)" / JSON section ----

/// The JSON log event of the "Using filter patterns to match terms in JSON log events" page.
const JSON_EVENT: &str = r#"{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": null, "cluster.name": "c"}"#;

#[test]
fn json_examples() {
    for pattern in [
        r#"{ $.eventType = "UpdateTrail" }"#,
        "{ $.sourceIPAddress != 123.123.* }",
        r#"{ $.arrayKey[0] = "value" }"#,
        "{ $.eventType = %Trail% }",
        "{ $.arrayKey[*] = %val.{2}% }",
        r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }",
        r#"{ $.['cluster.name'] = "c" }"#,
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
        // Archived page, same event.
        "{ $.objectList[1].id = 2 }",
    ] {
        check(pattern, &[(JSON_EVENT, true)]);
    }
    for pattern in [
        r#"{ $.eventType = "CreateTrail" }"#,
        "{ $.sourceIPAddress != 111.111.* }",
        r#"{ $.arrayKey[1] = "value" }"#,
        "{ $.objectList[0].id = 2 }",
        "{ $.eventType IS NULL }",
        "{ $.eventType NOT EXISTS }",
        r#"{ $.cluster.name = "c" }"#,
    ] {
        check(pattern, &[(JSON_EVENT, false)]);
    }
    // Use cases listed for `{ $.eventType = "UpdateTrail" }`.
    check(
        r#"{ $.eventType = "UpdateTrail" }"#,
        &[
            (r#"{"eventType": "UserLogin", "userId": "123"}"#, false),
            (
                r#"{"eventType": "ConfigUpdate", "component": "database"}"#,
                false,
            ),
            (
                r#"{"eventType": "UpdateTrail", "source": "cloudtrail"}"#,
                true,
            ),
        ],
    );
}

/// The object of the compound-expression examples.
const COMPOUND_EVENT: &str = r#"{"user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}"#;

#[test]
fn json_compound_examples() {
    for (pattern, expected) in [
        (
            r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#,
            true,
        ),
        (
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }"#,
            true,
        ),
        (
            r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }"#,
            false,
        ),
        (
            r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#,
            false,
        ),
        // Archived page: bare (unquoted) strings.
        (
            r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#,
            true,
        ),
        (
            r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }"#,
            false,
        ),
        ("{ $.coordinates[1][2] = 6 }", true),
    ] {
        check(pattern, &[(COMPOUND_EVENT, expected)]);
    }
}

#[test]
fn json_numeric_examples() {
    // Current page.
    check(
        "{ $.bandwidth > 75 }",
        &[
            (r#"{"bandwidth": 76}"#, true),
            (r#"{"bandwidth": 75}"#, false),
        ],
    );
    check(
        "{ $.latency < 50 }",
        &[
            (r#"{"latency": 49.9}"#, true),
            (r#"{"latency": 50}"#, false),
        ],
    );
    check(
        "{ $.refreshRate >= 60 }",
        &[
            (r#"{"refreshRate": 60}"#, true),
            (r#"{"refreshRate": 59}"#, false),
        ],
    );
    check(
        "{ $.responseTime <= 5 }",
        &[
            (r#"{"responseTime": 5}"#, true),
            (r#"{"responseTime": 6}"#, false),
        ],
    );
    check(
        "{ $.errorCode = 400}",
        &[
            (r#"{"errorCode": 400}"#, true),
            (r#"{"errorCode": 401}"#, false),
        ],
    );
    check(
        "{ $.errorCode != 500 }",
        &[
            (r#"{"errorCode": 400}"#, true),
            (r#"{"errorCode": 500}"#, false),
        ],
    );
    check(
        "{ $.number[0] = 1e+3 }",
        &[
            (r#"{"number": [1000]}"#, true),
            (r#"{"number": [100]}"#, false),
        ],
    );
    check(
        "{ $.number[0] != 1e-3 }",
        &[
            (r#"{"number": [1]}"#, true),
            (r#"{"number": [0.001]}"#, false),
        ],
    );
    // Archived page.
    check(
        "{ $.latency >= 500 }",
        &[
            (r#"{"latency": 500}"#, true),
            (r#"{"latency": 499}"#, false),
        ],
    );
    check(
        "{ $.numbers[0] < 10e3 }",
        &[
            (r#"{"numbers": [9999]}"#, true),
            (r#"{"numbers": [10000]}"#, false),
        ],
    );
    check(
        "{ $.numbers[0] < 10e-3 }",
        &[
            (r#"{"numbers": [0.001]}"#, true),
            (r#"{"numbers": [0.01]}"#, false),
        ],
    );
    check(
        "{ $.processes[4].averageRuntime <= 55.5 }",
        &[
            (
                r#"{"processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}]}"#,
                true,
            ),
            (r#"{"processes": []}"#, false),
        ],
    );
    check(
        "{ $.latency > +1000 }",
        &[
            (r#"{"latency": 1001}"#, true),
            (r#"{"latency": 1000}"#, false),
        ],
    );
}

#[test]
fn json_archived_examples() {
    // "ThisFlag": true, and the "JSON Special Considerations" example.
    check(
        "{ $.ThisFlag IS TRUE }",
        &[
            (r#"{"ThisFlag": true}"#, true),
            (r#"{"ThisFlag": false}"#, false),
        ],
    );
    check(
        "{ $.ThisFlag IS FALSE }",
        &[
            (r#"{"ThisFlag": false}"#, true),
            (r#"{"ThisFlag": "false"}"#, false),
        ],
    );
    check("{$.users = 1}", &[(r#"{"users": [1, 2, 3]}"#, false)]);
    check("{$.users != 1}", &[(r#"{"users": [1, 2, 3]}"#, false)]);
    // "OR Pattern Matching" in JSON filters.
    let events = [r#"{"foo": "bar"}"#, r#"{"foo": "baz"}"#];
    assert_eq!(matching("{$.foo = bar}", &events), [0]);
    assert_eq!(matching("{$.foo = baz }", &events), [1]);
    assert_eq!(matching("{$.foo = bar || $.foo = baz }", &events), [0, 1]);
    // String wildcards: "*Event will match PutEvent and GetEvent. Event* will match EventId and
    // EventName." (The archived page said `Ev*ent` was literal; the current page does not.)
    check(
        "{ $.e = *Event }",
        &[
            (r#"{"e": "PutEvent"}"#, true),
            (r#"{"e": "GetEvent"}"#, true),
            (r#"{"e": "Eventful"}"#, false),
        ],
    );
    check(
        "{ $.e = Event* }",
        &[
            (r#"{"e": "EventId"}"#, true),
            (r#"{"e": "EventName"}"#, true),
            (r#"{"e": "PutEvent"}"#, false),
        ],
    );
    // "Publishing Numerical Values Found in Log Entries": `{ $.latency = * }` with metric value $.latency.
    let p = pat("{ $.latency = * }");
    assert_eq!(
        p.extract(r#"{"latency": 123.5, "path": "/"}"#, "$.latency")
            .as_deref(),
        Some("123.5")
    );
    assert_eq!(p.extract(r#"{"path": "/"}"#, "$.latency"), None);
}

// ---- Text patterns, archived page ----

#[test]
fn archived_text_examples() {
    check(
        "ERROR",
        &[
            ("[ERROR] A fatal exception has occurred", true),
            ("Exiting with ERRORCODE: -1", true),
        ],
    );
    check(
        "\"ERROR\" -\"Exiting\"",
        &[
            ("[ERROR] A fatal exception has occurred", true),
            ("Exiting with ERRORCODE: -1", false),
        ],
    );
    check(
        "ERROR Exception",
        &[
            ("[ERROR] Caught IllegalArgumentException", true),
            ("[ERROR] Unhandled Exception", true),
        ],
    );
    check(
        "Failed to process the request",
        &[
            ("[WARN] Failed to process the request", true),
            (
                "[ERROR] Unable to continue: Failed to process the request",
                true,
            ),
            ("[ERROR] Failed request", false),
        ],
    );
    let lines = ["ERROR WARN message", "ERROR message", "WARN message"];
    assert_eq!(matching("ERROR", &lines), [0, 1]);
    assert_eq!(matching("?ERROR ?WARN", &lines), [0, 1, 2]);
    assert_eq!(matching("ERROR WARN", &lines), [0]);
    assert_eq!(matching("ERROR -WARN", &lines), [1]);
}

#[test]
fn archived_space_delimited_or_examples() {
    // The archived page claims `[w1=ERROR, w2]` matches only "ERROR message". Recorded AWS responses show
    // the last field takes the rest of the line, so "ERROR WARN message" matches too (w2 = "WARN
    // message"); the current page no longer makes the claim.
    let lines = [
        "ERROR WARN message",
        "ERROR message",
        "WARN message",
        "INFO message",
    ];
    assert_eq!(matching("[w1=ERROR, w2]", &lines), [0, 1]);
    assert_eq!(matching("[w1=ERROR || w1=WARN, w2]", &lines), [0, 1, 2]);
    // `=!` is the archived page's spelling of `!=`.
    assert_eq!(matching("[w1=!ERROR&&w1=!WARN, w2]", &lines), [3]);
}

// ---- Space-delimited, current page ----

const PROD_EVENT: &str =
    r#"127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;

#[test]
fn space_delimited_examples() {
    for pattern in [
        r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        "[..., request =*.html*, status_code = 4*, bytes]",
        "[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]",
    ] {
        check(
            pattern,
            &[
                (PROD_EVENT, true),
                (&PROD_EVENT.replace(" 404 ", " 500 "), false),
            ],
        );
    }
    check(
        "[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]",
        &[(&PROD_EVENT.replace(" 404 ", " 410 "), true)],
    );
    assert_eq!(
        extracted(
            r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
            PROD_EVENT
        ),
        values(&[
            ("$ip", "127.0.0.1"),
            ("$user", "Prod"),
            ("$username", "frank"),
            ("$timestamp", "10/Oct/2000:13:25:15 -0700"),
            ("$request", "GET /index.html HTTP/1.0"),
            ("$status_code", "404"),
            ("$bytes", "1534"),
        ])
    );

    let log = [
        "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
        "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
        "WARNING 09/25/2014 12:00:02 Invalid user request",
        "ERROR 09/25/2014 12:00:02 Failed to process request",
    ];
    assert_eq!(matching("[w1=ERROR, w2]", &log), [3]);
    assert_eq!(matching("[w1=ERROR || w1=WARNING, w2]", &log), [2, 3]);
    assert_eq!(matching("[w1!=ERROR && w1!=WARNING, w2]", &log), [0, 1]);
    assert_eq!(
        matching(
            "[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]",
            &log
        ),
        [0]
    );
    assert_eq!(
        matching(
            "[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]",
            &log
        ),
        [1]
    );
}

/// The archived page's Apache log lines.
const APACHE: [&str; 3] = [
    r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#,
    r#"127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324"#,
    r#"127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355"#,
];

#[test]
fn archived_space_delimited_examples() {
    for pattern in [
        "[ip, user, username, timestamp, request, status_code, bytes]",
        "[..., status_code, bytes]",
        "[ip, user, ..., status_code, bytes]",
        "[ip, user, ...]",
        "[ip, user, username, timestamp, request, status_code, bytes > 1000]",
    ] {
        assert_eq!(matching(pattern, &APACHE), [0, 1, 2], "{pattern}");
    }
    assert_eq!(
        matching(
            "[ip, user, username, timestamp, request, status_code = 200, bytes]",
            &APACHE
        ),
        [0, 2]
    );
    assert!(
        matching(
            "[ip, user, username, timestamp, request, status_code = 4*, bytes]",
            &APACHE
        )
        .is_empty()
    );
    assert!(
        matching(
            "[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]",
            &APACHE
        )
        .is_empty()
    );
    let not_found =
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;
    check(
        "[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]",
        &[(not_found, true)],
    );
    check(
        "[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]",
        &[
            (not_found, true),
            (&not_found.replace(" 404 ", " 403 "), false),
        ],
    );
    // `[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]` has six fields and
    // names `bytes`, which no field carries: a comparison on an undeclared field is false, so the pattern
    // matches nothing. (The page lists it without an event.)
    check(
        "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]",
        &[(not_found, false)],
    );

    // "Extracted fields for the log event and filter pattern". The page's `$request` says
    // "/products/index.html", which is not in its own event; the value comes from the event.
    assert_eq!(
        extracted("[..., request=*.html*, status_code=4*,]", not_found),
        values(&[
            ("$status_code", "404"),
            ("$request", "GET /index.html HTTP/1.0"),
            ("$7", "1534"),
            ("$4", "10/Oct/2000:13:25:15 -0700"),
            ("$3", "frank"),
            ("$2", "-"),
            ("$1", "127.0.0.1"),
        ])
    );
}
