//! CloudWatch alarm evaluation: a pure function of (alarm, datapoints, state, now) to transitions.
