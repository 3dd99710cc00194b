//! Rule metadata: the vocabulary every rule, finding and report shares.
//!
//! These enums are part of the JSON contract: their serialized names are
//! stable and lower-case.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How bad a finding is. Ordered from least to most severe so that
/// `severity >= threshold` reads naturally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One step less severe (used for findings in tests and fixtures).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the rule is that a match is a real problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The readiness area a rule belongs to; scores are computed per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Security,
    Reliability,
    Observability,
    Operations,
    Testing,
    Maintainability,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Security,
        Category::Reliability,
        Category::Observability,
        Category::Operations,
        Category::Testing,
        Category::Maintainability,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Observability => "observability",
            Category::Operations => "operations",
            Category::Testing => "testing",
            Category::Maintainability => "maintainability",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a report needs to know about a rule, copied out of the rule so
/// reporters never depend on the rule engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    pub id: String,
    /// Shared with every finding of the rule (a scan may hold 100,000s).
    pub title: Arc<str>,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    pub cwe: Vec<String>,
    pub languages: Vec<String>,
    pub why: String,
    /// Shared with every finding of the rule.
    pub fix: Arc<str>,
    pub references: Vec<String>,
}
