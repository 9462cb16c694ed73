//! The key directory: access key id → [`Principal`], in memory, for the per-request lookup.
//!
//! Reads take a shared lock on a `HashMap` and clone an `Arc`; writers (rare: IAM mutations)
//! replace whole entries after the catalog commit.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::model::KeyStatus;
use crate::policy::Policy;
use crate::principal::Principal;
use crate::store::OwnerState;

#[derive(Debug, Default)]
pub(crate) struct Directory {
    keys: RwLock<HashMap<String, Arc<Principal>>>,
}

/// Parses an owner's stored policies. A document that no longer parses makes the owner deny
/// everything (fail closed) rather than silently dropping what might be a `Deny`.
fn parse_policies(state: &OwnerState) -> Vec<Policy> {
    let mut out = Vec::with_capacity(state.policies.len());
    for (name, doc) in &state.policies {
        match Policy::parse(doc) {
            Ok(p) => out.push(p),
            Err(e) => {
                tracing::error!(account = %state.account, policy = name, error = %e,
                    "iam: stored policy no longer parses; denying all for its user");
                return vec![Policy::deny_all()];
            }
        }
    }
    out
}

impl Directory {
    pub(crate) fn get(&self, akid: &str) -> Option<Arc<Principal>> {
        self.keys.read().get(akid).cloned()
    }

    pub(crate) fn insert(&self, principal: Principal) {
        self.keys
            .write()
            .insert(principal.access_key_id.clone(), Arc::new(principal));
    }

    pub(crate) fn remove(&self, akid: &str) {
        self.keys.write().remove(akid);
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.read().len()
    }

    /// Replaces the entries of every key of `state`'s owner: active keys get a fresh principal
    /// (current name, path and policies), inactive ones are removed.
    pub(crate) fn apply(&self, state: &OwnerState) {
        let policies = if state.user.is_some() {
            parse_policies(state)
        } else {
            Vec::new()
        };
        let principals: Vec<(String, Option<Principal>)> = state
            .keys
            .iter()
            .map(|(akid, rec)| {
                let principal = (rec.status == KeyStatus::Active).then(|| match &state.user {
                    None => Principal::root(state.account, akid, &rec.secret),
                    Some(u) => Principal::user(
                        state.account,
                        akid,
                        &rec.secret,
                        &u.name,
                        &u.user_id,
                        &u.path,
                        policies.clone(),
                    ),
                });
                (akid.clone(), principal)
            })
            .collect();
        let mut keys = self.keys.write();
        for (akid, principal) in principals {
            match principal {
                Some(p) => {
                    keys.insert(akid, Arc::new(p));
                }
                None => {
                    keys.remove(&akid);
                }
            }
        }
    }
}
