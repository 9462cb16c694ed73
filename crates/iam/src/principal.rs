//! `Principal`: who signed a request (an access key's owner), with what it may do.

use std::fmt;

use openwatch_types::{AccountId, Arn};

use crate::model::{root_arn, user_arn};
use crate::policy::{ConditionContext, Decision, Lookup, Policy, evaluate_with, keys};

/// The owner of an access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account root: may do everything in its own account.
    Root,
    /// An IAM user: may do what its inline policies allow.
    User {
        /// The user's name.
        name: String,
        /// The user's unique id (`AIDA…`).
        user_id: String,
        /// The user's ARN.
        arn: String,
        /// The user's path.
        path: String,
    },
}

/// The identity behind an access key, as the request pipeline needs it: account, secret (to
/// verify the signature), kind, and parsed policies. `Debug` never shows the secret.
pub struct Principal {
    /// The account the key belongs to.
    pub account: AccountId,
    /// The access key id.
    pub access_key_id: String,
    secret: String,
    /// Root or user.
    pub kind: PrincipalKind,
    /// The user's inline policies (empty for the root).
    pub policies: Vec<Policy>,
    arn: String,
    /// Condition keys that describe the principal (`aws:username`, `aws:userid`, …).
    context: ConditionContext,
}

impl Principal {
    /// The root of `account`, signing with `access_key_id`/`secret`.
    pub(crate) fn root(account: AccountId, access_key_id: &str, secret: &str) -> Self {
        Self::build(
            account,
            access_key_id,
            secret,
            PrincipalKind::Root,
            Vec::new(),
        )
    }

    /// An IAM user.
    pub(crate) fn user(
        account: AccountId,
        access_key_id: &str,
        secret: &str,
        name: &str,
        user_id: &str,
        path: &str,
        policies: Vec<Policy>,
    ) -> Self {
        let kind = PrincipalKind::User {
            name: name.to_owned(),
            user_id: user_id.to_owned(),
            arn: user_arn(account, path, name),
            path: path.to_owned(),
        };
        Self::build(account, access_key_id, secret, kind, policies)
    }

    fn build(
        account: AccountId,
        access_key_id: &str,
        secret: &str,
        kind: PrincipalKind,
        policies: Vec<Policy>,
    ) -> Self {
        let (arn, principal_type) = match &kind {
            PrincipalKind::Root => (root_arn(account), "Account"),
            PrincipalKind::User { arn, .. } => (arn.clone(), "User"),
        };
        let mut context = ConditionContext::new();
        context
            .insert(keys::PRINCIPAL_ACCOUNT, account.as_str())
            .insert(keys::PRINCIPAL_ARN, arn.clone())
            .insert(keys::PRINCIPAL_TYPE, principal_type);
        match &kind {
            PrincipalKind::Root => {
                context.insert(keys::USERID, account.as_str());
            }
            PrincipalKind::User { name, user_id, .. } => {
                context
                    .insert(keys::USERID, user_id.clone())
                    .insert(keys::USERNAME, name.clone());
            }
        }
        Principal {
            account,
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
            kind,
            policies,
            arn,
            context,
        }
    }

    /// The secret access key (for signature verification only).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The principal id: the account id for the root, the user id for a user.
    pub fn principal_id(&self) -> &str {
        match &self.kind {
            PrincipalKind::Root => self.account.as_str(),
            PrincipalKind::User { user_id, .. } => user_id,
        }
    }

    /// `arn:aws:iam::<account>:root` or the user's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// CloudTrail's `userIdentity.type`: `Root` or `IAMUser`.
    pub fn identity_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Root => "Root",
            PrincipalKind::User { .. } => "IAMUser",
        }
    }

    /// The user name, for a user.
    pub fn user_name(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::Root => None,
            PrincipalKind::User { name, .. } => Some(name),
        }
    }

    /// Whether this is the account root.
    pub fn is_root(&self) -> bool {
        self.kind == PrincipalKind::Root
    }

    /// The condition keys describing this principal (`aws:username`, `aws:userid`,
    /// `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalType`). [`authorize`] adds them to
    /// every request's context.
    ///
    /// [`authorize`]: Self::authorize
    pub fn context(&self) -> &ConditionContext {
        &self.context
    }

    /// May this principal perform `action` on `resource`? The root may do anything in its own
    /// account; a user what its policies allow. Resources of another account are never allowed
    /// here (cross-account access needs a resource policy, which the owning service checks).
    pub fn authorize(&self, action: &str, resource: &str, context: &ConditionContext) -> Decision {
        let own_account = resource_in_account(resource, self.account);
        match self.kind {
            PrincipalKind::Root => {
                if own_account {
                    Decision::Allow
                } else {
                    Decision::ImplicitDeny
                }
            }
            PrincipalKind::User { .. } => {
                let lookup = Lookup::new(&self.context, Some(context));
                match evaluate_with(&self.policies, action, resource, &lookup) {
                    Decision::Allow if !own_account => Decision::ImplicitDeny,
                    other => other,
                }
            }
        }
    }
}

/// Whether `resource` (an ARN or `*`) belongs to `account` or to no account.
fn resource_in_account(resource: &str, account: AccountId) -> bool {
    if resource == "*" {
        return true;
    }
    match Arn::parse(resource) {
        Some(arn) => arn.account.is_empty() || arn.account == account.as_str(),
        None => true,
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("account", &self.account)
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"**redacted**")
            .field("kind", &self.kind)
            .field("policies", &self.policies.len())
            .finish()
    }
}
