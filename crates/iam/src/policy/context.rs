//! The request context: condition keys and their values, as the server knows them for a request.

use std::collections::HashMap;

/// Global condition keys the server supplies (names as AWS documents them; lookups ignore case).
pub mod keys {
    /// The requester's IP address (`IpAddress` conditions).
    pub const SOURCE_IP: &str = "aws:SourceIp";
    /// The request time, ISO 8601 UTC (`Date` conditions).
    pub const CURRENT_TIME: &str = "aws:CurrentTime";
    /// The request time in seconds since the Unix epoch (`Date` and `Numeric` conditions).
    pub const EPOCH_TIME: &str = "aws:EpochTime";
    /// `true` when the request came over TLS (`Bool` conditions).
    pub const SECURE_TRANSPORT: &str = "aws:SecureTransport";
    /// The IAM user's name (absent for the account root).
    pub const USERNAME: &str = "aws:username";
    /// The principal's unique id (the user id, or the account id for the root).
    pub const USERID: &str = "aws:userid";
    /// The principal's account id.
    pub const PRINCIPAL_ACCOUNT: &str = "aws:PrincipalAccount";
    /// The principal's ARN.
    pub const PRINCIPAL_ARN: &str = "aws:PrincipalArn";
    /// `Account` for the root, `User` for an IAM user.
    pub const PRINCIPAL_TYPE: &str = "aws:PrincipalType";
    /// The region the request was signed for.
    pub const REQUESTED_REGION: &str = "aws:RequestedRegion";
    /// The client's `User-Agent` header.
    pub const USER_AGENT: &str = "aws:UserAgent";
}

/// Condition keys and their values for one request. Keys compare case-insensitively (as in AWS);
/// a key may hold several values (for `ForAllValues:`/`ForAnyValue:` conditions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConditionContext {
    values: HashMap<String, Vec<String>>,
}

impl ConditionContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single value `value`, replacing any previous values.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.values
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
        self
    }

    /// Sets `key` to several values, replacing any previous values.
    pub fn insert_multi<I, S>(&mut self, key: &str, values: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.values.insert(
            key.to_ascii_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// Builder form of [`insert`](Self::insert).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// Builder form of [`insert_multi`](Self::insert_multi).
    pub fn with_multi<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.insert_multi(key, values);
        self
    }

    /// Sets `aws:CurrentTime` (ISO 8601, UTC, whole seconds) and `aws:EpochTime` (seconds).
    pub fn set_request_time(&mut self, unix_millis: i64) -> &mut Self {
        let seconds = unix_millis.div_euclid(1000);
        if let Ok(ts) = jiff::Timestamp::from_second(seconds) {
            self.insert(keys::CURRENT_TIME, ts.to_string());
        }
        self.insert(keys::EPOCH_TIME, seconds.to_string())
    }

    /// The values of `key` (any case), if present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.get_lower(&key.to_ascii_lowercase())
    }

    /// Removes `key` (any case).
    pub fn remove(&mut self, key: &str) -> Option<Vec<String>> {
        self.values.remove(&key.to_ascii_lowercase())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub(crate) fn get_lower(&self, lower_key: &str) -> Option<&[String]> {
        self.values.get(lower_key).map(Vec::as_slice)
    }
}

/// Looks keys up in a principal's own context first, then in the request's context.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup<'a> {
    first: Option<&'a ConditionContext>,
    second: Option<&'a ConditionContext>,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(first: &'a ConditionContext, second: Option<&'a ConditionContext>) -> Self {
        Lookup {
            first: Some(first),
            second,
        }
    }

    #[cfg(test)]
    pub(crate) fn empty() -> Self {
        Lookup {
            first: None,
            second: None,
        }
    }

    /// Values of an already lowercased key.
    pub(crate) fn get(&self, lower_key: &str) -> Option<&'a [String]> {
        self.first
            .and_then(|c| c.get_lower(lower_key))
            .or_else(|| self.second.and_then(|c| c.get_lower(lower_key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_time_is_formatted() {
        let mut ctx = ConditionContext::new();
        ctx.insert("AWS:SourceIP", "10.0.0.1");
        assert_eq!(ctx.get("aws:sourceip"), Some(&["10.0.0.1".to_owned()][..]));
        ctx.set_request_time(1_700_000_000_123);
        assert_eq!(
            ctx.get(keys::CURRENT_TIME),
            Some(&["2023-11-14T22:13:20Z".to_owned()][..])
        );
        assert_eq!(
            ctx.get(keys::EPOCH_TIME),
            Some(&["1700000000".to_owned()][..])
        );
        assert_eq!(ctx.len(), 3);
        assert!(ctx.remove("aws:sourceip").is_some());
    }
}
