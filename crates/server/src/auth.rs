//! The pipeline's `Authenticator`, over the IAM domain: key lookup and identity-policy evaluation.

use std::sync::Arc;

use openwatch_iam::policy::keys;
use openwatch_iam::{ConditionContext, Decision, Iam, Principal};
use openwatch_wire::{Authenticator, Caller, RequestFacts};

pub struct IamAuthenticator {
    pub iam: Arc<Iam>,
}

impl Authenticator for IamAuthenticator {
    fn lookup(&self, access_key_id: &str) -> Option<Arc<Caller>> {
        let p = self.iam.lookup(access_key_id)?;
        Some(Arc::new(Caller::new(
            p.access_key_id.clone(),
            p.secret().to_owned(),
            p.account,
            p.identity_type(),
            p.principal_id().to_owned(),
            p.arn().to_owned(),
            p.user_name().map(str::to_owned),
            p,
        )))
    }

    fn authorize(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        facts: &RequestFacts<'_>,
    ) -> Result<(), String> {
        let Some(principal) = caller.principal.downcast_ref::<Principal>() else {
            return Err("because the caller is not known to IAM".to_owned());
        };
        let mut context = ConditionContext::new();
        context
            .insert(keys::SOURCE_IP, facts.source_ip.to_string())
            .insert(keys::REQUESTED_REGION, facts.region)
            .insert(keys::USER_AGENT, facts.user_agent)
            .insert(
                keys::SECURE_TRANSPORT,
                if facts.secure_transport {
                    "true"
                } else {
                    "false"
                },
            );
        context.set_request_time(facts.now_millis);
        match self.iam.authorize(principal, action, resource, &context) {
            Decision::Allow => Ok(()),
            Decision::ExplicitDeny => {
                Err("with an explicit deny in an identity-based policy".to_owned())
            }
            Decision::ImplicitDeny => Err(format!(
                "because no identity-based policy allows the {action} action"
            )),
        }
    }
}
