//! Behaviour the guide leaves open, pinned to `TestMetricFilter` responses recorded against CloudWatch
//! Logs (us-east-1): which events of a corpus match each pattern, and the `extractedValues` returned.
//! Indices are zero-based positions in the corpus.

mod common;

use common::{extracted, matching, values};

const TERMS: [&str; 18] = [
    "ERROR ARGUMENTS REQUEST",
    "ERROR BAD REQUEST",
    "INFO ARGUMENTS",
    "INFO REQUEST",
    "error arguments request",
    "ERROR INTERNAL SERVER ERROR",
    "ERROR INTERNAL  SERVER ERROR",
    "INTERNAL SERVER error",
    "TERROR REQUEST",
    "[ERROR] REQUEST",
    "ERROR-REQUEST",
    "ERROR_ARGUMENTS",
    "ERROR\nARGUMENTS",
    "ARGUMENTS ERROR",
    "plain",
    "say \"hello world\" now",
    "hello-world",
    " ",
];

#[test]
fn text_terms() {
    let all: Vec<usize> = (0..TERMS.len()).collect();
    for (pattern, expected) in [
        ("", all.clone()),
        ("\" \"", vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 17]),
        // Terms are case-sensitive substrings, not words: ERROR matches TERROR, ERROR_ARGUMENTS.
        ("ERROR", vec![0, 1, 5, 6, 8, 9, 10, 11, 12, 13]),
        ("ERROR ARGUMENTS", vec![0, 11, 12, 13]),
        (
            "?ERROR ?ARGUMENTS",
            vec![0, 1, 2, 5, 6, 8, 9, 10, 11, 12, 13],
        ),
        ("?ERROR ?ARGUMENTS REQUEST", vec![0, 1, 3, 8, 9, 10]),
        (
            "?ERROR ?ARGUMENTS -REQUEST",
            vec![2, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17],
        ),
        ("ERROR -ARGUMENTS", vec![1, 5, 6, 8, 9, 10]),
        ("-ERROR", vec![2, 3, 4, 7, 14, 15, 16, 17]),
        ("\"INTERNAL SERVER ERROR\"", vec![5]),
        ("error", vec![4, 7]),
        ("\"hello-world\"", vec![16]),
        (
            "ERROR -\"BAD REQUEST\"",
            vec![0, 5, 6, 8, 9, 10, 11, 12, 13],
        ),
    ] {
        assert_eq!(matching(pattern, &TERMS), expected, "{pattern:?}");
    }
}

const REGEX: [&str; 17] = [
    "ERROR 500",
    "ERROR 50",
    "ERROR 5000",
    "WARN 404",
    "xERROR 500",
    "error 500",
    "color",
    "colour",
    "colouur",
    "10.10.0.1",
    "10010,051",
    "hello!",
    "hello(",
    "café",
    "aaab",
    "abab",
    "ERROR\n500",
];

#[test]
fn regex_terms() {
    for (pattern, expected) in [
        (r"%^ERROR\s[0-9]{3}$%", vec![0, 16]),
        ("%ERROR|WARN%", vec![0, 1, 2, 3, 4, 16]),
        ("%^colou?r$%", vec![6, 7]),
        (r"%10\.10\.0\.1%", vec![9]),
        ("%10.10.0.1%", vec![9, 10]),
        (r"%\x21%", vec![11]),
        ("%^[^a-z]+$%", vec![0, 1, 2, 3, 9, 10, 16]),
        ("%^a*b$%", vec![14]),
    ] {
        assert_eq!(matching(pattern, &REGEX), expected, "{pattern:?}");
    }
}

const SCALARS: [&str; 32] = [
    "{}",
    r#"{"v":null}"#,
    r#"{"v":"null"}"#,
    r#"{"v":true}"#,
    r#"{"v":false}"#,
    r#"{"v":"true"}"#,
    r#"{"v":"false"}"#,
    r#"{"v":0}"#,
    r#"{"v":1}"#,
    r#"{"v":1.0}"#,
    r#"{"v":1e0}"#,
    r#"{"v":"1"}"#,
    r#"{"v":"1.0"}"#,
    r#"{"v":-1}"#,
    r#"{"v":1.5}"#,
    r#"{"v":10}"#,
    r#"{"v":"10"}"#,
    r#"{"v":"Alpha"}"#,
    r#"{"v":"alpha"}"#,
    r#"{"v":"Alphabet"}"#,
    r#"{"v":"xAlpha"}"#,
    r#"{"v":""}"#,
    r#"{"v":[]}"#,
    r#"{"v":{}}"#,
    r#"{"v":[1,"Alpha",null]}"#,
    r#"{"v":"a*b"}"#,
    r#"{"v":"a?b"}"#,
    r#"{"v":1,"v":2}"#,
    r#"{"v":2,"v":1}"#,
    "not JSON",
    r#"[{"v":1}]"#,
    "{broken",
];

#[test]
fn json_scalars() {
    // Every event whose `v` is a string or a number.
    let strings_and_numbers = vec![
        2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 27, 28,
    ];
    for (pattern, expected) in [
        // A bare number: numeric against numbers, textual against strings; the last duplicate key wins.
        ("{ $.v = 1 }", vec![8, 9, 10, 11, 28]),
        // `!=` needs a string or number: missing, null, booleans, arrays and objects never match.
        (
            "{ $.v != 1 }",
            vec![
                2, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 27,
            ],
        ),
        // Relational operators see JSON numbers only ("10" is not > 1).
        ("{ $.v > 1 }", vec![14, 15, 27]),
        ("{ $.v < 1 }", vec![7, 13]),
        ("{ $.v >= 1 }", vec![8, 9, 10, 14, 15, 27, 28]),
        ("{ $.v <= 1 }", vec![7, 8, 9, 10, 13, 28]),
        ("{ $.v = 1e+0 }", vec![8, 9, 10, 28]),
        ("{ $.v = -1 }", vec![13]),
        // A quoted value compares text: number 1 (written "1") matches, 1.0 and 1e0 do not.
        ("{ $.v = \"1\" }", vec![8, 11, 28]),
        ("{ $.v = \"Alpha\" }", vec![17]),
        (
            "{ $.v != \"Alpha\" }",
            vec![
                2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 25, 26, 27, 28,
            ],
        ),
        ("{ $.v = \"Alpha*\" }", vec![17, 19]),
        ("{ $.v = \"*Alpha\" }", vec![17, 20]),
        // `?` is not a wildcard.
        ("{ $.v = \"a?b\" }", vec![26]),
        ("{ $.v = \"\" }", vec![21]),
        ("{ $.v = %^Al.*% }", vec![17, 19]),
        // IS NULL also holds for an array holding a null.
        ("{ $.v IS NULL }", vec![1, 24]),
        // Only a JSON object can match, even NOT EXISTS.
        ("{ $.v NOT EXISTS }", vec![0]),
        ("{ $.v IS TRUE }", vec![3]),
        ("{ $.v IS FALSE }", vec![4]),
        // A bare `true` is the text "true", not the boolean.
        ("{ $.v = true }", vec![5]),
        ("{ $.v = * }", strings_and_numbers),
    ] {
        assert_eq!(matching(pattern, &SCALARS), expected, "{pattern:?}");
    }
}

const PATHS: [&str; 10] = [
    r#"{"nested":{"value":"hit"},"cluster.name":"flat","cluster":{"name":"nested"},"items":[{"a":1,"b":0},{"a":0,"b":2}],"arr":["miss","hit"],"matrix":[[0,1],[2,3]],"a":1,"b":0,"c":0}"#,
    r#"{"nested":{"value":"miss"},"cluster.name":"nested","cluster":{"name":"flat"},"items":[{"a":1,"b":2}],"arr":["hit","miss"],"matrix":[[1,0]],"a":0,"b":2,"c":3}"#,
    r#"{"nested":null,"arr":[null],"items":[],"a":0,"b":2,"c":0}"#,
    r#"{"nested":{},"arr":[],"a":1,"b":2,"c":3}"#,
    r#"{"nested":{"value":null},"arr":"hit","a":0,"b":0,"c":3}"#,
    r#"{"nested":{"value":"null"},"other":"hit"}"#,
    r#"{"nested.value":"hit","arr":[["hit"]]}"#,
    r#"{"arr":["hit","hit"],"items":[{"a":1},{"b":2}]}"#,
    r#"{"arr":{"0":"hit"},"nested":[{"value":"hit"}]}"#,
    "{}",
];

#[test]
fn json_paths() {
    for (pattern, expected) in [
        // No implicit array traversal, no flattening of dotted keys.
        ("{ $.nested.value = \"hit\" }", vec![0]),
        ("{ $.['cluster.name'] = \"flat\" }", vec![0]),
        ("{ $.cluster.name = \"flat\" }", vec![1]),
        ("{ $.arr[0] = \"hit\" }", vec![1, 7]),
        // A wildcard reaches array elements and object members, one level.
        ("{ $.arr[*] = \"hit\" }", vec![0, 1, 7, 8]),
        ("{ $.* = \"hit\" }", vec![4, 5, 6]),
        ("{ $.matrix[0][1] = 1 }", vec![0]),
        // Conditions are independent: different elements may satisfy each side.
        ("{ $.items[*].a = 1 && $.items[*].b = 2 }", vec![0, 1, 7]),
        ("{ $.a = 1 && $.c = 3 }", vec![3]),
        ("{ $.a = 1 || $.b = 2 && $.c = 3 }", vec![0, 1, 3]),
        ("{ ($.a = 1 || $.b = 2) && $.c = 3 }", vec![1, 3]),
        // A null value exists; a null parent does not lead anywhere.
        ("{ $.nested.value NOT EXISTS }", vec![2, 3, 6, 7, 8, 9]),
        ("{ $.nested.value IS NULL }", vec![4]),
    ] {
        assert_eq!(matching(pattern, &PATHS), expected, "{pattern:?}");
    }
}

const SPACE: [&str; 12] = [
    r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#,
    r#"127.0.0.2 - jane [10/Oct/2000:13:25:16 -0700] "GET /index.html HTTP/1.0" 410 0"#,
    r#"127.0.0.3 - frank [10/Oct/2000:13:25:17 -0700] "POST /api HTTP/1.0" 500 2048"#,
    r#"127.0.0.4 - frank [10/Oct/2000:13:25:18 -0700] "GET /index.html HTTP/1.0" 200 100"#,
    r#"127.0.0.5  -  frank [10/Oct/2000:13:25:19 -0700] "GET /index.html HTTP/1.0" 404 1534 extra"#,
    "127.0.0.6\t-\tfrank\t[10/Oct/2000:13:25:20 -0700]\t\"GET /index.html HTTP/1.0\"\t404\t1534",
    "ERROR request failed",
    "WARNING request",
    "INFO request accepted",
    "ERROR",
    r#"ERROR "two words""#,
    r#"ERROR "unterminated words"#,
];

#[test]
fn space_delimited_matching() {
    let all: Vec<usize> = (0..SPACE.len()).collect();
    for (pattern, expected) in [
        (
            "[ip, identity, user, timestamp, request, status, bytes]",
            vec![0, 1, 2, 3, 4, 5],
        ),
        // Event 4's last field is "1534 extra": not a number.
        (
            "[ip, identity, user, timestamp, request, status >= 400, bytes > 1000]",
            vec![0, 2, 5],
        ),
        // With `...`, trailing fields bind from the end: event 4's request is "404".
        (
            "[..., request = *.html*, status = 4*, bytes]",
            vec![0, 1, 5],
        ),
        ("[..., status = 404 || status = 410, bytes]", vec![0, 1, 5]),
        (
            r"[ip = %127\.0\.0\.[1-3]%, identity, user, timestamp, request, status, bytes]",
            vec![0, 1, 2],
        ),
        ("[..., bytes]", all.clone()),
        ("[ip, ..., status, bytes]", vec![0, 1, 2, 3, 4, 5, 6, 8, 11]),
        ("[]", all),
        ("[w1=ERROR, w2]", vec![6, 10, 11]),
        ("[w1!=ERROR && w1!=WARNING, w2]", vec![0, 1, 2, 3, 4, 5, 8]),
    ] {
        assert_eq!(matching(pattern, &SPACE), expected, "{pattern:?}");
    }
}

#[test]
fn space_delimited_extracted_values() {
    let named = "[ip, identity, user, timestamp, request, status, bytes]";
    assert_eq!(
        extracted(named, SPACE[4]),
        values(&[
            ("$request", "GET /index.html HTTP/1.0"),
            ("$status", "404"),
            ("$identity", "-"),
            ("$bytes", "1534 extra"),
            ("$ip", "127.0.0.5"),
            ("$user", "frank"),
            ("$timestamp", "10/Oct/2000:13:25:19 -0700"),
        ])
    );
    assert_eq!(
        extracted(named, SPACE[5]),
        values(&[
            ("$request", "GET /index.html HTTP/1.0"),
            ("$status", "404"),
            ("$identity", "-"),
            ("$bytes", "1534"),
            ("$ip", "127.0.0.6"),
            ("$user", "frank"),
            ("$timestamp", "10/Oct/2000:13:25:20 -0700"),
        ])
    );
    assert_eq!(
        extracted("[..., status = 404 || status = 410, bytes]", SPACE[1]),
        values(&[
            ("$4", "10/Oct/2000:13:25:16 -0700"),
            ("$5", "GET /index.html HTTP/1.0"),
            ("$status", "410"),
            ("$bytes", "0"),
            ("$1", "127.0.0.2"),
            ("$2", "-"),
            ("$3", "jane"),
        ])
    );
    let suffix = "[..., bytes]";
    assert_eq!(
        extracted(suffix, SPACE[4]),
        values(&[
            ("$4", "10/Oct/2000:13:25:19 -0700"),
            ("$5", "GET /index.html HTTP/1.0"),
            ("$6", "404"),
            ("$7", "1534"),
            ("$bytes", "extra"),
            ("$1", "127.0.0.5"),
            ("$2", "-"),
            ("$3", "frank"),
        ])
    );
    assert_eq!(extracted(suffix, SPACE[9]), values(&[("$bytes", "ERROR")]));
    assert_eq!(
        extracted(suffix, SPACE[10]),
        values(&[("$1", "ERROR"), ("$bytes", "two words")])
    );
    assert_eq!(
        extracted(suffix, SPACE[11]),
        values(&[
            ("$1", "ERROR"),
            ("$2", "\"unterminated"),
            ("$bytes", "words")
        ])
    );
    assert_eq!(
        extracted("[ip, ..., status, bytes]", SPACE[4]),
        values(&[
            ("$4", "10/Oct/2000:13:25:19 -0700"),
            ("$5", "GET /index.html HTTP/1.0"),
            ("$6", "404"),
            ("$status", "1534"),
            ("$bytes", "extra"),
            ("$ip", "127.0.0.5"),
            ("$2", "-"),
            ("$3", "frank"),
        ])
    );
    assert_eq!(
        extracted("[ip, ..., status, bytes]", SPACE[6]),
        values(&[
            ("$status", "request"),
            ("$bytes", "failed"),
            ("$ip", "ERROR")
        ])
    );
    assert_eq!(
        extracted("[]", SPACE[4]),
        values(&[
            ("$1", "127.0.0.5"),
            ("$2", "-"),
            ("$3", "frank"),
            ("$4", "10/Oct/2000:13:25:19 -0700"),
            ("$5", "GET /index.html HTTP/1.0"),
            ("$6", "404"),
            ("$7", "1534"),
            ("$8", "extra"),
        ])
    );
    // The last field keeps the rest of the line as written: spacing, tabs, quotes and brackets.
    let w = "[w1!=ERROR && w1!=WARNING, w2]";
    assert_eq!(
        extracted(w, SPACE[4]),
        values(&[
            ("$w1", "127.0.0.5"),
            (
                "$w2",
                r#"-  frank [10/Oct/2000:13:25:19 -0700] "GET /index.html HTTP/1.0" 404 1534 extra"#
            ),
        ])
    );
    assert_eq!(
        extracted(w, SPACE[5]),
        values(&[
            ("$w1", "127.0.0.6"),
            (
                "$w2",
                "-\tfrank\t[10/Oct/2000:13:25:20 -0700]\t\"GET /index.html HTTP/1.0\"\t404\t1534"
            ),
        ])
    );
    let e = "[w1=ERROR, w2]";
    assert_eq!(
        extracted(e, SPACE[6]),
        values(&[("$w1", "ERROR"), ("$w2", "request failed")])
    );
    assert_eq!(
        extracted(e, SPACE[10]),
        values(&[("$w1", "ERROR"), ("$w2", "two words")])
    );
    assert_eq!(
        extracted(e, SPACE[11]),
        values(&[("$w1", "ERROR"), ("$w2", "\"unterminated words")])
    );
    // `[kind,value]` on "SPACE 17".
    assert_eq!(
        extracted("[kind,value]", "SPACE 17"),
        values(&[("$kind", "SPACE"), ("$value", "17")])
    );
}

#[test]
fn json_matches_extract_nothing() {
    // TestMetricFilter returns `"extractedValues": {}` for text and JSON patterns.
    assert!(extracted("{ $.v = 1 }", SCALARS[8]).is_empty());
    assert!(extracted("ERROR", TERMS[0]).is_empty());
}
