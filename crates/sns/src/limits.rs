//! Named quotas of SNS (page size, message size, tags per topic) and their checks.

use std::collections::BTreeMap;

use crate::SnsError;

/// Items per page of ListTopics / ListSubscriptions.
pub const PAGE_SIZE: usize = 100;
/// Largest message AWS accepts (256 KiB).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// At most this many tags per topic.
pub const MAX_TAGS: usize = 50;

pub(crate) fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), SnsError> {
    if tags.len() > MAX_TAGS {
        return Err(SnsError::TagLimitExceeded(
            "Could not complete request: tag quota of per resource exceeded".into(),
        ));
    }
    for (k, v) in tags {
        if k.is_empty()
            || k.chars().count() > 128
            || v.chars().count() > 256
            || k.starts_with("aws:")
        {
            return Err(SnsError::invalid(format!("Invalid parameter: Tags: {k}")));
        }
    }
    Ok(())
}
