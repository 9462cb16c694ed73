//! Destinations: access policies with conditions, tags, and what deleting a destination does
//! to the filters that publish to it.

use openwatch_iam::policy::keys;

use super::*;

fn policy(statement: serde_json::Value) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn access_policy_conditions_are_evaluated() {
    let env = env();
    let s = env.open();
    let arn = aggregator(&s);
    group(&s, B, R, "app", &[]);
    group(&s, C, R, "app", &[]);
    // Anyone whose account is listed in the condition.
    let by_account = policy(serde_json::json!({
        "Effect": "Allow", "Principal": "*", "Action": "logs:PutSubscriptionFilter",
        "Resource": arn,
        "Condition": {"StringEquals": {"aws:PrincipalAccount": [C]}},
    }));
    s.put_destination_policy(A, R, "agg", &by_account, false)
        .unwrap();
    let e = s
        .put_subscription_filter(B, R, sub("app", "f", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    assert_eq!(
        e.message(),
        format!(
            "User with accountId: {B} is not authorized to perform: logs:PutSubscriptionFilter on resource: {arn}"
        )
    );
    s.put_subscription_filter(C, R, sub("app", "f", "", &arn))
        .unwrap();
    // AWS's organization form: this server has no organizations, so it matches nobody.
    let org = policy(serde_json::json!({
        "Sid": "", "Effect": "Allow", "Principal": "*",
        "Action": ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"], "Resource": arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-1234567890"]}},
    }));
    s.put_destination_policy(A, R, "agg", &org, true).unwrap();
    let e = s
        .put_subscription_filter(B, R, sub("app", "g", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    // A time window on the store's clock, and the request's source address.
    let window = policy(serde_json::json!({
        "Effect": "Allow", "Principal": {"AWS": B}, "Action": "logs:PutSubscriptionFilter",
        "Resource": arn,
        "Condition": {
            "DateGreaterThan": {"aws:CurrentTime": "2025-11-24T17:00:00Z"},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        },
    }));
    s.put_destination_policy(A, R, "agg", &window, false)
        .unwrap();
    let mut from_inside = sub("app", "g", "", &arn);
    from_inside.context.insert(keys::SOURCE_IP, "10.9.8.7");
    // T0 is 16:00 UTC: too early.
    let e = s
        .put_subscription_filter(B, R, from_inside.clone())
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    env.clock.advance(std::time::Duration::from_secs(2 * 3600));
    let mut from_outside = from_inside.clone();
    from_outside.context.insert(keys::SOURCE_IP, "192.0.2.1");
    let e = s.put_subscription_filter(B, R, from_outside).unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    s.put_subscription_filter(B, R, from_inside).unwrap();
    // One IAM user of an account, named by ARN; an explicit Deny wins.
    let user = format!("arn:aws:iam::{C}:user/shipper");
    let one_user = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user}, "Action": "logs:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": C}, "Action": "logs:PutSubscriptionFilter",
         "Resource": arn, "Condition": {"StringEquals": {"aws:username": "intruder"}}},
    ]})
    .to_string();
    s.put_destination_policy(A, R, "agg", &one_user, false)
        .unwrap();
    group(&s, C, R, "other", &[]);
    let e = s
        .put_subscription_filter(C, R, sub("other", "f", "", &arn))
        .unwrap_err();
    assert_eq!(
        e.code(),
        "AccessDeniedException",
        "the root is not the user"
    );
    let mut as_user = sub("other", "f", "", &arn);
    as_user.caller_arn = Some(user.clone());
    as_user.context.insert(keys::USERNAME, "shipper");
    s.put_subscription_filter(C, R, as_user).unwrap();
    let mut denied = sub("other", "f", "", &arn);
    denied.caller_arn = Some(user);
    denied.context.insert(keys::USERNAME, "intruder");
    let e = s.put_subscription_filter(C, R, denied).unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    // The destination's tags are condition keys.
    let by_tag = policy(serde_json::json!({
        "Effect": "Allow", "Principal": {"AWS": B}, "Action": "logs:PutSubscriptionFilter",
        "Resource": arn, "Condition": {"StringEquals": {"aws:ResourceTag/shared": "yes"}},
    }));
    s.put_destination_policy(A, R, "agg", &by_tag, false)
        .unwrap();
    group(&s, B, R, "tagged", &[]);
    let e = s
        .put_subscription_filter(B, R, sub("tagged", "f", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "AccessDeniedException");
    s.tag_destination(A, R, "agg", tags(&[("shared", "yes")]))
        .unwrap();
    s.put_subscription_filter(B, R, sub("tagged", "f", "", &arn))
        .unwrap();
    // Malformed conditions are refused and the stored policy stays.
    let bad = policy(serde_json::json!({
        "Effect": "Allow", "Principal": "*", "Action": "logs:*", "Resource": "*",
        "Condition": {"StringLooksLike": {"aws:PrincipalAccount": B}},
    }));
    let e = s
        .put_destination_policy(A, R, "agg", &bad, false)
        .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    let d = s.describe_destinations(A, R, None, None, None).unwrap();
    assert_eq!(
        d.destinations[0].access_policy.as_deref(),
        Some(by_tag.as_str())
    );
}

#[test]
fn destinations_carry_tags() {
    let env = env();
    let s = env.open();
    group(&s, A, R, "all", &[]);
    let target = crate::names::group_arn(R, A, "all");
    let role = "arn:aws:iam::111111111111:role/r";
    s.put_destination(
        A,
        R,
        "d",
        &target,
        role,
        tags(&[("team", "ops"), ("env", "prod")]),
    )
    .unwrap();
    assert_eq!(
        s.destination_tags(A, R, "d").unwrap(),
        tags(&[("env", "prod"), ("team", "ops")])
    );
    // Re-putting adds and replaces, keeping the others.
    s.put_destination(A, R, "d", &target, role, tags(&[("env", "test")]))
        .unwrap();
    assert_eq!(
        s.destination_tags(A, R, "d").unwrap(),
        tags(&[("env", "test"), ("team", "ops")])
    );
    s.tag_destination(A, R, "d", tags(&[("cost", "42")]))
        .unwrap();
    s.untag_destination(A, R, "d", &["team".into(), "absent".into()])
        .unwrap();
    assert_eq!(
        s.destination_tags(A, R, "d").unwrap(),
        tags(&[("cost", "42"), ("env", "test")])
    );
    // Bad keys, too many tags, unknown destinations: nothing changes.
    for bad in [tags(&[("aws:x", "1")]), tags(&[("", "1")])] {
        let e = s.tag_destination(A, R, "d", bad.clone()).unwrap_err();
        assert_eq!(e.code(), "InvalidParameterException");
        let e = s
            .put_destination(A, R, "e", &target, role, bad)
            .unwrap_err();
        assert_eq!(e.code(), "InvalidParameterException");
    }
    let many: Tags = (0..49).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    let e = s.tag_destination(A, R, "d", many).unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    assert_eq!(s.destination_tags(A, R, "d").unwrap().len(), 2);
    assert!(
        s.describe_destinations(A, R, Some("e"), None, None)
            .unwrap()
            .destinations
            .is_empty()
    );
    for e in [
        s.tag_destination(A, R, "nope", tags(&[("a", "b")]))
            .unwrap_err(),
        s.untag_destination(A, R, "nope", &["a".into()])
            .unwrap_err(),
        s.destination_tags(B, R, "d").unwrap_err(),
    ] {
        assert_eq!(e.code(), "ResourceNotFoundException");
    }
    // Tags survive a restart.
    drop(s);
    let s = env.open();
    assert_eq!(s.destination_tags(A, R, "d").unwrap().len(), 2);
}

#[test]
fn deleting_a_destination_disables_its_filters_durably() {
    let env = env();
    let arn;
    {
        let s = env.open();
        arn = aggregator(&s);
        s.put_destination_policy(A, R, "agg", &allow(&[B, C]), false)
            .unwrap();
        group(&s, B, R, "app", &["s"]);
        group(&s, C, R, "app", &["s"]);
        group(&s, C, R, "local", &[]);
        s.put_subscription_filter(B, R, sub("app", "f", "", &arn))
            .unwrap();
        s.put_subscription_filter(C, R, sub("app", "f", "", &arn))
            .unwrap();
        let local = crate::names::group_arn(R, C, "local");
        s.put_subscription_filter(C, R, sub("app", "keep", "", &local))
            .unwrap();
        s.delete_destination(A, R, "agg").unwrap();
        // Dropped without close right after: the disabling is durable.
    }
    let s = env.open();
    put(&s, B, "app", "s", &[(T0 - 2, "one")]);
    put(&s, C, "app", "s", &[(T0 - 1, "two")]);
    let report = s.deliver_subscriptions().unwrap();
    assert_eq!((report.disabled, report.delivered), (2, 1));
    let page = s
        .describe_subscription_filters(C, R, "app", None, None, None)
        .unwrap();
    assert_eq!(page.filters.len(), 2, "disabled filters are still listed");
    assert!(page.filters.iter().any(|f| f.name == "f" && f.disabled));
    assert!(page.filters.iter().any(|f| f.name == "keep" && !f.disabled));
    assert_eq!(
        stream_events(&s, C, R, "local", &forwarded_stream_name(C, R, "app", "s")).len(),
        1
    );
    // A new filter on a deleted destination is refused.
    let e = s
        .put_subscription_filter(B, R, sub("app", "g", "", &arn))
        .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
}

#[test]
fn a_filter_whose_destination_vanished_before_it_was_stored_is_disabled_by_delivery() {
    let env = env();
    let s = env.open();
    let arn = aggregator(&s);
    group(&s, B, R, "app", &["s"]);
    s.put_subscription_filter(B, R, sub("app", "f", "", &arn))
        .unwrap();
    // As if DeleteDestination ran between the filter's check and its transaction.
    let tx = s.catalog.db().begin_write().unwrap();
    tx.open_table(crate::store::destinations::DESTINATIONS)
        .unwrap()
        .remove((A, R, "agg"))
        .unwrap();
    tx.commit().unwrap();
    put(&s, B, "app", "s", &[(T0 - 1, "x")]);
    assert_eq!(s.deliver_subscriptions().unwrap().disabled, 1);
    aggregator_again(&s);
    let report = s.deliver_subscriptions().unwrap();
    assert_eq!((report.disabled, report.delivered), (1, 0));
}

#[test]
fn a_disabled_filter_stays_disabled_until_replaced() {
    let env = env();
    let s = env.open();
    let arn = aggregator(&s);
    group(&s, B, R, "/app/web", &["host-1"]);
    s.put_subscription_filter(B, R, sub("/app/web", "errors", "ERROR", &arn))
        .unwrap();
    put(&s, B, "/app/web", "host-1", &[(T0 - 5, "ERROR one")]);
    assert_eq!(s.deliver_subscriptions().unwrap().delivered, 1);
    let st1 = forwarded_stream_name(B, R, "/app/web", "host-1");
    // A deleted destination disables the filter: nothing more is delivered, even once a
    // destination of the same name exists again.
    s.delete_destination(A, R, "agg").unwrap();
    put(&s, B, "/app/web", "host-1", &[(T0 - 3, "ERROR three")]);
    let report = s.deliver_subscriptions().unwrap();
    assert_eq!((report.disabled, report.delivered), (1, 0));
    aggregator_again(&s);
    s.put_destination_policy(A, R, "agg", &allow(&[B]), false)
        .unwrap();
    let report = s.deliver_subscriptions().unwrap();
    assert_eq!((report.disabled, report.delivered), (1, 0));
    assert_eq!(stream_events(&s, A, R2, "all", &st1).len(), 1);
    // Replacing the filter enables it again, from the group's newest event on.
    s.put_subscription_filter(B, R, sub("/app/web", "errors", "ERROR", &arn))
        .unwrap();
    put(&s, B, "/app/web", "host-1", &[(T0 - 2, "ERROR four")]);
    let report = s.deliver_subscriptions().unwrap();
    assert_eq!((report.disabled, report.delivered), (0, 1));
    let got: Vec<String> = stream_events(&s, A, R2, "all", &st1)
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert_eq!(got, ["ERROR one", "ERROR four"]);
}
