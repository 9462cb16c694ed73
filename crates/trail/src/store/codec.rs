//! Byte layout of one stored audit record (one WAL record payload).
//!
//! ```text
//! u8        payload version (1)
//! i64 LE    event time, epoch milliseconds
//! str ×7    recipient account, region, event id, event name, event source,
//!           username ("" = none), access key id ("" = none)
//! u8        read-only flag (0 or 1)
//! u32 LE    resource count n, then n × (str type, str ARN)
//! …         the CloudTrail JSON (UTF-8) up to the end of the payload
//! str = u32 LE byte length + UTF-8 bytes
//! ```
//! The header holds every LookupEvents attribute, so that rebuilding the index at open and
//! answering a lookup never parse JSON. Decoding checks every length and never panics.

use crate::record::CloudTrailRecord;

/// Version byte of the payloads this build writes (and the only one it reads).
pub(crate) const PAYLOAD_VERSION: u8 = 1;

/// A decoded payload, borrowing from the bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredRecord<'a> {
    pub time_millis: i64,
    pub account: &'a str,
    pub region: &'a str,
    pub event_id: &'a str,
    pub event_name: &'a str,
    pub event_source: &'a str,
    pub username: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    pub read_only: bool,
    /// `(type, ARN)` pairs.
    pub resources: Vec<(&'a str, &'a str)>,
    pub json: &'a str,
}

/// Encodes `record` into `out` (cleared first).
pub(crate) fn encode(record: &CloudTrailRecord, out: &mut Vec<u8>) {
    let i = &record.input;
    out.clear();
    out.push(PAYLOAD_VERSION);
    out.extend_from_slice(&i.event_time_millis.to_le_bytes());
    for s in [
        i.recipient_account_id.as_str(),
        i.aws_region.as_str(),
        record.event_id.as_str(),
        i.event_name.as_str(),
        i.event_source.as_str(),
        i.identity.lookup_username().unwrap_or(""),
        i.identity.access_key_id.as_str(),
    ] {
        put_str(out, s);
    }
    out.push(u8::from(i.read_only));
    put_u32(out, i.resources.len());
    for r in &i.resources {
        put_str(out, &r.type_);
        put_str(out, &r.arn);
    }
    record.write_cloudtrail_json(out);
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    // Lengths above u32::MAX cannot occur: a WAL record is at most 64 MiB.
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Decodes a payload; the error names what was wrong.
pub(crate) fn decode(buf: &[u8]) -> Result<StoredRecord<'_>, &'static str> {
    let mut r = Reader { buf };
    if r.take(1)? != [PAYLOAD_VERSION] {
        return Err("unknown audit record version");
    }
    let time_millis = i64::from_le_bytes(r.array::<8>()?);
    let account = r.str()?;
    let region = r.str()?;
    let event_id = r.str()?;
    let event_name = r.str()?;
    let event_source = r.str()?;
    let username = Some(r.str()?).filter(|s| !s.is_empty());
    let access_key_id = Some(r.str()?).filter(|s| !s.is_empty());
    let read_only = match r.take(1)? {
        [0] => false,
        [1] => true,
        _ => return Err("bad read-only flag"),
    };
    let n = r.u32()? as usize;
    // Each resource takes at least 8 bytes, so `n` is bounded by what remains.
    if n > r.buf.len() / 8 {
        return Err("resource count exceeds the record");
    }
    let mut resources = Vec::with_capacity(n);
    for _ in 0..n {
        resources.push((r.str()?, r.str()?));
    }
    let json = std::str::from_utf8(r.buf).map_err(|_| "record JSON is not UTF-8")?;
    Ok(StoredRecord {
        time_millis,
        account,
        region,
        event_id,
        event_name,
        event_source,
        username,
        access_key_id,
        read_only,
        resources,
        json,
    })
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if n > self.buf.len() {
            return Err("audit record is truncated");
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        Ok(u32::from_le_bytes(self.array::<4>()?))
    }

    fn str(&mut self) -> Result<&'a str, &'static str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| "audit record string is not UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{RecordInput, Resource, UserIdentity};
    use proptest::prelude::*;

    fn sample() -> CloudTrailRecord {
        CloudTrailRecord {
            event_id: "e-1".into(),
            input: RecordInput {
                event_time_millis: 1_700_000_000_123,
                event_source: "logs.amazonaws.com".into(),
                event_name: "CreateLogGroup".into(),
                aws_region: "us-east-1".into(),
                identity: UserIdentity {
                    type_: "IAMUser".into(),
                    user_name: Some("alice".into()),
                    access_key_id: "AKIA1".into(),
                    ..Default::default()
                },
                resources: vec![Resource {
                    arn: "arn:aws:logs:us-east-1:111122223333:log-group:app".into(),
                    account_id: "111122223333".into(),
                    type_: "AWS::Logs::LogGroup".into(),
                }],
                recipient_account_id: "111122223333".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn round_trips_every_attribute() {
        let rec = sample();
        let mut buf = Vec::new();
        encode(&rec, &mut buf);
        let d = decode(&buf).expect("decodes");
        assert_eq!(d.time_millis, 1_700_000_000_123);
        assert_eq!(d.account, "111122223333");
        assert_eq!(d.region, "us-east-1");
        assert_eq!(d.event_id, "e-1");
        assert_eq!(d.event_name, "CreateLogGroup");
        assert_eq!(d.event_source, "logs.amazonaws.com");
        assert_eq!(d.username, Some("alice"));
        assert_eq!(d.access_key_id, Some("AKIA1"));
        assert!(!d.read_only);
        assert_eq!(
            d.resources,
            vec![(
                "AWS::Logs::LogGroup",
                "arn:aws:logs:us-east-1:111122223333:log-group:app"
            )]
        );
        assert_eq!(d.json, rec.to_cloudtrail_json());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let mut buf = Vec::new();
        encode(&sample(), &mut buf);
        let json_start = buf.len() - sample().to_cloudtrail_json().len();
        for cut in 0..json_start {
            assert!(decode(&buf[..cut]).is_err(), "cut at {cut}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes);
        }
    }
}
