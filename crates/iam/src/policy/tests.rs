//! Policy language tests: validation messages, evaluation tables, properties.

use proptest::prelude::*;

use super::wildcard::{Pattern, PatternOptions};
use super::*;

fn parse(doc: &str) -> Policy {
    match Policy::parse(doc) {
        Ok(p) => p,
        Err(e) => panic!("policy should parse: {e}\n{doc}"),
    }
}

fn parse_err(doc: &str) -> String {
    match Policy::parse(doc) {
        Ok(_) => panic!("policy should be rejected:\n{doc}"),
        Err(e) => e.message().to_owned(),
    }
}

fn stmt(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":{body}}}"#)
}

fn decide(policies: &[Policy], action: &str, resource: &str, ctx: &ConditionContext) -> Decision {
    evaluate(
        policies,
        &Request {
            action,
            resource,
            context: ctx,
        },
    )
}

/// Asserts `decide` for each `(action, resource, decision)`.
fn check(policies: &[Policy], ctx: &ConditionContext, table: &[(&str, &str, Decision)]) {
    for &(action, resource, want) in table {
        let got = decide(policies, action, resource, ctx);
        assert_eq!(got, want, "{action} {resource}");
    }
}

#[test]
fn accepts_the_documented_shapes() {
    // Statement as an object, Action/Resource as strings.
    parse(&stmt(
        r#"{"Effect":"Allow","Action":"logs:*","Resource":"*"}"#,
    ));
    // Arrays, Sid, Id, Condition, NotAction/NotResource.
    let p = parse(
        r#"{"Version":"2012-10-17","Id":"p1","Statement":[
            {"Sid":"One","Effect":"Allow","Action":["logs:Get*","logs:Describe*"],
             "Resource":["arn:aws:logs:us-east-1:123456789012:log-group:app:*"],
             "Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}},
            {"Sid":"Two","Effect":"Deny","NotAction":"logs:Get*","NotResource":"arn:aws:logs:*:*:*"}
        ]}"#,
    );
    assert_eq!(p.id(), Some("p1"));
    assert_eq!(p.version(), PolicyVersion::V2012_10_17);
    assert_eq!(p.statements().len(), 2);
    assert_eq!(p.statements()[1].effect(), Effect::Deny);
    assert_eq!(p.statements()[0].sid(), Some("One"));
    // The legacy version and a missing version are accepted for inline policies.
    let old = parse(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    assert_eq!(old.version(), PolicyVersion::V2008_10_17);
    let none = parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
    assert_eq!(none.version(), PolicyVersion::V2008_10_17);
    // Unknown operators with an empty block are ignored, as IAM does.
    parse(&stmt(
        r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Whatever":{}}}"#,
    ));
}

#[test]
fn rejects_with_iams_messages() {
    let cases: &[(&str, &str)] = &[
        ("not json", MSG_SYNTAX),
        ("[]", MSG_SYNTAX),
        (r#"{"Version":"2012-10-17"}"#, MSG_SYNTAX),
        (r#"{"Version":"2012-10-17","Statement":[]}"#, MSG_SYNTAX),
        (
            r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            MSG_SYNTAX,
        ),
        (
            r#"{"Version":"2012-10-17","Extra":1,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            MSG_SYNTAX,
        ),
        (
            &stmt(r#"{"Effect":"Permit","Action":"*","Resource":"*"}"#),
            MSG_SYNTAX,
        ),
        (&stmt(r#"{"Action":"*","Resource":"*"}"#), MSG_SYNTAX),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}"#),
            MSG_SYNTAX,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}"#),
            MSG_SYNTAX,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":[1],"Resource":"*"}"#),
            MSG_SYNTAX,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*","Resource":"*","Foo":"x"}"#),
            MSG_SYNTAX,
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}"#,
            ),
            MSG_SYNTAX,
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"a"}}"#,
            ),
            MSG_SYNTAX,
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}"#,
            ),
            MSG_SYNTAX,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#),
            MSG_PRINCIPAL,
        ),
        (
            &stmt(
                r#"[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","NotPrincipal":{"AWS":"x"},"Action":"*","Resource":"*"}]"#,
            ),
            MSG_PRINCIPAL,
        ),
        (
            &stmt(r#"{"Effect":"allow","Action":"*","Resource":"*"}"#),
            MSG_LEGACY,
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}"#,
            ),
            MSG_LEGACY,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws::x"}"#),
            MSG_LEGACY,
        ),
        (
            &stmt(
                r#"[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]"#,
            ),
            MSG_SID_UNIQUE,
        ),
        (
            &stmt(r#"{"Sid":"with space","Effect":"Allow","Action":"*","Resource":"*"}"#),
            MSG_SID_ALNUM,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Resource":"*"}"#),
            MSG_NO_ACTIONS,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
            MSG_NO_ACTIONS,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*"}"#),
            MSG_NO_RESOURCES,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*","NotResource":[]}"#),
            MSG_NO_RESOURCES,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws"}"#),
            MSG_RESOURCE_VENDOR,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"logs","Resource":"*"}"#),
            MSG_VENDOR,
        ),
        (
            &stmt(r#"{"Effect":"Allow","Action":"logs:a:b","Resource":"*"}"#),
            MSG_ONE_COLON,
        ),
        (
            &stmt(
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}"#,
            ),
            MSG_VENDOR,
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(parse_err(doc), *want, "{doc}");
    }
    assert_eq!(
        parse_err(&stmt(
            r#"{"Effect":"Allow","Action":"*","Resource":"bucket"}"#
        )),
        r#"Resource bucket must be in ARN format or "*"."#
    );
    assert_eq!(
        parse_err(&stmt(
            r#"{"Effect":"Allow","Action":"*","Resource":"arn:foo:logs:::x"}"#
        )),
        r#"Partition "foo" is not valid for resource "arn:foo:logs:::x"."#
    );
    assert_eq!(
        parse_err(&stmt(
            r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam:us-east-1:1:user/x"}"#
        )),
        "IAM resource arn:aws:iam:us-east-1:1:user/x cannot contain region information."
    );
    assert_eq!(
        parse_err(&stmt(
            r#"{"Effect":"Allow","Action":"lo gs:Get","Resource":"*"}"#
        )),
        "Vendor lo gs is not valid"
    );
}

#[test]
fn default_deny_and_explicit_deny_wins() {
    let ctx = ConditionContext::new();
    let allow = parse(&stmt(
        r#"{"Effect":"Allow","Action":"logs:*","Resource":"*"}"#,
    ));
    let deny = parse(&stmt(
        r#"{"Effect":"Deny","Action":"logs:DeleteLogGroup","Resource":"arn:aws:logs:*:*:log-group:prod*"}"#,
    ));
    let policies = [allow, deny];
    let prod = "arn:aws:logs:us-east-1:123456789012:log-group:prod-app";
    let dev = "arn:aws:logs:us-east-1:123456789012:log-group:dev-app";
    let table = [
        ("logs:CreateLogGroup", prod, Decision::Allow),
        ("logs:DeleteLogGroup", dev, Decision::Allow),
        ("logs:DeleteLogGroup", prod, Decision::ExplicitDeny),
        ("LOGS:deleteloggroup", prod, Decision::ExplicitDeny),
        ("cloudwatch:PutMetricData", "*", Decision::ImplicitDeny),
    ];
    check(&policies, &ctx, &table);
    check(
        &[],
        &ctx,
        &[("logs:GetLogEvents", "*", Decision::ImplicitDeny)],
    );
    assert!(Decision::Allow.is_allowed() && !Decision::ExplicitDeny.is_allowed());
}

#[test]
fn action_and_resource_matching() {
    let ctx = ConditionContext::new();
    let p = [parse(&stmt(
        r#"{"Effect":"Allow","Action":["logs:Get?ogEvents","cloudwatch:*Alarm*"],
            "Resource":"arn:aws:logs:us-east-1:123456789012:log-group:App/*"}"#,
    ))];
    let res = "arn:aws:logs:us-east-1:123456789012:log-group:App/web";
    // Resources compare case-sensitively.
    let lower = "arn:aws:logs:us-east-1:123456789012:log-group:app/web";
    let table = [
        ("logs:GetLogEvents", res, Decision::Allow),
        ("logs:getlogevents", res, Decision::Allow),
        ("logs:GetxxLogEvents", res, Decision::ImplicitDeny),
        ("cloudwatch:DescribeAlarmsForMetric", res, Decision::Allow),
        ("logs:GetLogEvents", lower, Decision::ImplicitDeny),
    ];
    check(&p, &ctx, &table);
    // "*" resource in the policy matches anything, including "*".
    let star = [parse(&stmt(
        r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#,
    ))];
    check(
        &star,
        &ctx,
        &[("sts:GetCallerIdentity", "*", Decision::Allow)],
    );
}

#[test]
fn not_action_and_not_resource() {
    let ctx = ConditionContext::new();
    let p = [parse(&stmt(
        r#"[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
            {"Effect":"Deny","Action":"logs:*","NotResource":"arn:aws:logs:*:*:log-group:mine*"}]"#,
    ))];
    let mine = "arn:aws:logs:us-east-1:1:log-group:mine-1";
    let theirs = "arn:aws:logs:us-east-1:1:log-group:theirs";
    let table = [
        ("iam:CreateUser", "*", Decision::ImplicitDeny),
        ("cloudwatch:PutMetricData", "*", Decision::Allow),
        ("logs:PutLogEvents", mine, Decision::Allow),
        ("logs:PutLogEvents", theirs, Decision::ExplicitDeny),
    ];
    check(&p, &ctx, &table);
}

#[test]
fn conditions_in_statements() {
    let p = [parse(&stmt(
        r#"[{"Effect":"Allow","Action":"logs:*","Resource":"*",
             "Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},
                          "StringEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}},
            {"Effect":"Deny","Action":"logs:DeleteLogGroup","Resource":"*",
             "Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["protected*"]}}}]"#,
    ))];
    let inside = ConditionContext::new().with("aws:SourceIp", "10.1.2.3");
    let outside = ConditionContext::new().with("aws:SourceIp", "192.0.2.1");
    let v6 = ConditionContext::new().with("aws:SourceIp", "2001:db8::7");
    // IfExists: present and different → no allow; present and equal → allow.
    let wrong_region = inside.clone().with("aws:RequestedRegion", "us-east-1");
    let right_region = inside.clone().with("aws:RequestedRegion", "eu-west-1");
    // ForAnyValue over a multi-valued key.
    let tagged = inside
        .clone()
        .with_multi("aws:TagKeys", ["env", "protected-by-ops"]);
    let untagged = inside.clone().with_multi("aws:TagKeys", ["env"]);
    let table = [
        ("logs:GetLogEvents", &inside, Decision::Allow),
        ("logs:GetLogEvents", &outside, Decision::ImplicitDeny),
        ("logs:GetLogEvents", &v6, Decision::Allow),
        ("logs:GetLogEvents", &wrong_region, Decision::ImplicitDeny),
        ("logs:GetLogEvents", &right_region, Decision::Allow),
        ("logs:DeleteLogGroup", &tagged, Decision::ExplicitDeny),
        ("logs:DeleteLogGroup", &untagged, Decision::Allow),
        ("logs:DeleteLogGroup", &inside, Decision::Allow),
    ];
    for (i, (action, ctx, want)) in table.into_iter().enumerate() {
        assert_eq!(decide(&p, action, "*", ctx), want, "row {i}: {action}");
    }
}

#[test]
fn multiple_keys_and_operators_are_anded() {
    let p = [parse(&stmt(
        r#"{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"123456789012"},
                         "Bool":{"aws:SecureTransport":"true"}}}"#,
    ))];
    let full = ConditionContext::new()
        .with("aws:username", "alice")
        .with("aws:PrincipalAccount", "123456789012")
        .with("aws:SecureTransport", "true");
    assert_eq!(decide(&p, "logs:X", "*", &full), Decision::Allow);
    let insecure = full.clone().with("aws:SecureTransport", "false");
    assert_eq!(decide(&p, "logs:X", "*", &insecure), Decision::ImplicitDeny);
    let bob = full.clone().with("aws:username", "bob");
    assert_eq!(decide(&p, "logs:X", "*", &bob), Decision::ImplicitDeny);
}

#[test]
fn policy_variables_in_resources() {
    let p = [parse(&stmt(
        r#"{"Effect":"Allow","Action":"logs:*",
            "Resource":["arn:aws:logs:*:${aws:PrincipalAccount}:log-group:home/${aws:username}/*",
                        "arn:aws:logs:*:*:log-group:id-${aws:userid}"]}"#,
    ))];
    let ctx = ConditionContext::new()
        .with("aws:username", "alice")
        .with("aws:userid", "AIDAEXAMPLE")
        .with("aws:PrincipalAccount", "123456789012");
    let mine = "arn:aws:logs:us-east-1:123456789012:log-group:home/alice/app";
    let theirs = "arn:aws:logs:us-east-1:123456789012:log-group:home/bob/app";
    let other_account = "arn:aws:logs:us-east-1:999999999999:log-group:home/alice/app";
    let by_id = "arn:aws:logs:x:1:log-group:id-AIDAEXAMPLE";
    let table = [
        ("logs:GetLogEvents", mine, Decision::Allow),
        ("logs:GetLogEvents", theirs, Decision::ImplicitDeny),
        ("logs:GetLogEvents", other_account, Decision::ImplicitDeny),
        ("logs:GetLogEvents", by_id, Decision::Allow),
    ];
    check(&p, &ctx, &table);
    // Without the key the element never matches.
    let empty = ConditionContext::new();
    check(
        &p,
        &empty,
        &[("logs:GetLogEvents", mine, Decision::ImplicitDeny)],
    );
    // Under the 2008 version variables are literal text.
    let old = [parse(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username}"}}"#,
    )];
    let table = [
        (
            "s3:GetObject",
            "arn:aws:s3:::b/${aws:username}",
            Decision::Allow,
        ),
        (
            "s3:GetObject",
            "arn:aws:s3:::b/alice",
            Decision::ImplicitDeny,
        ),
    ];
    check(&old, &ctx, &table);
    // ${*} is a literal star.
    let lit = [parse(&stmt(
        r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${*}"}"#,
    ))];
    let table = [
        ("s3:GetObject", "arn:aws:s3:::b/*", Decision::Allow),
        ("s3:GetObject", "arn:aws:s3:::b/x", Decision::ImplicitDeny),
    ];
    check(&lit, &ctx, &table);
}

fn wild(pattern: &str, fold_case: bool) -> Pattern {
    Pattern::compile(
        pattern,
        PatternOptions {
            wildcards: true,
            variables: false,
            fold_case,
        },
    )
}

/// Reference matcher: dynamic programming over characters.
fn reference_match(pattern: &[char], text: &[char]) -> bool {
    let (n, m) = (pattern.len(), text.len());
    // dp[i][j]: pattern[..i] matches text[..j]
    let mut dp = vec![vec![false; m + 1]; n + 1];
    dp[0][0] = true;
    for i in 1..=n {
        for j in 0..=m {
            dp[i][j] = match pattern[i - 1] {
                '*' => dp[i - 1][j] || (j > 0 && dp[i][j - 1]),
                '?' => j > 0 && dp[i - 1][j - 1],
                c => j > 0 && dp[i - 1][j - 1] && text[j - 1] == c,
            };
        }
    }
    dp[n][m]
}

#[test]
fn wildcard_examples() {
    assert!(wild("*", false).matches_plain(""));
    assert!(wild("a*b?c", false).matches_plain("a:b/xbyc"));
    assert!(!wild("a*b?c", false).matches_plain("abc"));
    assert!(wild("é?*", false).matches_plain("éü"));
    assert!(wild("LOGS:Get*", true).matches_plain("logs:getLogEvents"));
    assert!(!wild("LOGS:Get*", false).matches_plain("logs:getLogEvents"));
    assert!(wild("**a**", false).matches_plain("bab"));
}

proptest! {
    #[test]
    fn wildcard_agrees_with_reference(
        pattern in "[ab*?:é]{0,12}",
        text in "[ab:é]{0,14}",
    ) {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        prop_assert_eq!(wild(&pattern, false).matches_plain(&text), reference_match(&p, &t));
    }

    #[test]
    fn folded_matching_agrees_with_lowercased_reference(
        pattern in "[aAbB*?]{0,10}",
        text in "[aAbB]{0,12}",
    ) {
        let p: Vec<char> = pattern.to_lowercase().chars().collect();
        let t: Vec<char> = text.to_lowercase().chars().collect();
        prop_assert_eq!(wild(&pattern, true).matches_plain(&text), reference_match(&p, &t));
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,200}") {
        let _ = Policy::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_policy_like_json(
        effect in "(Allow|Deny|allow|x)",
        action in "[a-z*?:]{0,12}",
        resource in "[a-z0-9*?:/${}]{0,30}",
        op in "(StringEquals|ForAnyValue:StringLikeIfExists|DateLessThan|Null|IpAddress|Foo)",
        value in "[a-z0-9.:/-]{0,20}",
    ) {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"{effect}","Action":"{action}","Resource":"{resource}","Condition":{{"{op}":{{"aws:k":"{value}"}}}}}}}}"#
        );
        if let Ok(p) = Policy::parse(&doc) {
            let ctx = ConditionContext::new().with("aws:k", value.clone());
            let _ = evaluate(&[p], &Request { action: &action, resource: &resource, context: &ctx });
        }
    }
}
