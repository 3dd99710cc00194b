//! weak-password-hash: a password-named value fed to a fast hash — MD5/SHA-1
//! (critical), unsalted SHA-2/SHA-3/BLAKE2 (high) — or to Python's built-in
//! `hash()`. Python resolves import aliases (`from hashlib import md5`,
//! `import hashlib as h`) and also covers passlib legacy schemes, Django
//! `PASSWORD_HASHERS`/`make_password`; JavaScript covers `createHash` chains,
//! hash objects updated later and crypto-js; Rust covers `md5::compute`,
//! `Digest::digest`, `new().update()` hashers and ring. A value counts as a
//! password when its name says so, directly or through a local variable.

use super::localflow::N;
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::rules::meta::Severity;
use regex::Regex;
use std::sync::LazyLock;

#[path = "weak_password_hash_frameworks.rs"]
mod frameworks;
#[path = "weak_password_hash_js.rs"]
mod javascript;
#[path = "weak_password_hash_names.rs"]
mod names;
#[path = "weak_password_hash_py.rs"]
mod python;
#[path = "weak_password_hash_rs.rs"]
mod rust;

#[cfg(test)]
use names::is_pw_target;
use names::{destination, is_pw, password_in};

pub struct WeakPasswordHash;

impl Check for WeakPasswordHash {
    /// `run` reports nothing unless the file matches `WORTH_PY`, `WORTH_JS`
    /// or `WORTH_RS` below, and these words are those patterns'
    /// alternatives (`Crypto`/`cryptography` share `crypto`; `sha\d` is
    /// `sha0`..`sha9`; `(?i)` also lets `ſ` stand for `s`). Only Python,
    /// JavaScript/TypeScript and Rust report.
    fn anchors(&self, language: Language) -> Option<&'static [&'static str]> {
        const PY: &[&str] = &[
            "hashlib",
            "hmac",
            "crypto",
            "passlib",
            "password_hashers",
            "make_password",
            "generate_password_hash",
            "hash(",
        ];
        const JS: &[&str] = &[
            "createhash",
            "crypto",
            "md5",
            "sha0",
            "sha1",
            "sha2",
            "sha3",
            "sha4",
            "sha5",
            "sha6",
            "sha7",
            "sha8",
            "sha9",
            "ſ",
        ];
        const RS: &[&str] = &[
            "md5", "digest", "sha0", "sha1", "sha2", "sha3", "sha4", "sha5", "sha6", "sha7",
            "sha8", "sha9", "ſ",
        ];
        super::code_anchors(language, Some(PY), Some(JS), Some(RS))
    }

    fn run(&self, file: &crate::parse::ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        super::localflow::begin_file();
        let worth = match file.language {
            Language::Python => &*WORTH_PY,
            Language::Rust => &*WORTH_RS,
            _ => &*WORTH_JS,
        };
        if !worth.is_match(&file.text) {
            return;
        }
        match file.language {
            Language::Python => python::run(file, nodes, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                for node in nodes.of_kind("call_expression") {
                    javascript::call(&node, out);
                }
            }
            Language::Rust => {
                for node in nodes.of_kinds(&["call_expression", "token_tree"]) {
                    match node.kind().as_ref() {
                        "call_expression" => rust::call(&node, out),
                        "token_tree"
                            if node
                                .parent()
                                .is_some_and(|p| p.kind() == "macro_invocation") =>
                        {
                            rust::macro_args(&node, out)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        // Have I Been Pwned's range API takes the first five hex digits of
        // a password's SHA-1: checking a password against breaches is not
        // storing it.
        if file.text.contains("pwnedpasswords.com") {
            out.retain(|h| {
                let m = h.message.to_ascii_lowercase();
                !(m.contains("sha1") || m.contains("sha-1"))
            });
        }
    }
}

/// Cheap per-file pre-filters: a file that mentions none of these cannot match.
/// [`WeakPasswordHash::anchors`] lists their alternatives as words: keep both
/// in step.
static WORTH_PY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"hashlib|hmac|Crypto|cryptography|passlib|PASSWORD_HASHERS|make_password|generate_password_hash|\bhash\([^)\n]*(?i:passw|pwd|passphrase|secret|token|key|pw)")
        .unwrap_or_else(|_| unreachable!())
});
static WORTH_JS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)createHash|crypto|md5|sha\d").unwrap_or_else(|_| unreachable!())
});
static WORTH_RS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)md5|sha\d|digest").unwrap_or_else(|_| unreachable!()));

/// How bad a hash algorithm is for passwords.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Speed {
    /// MD5, MD4, SHA-1: broken and fast.
    Broken,
    /// SHA-2, SHA-3, BLAKE2: sound digests, but fast and unsalted.
    Fast,
}

pub(crate) fn classify(alg: &str) -> Option<Speed> {
    let a = alg
        .trim_matches(['"', '\'', '`', '&'])
        .to_ascii_lowercase()
        .replace(['-', '_'], "");
    let a = a.strip_prefix("rsa").unwrap_or(&a);
    match a {
        "md5" | "md4" | "md2" | "sha1" | "sha" | "sha1forlegacyuseonly" => Some(Speed::Broken),
        "sha224" | "sha256" | "sha384" | "sha512" | "sha512224" | "sha512256" | "sha3224"
        | "sha3256" | "sha3384" | "sha3512" | "sha3" | "blake2b" | "blake2s" | "blake2b512"
        | "blake2s256" | "blake3" | "ripemd160" | "keccak256" | "sm3" => Some(Speed::Fast),
        _ => None,
    }
}

/// HTTP Digest authentication's `HA1 = MD5(username:realm:password)` and
/// the response `MD5(HA1:nonce:...)` (RFC 7616), which a client or server
/// computes because the protocol says so: the hash is sent or compared,
/// never stored as the password.
fn digest_auth_ha1(data: &N<'_>) -> bool {
    let text = data.text().to_ascii_lowercase();
    text.contains(':') && (text.contains("realm") || text.contains("nonce"))
}

/// Who is hashed, as the start of the message: the password argument, or
/// else the password field the result is stored in.
pub(crate) fn subject(data: Option<&N<'_>>, call: &N<'_>) -> Option<String> {
    if data.is_some_and(digest_auth_ha1) {
        return None;
    }
    data.and_then(|d| password_in(d, false, 0))
        .map(|p| format!("password value `{p}`"))
        .or_else(|| destination(call).map(|d| format!("the password stored in `{d}`")))
}

pub(crate) fn hit(range: std::ops::Range<usize>, who: &str, via: &str, speed: Speed) -> Hit {
    match speed {
        Speed::Broken => Hit::new(
            range,
            format!("{who} is hashed with `{via}`, a fast broken hash that offline cracking breaks in hours"),
        )
        .severity(Severity::Critical),
        Speed::Fast => Hit::new(
            range,
            format!("{who} is hashed with `{via}`, a fast unsalted hash that GPUs try billions of guesses per second against"),
        )
        .severity(Severity::High),
    }
}

pub(crate) fn first_arg<'r>(call: &N<'r>) -> Option<N<'r>> {
    call.field_of("arguments")?
        .named_children()
        .find(|a| !a.kind().ends_with("comment"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn password_words() {
        assert!(is_pw("password", false) && is_pw("pwText", false) && is_pw("user_pw", false));
        assert!(!is_pw("password_reset_token", false) && !is_pw("pwm", false));
        assert!(!is_pw("key", true) && is_pw("client_secret", true));
        assert!(is_pw_target("passwordHash") && !is_pw_target("password_reset"));
    }

    #[test]
    fn aliases_and_severity() {
        let code = "from hashlib import sha1 as s1, sha256\n\ndef f(password, body):\n    a = s1(password.encode())\n    b = sha256(password.encode())\n    c = s1(body)\n";
        let file = parse(Language::Python, "a.py".into(), code.into());
        let mut out = Vec::new();
        WeakPasswordHash.run(&file, &mut out);
        let sev: Vec<_> = out.iter().map(|h| h.severity).collect();
        // `s1(body)`: a broken hash of something else, reported softly.
        assert_eq!(
            sev,
            [
                Some(Severity::Critical),
                Some(Severity::High),
                Some(Severity::Medium)
            ]
        );
        assert_eq!(out[2].confidence, Some(crate::rules::meta::Confidence::Low));
        assert!(out[0].message.contains("`hashlib.sha1`"));
    }
}
