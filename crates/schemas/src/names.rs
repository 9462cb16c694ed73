//! Names, ARNs, limits, timestamps and page tokens.

use crate::error::SchemasError;

/// Longest description (`__stringMin0Max256`).
pub const MAX_DESCRIPTION: usize = 256;
/// Longest schema content (`__stringMin1Max100000`).
pub const MAX_CONTENT: usize = 100_000;
/// Longest registry name.
pub const MAX_REGISTRY_NAME: usize = 64;
/// Longest schema name (a discovered name is a 256-character source, `@` and a detail type).
pub const MAX_SCHEMA_NAME: usize = 385;
/// Most tags on one resource.
pub const MAX_TAGS: usize = 50;
/// Longest tag key.
pub const MAX_TAG_KEY: usize = 128;
/// Longest tag value.
pub const MAX_TAG_VALUE: usize = 256;
/// Page size when no `Limit` is given, and the largest allowed (the model's `Limit`: 1–100).
pub const MAX_LIMIT: i64 = 100;
/// SourceArn length bounds (`__stringMin20Max1600`).
pub const SOURCE_ARN_LEN: (usize, usize) = (20, 1600);

/// `arn:aws:schemas:<region>:<account>:registry/<name>`; AWS's own registry is owned by `aws`.
pub fn registry_arn(account: &str, region: &str, name: &str) -> String {
    let owner = if name == crate::model::AWS_REGISTRY {
        "aws"
    } else {
        account
    };
    format!("arn:aws:schemas:{region}:{owner}:registry/{name}")
}

/// `arn:aws:schemas:<region>:<account>:schema/<registry>/<name>`.
pub fn schema_arn(account: &str, region: &str, registry: &str, name: &str) -> String {
    format!("arn:aws:schemas:{region}:{account}:schema/{registry}/{name}")
}

/// `arn:aws:schemas:<region>:<account>:discoverer/<id>`.
pub fn discoverer_arn(account: &str, region: &str, id: &str) -> String {
    format!("arn:aws:schemas:{region}:{account}:discoverer/{id}")
}

/// What a Schemas ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    Registry(String),
    Schema(String, String),
    Discoverer(String),
}

/// Parses a Schemas ARN of `(account, region)`; anything else is `None`.
pub fn parse_arn(account: &str, region: &str, arn: &str) -> Option<Resource> {
    let rest = arn.strip_prefix("arn:aws:schemas:")?;
    let (r, rest) = rest.split_once(':')?;
    let (a, resource) = rest.split_once(':')?;
    if r != region || a != account {
        return None;
    }
    let (kind, path) = resource.split_once('/')?;
    match kind {
        "registry" if !path.is_empty() && !path.contains('/') => {
            Some(Resource::Registry(path.to_owned()))
        }
        "schema" => {
            let (reg, name) = path.split_once('/')?;
            (!reg.is_empty() && !name.is_empty())
                .then(|| Resource::Schema(reg.to_owned(), name.to_owned()))
        }
        "discoverer" if !path.is_empty() => Some(Resource::Discoverer(path.to_owned())),
        _ => None,
    }
}

/// An event bus ARN: `arn:aws:events:<region>:<account>:event-bus/<name>` → (region, account, name).
pub fn parse_bus_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:events:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, rest) = rest.split_once(':')?;
    let name = rest.strip_prefix("event-bus/")?;
    (!region.is_empty() && account.len() == 12 && !name.is_empty() && !name.contains('/'))
        .then_some((region, account, name))
}

fn name_chars_ok(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
}

/// Checks a registry name: 1–64 of `[A-Za-z0-9.-_@]`.
pub fn check_registry_name(name: &str) -> Result<(), SchemasError> {
    if name.is_empty() || name.len() > MAX_REGISTRY_NAME || !name_chars_ok(name) {
        return Err(SchemasError::BadRequest(format!(
            "Invalid registry name {name}: a registry name has 1 to {MAX_REGISTRY_NAME} characters from [A-Za-z0-9.-_@]."
        )));
    }
    Ok(())
}

/// Checks a schema name: 1–385 of `[A-Za-z0-9.-_@]`.
pub fn check_schema_name(name: &str) -> Result<(), SchemasError> {
    if name.is_empty() || name.len() > MAX_SCHEMA_NAME || !name_chars_ok(name) {
        return Err(SchemasError::BadRequest(format!(
            "Invalid schema name {name}: a schema name has 1 to {MAX_SCHEMA_NAME} characters from [A-Za-z0-9.-_@]."
        )));
    }
    Ok(())
}

/// Checks a description's length.
pub fn check_description(d: Option<&str>) -> Result<(), SchemasError> {
    if d.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(SchemasError::BadRequest(format!(
            "Description must be at most {MAX_DESCRIPTION} characters long."
        )));
    }
    Ok(())
}

/// The page size a `Limit` asks for.
pub fn page_size(limit: Option<i64>) -> Result<usize, SchemasError> {
    match limit {
        None => Ok(MAX_LIMIT as usize),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l as usize),
        Some(l) => Err(SchemasError::BadRequest(format!(
            "Limit {l} is invalid: it must be between 1 and {MAX_LIMIT}."
        ))),
    }
}

/// The token that resumes a listing after `key` (hex, so it is opaque and URL-safe).
pub fn next_token(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The key a token resumes after.
pub fn parse_token(token: &str) -> Result<String, SchemasError> {
    let bad = || SchemasError::BadRequest("The NextToken provided is invalid.".to_owned());
    if !token.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)?;
    String::from_utf8(bytes).map_err(|_| bad())
}

/// ISO 8601 with milliseconds, as the API's `__timestampIso8601` members are rendered.
pub fn iso8601(millis: i64) -> String {
    jiff::Timestamp::from_millisecond(millis)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn arns_round_trip() {
        let a = "111122223333";
        let arn = schema_arn(a, "us-east-1", "reg", "my.app@Order");
        assert_eq!(
            arn,
            "arn:aws:schemas:us-east-1:111122223333:schema/reg/my.app@Order"
        );
        assert_eq!(
            parse_arn(a, "us-east-1", &arn),
            Some(Resource::Schema("reg".into(), "my.app@Order".into()))
        );
        assert_eq!(
            parse_arn(a, "us-east-1", &registry_arn(a, "us-east-1", "r")),
            Some(Resource::Registry("r".into()))
        );
        assert_eq!(parse_arn(a, "eu-west-1", &arn), None);
        assert_eq!(
            registry_arn(a, "us-east-1", "aws.events"),
            "arn:aws:schemas:us-east-1:aws:registry/aws.events"
        );
        assert_eq!(
            parse_bus_arn("arn:aws:events:us-east-1:111122223333:event-bus/default"),
            Some(("us-east-1", "111122223333", "default"))
        );
        assert_eq!(
            parse_bus_arn("arn:aws:events:us-east-1:1:event-bus/x"),
            None
        );
    }

    #[test]
    fn tokens_and_limits() {
        let t = next_token("a\nb@c");
        assert_eq!(parse_token(&t).unwrap(), "a\nb@c");
        assert!(parse_token("zz").is_err());
        assert!(parse_token("abc").is_err());
        assert_eq!(page_size(None).unwrap(), 100);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(101)).is_err());
    }

    #[test]
    fn names_and_times() {
        assert!(check_registry_name("my-registry.v1").is_ok());
        assert!(check_registry_name("").is_err());
        assert!(check_registry_name("has space").is_err());
        assert!(check_registry_name(&"x".repeat(65)).is_err());
        assert!(check_schema_name("my.app@OrderPlaced").is_ok());
        assert!(check_schema_name("a/b").is_err());
        assert_eq!(iso8601(1_764_400_000_123), "2025-11-29T07:06:40.123Z");
    }
}
