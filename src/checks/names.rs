//! What identifiers and values look like: secret names, password names,
//! placeholder values. Shared by the secret and hashing checks.

/// Does a variable, setting or environment name hold a secret?
/// `JWT_SECRET`, `apiKey`, `DB_PASSWORD`, `stripe_token` yes; `PORT`,
/// `PUBLIC_KEY_PATH`, `TOKEN_TTL`, `SECRET_NAME` no.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let compact = lower.replace('_', "");
    const YES: &[&str] = &[
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
        "cookie",
    ];
    let yes = YES.iter().any(|w| compact.contains(w))
        || lower.ends_with("_key")
        || lower == "key"
        || lower.ends_with("key") && lower.contains("api");
    const NEVER: &[&str] = &[
        "public",
        "publishable",
        "expire",
        "ttl",
        "lifetime",
        "timeout",
        "minutes",
        "seconds",
        "length",
    ];
    yes && !NO
        .iter()
        .any(|w| compact.ends_with(w) || compact.starts_with(w))
        && !NEVER.iter().any(|w| compact.contains(w))
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
        "not-secret",
        "secret-here",
        "here",
    ];
    WORDS.iter().any(|w| v.contains(w)) || v.chars().all(|c| c == v.chars().next().unwrap_or('x'))
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
            "PASSWORD_MIN_LENGTH",
            "monkey",
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
        assert!(entropy("q8Zr2Lx9Tb4Nw7Vc") > 3.5);
    }
}
