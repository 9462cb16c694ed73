//! CloudWatch alarm evaluation: a pure function of (alarm, datapoints, state, now) to transitions.
//!
//! No IO, no clock, no storage: the scheduler fetches the datapoints of [`evaluation_window`],
//! calls [`evaluate`] and fires actions only when it returns a [`Transition`].
//!
//! - [`metric`]: metric-alarm configuration, datapoints, the evaluation range and the M-of-N
//!   decision with TreatMissingData and low-sample percentiles.
//! - [`reason`]: StateReason text and StateReasonData JSON in AWS's shape.
//! - [`rule`]: the composite AlarmRule language (parse, validate, evaluate, children, cycles).
//! - [`suppress`]: composite-alarm actions suppression (ActionsSuppressor, wait and extension).

pub mod metric;
pub mod reason;
pub mod rule;
pub mod state;
pub mod store;
pub mod suppress;
mod time;

pub use metric::{
    ComparisonOperator, Datapoint, Decision, LowSampleCount, MetricAlarmConfig, TreatMissingData,
    decide, evaluate, evaluation_range_periods, evaluation_window,
};
pub use rule::{AlarmRule, ChildState, Expr, RuleError, StateFn, evaluate_composite, find_cycle};
pub use state::{AlarmState, Evaluation, Transition};
pub use suppress::{SuppressedBy, Suppression, SuppressorView, suppressed};
