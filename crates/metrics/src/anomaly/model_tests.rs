use super::*;

const MIN5: i64 = 300_000;
/// 2026-11-02T00:00:00Z, a Monday.
const T0: i64 = 1_793_577_600_000;

/// A small deterministic normal generator (xorshift + Box–Muller).
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn daily_sine(t: i64) -> f64 {
    100.0 + 20.0 * (std::f64::consts::TAU * (t.rem_euclid(DAY) as f64) / DAY as f64).sin()
}

fn history(days: i64, noise: &mut Noise) -> Vec<(i64, f64)> {
    (0..days * DAY / MIN5)
        .map(|i| {
            let t = T0 + i * MIN5;
            (t, daily_sine(t) + 2.0 * noise.normal())
        })
        .collect()
}

fn opts() -> TrainOptions {
    TrainOptions {
        period_ms: MIN5,
        ..TrainOptions::default()
    }
}

#[test]
fn band_contains_normal_points_and_flags_a_spike() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let hist = history(7, &mut noise);
    let model = Model::train(&hist, &opts(), &Zone::utc()).expect("trained");
    // The spread estimates the noise's standard deviation (2).
    assert!(
        (model.spread() - 2.0).abs() < 0.5,
        "spread {}",
        model.spread()
    );
    // The next day: fresh normal points stay inside a 3-stddev band.
    let start = T0 + 7 * DAY;
    let mut inside = 0;
    let n = DAY / MIN5;
    for i in 0..n {
        let t = start + i * MIN5;
        let v = daily_sine(t) + 2.0 * noise.normal();
        let (lo, hi) = model.band(t, 3.0);
        assert!(lo < hi);
        if v >= lo && v <= hi {
            inside += 1;
        }
    }
    assert!(inside as f64 >= 0.98 * n as f64, "{inside} of {n} inside");
    // A spike of +25 at the daily peak and a dip of −25 at the trough are outside.
    let peak = start + DAY / 4;
    assert!(model.band(peak, 3.0).1 < daily_sine(peak) + 25.0);
    let trough = start + 3 * DAY / 4;
    assert!(model.band(trough, 3.0).0 > daily_sine(trough) - 25.0);
    // The band follows the seasonality: the peak's band is above the trough's.
    assert!(model.band(peak, 2.0).0 > model.band(trough, 2.0).1);
    // More standard deviations, a wider band.
    let (a, b) = model.band(peak, 2.0);
    let (c, d) = model.band(peak, 4.0);
    assert!(c < a && d > b);
}

#[test]
fn excluded_ranges_are_ignored() {
    let mut noise = Noise(42);
    let clean = history(4, &mut noise);
    let mut dirty = clean.clone();
    // An incident: values of 10,000 for the second and third days.
    let (s, e) = (T0 + DAY, T0 + 3 * DAY - 1);
    for p in dirty.iter_mut().filter(|p| p.0 >= s && p.0 <= e) {
        p.1 = 10_000.0;
    }
    let excluded = TrainOptions {
        excluded: vec![(s, e)],
        ..opts()
    };
    let with_exclusion = Model::train(&dirty, &excluded, &Zone::utc()).expect("trained");
    let without = Model::train(&dirty, &opts(), &Zone::utc()).expect("trained");
    let clean_model = Model::train(&clean, &opts(), &Zone::utc()).expect("trained");
    let t = T0 + 4 * DAY + 9 * HOUR;
    let (lo, hi) = with_exclusion.band(t, 3.0);
    assert!(daily_sine(t) > lo && daily_sine(t) < hi, "{lo}..{hi}");
    assert!((with_exclusion.expected(t) - clean_model.expected(t)).abs() < 5.0);
    // Trained on the incident, the model expects far more.
    assert!(without.expected(t) > 1_000.0, "{}", without.expected(t));
}

#[test]
fn too_little_history_gives_no_model() {
    assert_eq!(
        Model::train(&[], &opts(), &Zone::utc()),
        Err(Untrained::NoData)
    );
    let six_hours: Vec<(i64, f64)> = (0..72).map(|i| (T0 + i * MIN5, 1.0)).collect();
    assert_eq!(
        Model::train(&six_hours, &opts(), &Zone::utc()),
        Err(Untrained::InsufficientData)
    );
    // Everything excluded is no data.
    let all = TrainOptions {
        excluded: vec![(T0, T0 + DAY)],
        ..opts()
    };
    assert_eq!(
        Model::train(&six_hours, &all, &Zone::utc()),
        Err(Untrained::NoData)
    );
}

#[test]
fn flat_metric_still_has_a_band() {
    let flat: Vec<(i64, f64)> = (0..2 * DAY / MIN5).map(|i| (T0 + i * MIN5, 50.0)).collect();
    let m = Model::train(&flat, &opts(), &Zone::utc()).expect("trained");
    let (lo, hi) = m.band(T0 + 2 * DAY, 2.0);
    assert!(lo < 50.0 && hi > 50.0 && hi - lo < 1.0, "{lo}..{hi}");
}

#[test]
fn trend_is_followed() {
    // +10 per day, no seasonality: the band a day after the history is near the extrapolation.
    let pts: Vec<(i64, f64)> = (0..5 * DAY / MIN5)
        .map(|i| {
            let t = T0 + i * MIN5;
            (t, 10.0 * (t - T0) as f64 / DAY as f64)
        })
        .collect();
    let m = Model::train(&pts, &opts(), &Zone::utc()).expect("trained");
    let t = T0 + 6 * DAY;
    assert!((m.expected(t) - 60.0).abs() < 1.0, "{}", m.expected(t));
}

#[test]
fn weekly_seasonality_is_learned() {
    // Weekends (Saturday, Sunday) run at 20, weekdays at 100, for two weeks.
    let weekend = |t: i64| matches!(((t - T0).div_euclid(DAY)).rem_euclid(7), 5 | 6);
    let pts: Vec<(i64, f64)> = (0..14 * DAY / MIN5)
        .map(|i| {
            let t = T0 + i * MIN5;
            (t, if weekend(t) { 20.0 } else { 100.0 })
        })
        .collect();
    let m = Model::train(&pts, &opts(), &Zone::utc()).expect("trained");
    let saturday = T0 + 19 * DAY + 12 * HOUR;
    let tuesday = T0 + 15 * DAY + 12 * HOUR;
    assert!(m.expected(tuesday) - m.expected(saturday) > 40.0);
}

#[test]
fn periodic_spikes_widen_the_upper_bound_where_they_recur() {
    // A spike of +50 at 03:00 every third day.
    let spiky: Vec<(i64, f64)> = (0..7 * DAY / MIN5)
        .map(|i| {
            let t = T0 + i * MIN5;
            let spike = t.rem_euclid(DAY) == 3 * HOUR && (t - T0).div_euclid(DAY) % 3 == 0;
            (t, if spike { 150.0 } else { 100.0 })
        })
        .collect();
    let at = T0 + 7 * DAY + 3 * HOUR;
    let plain = Model::train(&spiky, &opts(), &Zone::utc()).expect("trained");
    assert!(plain.band(at, 2.0).1 < 150.0);
    let periodic = TrainOptions {
        periodic_spikes: true,
        ..opts()
    };
    let m = Model::train(&spiky, &periodic, &Zone::utc()).expect("trained");
    assert!(m.band(at, 2.0).1 >= 150.0);
    // Elsewhere the band stays narrow.
    assert!(m.band(at + 6 * HOUR, 2.0).1 < 110.0);
}

#[test]
fn seasonality_follows_the_local_clock() {
    // A metric that peaks at 09:00 local time in a zone at UTC+5.
    let zone = Zone::fixed(5 * HOUR);
    let pts: Vec<(i64, f64)> = (0..3 * DAY / MIN5)
        .map(|i| {
            let t = T0 + i * MIN5;
            let local_hour = (t + 5 * HOUR).rem_euclid(DAY) / HOUR;
            (t, if local_hour == 9 { 200.0 } else { 100.0 })
        })
        .collect();
    let m = Model::train(&pts, &opts(), &zone).expect("trained");
    // 04:30 UTC is 09:30 local.
    assert!(m.expected(T0 + 3 * DAY + 4 * HOUR + HOUR / 2) > 180.0);
    assert!(m.expected(T0 + 3 * DAY + 9 * HOUR) < 120.0);
}
