//! The quality gate: the one place that decides whether a scan passes.
//!
//! Two thresholds, either may be off: a severity (`--fail-on`, `gate.fail_on`)
//! that no reported finding may reach, and a minimum readiness score
//! (`--min-score`, `gate.min_score`). Only reported findings count: inline
//! suppressions, baselined findings, per-path ignores and files outside
//! `--changed-since` never fail the gate. Exit codes: 0 passed, 1 failed,
//! 2 error (main.rs).

use crate::report::{Gate, Report};
use crate::rules::meta::Severity;

/// What the gate enforces, after the configuration file and the flags are
/// merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateSettings {
    /// `None`: no severity fails the gate.
    pub fail_on: Option<Severity>,
    /// `None`: the score does not gate.
    pub min_score: Option<u8>,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            fail_on: Some(Severity::High),
            min_score: None,
        }
    }
}

/// Judge `report` against `settings`.
///
/// `score` is the overall readiness score (0–100) of the report, when the
/// scan computed one. A `min_score` is enforced only against a score: with
/// `score == None` the threshold is recorded in the verdict
/// (`min_score_met: null`) and does not fail the gate.
pub fn evaluate(report: &Report, settings: &GateSettings, score: Option<f64>) -> Gate {
    let failing = settings.fail_on.map_or(0, |t| {
        report
            .findings
            .iter()
            .filter(|f| !f.suppressed && f.severity >= t)
            .count()
    });
    let min_score_met = match (settings.min_score, score) {
        (Some(min), Some(s)) => Some(s >= f64::from(min)),
        _ => None,
    };
    Gate {
        fail_on: settings
            .fail_on
            .map_or_else(|| "none".to_string(), |t| t.as_str().to_string()),
        passed: failing == 0 && min_score_met != Some(false),
        failing_findings: failing,
        min_score: settings.min_score,
        score,
        min_score_met,
    }
}

/// The min-score part of the gate's summary line: empty without a
/// threshold, otherwise `; min score 80: ...` (text reporter).
pub fn min_score_summary(gate: &Gate) -> String {
    let sep = if gate.fail_on == "none" { "" } else { "; " };
    match (gate.min_score, gate.score, gate.min_score_met) {
        (None, _, _) => String::new(),
        (Some(min), Some(score), Some(true)) => format!("{sep}score {score:.0} >= min score {min}"),
        (Some(min), Some(score), _) => format!("{sep}score {score:.0} BELOW min score {min}"),
        (Some(min), None, _) => format!("{sep}min score {min} not checked: no score computed"),
    }
}

/// The summary lines about what was left out of the report: inline
/// suppressions, the baseline, `--changed-since` (text reporter).
pub fn write_summary_lines(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let suppressed = report.stats.suppressed;
    if suppressed > 0 {
        let shown = report.findings.iter().any(|f| f.suppressed);
        writeln!(
            out,
            "{suppressed} finding{} suppressed inline{}",
            if suppressed == 1 { "" } else { "s" },
            if shown {
                " (shown above, marked suppressed)"
            } else {
                " (--show-suppressed lists them)"
            }
        )?;
    }
    if let Some(b) = &report.baseline {
        let stale: usize = b.stale.iter().map(|e| e.count).sum();
        writeln!(
            out,
            "baseline {}: {} finding{} baselined, {} new, {} stale entr{}{}",
            b.file,
            b.matched,
            if b.matched == 1 { "" } else { "s" },
            b.new,
            stale,
            if stale == 1 { "y" } else { "ies" },
            if stale > 0 {
                " (fixed since recorded; refresh the baseline)"
            } else {
                ""
            }
        )?;
        const SHOWN: usize = 10;
        for e in b.stale.iter().take(SHOWN) {
            writeln!(
                out,
                "  stale: {} {} ({}x): {}",
                e.path, e.rule_id, e.count, e.message
            )?;
        }
        if b.stale.len() > SHOWN {
            writeln!(
                out,
                "  ...and {} more stale entries (all listed in the JSON report)",
                b.stale.len() - SHOWN
            )?;
        }
    }
    if let Some(c) = &report.changed_since {
        writeln!(
            out,
            "only files changed since {} ({} file{})",
            c.rev,
            c.files,
            if c.files == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}
