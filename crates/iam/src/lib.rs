//! OpenWatch IAM: accounts, IAM users, access keys, inline user policies and identity-policy
//! evaluation.
//!
//! - [`Iam`]: the facade. Durable state lives in the catalog (redb tables prefixed `iam_`); an
//!   in-memory directory maps access key ids to [`Principal`]s for the per-request
//!   [`Iam::lookup`], and [`Iam::authorize`] answers "may this principal do this?".
//! - [`policy`]: the policy language (pure): parse/validate documents, evaluate requests.
//! - [`store::limits`]: IAM's parameter constraints and quotas as named constants.
//!
//! **Architecture Invariant**: no HTTP here. The IAM/STS service facades map wire shapes to these
//! calls and render [`IamError`] with its [`code`](IamError::code),
//! [`status`](IamError::status) and [`message`](IamError::message).

mod directory;
mod error;
mod iam;
mod model;
pub mod policy;
mod principal;
pub mod store;

#[cfg(test)]
mod tests;

pub use error::{IamError, SERVICE_FAILURE_MESSAGE};
pub use iam::Iam;
pub use model::{
    AccessKey, AccessKeyMetadata, Account, KeyStatus, Page, PageRequest, SecretKey, User,
    UserPolicy, root_arn, user_arn,
};
pub use policy::{ConditionContext, Decision, Policy, PolicyError, Request, evaluate};
pub use principal::{Principal, PrincipalKind};
