//! Stage 4: project-level readiness checks.
//!
//! A check reads the facts every file contributed in the check pass (and the
//! inventory of discovered paths) and returns a status with evidence: the
//! files and lines that prove it, or what was looked for and not found. It
//! never reads a file. Each check's documentation is a TOML file beside the
//! rules (`rules/project/<id>.toml`, `scope = "project"`); its logic is a
//! function registered in [`CHECKS`] under the name that file gives.

mod observability;
mod operations;
mod security;
mod testing;

use crate::facts::{Fact, FactKind};
use crate::lang::Language;
use crate::metrics::Metrics;
use crate::rules::meta::{Category, Severity};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// A place that proves a verdict, or what was looked for and not found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub note: String,
}

impl Evidence {
    pub fn at(fact: &Fact, note: impl Into<String>) -> Self {
        Self {
            path: Some(fact.path.clone()),
            line: Some(fact.line),
            note: note.into(),
        }
    }

    pub fn missing(note: impl Into<String>) -> Self {
        Self {
            path: None,
            line: None,
            note: note.into(),
        }
    }
}

/// What a check concluded.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    pub fn new(status: Status, summary: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self {
            status,
            summary: summary.into(),
            evidence,
        }
    }

    pub fn not_applicable(summary: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, summary, Vec::new())
    }
}

/// A discovered path, scanned or not (lockfiles and CI files count even when
/// too large or of a type no rule reads).
#[derive(Debug, Clone)]
pub struct InventoryEntry {
    pub path: String,
    pub language: Option<Language>,
    pub is_test: bool,
}

/// Everything project checks may read.
#[derive(Debug, Default)]
pub struct ProjectFacts {
    pub facts: Vec<Fact>,
    pub inventory: Vec<InventoryEntry>,
    pub metrics: Metrics,
}

impl ProjectFacts {
    pub fn of(&self, kind: FactKind) -> impl Iterator<Item = &Fact> + '_ {
        self.facts.iter().filter(move |f| f.kind == kind)
    }

    pub fn first(&self, kind: FactKind) -> Option<&Fact> {
        self.of(kind).next()
    }

    pub fn capability(&self, cap: &str) -> Option<&Fact> {
        self.of(FactKind::Capability).find(|f| f.detail == cap)
    }

    /// Web frameworks in use, e.g. ["fastapi", "express"].
    pub fn frameworks(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .of(FactKind::WebFramework)
            .map(|f| f.detail.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn has_file_named(&self, names: &[&str]) -> Option<&InventoryEntry> {
        self.inventory.iter().find(|e| {
            let name = e.path.rsplit('/').next().unwrap_or("");
            names.iter().any(|n| n.eq_ignore_ascii_case(name))
        })
    }

    pub fn files_of(&self, language: Language) -> impl Iterator<Item = &InventoryEntry> + '_ {
        self.inventory
            .iter()
            .filter(move |e| e.language == Some(language))
    }
}

pub type CheckFn = fn(&ProjectFacts) -> Verdict;

/// Every project check, by the name its TOML file uses.
pub static CHECKS: &[(&str, CheckFn)] = &[
    ("ci-pipeline", operations::ci_pipeline),
    ("docker-non-root", operations::docker_non_root),
    ("docker-healthcheck", operations::docker_healthcheck),
    ("docker-image-pinned", operations::docker_image_pinned),
    ("compose-healthchecks", operations::compose_healthchecks),
    (
        "compose-resource-limits",
        operations::compose_resource_limits,
    ),
    ("k8s-probes", operations::k8s_probes),
    ("k8s-resources", operations::k8s_resources),
    ("k8s-security-context", operations::k8s_security_context),
    ("env-file-hygiene", operations::env_file_hygiene),
    ("dependency-lockfile", operations::dependency_lockfile),
    ("graceful-shutdown", operations::graceful_shutdown),
    ("rate-limiting", security::rate_limiting),
    ("security-headers", security::security_headers),
    ("secrets-validated-at-startup", security::secrets_validated),
    ("ci-security-scan", security::ci_security_scan),
    ("structured-logging", observability::structured_logging),
    ("health-endpoint", observability::health_endpoint),
    ("metrics-exported", observability::metrics_exported),
    ("error-tracking", observability::error_tracking),
    ("tests-exist", testing::tests_exist),
    ("ci-runs-tests", testing::ci_runs_tests),
    ("coverage-threshold", testing::coverage_threshold),
];

pub fn lookup(name: &str) -> Option<CheckFn> {
    CHECKS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// A check's documentation and logic, loaded from its TOML file.
#[derive(Debug, Clone)]
pub struct ProjectCheckDef {
    pub id: String,
    pub title: String,
    pub category: Category,
    /// How much a failure matters; scoring weighs checks by it.
    pub severity: Severity,
    pub why: String,
    pub fix: String,
    pub references: Vec<String>,
    pub run: CheckFn,
    pub origin: String,
}

/// A check's result, as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: String,
}

pub fn run_checks(defs: &[ProjectCheckDef], facts: &ProjectFacts) -> Vec<CheckResult> {
    let mut out: Vec<CheckResult> = defs
        .iter()
        .map(|def| {
            let v = (def.run)(facts);
            CheckResult {
                id: def.id.clone(),
                title: def.title.clone(),
                category: def.category,
                severity: def.severity,
                status: v.status,
                summary: v.summary,
                evidence: v.evidence,
                fix: def.fix.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.category, &a.id).cmp(&(b.category, &b.id)));
    out
}

/// The shape of the "is library/capability X configured" checks: not
/// applicable without code (or without a web framework when
/// `needs_framework`), pass with evidence, else `missing`.
pub fn capability_verdict(
    f: &ProjectFacts,
    cap: &str,
    what: &str,
    looked_for: &str,
    missing: Status,
    needs_framework: bool,
) -> Verdict {
    if needs_framework && f.frameworks().is_empty() {
        return Verdict::not_applicable("no web framework");
    }
    if f.metrics.total_code_lines == 0 {
        return Verdict::not_applicable("no code");
    }
    let ev: Vec<Evidence> = f
        .of(FactKind::Capability)
        .filter(|c| c.detail == cap)
        .map(|c| Evidence::at(c, what.to_string()))
        .collect();
    if ev.is_empty() {
        Verdict::new(
            missing,
            if f.frameworks().is_empty() {
                format!("no {what}")
            } else {
                format!("no {what} found for {}", f.frameworks().join(", "))
            },
            vec![Evidence::missing(format!("looked for {looked_for}"))],
        )
    } else {
        Verdict::new(Status::Pass, format!("{what} configured"), ev)
    }
}

/// "pass if every item has the property, warn if some, fail if none" — the
/// shape of the per-service and per-container checks.
pub fn coverage_verdict(items: &[&Fact], with: &[&Fact], what: &str, property: &str) -> Verdict {
    let missing: Vec<&&Fact> = items
        .iter()
        .filter(|i| {
            !with
                .iter()
                .any(|w| w.path == i.path && w.detail == i.detail)
        })
        .collect();
    let evidence_ok = with
        .iter()
        .map(|w| Evidence::at(w, format!("{what} `{}` has {property}", w.detail)));
    // "has a healthcheck", "has no healthcheck".
    let bare = property
        .strip_prefix("a ")
        .or_else(|| property.strip_prefix("an "))
        .unwrap_or(property);
    let evidence_missing = missing
        .iter()
        .map(|m| Evidence::at(m, format!("{what} `{}` has no {bare}", m.detail)));
    let evidence: Vec<Evidence> = evidence_missing.chain(evidence_ok).collect();
    let status = if missing.is_empty() {
        Status::Pass
    } else if missing.len() < items.len() {
        Status::Warn
    } else {
        Status::Fail
    };
    let summary = format!(
        "{} of {} {what}s have {property}",
        items.len() - missing.len(),
        items.len()
    );
    Verdict::new(status, summary, evidence)
}
