//! Ids, ARNs, accounts, regions and AWS limits shared by every OpenWatch crate. No IO.

mod account;
mod arn;
pub mod fxhash;

pub use account::{AccountId, InvalidAccountId, Region};
pub use arn::Arn;

/// The AWS partition every ARN uses, so that clients parse them.
pub const PARTITION: &str = "aws";

/// Region used when a request names none (CLI default, and the region of global services such as IAM).
pub const DEFAULT_REGION: &str = "us-east-1";

/// Milliseconds since the Unix epoch, the time unit of every domain crate.
pub type UnixMillis = i64;
