//! How much a value assigned to a secret name looks like a credential, for
//! `hardcoded-secret`: filters for code (names, labels, formats, prose) and
//! for generic config files.

use super::idwords::{ident_words, is_version};
use super::names::{is_password_name, SECRET_WORDS};

/// In a generic config file, a password/secret/token key whose value is a
/// single token mixing letters with digits or symbols (`db_password:
/// s3cret!`), not a word (`password: Passwort`) or prose.
pub fn credential_like(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let strong = [
        "passw",
        "pwd",
        "secret",
        "token",
        "credential",
        "passphrase",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let v = value.trim();
    // `secretKey: jwt-secret`, `existingSecret: api-secrets`: names of
    // secrets kept elsewhere (Helm values, operators).
    let compact = lower.replace(['_', '-'], "");
    let names_a_secret = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        && ["secret", "pass", "token", "key", "cred"]
            .iter()
            .any(|w| v.contains(w));
    strong
        && !names_a_secret
        && !compact.ends_with("key")
        && v.len() >= 6
        && v.is_ascii()
        && !v.contains(char::is_whitespace)
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && v.chars().any(|c| !c.is_ascii_alphabetic())
        && !v.contains("://")
        && !v.contains('/')
        // A linter's pattern: Vale's `token: \b(\w+)\b`.
        && !["\\b", "\\w", "\\d", "\\s", "(?"]
            .iter()
            .any(|m| v.contains(m))
}

/// Names that can only hold a key: any text given to them is one.
pub fn is_key_only(name: &str) -> bool {
    let compact = name.to_ascii_lowercase().replace(['_', '-'], "");
    [
        "secretkey",
        "signingkey",
        "jwtsecret",
        "sessionsecret",
        "cookiesecret",
        "encryptionkey",
        "hmackey",
    ]
    .iter()
    .any(|w| compact.contains(w))
}

/// Is `value` an identifier of two or more words that runs, word for word,
/// inside `name`, perhaps with a version after it? `ApiKeyStoreKey =
/// 'ApiKeyStore'`, `JWT_SECRET_ENV = "jwt-secret"`, `ATTR_OAUTH2_CLIENT_SECRET
/// = "oauth2_client_secret"` and `HMAC_KEY = "hmac-key-v2"` name the thing
/// they key; a one-word value (`password = "pass"`) is not judged here.
fn names_part_of(name: &str, value: &str) -> bool {
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return false;
    }
    let mut words = ident_words(value);
    if words.len() > 2 && words.last().is_some_and(|w| is_version(w)) {
        words.pop();
    }
    let in_name = ident_words(name);
    words.len() >= 2
        && words
            .iter()
            .all(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
        && in_name.windows(words.len()).any(|w| w == words.as_slice())
}

/// Does a config value repeat its key's last word in lower-case words
/// (`ACCESS_TOKEN_SECRET: access_token_secret`, `TOKEN: chrome_token`)? It
/// stands in for a value the deployment is to set.
pub fn echoes_name(name: &str, value: &str) -> bool {
    let words = ident_words(value);
    let name_words = ident_words(name);
    value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'))
        && words.len() >= 2
        && words.last().is_some_and(|w| name_words.last() == Some(w))
}

/// A dotted import path to a class, as settings name one:
/// `"token": "custom_auth.serializers.CustomTokenSerializer"`.
fn is_class_path(v: &str) -> bool {
    let Some((module, class)) = v.rsplit_once('.') else {
        return false;
    };
    let identifier = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    module
        .split('.')
        .all(|s| identifier(s) && !s.chars().any(|c| c.is_ascii_uppercase()))
        && identifier(class)
        && class.starts_with(|c: char| c.is_ascii_uppercase())
        && class.chars().any(|c| c.is_ascii_lowercase())
}

/// A template's slot: `MODULE_TOKEN = "{module}"` is the text a template
/// holds where the module's name goes.
fn is_template_slot(v: &str) -> bool {
    v.strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(|inner| {
            inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A keyboard shortcut: `PASTE_RAW_KEY = "Mod-Shift-v"`, `"Ctrl+K"`.
fn is_key_binding(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['-', '+']).collect();
    let modifier = |p: &str| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "mod" | "ctrl" | "control" | "shift" | "alt" | "meta" | "cmd" | "command" | "option"
        )
    };
    parts.len() >= 2
        && parts.len() <= 4
        && parts[..parts.len() - 1].iter().all(|p| modifier(p))
        && parts.last().is_some_and(|k| {
            !k.is_empty() && k.len() <= 9 && k.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// A document field's path given for another's: MongoDB's `{ $rename: {
/// "credentials.user": "credentials.serviceAccount" } }`. Both are dotted
/// paths under the same first field.
fn renames_field(name: &str, v: &str) -> bool {
    let path = |s: &str| {
        s.contains('.')
            && s.split('.').all(|seg| {
                seg.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    };
    path(name) && path(v) && name.split('.').next() == v.split('.').next()
}

/// Syntax-highlighting rules (Ace, CodeMirror, Monaco) and design systems
/// name the kind of a token: `{ token: "comment", regex: "#.*$" }`,
/// `defaultToken: "string.end"`, `"variable-2"`, `token:
/// "background-primary"`, a CSS custom property `token: "--background"`. A
/// value named `token` made of lower-case words joined by `.` or `-` (at
/// most one short number among them) is such a kind, not a credential;
/// `xoxb-1234-5678-abc` has too many numbers.
fn lexer_token_type(name: &str, value: &str) -> bool {
    let words = ident_words(name);
    // A design token's CSS custom property: `{ token: "--background" }`.
    let value = value.strip_prefix("--").unwrap_or(value);
    let segments: Vec<&str> = value.split(['.', '-']).collect();
    let letters = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase());
    let number = |s: &str| (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    words.last().is_some_and(|w| w == "token")
        && words.len() <= 2
        && value.len() <= 40
        && segments.first().is_some_and(|s| letters(s))
        && segments.iter().all(|s| letters(s) || number(s))
        && segments.iter().filter(|s| number(s)).count() <= 1
}

/// Code-only filters: values that are names, messages or formats rather
/// than credentials (`TOKEN_TYPE = "bearer"`, `API_KEY = "api_key"`).
pub fn code_value_is_secret(name: &str, value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-', '.', ' '], "");
    if norm(v) == norm(name)
        || norm(v).is_empty()
        || names_part_of(name, v)
        || lexer_token_type(name, v)
    {
        return false;
    }
    const WORDS: &[&str] = &[
        "bearer",
        "basic",
        "digest",
        "token",
        "jwt",
        "hs256",
        "hs512",
        "rs256",
        "es256",
        "sha256",
        "utf-8",
        "utf8",
        "ascii",
        "hex",
        "base64",
        "include",
        "same-origin",
        "omit",
        "required",
        "optional",
        "none",
        "disabled",
        "enabled",
        // How a secret is kept: `storeTokens: "hashed"`.
        "hashed",
        "encrypted",
        "plain",
        "password",
        "passwd",
        "pwd",
        "api_key",
        "apikey",
        "access_token",
        "refresh_token",
        "id_token",
        // Markers for accounts whose password lives elsewhere:
        // `{"password": "LDAP"}`, `user.password == "OIDC"`.
        "ldap",
        "oidc",
        "sso",
        "saml",
        "oauth",
        "oauth2",
        "external",
        "unusable",
        // Lint rule levels: `'jsx-a11y/no-access-key': 'error'`.
        "off",
        "warn",
        "error",
    ];
    // OIDs and version numbers: `1.2.840.113549.1.9.4`; URNs:
    // `urn:ietf:params:oauth:token-type:access_token`.
    if v.chars().all(|c| c.is_ascii_digit() || c == '.') || lower.starts_with("urn:") {
        return false;
    }
    if WORDS.contains(&lower.as_str()) {
        return false;
    }
    // One word that is the name's own last word: `'api-keys': 'keys'`. A
    // key-only name keeps it (`JWT_SECRET = "secret"` signs with "secret").
    if v.chars().all(|c| c.is_ascii_alphabetic())
        && !is_key_only(name)
        && !lower.starts_with("secret")
        && ident_words(name).last().is_some_and(|w| *w == lower)
    {
        return false;
    }
    if is_class_path(v)
        || is_template_slot(v)
        || renames_field(name, v)
        || is_key_binding(v)
        // A custom header's name: `HTTP_HEADER_ROUTING_TOKEN = "x-qdrant-route-affinity"`.
        || v.starts_with("x-")
            && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return false;
    }
    // ENV_VAR_NAME, snake_case / camelCase / dotted identifiers.
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let is_env_name = v.contains('_')
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    // Words may carry digits (`es256_private_key_der`), not be numbers.
    let is_snake = v.contains(['_', '.'])
        && v.split(['_', '.']).filter(|w| !w.is_empty()).all(|w| {
            w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    // Message ids: `changePassword: 'label.change-password'`.
    let is_message_id = v.contains('.')
        && v.split('.').all(|seg| {
            seg.starts_with(|c: char| c.is_ascii_lowercase())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || matches!(c, '-' | '_'))
        });
    // A global's name may be wrapped in underscores: `"__acmeSentryConfig"`.
    let bare = v.trim_matches('_');
    let is_camel = bare.chars().all(|c| c.is_ascii_alphabetic())
        && bare.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && bare.chars().any(|c| c.is_ascii_uppercase())
        && bare.chars().filter(|c| c.is_ascii_uppercase()).count() <= 3;
    if is_env_name || is_snake || is_message_id || (is_camel && v.chars().all(ident)) {
        return false;
    }
    // Prose and format strings: messages, labels, `Bearer {}`. A name that
    // can only be a key (`secret_key`, `jwt_secret`) takes any text as one:
    // `app.secret_key = "my flask secret"`.
    let compact = name.to_ascii_lowercase().replace(['_', '-'], "");
    if is_key_only(name) && !lower.contains("://") && !lower.contains("{}") && !lower.contains("%s")
    {
        return true;
    }
    // Colors, anchors and regular expressions: `#f8f8f2`, `#text`,
    // `[A-Z][a-z]+`, `^\d{6}$`.
    let regex_like = v.starts_with(['[', '^', '#'])
        || v.starts_with("(?")
        || v.ends_with('$')
        || ["\\d", "\\w", "\\s", "\\b", ".*", ".+", "[^"]
            .iter()
            .any(|m| v.contains(m));
    if regex_like {
        return false;
    }
    // `SYS_KEY = "include"`: a name that is only `*_key` holds a secret
    // only when the value is more than a plain word.
    let strong = SECRET_WORDS
        .iter()
        .chain(&["passw", "hmackey", "licensekey"])
        .any(|w| compact.contains(w));
    // Nor one of the name's own words with a number: `my_node_key =
    // "node1"` names the field prefix `node1_pub`.
    let word = v.trim_end_matches(|c: char| c.is_ascii_digit());
    let numbered_word = v.len() - word.len() <= 3
        && !word.is_empty()
        && ident_words(name).iter().any(|w| w == word);
    if !strong && (v.chars().all(|c| c.is_ascii_alphabetic()) || numbered_word) {
        return false;
    }
    // Nor when the value is the name of something, lower-case words joined
    // by `-`, `_`, `.` or `:`: `SIGNATURE_KEY = "webhook-signature"` is the
    // header (or field, or storage key) a value travels under, `count_key =
    // "node:payments_count"` and `"langfuse:v4-legacy-api-usage:cursor"` a
    // cache entry's.
    // Empty segments come from `__prefix` and BEM's `block__element--mod`.
    // The first of three or more words may be a product's name
    // (`"SearXNG_limiter.token"`).
    let segments: Vec<&str> = v
        .split(['-', '_', '.', ':'])
        .filter(|w| !w.is_empty())
        .collect();
    let named = segments.len() >= 2
        && segments.iter().enumerate().all(|(i, w)| {
            if i == 0 && segments.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                return true;
            }
            // Short words may carry a number (`v4`, `s3`), long ones not;
            // a word may be camelCase (`sidebarWidth`).
            w.starts_with(|c: char| c.is_ascii_lowercase())
                && (w.chars().all(|c| c.is_ascii_alphabetic())
                    && w.chars().filter(|c| c.is_ascii_uppercase()).count() <= 3
                    || w.len() <= 5
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        });
    if !strong && named {
        return false;
    }
    // An HTTP header's name, words joined by `-`, the first capitalised:
    // `TOKEN_DPOP_NONCE = "DPoP-nonce"`, `KEY_HEADER = "X-Api-Key"`.
    let header = v.starts_with(|c: char| c.is_ascii_uppercase())
        && v.contains('-')
        && v.split('-')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()));
    if header && !is_password_name(name) {
        return false;
    }
    let words = v.split_whitespace().count();
    let label = words >= 2
        && lower.split_whitespace().any(|w| {
            ["token", "password", "secret", "key", "passphrase", "api"]
                .contains(&w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        });
    // UI text: "Too short", "Reset password".
    let ui_text = words >= 2 && v.chars().next().is_some_and(|c| c.is_uppercase());
    if words >= 3
        || label
        || ui_text
        || v.ends_with([':', '?'])
        || (words >= 2 && v.ends_with(['.', '!']))
        || v.contains("{}")
        || v.contains("%s")
        || v.contains("{0}")
        || lower.contains("://")
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_kinds_are_not_credentials() {
        for v in ["comment", "string.end", "variable-2", "background-primary"] {
            assert!(lexer_token_type("token", v), "{v}");
        }
        assert!(lexer_token_type("defaultToken", "constant.language.escape"));
        for v in ["xoxb-1234-5678-abcdef", "Bearer-abc", "s3cr3t", "abc_def"] {
            assert!(!lexer_token_type("token", v), "{v}");
        }
        assert!(!lexer_token_type("github_access_token", "comment"));
    }
}
