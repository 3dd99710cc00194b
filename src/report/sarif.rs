//! `--format sarif`: SARIF 2.1.0 (OASIS), what GitHub code scanning and
//! most CI dashboards read. One run; `tool.driver.rules` holds the metadata
//! of every rule that fired (the report's `rules`), results point at them by
//! id and index. Paths are relative to `%SRCROOT%`, the scanned folder;
//! columns count Unicode code points (`columnKind`), end columns are
//! exclusive, as in the JSON report. Snippets are the report's, already
//! redacted. Checked against the official schema in tests/gate.rs.

use super::Report;
use crate::finding::Finding;
use crate::rules::meta::{Category, Confidence, RuleMeta, Severity};
use serde_json::{json, Map, Value};
use std::io;

/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "prodready/v1";

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `error`, `warning` or `note`.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` scale (0.0–10.0, as a string).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn precision(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

/// `secret-fallback` → `SecretFallback`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase().chain(c).collect::<String>()
            })
        })
        .collect()
}

/// Percent-encode a relative path into a URI reference.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    let mut tags = vec![Value::from(meta.category.as_str())];
    for cwe in &meta.cwe {
        tags.push(Value::from(cwe.as_str()));
        if let Some(n) = cwe.strip_prefix("CWE-") {
            tags.push(Value::from(format!("external/cwe/cwe-{n}")));
        }
    }
    let mut props = Map::new();
    props.insert("tags".into(), Value::from(tags));
    props.insert("precision".into(), Value::from(precision(meta.confidence)));
    props.insert("severity".into(), Value::from(meta.severity.as_str()));
    if meta.category == Category::Security {
        props.insert(
            "security-severity".into(),
            Value::from(security_severity(meta.severity)),
        );
    }
    let markdown = format!(
        "**{}**\n\n{}\n\n**How to fix**\n\n{}{}",
        meta.title,
        meta.why,
        meta.fix,
        if meta.references.is_empty() {
            String::new()
        } else {
            format!(
                "\n\n**References**\n\n{}",
                meta.references
                    .iter()
                    .map(|r| format!("- {r}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
    );
    let mut rule = json!({
        "id": meta.id,
        "name": pascal_case(&meta.id),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.why },
        "help": { "text": meta.fix, "markdown": markdown },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": props,
    });
    if let Some(reference) = meta.references.iter().find(|r| r.starts_with("https://")) {
        rule["helpUri"] = Value::from(reference.as_str());
    }
    rule
}

/// The text of the finding's own span, cut from its (redacted) snippet.
fn region_text(f: &Finding) -> Option<String> {
    let lines: Vec<&str> = f.snippet.split('\n').collect();
    let first = f.line;
    let idx = |line: u32| usize::try_from(line.checked_sub(first)?).ok();
    let (si, ei) = (idx(f.line)?, idx(f.end_line)?);
    if ei >= lines.len() {
        return None;
    }
    let col = |l: &str, c: u32| -> usize {
        l.char_indices()
            .nth(c.saturating_sub(1) as usize)
            .map_or(l.len(), |(b, _)| b)
    };
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate().take(ei + 1).skip(si) {
        let start = if i == si { col(l, f.column) } else { 0 };
        let end = if i == ei {
            col(l, f.end_column)
        } else {
            l.len()
        };
        if i > si {
            out.push('\n');
        }
        out.push_str(l.get(start..end.max(start)).unwrap_or(""));
    }
    Some(out)
}

fn result(f: &Finding, rule_index: Option<usize>, baselined: bool) -> Value {
    let snippet_lines = u32::try_from(f.snippet.split('\n').count()).unwrap_or(1);
    let mut region = json!({
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column.max(if f.end_line == f.line { f.column } else { 1 }),
    });
    let covered = region_text(f);
    if let Some(text) = &covered {
        region["snippet"] = json!({ "text": text });
    }
    let mut r = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
                "region": region,
            }
        }],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
        "properties": {
            "severity": f.severity.as_str(),
            "confidence": f.confidence.as_str(),
            "category": f.category.as_str(),
        },
    });
    // The whole lines, when the (length-capped) snippet holds the region:
    // a context region must contain its region.
    if covered.is_some() {
        r["locations"][0]["physicalLocation"]["contextRegion"] = json!({
            "startLine": f.line,
            "endLine": f.line + snippet_lines.saturating_sub(1),
            "snippet": { "text": f.snippet },
        });
    }
    if let Some(i) = rule_index {
        r["ruleIndex"] = Value::from(i);
    }
    if baselined {
        r["baselineState"] = Value::from("new");
    }
    if f.suppressed {
        let mut s = json!({ "kind": "inSource" });
        if let Some(reason) = &f.suppression_reason {
            s["justification"] = Value::from(reason.as_str());
        }
        r["suppressions"] = json!([s]);
    }
    r
}

/// The SARIF log of `report`.
pub fn to_value(report: &Report) -> Value {
    let rules: Vec<Value> = report.rules.iter().map(rule_descriptor).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let idx = report.rules.iter().position(|r| r.id == f.rule_id);
            result(f, idx, report.baseline.is_some())
        })
        .collect();
    let mut log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": { "description": { "text": format!("the scanned folder ({})", report.root) } }
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{ "executionSuccessful": true }],
            "properties": {
                "filesScanned": report.stats.files_scanned,
                "suppressed": report.stats.suppressed,
                "gate": report.gate,
            },
            "results": results,
        }]
    });
    if let Some(b) = &report.baseline {
        log["runs"][0]["properties"]["baseline"] = json!(b);
    }
    log
}

pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report)).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("secret-fallback"), "SecretFallback");
        assert_eq!(uri("src/my file#1.py"), "src/my%20file%231.py");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(security_severity(Severity::High), "8.0");
    }
}
