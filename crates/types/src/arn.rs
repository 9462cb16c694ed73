//! Amazon Resource Names in the `aws` partition.

use std::fmt;

use crate::{AccountId, PARTITION};

/// `arn:aws:<service>:<region>:<account>:<resource>`; region and account may be empty (IAM is global).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

impl Arn {
    /// An ARN for a regional resource of an account.
    pub fn new(service: &str, region: &str, account: AccountId, resource: &str) -> Self {
        Arn {
            service: service.to_owned(),
            region: region.to_owned(),
            account: account.as_str().to_owned(),
            resource: resource.to_owned(),
        }
    }

    /// Parses `arn:<partition>:<service>:<region>:<account>:<resource>` (the resource may contain `:`).
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        if partition.is_empty() {
            return None;
        }
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        if service.is_empty() {
            return None;
        }
        Some(Arn {
            service: service.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            resource: resource.to_owned(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{PARTITION}:{}:{}:{}:{}",
            self.service, self.region, self.account, self.resource
        )
    }
}

impl fmt::Debug for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Arn({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        let text = "arn:aws:logs:us-east-1:123456789012:log-group:app:*";
        let arn = Arn::parse(text).expect("valid arn");
        assert_eq!(arn.service, "logs");
        assert_eq!(arn.resource, "log-group:app:*");
        assert_eq!(arn.to_string(), text);
        assert!(Arn::parse("arn:aws:iam").is_none());
        assert!(Arn::parse("nope:aws:iam::1:user/x").is_none());
    }
}
