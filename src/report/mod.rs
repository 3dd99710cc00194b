//! Stage 5: reporters. A reporter takes a finished [`Report`] and writes it;
//! it never sees rules, trees or files. Adding a format is one module here
//! plus one arm in [`write_report`].

pub mod json;
pub mod sarif;
pub mod text;

use crate::discover::Skipped;
use crate::engine::Note;
use crate::finding::Finding;
use crate::rules::meta::{RuleMeta, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;

/// The JSON contract's version. Bumped only for breaking changes; fields are
/// added without a bump.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LanguageStats {
    pub files: usize,
    pub lines: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub skipped_by_reason: BTreeMap<String, usize>,
    pub duration_ms: u64,
    pub languages: BTreeMap<String, LanguageStats>,
    pub bytes_scanned: u64,
    pub rules_run: usize,
    /// Findings silenced by inline `prodready: ignore[...]` comments.
    pub suppressed: usize,
}

/// The quality gate's verdict (src/gate.rs).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Gate {
    /// `none` or a severity.
    pub fail_on: String,
    pub passed: bool,
    /// Findings at or above `fail_on`.
    pub failing_findings: usize,
    /// The minimum readiness score, when one is set (see src/gate.rs).
    pub min_score: Option<u8>,
    /// The score compared with `min_score`, when the scan computed one.
    pub score: Option<f64>,
    /// `null` when there is no threshold or no score to compare.
    pub min_score_met: Option<bool>,
}

/// Everything a reporter may show.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub root: String,
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// Metadata of every rule that produced a finding, sorted by id.
    pub rules: Vec<RuleMeta>,
    pub gate: Gate,
    pub notes: Vec<Note>,
    pub skipped: Vec<Skipped>,
    /// Present with `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::BaselineSummary>,
    /// Present with `--changed-since`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_since: Option<crate::changed::ChangedSummary>,
}

impl Report {
    /// Reported findings per severity (suppressed ones shown with
    /// `--show-suppressed` are not counted).
    pub fn count_by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut counts = BTreeMap::new();
        for f in self.findings.iter().filter(|f| !f.suppressed) {
            *counts.entry(f.severity).or_insert(0) += 1;
        }
        counts
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Options that change how a report looks, not what it says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    pub verbose: bool,
    /// Terminal width for wrapping code frames.
    pub width: usize,
    /// Summary only.
    pub quiet: bool,
}

pub fn write_report(
    report: &Report,
    format: Format,
    style: Style,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(report, style, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
    }
}
