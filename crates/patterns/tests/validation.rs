//! Golden tests: invalid patterns and the exact `InvalidEventPatternException` message for each.

use openwatch_patterns::{ErrorKind, MAX_PATTERN_LENGTH, Pattern};

/// Asserts that `pattern` is rejected with `Event pattern is not valid. Reason: {reason}`.
fn check(pattern: &str, reason: &str) {
    match Pattern::parse(pattern) {
        Ok(p) => panic!("accepted {pattern}: {p:?}"),
        Err(e) => {
            assert_eq!(e.reason(), reason, "pattern {pattern}");
            assert_eq!(
                e.to_string(),
                format!("Event pattern is not valid. Reason: {reason}")
            );
        }
    }
}

fn ok(pattern: &str) {
    if let Err(e) = Pattern::parse(pattern) {
        panic!("rejected {pattern}: {e}");
    }
}

#[test]
fn structure() {
    check(r#"["a"]"#, "Filter is not an object");
    check(r#""x""#, "Filter is not an object");
    check("{}", "Empty objects are not allowed");
    check(r#"{"detail": {}}"#, "Empty objects are not allowed");
    check(
        r#"{"slug": "some-pipeline"}"#,
        r#""slug" must be an object or an array"#,
    );
    check(r#"{"a": 5}"#, r#""a" must be an object or an array"#);
    check(r#"{"a": []}"#, "Empty arrays are not allowed");
    check(
        r#"{"a": [["x"]]}"#,
        "Match value must be String, number, true, false, or null",
    );
}

#[test]
fn or_relationship() {
    check(
        r#"{"$or": {"a": ["x"]}}"#,
        "It must be an Array followed with $or.",
    );
    check(
        r#"{"$or": [{"a": ["x"]}, "b"]}"#,
        "Only JSON object is allowed in array of $or relationship.",
    );
    check(
        r#"{"$or": [{"a": ["x"]}]}"#,
        "There must have at least 2 Objects in $or relationship.",
    );
    check(
        r#"{"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}"#,
        "prefix is Ruler reserved fieldName which cannot be used inside $or.",
    );
    ok(r#"{"$or": [{"a": ["x"]}, {"b": ["y"]}]}"#);
    ok(r#"{"detail": {"$or": [{"a": ["x"]}, {"$or": [{"b": ["y"]}, {"c": ["z"]}]}]}}"#);
}

#[test]
fn too_many_or_combinations() {
    // 11 * 11 * 11 = 1,331 > 1,000 combinations, in a pattern well under the length limit.
    let or = |k: &str| {
        let branches: Vec<String> = (0..11).map(|i| format!(r#"{{"{k}{i}":[1]}}"#)).collect();
        format!(r#"{{"$or":[{}]}}"#, branches.join(","))
    };
    let pattern = format!(r#"{{"a":{},"b":{},"c":{}}}"#, or("x"), or("y"), or("z"));
    assert!(pattern.len() <= MAX_PATTERN_LENGTH);
    let err = Pattern::parse(&pattern).err().map(|e| e.kind());
    assert_eq!(err, Some(ErrorKind::TooManyCombinations));
}

#[test]
fn pattern_length_limit() {
    let long = format!(r#"{{"a": ["{}"]}}"#, "x".repeat(MAX_PATTERN_LENGTH));
    assert_eq!(
        Pattern::parse(&long).err().map(|e| e.kind()),
        Some(ErrorKind::TooLong)
    );
    let fits = format!(r#"{{"a":["{}"]}}"#, "x".repeat(MAX_PATTERN_LENGTH - 10));
    assert_eq!(fits.len(), MAX_PATTERN_LENGTH);
    ok(&fits);
}

#[test]
fn operators() {
    check(r#"{"a": [{}]}"#, "Match expression name not found");
    check(
        r#"{"a": [{"contains": "x"}]}"#,
        "Unrecognized match type contains",
    );
    check(
        r#"{"a": [{"prefix": 5}]}"#,
        "prefix match pattern must be a string",
    );
    check(
        r#"{"a": [{"suffix": ["x"]}]}"#,
        "suffix match pattern must be a string",
    );
    check(
        r#"{"a": [{"prefix": {"wildcard": "x"}}]}"#,
        "Unsupported prefix pattern: wildcard",
    );
    check(
        r#"{"a": [{"suffix": {"equals-ignore-case": 1}}]}"#,
        "equals-ignore-case match pattern must be a string",
    );
    check(
        r#"{"a": [{"equals-ignore-case": ["x"]}]}"#,
        "equals-ignore-case match pattern must be a string",
    );
    check(
        r#"{"a": [{"prefix": "x", "suffix": "y"}]}"#,
        "Only one key allowed in match expression",
    );
    check(
        r#"{"a": [{"exists": "yes"}]}"#,
        "exists match pattern must be either true or false.",
    );
    check(
        r#"{"a": [{"cidr": 10}]}"#,
        "prefix match pattern must be a string",
    );
}

#[test]
fn wildcard() {
    check(
        r#"{"a": [{"wildcard": 5}]}"#,
        "wildcard match pattern must be a string",
    );
    check(
        r#"{"a": [{"wildcard": "a**b"}]}"#,
        "Consecutive wildcard characters at pos 1",
    );
    check(
        r#"{"a": [{"wildcard": "a\\b"}]}"#,
        "Invalid escape character at pos 1",
    );
    let nasty = format!(r#"{{"a": [{{"wildcard": "{}*"}}]}}"#, "*a".repeat(60));
    check(
        &nasty,
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences \
         after a wildcard character",
    );
    ok(r#"{"a": [{"wildcard": "dir/*/\\*.png"}]}"#);
}

#[test]
fn numeric() {
    check(
        r#"{"a": [{"numeric": 5}]}"#,
        "Value of numeric must be an array.",
    );
    check(
        r#"{"a": [{"numeric": []}]}"#,
        "Invalid member in numeric match: ]",
    );
    check(
        r#"{"a": [{"numeric": [5]}]}"#,
        "Invalid member in numeric match: 5",
    );
    check(
        r#"{"a": [{"numeric": ["!=", 5]}]}"#,
        "Unrecognized numeric range operator: !=",
    );
    check(
        r#"{"a": [{"numeric": ["=", "5"]}]}"#,
        "Value of equals must be numeric",
    );
    check(
        r#"{"a": [{"numeric": [">", "5"]}]}"#,
        "Value of > must be numeric",
    );
    check(
        r#"{"a": [{"numeric": ["<", 5, ">", 1]}]}"#,
        "Too many elements in numeric expression",
    );
    check(
        r#"{"a": [{"numeric": [">", 5, 10]}]}"#,
        "Bad value in numeric range: 10",
    );
    check(
        r#"{"a": [{"numeric": [">", 5, ">", 10]}]}"#,
        "Bad numeric range operator: >",
    );
    check(
        r#"{"a": [{"numeric": [">", 5, "<", "x"]}]}"#,
        "Value of < must be numeric",
    );
    check(
        r#"{"a": [{"numeric": [">", 5, "<", 10, "<", 11]}]}"#,
        "Too many terms in numeric range expression",
    );
    check(
        r#"{"a": [{"numeric": [">", 10, "<", 5]}]}"#,
        "Bottom must be less than top",
    );
    check(
        r#"{"a": [{"numeric": [">", 5000000000]}]}"#,
        "Value must be between -1.0E9 and 1.0E9, inclusive",
    );
    check(
        r#"{"a": [{"numeric": ["=", 0.0000001]}]}"#,
        "Only values upto 6 decimals are supported",
    );
    check(
        r#"{"a": [{"numeric": ["<", 1], "x": 1}]}"#,
        "Too many elements in numeric expression",
    );
    ok(r#"{"a": [{"numeric": [">=", -1e9, "<=", 1e9]}]}"#);
    ok(r#"{"a": [{"numeric": ["=", 3.018e2]}]}"#);
    // Exact numbers are not range-limited (account ids).
    ok(r#"{"account": [123456789012]}"#);
}

#[test]
fn anything_but() {
    check(
        r#"{"a": [{"anything-but": {}}]}"#,
        "Anything-But expression name not found",
    );
    check(
        r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#,
        "Unsupported anything-but pattern: numeric",
    );
    check(
        r#"{"a": [{"anything-but": true}]}"#,
        "Value of anything-but must be an array or single string/number value.",
    );
    check(
        r#"{"a": [{"anything-but": ["x", 1]}]}"#,
        "Inside anything but list, either all values are number or string, mixed type is not supported",
    );
    check(
        r#"{"a": [{"anything-but": []}]}"#,
        "Inside anything but list, either all values are number or string, mixed type is not supported",
    );
    check(
        r#"{"a": [{"anything-but": [null]}]}"#,
        "Inside anything but list, start|null|boolean is not supported.",
    );
    check(
        r#"{"a": [{"anything-but": {"prefix": 5}}]}"#,
        "prefix/suffix match pattern must be a string",
    );
    check(
        r#"{"a": [{"anything-but": {"prefix": ""}}]}"#,
        "Null prefix/suffix not allowed",
    );
    check(
        r#"{"a": [{"anything-but": {"suffix": ["x", ""]}}]}"#,
        "Null prefix/suffix not allowed",
    );
    check(
        r#"{"a": [{"anything-but": {"equals-ignore-case": [1]}}]}"#,
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    );
    check(
        r#"{"a": [{"anything-but": {"wildcard": 1}}]}"#,
        "wildcard match pattern must be a string",
    );
    check(
        r#"{"a": [{"anything-but": {"wildcard": "**"}}]}"#,
        "Consecutive wildcard characters at pos 0",
    );
    check(
        r#"{"a": [{"anything-but": [1, 5000000000]}]}"#,
        "Value must be between -1.0E9 and 1.0E9, inclusive",
    );
    check(
        r#"{"a": [{"anything-but": "x", "prefix": "y"}]}"#,
        "Too many elements in numeric expression",
    );
    ok(r#"{"a": [{"anything-but": {"prefix": ["$", "%"]}}]}"#);
    ok(r#"{"a": [{"anything-but": {"wildcard": ["*/lib/*", "*.txt"]}}]}"#);
}

#[test]
fn cidr() {
    check(
        r#"{"a": [{"cidr": "10.0.0.0"}]}"#,
        "Malformed CIDR, one '/' required",
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/"}]}"#,
        "Malformed CIDR, one '/' required",
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/x"}]}"#,
        "Malformed CIDR, mask bits must be an integer",
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/-1"}]}"#,
        "Malformed CIDR, mask bits must not be negative",
    );
    check(
        r#"{"a": [{"cidr": "10.0.0.0/33"}]}"#,
        "IPv4 mask bits must be <= 32",
    );
    check(
        r#"{"a": [{"cidr": "::/129"}]}"#,
        "IPv6 mask bits must be <= 128",
    );
    check(
        r#"{"a": [{"cidr": "host.example/8"}]}"#,
        "Nonstandard IP address: host.example",
    );
    check(
        r#"{"a": [{"cidr": "300.0.0.0/8"}]}"#,
        "Invalid IP address: 300.0.0.0",
    );
    ok(r#"{"a": [{"cidr": "2001:db8::/32"}]}"#);
}

#[test]
fn json_errors_are_typed() {
    let e = Pattern::parse("{not json").err();
    assert_eq!(e.as_ref().map(|e| e.kind()), Some(ErrorKind::Json));
    assert!(e.is_some_and(|e| {
        e.to_string()
            .starts_with("Event pattern is not valid. Reason: ")
    }));
}
