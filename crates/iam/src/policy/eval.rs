//! Identity-policy evaluation: default deny, an explicit deny wins over any allow.

use super::context::{ConditionContext, Lookup};
use super::document::{Clause, Effect, Policy, Statement};

/// The outcome of evaluating a request against a set of policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// At least one statement allows the request and none denies it.
    Allow,
    /// A statement denies the request.
    ExplicitDeny,
    /// No statement allows the request.
    ImplicitDeny,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// One authorisation question: may the caller perform `action` (`service:Action`) on `resource`
/// (an ARN, or `*` for actions without resource-level permissions) in this context?
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `service:Action`, e.g. `logs:CreateLogGroup` (compared case-insensitively).
    pub action: &'a str,
    /// The resource's ARN (compared case-sensitively), or `*`.
    pub resource: &'a str,
    /// Condition keys for this request.
    pub context: &'a ConditionContext,
}

/// Evaluates `request` against `policies`.
pub fn evaluate(policies: &[Policy], request: &Request<'_>) -> Decision {
    evaluate_with(
        policies,
        request.action,
        request.resource,
        &Lookup::new(request.context, None),
    )
}

pub(crate) fn evaluate_with(
    policies: &[Policy],
    action: &str,
    resource: &str,
    lookup: &Lookup<'_>,
) -> Decision {
    let mut allowed = false;
    for statement in policies.iter().flat_map(Policy::statements) {
        if !applies(statement, action, resource, lookup) {
            continue;
        }
        match statement.effect() {
            Effect::Deny => return Decision::ExplicitDeny,
            Effect::Allow => allowed = true,
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn clause_matches(clause: &Clause, text: &str, lookup: &Lookup<'_>) -> bool {
    match clause {
        Clause::Only(patterns) => patterns.iter().any(|p| p.matches(text, lookup)),
        Clause::Not(patterns) => !patterns.iter().any(|p| p.matches(text, lookup)),
    }
}

fn applies(statement: &Statement, action: &str, resource: &str, lookup: &Lookup<'_>) -> bool {
    clause_matches(&statement.actions, action, lookup)
        && clause_matches(&statement.resources, resource, lookup)
        && statement.conditions.iter().all(|c| c.holds(lookup))
}
