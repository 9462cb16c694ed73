//! The anomaly-detection model: pure math over a metric's history, no IO.
//!
//! The expected value at time `t` is `trend(t) + daily[slot of day] + weekly[hour of week]`, in
//! the metric's local time (a [`Zone`]):
//!
//! - **trend**: Theil–Sen line through the medians of the (nearly) complete local days of the
//!   history; a constant (the median of every value) with fewer than two such days;
//! - **daily**: per slot of the day (the period, at least 5 minutes, at most 1 hour), the median
//!   of the detrended values in that slot (the mean with `periodic_spikes`); slots without data
//!   are interpolated from their neighbours; a profile of 48 slots or more is smoothed by a
//!   circular 3-slot moving average (not with `periodic_spikes`);
//! - **weekly**: with (nearly) two weeks of history, per hour of the week seen in at least two
//!   weeks, the median of what the daily profile leaves, shrunk by `w / (w + 1)` for `w` weeks;
//! - **spread**: the robust standard deviation (1.4826 × median absolute deviation) of what the
//!   three leave, at least 0.1% of the median magnitude (a flat metric still gets a band).
//!
//! The band is `expected ± stddevs × spread`; with `periodic_spikes` the upper bound of a slot
//! also covers the largest residual seen in that slot, so a recurring spike is not an anomaly.
//! Points inside an excluded range are not used. Training needs at least a day of history
//! ([`MIN_SPAN_MILLIS`], [`MIN_POINTS`]); with less there is no model and no band.

use super::tz::Zone;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const WEEK: i64 = 7 * DAY;
/// The history a model is trained on (two weeks).
pub const TRAINING_MILLIS: i64 = 14 * DAY;
/// Fewest usable points a model is trained from.
pub const MIN_POINTS: usize = 24;
/// Shortest span (first to last usable point) a model is trained from: a day, less one hour.
pub const MIN_SPAN_MILLIS: i64 = DAY - HOUR;

/// What training takes besides the points.
#[derive(Debug, Clone, Default)]
pub struct TrainOptions {
    /// The period of the points (ms).
    pub period_ms: i64,
    /// `[start, end]` ranges (ms) whose points are not used.
    pub excluded: Vec<(i64, i64)>,
    /// `MetricCharacteristics.PeriodicSpikes`.
    pub periodic_spikes: bool,
}

/// Why there is no model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untrained {
    /// No usable point at all.
    NoData,
    /// Some history, but less than a model needs.
    InsufficientData,
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    slot_ms: i64,
    t0: i64,
    level: f64,
    slope: f64,
    daily: Vec<f64>,
    weekly: Vec<f64>,
    spike: Vec<f64>,
    spread: f64,
    zone: Zone,
}

/// Median of `xs` (reorders it); `None` if empty.
fn median(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

/// Fills `None` slots of a circular profile by linear interpolation between the nearest filled
/// neighbours; all `None` becomes all zero.
fn fill_circular(v: &[Option<f64>]) -> Vec<f64> {
    let n = v.len();
    let filled: Vec<usize> = (0..n).filter(|i| v[*i].is_some()).collect();
    if filled.is_empty() {
        return vec![0.0; n];
    }
    (0..n)
        .map(|i| {
            if let Some(x) = v[i] {
                return x;
            }
            let next = filled
                .iter()
                .copied()
                .find(|j| *j > i)
                .unwrap_or(filled[0] + n);
            let prev = filled
                .iter()
                .copied()
                .rev()
                .find(|j| *j < i)
                .map_or(filled[filled.len() - 1] as i64 - n as i64, |j| j as i64);
            let (a, b) = (v[prev.rem_euclid(n as i64) as usize], v[next % n]);
            let (a, b) = (a.unwrap_or(0.0), b.unwrap_or(0.0));
            let span = (next as i64 - prev) as f64;
            a + (b - a) * (i as i64 - prev) as f64 / span
        })
        .collect()
}

/// A circular 3-slot moving average of a profile with at least 48 slots (less noise from
/// few samples per slot); left as is with `periodic_spikes`, whose narrow spikes it would blur.
fn smooth_circular(v: &[f64], periodic_spikes: bool) -> Vec<f64> {
    let n = v.len();
    if n < 48 || periodic_spikes {
        return v.to_vec();
    }
    (0..n)
        .map(|i| (v[(i + n - 1) % n] + v[i] + v[(i + 1) % n]) / 3.0)
        .collect()
}

/// The slot width of the daily profile for a period: the period within [5 min, 1 h], and a
/// divisor of a day.
fn slot_width(period_ms: i64) -> i64 {
    let w = period_ms.clamp(300_000, HOUR);
    if DAY % w == 0 { w } else { HOUR }
}

impl Model {
    /// Trains a model on `points` ((period start ms, value), any order).
    pub fn train(
        points: &[(i64, f64)],
        opts: &TrainOptions,
        zone: &Zone,
    ) -> Result<Model, Untrained> {
        let mut pts: Vec<(i64, f64)> = points
            .iter()
            .copied()
            .filter(|(t, v)| {
                v.is_finite() && !opts.excluded.iter().any(|(s, e)| *t >= *s && *t <= *e)
            })
            .map(|(t, v)| (zone.local(t), v))
            .collect();
        if pts.is_empty() {
            return Err(Untrained::NoData);
        }
        pts.sort_unstable_by_key(|p| p.0);
        let span = pts[pts.len() - 1].0 - pts[0].0;
        if pts.len() < MIN_POINTS || span < MIN_SPAN_MILLIS {
            return Err(Untrained::InsufficientData);
        }
        let slot_ms = slot_width(opts.period_ms);
        let slots = (DAY / slot_ms) as usize;
        let slot_of = |t: i64| (t.rem_euclid(DAY) / slot_ms) as usize;
        let how_of = |t: i64| ((t + 3 * DAY).rem_euclid(WEEK) / HOUR) as usize;

        // Trend through the medians of (nearly) complete days.
        let per_day = (DAY / opts.period_ms.max(1)).max(1) as usize;
        let mut days: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
        for (t, v) in &pts {
            days.entry(t.div_euclid(DAY)).or_default().push(*v);
        }
        let full: Vec<(f64, f64)> = days
            .iter_mut()
            .filter(|(_, vs)| vs.len() * 5 >= per_day * 4)
            .filter_map(|(d, vs)| median(vs).map(|m| ((*d * DAY + DAY / 2) as f64, m)))
            .collect();
        let t0 = pts[0].0;
        let (level, slope) = if full.len() >= 2 {
            let mut slopes = Vec::new();
            for i in 0..full.len() {
                for j in i + 1..full.len() {
                    slopes.push((full[j].1 - full[i].1) / (full[j].0 - full[i].0));
                }
            }
            let slope = median(&mut slopes).unwrap_or(0.0);
            let mut icpt: Vec<f64> = full
                .iter()
                .map(|(t, m)| m - slope * (t - t0 as f64))
                .collect();
            (median(&mut icpt).unwrap_or(0.0), slope)
        } else {
            let mut all: Vec<f64> = pts.iter().map(|p| p.1).collect();
            (median(&mut all).unwrap_or(0.0), 0.0)
        };
        let trend = |t: i64| level + slope * (t - t0) as f64;

        // Daily profile of the detrended values.
        let mut by_slot: Vec<Vec<f64>> = vec![Vec::new(); slots];
        for (t, v) in &pts {
            by_slot[slot_of(*t)].push(v - trend(*t));
        }
        let raw: Vec<Option<f64>> = by_slot
            .iter_mut()
            .map(|xs| {
                if opts.periodic_spikes && !xs.is_empty() {
                    Some(xs.iter().sum::<f64>() / xs.len() as f64)
                } else {
                    median(xs)
                }
            })
            .collect();
        let daily = smooth_circular(&fill_circular(&raw), opts.periodic_spikes);

        // Weekly correction, once every weekday has been seen.
        let weekly = if span >= 2 * WEEK - DAY {
            let mut by_how: Vec<Vec<f64>> = vec![Vec::new(); 168];
            let mut weeks: Vec<std::collections::BTreeSet<i64>> = vec![Default::default(); 168];
            for (t, v) in &pts {
                let h = how_of(*t);
                by_how[h].push(v - trend(*t) - daily[slot_of(*t)]);
                weeks[h].insert((t + 3 * DAY).div_euclid(WEEK));
            }
            by_how
                .iter_mut()
                .zip(&weeks)
                .map(|(xs, w)| {
                    let n = w.len() as f64;
                    if w.len() < 2 {
                        return 0.0;
                    }
                    median(xs).map_or(0.0, |m| m * n / (n + 1.0))
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut model = Model {
            slot_ms,
            t0,
            level,
            slope,
            daily,
            weekly,
            spike: Vec::new(),
            spread: 0.0,
            zone: zone.clone(),
        };

        // Spread of what is left.
        let mut resid: Vec<f64> = pts
            .iter()
            .map(|(t, v)| v - model.expected_local(*t))
            .collect();
        let centre = median(&mut resid.clone()).unwrap_or(0.0);
        let mut dev: Vec<f64> = resid.iter().map(|r| (r - centre).abs()).collect();
        let mad = median(&mut dev).unwrap_or(0.0);
        let mut mags: Vec<f64> = pts.iter().map(|p| p.1.abs()).collect();
        let floor = (median(&mut mags).unwrap_or(0.0) * 1e-3).max(1e-9);
        model.spread = (1.4826 * mad).max(floor);
        if opts.periodic_spikes {
            let mut spike = vec![0.0f64; slots];
            for ((t, _), r) in pts.iter().zip(resid.iter_mut()) {
                let s = &mut spike[slot_of(*t)];
                *s = s.max(*r);
            }
            model.spike = spike;
        }
        Ok(model)
    }

    fn expected_local(&self, local: i64) -> f64 {
        let slot = (local.rem_euclid(DAY) / self.slot_ms) as usize;
        let week = if self.weekly.is_empty() {
            0.0
        } else {
            self.weekly[((local + 3 * DAY).rem_euclid(WEEK) / HOUR) as usize]
        };
        self.level + self.slope * (local - self.t0) as f64 + self.daily[slot] + week
    }

    /// The expected value at `t` (UTC ms).
    pub fn expected(&self, t: i64) -> f64 {
        self.expected_local(self.zone.local(t))
    }

    /// The spread (robust standard deviation of the residuals).
    pub fn spread(&self) -> f64 {
        self.spread
    }

    /// The band `(lower, upper)` at `t` (UTC ms) for `stddevs` standard deviations.
    pub fn band(&self, t: i64, stddevs: f64) -> (f64, f64) {
        let local = self.zone.local(t);
        let e = self.expected_local(local);
        let w = stddevs * self.spread;
        let extra = if self.spike.is_empty() {
            0.0
        } else {
            self.spike[(local.rem_euclid(DAY) / self.slot_ms) as usize]
        };
        (e - w, e + w.max(extra))
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
