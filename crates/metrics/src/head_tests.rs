//! Head tests: what goes in comes back out, whatever representation a series' list uses.

use super::*;
use crate::unit::Unit;

const T0: i64 = 1_767_225_600_000;

fn all(head: &Head, id: SeriesId) -> Vec<Entry> {
    let mut v = Vec::new();
    head.for_each(id, i64::MIN / 2, i64::MAX / 2, &mut |e| v.push(*e));
    v
}

#[test]
fn single_values_come_back_bit_for_bit() {
    let mut head = Head::default();
    let entries = [
        Entry::single(T0, 1.5, Unit::Seconds, false),
        Entry::single(T0 + 60_000, -0.0, Unit::Seconds, false),
        Entry::single(T0 + PARTITION_MILLIS - 1, f64::MAX, Unit::Seconds, false),
    ];
    head.add_all(7, entries.iter().map(|e| (3, 0, e)));
    let got = all(&head, 3);
    assert_eq!(got.len(), 3);
    for (a, b) in got.iter().zip(&entries) {
        assert_eq!(a, b);
        assert_eq!(a.value.to_bits(), b.value.to_bits());
    }
    assert!(matches!(
        head.partitions[&T0].samples(3),
        Some(Samples::Points { .. })
    ));
    assert_eq!(head.entries(), 3);
    assert!(all(&head, 4).is_empty());
}

#[test]
fn a_series_widens_on_another_kind_unit_or_resolution() {
    let cases = [
        Entry::weighted(T0 + 2_000, 2.0, 3.0, Unit::Count, false),
        Entry::set(T0 + 2_000, 4.0, 10.0, 1.0, 4.0, Unit::Count, false),
        Entry::single(T0 + 2_000, 2.0, Unit::Bytes, false),
        Entry::single(T0 + 2_000, 2.0, Unit::Count, true),
    ];
    for other in cases {
        let mut head = Head::default();
        let first = Entry::single(T0 + 1_000, 1.0, Unit::Count, false);
        let last = Entry::single(T0, 5.0, Unit::Count, false);
        for e in [&first, &other, &last] {
            head.add(9, e, 1, 0);
        }
        assert!(matches!(
            head.partitions[&T0].samples(9),
            Some(Samples::Entries(_))
        ));
        assert_eq!(all(&head, 9), vec![first, other, last]);
        let sorted = head.partitions[&T0].sorted();
        assert_eq!(sorted[&9], vec![last, first, other], "sorted by time");
    }
}

#[test]
fn reads_are_clipped_to_the_range_and_partitions_split_by_hour() {
    let mut head = Head::default();
    let es: Vec<Entry> = (0..6)
        .map(|i| Entry::single(T0 + i * 1_800_000, i as f64, Unit::None, false))
        .collect();
    // Ids in different pages of the slot table, alternating between partitions.
    head.add_all(4, es.iter().map(|e| (5_000, 10, e)));
    head.add_all(2, es.iter().take(2).map(|e| (1, 0, e)));
    assert_eq!(head.partitions.len(), 3);
    assert_eq!(head.oldest_segment(), Some(2));
    assert_eq!(head.partitions[&(T0 + PARTITION_MILLIS)].first_segment, 4);
    let mut got = Vec::new();
    head.for_each(5_000, T0 + 1_800_000, T0 + 3 * 1_800_000 + 1, &mut |e| {
        got.push(e.value)
    });
    got.sort_by(f64::total_cmp);
    assert_eq!(got, vec![1.0, 2.0, 3.0]);
    let mut none = Vec::new();
    head.for_each(5_000, T0 + 1, T0 + 1, &mut |e| none.push(*e));
    head.for_each(5_000, T0 + 10, T0, &mut |e| none.push(*e));
    assert!(none.is_empty());
    let lens: Vec<(SeriesId, usize)> = head.partitions[&T0].series_lens().collect();
    assert_eq!(lens, vec![(5_000, 2), (1, 2)]);
    assert_eq!(head.entries(), 8);
}
