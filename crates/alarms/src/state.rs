//! Alarm states and the transition record the scheduler acts on ("actions fire on transitions only").

use std::fmt;
use std::str::FromStr;

/// The three states of a CloudWatch alarm (`StateValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    /// The wire spelling: `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown state spelling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown alarm state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for AlarmState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "OK" => Ok(AlarmState::Ok),
            "ALARM" => Ok(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Ok(AlarmState::InsufficientData),
            other => Err(UnknownState(other.to_owned())),
        }
    }
}

/// A state change: the only thing that fires actions, writes history and emits the
/// "CloudWatch Alarm State Change" event.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: AlarmState,
    pub to: AlarmState,
    /// `StateReason`.
    pub reason: String,
    /// `StateReasonData` (JSON text).
    pub reason_data: String,
}

/// The result of one evaluation of one alarm.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    /// The alarm stays in its state; nothing is recorded, no action fires.
    Unchanged,
    /// The alarm changes state.
    Transition(Transition),
}

impl Evaluation {
    /// The transition, if any.
    pub fn transition(&self) -> Option<&Transition> {
        match self {
            Evaluation::Unchanged => None,
            Evaluation::Transition(t) => Some(t),
        }
    }
}
