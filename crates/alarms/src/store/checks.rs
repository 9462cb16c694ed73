//! The checks both Put operations share: lengths, required members, action lists and periods,
//! with AWS's error words.

use super::AlarmsError;

/// `InvalidParameterValue`.
pub(super) fn invalid(m: impl Into<String>) -> AlarmsError {
    AlarmsError::InvalidParameterValue(m.into())
}

/// A required text member of 1 to `max` characters.
pub(super) fn check_len(name: &str, v: &str, max: usize) -> Result<(), AlarmsError> {
    if v.is_empty() || v.chars().count() > max {
        return Err(invalid(format!(
            "The parameter {name} must be between 1 and {max} characters long."
        )));
    }
    Ok(())
}

/// `MissingParameter` for the member `name`.
pub(super) fn missing(name: &str) -> AlarmsError {
    AlarmsError::MissingParameter(format!("The parameter {name} is required."))
}

/// `AlarmName` (required, 1 to 255 characters) and `AlarmDescription` (at most 1024), which
/// both Put operations check first.
pub(super) fn check_name_and_description(
    name: &str,
    description: Option<&str>,
) -> Result<(), AlarmsError> {
    if name.is_empty() {
        return Err(missing("AlarmName"));
    }
    check_len("AlarmName", name, 255)?;
    if description.is_some_and(|d| d.chars().count() > 1024) {
        return Err(invalid(
            "The parameter AlarmDescription must be between 0 and 1024 characters long.",
        ));
    }
    Ok(())
}

/// The three action lists: at most 5 ARNs each.
pub(super) fn check_actions(
    ok: &[String],
    alarm: &[String],
    insufficient: &[String],
) -> Result<(), AlarmsError> {
    for (list, name) in [
        (ok, "OKActions"),
        (alarm, "AlarmActions"),
        (insufficient, "InsufficientDataActions"),
    ] {
        if list.len() > 5 {
            return Err(invalid(format!(
                "The collection {name} must not have more than 5 members."
            )));
        }
        for a in list {
            if !a.starts_with("arn:") {
                return Err(invalid(format!("Invalid arn syntax: {a}")));
            }
        }
    }
    Ok(())
}

/// A metric alarm's `Period`: 10, 20, 30 or a multiple of 60 seconds.
pub(super) fn check_period(period: i64) -> Result<(), AlarmsError> {
    if period == 10 || period == 20 || period == 30 || (period >= 60 && period % 60 == 0) {
        Ok(())
    } else {
        Err(invalid(
            "Period must be 10, 20, 30 or a multiple of 60 seconds.",
        ))
    }
}
