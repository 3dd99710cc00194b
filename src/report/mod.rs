//! Stage 5: reporters. A reporter takes a finished [`Report`] and writes it;
//! it never sees rules, trees or files. Adding a format is one module here
//! plus one arm in [`write_report`].

pub mod explain;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::discover::Skipped;
use crate::engine::Note;
use crate::finding::Finding;
use crate::metrics::Metrics;
use crate::project::CheckResult;
use crate::rules::meta::{RuleMeta, Severity};
use crate::score::Score;
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
    /// Files that were unreadable, failed inside a parser or rule, or ran
    /// out of time budget (`--strict` turns these into exit code 2).
    pub files_incomplete: usize,
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
    /// Project-level readiness checks.
    pub checks: Vec<CheckResult>,
    pub metrics: Metrics,
    pub score: Score,
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
    Markdown,
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
        Format::Markdown => markdown::write(report, &today(), out),
        Format::Sarif => sarif::write(report, out),
    }
}

/// Today's date (UTC) as YYYY-MM-DD, or a fixed date under
/// `PRODREADY_DETERMINISTIC` so reports can be snapshot-tested.
pub fn today() -> String {
    if std::env::var_os("PRODREADY_DETERMINISTIC").is_some() {
        return "1970-01-01".to_string();
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_date(days: u64) -> String {
    let z = i64::try_from(days).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::civil_date(0), "1970-01-01");
        assert_eq!(super::civil_date(20_779), "2026-11-22");
    }
}
