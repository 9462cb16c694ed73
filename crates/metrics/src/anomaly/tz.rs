//! `MetricTimezone`: the UTC offset of a tz-database zone at a time, so that daily and weekly
//! seasonality follow the metric's local clock across daylight-saving changes.
//!
//! Zones are read from the system's compiled tz database (`/usr/share/zoneinfo`, TZif version 2+
//! files, RFC 8536): the 64-bit transition table and its local-time types. After the last listed
//! transition the last offset holds (the usual "fat" files list transitions to 2037).

use std::path::Path;

/// Where the compiled tz database is read from.
pub const ZONEINFO_DIR: &str = "/usr/share/zoneinfo";

/// A time zone: UTC offsets (ms) from each transition (UTC ms) on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    /// The offset before the first transition (or always, with none).
    initial: i64,
    transitions: Vec<(i64, i64)>,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone::default()
    }

    /// A zone with a constant offset (ms); for tests.
    pub fn fixed(offset_ms: i64) -> Zone {
        Zone {
            initial: offset_ms,
            transitions: Vec::new(),
        }
    }

    /// The zone `name` of the tz database (`UTC` needs no file); `None` if unknown.
    pub fn load(name: &str) -> Option<Zone> {
        if matches!(name, "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" | "Z") {
            return Some(Zone::utc());
        }
        let valid = !name.is_empty()
            && !name.starts_with('/')
            && name
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != "..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if !valid {
            return None;
        }
        let bytes = std::fs::read(Path::new(ZONEINFO_DIR).join(name)).ok()?;
        Zone::parse_tzif(&bytes)
    }

    /// Parses a TZif (v2+) file.
    pub fn parse_tzif(b: &[u8]) -> Option<Zone> {
        let counts = |at: usize| -> Option<[usize; 6]> {
            let h = b.get(at..at + 44)?;
            if &h[0..4] != b"TZif" {
                return None;
            }
            let mut c = [0usize; 6];
            for (i, v) in c.iter_mut().enumerate() {
                let o = 20 + i * 4;
                *v = u32::from_be_bytes(h[o..o + 4].try_into().ok()?) as usize;
            }
            Some(c)
        };
        let [isut, isstd, leap, time, typ, chr] = counts(0)?;
        if b[4] < b'2' {
            return None;
        }
        let v1_len = time * 5 + typ * 6 + chr + leap * 8 + isstd + isut;
        let at = 44 + v1_len;
        let [_, _, _, time, typ, _] = counts(at)?;
        let data = b.get(at + 44..)?;
        let times = data.get(..time * 8)?;
        let idx = data.get(time * 8..time * 9)?;
        let types = data.get(time * 9..time * 9 + typ * 6)?;
        let offset_of = |i: usize| -> Option<i64> {
            let t = types.get(i * 6..i * 6 + 4)?;
            Some(i64::from(i32::from_be_bytes(t.try_into().ok()?)) * 1000)
        };
        let initial = offset_of(0)?;
        let mut transitions = Vec::with_capacity(time);
        for i in 0..time {
            let t = i64::from_be_bytes(times[i * 8..i * 8 + 8].try_into().ok()?);
            transitions.push((t.saturating_mul(1000), offset_of(usize::from(idx[i]))?));
        }
        Some(Zone {
            initial,
            transitions,
        })
    }

    /// The UTC offset (ms) at `t` (UTC ms).
    pub fn offset(&self, t: i64) -> i64 {
        match self.transitions.partition_point(|(at, _)| *at <= t) {
            0 => self.initial,
            i => self.transitions[i - 1].1,
        }
    }

    /// `t` (UTC ms) on the zone's local clock (ms since the local epoch).
    pub fn local(&self, t: i64) -> i64 {
        t + self.offset(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_fixed() {
        assert_eq!(Zone::load("UTC").map(|z| z.local(5)), Some(5));
        assert_eq!(Zone::fixed(3_600_000).local(0), 3_600_000);
        assert_eq!(Zone::load("../etc/passwd"), None);
        assert_eq!(Zone::load("No/Such_Zone"), None);
    }

    #[test]
    fn berlin_has_summer_time() {
        // Only where the system has a tz database.
        let Some(z) = Zone::load("Europe/Berlin") else {
            return;
        };
        // 2026-01-15T12:00Z → +1 h; 2026-07-15T12:00Z → +2 h.
        assert_eq!(z.offset(1_768_478_400_000), 3_600_000);
        assert_eq!(z.offset(1_784_116_800_000), 7_200_000);
    }
}
