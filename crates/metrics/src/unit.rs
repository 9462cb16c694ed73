//! CloudWatch's `StandardUnit`: the full list, in the model's order.

use std::fmt;

macro_rules! units {
    ($($name:ident = $text:literal),* $(,)?) => {
        /// A CloudWatch unit. Stored as its index (one byte).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Unit { $($name),* }

        impl Unit {
            /// Every unit, in the API model's order.
            pub const ALL: &'static [Unit] = &[$(Unit::$name),*];

            /// The unit's wire name (`Bytes/Second`).
            pub fn as_str(self) -> &'static str {
                match self { $(Unit::$name => $text),* }
            }
        }
    };
}

units!(
    Seconds = "Seconds",
    Microseconds = "Microseconds",
    Milliseconds = "Milliseconds",
    Bytes = "Bytes",
    Kilobytes = "Kilobytes",
    Megabytes = "Megabytes",
    Gigabytes = "Gigabytes",
    Terabytes = "Terabytes",
    Bits = "Bits",
    Kilobits = "Kilobits",
    Megabits = "Megabits",
    Gigabits = "Gigabits",
    Terabits = "Terabits",
    Percent = "Percent",
    Count = "Count",
    BytesPerSecond = "Bytes/Second",
    KilobytesPerSecond = "Kilobytes/Second",
    MegabytesPerSecond = "Megabytes/Second",
    GigabytesPerSecond = "Gigabytes/Second",
    TerabytesPerSecond = "Terabytes/Second",
    BitsPerSecond = "Bits/Second",
    KilobitsPerSecond = "Kilobits/Second",
    MegabitsPerSecond = "Megabits/Second",
    GigabitsPerSecond = "Gigabits/Second",
    TerabitsPerSecond = "Terabits/Second",
    CountPerSecond = "Count/Second",
    None = "None",
);

impl Unit {
    /// The unit named `s` (exact, case-sensitive as AWS is).
    pub fn parse(s: &str) -> Option<Unit> {
        Unit::ALL.iter().copied().find(|u| u.as_str() == s)
    }

    /// The unit stored as byte `b`.
    pub fn from_index(b: u8) -> Option<Unit> {
        Unit::ALL.get(b as usize).copied()
    }

    pub fn index(self) -> u8 {
        self as u8
    }

    /// `[Seconds, Microseconds, …, None]`, as AWS lists the set in its messages.
    pub fn set_text() -> String {
        let names: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
        format!("[{}]", names.join(", "))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_round_trips_by_name_and_index() {
        assert_eq!(Unit::ALL.len(), 27);
        for u in Unit::ALL {
            assert_eq!(Unit::parse(u.as_str()), Some(*u));
            assert_eq!(Unit::from_index(u.index()), Some(*u));
        }
        assert_eq!(Unit::parse("seconds"), None);
    }
}
