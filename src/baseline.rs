//! Baselines: adopt the gate in an old codebase without fixing everything
//! first. `prodready baseline PATH -o FILE` (or `scan --write-baseline FILE`)
//! records the current findings; `scan --baseline FILE` then reports only
//! findings that are not in it, and lists the entries that no longer match
//! anything (stale: the problem was fixed, refresh the file).
//!
//! An entry is keyed by rule, path and a hash of the normalized matched text
//! (whitespace-insensitive, never the line number), with a count: edits that
//! move code keep it matched, and a second identical problem in the same
//! file is still new. The file is plain, pretty JSON with sorted keys and no
//! timestamps, so it diffs well in review; it is written atomically.

use crate::finding::Finding;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use thiserror::Error;

/// The baseline file format's version.
pub const VERSION: u32 = 1;

/// A baseline file. Fields are declared in alphabetical order so the JSON
/// keys come out sorted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    pub entries: Vec<Entry>,
    pub tool: String,
    pub version: u32,
}

/// Findings of one rule in one file with the same matched text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// How many such findings are accepted.
    pub count: usize,
    /// Hash of the normalized matched text.
    pub hash: String,
    /// The first finding's message, for reviewers (not matched on).
    pub message: String,
    pub path: String,
    pub rule_id: String,
}

/// What `--baseline` did, in the report's `baseline` field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineSummary {
    /// The baseline file as given.
    pub file: String,
    /// Findings found in the baseline and left out of the report.
    pub matched: usize,
    /// Findings not in the baseline (reported).
    pub new: usize,
    /// Entries (or parts of their count) that matched nothing.
    pub stale: Vec<Entry>,
}

/// A baseline that cannot be read.
#[derive(Debug, Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(prodready::baseline), help("{help}"))]
pub struct BaselineError {
    pub path: String,
    pub message: String,
    pub help: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("here")]
    pub span: Option<SourceSpan>,
}

type Key = (String, String, String);

fn key(f: &Finding) -> Key {
    (f.rule_id.clone(), f.path.clone(), f.match_hash.clone())
}

/// The baseline recording `findings` (suppressed ones are left out: their
/// comment already accepts them).
pub fn build(findings: &[Finding]) -> BaselineFile {
    let mut entries: BTreeMap<Key, Entry> = BTreeMap::new();
    for f in findings.iter().filter(|f| !f.suppressed) {
        entries
            .entry(key(f))
            .and_modify(|e| e.count += 1)
            .or_insert_with(|| Entry {
                count: 1,
                hash: f.match_hash.clone(),
                message: f.message.clone(),
                path: f.path.clone(),
                rule_id: f.rule_id.clone(),
            });
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    entries.sort_by(|a, b| (&a.path, &a.rule_id, &a.hash).cmp(&(&b.path, &b.rule_id, &b.hash)));
    BaselineFile {
        entries,
        tool: "prodready".into(),
        version: VERSION,
    }
}

/// Write the baseline of `findings` to `path`, atomically. Returns the
/// number of findings recorded.
pub fn write(path: &Path, findings: &[Finding]) -> miette::Result<usize> {
    let file = build(findings);
    let mut bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| miette::miette!("cannot serialize the baseline: {e}"))?;
    bytes.push(b'\n');
    crate::app::write_atomically(path, &bytes)?;
    Ok(file.entries.iter().map(|e| e.count).sum())
}

/// Read a baseline file.
pub fn load(path: &Path) -> Result<BaselineFile, BaselineError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let err = |text: &str, span: Option<usize>, message: String, help: &str| BaselineError {
        path: shown.clone(),
        message,
        help: help.to_string(),
        src: NamedSource::new(&shown, text.to_string()).with_language("json"),
        span: span.map(|o| SourceSpan::from(o..o)),
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            "",
            None,
            format!("cannot read the baseline: {e}"),
            "create one with `prodready baseline PATH -o FILE`",
        )
    })?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        let offset = offset_of(&text, e.line(), e.column());
        err(
            &text,
            Some(offset),
            format!("not a prodready baseline: {e}"),
            "regenerate it with `prodready baseline PATH -o FILE`",
        )
    })?;
    if file.version != VERSION {
        return Err(err(
            &text,
            None,
            format!(
                "baseline version {} is not supported (expected {VERSION})",
                file.version
            ),
            "regenerate it with this version of prodready",
        ));
    }
    Ok(file)
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// Drop the findings `baseline` accepts from `findings`. Entries for paths
/// outside `scope` (files not checked in this run, e.g. with
/// `--changed-since`) are never stale.
pub fn apply(
    baseline: &BaselineFile,
    file: &str,
    findings: &mut Vec<Finding>,
    scope: Option<&HashSet<String>>,
) -> BaselineSummary {
    let mut remaining: BTreeMap<Key, usize> = BTreeMap::new();
    for e in &baseline.entries {
        *remaining
            .entry((e.rule_id.clone(), e.path.clone(), e.hash.clone()))
            .or_insert(0) += e.count;
    }
    let mut matched = 0;
    let mut new = 0;
    findings.retain(|f| {
        if f.suppressed {
            return true;
        }
        match remaining.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                matched += 1;
                false
            }
            _ => {
                new += 1;
                true
            }
        }
    });
    let mut stale = Vec::new();
    let mut seen: HashSet<Key> = HashSet::new();
    for e in &baseline.entries {
        let k = (e.rule_id.clone(), e.path.clone(), e.hash.clone());
        if !seen.insert(k.clone()) || scope.is_some_and(|s| !s.contains(&e.path)) {
            continue;
        }
        if let Some(&n) = remaining.get(&k) {
            if n > 0 {
                stale.push(Entry {
                    count: n,
                    ..e.clone()
                });
            }
        }
    }
    BaselineSummary {
        file: file.to_string(),
        matched,
        new,
        stale,
    }
}

/// Where `prodready baseline` writes without `-o`.
pub const DEFAULT_FILE: &str = "prodready-baseline.json";

/// `prodready baseline PATH [-o FILE]`: scan with the same settings as
/// `scan` (configuration, excludes, rules) and record every unsuppressed
/// finding. Prints what it wrote to stderr; the gate does not apply.
pub fn run_command(args: &crate::cli::ScanArgs) -> miette::Result<()> {
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(DEFAULT_FILE));
    let mut args = args.clone();
    args.output = None;
    args.quiet = true;
    args.ci.baseline = None;
    args.ci.write_baseline = None;
    args.ci.show_suppressed = false;
    let settings = crate::settings::Settings::load(&args)?;
    let (discovered, registry) = crate::app::discover_and_load(&args, &settings)?;
    let report = crate::app::scan_discovered(&args, &settings, &registry, discovered, None)?;
    let n = write(&out, &report.findings)?;
    eprintln!(
        "recorded {n} finding{} in {}",
        if n == 1 { "" } else { "s" },
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::meta::{Category, Confidence, Severity};

    fn finding(rule: &str, path: &str, hash: &str, line: u32) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: "".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            category: Category::Security,
            cwe: Vec::new(),
            path: path.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            message: format!("m{line}"),
            snippet: String::new(),
            fingerprint: String::new(),
            fix: "".into(),
            suppressed: false,
            suppression_reason: None,
            match_hash: hash.into(),
            unless: None,
        }
    }

    #[test]
    fn counts_per_key() {
        let old = vec![finding("r", "a.py", "h1", 3), finding("r", "a.py", "h2", 9)];
        let base = build(&old);
        assert_eq!(base.entries.len(), 2);
        // Lines moved, a second identical h1 appeared, h2 was fixed.
        let mut now = vec![finding("r", "a.py", "h1", 5), finding("r", "a.py", "h1", 7)];
        let s = apply(&base, "b.json", &mut now, None);
        assert_eq!((s.matched, s.new), (1, 1));
        assert_eq!(now.len(), 1);
        assert_eq!(s.stale.len(), 1);
        assert_eq!(s.stale[0].hash, "h2");
        let scope: HashSet<String> = HashSet::new();
        let mut now = vec![finding("r", "a.py", "h1", 5)];
        assert!(apply(&base, "b.json", &mut now, Some(&scope))
            .stale
            .is_empty());
    }

    #[test]
    fn json_is_sorted_and_stable() {
        let base = build(&[finding("r", "a.py", "h1", 3), finding("r", "a.py", "h1", 4)]);
        let json = serde_json::to_string_pretty(&base).unwrap_or_default();
        let e = json.find("\"entries\"").unwrap_or(usize::MAX);
        let t = json.find("\"tool\"").unwrap_or(0);
        assert!(e < t, "{json}");
        assert!(json.contains("\"count\": 2"));
        assert!(!json.contains("\"line\""));
    }
}
