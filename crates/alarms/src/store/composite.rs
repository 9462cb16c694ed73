//! Composite alarms as stored, and PutCompositeAlarm's request and validation.

use serde::{Deserialize, Serialize};

use crate::rule::AlarmRule;
use crate::state::AlarmState;

use super::AlarmsError;
use super::checks::{check_actions, check_name_and_description, missing};

/// A composite alarm as stored (one catalog record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeAlarm {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub actions_enabled: bool,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub alarm_rule: String,
    pub actions_suppressor: Option<String>,
    pub actions_suppressor_wait_period: Option<u32>,
    pub actions_suppressor_extension_period: Option<u32>,
    pub tags: Vec<(String, String)>,
    pub configuration_updated_ms: i64,
    pub state_value: String,
    pub state_reason: String,
    pub state_reason_data: Option<String>,
    pub state_updated_ms: i64,
    pub state_transitioned_ms: i64,
    /// The state before the last transition.
    #[serde(default)]
    pub previous_state_value: Option<String>,
    /// The actions of the current state, while its `ActionsSuppressor` holds them back.
    #[serde(default)]
    pub pending_actions: Option<PendingActions>,
}

/// A composite alarm's suppressed actions: those of `state`, entered at `since_ms`, held back
/// by `suppressed_by` (`WaitPeriod`, `ExtensionPeriod` or `Alarm`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingActions {
    pub state: String,
    pub since_ms: i64,
    pub suppressed_by: String,
}

impl CompositeAlarm {
    /// The current state.
    pub fn state(&self) -> AlarmState {
        self.state_value
            .parse()
            .unwrap_or(AlarmState::InsufficientData)
    }

    /// The parsed rule (validated when stored).
    pub fn rule(&self) -> Option<AlarmRule> {
        AlarmRule::parse(&self.alarm_rule).ok()
    }

    /// Whether any action list holds an ARN starting with `prefix`.
    pub fn has_action_prefix(&self, prefix: &str) -> bool {
        self.ok_actions
            .iter()
            .chain(&self.alarm_actions)
            .chain(&self.insufficient_data_actions)
            .any(|a| a.starts_with(prefix))
    }
}

/// PutCompositeAlarm's members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutCompositeAlarm {
    pub name: String,
    pub description: Option<String>,
    pub actions_enabled: Option<bool>,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub alarm_rule: Option<String>,
    pub actions_suppressor: Option<String>,
    pub actions_suppressor_wait_period: Option<i64>,
    pub actions_suppressor_extension_period: Option<i64>,
    pub tags: Vec<(String, String)>,
}

impl PutCompositeAlarm {
    /// Validates the request; returns the parsed rule.
    pub fn validate(&self) -> Result<AlarmRule, AlarmsError> {
        check_name_and_description(&self.name, self.description.as_deref())?;
        let text = self
            .alarm_rule
            .as_deref()
            .ok_or_else(|| missing("AlarmRule"))?;
        let rule = AlarmRule::parse(text).map_err(|e| AlarmsError::Validation(e.to_string()))?;
        check_actions(
            &self.ok_actions,
            &self.alarm_actions,
            &self.insufficient_data_actions,
        )?;
        super::tags::check_tags(&self.tags)?;
        for (name, v) in [
            (
                "ActionsSuppressorWaitPeriod",
                self.actions_suppressor_wait_period,
            ),
            (
                "ActionsSuppressorExtensionPeriod",
                self.actions_suppressor_extension_period,
            ),
        ] {
            match (&self.actions_suppressor, v) {
                (Some(_), None) => return Err(missing(name)),
                (None, Some(_)) => {
                    return Err(AlarmsError::InvalidParameterCombination(format!(
                        "{name} can only be specified with ActionsSuppressor."
                    )));
                }
                (_, Some(v)) if v < 0 || v > i64::from(u32::MAX) => {
                    return Err(AlarmsError::InvalidParameterValue(format!(
                        "The parameter {name} must be greater than or equal to 0."
                    )));
                }
                _ => {}
            }
        }
        Ok(rule)
    }
}
