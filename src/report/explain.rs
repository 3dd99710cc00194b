//! `scan --explain-score`: the arithmetic behind every category score, so a
//! team can see exactly which findings and checks moved it.

use super::Report;
use crate::project::Status;
use crate::score::{
    self, check_weight, confidence_factor, severity_weight, DECAY, FINDINGS_SHARE, PENALTY_SCALE,
};
use std::collections::BTreeMap;
use std::io;

pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let s = &report.score;
    writeln!(out, "How the score was reached (model: docs/scoring.md)")?;
    writeln!(
        out,
        "  size factor {:.2} = 1 + ln(1 + {} code lines / 10,000); finding penalties are divided by it",
        s.size_factor, report.metrics.total_code_lines
    )?;
    for cat in &s.categories {
        writeln!(out)?;
        writeln!(
            out,
            "{} — {:.1}/100 (weight {})",
            cat.id, cat.score, cat.weight
        )?;
        let mut by_rule: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for f in report.findings.iter().filter(|f| f.category == cat.id) {
            by_rule
                .entry(&f.rule_id)
                .or_default()
                .push(severity_weight(f.severity) * confidence_factor(f.confidence));
        }
        for (rule, mut costs) in by_rule {
            costs.sort_by(|a, b| b.total_cmp(a));
            let n = costs.len();
            let total: f64 = costs
                .iter()
                .enumerate()
                .map(|(k, c)| c * DECAY.powi(i32::try_from(k).unwrap_or(i32::MAX)))
                .sum();
            writeln!(
                out,
                "  - {rule}: {n} finding(s), first costs {:.1}, each next ×{DECAY} → {total:.1}",
                costs[0]
            )?;
        }
        writeln!(
            out,
            "  findings part: 100 × e^(−{:.1} / {PENALTY_SCALE}) = {:.1}",
            cat.penalty, cat.findings_score
        )?;
        let checks: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.category == cat.id && c.status != Status::NotApplicable)
            .collect();
        match cat.checks_score {
            Some(cs) => {
                for c in &checks {
                    writeln!(
                        out,
                        "  - check {} [{}] weight {}: {}",
                        c.id,
                        c.status.as_str(),
                        check_weight(c.severity),
                        c.summary
                    )?;
                }
                writeln!(
                    out,
                    "  checks part: {cs:.1} (pass = full weight, warn = half)"
                )?;
                writeln!(
                    out,
                    "  score = {FINDINGS_SHARE} × {:.1} + {:.1} × {cs:.1} = {:.1}",
                    cat.findings_score,
                    1.0 - FINDINGS_SHARE,
                    cat.score
                )?;
            }
            None => writeln!(
                out,
                "  no check applies: score = findings part = {:.1}",
                cat.score
            )?,
        }
    }
    writeln!(out)?;
    let weights: f64 = s.categories.iter().map(|c| c.weight).sum();
    writeln!(
        out,
        "overall = Σ score × weight / {weights} = {:.1}, grade {}",
        s.overall, s.grade
    )?;
    if s.capped_by_critical {
        writeln!(
            out,
            "  capped at {} because critical findings remain",
            score::CRITICAL_CAP
        )?;
    }
    Ok(())
}
