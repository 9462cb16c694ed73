//! IP addresses and CIDR blocks: which strings count as IPs (event-ruler's rules) and block containment.

use std::net::Ipv6Addr;

use crate::error::{ErrorKind, PatternError};

/// An IP address as an integer. IPv4 and IPv6 never compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ip {
    /// IPv4 (also IPv4-mapped IPv6 written in hex, as Java's `InetAddress` folds them).
    V4(u32),
    /// IPv6.
    V6(u128),
}

fn looks_v4(s: &str) -> bool {
    let mut parts = 0;
    for part in s.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

fn looks_v6(s: &str) -> bool {
    s.contains(':') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
}

/// Parses `s` as an IP address literal if it has the shape event-ruler accepts
/// (`d+.d+.d+.d+`, or hex digits and colons); `None` otherwise.
pub fn parse_ip(s: &str) -> Option<Ip> {
    if s.len() > 45 {
        return None;
    }
    if looks_v4(s) {
        let mut out: u32 = 0;
        for part in s.split('.') {
            // Java parses each part as decimal, leading zeros allowed.
            let v: u32 = part.trim_start_matches('0').parse().unwrap_or(0);
            if part.trim_start_matches('0').len() > 3 || v > 255 {
                return None;
            }
            out = (out << 8) | v;
        }
        return Some(Ip::V4(out));
    }
    if looks_v6(s) {
        let addr: Ipv6Addr = s.parse().ok()?;
        if let Some(v4) = addr.to_ipv4_mapped() {
            return Some(Ip::V4(u32::from(v4)));
        }
        return Some(Ip::V6(u128::from(addr)));
    }
    None
}

/// A CIDR block as an inclusive address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    low: Ip,
    high: Ip,
}

impl Cidr {
    /// Parses `addr/bits`. The host part of `addr` may be non-zero; it is masked off.
    pub fn parse(text: &str) -> Result<Cidr, PatternError> {
        let err = |m: String| PatternError::new(ErrorKind::Cidr, m);
        let parts: Vec<&str> = text.split('/').collect();
        // Java's String.split drops trailing empty strings.
        let parts: Vec<&str> = {
            let mut p = parts;
            while p.len() > 1 && p.last().is_some_and(|s| s.is_empty()) {
                p.pop();
            }
            p
        };
        if parts.len() != 2 {
            return Err(err("Malformed CIDR, one '/' required".into()));
        }
        let (ip_text, bits_text) = (parts[0], parts[1]);
        let bits: i64 = bits_text
            .strip_prefix('+')
            .unwrap_or(bits_text)
            .parse()
            .map_err(|_| err("Malformed CIDR, mask bits must be an integer".into()))?;
        if bits < 0 {
            return Err(err("Malformed CIDR, mask bits must not be negative".into()));
        }
        let Some(ip) = parse_ip(ip_text) else {
            if looks_v4(ip_text) || looks_v6(ip_text) {
                return Err(err(format!("Invalid IP address: {ip_text}")));
            }
            return Err(err(format!("Nonstandard IP address: {ip_text}")));
        };
        match ip {
            Ip::V4(a) => {
                if bits > 32 {
                    return Err(err("IPv4 mask bits must be <= 32".into()));
                }
                let host: u32 = if bits == 0 {
                    u32::MAX
                } else {
                    u32::MAX >> bits
                };
                Ok(Cidr {
                    low: Ip::V4(a & !host),
                    high: Ip::V4(a | host),
                })
            }
            Ip::V6(a) => {
                if bits > 128 {
                    return Err(err("IPv6 mask bits must be <= 128".into()));
                }
                let host: u128 = if bits == 0 {
                    u128::MAX
                } else {
                    u128::MAX >> bits
                };
                Ok(Cidr {
                    low: Ip::V6(a & !host),
                    high: Ip::V6(a | host),
                })
            }
        }
    }

    /// Whether `ip` lies in the block.
    pub fn contains(&self, ip: Ip) -> bool {
        match (self.low, self.high, ip) {
            (Ip::V4(l), Ip::V4(h), Ip::V4(x)) => l <= x && x <= h,
            (Ip::V6(l), Ip::V6(h), Ip::V6(x)) => l <= x && x <= h,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips() {
        assert_eq!(parse_ip("10.0.0.1"), Some(Ip::V4(0x0a00_0001)));
        assert_eq!(parse_ip("010.0.0.1"), Some(Ip::V4(0x0a00_0001)));
        assert_eq!(parse_ip("256.0.0.1"), None);
        assert_eq!(parse_ip("08:23"), None);
        assert_eq!(parse_ip("::0"), parse_ip("::"));
        assert_eq!(parse_ip("hello"), None);
    }

    #[test]
    fn blocks() -> Result<(), PatternError> {
        let c = Cidr::parse("220.160.154.255/24")?;
        assert!(c.contains(Ip::V4(0xdca0_9a00)));
        assert!(!c.contains(Ip::V4(0xdca0_9900)));
        let v6 = Cidr::parse("2001:db8::/32")?;
        assert!(parse_ip("2001:db8::1").is_some_and(|ip| v6.contains(ip)));
        assert!(Cidr::parse("10.0.0.0").is_err());
        assert!(Cidr::parse("10.0.0.0/x").is_err());
        assert!(Cidr::parse("a.b/8").is_err());
        Ok(())
    }
}
