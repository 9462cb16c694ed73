//! The read side of the log: `read_at` one record, and the `Replay` iterator over every record
//! from a position on.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::Position;
use std::os::unix::fs::FileExt as _;

use super::format::{FRAME_HEADER_LEN, SEGMENT_HEADER_LEN, parse_frame_header, verify_payload};
use super::segment::{Frame, SegmentReader};
use super::writer::Shared;
use crate::error::WalError;

/// A segment to read: id, path, first offset to read, and the end of its readable bytes.
#[derive(Debug)]
struct Span {
    id: u64,
    path: PathBuf,
    start: u64,
    limit: u64,
}

impl Shared {
    /// Where segment `id` is and how far it can be read; makes buffered bytes of the active
    /// segment readable by writing them to the OS first.
    fn readable(&self, id: u64) -> Result<(PathBuf, u64), WalError> {
        let mut w = self.writer.lock();
        if w.active.id == id {
            self.flush_locked(&mut w)?;
            return Ok((w.active.path.clone(), w.active.written));
        }
        w.sealed
            .get(&id)
            .map(|s| (s.path.clone(), s.bytes))
            .ok_or(WalError::SegmentNotFound { segment: id })
    }

    /// The record that starts at `pos`.
    pub(crate) fn read_at(&self, pos: Position) -> Result<Vec<u8>, WalError> {
        if pos.offset < SEGMENT_HEADER_LEN {
            return Err(WalError::InvalidPosition {
                pos,
                reason: "offset lies inside the segment header",
            });
        }
        let (path, limit) = self.readable(pos.segment)?;
        if pos.offset >= limit {
            return Err(WalError::InvalidPosition {
                pos,
                reason: "offset lies beyond the end of the segment",
            });
        }
        // Positioned reads of exactly the frame: a lookup reads one record, not a buffer-full.
        let io = |source: std::io::Error, path: &Path| match source.kind() {
            ErrorKind::NotFound => WalError::SegmentNotFound {
                segment: pos.segment,
            },
            _ => WalError::Io {
                action: "read a record",
                path: path.to_path_buf(),
                source,
            },
        };
        let corrupt = |reason: String| WalError::Corrupt {
            path: path.clone(),
            offset: pos.offset,
            reason: format!("{reason} (or {pos} is not the start of a record)"),
        };
        let file = std::fs::File::open(&path).map_err(|e| io(e, &path))?;
        let mut header = [0u8; FRAME_HEADER_LEN];
        if pos.offset + FRAME_HEADER_LEN as u64 > limit {
            return Err(corrupt("a torn frame header".into()));
        }
        file.read_exact_at(&mut header, pos.offset)
            .map_err(|e| io(e, &path))?;
        let (len, crc) = parse_frame_header(header).map_err(|e| corrupt(format!("{e:?}")))?;
        let start = pos.offset + FRAME_HEADER_LEN as u64;
        if start + u64::from(len) > limit {
            return Err(corrupt(format!(
                "a frame of {len} bytes runs past the end of the segment"
            )));
        }
        let mut payload = vec![0u8; len as usize];
        file.read_exact_at(&mut payload, start)
            .map_err(|e| io(e, &path))?;
        verify_payload(&payload, crc).map_err(|e| corrupt(format!("{e:?}")))?;
        Ok(payload)
    }

    /// Every segment from `from` on, with the bytes readable now.
    fn spans_from(&self, from: Position) -> Result<VecDeque<Span>, WalError> {
        let mut w = self.writer.lock();
        self.flush_locked(&mut w)?;
        let mut spans: VecDeque<Span> = w
            .sealed
            .range(from.segment..)
            .map(|(id, s)| Span {
                id: *id,
                path: s.path.clone(),
                start: SEGMENT_HEADER_LEN,
                limit: s.bytes,
            })
            .collect();
        if w.active.id >= from.segment {
            spans.push_back(Span {
                id: w.active.id,
                path: w.active.path.clone(),
                start: SEGMENT_HEADER_LEN,
                limit: w.active.written,
            });
        }
        if let Some(first) = spans.front_mut()
            && first.id == from.segment
        {
            first.start = from.offset.max(SEGMENT_HEADER_LEN);
        }
        Ok(spans)
    }

    pub(crate) fn replay_from(&self, from: Position) -> Replay {
        match self.spans_from(from) {
            Ok(spans) => Replay {
                spans,
                current: None,
                failed: None,
                done: false,
            },
            Err(e) => Replay {
                spans: VecDeque::new(),
                current: None,
                failed: Some(e),
                done: false,
            },
        }
    }
}

fn open_reader(id: u64, path: &Path, start: u64, limit: u64) -> Result<SegmentReader, WalError> {
    SegmentReader::open(path, start, limit).map_err(|e| match e {
        WalError::Io { source, .. } if source.kind() == ErrorKind::NotFound => {
            WalError::SegmentNotFound { segment: id }
        }
        other => other,
    })
}

/// Iterator over the records of the log in order, as `(position, payload)`.
///
/// It reads the records that existed when it was created; records appended later are not seen.
/// The first corrupt record or I/O failure is yielded as an error, after which the iterator ends.
#[derive(Debug)]
pub struct Replay {
    spans: VecDeque<Span>,
    current: Option<(u64, SegmentReader)>,
    failed: Option<WalError>,
    done: bool,
}

impl Iterator for Replay {
    type Item = Result<(Position, Vec<u8>), WalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(e) = self.failed.take() {
            self.done = true;
            return Some(Err(e));
        }
        loop {
            let (id, reader) = match &mut self.current {
                Some((id, reader)) => (*id, reader),
                None => {
                    let Some(span) = self.spans.pop_front() else {
                        self.done = true;
                        return None;
                    };
                    match open_reader(span.id, &span.path, span.start, span.limit) {
                        Ok(r) => self.current = Some((span.id, r)),
                        Err(e) => {
                            self.done = true;
                            return Some(Err(e));
                        }
                    }
                    continue;
                }
            };
            match reader.next_frame() {
                Ok(Frame::Record { offset, payload }) => {
                    let pos = Position {
                        segment: id,
                        offset,
                    };
                    return Some(Ok((pos, payload)));
                }
                Ok(Frame::End) => self.current = None,
                Ok(Frame::Invalid { offset, reason }) => {
                    self.done = true;
                    return Some(Err(WalError::Corrupt {
                        path: reader.path().to_path_buf(),
                        offset,
                        reason: reason.to_string(),
                    }));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
