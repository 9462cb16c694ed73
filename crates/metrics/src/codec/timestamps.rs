//! Delta-of-delta timestamps (Gorilla's idea, byte-aligned): the first timestamp and first delta
//! as zigzag varints, then the delta-of-deltas, with runs of zeros collapsed. Regularly spaced
//! samples cost a few bytes per series whatever their number.
//!
//! Layout after the count: `ts0`, `delta1`, then tokens `(zero_run: uvarint, dod: ivarint)` where
//! `dod` is non-zero, until `n` timestamps are produced; a final run of zeros is `(zero_run, 0)`.

use super::bytes::{Reader, Writer};
use crate::error::MetricsError;

/// Encodes `ts` (any order; sorted input compresses best).
pub fn encode(ts: &[i64], w: &mut Writer) {
    w.uvarint(ts.len() as u64);
    let Some(&first) = ts.first() else { return };
    w.ivarint(first);
    if ts.len() == 1 {
        return;
    }
    let mut prev_delta = ts[1].wrapping_sub(ts[0]);
    w.ivarint(prev_delta);
    let mut zeros = 0u64;
    for pair in ts[1..].windows(2) {
        let delta = pair[1].wrapping_sub(pair[0]);
        let dod = delta.wrapping_sub(prev_delta);
        prev_delta = delta;
        if dod == 0 {
            zeros += 1;
        } else {
            w.uvarint(zeros);
            w.ivarint(dod);
            zeros = 0;
        }
    }
    if zeros > 0 {
        w.uvarint(zeros);
        w.ivarint(0);
    }
}

/// Decodes what [`encode`] wrote.
pub fn decode(r: &mut Reader<'_>) -> Result<Vec<i64>, MetricsError> {
    // Each timestamp needs at least a fraction of a byte; bound the allocation by the input.
    let n = usize::try_from(r.uvarint()?)
        .map_err(|_| MetricsError::corrupt("timestamps", "count too large"))?;
    let mut out = Vec::with_capacity(n.min(1 << 20));
    if n == 0 {
        return Ok(out);
    }
    let mut t = r.ivarint()?;
    out.push(t);
    if n == 1 {
        return Ok(out);
    }
    let mut delta = r.ivarint()?;
    t = t.wrapping_add(delta);
    out.push(t);
    while out.len() < n {
        let zeros = r.uvarint()?;
        let dod = r.ivarint()?;
        if zeros > (n - out.len()) as u64 {
            return Err(MetricsError::corrupt(
                "timestamps",
                "run longer than the count",
            ));
        }
        for _ in 0..zeros {
            t = t.wrapping_add(delta);
            out.push(t);
        }
        if dod != 0 {
            if out.len() >= n {
                return Err(MetricsError::corrupt(
                    "timestamps",
                    "more values than the count",
                ));
            }
            delta = delta.wrapping_add(dod);
            t = t.wrapping_add(delta);
            out.push(t);
        } else if zeros == 0 {
            return Err(MetricsError::corrupt("timestamps", "empty token"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(ts: &[i64]) -> Vec<i64> {
        let mut w = Writer::default();
        encode(ts, &mut w);
        let b = w.into_inner();
        decode(&mut Reader::new(&b)).unwrap_or_default()
    }

    #[test]
    fn regular_series_cost_a_few_bytes() {
        let ts: Vec<i64> = (0..8640).map(|i| 1_700_000_000_000 + i * 10_000).collect();
        let mut w = Writer::default();
        encode(&ts, &mut w);
        assert!(w.len() < 16, "{} bytes", w.len());
        assert_eq!(round_trip(&ts), ts);
    }

    proptest! {
        #[test]
        fn any_timestamps_round_trip(ts in proptest::collection::vec(any::<i64>(), 0..300)) {
            prop_assert_eq!(round_trip(&ts), ts);
        }

        #[test]
        fn jittered_sorted_timestamps_round_trip(
            start in 0i64..2_000_000_000_000,
            gaps in proptest::collection::vec(prop_oneof![Just(10_000i64), 0i64..100_000], 0..500),
        ) {
            let mut ts = vec![start];
            for g in gaps { let last = *ts.last().unwrap_or(&0); ts.push(last + g); }
            prop_assert_eq!(round_trip(&ts), ts);
        }
    }
}
