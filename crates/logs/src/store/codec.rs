//! Little-endian encoding helpers and the WAL record of one PutLogEvents batch.
//!
//! WAL payload (all integers little-endian):
//! `kind u8 = 1 | group u64 | stream u64 | first_seq u64 | ingestion_time i64 | count u32 |
//!  count × (timestamp i64 | len u32 | message bytes)`; event `i` has sequence `first_seq + i`.

use super::event::StoredEvent;

pub(crate) const WAL_KIND_EVENTS: u8 = 1;

/// A cursor over bytes that fails (returns `None`) instead of panicking on short input.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Some(head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

/// A batch record with its events and ingestion time but zero ids, so that the bulk of the
/// encoding can happen before the ids are known (outside the store's lock); [`set_batch_ids`]
/// completes it.
pub(crate) fn encode_events(ingestion_time: i64, events: &[(i64, String)]) -> Vec<u8> {
    let size = WAL_BATCH_HEADER + events.iter().map(|(_, m)| 12 + m.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.push(WAL_KIND_EVENTS);
    out.extend_from_slice(&[0; 24]);
    out.extend_from_slice(&ingestion_time.to_le_bytes());
    out.extend_from_slice(&(events.len() as u32).to_le_bytes());
    for (ts, msg) in events {
        out.extend_from_slice(&ts.to_le_bytes());
        out.extend_from_slice(&(msg.len() as u32).to_le_bytes());
        out.extend_from_slice(msg.as_bytes());
    }
    out
}

/// Writes the group, stream and first sequence number into a record from [`encode_events`].
pub(crate) fn set_batch_ids(record: &mut [u8], group: u64, stream: u64, first_seq: u64) {
    record[1..9].copy_from_slice(&group.to_le_bytes());
    record[9..17].copy_from_slice(&stream.to_le_bytes());
    record[17..25].copy_from_slice(&first_seq.to_le_bytes());
}

/// One acknowledged PutLogEvents batch as the WAL holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WalBatch {
    pub group: u64,
    pub stream: u64,
    pub first_seq: u64,
    pub ingestion_time: i64,
    pub events: Vec<(i64, String)>,
}

/// Bytes of a batch record before its events: kind, group, stream, first_seq, ingestion time,
/// event count.
const WAL_BATCH_HEADER: usize = 37;

impl WalBatch {
    /// The whole record at once (the put path uses [`encode_events`] and [`set_batch_ids`]).
    #[cfg(test)]
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = encode_events(self.ingestion_time, &self.events);
        set_batch_ids(&mut out, self.group, self.stream, self.first_seq);
        out
    }

    /// Decodes a payload; `None` if it is not a well-formed batch record.
    pub(crate) fn decode(payload: &[u8]) -> Option<WalBatch> {
        let mut r = Reader::new(payload);
        if r.u8()? != WAL_KIND_EVENTS {
            return None;
        }
        let group = r.u64()?;
        let stream = r.u64()?;
        let first_seq = r.u64()?;
        let ingestion_time = r.i64()?;
        let count = r.u32()? as usize;
        let mut events = Vec::with_capacity(count.min(payload.len() / 12));
        for _ in 0..count {
            let ts = r.i64()?;
            let len = r.u32()? as usize;
            let msg = std::str::from_utf8(r.bytes(len)?).ok()?;
            events.push((ts, msg.to_owned()));
        }
        r.is_empty().then_some(WalBatch {
            group,
            stream,
            first_seq,
            ingestion_time,
            events,
        })
    }

    pub(crate) fn into_events(self) -> impl Iterator<Item = StoredEvent> {
        let WalBatch {
            stream,
            first_seq,
            ingestion_time,
            events,
            ..
        } = self;
        events
            .into_iter()
            .enumerate()
            .map(move |(i, (timestamp, message))| StoredEvent {
                stream,
                timestamp,
                seq: first_seq + i as u64,
                ingestion_time,
                message,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_batch_round_trips_and_rejects_garbage() {
        let b = WalBatch {
            group: 7,
            stream: 9,
            first_seq: 100,
            ingestion_time: 5,
            events: vec![(1, "a".into()), (2, "héllo".into())],
        };
        let bytes = b.encode();
        assert_eq!(WalBatch::decode(&bytes), Some(b));
        for cut in 0..bytes.len() {
            assert_eq!(WalBatch::decode(&bytes[..cut]), None);
        }
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn wal_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = WalBatch::decode(&bytes);
        }
    }
}
