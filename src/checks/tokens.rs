//! Well-known credential formats (cloud keys, VCS and payment tokens,
//! private key blocks, JWTs), shared by `leaked-credential`, which reports
//! them, and `hardcoded-secret`, which leaves them to it.

use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// One credential format.
pub struct Format {
    /// What the message calls it: "an AWS access key id".
    pub what: &'static str,
    pub re: Regex,
    pub critical: bool,
}

/// A known credential in a text: which format, and the byte range of the
/// secret itself (for a private key, its body).
pub struct Found {
    pub what: &'static str,
    pub range: Range<usize>,
    pub critical: bool,
}

fn formats() -> &'static [Format] {
    static FORMATS: OnceLock<Vec<Format>> = OnceLock::new();
    FORMATS.get_or_init(|| {
        let table: &[(&str, &str, bool)] = &[
            (
                "an AWS access key id",
                r"\b(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
                true,
            ),
            (
                "a GitHub token",
                r"\b(?P<s>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})\b",
                true,
            ),
            (
                "a GitHub fine-grained token",
                r"\b(?P<s>github_pat_[A-Za-z0-9_]{60,255})\b",
                true,
            ),
            (
                "a GitLab token",
                r"\b(?P<s>glpat-[A-Za-z0-9_-]{20,})",
                true,
            ),
            (
                "a Stripe live key",
                r"\b(?P<s>(?:sk|rk)_live_[A-Za-z0-9]{20,247})\b",
                true,
            ),
            (
                "a Slack token",
                r"\b(?P<s>xox[abposr]-[0-9A-Za-z]{8,}-[0-9A-Za-z-]{8,})",
                true,
            ),
            (
                "a Slack webhook URL",
                r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>T[A-Z0-9]{6,}/[AB][A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
                true,
            ),
            (
                "a Google API key",
                r"\b(?P<s>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
                false,
            ),
            (
                "an OpenAI API key",
                r"\b(?P<s>sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})",
                true,
            ),
            (
                "an Anthropic API key",
                r"\b(?P<s>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,})",
                true,
            ),
            (
                "a SendGrid API key",
                r"\b(?P<s>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})",
                true,
            ),
            (
                "an npm access token",
                r"\b(?P<s>npm_[A-Za-z0-9]{36})\b",
                true,
            ),
            (
                "a PyPI upload token",
                r"\b(?P<s>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
                true,
            ),
            (
                "a Shopify access token",
                r"\b(?P<s>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
                true,
            ),
            (
                "a DigitalOcean token",
                r"\b(?P<s>do[opr]_v1_[a-f0-9]{64})\b",
                true,
            ),
            (
                "a Hugging Face token",
                r"\b(?P<s>hf_[A-Za-z0-9]{34,40})\b",
                true,
            ),
            (
                "a Databricks token",
                r"\b(?P<s>dapi[a-f0-9]{32}(?:-\d)?)\b",
                true,
            ),
            (
                "a Mailchimp API key",
                r"\b(?P<s>[0-9a-f]{32}-us[0-9]{1,2})\b",
                true,
            ),
            (
                "a Discord webhook URL",
                r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/(?P<s>[0-9]{17,20}/[A-Za-z0-9_-]{60,68})",
                true,
            ),
            (
                "a Telegram bot token",
                r"\b(?P<s>[0-9]{8,10}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)",
                true,
            ),
            (
                "an Azure storage account key",
                r"AccountKey=(?P<s>[A-Za-z0-9+/]{86}==)",
                true,
            ),
            (
                "a Twilio API key",
                r"\b(?P<s>SK[0-9a-fA-F]{32})\b",
                true,
            ),
            (
                "a Mailgun API key",
                r"\b(?P<s>key-[0-9a-zA-Z]{32})\b",
                true,
            ),
            (
                "a Square access token",
                r"\b(?P<s>sq0(?:atp-[0-9A-Za-z_-]{22}|csp-[0-9A-Za-z_-]{43}))",
                true,
            ),
            (
                "a Facebook access token",
                r"\b(?P<s>EAACEdEose0cBA[0-9A-Za-z]{20,})",
                true,
            ),
            (
                "a Braintree access token",
                r"\b(?P<s>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})",
                true,
            ),
            (
                "a password on an sshpass command line",
                r#"sshpass\s+-p\s*['"]?(?P<s>[^\s'"$]{4,})"#,
                true,
            ),
            (
                "a private key",
                r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:\\r|\\n|\s)+(?P<s>[A-Za-z0-9+/=:,\\\s-]{64,}?)(?:\\r|\\n|\s)*-----END",
                true,
            ),
            (
                "a JSON Web Token",
                r"\b(?P<s>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,})",
                false,
            ),
        ];
        table
            .iter()
            .filter_map(|(what, re, critical)| {
                Regex::new(re).ok().map(|re| Format {
                    what,
                    re,
                    critical: *critical,
                })
            })
            .collect()
    })
}

/// Documentation values everyone copies: AWS's `...EXAMPLE` keys, jwt.io's
/// sample token, `xxxx` fillers.
fn is_documentation_value(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    lower.contains("example")
        || lower.contains("xxxx")
        || lower.contains("0000000000")
        // Counting up: `sk_test_1234567890abcdefghijklmnop`.
        || lower.contains("1234567890")
        || lower.contains("abcdefghij")
        || secret.ends_with("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
        || super::names::entropy(secret) < 2.5
        || few_distinct(secret)
}

/// A word typed over and over after the format's prefix:
/// `github_pat_wrongwrongwrong...`. A random body of 20 characters or more
/// uses far more than eight different ones.
fn few_distinct(secret: &str) -> bool {
    let mut body = secret;
    for _ in 0..2 {
        match body.split_once(['_', '-']) {
            Some((word, rest)) if word.chars().all(|c| c.is_ascii_lowercase()) => body = rest,
            _ => break,
        }
    }
    let mut seen: Vec<char> = body.chars().collect();
    seen.sort_unstable();
    seen.dedup();
    body.len() >= 20 && seen.len() <= 8
}

/// Every known credential in `text`, documentation values left out.
pub fn find_all(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for format in formats() {
        for caps in format.re.captures_iter(text) {
            let Some(secret) = caps.name("s") else {
                continue;
            };
            if is_documentation_value(secret.as_str()) {
                continue;
            }
            out.push(Found {
                what: format.what,
                range: secret.range(),
                critical: format.critical,
            });
        }
    }
    out
}

/// Does `value` contain a known credential format?
pub fn contains_known(value: &str) -> bool {
    !find_all(value).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_compile_and_match() {
        assert_eq!(formats().len(), 29);
        let aws = ["AKIA", "Q3EGRTYQWN5VJ6PL"].concat();
        assert!(contains_known(&format!("key = \"{aws}\"")));
        assert!(!contains_known("AKIAIOSFODNN7EXAMPLE"));
        let gh = ["ghp_", "pR9vK2mXq7LwT4nZ8bYc3dHf6jUe1sAa0gBi"].concat();
        assert!(contains_known(&gh));
        assert!(!contains_known("ghp_short"));
        // A word typed over and over is a test's made-up value.
        let wrong = ["github_pat_", &"wrong".repeat(16), "wr"].concat();
        assert!(few_distinct(&wrong));
        assert!(!few_distinct(&gh));
        assert!(!contains_known("-----BEGIN RSA PRIVATE KEY-----"));
    }
}
