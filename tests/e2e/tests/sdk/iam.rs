//! IAM (awsquery/XML) through aws-sdk-iam: users, access keys, inline policies, and the
//! authorization those policies grant.

use aws_sdk_iam::types::StatusType;

use openwatch_e2e::{Clients, Keys, TestServer, expect_err, ok, service_error};

fn allow(action: &str, resource: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]
    })
    .to_string()
}

/// AWS returns policy documents URL-encoded (RFC 3986); the SDK passes them through as sent.
fn policy_json(document: &str) -> serde_json::Value {
    let decoded = if document.trim_start().starts_with('{') {
        document.to_owned()
    } else {
        percent_decode(document)
    };
    serde_json::from_str(&decoded)
        .unwrap_or_else(|e| panic!("policy document is not JSON ({e}): {document}"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("percent-decoded policy is UTF-8")
}

/// Creates a user with one access key, returning the key.
async fn user_with_key(root: &Clients, name: &str) -> Keys {
    ok(
        root.iam.create_user().user_name(name).send().await,
        "CreateUser",
    );
    let key = ok(
        root.iam.create_access_key().user_name(name).send().await,
        "CreateAccessKey",
    )
    .access_key
    .expect("CreateAccessKey returns the key");
    Keys::new(key.access_key_id(), key.secret_access_key())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_inline_policies_decide_what_its_key_may_do() {
    let server = TestServer::start().await;
    let account = server.account().to_owned();
    let root = server.root_clients();

    let user = ok(
        root.iam.create_user().user_name("alice").send().await,
        "CreateUser",
    )
    .user
    .expect("CreateUser returns the user");
    assert_eq!(user.user_name(), "alice");
    assert_eq!(user.path(), "/");
    assert_eq!(user.arn(), format!("arn:aws:iam::{account}:user/alice"));
    assert!(
        user.user_id().starts_with("AIDA"),
        "user id {:?}",
        user.user_id()
    );

    let key = ok(
        root.iam.create_access_key().user_name("alice").send().await,
        "CreateAccessKey",
    )
    .access_key
    .expect("CreateAccessKey returns the key");
    assert_eq!(key.user_name(), "alice");
    assert!(
        key.access_key_id().starts_with("AKIA"),
        "key id {:?}",
        key.access_key_id()
    );
    assert_eq!(key.secret_access_key().len(), 40);
    assert_eq!(key.status(), &StatusType::Active);
    let alice = server.clients(&Keys::new(key.access_key_id(), key.secret_access_key()));

    // A new key works at once; with no policy it may only ask who it is.
    let me = ok(
        alice.sts.get_caller_identity().send().await,
        "GetCallerIdentity as alice",
    );
    assert_eq!(me.arn(), Some(user.arn()));
    assert_eq!(me.user_id(), Some(user.user_id()));
    assert_eq!(me.account(), Some(account.as_str()));
    let info = service_error(
        &expect_err(
            alice.iam.list_users().send().await,
            "ListUsers as alice, no policy",
        ),
        "ListUsers as alice, no policy",
    );
    assert_eq!(info.code, "AccessDenied", "{info:?}");
    assert_eq!(info.status, 403, "{info:?}");

    // Allow ListUsers only.
    let list_only = allow("iam:ListUsers", "*");
    ok(
        root.iam
            .put_user_policy()
            .user_name("alice")
            .policy_name("list-users-only")
            .policy_document(&list_only)
            .send()
            .await,
        "PutUserPolicy",
    );
    let got = ok(
        root.iam
            .get_user_policy()
            .user_name("alice")
            .policy_name("list-users-only")
            .send()
            .await,
        "GetUserPolicy",
    );
    assert_eq!(got.user_name(), "alice");
    assert_eq!(got.policy_name(), "list-users-only");
    assert_eq!(policy_json(got.policy_document()), policy_json(&list_only));

    let users = ok(alice.iam.list_users().send().await, "ListUsers as alice");
    assert!(
        users.users().iter().any(|u| u.user_name() == "alice"),
        "ListUsers lists alice: {:?}",
        users.users()
    );
    let info = service_error(
        &expect_err(
            alice.iam.create_user().user_name("mallory").send().await,
            "CreateUser as alice",
        ),
        "CreateUser as alice",
    );
    assert_eq!(info.code, "AccessDenied", "{info:?}");
    assert_eq!(info.status, 403, "{info:?}");
    let message = info.message.clone().unwrap_or_default();
    assert!(
        message.contains(user.arn()) && message.contains("iam:CreateUser"),
        "the denial names the caller and the action: {message}"
    );
    // The denied call changed nothing.
    let err = expect_err(
        root.iam.get_user().user_name("mallory").send().await,
        "GetUser mallory",
    );
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_no_such_entity_exception()),
        "{:?}",
        service_error(&err, "GetUser mallory")
    );

    // A second policy allows GetUser on alice's own ARN only.
    ok(
        root.iam.create_user().user_name("bob").send().await,
        "CreateUser bob",
    );
    ok(
        root.iam
            .put_user_policy()
            .user_name("alice")
            .policy_name("get-self")
            .policy_document(allow("iam:GetUser", user.arn()))
            .send()
            .await,
        "PutUserPolicy get-self",
    );
    let mut names = ok(
        root.iam
            .list_user_policies()
            .user_name("alice")
            .send()
            .await,
        "ListUserPolicies",
    )
    .policy_names()
    .to_vec();
    names.sort();
    assert_eq!(names, ["get-self", "list-users-only"]);
    let got = ok(
        alice.iam.get_user().user_name("alice").send().await,
        "GetUser alice as alice",
    )
    .user
    .expect("GetUser returns the user");
    assert_eq!(got.arn(), user.arn());
    let info = service_error(
        &expect_err(
            alice.iam.get_user().user_name("bob").send().await,
            "GetUser bob as alice",
        ),
        "GetUser bob as alice",
    );
    assert_eq!(info.code, "AccessDenied", "{info:?}");

    // Removing the policy takes effect at once.
    ok(
        root.iam
            .delete_user_policy()
            .user_name("alice")
            .policy_name("list-users-only")
            .send()
            .await,
        "DeleteUserPolicy",
    );
    let info = service_error(
        &expect_err(
            alice.iam.list_users().send().await,
            "ListUsers after DeleteUserPolicy",
        ),
        "ListUsers after DeleteUserPolicy",
    );
    assert_eq!(info.code, "AccessDenied", "{info:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_errors_and_quotas_are_reported_as_aws_does() {
    let server = TestServer::start().await;
    let root = server.root_clients();

    // NoSuchEntity (404) for a missing user.
    let err = expect_err(
        root.iam.get_user().user_name("nobody").send().await,
        "GetUser nobody",
    );
    let info = service_error(&err, "GetUser nobody");
    assert_eq!(info.code, "NoSuchEntity", "{info:?}");
    assert_eq!(info.status, 404, "{info:?}");
    assert!(err.into_service_error().is_no_such_entity_exception());

    let first = user_with_key(&root, "carol").await;

    // EntityAlreadyExists (409) for a taken name.
    let err = expect_err(
        root.iam.create_user().user_name("carol").send().await,
        "CreateUser carol again",
    );
    let info = service_error(&err, "CreateUser carol again");
    assert_eq!(info.code, "EntityAlreadyExists", "{info:?}");
    assert_eq!(info.status, 409, "{info:?}");
    assert!(
        err.into_service_error()
            .is_entity_already_exists_exception()
    );

    // Two access keys per user; the third is LimitExceeded (409).
    let second = ok(
        root.iam.create_access_key().user_name("carol").send().await,
        "second key",
    )
    .access_key
    .expect("the second key");
    let err = expect_err(
        root.iam.create_access_key().user_name("carol").send().await,
        "third key",
    );
    let info = service_error(&err, "third key");
    assert_eq!(info.code, "LimitExceeded", "{info:?}");
    assert_eq!(info.status, 409, "{info:?}");
    assert!(err.into_service_error().is_limit_exceeded_exception());

    let keys = ok(
        root.iam.list_access_keys().user_name("carol").send().await,
        "ListAccessKeys",
    );
    let mut ids: Vec<&str> = keys
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![first.access_key_id.as_str(), second.access_key_id()];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    // DeleteConflict (409) while the user still has keys or policies.
    ok(
        root.iam
            .put_user_policy()
            .user_name("carol")
            .policy_name("p")
            .policy_document(allow("iam:ListUsers", "*"))
            .send()
            .await,
        "PutUserPolicy",
    );
    let err = expect_err(
        root.iam.delete_user().user_name("carol").send().await,
        "DeleteUser with keys",
    );
    let info = service_error(&err, "DeleteUser with keys");
    assert_eq!(info.code, "DeleteConflict", "{info:?}");
    assert_eq!(info.status, 409, "{info:?}");
    assert!(err.into_service_error().is_delete_conflict_exception());

    // Emptied, the user can be deleted; its keys stop working at once.
    ok(
        root.iam
            .delete_user_policy()
            .user_name("carol")
            .policy_name("p")
            .send()
            .await,
        "DeleteUserPolicy",
    );
    for id in [first.access_key_id.as_str(), second.access_key_id()] {
        ok(
            root.iam
                .delete_access_key()
                .user_name("carol")
                .access_key_id(id)
                .send()
                .await,
            "DeleteAccessKey",
        );
    }
    ok(
        root.iam.delete_user().user_name("carol").send().await,
        "DeleteUser",
    );
    let info = service_error(
        &expect_err(
            root.iam.get_user().user_name("carol").send().await,
            "GetUser deleted",
        ),
        "GetUser deleted",
    );
    assert_eq!(info.code, "NoSuchEntity", "{info:?}");
    let info = service_error(
        &expect_err(
            server
                .clients(&first)
                .sts
                .get_caller_identity()
                .send()
                .await,
            "GetCallerIdentity with a deleted key",
        ),
        "GetCallerIdentity with a deleted key",
    );
    assert_eq!(info.code, "InvalidClientTokenId", "{info:?}");

    // The root's own ListUsers no longer shows carol.
    let users = ok(root.iam.list_users().send().await, "ListUsers");
    assert!(
        users.users().iter().all(|u| u.user_name() != "carol"),
        "{:?}",
        users.users()
    );
    server.shutdown().await;
}
