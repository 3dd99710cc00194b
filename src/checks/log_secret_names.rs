//! Which names hold secret values worth keeping out of logs: stricter than
//! `names::is_secret_name` (generic `*_key` names such as `cache_key` are
//! not secrets; counts, flags, timestamps and parser positions are not).

use super::names::is_secret_name;

const STRONG: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "pwd",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "credential",
    "signingkey",
    "encryptionkey",
    "authkey",
    "passphrase",
    "masterkey",
    "fernetkey",
    "sessionkey",
    "bearer",
];
const SAFE_SUFFIX: &[&str] = &[
    "tokens",
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
    STRONG.iter().any(|w| compact.contains(w))
        && !SAFE_SUFFIX.iter().any(|s| compact.ends_with(s))
        && !SAFE_PREFIX
            .iter()
            .any(|p| compact.starts_with(&p.replace('_', "")) && compact.len() > p.len() + 3)
}
