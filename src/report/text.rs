//! Human output: a code frame per finding (rendered by miette from the
//! finding's redacted snippet, never from the file), then a summary table.

use super::{Report, Style};
use crate::finding::Finding;
use crate::rules::meta::{Category, Severity};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io;

/// A snippet that knows which line of its file it starts at.
struct Snippet {
    name: String,
    text: String,
    first_line: usize,
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line.saturating_sub(1),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// One finding as a miette diagnostic.
struct FindingDiagnostic<'f> {
    finding: &'f Finding,
    snippet: Snippet,
    span: SourceSpan,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.rule_id)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.finding.severity, self.finding.rule_id, self.finding.message
        )?;
        if self.finding.suppressed {
            let reason = self
                .finding
                .suppression_reason
                .as_deref()
                .unwrap_or("no reason given");
            write!(f, " (suppressed: {reason})")?;
        }
        Ok(())
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Critical | Severity::High => miette::Severity::Error,
            Severity::Medium => miette::Severity::Warning,
            Severity::Low | Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let f = self.finding;
        let cwe = if f.cwe.is_empty() {
            String::new()
        } else {
            format!(" [{}]", f.cwe.join(", "))
        };
        Some(Box::new(format!(
            "{}{cwe} (confidence: {})",
            first_paragraph(&f.fix),
            f.confidence
        )))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.snippet)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.finding.title.to_string()),
            self.span,
        ))))
    }
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Byte offset of 1-based (line, column) within a snippet starting at `first_line`.
fn offset_in(snippet: &str, first_line: u32, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in snippet.split('\n').enumerate() {
        let this_line = first_line + u32::try_from(i).unwrap_or(u32::MAX);
        if this_line == line {
            let col = column.saturating_sub(1) as usize;
            return offset + l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len() + 1;
    }
    snippet.len()
}

fn diagnostic(f: &Finding) -> FindingDiagnostic<'_> {
    let start = offset_in(&f.snippet, f.line, f.line, f.column);
    let end = offset_in(&f.snippet, f.line, f.end_line, f.end_column).max(start);
    FindingDiagnostic {
        finding: f,
        snippet: Snippet {
            name: f.path.clone(),
            text: f.snippet.clone(),
            first_line: f.line as usize,
        },
        span: SourceSpan::from(start..end),
    }
}

pub fn write(report: &Report, style: Style, out: &mut dyn io::Write) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width.max(60))
        .with_context_lines(1);
    for f in report.findings.iter().filter(|_| !style.quiet) {
        let mut rendered = String::new();
        let diag = diagnostic(f);
        if handler.render_report(&mut rendered, &diag).is_err() {
            rendered = format!(
                "{}:{}:{}: {} [{}]\n",
                f.path, f.line, f.column, f.message, f.rule_id
            );
        }
        out.write_all(rendered.as_bytes())?;
        writeln!(out)?;
    }

    if !report.notes.is_empty() && style.verbose {
        writeln!(out, "Notes:")?;
        for n in &report.notes {
            writeln!(out, "  {}: {}", n.path, n.message)?;
        }
        writeln!(out)?;
    }
    if style.verbose && !report.skipped.is_empty() {
        writeln!(out, "Skipped files:")?;
        for s in &report.skipped {
            let detail = if s.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.detail)
            };
            writeln!(out, "  {} [{}]{detail}", s.path, s.reason.as_str())?;
        }
        writeln!(out)?;
    }

    write_summary(report, out)
}

fn write_summary(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let reported: Vec<&Finding> = report.findings.iter().filter(|f| !f.suppressed).collect();
    if !reported.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        let mut header = vec![Cell::new("category")];
        header.extend(Severity::ALL.iter().map(|s| Cell::new(s.as_str())));
        header.push(Cell::new("total"));
        table.set_header(header);
        for cat in Category::ALL {
            let of_cat: Vec<&Finding> = reported
                .iter()
                .copied()
                .filter(|f| f.category == cat)
                .collect();
            if of_cat.is_empty() {
                continue;
            }
            let mut row = vec![Cell::new(cat.as_str())];
            for sev in Severity::ALL {
                let n = of_cat.iter().filter(|f| f.severity == sev).count();
                row.push(
                    Cell::new(if n == 0 {
                        "·".to_string()
                    } else {
                        n.to_string()
                    })
                    .set_alignment(CellAlignment::Right),
                );
            }
            row.push(Cell::new(of_cat.len()).set_alignment(CellAlignment::Right));
            table.add_row(row);
        }
        writeln!(out, "{table}")?;
    }

    write_score(report, out)?;

    let stats = &report.stats;
    let files_with: std::collections::BTreeSet<&str> =
        reported.iter().map(|f| f.path.as_str()).collect();
    writeln!(
        out,
        "{} finding{} in {} file{}; {} file{} scanned, {} skipped{}",
        reported.len(),
        plural(reported.len()),
        files_with.len(),
        plural(files_with.len()),
        stats.files_scanned,
        plural(stats.files_scanned),
        stats.files_skipped,
        skipped_summary(report),
    )?;
    if !report.notes.is_empty() {
        writeln!(
            out,
            "{} note{} (syntax errors, encoding); run with -v to list them",
            report.notes.len(),
            plural(report.notes.len())
        )?;
    }
    crate::gate::write_summary_lines(report, out)?;
    let gate = &report.gate;
    let score = crate::gate::min_score_summary(gate);
    if gate.fail_on == "none" && gate.min_score.is_none() {
        writeln!(out, "gate: off (--fail-on none)")
    } else if gate.fail_on == "none" {
        let verdict = if gate.passed { "passed" } else { "FAILED" };
        writeln!(out, "gate: {verdict} (fail-on none; {score})")
    } else if gate.passed {
        writeln!(
            out,
            "gate: passed (no finding at or above {}{score})",
            gate.fail_on
        )
    } else {
        writeln!(
            out,
            "gate: FAILED ({} finding{} at or above {}{score})",
            gate.failing_findings,
            plural(gate.failing_findings),
            gate.fail_on
        )
    }
}

fn skipped_summary(report: &Report) -> String {
    let parts: Vec<String> = report
        .stats
        .skipped_by_reason
        .iter()
        .filter(|(reason, _)| reason.as_str() != "unsupported-type")
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The readiness score table and the few things to fix first.
fn write_score(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let score = &report.score;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "readiness",
        "score",
        "/10",
        "findings",
        "checks passed",
        "checks failed",
    ]);
    for c in &score.categories {
        let failed = if c.checks_warned > 0 {
            format!("{} (+{} warn)", c.checks_failed, c.checks_warned)
        } else {
            c.checks_failed.to_string()
        };
        table.add_row([
            c.id.as_str().to_string(),
            format!("{:.1}", c.score),
            format!("{:.1}", c.score / 10.0),
            c.findings.to_string(),
            c.checks_passed.to_string(),
            failed,
        ]);
    }
    writeln!(out, "{table}")?;
    let cap = if score.capped_by_critical {
        " (capped: critical findings remain)"
    } else {
        ""
    };
    writeln!(
        out,
        "overall: {:.1}/100 ({:.1}/10), grade {}{cap}",
        score.overall,
        score.overall / 10.0,
        score.grade
    )?;

    let mut urgent: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::High)
        .collect();
    urgent.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut top: Vec<String> = urgent
        .into_iter()
        .take(5)
        .map(|f| format!("  [{}] {}:{} {}", f.severity, f.path, f.line, f.message))
        .collect();
    let failing = report
        .checks
        .iter()
        .filter(|c| c.status == crate::project::Status::Fail && c.severity >= Severity::High)
        .take(5usize.saturating_sub(top.len()).max(2))
        .map(|c| format!("  [check] {}: {}", c.title, c.summary));
    top.extend(failing);
    if !top.is_empty() {
        writeln!(out, "fix first:")?;
        for line in top {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
