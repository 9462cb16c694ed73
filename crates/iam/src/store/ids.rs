//! Random identifiers in AWS's shapes, from the thread-local CSPRNG.

use openwatch_types::AccountId;
use rand::Rng;

/// Prefix of IAM user ids.
pub const USER_ID_PREFIX: &str = "AIDA";
/// Random characters after [`USER_ID_PREFIX`].
pub const USER_ID_RANDOM_LEN: usize = 17;
/// Prefix of long-term access key ids.
pub const ACCESS_KEY_ID_PREFIX: &str = "AKIA";
/// Random characters after [`ACCESS_KEY_ID_PREFIX`].
pub const ACCESS_KEY_ID_RANDOM_LEN: usize = 16;
/// Length of a secret access key.
pub const SECRET_ACCESS_KEY_LEN: usize = 40;
/// Smallest generated account id (12 digits, not starting with 0).
pub const ACCOUNT_ID_MIN: u64 = 100_000_000_000;
/// Largest generated account id.
pub const ACCOUNT_ID_MAX: u64 = 999_999_999_999;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// `AIDA` + 17 uppercase letters and digits.
pub(crate) fn new_user_id() -> String {
    format!(
        "{USER_ID_PREFIX}{}",
        random_from(UPPER_ALNUM, USER_ID_RANDOM_LEN)
    )
}

/// `AKIA` + 16 uppercase letters and digits.
pub(crate) fn new_access_key_id() -> String {
    format!(
        "{ACCESS_KEY_ID_PREFIX}{}",
        random_from(UPPER_ALNUM, ACCESS_KEY_ID_RANDOM_LEN)
    )
}

/// 40 characters of `[A-Za-z0-9/+]`.
pub(crate) fn new_secret() -> String {
    random_from(SECRET_CHARS, SECRET_ACCESS_KEY_LEN)
}

/// A random 12-digit account id not starting with 0.
pub(crate) fn new_account_id() -> Option<AccountId> {
    AccountId::from_number(rand::rng().random_range(ACCOUNT_ID_MIN..=ACCOUNT_ID_MAX)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let uid = new_user_id();
        assert_eq!(uid.len(), 21);
        assert!(uid.starts_with("AIDA"));
        assert!(
            uid.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        let akid = new_access_key_id();
        assert_eq!(akid.len(), 20);
        assert!(akid.starts_with("AKIA"));
        assert!(
            akid.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        let secret = new_secret();
        assert_eq!(secret.len(), 40);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        );
        for _ in 0..100 {
            let id = new_account_id().expect("account id");
            assert_eq!(id.as_str().len(), 12);
            assert!(!id.as_str().starts_with('0'));
        }
        assert_ne!(new_secret(), new_secret());
    }
}
