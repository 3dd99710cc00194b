//! The words of an identifier, for checks that judge a name by what it
//! says rather than by the letters it contains: `FootprintView` is
//! `footprint` + `view` (no `otp`), `tenant_db` is `tenant` + `db`,
//! `OTPVerifyView` is `otp` + `verify` + `view`.

/// A version word as `ident_words` gives it: `v2`, `v10`.
pub fn is_version(word: &str) -> bool {
    word.strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Lower-cased words of `ident`, split at `_`, `-`, `$`, `#`, `.`, other
/// non-alphanumerics, lower-case or digit to upper-case (`pgPool`,
/// `db2Pool`) and at the last capital of an acronym (`OTPVerify`).
/// Digits stay with the word they follow (`pool2`, `db2Pool`).
pub fn ident_words(ident: &str) -> Vec<String> {
    let chars: Vec<char> = ident.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || p.is_uppercase() && next.is_some_and(char::is_lowercase)
            });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::ident_words;

    #[test]
    fn splits_snake_camel_and_acronyms() {
        assert_eq!(ident_words("FootprintView"), ["footprint", "view"]);
        assert_eq!(ident_words("OTPVerifyView"), ["otp", "verify", "view"]);
        assert_eq!(ident_words("tenant_db"), ["tenant", "db"]);
        assert_eq!(ident_words("_conn"), ["conn"]);
        assert_eq!(ident_words("pgPool"), ["pg", "pool"]);
        assert_eq!(ident_words("db2Pool"), ["db2", "pool"]);
        assert_eq!(ident_words("totp-device"), ["totp", "device"]);
        assert_eq!(ident_words("DB"), ["db"]);
        assert_eq!(ident_words("queryRunner"), ["query", "runner"]);
        assert_eq!(ident_words("teamFavorites"), ["team", "favorites"]);
        assert!(ident_words("").is_empty());
    }
}
