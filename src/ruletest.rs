//! `prodready rules test`: every rule's examples, run through the same
//! parse-and-check path as a real scan. Each `bad` must produce the rule's
//! finding (or exactly `count` of them), each `good` none.

use crate::engine::check_parsed;
use crate::parse;
use crate::rules::{Registry, Rule};

/// The verdict on one rule.
#[derive(Debug, Clone)]
pub struct RuleResult {
    pub id: String,
    pub examples: usize,
    pub failures: Vec<String>,
}

impl RuleResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.examples > 0
    }
}

fn findings_for(
    registry: &Registry,
    idx: usize,
    rule: &Rule,
    lang: crate::lang::Language,
    path: &str,
    code: &str,
) -> Vec<crate::finding::Finding> {
    let _ = rule;
    let language = if lang.is_yaml() {
        lang.refine_yaml(code)
    } else {
        lang
    };
    let parsed = parse::parse(language, path.to_string(), code.to_string());
    let mut found = check_parsed(&parsed, registry, Some(idx));
    // As a scan does, with the example as the whole project.
    crate::facts::withdraw(&mut found, &crate::facts::extract(&parsed));
    found
}

pub fn test_rules(registry: &Registry) -> Vec<RuleResult> {
    let mut results = Vec::new();
    for (idx, rule) in registry.rules.iter().enumerate() {
        let mut failures = Vec::new();
        let mut count = 0;
        for (n, ex) in rule.examples.iter().enumerate() {
            let label = format!("example {} ({})", n + 1, ex.language.name());
            if let Some(bad) = &ex.bad {
                count += 1;
                let found = findings_for(registry, idx, rule, ex.language, &ex.path, bad);
                match ex.count {
                    Some(want) if found.len() != want => {
                        failures.push(format!(
                            "{label}: `bad` gave {} finding(s), expected {want}",
                            found.len()
                        ));
                    }
                    None if found.is_empty() => {
                        failures.push(format!("{label}: `bad` was not flagged"))
                    }
                    _ => {}
                }
            }
            if let Some(good) = &ex.good {
                count += 1;
                let found = findings_for(registry, idx, rule, ex.language, &ex.path, good);
                if let Some(f) = found.first() {
                    failures.push(format!(
                        "{label}: `good` was flagged at line {}: {}",
                        f.line, f.message
                    ));
                }
            }
        }
        if count == 0 {
            failures.push("the rule has no examples".to_string());
        }
        let has_bad = rule.examples.iter().any(|e| e.bad.is_some());
        let has_good = rule.examples.iter().any(|e| e.good.is_some());
        if count > 0 && !(has_bad && has_good) {
            failures.push("the rule needs at least one `bad` and one `good` example".to_string());
        }
        results.push(RuleResult {
            id: rule.meta.id.clone(),
            examples: count,
            failures,
        });
    }
    results
}
