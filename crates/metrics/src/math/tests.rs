//! Golden tests: expression text + input series → expected output, through one `check` helper.

use super::*;

const M: i64 = 60_000;

fn series(label: &str, pts: &[(i64, f64)]) -> Series {
    Series {
        label: label.into(),
        points: pts.iter().map(|(t, v)| (t * M, *v)).collect(),
    }
}

/// Evaluates `expr` over inputs m1, m2 (and e1 = m1 + m2) on a 6-minute grid and renders the
/// result as text: `scalar`, `[t:v …]` or `{[…] […]}`.
fn check(expr: &str, expected: &str) {
    let m1 = series("m1", &[(0, 1.0), (1, 2.0), (2, 4.0), (4, 8.0), (5, 16.0)]);
    let m2 = series("m2", &[(0, 10.0), (1, 0.0), (3, 30.0), (4, 40.0)]);
    let frame = Frame {
        grid: (0..6).map(|i| i * M).collect(),
        period_s: 60,
        metric_ids: vec!["m1".into(), "m2".into()],
    };
    struct TestEnv {
        m1: Series,
        m2: Series,
    }
    impl Env for TestEnv {
        fn lookup(&mut self, id: &str) -> Result<Val, String> {
            match id {
                "m1" => Ok(Val::Series(self.m1.clone())),
                "m2" => Ok(Val::Series(self.m2.clone())),
                "e1" => binary(
                    Op::Add,
                    Val::Series(self.m1.clone()),
                    Val::Series(self.m2.clone()),
                ),
                other => Err(format!("no query {other}")),
            }
        }
        fn search(&mut self, q: &str, stat: &str, period: i64) -> Result<Val, String> {
            Ok(Val::Array(vec![Series {
                label: format!("{q}|{stat}|{period}"),
                points: Vec::new(),
            }]))
        }
    }
    let mut lookup = TestEnv { m1, m2 };
    let render_s = |s: &Series| {
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|(t, v)| format!("{}:{v}", t / M))
            .collect();
        format!("[{}]", pts.join(" "))
    };
    let got = match parse(expr)
        .map_err(|e| e.to_string())
        .and_then(|e| eval(&e, &frame, &mut lookup))
    {
        Ok(Val::Scalar(x)) => format!("{x}"),
        Ok(Val::Series(s)) => render_s(&s),
        Ok(Val::Array(a)) => format!(
            "{{{}}}",
            a.iter().map(render_s).collect::<Vec<_>>().join(" ")
        ),
        Err(e) => format!("error: {e}"),
    };
    assert_eq!(got, expected, "{expr}");
}

#[test]
fn arithmetic_and_alignment() {
    check("m1 * 2 + 1", "[0:3 1:5 2:9 4:17 5:33]");
    check("m1 + m2", "[0:11 1:2 4:48]");
    check("m1 / m2", "[0:0.1 4:0.2]");
    check("e1 - m2", "[0:1 1:2 4:8]");
    check("-m1 ^ 2", "[0:-1 1:-4 2:-16 4:-64 5:-256]");
    check("2 ^ 3 ^ 2", "512");
    check("(1 + 2) * 3", "9");
}

#[test]
fn comparisons_and_conditions() {
    check("m1 > 3", "[0:0 1:0 2:1 4:1 5:1]");
    check("m1 >= 2 AND m1 < 10", "[0:0 1:1 2:1 4:1 5:0]");
    check("NOT m2", "[0:0 1:1 3:0 4:0]");
    check("IF(m1 > 3, m1, 0)", "[0:0 1:0 2:4 4:8 5:16]");
    check("IF(m2, m1)", "[0:1 4:8]");
}

#[test]
fn functions() {
    check("SUM(METRICS())", "[0:11 1:2 2:4 3:30 4:48 5:16]");
    check("MAX(METRICS(\"2\"))", "[0:10 1:0 3:30 4:40]");
    check("AVG(m1)", "6.2");
    // A sparse metric's average over the points that reported: 31 / 5.
    check("DATAPOINT_COUNT(m1)", "5");
    check("SUM(m1) / DATAPOINT_COUNT(m1)", "6.2");
    // Per timestamp, how many series reported.
    check("DATAPOINT_COUNT(METRICS())", "[0:2 1:2 2:1 3:1 4:2 5:1]");
    check("STDDEV(m2)", "18.257418583505537");
    check(
        "RATE(m1)",
        "[1:0.016666666666666666 2:0.03333333333333333 4:0.03333333333333333 5:0.13333333333333333]",
    );
    check("DIFF(m1)", "[1:1 2:2 4:4 5:8]");
    check("DIFF_TIME(m1)", "[1:60 2:60 4:120 5:60]");
    check("RUNNING_SUM(m1)", "[0:1 1:3 2:7 4:15 5:31]");
    check("FILL(m2, 0)", "[0:10 1:0 2:0 3:30 4:40 5:0]");
    check("FILL(m2, REPEAT)", "[0:10 1:0 2:0 3:30 4:40 5:40]");
    check("FILL(m1, LINEAR)", "[0:1 1:2 2:4 3:6 4:8 5:16]");
    check("ABS(m2 - 20)", "[0:10 1:20 3:10 4:20]");
    check("FLOOR(m1 / 3)", "[0:0 1:0 2:1 4:2 5:5]");
    // log10(0) is -infinity: the point is dropped.
    check(
        "LOG10(m2 * 10)",
        "[0:2 3:2.4771212547196626 4:2.6020599913279625]",
    );
    check("PERIOD(m1)", "60");
    check("TIME_SERIES(5)", "[0:5 1:5 2:5 3:5 4:5 5:5]");
    check("FIRST(METRICS())", "[0:1 1:2 2:4 4:8 5:16]");
    check("REMOVE_EMPTY(METRICS(\"zz\"))", "{}");
}

#[test]
fn errors() {
    check("m9 + 1", "error: no query m9");
    check("NOPE(m1)", "error: unknown function NOPE");
    check(
        "METRICS() + METRICS()",
        "error: an operator cannot combine two arrays of time series",
    );
    check("m1 +", "error: unexpected end of expression at position 4");
}

#[test]
fn ordering_slicing_and_dates() {
    check(
        "SORT(METRICS(), MAX, DESC)",
        "{[0:10 1:0 3:30 4:40] [0:1 1:2 2:4 4:8 5:16]}",
    );
    check("SORT(METRICS(), AVG, ASC, 1)", "{[0:1 1:2 2:4 4:8 5:16]}");
    check("SLICE(METRICS(), 1, 5)", "{[0:10 1:0 3:30 4:40]}");
    // The grid starts at the epoch: Thursday 1970-01-01 00:00.
    check("MINUTE(m2)", "[0:0 1:1 3:3 4:4]");
    check(
        "HOUR(m1) + DAY(m1) * 100 + MONTH(m1) * 10000",
        "[0:10100 1:10100 2:10100 4:10100 5:10100]",
    );
    check("DAY_OF_WEEK(m2)", "[0:4 1:4 3:4 4:4]");
    check("EPOCH(m2)", "[0:0 1:60 3:180 4:240]");
    check("SEARCH('{App,Host} cpu', 'Average')", "{[]}");
}

#[test]
fn civil_dates() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    assert_eq!(civil_from_days(19_782), (2024, 2, 29));
}
