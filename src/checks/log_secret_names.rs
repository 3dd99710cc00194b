//! Which names hold secret values worth keeping out of logs: stricter than
//! `names::is_secret_name` (generic `*_key` names such as `cache_key` are
//! not secrets; counts, flags, timestamps and parser positions are not).

use super::names::{is_secret_name, SECRET_WORDS};

/// Beyond [`SECRET_WORDS`]: session keys and bearer tokens.
const STRONG_EXTRA: &[&str] = &["sessionkey", "bearer"];
const SAFE_SUFFIX: &[&str] = &[
    "tokens",
    // A token's claims and kind describe it: `token__issuer`, `token_type`.
    "issuer",
    "iss",
    "subject",
    "sub",
    "audience",
    "aud",
    "scope",
    "scopes",
    "type",
    "alg",
    "algorithm",
    "changedat",
    "updatedat",
    "createdat",
    "expiresat",
    "setat",
    "changed",
    "valid",
    "required",
    "enabled",
    "set",
    "exists",
    "present",
    "provided",
    "len",
    "count",
    "strength",
    "rules",
    "hint",
    "label",
    "field",
    "input",
    "error",
    "errors",
    "missing",
    // A sentinel stored for a key that does not exist: `API_KEY_NON_EXISTENT`.
    "nonexistent",
    "mismatch",
    "invalid",
    "match",
    "matches",
    "ok",
    "arn",
    "ref",
    "manager",
    "service",
    "provider",
    "client",
    "class",
    "store",
    "generator",
    "validator",
    "serializer",
    "form",
    "schema",
    "url",
    "endpoint",
    // How a token is fetched: `token_method` (GET or POST).
    "method",
    "usage",
    "limit",
    "budget",
    "source",
    "kind",
    "id",
    "ids",
    "reset",
    "backend",
    "hasher",
    "pos",
    "position",
    "index",
    "idx",
    "offset",
    "start",
    "end",
    "span",
    "line",
    "col",
    "column",
    "stream",
    "iter",
    "list",
    "types",
    "tokenizer",
    "parser",
    "lexer",
    "estimate",
];
const SAFE_PREFIX: &[&str] = &[
    "is",
    "has",
    "should",
    "needs",
    "num",
    "max",
    "min",
    "total",
    "prompt",
    "completion",
    "no",
    "use",
    "validate",
    "check",
    "reset",
    "forgot",
    "verify",
    "new_",
    "generate",
];
pub const AUTH_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
    "x-access-token",
    "api-key",
];

/// A name that holds a secret value (stricter than `is_secret_name`: generic
/// `*_key` names such as `cache_key` are not secrets).
pub fn secret_name(name: &str) -> bool {
    let compact: String = name
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if compact.len() < 3 || !is_secret_name(name) && compact != "authorization" {
        return compact == "authorization" || compact == "bearertoken";
    }
    // Pagination, idempotency and semaphore tokens are not credentials.
    const NOT_CREDENTIAL: &[&str] = &[
        "nexttoken",
        "pagetoken",
        "startingtoken",
        "starttoken",
        "continuationtoken",
        "paginationtoken",
        "synctoken",
        "cancellationtoken",
        "idempotencytoken",
        "clienttoken",
        "acquiretoken",
        "resumetoken",
        "cursortoken",
        "lasttoken",
        "prevtoken",
        "previoustoken",
    ];
    SECRET_WORDS
        .iter()
        .chain(STRONG_EXTRA)
        .any(|w| compact.contains(w))
        && !NOT_CREDENTIAL.iter().any(|w| compact.contains(w))
        && !SAFE_SUFFIX.iter().any(|s| compact.ends_with(s))
        && !SAFE_PREFIX
            .iter()
            .any(|p| compact.starts_with(&p.replace('_', "")) && compact.len() > p.len() + 3)
}

static REVEAL: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r#"(?i)\b(password|passwd|passphrase|secret|token|api[ _-]?key|access[ _-]?key|private[ _-]?key|credentials?|bearer|authorization|auth[ _-]?header)s?\b\s*(:|=|is|was)?\s*['"(\[<]?(%[-0-9.]*[sr]|%\(\w+\)[sr]|\{[^}]*\}|\$\{[^}]*\})"#,
    )
    .ok()
});

static PLACEHOLDER: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"%[-0-9.]*[sdrif]|%\(\w+\)[sdrif]|\{[^}]*\}|\$\{[^}]*\}").ok()
});

/// Does a log message's text announce a secret right before a placeholder
/// (`"api key: %s"`, `f"token={tok}"`, `` `password ${pw}` ``)? Returns the
/// index of that placeholder among the message's placeholders. Placeholders
/// holding an id, a length or a masked value, and announcements such as
/// "has password" or "invalid token", do not count.
pub fn revealing_placeholder(message: &str) -> Option<usize> {
    let re = REVEAL.as_ref()?;
    let ph_re = PLACEHOLDER.as_ref()?;
    for c in re.captures_iter(message) {
        let (Some(whole), Some(ph)) = (c.get(0), c.get(3)) else {
            continue;
        };
        let text = ph.as_str().to_ascii_lowercase();
        // `{ttft:.3f}`, `{n:,d}`: a format spec for a number.
        let numeric = text
            .trim_end_matches('}')
            .rsplit_once(':')
            .is_some_and(|(_, spec)| {
                spec.ends_with(['d', 'f', 'e', 'g', '%'])
                    && spec
                        .chars()
                        .all(|c| c.is_ascii_digit() || ".,_+-<>^=dfeg%".contains(c))
            });
        let safe_value = numeric
            || [
                "len(", "length", "mask", "redact", "[:", "[-", "_id", ".id", "count", "type",
                "expir", "ttl", "hash", "url", "name", "user", "email",
            ]
            .iter()
            .any(|w| text.contains(w));
        let before = message[..whole.start()].trim_end().to_ascii_lowercase();
        let prev_word = before
            .rsplit(|ch: char| !ch.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let negated = [
            "has", "have", "no", "missing", "invalid", "wrong", "bad", "empty", "valid", "expired",
            "without", "with", "requires", "require",
        ]
        .contains(&prev_word);
        if !safe_value && !negated {
            return Some(ph_re.find_iter(&message[..ph.start()]).count());
        }
    }
    None
}

/// [`revealing_placeholder`] as a yes/no.
pub fn message_reveals_secret(message: &str) -> bool {
    revealing_placeholder(message).is_some()
}

/// Is an argument shown by a placeholder harmless by its name (an id, a
/// name, a count)?
pub fn harmless_value(text: &str) -> bool {
    let last = text
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase();
    // `"failed to refresh token: {}", err`: the error, not the token.
    let first = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase();
    // ... also converted to text: `${String(error)}`, `str(exc)`.
    let error_name = |w: &str| {
        matches!(w, "e" | "err" | "error" | "ex" | "exc" | "exception")
            || w.ends_with("_err")
            || w.ends_with("_error")
    };
    let converted = matches!(first.as_str(), "string" | "str" | "repr")
        && text.trim_end().ends_with(')')
        && error_name(&last);
    let error = error_name(&first) || converted;
    // `apiKeyId`, `tokenIDs`: an identifier's id, in camelCase.
    let camel_id = text
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|s| !s.is_empty())
        .is_some_and(|s| ["Id", "ID", "Ids", "IDs"].iter().any(|w| s.ends_with(w)));
    error
        || camel_id
        || last == "id"
        || [
            "_id", "name", "email", "user", "username", "count", "len", "type", "url", "path",
            // `total_tokens`: a language model's usage count, as in SAFE_SUFFIX.
            "tokens",
        ]
        .iter()
        .any(|w| last.ends_with(w))
        || text.starts_with(['"', '\'', '`'])
        || text.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reveals() {
        assert!(message_reveals_secret("\"api key: %s\""));
        assert!(message_reveals_secret("f\"token={tok}\""));
        assert!(message_reveals_secret("`password ${pw}`"));
        assert!(message_reveals_secret("\"Bearer {}\""));
        assert!(!message_reveals_secret("\"password reset for %s\""));
        assert!(!message_reveals_secret("f\"token {token_id} expired\""));
        assert!(!message_reveals_secret("\"token length %d\""));
        assert!(!message_reveals_secret("\"has password: %s\""));
        assert_eq!(revealing_placeholder("\"key for %s: api key %s\""), Some(1));
        assert!(harmless_value("client.token_id"));
        assert!(!harmless_value("new"));
        assert!(
            harmless_value("err")
                && harmless_value("e.to_string()")
                && harmless_value("refresh_error")
        );
        assert!(!harmless_value("errand") && !harmless_value("refresh_token"));
        assert!(secret_name("db_password"));
        assert!(!secret_name("cache_key"));
        assert!(!secret_name("max_tokens"));
        assert!(!secret_name("token_pos"));
    }
}
