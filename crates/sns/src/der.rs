//! The little DER this crate needs: writing a self-signed X.509 v3 certificate around an RSA
//! public key, and reading one back (its signed part, its public key and its signature) so that
//! receivers — and the tests — can verify messages from the certificate alone.

/// `sha256WithRSAEncryption` (1.2.840.113549.1.1.11).
const OID_SHA256_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
/// `id-at-commonName` (2.5.4.3).
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// `id-at-organizationName` (2.5.4.10).
const OID_ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0C;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION_TAG: u8 = 0xA0;

/// One DER element: tag, definite length, content.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
fn integer(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&trimmed);
    tlv(INTEGER, &content)
}

fn sha256_with_rsa() -> Vec<u8> {
    seq(&[&tlv(OID, OID_SHA256_WITH_RSA), &tlv(NULL, &[])])
}

fn name(organization: &str, common_name: &str) -> Vec<u8> {
    let rdn = |oid: &[u8], value: &str| {
        tlv(
            SET,
            &seq(&[&tlv(OID, oid), &tlv(UTF8_STRING, value.as_bytes())]),
        )
    };
    seq(&[
        &rdn(OID_ORGANIZATION, organization),
        &rdn(OID_COMMON_NAME, common_name),
    ])
}

/// UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
fn time(seconds: i64) -> Vec<u8> {
    let t = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let year = t.to_zoned(jiff::tz::TimeZone::UTC).year();
    if (1950..2050).contains(&year) {
        tlv(UTC_TIME, t.strftime("%y%m%d%H%M%SZ").to_string().as_bytes())
    } else {
        tlv(
            GENERALIZED_TIME,
            t.strftime("%Y%m%d%H%M%SZ").to_string().as_bytes(),
        )
    }
}

/// The to-be-signed part of a self-signed certificate (issuer = subject).
pub(crate) fn tbs_certificate(
    serial: &[u8],
    common_name: &str,
    not_before_s: i64,
    not_after_s: i64,
    spki_der: &[u8],
) -> Vec<u8> {
    let subject = name("OpenWatch", common_name);
    seq(&[
        &tlv(VERSION_TAG, &integer(&[2])),
        &integer(serial),
        &sha256_with_rsa(),
        &subject,
        &seq(&[&time(not_before_s), &time(not_after_s)]),
        &subject,
        spki_der,
    ])
}

/// The certificate: its signed part, the algorithm and the signature.
pub(crate) fn certificate(tbs: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(signature);
    seq(&[tbs, &sha256_with_rsa(), &tlv(BIT_STRING, &bits)])
}

/// One element read: `(tag, content, whole element, rest of the input)`.
type Element<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// Reads one element.
fn read(input: &[u8]) -> Option<Element<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    Some((tag, &rest[..len], &input[..header + len], &rest[len..]))
}

/// The parts of a certificate a verifier needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCertificate {
    /// The signed bytes (`tbsCertificate`, header included).
    pub tbs: Vec<u8>,
    /// The `SubjectPublicKeyInfo` element.
    pub spki: Vec<u8>,
    /// The signature bits.
    pub signature: Vec<u8>,
}

/// Parses an X.509 certificate (DER) far enough to verify with it.
pub fn parse_certificate(der: &[u8]) -> Option<ParsedCertificate> {
    let (tag, cert, _, _) = read(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs_content, tbs, rest) = read(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _, _, rest) = read(rest)?; // signatureAlgorithm
    let (tag, bits, _, _) = read(rest)?;
    if tag != BIT_STRING || bits.first() != Some(&0) {
        return None;
    }
    // version [0], serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    let mut fields = tbs_content;
    let (tag, _, _, r) = read(fields)?;
    fields = if tag == VERSION_TAG { read(r)?.3 } else { r };
    for _ in 0..4 {
        fields = read(fields)?.3;
    }
    let (tag, _, spki, _) = read(fields)?;
    if tag != SEQUENCE {
        return None;
    }
    Some(ParsedCertificate {
        tbs: tbs.to_vec(),
        spki: spki.to_vec(),
        signature: bits[1..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lengths_and_integers() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = tlv(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2C]);
        assert_eq!(integer(&[0x80]), vec![0x02, 2, 0x00, 0x80]);
        assert_eq!(integer(&[0, 0, 5]), vec![0x02, 1, 5]);
        assert_eq!(integer(&[]), vec![0x02, 1, 0]);
        let (tag, content, whole, rest) = read(&long).unwrap();
        assert_eq!(
            (tag, content.len(), whole.len(), rest.len()),
            (4, 300, 304, 0)
        );
        assert!(read(&[0x30, 0x05, 1]).is_none());
    }

    #[test]
    fn times_switch_to_generalized_after_2049() {
        assert_eq!(time(0), tlv(UTC_TIME, b"700101000000Z"));
        let t2050 = 2_524_608_000; // 2050-01-01
        assert_eq!(time(t2050), tlv(GENERALIZED_TIME, b"20500101000000Z"));
    }

    #[test]
    fn a_certificate_parses_back() {
        let spki = seq(&[&sha256_with_rsa(), &tlv(BIT_STRING, &[0, 1, 2])]);
        let tbs = tbs_certificate(&[1, 2, 3], "x", 0, 1000, &spki);
        let cert = certificate(&tbs, &[9; 256]);
        let parsed = parse_certificate(&cert).unwrap();
        assert_eq!(parsed.tbs, tbs);
        assert_eq!(parsed.spki, spki);
        assert_eq!(parsed.signature, vec![9; 256]);
        assert!(parse_certificate(&cert[..cert.len() - 1]).is_none());
    }
}
