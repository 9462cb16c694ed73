//! The IAM identity-policy language: parsing and validation with IAM's error messages, and
//! evaluation of a request against a principal's policies. Pure: no IO.
//!
//! - [`Policy::parse`]: JSON text → validated, compiled [`Policy`] (or IAM's
//!   `MalformedPolicyDocument` message in a [`PolicyError`]).
//! - [`evaluate`]: policies × [`Request`] → [`Decision`] (default deny; explicit deny wins).
//! - [`ConditionContext`]: the condition keys of a request ([`keys`] names the global ones).

mod condition;
mod context;
mod document;
mod eval;
mod time;
mod wildcard;

#[cfg(test)]
mod tests;

pub use context::{ConditionContext, keys};
pub use document::{
    Effect, MSG_LEGACY, MSG_NO_ACTIONS, MSG_NO_RESOURCES, MSG_ONE_COLON, MSG_PRINCIPAL,
    MSG_RESOURCE_VENDOR, MSG_SID_ALNUM, MSG_SID_UNIQUE, MSG_SYNTAX, MSG_VENDOR,
    POLICY_VERSION_2008_10_17, POLICY_VERSION_2012_10_17, Policy, PolicyError, PolicyVersion,
    Statement,
};
pub use eval::{Decision, Request, evaluate};

pub(crate) use context::Lookup;
pub(crate) use eval::evaluate_with;
