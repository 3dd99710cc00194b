//! Rules: loading rule files, compiling their matchers, and the registry the
//! check stage runs.
//!
//! A rule is one TOML file (rules/README.md). Its matchers are compiled once
//! per language here, never per file.

pub mod embedded;
pub mod load;
pub mod meta;
pub mod prefilter;
pub mod registry;
pub mod schema;

use crate::checks::Check;
use crate::lang::Language;
use ast_grep_config::RuleCore;
use meta::{Confidence, RuleMeta, Severity};
use regex::Regex;
pub use registry::{GateCounts, Registry};
pub use schema::TestFilePolicy;

/// A compiled rule.
pub struct Rule {
    pub meta: RuleMeta,
    pub message: Option<String>,
    pub matchers: Vec<Matcher>,
    pub check: Option<&'static dyn Check>,
    pub examples: Vec<Example>,
    pub test_files: TestFilePolicy,
    /// Where the rule came from (`rules/security/x.toml` or a user path).
    pub origin: String,
}

impl Rule {
    /// Does this rule have anything to say about files of `language`?
    pub fn applies_to(&self, language: Language) -> bool {
        self.meta
            .languages
            .iter()
            .any(|s| language.matches_selector(s))
    }
}

pub enum MatcherKind {
    /// ast-grep rule, compiled for each code language it targets.
    Ast(Vec<(Language, RuleCore)>),
    /// Regex over the whole text (multi-line mode).
    Regex(Regex),
}

pub struct Matcher {
    pub languages: Vec<String>,
    pub kind: MatcherKind,
    pub message: Option<String>,
    pub redact: Vec<String>,
    pub report: Option<String>,
    pub severity: Option<Severity>,
    pub confidence: Option<Confidence>,
    /// For AST matchers: a file must contain one of these (ASCII
    /// case-insensitively) for the matcher to match in it (src/rules/prefilter.rs).
    pub literals: Option<Vec<String>>,
    /// For AST matchers: a candidate node's own text must contain one of
    /// these for the matcher to match it.
    pub node_literals: Option<Vec<String>>,
    /// For AST matchers: the outcomes of a match, first that holds wins
    /// (empty: every match is a finding, as the matcher says).
    pub cases: Vec<Case>,
}

/// One outcome of an AST matcher (`[[match.case]]`).
pub struct Case {
    /// Per entry of [`MatcherKind::Ast`] (same order): each metavariable and
    /// the rule its node must match, compiled for that language.
    pub when: Vec<Vec<(String, RuleCore)>>,
    pub message: Option<String>,
    pub severity: Option<Severity>,
    pub confidence: Option<Confidence>,
    pub redact: Option<Vec<String>>,
}

impl Matcher {
    pub fn applies_to(&self, language: Language) -> bool {
        self.languages.iter().any(|s| language.matches_selector(s))
    }
}

#[derive(Debug, Clone)]
pub struct Example {
    pub language: Language,
    pub path: String,
    pub bad: Option<String>,
    pub good: Option<String>,
    pub count: Option<usize>,
}
