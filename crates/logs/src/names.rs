//! Validation of names, tags and retention values, with the messages CloudWatch Logs returns.

use std::collections::BTreeMap;

use crate::error::LogsError;
use crate::limits::{
    MAX_LOG_GROUP_NAME_LEN, MAX_LOG_STREAM_NAME_LEN, MAX_TAG_KEY_LEN, MAX_TAG_VALUE_LEN, MAX_TAGS,
    RETENTION_DAYS,
};

/// The `logGroupName` pattern of the API model.
pub const LOG_GROUP_NAME_PATTERN: &str = r"[\.\-_/#A-Za-z0-9]+";
/// The `logStreamName` pattern of the API model.
pub const LOG_STREAM_NAME_PATTERN: &str = r"[^:*]*";
/// The tag key pattern of the API model.
pub const TAG_KEY_PATTERN: &str = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$";
/// The tag value pattern of the API model.
pub const TAG_VALUE_PATTERN: &str = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$";

fn validation(value: &str, member: &str, constraint: &str) -> LogsError {
    LogsError::invalid(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

fn length(value: &str, member: &str, min: usize, max: usize) -> Result<(), LogsError> {
    let n = value.chars().count();
    if n < min {
        return Err(validation(
            value,
            member,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(validation(
            value,
            member,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// Checks a log group name: 1–512 characters of `[\.\-_/#A-Za-z0-9]`.
pub fn validate_group_name(name: &str) -> Result<(), LogsError> {
    validate_group_name_as(name, "logGroupName")
}

/// As [`validate_group_name`], naming a different member in the message.
pub fn validate_group_name_as(name: &str, member: &str) -> Result<(), LogsError> {
    length(name, member, 1, MAX_LOG_GROUP_NAME_LEN)?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#'))
    {
        return Err(validation(
            name,
            member,
            &format!("Member must satisfy regular expression pattern: {LOG_GROUP_NAME_PATTERN}"),
        ));
    }
    Ok(())
}

/// Checks a log stream name: 1–512 characters, no `:` or `*`.
pub fn validate_stream_name(name: &str) -> Result<(), LogsError> {
    length(name, "logStreamName", 1, MAX_LOG_STREAM_NAME_LEN)?;
    if name.contains([':', '*']) {
        return Err(validation(
            name,
            "logStreamName",
            &format!("Member must satisfy regular expression pattern: {LOG_STREAM_NAME_PATTERN}"),
        ));
    }
    Ok(())
}

/// Checks a metric or subscription filter name: 1–512 characters, no `:` or `*`.
pub fn validate_filter_name(name: &str) -> Result<(), LogsError> {
    length(name, "filterName", 1, crate::limits::MAX_FILTER_NAME_LEN)?;
    if name.contains([':', '*']) {
        return Err(validation(
            name,
            "filterName",
            "Member must satisfy regular expression pattern: [^:*]*",
        ));
    }
    Ok(())
}

/// Checks a `retentionInDays` value against the allowed set.
pub fn validate_retention(days: i32) -> Result<(), LogsError> {
    if RETENTION_DAYS.contains(&days) {
        return Ok(());
    }
    let allowed = RETENTION_DAYS
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Err(validation(
        &days.to_string(),
        "retentionInDays",
        &format!("Member must satisfy enum value set: [{allowed}]"),
    ))
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric()
        || c.is_whitespace()
        || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
}

/// Checks one tag key.
pub fn validate_tag_key(key: &str) -> Result<(), LogsError> {
    length(key, "tags", 1, MAX_TAG_KEY_LEN)?;
    if key.starts_with("aws:") {
        return Err(LogsError::invalid(
            "Tag keys prefixed with 'aws:' are reserved for AWS use.",
        ));
    }
    if !key.chars().all(tag_char) {
        return Err(validation(
            key,
            "tags",
            &format!("Member must satisfy regular expression pattern: {TAG_KEY_PATTERN}"),
        ));
    }
    Ok(())
}

/// Checks a tag map (keys, values, and that at most [`MAX_TAGS`] would result).
pub fn validate_tags(tags: &BTreeMap<String, String>) -> Result<(), LogsError> {
    for (k, v) in tags {
        validate_tag_key(k)?;
        length(v, "tags", 0, MAX_TAG_VALUE_LEN)?;
        if !v.chars().all(tag_char) {
            return Err(validation(
                v,
                "tags",
                &format!("Member must satisfy regular expression pattern: {TAG_VALUE_PATTERN}"),
            ));
        }
    }
    check_tag_count(tags.len())
}

/// Fails if a group would hold more than [`MAX_TAGS`] tags.
pub fn check_tag_count(n: usize) -> Result<(), LogsError> {
    if n > MAX_TAGS {
        return Err(LogsError::invalid(format!(
            "A resource can have no more than {MAX_TAGS} tags."
        )));
    }
    Ok(())
}

/// Log group classes.
pub const LOG_GROUP_CLASSES: [&str; 3] = ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"];

/// Checks a `logGroupClass` value.
pub fn validate_group_class(class: &str) -> Result<(), LogsError> {
    if LOG_GROUP_CLASSES.contains(&class) {
        return Ok(());
    }
    Err(validation(
        class,
        "logGroupClass",
        &format!(
            "Member must satisfy enum value set: [{}]",
            LOG_GROUP_CLASSES.join(", ")
        ),
    ))
}

/// The ARN of a log group, without the trailing `:*`.
pub fn group_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{name}")
}

/// The ARN of a log stream.
pub fn stream_arn(region: &str, account: &str, group: &str, stream: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}")
}

/// Resolves a `logGroupIdentifier` (a name or an ARN, with or without `:*`) to a group name.
pub fn group_name_from_identifier(id: &str) -> &str {
    match id.strip_prefix("arn:") {
        Some(rest) => {
            let after = rest.split_once(":log-group:").map_or(id, |(_, n)| n);
            after.strip_suffix(":*").unwrap_or(after)
        }
        None => id,
    }
}

/// Resolves a resource ARN of TagResource & co to (region, account, group name).
pub fn parse_group_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(6, ':');
    let _partition = parts.next()?;
    if parts.next()? != "logs" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    if parts.next()? != "log-group" {
        return None;
    }
    let name = parts.next()?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    if name.is_empty() || name.contains(':') {
        return None;
    }
    Some((region, account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names() {
        assert!(validate_group_name("/aws/lambda/fn-1_a.b#c").is_ok());
        let e = validate_group_name("bad name").err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("regular expression pattern")));
        assert!(validate_group_name("").is_err());
        assert!(validate_group_name(&"a".repeat(512)).is_ok());
        assert!(validate_group_name(&"a".repeat(513)).is_err());
    }

    #[test]
    fn stream_names() {
        assert!(validate_stream_name("i-123/abc def").is_ok());
        assert!(validate_stream_name("a:b").is_err());
        assert!(validate_stream_name("a*").is_err());
    }

    #[test]
    fn arns() {
        assert_eq!(
            parse_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:/a/b:*"),
            Some(("us-east-1", "123456789012", "/a/b"))
        );
        assert_eq!(
            group_name_from_identifier("arn:aws:logs:r:1:log-group:x"),
            "x"
        );
        assert_eq!(group_name_from_identifier("plain"), "plain");
        assert!(parse_group_arn("arn:aws:sns:r:1:topic").is_none());
    }

    #[test]
    fn retention_values() {
        assert!(validate_retention(30).is_ok());
        let msg = validate_retention(2).err().map(|e| e.message().to_owned());
        assert!(msg.is_some_and(|m| m.contains("[1, 3, 5, 7, 14, 30")));
    }
}
