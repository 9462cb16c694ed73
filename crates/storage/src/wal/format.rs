//! Byte layout of WAL segments and records (see `docs/format/wal.md`): constants, encoding, and a
//! pure decoder that never panics on arbitrary bytes.

use std::fmt;

/// First four bytes of every segment file.
pub const SEGMENT_MAGIC: [u8; 4] = *b"OWAL";
/// Segment format version written by this build (the highest it reads).
pub const SEGMENT_VERSION: u32 = 1;
/// Segment header: magic (4) + version u32 LE (4) + segment id u64 LE (8).
pub const SEGMENT_HEADER_LEN: u64 = 16;
/// Record frame header: payload length u32 LE (4) + CRC32C of the payload u32 LE (4).
pub const FRAME_HEADER_LEN: usize = 8;
/// Largest payload one record may hold (64 MiB); larger appends are refused.
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// The decoded header of a segment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeader {
    pub version: u32,
    pub id: u64,
}

/// Why a segment header could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer than [`SEGMENT_HEADER_LEN`] bytes.
    Short { available: usize },
    /// The first four bytes are not [`SEGMENT_MAGIC`].
    BadMagic,
    /// A version other than [`SEGMENT_VERSION`] (0 or newer).
    Version { found: u32 },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Short { available } => {
                write!(
                    f,
                    "segment header is {available} bytes, expected {SEGMENT_HEADER_LEN}"
                )
            }
            HeaderError::BadMagic => write!(f, "segment header does not start with magic \"OWAL\""),
            HeaderError::Version { found } => write!(f, "unsupported segment version {found}"),
        }
    }
}

/// Why decoding stopped before the end of the bytes: the bytes from that offset on are not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A length of 0: the rest is a zero-filled (pre-extended, never written) tail.
    ZeroLength,
    /// Fewer than [`FRAME_HEADER_LEN`] bytes remain.
    TornHeader { available: usize },
    /// The header promises more payload bytes than remain.
    TornPayload { len: u32, available: usize },
    /// The length exceeds [`MAX_RECORD_BYTES`].
    TooLarge { len: u32 },
    /// The payload's CRC32C differs from the stored one.
    Checksum { stored: u32, computed: u32 },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::ZeroLength => write!(f, "zero record length (zero-filled tail)"),
            FrameError::TornHeader { available } => {
                write!(
                    f,
                    "torn record header: {available} of {FRAME_HEADER_LEN} bytes"
                )
            }
            FrameError::TornPayload { len, available } => {
                write!(f, "torn record: {available} of {len} payload bytes")
            }
            FrameError::TooLarge { len } => {
                write!(
                    f,
                    "record length {len} exceeds the maximum {MAX_RECORD_BYTES}"
                )
            }
            FrameError::Checksum { stored, computed } => write!(
                f,
                "checksum mismatch: stored crc32c {stored:#010x}, computed {computed:#010x}"
            ),
        }
    }
}

/// How [`decode_records`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeEnd {
    /// Every byte belonged to a whole, valid record.
    Complete,
    /// Decoding stopped at `offset` (relative to the decoded buffer) for `reason`.
    Invalid { offset: usize, reason: FrameError },
}

/// A decoded segment: header, records as `(offset in the file, payload)`, and how decoding ended.
pub type DecodedSegment<'a> = (SegmentHeader, Vec<(u64, &'a [u8])>, DecodeEnd);

/// Encodes the header of segment `id`.
pub fn encode_segment_header(id: u64) -> [u8; SEGMENT_HEADER_LEN as usize] {
    let mut h = [0u8; SEGMENT_HEADER_LEN as usize];
    h[0..4].copy_from_slice(&SEGMENT_MAGIC);
    h[4..8].copy_from_slice(&SEGMENT_VERSION.to_le_bytes());
    h[8..16].copy_from_slice(&id.to_le_bytes());
    h
}

/// Decodes a segment header from the first bytes of `buf`.
pub fn decode_segment_header(buf: &[u8]) -> Result<SegmentHeader, HeaderError> {
    let Some(h) = buf.get(..SEGMENT_HEADER_LEN as usize) else {
        return Err(HeaderError::Short {
            available: buf.len(),
        });
    };
    if h[0..4] != SEGMENT_MAGIC {
        return Err(HeaderError::BadMagic);
    }
    let version = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    if version != SEGMENT_VERSION {
        return Err(HeaderError::Version { found: version });
    }
    let mut id = [0u8; 8];
    id.copy_from_slice(&h[8..16]);
    Ok(SegmentHeader {
        version,
        id: u64::from_le_bytes(id),
    })
}

/// Appends one framed record to `out`. The caller has checked `0 < payload.len() <= MAX_RECORD_BYTES`.
pub(crate) fn encode_record(out: &mut Vec<u8>, payload: &[u8]) {
    debug_assert!(!payload.is_empty() && payload.len() <= MAX_RECORD_BYTES);
    out.reserve(FRAME_HEADER_LEN + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// The encoded size of a record with a payload of `len` bytes.
pub(crate) fn framed_len(len: usize) -> u64 {
    (FRAME_HEADER_LEN + len) as u64
}

/// Splits a frame header into (payload length, stored crc), refusing zero and oversized lengths.
pub(crate) fn parse_frame_header(h: [u8; FRAME_HEADER_LEN]) -> Result<(u32, u32), FrameError> {
    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
    let crc = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    if len == 0 {
        return Err(FrameError::ZeroLength);
    }
    if len as usize > MAX_RECORD_BYTES {
        return Err(FrameError::TooLarge { len });
    }
    Ok((len, crc))
}

/// Checks a payload against its stored checksum.
pub(crate) fn verify_payload(payload: &[u8], stored: u32) -> Result<(), FrameError> {
    let computed = crc32c::crc32c(payload);
    if computed == stored {
        Ok(())
    } else {
        Err(FrameError::Checksum { stored, computed })
    }
}

/// Decodes the record area of a segment (the bytes after the header): every valid record as
/// `(offset in buf, payload)`, in order, and how decoding ended. Never panics.
pub fn decode_records(buf: &[u8]) -> (Vec<(usize, &[u8])>, DecodeEnd) {
    let mut records = Vec::new();
    let mut offset = 0usize;
    loop {
        let rest = &buf[offset..];
        if rest.is_empty() {
            return (records, DecodeEnd::Complete);
        }
        match decode_one(rest) {
            Ok(payload) => {
                records.push((offset, payload));
                offset += FRAME_HEADER_LEN + payload.len();
            }
            Err(reason) => return (records, DecodeEnd::Invalid { offset, reason }),
        }
    }
}

/// Decodes a whole segment file's bytes: its header, then its records with offsets relative to
/// the start of the file. Never panics.
pub fn decode_segment(buf: &[u8]) -> Result<DecodedSegment<'_>, HeaderError> {
    let header = decode_segment_header(buf)?;
    let body = &buf[SEGMENT_HEADER_LEN as usize..];
    let (records, end) = decode_records(body);
    let base = SEGMENT_HEADER_LEN;
    let records = records
        .into_iter()
        .map(|(off, p)| (base + off as u64, p))
        .collect();
    let end = match end {
        DecodeEnd::Invalid { offset, reason } => DecodeEnd::Invalid {
            offset: offset + SEGMENT_HEADER_LEN as usize,
            reason,
        },
        DecodeEnd::Complete => DecodeEnd::Complete,
    };
    Ok((header, records, end))
}

fn decode_one(rest: &[u8]) -> Result<&[u8], FrameError> {
    let Some(h) = rest.first_chunk::<FRAME_HEADER_LEN>() else {
        return Err(FrameError::TornHeader {
            available: rest.len(),
        });
    };
    let (len, crc) = parse_frame_header(*h)?;
    let body = &rest[FRAME_HEADER_LEN..];
    let Some(payload) = body.get(..len as usize) else {
        return Err(FrameError::TornPayload {
            len,
            available: body.len(),
        });
    };
    verify_payload(payload, crc)?;
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips() {
        let h = encode_segment_header(0xdead_beef);
        assert_eq!(
            decode_segment_header(&h),
            Ok(SegmentHeader {
                version: SEGMENT_VERSION,
                id: 0xdead_beef
            })
        );
        assert_eq!(
            decode_segment_header(&h[..5]),
            Err(HeaderError::Short { available: 5 })
        );
    }

    #[test]
    fn golden_segment_bytes() {
        let mut seg = encode_segment_header(1).to_vec();
        encode_record(&mut seg, b"hi");
        let want: [u8; 26] = [
            0x4f, 0x57, 0x41, 0x4c, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, //
            2, 0, 0, 0, 0xc2, 0xd9, 0x9d, 0xf5, b'h', b'i',
        ];
        assert_eq!(seg, want);
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        let decoded = decode_segment(&seg);
        assert!(
            matches!(decoded, Ok((SegmentHeader { id: 1, .. }, ref r, DecodeEnd::Complete)) if r == &[(16, &b"hi"[..])])
        );
    }

    #[test]
    fn decoder_reports_each_kind_of_bad_tail() {
        let mut buf = Vec::new();
        encode_record(&mut buf, b"hello");
        encode_record(&mut buf, b"world!");
        let good = buf.len();
        let (recs, end) = decode_records(&buf);
        assert_eq!(recs, vec![(0, &b"hello"[..]), (13, &b"world!"[..])]);
        assert_eq!(end, DecodeEnd::Complete);

        let (recs, end) = decode_records(&buf[..good - 1]);
        assert_eq!(recs.len(), 1);
        assert!(matches!(
            end,
            DecodeEnd::Invalid {
                offset: 13,
                reason: FrameError::TornPayload {
                    len: 6,
                    available: 5
                }
            }
        ));

        let mut zeroed = buf.clone();
        zeroed.extend_from_slice(&[0; 20]);
        let (recs, end) = decode_records(&zeroed);
        assert_eq!(recs.len(), 2);
        assert_eq!(
            end,
            DecodeEnd::Invalid {
                offset: good,
                reason: FrameError::ZeroLength
            }
        );

        let mut flipped = buf.clone();
        flipped[10] ^= 1;
        let (recs, end) = decode_records(&flipped);
        assert!(recs.is_empty());
        assert!(matches!(
            end,
            DecodeEnd::Invalid {
                offset: 0,
                reason: FrameError::Checksum { .. }
            }
        ));

        let (_, end) = decode_records(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
        assert!(matches!(
            end,
            DecodeEnd::Invalid {
                reason: FrameError::TooLarge { .. },
                ..
            }
        ));
        let (_, end) = decode_records(&[1, 0, 0]);
        assert!(matches!(
            end,
            DecodeEnd::Invalid {
                reason: FrameError::TornHeader { available: 3 },
                ..
            }
        ));
    }
}
