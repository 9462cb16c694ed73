use std::time::Duration;

use openwatch_types::AccountId;

use super::*;
use crate::{KeyStatus, PrincipalKind};

#[test]
fn create_account_makes_a_root_key_that_looks_up() -> TestResult {
    let f = fixture()?;
    let (account, key) = f.iam.create_account("prod")?;
    let id = account.id.as_str();
    assert_eq!(id.len(), 12);
    assert!(!id.starts_with('0'));
    assert_eq!(account.name, "prod");
    assert_eq!(account.create_date, T0);
    assert_eq!(account.root_arn(), format!("arn:aws:iam::{id}:root"));
    assert!(key.access_key_id.starts_with("AKIA") && key.access_key_id.len() == 20);
    assert_eq!(key.secret_access_key.expose().len(), 40);
    assert_eq!(key.user_name, None);
    assert_eq!(key.status, KeyStatus::Active);

    let p = f
        .iam
        .lookup(&key.access_key_id)
        .ok_or("root key not in directory")?;
    assert_eq!(p.account, account.id);
    assert_eq!(p.kind, PrincipalKind::Root);
    assert_eq!(p.secret(), key.secret_access_key.expose());
    assert_eq!(p.principal_id(), id);
    assert_eq!(p.arn(), format!("arn:aws:iam::{id}:root"));
    assert_eq!(p.identity_type(), "Root");
    assert!(p.is_root() && p.user_name().is_none());

    assert_eq!(f.iam.list_accounts()?, vec![account.clone()]);
    assert_eq!(f.iam.get_account(account.id)?, Some(account.clone()));
    assert_eq!(f.iam.get_account(AccountId::parse("000000000001")?)?, None);
    let (second, _) = f.iam.create_account("dev")?;
    assert_ne!(second.id, account.id);
    assert_eq!(f.iam.list_accounts()?.len(), 2);
    Ok(())
}

#[test]
fn account_name_is_validated() -> TestResult {
    let f = fixture()?;
    assert_err(f.iam.create_account(""), "ValidationError", None);
    assert_err(
        f.iam.create_account(&"x".repeat(51)),
        "ValidationError",
        None,
    );
    assert_err(f.iam.create_account("a\nb"), "ValidationError", None);
    assert!(f.iam.list_accounts()?.is_empty());
    Ok(())
}

#[test]
fn secrets_never_appear_in_debug_output() -> TestResult {
    let f = fixture()?;
    let (account, key) = f.iam.create_account("a")?;
    let secret = key.secret_access_key.expose().to_owned();
    let p = f.iam.lookup(&key.access_key_id).ok_or("missing")?;
    for text in [
        format!("{key:?}"),
        format!("{p:?}"),
        format!("{:?}", f.iam),
        format!("{:?}", f.iam.list_access_keys(account.id, None, &all())?),
    ] {
        assert!(!text.contains(&secret), "secret leaked in {text}");
    }
    Ok(())
}

#[test]
fn root_and_user_key_lifecycle() -> TestResult {
    let f = fixture()?;
    let (account, root_key) = f.iam.create_account("a")?;
    let acct = account.id;
    // Root: one key from account creation, one more allowed, the third refused.
    f.clock.advance(Duration::from_secs(1));
    let second = f.iam.create_access_key(acct, None)?;
    assert_eq!(second.create_date, T0 + 1_000);
    let quota = "Cannot exceed quota for AccessKeysPerUser: 2";
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.create_access_key(acct, None),
        "LimitExceeded",
        Some(quota),
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);

    f.iam.create_user(acct, "alice", None)?;
    let k1 = f.iam.create_access_key(acct, Some("alice"))?;
    let k2 = f.iam.create_access_key(acct, Some("ALICE"))?;
    assert_eq!(k1.user_name.as_deref(), Some("alice"));
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.create_access_key(acct, Some("alice")),
        "LimitExceeded",
        Some(quota),
    );
    assert_err(
        f.iam.create_access_key(acct, Some("nobody")),
        "NoSuchEntity",
        Some("The user with name nobody cannot be found."),
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before);

    let listed = f
        .iam
        .list_access_keys(acct, Some("alice"), &PageRequest::default())?;
    let mut ids: Vec<_> = listed
        .items
        .iter()
        .map(|k| k.access_key_id.clone())
        .collect();
    ids.sort();
    let mut want = vec![k1.access_key_id.clone(), k2.access_key_id.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert!(!listed.is_truncated);
    assert!(
        listed
            .items
            .iter()
            .all(|k| k.user_name.as_deref() == Some("alice"))
    );
    let roots = f.iam.list_access_keys(acct, None, &all())?;
    assert_eq!(roots.items.len(), 2);
    assert!(
        roots
            .items
            .iter()
            .any(|k| k.access_key_id == root_key.access_key_id)
    );

    // Paging over two keys, one at a time.
    let page1 = f
        .iam
        .list_access_keys(acct, Some("alice"), &PageRequest::first(1))?;
    assert!(page1.is_truncated);
    let page2 = f.iam.list_access_keys(
        acct,
        Some("alice"),
        &PageRequest {
            marker: page1.marker.clone(),
            max_items: Some(1),
        },
    )?;
    assert!(!page2.is_truncated && page2.marker.is_none());
    assert_eq!(page1.items.len() + page2.items.len(), 2);
    assert_ne!(page1.items[0].access_key_id, page2.items[0].access_key_id);

    // Deactivate → refused by lookup, still listed; reactivate → back.
    f.iam
        .update_access_key(acct, Some("alice"), &k1.access_key_id, KeyStatus::Inactive)?;
    assert!(f.iam.lookup(&k1.access_key_id).is_none());
    let listed = f.iam.list_access_keys(acct, Some("alice"), &all())?;
    assert!(
        listed
            .items
            .iter()
            .any(|k| k.access_key_id == k1.access_key_id && k.status == KeyStatus::Inactive)
    );
    f.iam
        .update_access_key(acct, Some("alice"), &k1.access_key_id, KeyStatus::Active)?;
    assert!(f.iam.lookup(&k1.access_key_id).is_some());

    // Keys are found only under their owner.
    let missing = format!(
        "The Access Key with id {} cannot be found.",
        k1.access_key_id
    );
    let before = snapshot(&f.iam, &[acct])?;
    assert_err(
        f.iam.delete_access_key(acct, None, &k1.access_key_id),
        "NoSuchEntity",
        Some(&missing),
    );
    f.iam.create_user(acct, "bob", None)?;
    let (other, _) = f.iam.create_account("other")?;
    let before_bob = snapshot(&f.iam, &[acct])?;
    assert_ne!(before, before_bob);
    assert_err(
        f.iam
            .delete_access_key(acct, Some("bob"), &k1.access_key_id),
        "NoSuchEntity",
        Some(&missing),
    );
    assert_err(
        f.iam
            .delete_access_key(other.id, Some("alice"), &k1.access_key_id),
        "NoSuchEntity",
        Some("The user with name alice cannot be found."),
    );
    assert_err(
        f.iam
            .update_access_key(other.id, None, &k1.access_key_id, KeyStatus::Inactive),
        "NoSuchEntity",
        Some(&missing),
    );
    assert_eq!(snapshot(&f.iam, &[acct])?, before_bob);

    // Delete → gone from the directory at once.
    f.iam
        .delete_access_key(acct, Some("alice"), &k1.access_key_id)?;
    assert!(f.iam.lookup(&k1.access_key_id).is_none());
    assert_err(
        f.iam
            .delete_access_key(acct, Some("alice"), &k1.access_key_id),
        "NoSuchEntity",
        Some(&missing),
    );
    f.iam
        .delete_access_key(acct, None, &root_key.access_key_id)?;
    assert!(f.iam.lookup(&root_key.access_key_id).is_none());
    assert_eq!(f.iam.list_access_keys(acct, None, &all())?.items.len(), 1);
    Ok(())
}

#[test]
fn key_parameters_are_validated() -> TestResult {
    let f = fixture()?;
    let (account, key) = f.iam.create_account("a")?;
    let before = snapshot(&f.iam, &[account.id])?;
    assert_err(
        f.iam.delete_access_key(account.id, None, "AKIA123"),
        "ValidationError",
        Some(
            "1 validation error detected: Value 'AKIA123' at 'accessKeyId' failed to satisfy \
             constraint: Member must have length greater than or equal to 16",
        ),
    );
    assert_err(
        f.iam
            .delete_access_key(account.id, None, "AKIA-1234567890123"),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam.create_access_key(account.id, Some("bad name")),
        "ValidationError",
        None,
    );
    assert_err(
        f.iam
            .list_access_keys(account.id, None, &PageRequest::first(0)),
        "ValidationError",
        Some(
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: \
             Member must have value greater than or equal to 1",
        ),
    );
    assert_err(KeyStatus::parse("Enabled"), "ValidationError", None);
    assert_eq!(KeyStatus::parse("Inactive")?, KeyStatus::Inactive);
    assert_eq!(snapshot(&f.iam, &[account.id])?, before);
    assert!(f.iam.lookup(&key.access_key_id).is_some());
    Ok(())
}

#[test]
fn everything_survives_reopen() -> TestResult {
    let f = fixture()?;
    let (account, root_key) = f.iam.create_account("durable")?;
    let acct = account.id;
    let user = f.iam.create_user(acct, "Alice", Some("/team/"))?;
    let key = f.iam.create_access_key(acct, Some("alice"))?;
    let inactive = f.iam.create_access_key(acct, Some("alice"))?;
    f.iam.update_access_key(
        acct,
        Some("alice"),
        &inactive.access_key_id,
        KeyStatus::Inactive,
    )?;
    let doc = "{ \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"logs:*\", \"Resource\": \"*\"} }";
    f.iam.put_user_policy(acct, "alice", "logs", doc)?;
    let before = snapshot(&f.iam, &[acct])?;

    let f = f.reopen()?;
    assert_eq!(snapshot(&f.iam, &[acct])?, before);
    assert_eq!(f.iam.list_accounts()?, vec![account]);
    assert_eq!(f.iam.get_user(acct, "ALICE")?, user);
    assert_eq!(
        f.iam
            .get_user_policy(acct, "alice", "logs")?
            .policy_document,
        doc
    );
    let root = f
        .iam
        .lookup(&root_key.access_key_id)
        .ok_or("root key lost")?;
    assert_eq!(root.secret(), root_key.secret_access_key.expose());
    let p = f.iam.lookup(&key.access_key_id).ok_or("user key lost")?;
    assert_eq!(p.secret(), key.secret_access_key.expose());
    assert_eq!(p.arn(), format!("arn:aws:iam::{acct}:user/team/Alice"));
    assert_eq!(p.policies.len(), 1);
    assert!(
        f.iam
            .authorize(
                &p,
                "logs:CreateLogGroup",
                "*",
                &crate::ConditionContext::new()
            )
            .is_allowed()
    );
    assert!(f.iam.lookup(&inactive.access_key_id).is_none());
    Ok(())
}

#[test]
fn ephemeral_keys_live_in_memory_only() -> TestResult {
    let f = fixture()?;
    let dev = AccountId::parse("000000000000")?;
    f.iam.register_ephemeral_key("test", "test", dev);
    let p = f.iam.lookup("test").ok_or("ephemeral key missing")?;
    assert_eq!((p.account, p.secret(), p.is_root()), (dev, "test", true));
    assert!(f.iam.list_access_keys(dev, None, &all())?.items.is_empty());
    // Other mutations leave it alone.
    f.iam.create_account("a")?;
    f.iam.create_user(dev, "u", None)?;
    assert!(f.iam.lookup("test").is_some());
    let f = f.reopen()?;
    assert!(f.iam.lookup("test").is_none());
    Ok(())
}
