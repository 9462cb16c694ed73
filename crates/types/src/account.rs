//! Account ids (12 decimal digits) and region names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A 12-digit AWS-style account id, stored as its decimal text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId([u8; 12]);

/// The text given was not twelve ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid account id {0:?}: must be 12 digits")]
pub struct InvalidAccountId(pub String);

impl AccountId {
    /// `000000000000`, the account the conventional emulator credentials (`test`/`test`) name.
    pub const ZERO: AccountId = AccountId(*b"000000000000");

    /// Parses a 12-digit account id.
    pub fn parse(s: &str) -> Result<Self, InvalidAccountId> {
        let bytes = s.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(InvalidAccountId(s.to_owned()));
        }
        let mut out = [0u8; 12];
        out.copy_from_slice(bytes);
        Ok(AccountId(out))
    }

    /// Builds an account id from a number below 10^12 (zero padded).
    pub fn from_number(n: u64) -> Result<Self, InvalidAccountId> {
        if n >= 1_000_000_000_000 {
            return Err(InvalidAccountId(n.to_string()));
        }
        Self::parse(&format!("{n:012}"))
    }

    /// The id as its 12-digit text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("000000000000")
    }
}

impl TryFrom<String> for AccountId {
    type Error = InvalidAccountId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AccountId> for String {
    fn from(a: AccountId) -> String {
        a.as_str().to_owned()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.as_str())
    }
}

/// A region name such as `us-east-1`, taken from the SigV4 credential scope.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Region(String);

impl Region {
    /// Wraps a region name; names are lowercase letters, digits and dashes, 1–64 bytes.
    pub fn new(name: &str) -> Option<Self> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        ok.then(|| Region(name.to_owned()))
    }

    /// The region's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(AccountId::parse("123456789012").is_ok());
        assert!(AccountId::parse("12345678901").is_err());
        assert!(AccountId::parse("12345678901a").is_err());
        assert_eq!(
            AccountId::from_number(42).map(|a| a.to_string()),
            Ok("000000000042".to_owned())
        );
        assert!(AccountId::from_number(1_000_000_000_000).is_err());
    }

    #[test]
    fn regions_are_lowercase_names() {
        assert!(Region::new("us-east-1").is_some());
        assert!(Region::new("US-EAST-1").is_none());
        assert!(Region::new("").is_none());
    }
}
