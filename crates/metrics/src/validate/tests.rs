//! Validation tests: dimension sorting, key hashing, lookups before validation.

use super::*;
use crate::model::MetricDatum;

fn datum(dims: usize) -> MetricDatum {
    let mut d = MetricDatum::value("M", 60_000, 1.0);
    // Names in reverse order, so validation has to sort them.
    d.dimensions = (0..dims)
        .rev()
        .map(|i| Dimension::new(format!("d{i:02}"), "v"))
        .collect();
    d
}

#[test]
fn dimensions_sort_inline_and_on_the_heap() {
    for n in [0, 1, 8, 9, 30] {
        let data = [datum(n)];
        let v = validate_put(Some("App"), &data, 60_000).expect("valid");
        let key = v[0].name().expect("a new series");
        let names: Vec<&str> = key.dimensions.iter().map(|d| d.name).collect();
        let want: Vec<String> = (0..n).map(|i| format!("d{i:02}")).collect();
        assert_eq!(names, want, "{n} dimensions");
        assert_eq!(
            &*v[0].entries,
            &[Entry::single(60_000, 1.0, Unit::None, false)]
        );
    }
    let mut dup = datum(10);
    dup.dimensions[9].name = "d03".into();
    let err = validate_put(Some("App"), &[dup], 60_000).expect_err("duplicate");
    assert!(err.to_string().contains("The dimension name d03"), "{err}");
}

#[test]
fn known_series_skip_key_checks_but_errors_stay_the_same() {
    let mut ix = crate::index::Index::default();
    let known = datum(3);
    let mut bad = datum(2);
    bad.dimensions[1].value = "\u{7}".into();
    let data = [known.clone(), bad];
    let first = validate_put(Some("App"), &data[..1], 60_000).expect("ok");
    let id = ix.get_or_create_valid("1", "r", "App", &first[0]);
    let resolve = |d: &[MetricDatum], p: &mut [Prepared]| ix.resolve("1", "r", "App", d, p);
    let err = validate_put_with(Some("App"), &data, 60_000, resolve).expect_err("bad value");
    let plain = validate_put(Some("App"), &data, 60_000).expect_err("bad value");
    assert_eq!(err.to_string(), plain.to_string());
    assert!(
        err.to_string()
            .contains("MetricData.member.2.Dimensions.member.2.Value")
    );
    let ok = validate_put_with(Some("App"), &data[..1], 60_000, resolve).expect("ok");
    assert_eq!(ok[0].series(), Some(id));
    assert_eq!(
        ok[0],
        ValidDatum {
            entries: first[0].entries.clone(),
            target: Target::Known(id),
        }
    );
}

#[test]
fn names_order_as_strings_do() {
    let names = [
        "",
        "a",
        "a\u{0}",
        "a\u{0}b",
        "ab",
        "abcdefgh",
        "abcdefgh\u{0}",
        "abcdefghi",
        "b",
    ];
    for a in names {
        for b in names {
            assert_eq!(name_order(a, b), a.cmp(b), "{a:?} {b:?}");
        }
    }
}

#[test]
fn equal_keys_hash_equally_and_values_list_entries() {
    let mut b = datum(3);
    b.dimensions.reverse();
    let data = [datum(3), b];
    let va = validate_put(Some("App"), &data[..1], 60_000).expect("valid");
    let vb = validate_put(Some("App"), &data[1..], 60_000).expect("valid");
    let key_hash = |v: &ValidDatum<'_>| v.name().map(|k| k.key_hash);
    assert_eq!(key_hash(&va[0]), key_hash(&vb[0]));
    assert!(key_hash(&va[0]).is_some());
    let mut c = MetricDatum::value("M", 60_000, 1.0);
    c.value = None;
    c.values = vec![1.0, 2.0, 3.0];
    c.counts = vec![1.0, 0.0, 2.0];
    let vc = validate_put(Some("App"), std::slice::from_ref(&c), 60_000).expect("valid");
    assert_eq!(vc[0].entries.len(), 2);
    assert!(matches!(vc[0].entries, Entries::Many(_)));
}

#[test]
fn the_first_error_is_named_by_its_place_across_chunks() {
    let mut ix = crate::index::Index::default();
    // Known series throughout, so that every chunk is looked up and every datum resolved.
    let one = [datum(2)];
    let known = validate_put(Some("App"), &one, 60_000).expect("ok");
    ix.get_or_create_valid("1", "r", "App", &known[0]);
    let mut data = vec![datum(2); 3 * CHUNK + 5];
    let (first, second) = (CHUNK + 7, 2 * CHUNK + 1);
    data[first].value = Some(f64::NAN);
    data[second].metric_name = None;
    let mut calls = 0;
    let resolve = |d: &[MetricDatum], p: &mut [Prepared]| {
        calls += 1;
        ix.resolve("1", "r", "App", d, p);
    };
    let err = validate_put_with(Some("App"), &data, 60_000, resolve).expect_err("bad");
    assert!(
        err.to_string()
            .contains(&format!("MetricData.member.{}.Value", first + 1)),
        "{err}"
    );
    assert_eq!(calls, 2, "stops at the chunk of the first error");
    data[first].value = Some(1.0);
    let err = validate_put(Some("App"), &data, 60_000).expect_err("bad");
    assert!(
        err.to_string()
            .contains(&format!("MetricData.member.{}.MetricName", second + 1)),
        "{err}"
    );
    data[second].metric_name = Some("M".into());
    let ok = validate_put_with(Some("App"), &data, 60_000, |d, p| {
        ix.resolve("1", "r", "App", d, p);
    })
    .expect("ok");
    assert_eq!(ok.len(), data.len());
    assert!(ok.iter().all(|v| v.series().is_some()));
}
