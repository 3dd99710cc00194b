//! `leaked-credential`: credentials in a well-known format anywhere in any
//! file ([`super::tokens`]: AWS, GitHub, Stripe live, Slack, Google, private
//! key blocks, JWTs...), AWS secret access keys next to an AWS name, and in
//! plain text formats (shell, ini, properties, Terraform) random-looking
//! values assigned to secret names. Structured files (code, `.env`, YAML,
//! TOML, JSON, Dockerfile) leave that last case to `hardcoded-secret`.

use super::names;
use super::servicectx::{declared_not_real, gitleaks_allowed};
use super::{tokens, Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

pub struct LeakedCredential;

fn aws_secret_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)aws[a-z0-9_.-]{0,30}?(?:secret|sk)[a-z0-9_.-]{0,20}["']?\s*[:=]{1,2}>?\s*["']?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        )
        .ok()
    })
    .as_ref()
}

fn assignment_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?m)^[ \t]*(?:export[ \t]+|set[ \t]+|variable[ \t]+)?["']?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*["']?(?P<s>[^\s"'#;,]{12,})"#,
        )
        .ok()
    })
    .as_ref()
}

/// Is `value` an AWS secret access key standing next to an AWS name? (Used
/// by `hardcoded-secret` to leave it to this rule.)
pub fn is_aws_secret(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("aws")
        && value.len() == 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
        && names::entropy(value) >= 3.5
}

impl Check for LeakedCredential {
    /// Token formats and assignments are found in the raw text.
    fn reads_tree(&self) -> bool {
        false
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let first = out.len();
        self.find(file, out);
        // A line marked `gitleaks:allow` was reviewed for exactly this; a
        // comment may say the value is made up.
        let kept: Vec<Hit> = out
            .drain(first..)
            .filter(|h| {
                !gitleaks_allowed(&file.text, h.start) && !declared_not_real(&file.text, h.start)
            })
            .collect();
        out.extend(kept);
    }
}

/// Lines above a value where the pattern it illustrates may stand.
const PATTERN_LINES_ABOVE: usize = 4;

/// The longest literal tried as a token format's pattern.
const MAX_PATTERN_LEN: usize = 200;

/// A quoted string literal, raw (`r"..."`, `r#"..."#`) or not, or a
/// JavaScript regular expression literal (`/ghp_[0-9a-z]{36}/`).
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"r(#*)"([^"]*)"|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|/((?:[^/\\\n]|\\.)+)/"#,
    )
    .unwrap_or_else(|_| unreachable!())
});

/// Is the token at `range` an example in a detector's pattern table: a
/// regular expression written just above it, or on its line, matches it
/// whole (`("GitHub PAT", "ghp_[a-zA-Z0-9]{36}", "ghp_...")`)?
fn beside_its_pattern(
    text: &str,
    range: std::ops::Range<usize>,
    compiled: &mut HashMap<String, Option<Regex>>,
) -> bool {
    let Some(token) = text.get(range.clone()) else {
        return false;
    };
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let from = text[..line_start]
        .match_indices('\n')
        .rev()
        .nth(PATTERN_LINES_ABOVE)
        .map_or(0, |(i, _)| i + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    let window = &text[from..line_end];
    QUOTED.captures_iter(window).any(|c| {
        let Some(lit) = [2, 5, 3, 4].into_iter().find_map(|i| c.get(i)) else {
            return false;
        };
        let raw = c.get(2).or_else(|| c.get(5)).is_some();
        let pattern = lit.as_str();
        // A pattern has a class or a repetition; the token itself has neither.
        // Long literals are text, not a format's pattern: not compiled.
        if !pattern.contains('[') && !pattern.contains('{')
            || pattern == token
            || pattern.len() > MAX_PATTERN_LEN
        {
            return false;
        }
        let unescaped;
        let pattern = if raw {
            pattern
        } else {
            unescaped = pattern.replace("\\\\", "\\");
            &unescaped
        };
        // A pattern table repeats its patterns' shapes: each is compiled once.
        compiled
            .entry(pattern.to_string())
            .or_insert_with(|| {
                regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
                    .size_limit(1 << 20)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|re| re.is_match(token))
    })
}

impl LeakedCredential {
    fn find(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let text = &file.text;
        let mut compiled = HashMap::new();
        for f in tokens::find_all(text) {
            if beside_its_pattern(text, f.range.clone(), &mut compiled) {
                continue;
            }
            let sev = if f.critical {
                Severity::Critical
            } else {
                Severity::High
            };
            let conf = if f.what == "a JSON Web Token" {
                Confidence::Medium
            } else {
                Confidence::High
            };
            // A private key is reported from its BEGIN line.
            let start = if f.what == "a private key" {
                text[..f.range.start]
                    .rfind("-----BEGIN")
                    .unwrap_or(f.range.start)
            } else {
                f.range.start
            };
            out.push(
                Hit::new(
                    start..f.range.end,
                    format!(
                        "{} is committed in this file; revoke it and load it from a secret store",
                        f.what
                    ),
                )
                .severity(sev)
                .confidence(conf)
                .secret(f.range.clone()),
            );
        }
        if let Some(re) = aws_secret_re() {
            for c in re.captures_iter(text) {
                let Some(s) = c.name("s") else { continue };
                if names::entropy(s.as_str()) < 3.5
                    || s.as_str().to_ascii_lowercase().contains("example")
                {
                    continue;
                }
                out.push(
                    Hit::new(
                        s.range(),
                        "an AWS secret access key is committed in this file; revoke it and load it from a secret store",
                    )
                    .severity(Severity::Critical)
                    .secret(s.range()),
                );
            }
        }
        if file.language != Language::Text {
            return;
        }
        let Some(re) = assignment_re() else { return };
        for c in re.captures_iter(text) {
            let (Some(name), Some(s)) = (c.name("name"), c.name("s")) else {
                continue;
            };
            let value = s.as_str();
            if !names::is_secret_name(name.as_str())
                || names::classify_secret_value(value) != names::SecretValue::Literal
                || !names::looks_random(value)
                || names::entropy(value) < 3.5
                || tokens::contains_known(value)
                || is_aws_secret(name.as_str(), value)
            {
                continue;
            }
            out.push(
                Hit::new(
                    s.range(),
                    format!(
                        "random-looking value assigned to `{}` looks like a live credential",
                        name.as_str()
                    ),
                )
                .severity(Severity::High)
                .confidence(Confidence::Medium)
                .secret(s.range()),
            );
        }
    }
}
