//! EventBridge: event buses, rules with the event-pattern language, targets and delivery.
