//! A finding: one problem at one place. Findings are data, produced by rules
//! and consumed by scoring and reporters; their field names are part of the
//! JSON contract (docs/json-contract.md).

use crate::rules::meta::{Category, Confidence, Severity};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    /// The rule's title, shared by all its findings.
    pub title: Arc<str>,
    pub severity: Severity,
    pub confidence: Confidence,
    pub category: Category,
    pub cwe: Vec<String>,
    /// Relative to the scanned root, with `/` separators.
    pub path: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
    /// The source lines of the match, secrets redacted.
    pub snippet: String,
    /// Stable across unrelated edits: rule, path and the normalized matched
    /// text (plus an occurrence index), never the line number.
    pub fingerprint: String,
    /// The rule's fix, shared by all its findings.
    pub fix: Arc<str>,
    /// Covered by an inline `prodready: ignore[...]` comment; such findings
    /// are reported only with `--show-suppressed`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub suppressed: bool,
    /// The reason the suppression comment gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression_reason: Option<String>,
    /// Hash of the normalized matched text, without the occurrence index:
    /// with rule and path, the key baselines count findings by.
    #[serde(skip)]
    pub match_hash: String,
    /// Withdrawn when the project shows this fact (see [`crate::facts::withdraw`]).
    #[serde(skip)]
    pub unless: Option<crate::facts::Unless>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Finding {
    /// The order every output uses: path, position, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.path,
            self.line,
            self.column,
            &self.rule_id,
            &self.message,
        )
    }
}

/// FNV-1a, 64 bit: tiny, stable across platforms and releases, which is all a
/// fingerprint needs (it is not a security boundary).
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Collapse all whitespace runs to one space so that re-indenting or
/// re-wrapping a line does not change its fingerprint.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The fingerprint of the `occurrence`-th (0-based) identical match of a rule
/// in a file.
pub fn fingerprint(rule_id: &str, path: &str, normalized: &str, occurrence: usize) -> String {
    let occ = occurrence.to_string();
    format!(
        "{:016x}",
        stable_hash(&[rule_id, path, normalized, occ.as_str()])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_whitespace_and_is_stable() {
        let a = fingerprint("r", "a.py", &normalize_text("x =  hash(pw)\n"), 0);
        let b = fingerprint("r", "a.py", &normalize_text("  x = hash(pw)"), 0);
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("r", "a.py", "x = hash(pw)", 1));
        // Pinned: changing the hash function would churn every baseline.
        assert_eq!(stable_hash(&["a"]), stable_hash(&["a"]));
        assert_eq!(format!("{:016x}", stable_hash(&[])), "cbf29ce484222325");
    }
}
