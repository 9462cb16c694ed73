use openwatch_types::AccountId;

use super::*;
use std::sync::Arc;

use crate::{ConditionContext, Decision, Principal, PrincipalKind};
use Decision::{Allow, ExplicitDeny, ImplicitDeny};

/// Asserts what `p` may do, for each `(action, resource, decision)`, in an empty request
/// context.
fn check(f: &Fixture, p: &Principal, table: &[(&str, &str, Decision)]) {
    for &(action, resource, want) in table {
        let got = f
            .iam
            .authorize(p, action, resource, &ConditionContext::new());
        assert_eq!(got, want, "{action} {resource}");
    }
}

/// A new account with user `alice`, her access key and `doc` as her inline policy `name`:
/// the account, the key's id and the principal it looks up to.
fn alice_with_policy(
    f: &Fixture,
    name: &str,
    doc: &str,
) -> Result<(AccountId, String, Arc<Principal>), Box<dyn std::error::Error>> {
    let acct = f.account()?;
    f.iam.create_user(acct, "alice", None)?;
    let key = f.iam.create_access_key(acct, Some("alice"))?;
    f.iam.put_user_policy(acct, "alice", name, doc)?;
    let p = f.iam.lookup(&key.access_key_id).ok_or("missing")?;
    Ok((acct, key.access_key_id, p))
}

#[test]
fn policy_changes_apply_to_the_next_lookup() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    let user = f.iam.create_user(acct, "alice", Some("/team/"))?;
    let key = f.iam.create_access_key(acct, Some("alice"))?;
    let group = &*format!("arn:aws:logs:us-east-1:{acct}:log-group:app");

    let principal = || f.iam.lookup(&key.access_key_id).ok_or("user key missing");
    let p = principal()?;
    assert_eq!(p.secret(), key.secret_access_key.expose());
    assert_eq!(p.principal_id(), user.user_id);
    assert_eq!(p.arn(), user.arn);
    assert_eq!(p.identity_type(), "IAMUser");
    assert_eq!(p.user_name(), Some("alice"));
    assert!(matches!(&p.kind, PrincipalKind::User { path, .. } if path == "/team/"));
    check(&f, &p, &[("logs:CreateLogGroup", group, ImplicitDeny)]);

    f.iam.put_user_policy(acct, "alice", "allow", ALLOW_LOGS)?;
    let p = principal()?;
    check(
        &f,
        &p,
        &[
            ("logs:CreateLogGroup", group, Allow),
            ("events:PutRule", "*", ImplicitDeny),
        ],
    );

    let deny = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"logs:Delete*","Resource":"*"}}"#;
    f.iam.put_user_policy(acct, "alice", "deny", deny)?;
    let p = principal()?;
    check(
        &f,
        &p,
        &[
            ("logs:DeleteLogGroup", group, ExplicitDeny),
            ("logs:CreateLogGroup", group, Allow),
        ],
    );

    f.iam.delete_user_policy(acct, "alice", "deny")?;
    f.iam.delete_user_policy(acct, "alice", "allow")?;
    let p = principal()?;
    check(&f, &p, &[("logs:CreateLogGroup", group, ImplicitDeny)]);

    // Rename: the key's principal carries the new name and ARN.
    f.iam.update_user(acct, "alice", Some("alicia"), None)?;
    let p = principal()?;
    assert_eq!(p.user_name(), Some("alicia"));
    assert_eq!(p.arn(), format!("arn:aws:iam::{acct}:user/team/alicia"));
    assert_eq!(p.principal_id(), user.user_id);

    f.iam
        .delete_access_key(acct, Some("alicia"), &key.access_key_id)?;
    assert!(f.iam.lookup(&key.access_key_id).is_none());
    assert!(f.iam.lookup("AKIAUNKNOWNUNKNOWN00").is_none());
    Ok(())
}

#[test]
fn root_may_do_anything_in_its_own_account_only() -> TestResult {
    let f = fixture()?;
    let (account, key) = f.iam.create_account("a")?;
    let root = f.iam.lookup(&key.access_key_id).ok_or("root missing")?;
    let own = &*format!("arn:aws:logs:us-east-1:{}:log-group:x", account.id);
    check(
        &f,
        &root,
        &[
            ("logs:DeleteLogGroup", own, Allow),
            ("iam:CreateUser", "*", Allow),
            ("s3:GetObject", "arn:aws:s3:::bucket/key", Allow),
        ],
    );
    let foreign = "arn:aws:logs:us-east-1:999999999999:log-group:x";
    check(&f, &root, &[("logs:DeleteLogGroup", foreign, ImplicitDeny)]);
    Ok(())
}

#[test]
fn users_are_confined_to_their_account_and_get_principal_variables() -> TestResult {
    let f = fixture()?;
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:*:${aws:PrincipalAccount}:log-group:home-${aws:username}*"},
        {"Effect":"Allow","Action":"cloudwatch:*","Resource":"*",
         "Condition":{"StringEquals":{"aws:PrincipalType":"User"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}},
        {"Effect":"Allow","Action":"sns:*","Resource":"*"}]}"#;
    let (acct, _, p) = alice_with_policy(&f, "home", doc)?;
    let mine = &*format!("arn:aws:logs:us-east-1:{acct}:log-group:home-alice-app");
    let bobs = &*format!("arn:aws:logs:us-east-1:{acct}:log-group:home-bob");
    check(
        &f,
        &p,
        &[
            ("logs:PutLogEvents", mine, Allow),
            ("logs:PutLogEvents", bobs, ImplicitDeny),
            ("cloudwatch:PutMetricData", "*", Allow),
        ],
    );
    // Allowed by "*" but in another account: no.
    let foreign = "arn:aws:sns:us-east-1:999999999999:topic";
    check(&f, &p, &[("sns:Publish", foreign, ImplicitDeny)]);
    let own_topic = &*format!("arn:aws:sns:us-east-1:{acct}:topic");
    check(&f, &p, &[("sns:Publish", own_topic, Allow)]);
    // The principal's own keys win over what a request context claims.
    let spoof = ConditionContext::new().with("aws:username", "bob");
    assert_eq!(
        f.iam.authorize(&p, "logs:PutLogEvents", bobs, &spoof),
        ImplicitDeny
    );
    assert_eq!(
        p.context().get("aws:userid").map(|v| v.to_vec()),
        Some(vec![p.principal_id().to_owned()])
    );
    Ok(())
}

#[test]
fn request_context_conditions_reach_user_policies() -> TestResult {
    let f = fixture()?;
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*",
        "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"},
                     "DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}"#;
    let (_, _, p) = alice_with_policy(&f, "net", doc)?;
    let mut good = ConditionContext::new()
        .with("aws:SourceIp", "10.2.3.4")
        .with("aws:SecureTransport", "true");
    good.set_request_time(T0);
    assert_eq!(f.iam.authorize(&p, "logs:GetLogEvents", "*", &good), Allow);
    let plain = good.clone().with("aws:SecureTransport", "false");
    assert_eq!(
        f.iam.authorize(&p, "logs:GetLogEvents", "*", &plain),
        ImplicitDeny
    );
    let mut late = good.clone();
    late.set_request_time(1_900_000_000_000);
    assert_eq!(
        f.iam.authorize(&p, "logs:GetLogEvents", "*", &late),
        ImplicitDeny
    );
    Ok(())
}

#[test]
fn directory_lookups_run_alongside_mutations() -> TestResult {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<crate::Iam>();
    assert_send_sync::<crate::Principal>();

    let f = fixture()?;
    let (account, root) = f.iam.create_account("a")?;
    let acct: AccountId = account.id;
    f.iam.create_user(acct, "alice", None)?;
    std::thread::scope(|s| -> TestResult {
        let reader = s.spawn(|| {
            let mut hits = 0u32;
            for _ in 0..20_000 {
                if f.iam.lookup(&root.access_key_id).is_some() {
                    hits += 1;
                }
            }
            hits
        });
        for i in 0..20 {
            f.iam
                .put_user_policy(acct, "alice", &format!("p{i}"), ALLOW_LOGS)?;
            f.iam.delete_user_policy(acct, "alice", &format!("p{i}"))?;
        }
        let hits = reader.join().map_err(|_| "reader panicked")?;
        assert_eq!(hits, 20_000);
        Ok(())
    })?;
    Ok(())
}

#[test]
fn lookup_and_authorize_are_cheap() -> TestResult {
    let f = fixture()?;
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["logs:Get*","logs:Put*","logs:Describe*"],"Resource":"arn:aws:logs:*:*:log-group:${aws:username}-*"},
        {"Effect":"Deny","Action":"logs:Delete*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
    let (acct, key_id, _) = alice_with_policy(&f, "p", doc)?;
    let resource = &*format!("arn:aws:logs:us-east-1:{acct}:log-group:alice-app");
    let mut context = ConditionContext::new().with("aws:SourceIp", "10.1.1.1");
    context.set_request_time(T0);
    let n = 20_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        let p = f.iam.lookup(&key_id).ok_or("missing")?;
        assert!(
            f.iam
                .authorize(&p, "logs:PutLogEvents", resource, &context)
                .is_allowed()
        );
    }
    let per_request = start.elapsed() / n;
    // Unoptimised test build; release is far faster. A generous bound that still catches
    // accidental quadratic work or IO on this path.
    assert!(
        per_request < std::time::Duration::from_micros(200),
        "{per_request:?}"
    );
    eprintln!("lookup+authorize: {per_request:?} per request (debug build)");
    Ok(())
}
