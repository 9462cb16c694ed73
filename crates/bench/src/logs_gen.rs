//! Deterministic, realistic-looking log lines for the `logs` suite: Apache combined access logs,
//! JSON application logs and syslog lines, with a few rare lines to search for.

/// A small deterministic generator (xorshift64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut s = String::with_capacity(digits);
        while s.len() < digits {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(digits);
        s
    }
}

/// The three line formats (one log group each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Apache,
    Json,
    Syslog,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Apache, Format::Json, Format::Syslog];

    pub fn group(self) -> &'static str {
        match self {
            Format::Apache => "bench-apache",
            Format::Json => "bench-json",
            Format::Syslog => "bench-syslog",
        }
    }
}

/// The rare term: about one line in [`RARE_EVERY`] holds it.
pub const RARE_TERM: &str = "OutOfMemoryError";
pub const RARE_EVERY: u64 = 400_000;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1-12, day, hour, minute, second, millisecond) of epoch milliseconds (UTC).
fn civil(ms: i64) -> (i64, usize, i64, i64, i64, i64, i64) {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Days since 0000-03-01, eras of 400 years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m as usize,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    )
}

const PATHS: [&str; 8] = [
    "/",
    "/index.html",
    "/api/v1/orders",
    "/api/v1/items",
    "/static/app.js",
    "/static/style.css",
    "/login",
    "/api/v1/users",
];
const AGENTS: [&str; 4] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "curl/8.5.0",
    "python-requests/2.31.0",
];
const SERVICES: [&str; 6] = [
    "checkout",
    "cart",
    "payments",
    "search",
    "auth",
    "inventory",
];
const PROGRAMS: [&str; 5] = ["sshd", "kernel", "cron", "nginx", "app"];

fn status(r: &mut Rng) -> u32 {
    match r.below(100) {
        0..=84 => 200,
        85..=89 => 304,
        90..=95 => 404,
        96..=97 => 500,
        _ => 503,
    }
}

/// One line of `format` at time `ts`.
pub fn line(r: &mut Rng, format: Format, ts: i64) -> String {
    let (y, mo, d, h, mi, s, ms) = civil(ts);
    let rare = r.below(RARE_EVERY) == 0;
    match format {
        Format::Apache => {
            let path = r.pick(&PATHS);
            let id = r.below(100_000);
            format!(
                "10.{}.{}.{} - - [{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} +0000] \"{} {path}{} HTTP/1.1\" {} {} \"-\" \"{}\"",
                r.below(256),
                r.below(256),
                r.below(256),
                MONTHS[mo - 1],
                if r.below(5) == 0 { "POST" } else { "GET" },
                if path.starts_with("/api") {
                    format!("/{id}")
                } else {
                    String::new()
                },
                status(r),
                r.below(50_000),
                r.pick(&AGENTS),
            )
        }
        Format::Json => {
            let level = match r.below(100) {
                0..=84 => "INFO",
                85..=94 => "WARN",
                95..=98 => "ERROR",
                _ => "DEBUG",
            };
            let msg = if rare {
                format!("java.lang.{RARE_TERM}: Java heap space")
            } else if level == "ERROR" {
                format!("upstream timeout after {}ms", r.below(30_000))
            } else {
                "request completed".to_string()
            };
            format!(
                "{{\"ts\":\"{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z\",\"level\":\"{level}\",\"svc\":\"{}\",\"msg\":\"{msg}\",\"status\":{},\"latency_ms\":{},\"trace_id\":\"{}\",\"user\":\"u{}\",\"path\":\"/api/v1/orders/{}\"}}",
                r.pick(&SERVICES),
                status(r),
                r.below(2000),
                r.hex(32),
                r.below(50_000),
                r.below(100_000),
            )
        }
        Format::Syslog => {
            let prog = r.pick(&PROGRAMS);
            let text = if rare {
                format!("ERROR worker crashed: java.lang.{RARE_TERM}")
            } else {
                match (prog, r.below(20)) {
                    ("sshd", 0) => format!(
                        "Failed password for root from 10.0.{}.{} port {} ssh2",
                        r.below(256),
                        r.below(256),
                        r.below(65_536)
                    ),
                    ("sshd", _) => format!(
                        "Accepted publickey for deploy from 10.0.{}.{} port {} ssh2",
                        r.below(256),
                        r.below(256),
                        r.below(65_536)
                    ),
                    ("kernel", _) => format!(
                        "[{}.{:06}] eth0: link up, 1000 Mbps, full duplex",
                        r.below(100_000),
                        r.below(1_000_000)
                    ),
                    ("cron", _) => {
                        format!("(root) CMD (/usr/local/bin/backup --job {})", r.below(500))
                    }
                    ("nginx", 0) => format!(
                        "ERROR upstream timed out (110: Connection timed out) while reading response header, client: 10.0.{}.{}",
                        r.below(256),
                        r.below(256)
                    ),
                    ("nginx", _) => format!(
                        "connection reset by peer, client: 10.0.{}.{}",
                        r.below(256),
                        r.below(256)
                    ),
                    (_, 0..=1) => format!(
                        "ERROR job {} failed: timeout after {}ms",
                        r.hex(8),
                        r.below(30_000)
                    ),
                    _ => format!("processed batch {} in {}ms", r.hex(8), r.below(5_000)),
                }
            };
            format!(
                "{} {d:2} {h:02}:{mi:02}:{s:02} host-{} {prog}[{}]: {text}",
                MONTHS[mo - 1],
                r.below(64),
                r.below(32_768),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0, 0));
        // 2026-11-29T13:05:02.123Z
        assert_eq!(civil(1_795_957_502_123), (2026, 11, 29, 13, 5, 2, 123));
    }
}
