//! The fixed-field column of a version-2 chunk body: per event, LEB128 varints of the stream's
//! position in the chunk's stream list, the timestamp's delta from the previous event, the
//! sequence number's and ingestion time's deltas from the previous event *of the same stream*
//! (streams interleave in key order, but each stream's batches are consecutive), and the message
//! length. Deltas of sorted keys are
//! small, so this is ~6 bytes an event before zstd instead of version 1's 36 (less to store and
//! less to decompress). Layout: `docs/format/logs.md`.

use super::event::StoredEvent;

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

/// Appends the column of `events` (sorted by key) to `out`; `streams` is the chunk's sorted stream
/// list, `min_ts` and `min_seq` its index's lower bounds.
pub(crate) fn encode(
    out: &mut Vec<u8>,
    events: &[StoredEvent],
    streams: &[u64],
    min_ts: i64,
    min_seq: u64,
) {
    let mut ts = min_ts;
    let mut prev = vec![(min_seq as i64, 0i64); streams.len()];
    for e in events {
        let si = streams.binary_search(&e.stream).unwrap_or(0);
        let (seq, ing) = prev.get(si).copied().unwrap_or_default();
        put_varint(out, si as u64);
        put_varint(out, zigzag(e.timestamp.wrapping_sub(ts)));
        put_varint(out, zigzag((e.seq as i64).wrapping_sub(seq)));
        put_varint(out, zigzag(e.ingestion_time.wrapping_sub(ing)));
        put_varint(out, e.message.len() as u64);
        ts = e.timestamp;
        if let Some(p) = prev.get_mut(si) {
            *p = (e.seq as i64, e.ingestion_time);
        }
    }
}

/// One decoded row: stream id, timestamp, sequence number, ingestion time, message length.
pub(crate) type Row = (u64, i64, u64, i64, usize);

/// A cursor over the column that fails (returns `None`) instead of panicking on bad input.
pub(crate) struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    streams: &'a [u64],
    ts: i64,
    /// Per stream position: the previous (seq, ingestion time) of that stream.
    prev: Vec<(i64, i64)>,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(buf: &'a [u8], streams: &'a [u64], min_ts: i64, min_seq: u64) -> Self {
        Decoder {
            buf,
            pos: 0,
            streams,
            ts: min_ts,
            prev: vec![(min_seq as i64, 0); streams.len()],
        }
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// The next row.
    pub(crate) fn row(&mut self) -> Option<Row> {
        let si = usize::try_from(self.varint()?).ok()?;
        let stream = *self.streams.get(si)?;
        self.ts = self.ts.wrapping_add(unzigzag(self.varint()?));
        let seq_delta = unzigzag(self.varint()?);
        let ing_delta = unzigzag(self.varint()?);
        let len = usize::try_from(self.varint()?).ok()?;
        let p = self.prev.get_mut(si)?;
        *p = (p.0.wrapping_add(seq_delta), p.1.wrapping_add(ing_delta));
        Some((stream, self.ts, p.0 as u64, p.1, len))
    }

    /// Bytes read so far (where the messages start once every row is read).
    pub(crate) fn consumed(&self) -> usize {
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip() {
        let ev = |stream, timestamp, seq, ingestion_time, m: &str| StoredEvent {
            stream,
            timestamp,
            seq,
            ingestion_time,
            message: m.into(),
        };
        let events = vec![
            ev(9, -5, 10, i64::MIN, "a"),
            ev(3, -5, 4, i64::MAX, ""),
            ev(9, i64::MAX, u64::MAX, 0, "héllo"),
        ];
        let mut out = Vec::new();
        encode(&mut out, &events, &[3, 9], -5, 4);
        let mut d = Decoder::new(&out, &[3, 9], -5, 4);
        for e in &events {
            assert_eq!(
                d.row(),
                Some((
                    e.stream,
                    e.timestamp,
                    e.seq,
                    e.ingestion_time,
                    e.message.len()
                ))
            );
        }
        assert_eq!(d.consumed(), out.len());
        assert_eq!(d.row(), None);
    }
}
