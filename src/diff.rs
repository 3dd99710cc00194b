//! `prodready diff OLD.json NEW.json`: what changed between two scans —
//! scores before and after, findings fixed and findings new (matched by
//! fingerprint, so moved code is neither).

use crate::finding::Finding;
use crate::report::markdown::escape;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::io;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct CategoryIn {
    id: String,
    score: f64,
}

#[derive(Debug, Deserialize)]
struct ScoreIn {
    overall: f64,
    grade: char,
    categories: Vec<CategoryIn>,
}

/// The parts of a JSON report a diff needs.
#[derive(Debug, Deserialize)]
pub struct ReportIn {
    findings: Vec<Finding>,
    score: Option<ScoreIn>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read report `{path}`: {message}")]
#[diagnostic(
    code(prodready::diff),
    help("pass two files written by `prodready scan --format json`")
)]
pub struct DiffError {
    path: String,
    message: String,
}

pub fn load(path: &Path) -> Result<ReportIn, DiffError> {
    let err = |message: String| DiffError {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

pub struct Diff<'a> {
    pub fixed: Vec<&'a Finding>,
    pub new: Vec<&'a Finding>,
    rows: Vec<(String, f64, f64)>,
    grades: Option<(char, char)>,
}

pub fn compare<'a>(old: &'a ReportIn, new: &'a ReportIn) -> Diff<'a> {
    let old_fp: BTreeSet<&str> = old
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let new_fp: BTreeSet<&str> = new
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let fixed = old
        .findings
        .iter()
        .filter(|f| !new_fp.contains(f.fingerprint.as_str()))
        .collect();
    let added = new
        .findings
        .iter()
        .filter(|f| !old_fp.contains(f.fingerprint.as_str()))
        .collect();
    let mut rows = Vec::new();
    let mut grades = None;
    if let (Some(a), Some(b)) = (&old.score, &new.score) {
        rows.push(("overall".to_string(), a.overall, b.overall));
        for c in &b.categories {
            let before = a
                .categories
                .iter()
                .find(|x| x.id == c.id)
                .map_or(0.0, |x| x.score);
            rows.push((c.id.clone(), before, c.score));
        }
        grades = Some((a.grade, b.grade));
    }
    Diff {
        fixed,
        new: added,
        rows,
        grades,
    }
}

fn delta(a: f64, b: f64) -> String {
    let d = b - a;
    if d.abs() < 0.05 {
        "=".to_string()
    } else {
        format!("{d:+.1}")
    }
}

pub fn write_text(d: &Diff<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    if let Some((a, b)) = d.grades {
        writeln!(out, "grade: {a} → {b}")?;
    }
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["score", "before", "after", "change"]);
    for (name, a, b) in &d.rows {
        table.add_row([
            name.clone(),
            format!("{a:.1}"),
            format!("{b:.1}"),
            delta(*a, *b),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "fixed: {}", d.fixed.len())?;
    for f in &d.fixed {
        writeln!(
            out,
            "  - [{}] {}:{} {} ({})",
            f.severity, f.path, f.line, f.message, f.rule_id
        )?;
    }
    writeln!(out, "new: {}", d.new.len())?;
    for f in &d.new {
        writeln!(
            out,
            "  + [{}] {}:{} {} ({})",
            f.severity, f.path, f.line, f.message, f.rule_id
        )?;
    }
    Ok(())
}

pub fn write_markdown(d: &Diff<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    writeln!(out, "# Readiness: before and after")?;
    writeln!(out)?;
    if let Some((a, b)) = d.grades {
        writeln!(out, "Grade **{a} → {b}**.")?;
        writeln!(out)?;
    }
    writeln!(out, "| score | before | after | change |")?;
    writeln!(out, "|---|---|---|---|")?;
    for (name, a, b) in &d.rows {
        writeln!(out, "| {name} | {a:.1} | {b:.1} | {} |", delta(*a, *b))?;
    }
    for (title, list) in [("Fixed", &d.fixed), ("New", &d.new)] {
        writeln!(out)?;
        writeln!(out, "## {title} ({})", list.len())?;
        writeln!(out)?;
        for f in list.iter() {
            writeln!(
                out,
                "- {} `{}` {}:{} — {}",
                f.severity,
                f.rule_id,
                escape(&f.path),
                f.line,
                escape(&f.message)
            )?;
        }
    }
    Ok(())
}
