//! CloudWatch metrics: the time-series engine behind PutMetricData, GetMetricData, GetMetricStatistics and ListMetrics.
