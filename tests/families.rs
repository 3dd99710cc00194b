//! Expectation fixtures: every file under fixtures/families/<family>/ marks
//! the findings it must produce with a comment `expect: <rule-id>[, <id>]`
//! on the line where the finding starts. Every other line must stay silent.
//! This test scans each family folder with all built-in rules and fails on
//! any missed or unexpected finding; `PRODREADY_PR_TABLE=1` also prints the
//! per-family precision/recall table used in docs/precision.md.

use prodready::app::scan;
use prodready::cli::{Cli, Command};
use prodready::rules::Registry;
use std::collections::BTreeSet;
use std::path::Path;

fn expectations(root: &Path) -> BTreeSet<(String, u32, String)> {
    let mut out = BTreeSet::new();
    for entry in ignore::WalkBuilder::new(root)
        .hidden(false)
        .standard_filters(false)
        .build()
        .flatten()
    {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let rel = prodready::discover::relative_path(root, entry.path());
        for (i, line) in text.lines().enumerate() {
            if let Some(pos) = line.find("expect: ") {
                for id in line[pos + 8..].split(',') {
                    let id = id.trim().trim_end_matches("-->").trim();
                    if !id.is_empty() {
                        out.insert((
                            rel.clone(),
                            u32::try_from(i + 1).unwrap_or(0),
                            id.to_string(),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn family_fixtures_match_their_expectations() {
    let registry = Registry::load(&[] as &[&str]).expect("built-in rules load");
    let families = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/families");
    let mut table = String::from("| family | expected | found | true positives | false positives | false negatives | precision | recall |\n|---|---|---|---|---|---|---|---|\n");
    let mut problems = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&families)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let family = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cli = <Cli as clap::Parser>::parse_from([
            "prodready",
            "scan",
            dir.to_str().unwrap_or("."),
            "--no-default-excludes",
        ]);
        let Command::Scan(args) = cli.command else {
            unreachable!()
        };
        let report = scan(&args, &registry).expect("scan runs");
        let expected = expectations(&dir);
        let found: BTreeSet<(String, u32, String)> = report
            .findings
            .iter()
            .map(|f| (f.path.clone(), f.line, f.rule_id.clone()))
            .collect();
        let tp = expected.intersection(&found).count();
        let fp: Vec<_> = found.difference(&expected).collect();
        let fn_: Vec<_> = expected.difference(&found).collect();
        for f in &fp {
            problems.push(format!("{family}: unexpected {} at {}:{}", f.2, f.0, f.1));
        }
        for f in &fn_ {
            problems.push(format!("{family}: missed {} at {}:{}", f.2, f.0, f.1));
        }
        // The findings themselves, reviewed like code when they change.
        let listing: Vec<String> = report
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{} [{}] {} {}: {}",
                    f.path, f.line, f.column, f.severity, f.confidence, f.rule_id, f.message
                )
            })
            .collect();
        insta::assert_snapshot!(format!("family_{family}"), listing.join("\n"));
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "n/a".to_string()
            } else {
                format!("{:.2}", a as f64 / b as f64)
            }
        };
        table.push_str(&format!(
            "| {family} | {} | {} | {tp} | {} | {} | {} | {} |\n",
            expected.len(),
            found.len(),
            fp.len(),
            fn_.len(),
            pct(tp, found.len()),
            pct(tp, expected.len())
        ));
    }
    if std::env::var_os("PRODREADY_PR_TABLE").is_some() {
        println!("{table}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
