//! What the pipeline needs from the accounts domain, as traits so `wire` does not depend on it.

use std::any::Any;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use openwatch_types::AccountId;

/// An authenticated principal, as the pipeline and the trail see it.
pub struct Caller {
    pub access_key_id: String,
    pub account: AccountId,
    /// `Root` or `IAMUser`.
    pub identity_type: &'static str,
    pub principal_id: String,
    pub arn: String,
    pub user_name: Option<String>,
    secret: String,
    /// The authenticator's own record of the principal (policies and so on).
    pub principal: Arc<dyn Any + Send + Sync>,
}

impl Caller {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        access_key_id: String,
        secret: String,
        account: AccountId,
        identity_type: &'static str,
        principal_id: String,
        arn: String,
        user_name: Option<String>,
        principal: Arc<dyn Any + Send + Sync>,
    ) -> Self {
        Caller {
            access_key_id,
            account,
            identity_type,
            principal_id,
            arn,
            user_name,
            secret,
            principal,
        }
    }

    /// The caller of an unsigned request that an operation accepts anonymously (see
    /// `Operation::anonymous_get`): no key, identity type `Anonymous`, in the account the
    /// operation's scope names.
    pub fn anonymous(account: AccountId) -> Self {
        Caller::new(
            String::new(),
            String::new(),
            account,
            "Anonymous",
            "anonymous".to_owned(),
            "anonymous".to_owned(),
            None,
            Arc::new(()),
        )
    }

    /// Whether the request was unsigned ([`Caller::anonymous`]).
    pub fn is_anonymous(&self) -> bool {
        self.access_key_id.is_empty() && self.identity_type == "Anonymous"
    }

    /// The secret access key the request must have been signed with.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("access_key_id", &self.access_key_id)
            .field("account", &self.account)
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

/// Facts about a request that policy conditions may test.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    pub source_ip: IpAddr,
    pub region: &'a str,
    pub user_agent: &'a str,
    pub now_millis: i64,
    pub secure_transport: bool,
}

/// Resolves access keys and evaluates identity policies.
pub trait Authenticator: Send + Sync + 'static {
    /// The principal owning `access_key_id`, if the key exists and is active.
    fn lookup(&self, access_key_id: &str) -> Option<Arc<Caller>>;

    /// `Ok` if `caller` may perform `action` on `resource`; `Err` names why not, for the
    /// `AccessDenied` message ("because no identity-based policy allows the … action").
    fn authorize(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        facts: &RequestFacts<'_>,
    ) -> Result<(), String>;
}
