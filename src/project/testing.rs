//! Testing checks: tests per language, coverage threshold, CI running tests.

use super::{Evidence, ProjectFacts, Status, Verdict};
use crate::facts::FactKind;
use crate::lang::Language;

pub fn tests_exist(f: &ProjectFacts) -> Verdict {
    let groups: [(&str, &[Language]); 3] = [
        ("python", &[Language::Python]),
        (
            "javascript/typescript",
            &[Language::JavaScript, Language::TypeScript, Language::Tsx],
        ),
        ("rust", &[Language::Rust]),
    ];
    let mut evidence = Vec::new();
    let mut present = 0;
    let mut tested = 0;
    for (name, langs) in groups {
        let files: Vec<_> = f
            .inventory
            .iter()
            .filter(|e| e.language.is_some_and(|l| langs.contains(&l)))
            .collect();
        if files.is_empty() {
            continue;
        }
        present += 1;
        let tests = files.iter().filter(|e| e.is_test).count();
        let inline = if name == "rust" {
            f.of(FactKind::InlineTests).count()
        } else {
            0
        };
        if tests + inline > 0 {
            tested += 1;
            let first = files.iter().find(|e| e.is_test).map(|e| e.path.clone());
            evidence.push(Evidence {
                path: first,
                line: None,
                note: format!(
                    "{name}: {} test file(s) for {} source file(s)",
                    tests,
                    files.len() - tests
                ),
            });
        } else {
            evidence.push(Evidence::missing(format!(
                "{name}: {} source file(s) and no tests",
                files.len()
            )));
        }
    }
    if present == 0 {
        return Verdict::not_applicable("no code");
    }
    let status = if tested == present {
        Status::Pass
    } else if tested > 0 {
        Status::Warn
    } else {
        Status::Fail
    };
    Verdict::new(
        status,
        format!("{tested} of {present} language(s) have tests"),
        evidence,
    )
}

pub fn ci_runs_tests(f: &ProjectFacts) -> Verdict {
    if f.first(FactKind::CiPipeline).is_none() {
        return Verdict::new(
            Status::Fail,
            "no CI pipeline runs the tests",
            vec![Evidence::missing("no CI pipeline found")],
        );
    }
    let ev: Vec<Evidence> = f
        .of(FactKind::CiRunsTests)
        .map(|t| Evidence::at(t, format!("runs `{}`", t.detail)))
        .collect();
    if ev.is_empty() {
        Verdict::new(Status::Fail, "CI does not run the tests", vec![Evidence::missing("looked for pytest, tox, jest, vitest, npm test, cargo test, go test... in CI steps")])
    } else {
        Verdict::new(Status::Pass, "CI runs the tests", ev)
    }
}

pub fn coverage_threshold(f: &ProjectFacts) -> Verdict {
    if f.inventory.iter().all(|e| !e.is_test) {
        return Verdict::not_applicable("no tests");
    }
    let ev: Vec<Evidence> = f
        .of(FactKind::CoverageThreshold)
        .map(|c| Evidence::at(c, c.detail.clone()))
        .collect();
    if ev.is_empty() {
        Verdict::new(Status::Fail, "no coverage threshold is enforced", vec![Evidence::missing("looked for --cov-fail-under, fail_under, jest coverageThreshold, c8/nyc --check-coverage, llvm-cov --fail-under")])
    } else {
        Verdict::new(Status::Pass, "a coverage threshold is enforced", ev)
    }
}
