//! `prodready rules list` and `prodready rules explain`.

use crate::cli::ListFormat as Format;
use crate::error::UsageError;
use crate::rules::{Registry, Rule};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    meta: &'a crate::rules::meta::RuleMeta,
    kind: &'static str,
    examples: usize,
}

fn kind(rule: &Rule) -> &'static str {
    match (rule.check.is_some(), rule.matchers.is_empty()) {
        (true, true) => "check",
        (true, false) => "check+match",
        _ => "match",
    }
}

pub fn list(registry: &Registry, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            let listed: Vec<Listed<'_>> = registry
                .rules
                .iter()
                .map(|r| Listed {
                    meta: &r.meta,
                    kind: kind(r),
                    examples: r.examples.len(),
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &listed).map_err(io::Error::other)?;
            writeln!(out)
        }
        _ => {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header([
                "id",
                "category",
                "severity",
                "confidence",
                "cwe",
                "languages",
                "title",
            ]);
            for r in &registry.rules {
                let m = &r.meta;
                table.add_row([
                    m.id.clone(),
                    m.category.to_string(),
                    m.severity.to_string(),
                    m.confidence.to_string(),
                    m.cwe.join(" "),
                    m.languages.join(" "),
                    m.title.to_string(),
                ]);
            }
            writeln!(out, "{table}")?;
            writeln!(out, "{} rules", registry.rules.len())
        }
    }
}

pub fn explain(registry: &Registry, id: &str, out: &mut dyn Write) -> miette::Result<()> {
    let rule = registry
        .get(id)
        .ok_or_else(|| UsageError::UnknownRule(id.to_string()))?;
    write_explain(rule, out).map_err(|e| miette::miette!("cannot write: {e}"))
}

fn write_explain(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    let m = &rule.meta;
    writeln!(out, "{} — {}", m.id, m.title)?;
    writeln!(out)?;
    writeln!(out, "  category:   {}", m.category)?;
    writeln!(out, "  severity:   {}", m.severity)?;
    writeln!(out, "  confidence: {}", m.confidence)?;
    writeln!(
        out,
        "  cwe:        {}",
        if m.cwe.is_empty() {
            "-".to_string()
        } else {
            m.cwe.join(", ")
        }
    )?;
    writeln!(out, "  languages:  {}", m.languages.join(", "))?;
    writeln!(out, "  detection:  {}", kind(rule))?;
    writeln!(out)?;
    writeln!(out, "Why it matters")?;
    for l in m.why.lines() {
        writeln!(out, "  {l}")?;
    }
    writeln!(out)?;
    writeln!(out, "How to fix")?;
    for l in m.fix.lines() {
        writeln!(out, "  {l}")?;
    }
    for ex in &rule.examples {
        for (label, code) in [("Flagged", &ex.bad), ("Not flagged", &ex.good)] {
            if let Some(code) = code {
                writeln!(out)?;
                writeln!(out, "{label} ({}, {}):", ex.language.name(), ex.path)?;
                for l in code.trim_end().lines() {
                    writeln!(out, "  │ {l}")?;
                }
            }
        }
    }
    if !m.references.is_empty() {
        writeln!(out)?;
        writeln!(out, "References")?;
        for r in &m.references {
            writeln!(out, "  - {r}")?;
        }
    }
    Ok(())
}
