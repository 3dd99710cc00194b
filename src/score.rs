//! Scoring: a pure function from findings, check results and metrics to
//! category scores, an overall score and a grade. No I/O. The model is
//! documented, with a worked example, in docs/scoring.md; every constant
//! below is named there.

use crate::finding::Finding;
use crate::metrics::Metrics;
use crate::project::{CheckResult, Status};
use crate::rules::meta::{Category, Confidence, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// Cost of the first finding of a rule, by severity.
pub fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 25.0,
        Severity::High => 12.0,
        Severity::Medium => 5.0,
        Severity::Low => 2.0,
        Severity::Info => 0.5,
    }
}

/// Findings the rule is less sure of cost less.
pub fn confidence_factor(c: Confidence) -> f64 {
    match c {
        Confidence::High => 1.0,
        Confidence::Medium => 0.7,
        Confidence::Low => 0.4,
    }
}

/// Weight of a project check in its category, by severity.
pub fn check_weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 4.0,
        Severity::High => 3.0,
        Severity::Medium => 2.0,
        Severity::Low => 1.0,
        Severity::Info => 0.5,
    }
}

/// The k-th finding (from 0) of one rule costs `DECAY^k` of the first.
pub const DECAY: f64 = 0.6;
/// Penalty points at which the findings part falls to 1/e of 100.
pub const PENALTY_SCALE: f64 = 40.0;
/// Share of the findings part in a category that has applicable checks.
pub const FINDINGS_SHARE: f64 = 0.6;
/// Overall score ceiling while any critical finding remains.
pub const CRITICAL_CAP: f64 = 79.0;

pub fn default_weights() -> BTreeMap<Category, f64> {
    BTreeMap::from([
        (Category::Security, 30.0),
        (Category::Reliability, 20.0),
        (Category::Operations, 15.0),
        (Category::Observability, 10.0),
        (Category::Testing, 15.0),
        (Category::Maintainability, 10.0),
    ])
}

/// The default weights with the configured ones (`[score.weights]` in
/// prodready.toml, by category name) laid over them.
pub fn weights(configured: &BTreeMap<String, f64>) -> BTreeMap<Category, f64> {
    let mut w = default_weights();
    for cat in Category::ALL {
        if let Some(v) = configured.get(cat.as_str()) {
            w.insert(cat, *v);
        }
    }
    w
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CategoryScore {
    pub id: Category,
    /// 0–100, one decimal.
    pub score: f64,
    pub weight: f64,
    pub findings: usize,
    pub checks_passed: usize,
    pub checks_failed: usize,
    pub checks_warned: usize,
    /// Finding penalty after diminishing returns and size normalisation.
    pub penalty: f64,
    pub findings_score: f64,
    /// `None` when no check applies to this category.
    pub checks_score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    pub overall: f64,
    pub grade: char,
    /// True when a critical finding held the overall score down.
    pub capped_by_critical: bool,
    /// Findings penalties are divided by this (1 for small projects).
    pub size_factor: f64,
    pub categories: Vec<CategoryScore>,
}

fn round1(x: f64) -> f64 {
    // `+ 0.0` turns the -0.0 of an empty float sum into 0.0.
    (x * 10.0).round() / 10.0 + 0.0
}

pub fn grade(overall: f64) -> char {
    match overall {
        s if s >= 90.0 => 'A',
        s if s >= 80.0 => 'B',
        s if s >= 70.0 => 'C',
        s if s >= 60.0 => 'D',
        _ => 'F',
    }
}

/// `1 + ln(1 + kloc / 10)`: a project ten times larger may carry more
/// findings for the same score, but not ten times more.
pub fn size_factor(metrics: &Metrics) -> f64 {
    let kloc = metrics.total_code_lines as f64 / 1000.0;
    1.0 + (1.0 + kloc / 10.0).ln()
}

/// Penalty of a list of findings of one category (before size scaling):
/// per rule, occurrences sorted from most to least costly, the k-th
/// weighted by `DECAY^k`.
pub fn raw_penalty(findings: &[&Finding]) -> f64 {
    let mut by_rule: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for f in findings {
        by_rule
            .entry(f.rule_id.as_str())
            .or_default()
            .push(severity_weight(f.severity) * confidence_factor(f.confidence));
    }
    by_rule
        .values_mut()
        .map(|costs| {
            costs.sort_by(|a, b| b.total_cmp(a));
            costs
                .iter()
                .enumerate()
                .map(|(k, c)| c * DECAY.powi(i32::try_from(k).unwrap_or(i32::MAX)))
                .sum::<f64>()
        })
        .sum()
}

/// Score a finished scan. Suppressed findings are not counted; baselined
/// ones must already be removed.
pub fn compute(
    findings: &[Finding],
    checks: &[CheckResult],
    metrics: &Metrics,
    weights: &BTreeMap<Category, f64>,
) -> Score {
    let sf = size_factor(metrics);
    let mut categories = Vec::new();
    for cat in Category::ALL {
        // Suppressed findings (shown with --show-suppressed) do not count.
        let of_cat: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.category == cat && !f.suppressed)
            .collect();
        let penalty = raw_penalty(&of_cat) / sf;
        let findings_score = 100.0 * (-penalty / PENALTY_SCALE).exp();
        let applicable: Vec<&CheckResult> = checks
            .iter()
            .filter(|c| c.category == cat && c.status != Status::NotApplicable)
            .collect();
        let total_w: f64 = applicable.iter().map(|c| check_weight(c.severity)).sum();
        let earned: f64 = applicable
            .iter()
            .map(|c| match c.status {
                Status::Pass => check_weight(c.severity),
                Status::Warn => 0.5 * check_weight(c.severity),
                _ => 0.0,
            })
            .sum();
        let checks_score = (total_w > 0.0).then(|| 100.0 * earned / total_w);
        let score = match checks_score {
            Some(c) => FINDINGS_SHARE * findings_score + (1.0 - FINDINGS_SHARE) * c,
            None => findings_score,
        };
        let count = |s: Status| applicable.iter().filter(|c| c.status == s).count();
        categories.push(CategoryScore {
            id: cat,
            score: round1(score),
            weight: weights.get(&cat).copied().unwrap_or(0.0),
            findings: of_cat.len(),
            checks_passed: count(Status::Pass),
            checks_failed: count(Status::Fail),
            checks_warned: count(Status::Warn),
            penalty: round1(penalty),
            findings_score: round1(findings_score),
            checks_score: checks_score.map(round1),
        });
    }
    let total_weight: f64 = categories.iter().map(|c| c.weight).sum();
    let mut overall = if total_weight > 0.0 {
        categories.iter().map(|c| c.score * c.weight).sum::<f64>() / total_weight
    } else {
        100.0
    };
    let has_critical = findings.iter().any(|f| f.severity == Severity::Critical);
    let capped = has_critical && overall > CRITICAL_CAP;
    if capped {
        overall = CRITICAL_CAP;
    }
    let overall = round1(overall);
    Score {
        overall,
        grade: grade(overall),
        capped_by_critical: capped,
        size_factor: (sf * 100.0).round() / 100.0,
        categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::meta::Category;

    fn finding(rule: &str, severity: Severity, cat: Category) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: "".into(),
            severity,
            confidence: Confidence::High,
            category: cat,
            cwe: vec![],
            path: "a.py".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            message: String::new(),
            snippet: String::new(),
            fingerprint: String::new(),
            fix: "".into(),
            suppressed: false,
            suppression_reason: None,
            match_hash: String::new(),
            unless: None,
        }
    }

    #[test]
    fn diminishing_returns() {
        let one = [finding("r", Severity::High, Category::Security)];
        let ten: Vec<Finding> = (0..10)
            .map(|_| finding("r", Severity::High, Category::Security))
            .collect();
        let p1 = raw_penalty(&one.iter().collect::<Vec<_>>());
        let p10 = raw_penalty(&ten.iter().collect::<Vec<_>>());
        assert!(p10 < 10.0 * p1);
        assert!(p10 <= p1 / (1.0 - DECAY) + 1e-9);
    }

    #[test]
    fn clean_project_scores_100() {
        let s = compute(&[], &[], &Metrics::default(), &default_weights());
        assert_eq!(s.overall, 100.0);
        assert_eq!(s.grade, 'A');
    }

    #[test]
    fn critical_caps() {
        let f = [finding("r", Severity::Critical, Category::Maintainability)];
        let s = compute(&f, &[], &Metrics::default(), &default_weights());
        assert!(s.overall <= CRITICAL_CAP);
        assert!(s.capped_by_critical);
    }
}
