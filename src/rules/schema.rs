//! The rule file format, as serde reads it. One TOML file per rule; see
//! rules/README.md for the prose version and a full example.

use super::meta::{Category, Confidence, Severity};
use ast_grep_config::{SerializableRule, Transformation};
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    pub cwe: Spanned<Vec<String>>,
    pub languages: Spanned<Vec<String>>,
    /// Message template for declarative matches: `$NAME` is replaced by the
    /// text a metavariable (or regex group) captured.
    #[serde(default)]
    pub message: Option<String>,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// What to do with matches in test and fixture files.
    #[serde(default)]
    pub test_files: TestFilePolicy,
    /// ast-grep utility rules shared by every `[[match]]` of the file
    /// (`{ matches = "NAME" }`), beside each matcher's own `utils`.
    #[serde(default)]
    pub utils: Option<Spanned<HashMap<String, SerializableRule>>>,
    /// Declarative matchers; a finding is produced for each match of any.
    #[serde(default, rename = "match")]
    pub matchers: Vec<Spanned<RawMatch>>,
    /// The name of a check written in Rust (src/checks/).
    #[serde(default)]
    pub check: Option<Spanned<String>>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<RawExample>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestFilePolicy {
    /// Report as everywhere else.
    #[default]
    Keep,
    /// Report one severity lower.
    Lower,
    /// Do not report.
    Skip,
}

/// One matcher: an ast-grep rule (`rule`, with optional `constraints`,
/// `utils` and `transform`, exactly as ast-grep documents them) or a `regex`
/// over the file text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMatch {
    /// Defaults to the rule's `languages`.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    #[serde(default)]
    pub rule: Option<SerializableRule>,
    #[serde(default)]
    pub constraints: Option<HashMap<String, SerializableRule>>,
    #[serde(default)]
    pub utils: Option<HashMap<String, SerializableRule>>,
    #[serde(default)]
    pub transform: Option<HashMap<String, Transformation>>,
    #[serde(default)]
    pub regex: Option<String>,
    /// Overrides the rule's message for this matcher.
    #[serde(default)]
    pub message: Option<String>,
    /// Metavariables or regex groups whose text is a secret to redact.
    #[serde(default)]
    pub redact: Vec<String>,
    /// Report the span of this metavariable or group instead of the whole match.
    #[serde(default)]
    pub report: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// Outcomes of an ast-grep match, tried in order: the first whose
    /// `when` holds gives the finding; a match no case accepts is dropped.
    #[serde(default, rename = "case")]
    pub cases: Vec<Spanned<RawCase>>,
}

/// One outcome of a `[[match]]`: what its captured nodes must satisfy, and
/// the finding's message, severity, confidence and redaction when they do
/// (each defaulting to the matcher's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// Metavariable name to the ast-grep rule its captured node must match.
    #[serde(default)]
    pub when: HashMap<String, SerializableRule>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub redact: Option<Vec<String>>,
}

/// A bad and/or good snippet; `rules test` and `cargo test` run them all.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    pub language: String,
    /// File name the snippet is scanned as (defaults by language).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub bad: Option<String>,
    #[serde(default)]
    pub good: Option<String>,
    /// How many findings `bad` must produce (default: at least one).
    #[serde(default)]
    pub count: Option<usize>,
}

/// Just enough of a file to tell a project check from a rule.
#[derive(Deserialize)]
pub struct ScopeProbe {
    #[serde(default)]
    pub scope: Option<String>,
}

/// A project-level readiness check (`scope = "project"`): documentation
/// here, logic in src/project/ under the name `check`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProjectCheck {
    pub scope: String,
    pub id: Spanned<String>,
    pub title: String,
    pub category: Category,
    /// How much a failure weighs in the score.
    pub severity: Severity,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
    pub check: Spanned<String>,
}
