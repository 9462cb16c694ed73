use super::*;
use crate::policy::MSG_PRINCIPAL;
use crate::store::limits::{USER_POLICY_SIZE_MAX, policy_size};

fn policy_with_padding(padding: usize) -> String {
    // A valid document whose non-whitespace size grows with `padding` (a long Sid).
    format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"{}","Effect":"Allow","Action":"logs:*","Resource":"*"}}}}"#,
        "S".repeat(padding.max(1))
    )
}

#[test]
fn put_get_list_delete() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    f.iam.create_user(acct, "alice", None)?;
    f.iam
        .put_user_policy(acct, "Alice", "logs-read", ALLOW_LOGS)?;
    let got = f.iam.get_user_policy(acct, "alice", "logs-read")?;
    assert_eq!(got.user_name, "alice");
    assert_eq!(got.policy_name, "logs-read");
    assert_eq!(got.policy_document, ALLOW_LOGS);

    // Replace keeps one policy with the new text.
    let replacement = ALLOW_LOGS.replace("logs:*", "logs:Get*");
    f.iam
        .put_user_policy(acct, "alice", "logs-read", &replacement)?;
    assert_eq!(
        f.iam
            .get_user_policy(acct, "alice", "logs-read")?
            .policy_document,
        replacement
    );
    for name in ["b", "a", "c.d", "Z"] {
        f.iam.put_user_policy(acct, "alice", name, ALLOW_LOGS)?;
    }
    let names = f.iam.list_user_policies(acct, "alice", &all())?;
    assert_eq!(names.items, ["Z", "a", "b", "c.d", "logs-read"]);
    let first = f
        .iam
        .list_user_policies(acct, "alice", &PageRequest::first(3))?;
    assert_eq!(first.items, ["Z", "a", "b"]);
    assert!(first.is_truncated);
    let rest = f.iam.list_user_policies(
        acct,
        "alice",
        &PageRequest {
            marker: first.marker,
            max_items: Some(3),
        },
    )?;
    assert_eq!(rest.items, ["c.d", "logs-read"]);
    assert!(!rest.is_truncated);

    f.iam.delete_user_policy(acct, "alice", "b")?;
    assert_err(
        f.iam.get_user_policy(acct, "alice", "b"),
        "NoSuchEntity",
        Some("The user policy with name b cannot be found."),
    );
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.delete_user_policy(acct, "alice", "b"),
        "NoSuchEntity",
        Some("The user policy with name b cannot be found."),
    );
    assert_err(
        f.iam.delete_user_policy(acct, "nobody", "a"),
        "NoSuchEntity",
        Some("The user with name nobody cannot be found."),
    );
    assert_err(
        f.iam.list_user_policies(acct, "nobody", &all()),
        "NoSuchEntity",
        None,
    );
    assert_err(
        f.iam.get_user_policy(acct, "nobody", "a"),
        "NoSuchEntity",
        None,
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);
    Ok(())
}

#[test]
fn bad_documents_and_names_change_nothing() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    f.iam.create_user(acct, "alice", None)?;
    f.iam.put_user_policy(acct, "alice", "keep", ALLOW_LOGS)?;
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.put_user_policy(acct, "alice", "keep", "{not json"),
        "MalformedPolicyDocument",
        Some("Syntax errors in policy."),
    );
    let with_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"}}"#;
    assert_err(
        f.iam.put_user_policy(acct, "alice", "new", with_principal),
        "MalformedPolicyDocument",
        Some(MSG_PRINCIPAL),
    );
    assert_err(
        f.iam.put_user_policy(acct, "nobody", "p", "{not json"),
        "NoSuchEntity",
        Some("The user with name nobody cannot be found."),
    );
    assert_err(
        f.iam.put_user_policy(acct, "alice", "bad name", ALLOW_LOGS),
        "ValidationError",
        Some(
            "1 validation error detected: Value 'bad name' at 'policyName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ),
    );
    assert_err(
        f.iam
            .put_user_policy(acct, "alice", &"p".repeat(129), ALLOW_LOGS),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam.put_user_policy(acct, "alice", "p", ""),
        "ValidationError",
        None,
    );
    let euro = ALLOW_LOGS.replace("logs:*", "logs:€");
    assert_err(
        f.iam.put_user_policy(acct, "alice", "p", &euro),
        "ValidationError",
        None,
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);
    Ok(())
}

#[test]
fn aggregate_inline_policy_size_is_limited() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    f.iam.create_user(acct, "alice", None)?;
    let base = policy_size(&policy_with_padding(1)) - 1;
    // Exactly at the limit is fine.
    let full = policy_with_padding(USER_POLICY_SIZE_MAX - base);
    assert_eq!(policy_size(&full), USER_POLICY_SIZE_MAX);
    f.iam.put_user_policy(acct, "alice", "big", &full)?;
    // Replacing the same policy does not count the old text.
    f.iam.put_user_policy(acct, "alice", "big", &full)?;
    let before = snapshot(&f.iam, &[acct])?;
    let message = "Maximum policy size of 2048 bytes exceeded for user alice";
    assert_err(
        f.iam
            .put_user_policy(acct, "alice", "more", &policy_with_padding(1)),
        "LimitExceeded",
        Some(message),
    );
    assert_err(
        f.iam.put_user_policy(
            acct,
            "alice",
            "big",
            &policy_with_padding(USER_POLICY_SIZE_MAX - base + 1),
        ),
        "LimitExceeded",
        Some(message),
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);
    // Whitespace does not count.
    f.iam.delete_user_policy(acct, "alice", "big")?;
    let half = policy_with_padding(USER_POLICY_SIZE_MAX / 2 - base);
    let spaced = half.replace(',', " ,\n\t  ");
    assert!(spaced.len() > half.len());
    f.iam.put_user_policy(acct, "alice", "one", &spaced)?;
    f.iam.put_user_policy(acct, "alice", "two", &half)?;
    // The limit is per user.
    f.iam.create_user(acct, "bob", None)?;
    f.iam.put_user_policy(acct, "bob", "big", &full)?;
    Ok(())
}
