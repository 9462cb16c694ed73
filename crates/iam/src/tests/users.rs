use std::time::Duration;

use super::*;
use crate::store::limits::USERS_PER_ACCOUNT;

#[test]
fn create_get_update_delete() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    let alice = f.iam.create_user(acct, "Alice", None)?;
    assert_eq!(alice.path, "/");
    assert_eq!(alice.user_name, "Alice");
    assert_eq!(alice.arn, format!("arn:aws:iam::{acct}:user/Alice"));
    assert_eq!(alice.create_date, T0);
    assert!(alice.user_id.starts_with("AIDA") && alice.user_id.len() == 21);
    assert!(
        alice.user_id[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    assert_eq!(f.iam.get_user(acct, "alice")?, alice);

    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.create_user(acct, "ALICE", None),
        "EntityAlreadyExists",
        Some("User with name ALICE already exists."),
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);

    f.clock.advance(Duration::from_secs(5));
    let ops = f.iam.create_user(acct, "ops", Some("/eng/ops/"))?;
    assert_eq!(ops.arn, format!("arn:aws:iam::{acct}:user/eng/ops/ops"));
    assert_eq!(ops.create_date, T0 + 5_000);

    // The same name in another account is a different user.
    let (other, _) = f.iam.create_account("b")?;
    let other_alice = f.iam.create_user(other.id, "alice", None)?;
    assert_ne!(other_alice.user_id, alice.user_id);

    // Rename and move: the id stays, the ARN follows.
    let renamed = f
        .iam
        .update_user(acct, "alice", Some("alice2"), Some("/x/"))?;
    assert_eq!(renamed.user_id, alice.user_id);
    assert_eq!(renamed.arn, format!("arn:aws:iam::{acct}:user/x/alice2"));
    assert_err(
        f.iam.get_user(acct, "Alice"),
        "NoSuchEntity",
        Some("The user with name Alice cannot be found."),
    );
    assert_eq!(f.iam.get_user(acct, "ALICE2")?, renamed);
    // Changing only the case of one's own name is allowed; taking another's name is not.
    let recased = f.iam.update_user(acct, "alice2", Some("Alice2"), None)?;
    assert_eq!(recased.user_name, "Alice2");
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.update_user(acct, "alice2", Some("OPS"), None),
        "EntityAlreadyExists",
        Some("User with name OPS already exists."),
    );
    assert_err(
        f.iam.update_user(acct, "nobody", Some("x"), None),
        "NoSuchEntity",
        None,
    );
    assert_err(
        f.iam.update_user(acct, "ops", None, Some("nope")),
        "ValidationError",
        None,
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);

    f.iam.delete_user(acct, "OPS")?;
    assert_err(f.iam.get_user(acct, "ops"), "NoSuchEntity", None);
    assert_err(
        f.iam.delete_user(acct, "ops"),
        "NoSuchEntity",
        Some("The user with name ops cannot be found."),
    );
    // The other account's alice is untouched.
    assert_eq!(f.iam.get_user(other.id, "alice")?, other_alice);
    Ok(())
}

#[test]
fn delete_refused_while_keys_or_policies_remain() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    f.iam.create_user(acct, "bob", None)?;
    let key = f.iam.create_access_key(acct, Some("bob"))?;
    f.iam.put_user_policy(acct, "bob", "p", ALLOW_LOGS)?;
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.delete_user(acct, "bob"),
        "DeleteConflict",
        Some("Cannot delete entity, must delete access keys first."),
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);
    f.iam
        .delete_access_key(acct, Some("bob"), &key.access_key_id)?;
    assert_err(
        f.iam.delete_user(acct, "bob"),
        "DeleteConflict",
        Some("Cannot delete entity, must delete policies first."),
    );
    f.iam.delete_user_policy(acct, "bob", "p")?;
    f.iam.delete_user(acct, "bob")?;
    assert!(f.iam.list_users(acct, None, &all())?.items.is_empty());
    // A new user with the old name starts clean.
    f.iam.create_user(acct, "bob", None)?;
    assert!(
        f.iam
            .list_user_policies(acct, "bob", &all())?
            .items
            .is_empty()
    );
    assert!(
        f.iam
            .list_access_keys(acct, Some("bob"), &all())?
            .items
            .is_empty()
    );
    Ok(())
}

#[test]
fn user_parameters_are_validated() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.create_user(acct, "bad name", None),
        "ValidationError",
        Some(
            "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ),
    );
    let long = "a".repeat(65);
    assert_err(
        f.iam.create_user(acct, &long, None),
        "ValidationError",
        Some(&format!(
            "1 validation error detected: Value '{long}' at 'userName' failed to satisfy \
             constraint: Member must have length less than or equal to 64"
        )),
    );
    assert_err(f.iam.create_user(acct, "", None), "ValidationError", None);
    assert_err(
        f.iam.create_user(acct, "ok", Some("no-slashes")),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam.create_user(acct, "ok", Some("//")),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam.create_user(acct, "ok", Some("/sp ace/")),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam.create_user(acct, "bad name", Some("bad")),
        "ValidationError",
        None,
    );
    let two = f
        .iam
        .create_user(acct, "bad name", Some("bad"))
        .err()
        .map(|e| e.message());
    assert!(two.is_some_and(|m| m.starts_with("2 validation errors detected: ")));
    // Existing-user names may be up to 128 characters (and then simply not exist).
    assert_err(f.iam.get_user(acct, &"a".repeat(128)), "NoSuchEntity", None);
    assert_err(
        f.iam.get_user(acct, &"a".repeat(129)),
        "ValidationError",
        None,
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);
    // Every allowed character works.
    f.iam.create_user(acct, "a_Z9+=,.@-", Some("/!~/"))?;
    Ok(())
}

#[test]
fn list_users_pages_and_filters() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    for (name, path) in [
        ("dave", "/"),
        ("Carol", "/eng/"),
        ("bob", "/eng/ops/"),
        ("alice", "/eng/"),
        ("erin", "/sales/"),
    ] {
        f.iam.create_user(acct, name, Some(path))?;
    }
    let names = |page: &crate::Page<crate::User>| -> Vec<String> {
        page.items.iter().map(|u| u.user_name.clone()).collect()
    };
    let everyone = f.iam.list_users(acct, None, &PageRequest::default())?;
    assert_eq!(names(&everyone), ["alice", "bob", "Carol", "dave", "erin"]);
    assert!(!everyone.is_truncated && everyone.marker.is_none());

    let mut seen = Vec::new();
    let mut request = PageRequest::first(2);
    let mut pages = 0;
    loop {
        let page = f.iam.list_users(acct, None, &request)?;
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(names(&page));
        if !page.is_truncated {
            assert!(page.marker.is_none());
            break;
        }
        request.marker = page.marker.clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names(&everyone));

    let eng = f.iam.list_users(acct, Some("/eng/"), &all())?;
    assert_eq!(names(&eng), ["alice", "bob", "Carol"]);
    let ops = f.iam.list_users(acct, Some("/eng/ops"), &all())?;
    assert_eq!(names(&ops), ["bob"]);
    assert!(
        f.iam
            .list_users(acct, Some("/none/"), &all())?
            .items
            .is_empty()
    );

    assert_err(
        f.iam.list_users(acct, Some("eng"), &all()),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam.list_users(acct, None, &PageRequest::first(1001)),
        "ValidationError",
        Some(
            "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy \
             constraint: Member must have value less than or equal to 1000",
        ),
    );
    let bad_marker = PageRequest {
        marker: Some("zz-not-ours".into()),
        max_items: None,
    };
    assert_err(
        f.iam.list_users(acct, None, &bad_marker),
        "InvalidInput",
        None,
    );
    let empty_marker = PageRequest {
        marker: Some(String::new()),
        max_items: None,
    };
    assert_err(
        f.iam.list_users(acct, None, &empty_marker),
        "ValidationError",
        None,
    );
    Ok(())
}

#[test]
fn users_per_account_quota() -> TestResult {
    let f = fixture()?;
    let acct = f.account()?;
    // Fill the quota quickly in one transaction, as the store would have after many CreateUsers.
    {
        let tx = f.iam.store().db().begin_write()?;
        {
            let mut users = tx.open_table(crate::store::tables::USERS)?;
            for i in 0..USERS_PER_ACCOUNT {
                let rec = crate::store::UserRecord {
                    name: format!("u{i}"),
                    user_id: format!("AIDA{i:017}"),
                    path: "/".into(),
                    created: T0,
                };
                let key = format!("u{i}");
                users.insert(
                    (acct.as_str(), key.as_str()),
                    serde_json::to_vec(&rec)?.as_slice(),
                )?;
            }
        }
        tx.commit()?;
    }
    assert_err(
        f.iam.create_user(acct, "one-too-many", None),
        "LimitExceeded",
        Some("Cannot exceed quota for UsersPerAccount: 5000"),
    );
    // Other accounts are unaffected.
    let (other, _) = f.iam.create_account("b")?;
    f.iam.create_user(other.id, "one-too-many", None)?;
    Ok(())
}
