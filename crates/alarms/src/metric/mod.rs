//! Metric alarms: configuration, datapoints, the evaluation range and the M-of-N decision.
//!
//! [`decide`] computes what the evaluation concludes (a state, or "keep the current state");
//! [`evaluate`] turns that into an [`Evaluation`](crate::Evaluation) with reason text and data;
//! [`band`] holds the anomaly-detection (ThresholdMetricId) rules and band pairing.

pub mod band;
mod config;
mod decide;
mod range;

pub use config::{
    ComparisonOperator, Datapoint, LowSampleCount, MetricAlarmConfig, ParseError, TreatMissingData,
    low_sample_threshold, percentile_of,
};
pub use decide::{Decision, Evaluated, Verdict, decide, evaluate};
pub use range::{Slot, evaluation_range_periods, evaluation_window, slots};
