//! What identifiers and values look like: secret names, password names,
//! placeholder values. Shared by the secret and hashing checks.

use super::idwords::{ident_words, is_version};

/// Words that make a name secret wherever they occur in it (matched against
/// the name lower-cased with `_`/`-` removed).
pub const SECRET_WORDS: &[&str] = &[
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
    "clientsecret",
    "masterkey",
    "fernetkey",
];

/// Does a variable, setting or environment name hold a secret?
/// `JWT_SECRET`, `apiKey`, `DB_PASSWORD`, `stripe_token` yes; `PORT`,
/// `PUBLIC_KEY_PATH`, `TOKEN_TTL`, `SECRET_NAME` no.
pub fn is_secret_name(name: &str) -> bool {
    // A route or a sentence is no variable's name: `'post /one-time-tokens':
    // 'AddOneTimeToken'` maps routes to operation ids.
    if name.contains(char::is_whitespace) || name.contains('/') {
        return false;
    }
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let compact = lower.replace('_', "");
    const NO: &[&str] = &[
        "public",
        "publishable",
        "path",
        "file",
        "url",
        "uri",
        "ttl",
        "expire",
        "lifetime",
        "length",
        "header",
        "name",
        "prefix",
        "field",
        "type",
        "algorithm",
        "timeout",
        "endpoint",
        "location",
        "dir",
        "count",
        "required",
        "enabled",
        "version",
        "keyid",
        "tokenid",
        "hint",
        "policy",
        "reset",
        "format",
        "regex",
        "pattern",
        "minlength",
        "maxlength",
        "label",
        "placeholder",
    ];
    let yes = SECRET_WORDS.iter().any(|w| compact.contains(w))
        || lower.ends_with("_key")
        || lower == "key"
        || lower.ends_with("key") && lower.contains("api");
    const NEVER: &[&str] = &[
        "public",
        "publishable",
        "expir",
        "ttl",
        "lifetime",
        "timeout",
        "minutes",
        "seconds",
        "hours",
        "threshold",
        "locktime",
        "delay",
        "interval",
        "retries",
        "attempts",
        "length",
        "tokenizer",
        "maxtoken",
        "numtoken",
        "tokencount",
        "tokenlimit",
        "tokensper",
        "tokenusage",
        // Language-model usage counters: `tokens_used`, `completion_tokens`.
        "tokensused",
        "usedtoken",
        "completiontoken",
        "totaltoken",
        "inputtoken",
        "outputtoken",
        "cachedtoken",
        "reasoningtoken",
        "cachekey",
        "sortkey",
        "partitionkey",
        "primarykey",
        "foreignkey",
        "idempotencykey",
        "objectkey",
        "bucketkey",
        "storagekey",
        "lookupkey",
        "routingkey",
        "shardkey",
        "dedupkey",
        "groupkey",
        "hotkey",
        // A CI cache's version label: rust-cache's `prefix-key: "v2025.09-rust"`.
        "prefixkey",
        // Analytics ingestion keys ship inside every client by design:
        // Segment's and RudderStack's write keys, Mixpanel's project token.
        "segment",
        "writekey",
        "mixpanel",
        // Keys into a dictionary or a map: `initial_dict_key`.
        "dictkey",
        "mapkey",
        // Names of page elements: `showPasswordButtonClassHidden`.
        "button",
        // A chat widget's public website token (Chatwoot's embed).
        "websitetoken",
        "hashed",
        "existing",
        "placeholder",
        "example",
        "sample",
        "dummy",
        "fake",
        "mock",
        "passwordhash",
        "tokenhash",
        "prompt",
        "question",
    ];
    // Names that end like this describe a secret rather than hold one:
    // `JWT_SECRET_ENV = "JWT_SECRET"`, `TOKEN_ERROR = "invalid token"`.
    const NO_SUFFIX: &[&str] = &[
        // `token_exp`, `jwt_exp`: the JWT expiry claim, a timestamp.
        "exp",
        "cookie",
        "env",
        "envvar",
        "var",
        "error",
        "errors",
        "status",
        "message",
        "msg",
        "text",
        "description",
        "help",
        "title",
        // `PASSWORD_RESET_TEMPLATE = "reset.html"`: a form or mail template.
        "template",
        "templates",
        "tpl",
        // `GH_AW_SECRET_NAMES: "CLAUDE_TOKEN,GITHUB_TOKEN"`: names, listed.
        "names",
        // Where a credential comes from: `credentialSource: "langfuse"`.
        "source",
        // A page element's id or class: `SECRET_FORM = "settings__secret-form"`.
        "form",
        "icon",
        // `PASSWORD_CHARSET = "abc...789"`: what generated secrets are made of.
        "charset",
        "chars",
        "characters",
        "alphabet",
        "arn",
        "region",
        "limit",
        "usage",
        "scope",
        "scopes",
        "mode",
        "provider",
        "backend",
        "strategy",
        "manager",
        "rotation",
        "class",
        "id",
        "ids",
        "interval",
        "retries",
        "attempts",
        "size",
        "bytes",
        "days",
        "hours",
        "mins",
        "secs",
        // `access_token_alg = "EdDSA"`: a signing algorithm's name.
        "alg",
        "algs",
        "algorithm",
        "algorithms",
    ];
    // Error codes and messages about a secret: `INFRA_TOKEN_NOT_FOUND`,
    // `ENV_INVALID_DATA_ENCRYPTION_KEY`, `ACCESS_TOKEN_LABEL_SHORT`.
    const STATUS_WORDS: &[&str] = &["invalid", "missing", "found", "label"];
    // `TOKEN_PREFIX_V1`, `SECRET_NAME_2`: a version ends the name, the word
    // before it says what it holds.
    let all_words = ident_words(name);
    let mut words = all_words.clone();
    while words.len() > 1
        && words.last().is_some_and(|w| {
            is_version(w) || !w.is_empty() && w.chars().all(|c| c.is_ascii_digit())
        })
    {
        words.pop();
    }
    let unversioned = words.concat();
    yes && !NO.iter().any(|w| unversioned.ends_with(w))
        && !all_words.iter().any(|w| STATUS_WORDS.contains(&w.as_str()))
        && !["public", "reactapp", "vite", "gatsby", "expopublic"]
            .iter()
            .any(|p| compact.starts_with(p))
        && !NO_SUFFIX.iter().any(|w| unversioned.ends_with(w))
        && !NEVER.iter().any(|w| compact.contains(w))
        && !matches!(compact.as_str(), "pwd" | "oldpwd")
}

/// Does a name hold a password (what users type), rather than any secret?
pub fn is_password_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["passw", "passwd", "pwd", "passphrase"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Is a secret value obviously a placeholder rather than a real key?
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    if v.is_empty() || v.len() < 4 {
        return true;
    }
    if v.starts_with("${") || v.starts_with('<') || v.starts_with("{{") || v.starts_with('$') {
        return true;
    }
    const WORDS: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "change-this",
        "change_this",
        "replace",
        "your-",
        "your_",
        "yourkey",
        "example",
        "dummy",
        "placeholder",
        "xxx",
        "todo",
        "fixme",
        "insert",
        "redacted",
        "notsecret",
        "fake",
        "not-secret",
        "secret-here",
        "here",
    ];
    WORDS.iter().any(|w| v.contains(w))
        || v.chars().all(|c| c == v.chars().next().unwrap_or('x'))
        // Azurite's (the Azure Storage emulator's) published account key.
        || v.starts_with("eby8vdm02xnocqflquwjpllmetlcdxj1ouzft50usrz6ifsufq2uverc")
}

/// Does a value point at a secret kept elsewhere instead of holding one:
/// `${JWT_SECRET}`, `$(cat /run/secrets/x)`, `{{ .Values.key }}`,
/// `%(DB_PASSWORD)s`, `vault:secret/data/x#key`, a file path?
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "${",
        "$(",
        "{{",
        "%(",
        "#{",
        "@microsoft.keyvault",
        "vault:",
        "ref+",
        "arn:aws:",
        "op://",
        "sm://",
        "secret://",
        "secrets://",
        "env:",
        "file:",
        "/",
        "./",
        "../",
        "~/",
        "!ref",
        "!sub",
        "!getatt",
    ];
    if PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // `$JWT_SECRET`, `$JWT_SECRET_FILE`
    if let Some(rest) = v.strip_prefix('$') {
        return rest
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '{');
    }
    v.contains("${") || v.contains("{{") || lower.contains("/secrets/")
}

/// Is a value a template marker that cannot work as a secret at all:
/// `<your-key>`, `xxxxxxxx`, `********`, `...`?
pub fn is_template_marker(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let first = v.chars().next().unwrap_or('x');
    (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with("[") && v.ends_with(']')
        || v.contains("xxx")
        || v.contains("***")
        || v.contains("...")
        || v.chars().all(|c| c == first)
}

/// What a literal assigned to a secret name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretValue {
    /// Not a secret: empty, a reference, a template marker, a number or
    /// a boolean.
    Ignore,
    /// A placeholder word (`changeme`, `your-api-key`): the service runs
    /// with a publicly known value if nobody replaces it.
    Placeholder,
    /// Looks like a real secret.
    Literal,
}

pub fn classify_secret_value(value: &str) -> SecretValue {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    // Password hashes are not passwords: `$2b$12$...`, `$argon2id$...`.
    let hash_prefixes = [
        "$2a$",
        "$2b$",
        "$2y$",
        "$argon2",
        "$scrypt$",
        "pbkdf2_sha",
        "$pbkdf2",
    ];
    if v.chars().count() < 4
        || hash_prefixes.iter().any(|p| lower.starts_with(p))
        || is_reference(v)
        || is_template_marker(v)
        || matches!(
            lower.as_str(),
            "true" | "false" | "null" | "none" | "nil" | "undefined" | "yes" | "no"
                // A setting's "no value yet": `api_key = "unset"`.
                | "unset" | "notset" | "not_set" | "not-set" | "disabled"
        )
        || v.parse::<f64>().is_ok()
    {
        return SecretValue::Ignore;
    }
    if is_placeholder(v) {
        SecretValue::Placeholder
    } else {
        SecretValue::Literal
    }
}

/// Does a value look like a generated secret rather than a word: long,
/// no whitespace, mixed character classes, high entropy?
pub fn looks_random(value: &str) -> bool {
    let v = value.trim();
    let len = v.chars().count();
    let digits = v.chars().any(|c| c.is_ascii_digit());
    let letters = v.chars().any(|c| c.is_ascii_alphabetic());
    len >= 12 && !v.chars().any(char::is_whitespace) && digits && letters && entropy(v) >= 3.2
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    let mut n = 0usize;
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for yes in [
            "JWT_SECRET",
            "apiKey",
            "DB_PASSWORD",
            "stripe_token",
            "SECRET_KEY",
            "AUTH_SERVICE_API_KEY",
            "ENCRYPTION_KEY",
            "client_secret",
            "COOKIE_SECRET",
            "FIELD_SIGNING_KEY",
            "FILE_ENCRYPTION_KEY",
            "SECRET_KEY_V2",
            "api_token_2",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "PORT",
            "JWT_PUBLIC_KEY_PATH",
            "TOKEN_TTL",
            "SECRET_NAME",
            "LOG_LEVEL",
            "API_URL",
            "ACCESS_TOKEN_EXPIRE_MINUTES",
            "token_exp",
            "JWT_EXP",
            "PASSWORD_MIN_LENGTH",
            "monkey",
            "MAX_TOKENS",
            "PWD",
            "JWT_SECRET_ENV",
            "TOKEN_ERROR",
            "AWS_ACCESS_KEY_ID",
            "CACHE_KEY",
            "SESSION_COOKIE",
            "TOKEN_EXPIRY",
            "TOKEN_REFRESH_INTERVAL",
            "REACT_APP_MAPS_API_KEY",
            "VITE_API_KEY",
            "PLACEHOLDER_TOKEN",
            "EXAMPLE_API_KEY",
            "fakePassword",
            "PASSWORD_REQUIRED_TEMPLATE",
            "apiKeyTpl",
            "GENERATE_PASSWORD_CHARSET",
            "TOKEN_ALPHABET",
            "AUTOCONFIG_TOKEN_PREFIX_V1",
            "API_KEY_HEADER_2",
            "tokens_used",
            "completion_tokens",
            "totalTokens",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn placeholders_and_entropy() {
        assert!(is_placeholder("changeme"));
        assert!(is_placeholder("<your-api-key>"));
        assert!(is_placeholder("${JWT_SECRET}"));
        assert!(is_placeholder("xxxxxxxx"));
        assert!(!is_placeholder("s3cr3t-Pr0d-k3y-9f8a"));
        assert!(entropy("aaaaaaaa") < 0.1);
        assert_eq!(classify_secret_value("${JWT_SECRET}"), SecretValue::Ignore);
        assert_eq!(classify_secret_value("<your-key>"), SecretValue::Ignore);
        assert_eq!(classify_secret_value("changeme"), SecretValue::Placeholder);
        assert_eq!(classify_secret_value("s3cr3t-Pr0d"), SecretValue::Literal);
        assert!(looks_random("q8Zr2Lx9Tb4Nw7Vc"));
        assert!(!looks_random("Contrasena"));
        assert!(entropy("q8Zr2Lx9Tb4Nw7Vc") > 3.5);
    }
}
