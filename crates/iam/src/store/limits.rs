//! IAM's parameter constraints and quotas, with the documented values (IAM API reference,
//! service model `iam/2010-05-08`, and "IAM and AWS STS quotas").

/// Shortest user, policy or account name.
pub const NAME_MIN_LEN: usize = 1;
/// Longest user name accepted by `CreateUser`/`UpdateUser` (`userNameType`).
pub const USER_NAME_MAX_LEN: usize = 64;
/// Longest user name accepted where an existing user is named (`existingUserNameType`).
pub const EXISTING_USER_NAME_MAX_LEN: usize = 128;
/// Pattern of user and policy names: letters, digits and `_+=,.@-`.
pub const NAME_PATTERN: &str = r"[\w+=,.@-]+";
/// Longest inline policy name (`policyNameType`).
pub const POLICY_NAME_MAX_LEN: usize = 128;
/// Shortest and longest path (`pathType`).
pub const PATH_MIN_LEN: usize = 1;
/// Longest path.
pub const PATH_MAX_LEN: usize = 512;
/// Pattern of a path: `/` alone, or `/…/` with printable ASCII in between.
pub const PATH_PATTERN: &str = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)";
/// The path given to entities created without one.
pub const DEFAULT_PATH: &str = "/";
/// Pattern of a `PathPrefix` (`pathPrefixType`, 1–512 characters).
pub const PATH_PREFIX_PATTERN: &str = r"\u002F[\u0021-\u007F]*";
/// Longest policy document (`policyDocumentType`).
pub const POLICY_DOCUMENT_MAX_LEN: usize = 131_072;
/// Characters allowed in a policy document.
pub const POLICY_DOCUMENT_PATTERN: &str = r"[\u0009\u000A\u000D\u0020-\u00FF]+";
/// Longest pagination marker (`markerType`).
pub const MARKER_MAX_LEN: usize = 320;
/// Characters allowed in a marker.
pub const MARKER_PATTERN: &str = r"[\u0020-\u00FF]+";
/// Smallest `MaxItems`.
pub const MAX_ITEMS_MIN: i64 = 1;
/// Largest `MaxItems`.
pub const MAX_ITEMS_MAX: i64 = 1000;
/// `MaxItems` when the request gives none.
pub const DEFAULT_MAX_ITEMS: usize = 100;
/// Shortest access key id (`accessKeyIdType`).
pub const ACCESS_KEY_ID_MIN_LEN: usize = 16;
/// Longest access key id.
pub const ACCESS_KEY_ID_MAX_LEN: usize = 128;
/// Pattern of an access key id.
pub const ACCESS_KEY_ID_PATTERN: &str = r"[\w]+";
/// Values of an access key `Status` (`statusType`).
pub const STATUS_ENUM: &str = "[Active, Inactive, Expired]";
/// Longest account name (AWS account names are at most 50 characters).
pub const ACCOUNT_NAME_MAX_LEN: usize = 50;

/// Quota: access keys per user (and for the account root).
pub const ACCESS_KEYS_PER_USER: usize = 2;
/// Quota: IAM users per account.
pub const USERS_PER_ACCOUNT: usize = 5_000;
/// Quota: aggregate size of a user's inline policies, in characters, whitespace not counted.
pub const USER_POLICY_SIZE_MAX: usize = 2_048;

/// `\w` as IAM's (Java) patterns read it: ASCII letters, digits and `_`.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `s` matches [`NAME_PATTERN`].
pub(crate) fn is_valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| is_word(c) || "+=,.@-".contains(c))
}

/// Whether `s` matches [`PATH_PATTERN`].
pub(crate) fn is_valid_path(s: &str) -> bool {
    s == "/"
        || (s.len() >= 3
            && s.starts_with('/')
            && s.ends_with('/')
            && s.chars().all(|c| ('\u{21}'..='\u{7E}').contains(&c)))
}

/// Whether `s` matches [`PATH_PREFIX_PATTERN`].
pub(crate) fn is_valid_path_prefix(s: &str) -> bool {
    s.starts_with('/') && s.chars().all(|c| ('\u{21}'..='\u{7F}').contains(&c))
}

/// Whether `s` matches [`POLICY_DOCUMENT_PATTERN`].
pub(crate) fn is_valid_policy_document(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FF}'))
}

/// Whether `s` matches [`MARKER_PATTERN`].
pub(crate) fn is_valid_marker(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| ('\u{20}'..='\u{FF}').contains(&c))
}

/// Whether `s` matches [`ACCESS_KEY_ID_PATTERN`].
pub(crate) fn is_valid_access_key_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_word)
}

/// The size IAM counts for a policy document: its characters, whitespace excluded.
pub fn policy_size(document: &str) -> usize {
    document.chars().filter(|c| !c.is_whitespace()).count()
}

/// Collects constraint violations and renders IAM's `ValidationError` message.
#[derive(Debug, Default)]
pub(crate) struct Violations {
    items: Vec<String>,
}

impl Violations {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, field: &str, value: &str, constraint: &str) {
        self.items.push(format!(
            "Value '{value}' at '{field}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    /// Length in characters within `min..=max`.
    pub(crate) fn length(&mut self, field: &str, value: &str, min: usize, max: usize) -> &mut Self {
        let len = value.chars().count();
        if len < min {
            self.push(
                field,
                value,
                &format!("have length greater than or equal to {min}"),
            );
        }
        if len > max {
            self.push(
                field,
                value,
                &format!("have length less than or equal to {max}"),
            );
        }
        self
    }

    /// Matches `pattern` (checked by `ok`).
    pub(crate) fn pattern(
        &mut self,
        field: &str,
        value: &str,
        ok: bool,
        pattern: &str,
    ) -> &mut Self {
        if !ok {
            self.push(
                field,
                value,
                &format!("satisfy regular expression pattern: {pattern}"),
            );
        }
        self
    }

    /// Integer within `min..=max`.
    pub(crate) fn range(&mut self, field: &str, value: i64, min: i64, max: i64) -> &mut Self {
        if value < min {
            self.push(
                field,
                &value.to_string(),
                &format!("have value greater than or equal to {min}"),
            );
        }
        if value > max {
            self.push(
                field,
                &value.to_string(),
                &format!("have value less than or equal to {max}"),
            );
        }
        self
    }

    /// One of an enumeration.
    pub(crate) fn enumeration(
        &mut self,
        field: &str,
        value: &str,
        ok: bool,
        set: &str,
    ) -> &mut Self {
        if !ok {
            self.push(field, value, &format!("satisfy enum value set: {set}"));
        }
        self
    }

    /// `Ok` when nothing was violated, else IAM's message.
    pub(crate) fn finish(&mut self) -> Result<(), crate::IamError> {
        let n = self.items.len();
        if n == 0 {
            return Ok(());
        }
        let noun = if n == 1 { "error" } else { "errors" };
        let message = format!("{n} validation {noun} detected: {}", self.items.join("; "));
        self.items.clear();
        Err(crate::IamError::Validation(message))
    }

    /// A user name in `CreateUser`/`UpdateUser` (`userNameType`).
    pub(crate) fn new_user_name(&mut self, field: &str, name: &str) -> &mut Self {
        self.length(field, name, NAME_MIN_LEN, USER_NAME_MAX_LEN)
            .pattern(field, name, is_valid_name(name), NAME_PATTERN)
    }

    /// A user name naming an existing user (`existingUserNameType`).
    pub(crate) fn existing_user_name(&mut self, name: &str) -> &mut Self {
        self.length("userName", name, NAME_MIN_LEN, EXISTING_USER_NAME_MAX_LEN)
            .pattern("userName", name, is_valid_name(name), NAME_PATTERN)
    }

    /// A path (`pathType`).
    pub(crate) fn path(&mut self, field: &str, path: &str) -> &mut Self {
        self.length(field, path, PATH_MIN_LEN, PATH_MAX_LEN)
            .pattern(field, path, is_valid_path(path), PATH_PATTERN)
    }

    /// An inline policy name (`policyNameType`).
    pub(crate) fn policy_name(&mut self, name: &str) -> &mut Self {
        self.length("policyName", name, NAME_MIN_LEN, POLICY_NAME_MAX_LEN)
            .pattern("policyName", name, is_valid_name(name), NAME_PATTERN)
    }

    /// An access key id (`accessKeyIdType`).
    pub(crate) fn access_key_id(&mut self, akid: &str) -> &mut Self {
        self.length(
            "accessKeyId",
            akid,
            ACCESS_KEY_ID_MIN_LEN,
            ACCESS_KEY_ID_MAX_LEN,
        )
        .pattern(
            "accessKeyId",
            akid,
            is_valid_access_key_id(akid),
            ACCESS_KEY_ID_PATTERN,
        )
    }

    /// Pagination parameters.
    pub(crate) fn page(&mut self, marker: Option<&str>, max_items: Option<i64>) -> &mut Self {
        if let Some(m) = marker {
            self.length("marker", m, 1, MARKER_MAX_LEN).pattern(
                "marker",
                m,
                is_valid_marker(m),
                MARKER_PATTERN,
            );
        }
        if let Some(n) = max_items {
            self.range("maxItems", n, MAX_ITEMS_MIN, MAX_ITEMS_MAX);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(is_valid_name("alice+ops=x,y.z@example-1_"));
        assert!(!is_valid_name("al ice"));
        assert!(!is_valid_name("alice/"));
        assert!(!is_valid_name(""));
        assert!(is_valid_path("/"));
        assert!(is_valid_path("/division_abc/subdivision_xyz/"));
        assert!(!is_valid_path("//"));
        assert!(!is_valid_path("/no-trailing"));
        assert!(!is_valid_path("no-leading/"));
        assert!(!is_valid_path("/sp ace/"));
        assert!(is_valid_path_prefix("/"));
        assert!(is_valid_path_prefix("/abc"));
        assert!(!is_valid_path_prefix("abc"));
        assert!(is_valid_access_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(!is_valid_access_key_id("AKIA-IOSFODNN7EXAMPLE"));
        assert!(is_valid_policy_document("{\n\t\"a\": \"é\"\r\n}"));
        assert!(!is_valid_policy_document("{\"a\": \"€\"}"));
        assert_eq!(policy_size("{ \"a\" :\n \"b c\" }"), 10);
    }

    #[test]
    fn messages() {
        let mut v = Violations::new();
        v.new_user_name("userName", "bad name");
        assert_eq!(
            v.finish(),
            Err(crate::IamError::Validation(
                "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
                    .into()
            ))
        );
        let mut v = Violations::new();
        v.page(None, Some(0)).existing_user_name("");
        let msg = v.finish().err().map(|e| e.message()).unwrap_or_default();
        assert!(
            msg.starts_with("3 validation errors detected: Value '0' at 'maxItems' failed"),
            "{msg}"
        );
        assert!(
            msg.contains("Member must have length greater than or equal to 1"),
            "{msg}"
        );
        assert!(v.finish().is_ok());
    }
}
