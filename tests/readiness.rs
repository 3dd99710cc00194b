//! The readiness layer end to end on the sample projects: grades, checks
//! with evidence, the Markdown report (parsed as GitHub-flavoured Markdown
//! and snapshot-tested), --explain-score and `diff`.

mod common;

use common::{prodready, scan_json, HARDENED, INSECURE};
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Value;

fn json(path: &str) -> Value {
    scan_json(path, &[])
}

fn markdown(path: &str) -> String {
    let out = prodready()
        .args(["scan", path, "-f", "markdown", "--fail-on", "none"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn insecure_sample_grades_low_and_hardened_high() {
    let bad = json(INSECURE);
    let good = json(HARDENED);
    let grade = |r: &Value| r["score"]["grade"].as_str().unwrap_or("?").to_string();
    assert!(
        matches!(grade(&bad).as_str(), "D" | "F"),
        "insecure grade {}",
        grade(&bad)
    );
    assert!(
        matches!(grade(&good).as_str(), "A" | "B"),
        "hardened grade {}",
        grade(&good)
    );
    for r in [&bad, &good] {
        let cats = r["score"]["categories"].as_array().expect("categories");
        assert_eq!(cats.len(), 6);
        for c in cats {
            for key in [
                "id",
                "score",
                "weight",
                "findings",
                "checks_passed",
                "checks_failed",
            ] {
                assert!(c.get(key).is_some(), "category field {key}");
            }
        }
        assert!(r["metrics"]["lines_of_code"].is_object());
    }
    // Failing checks name what was looked for or where the problem is.
    let checks = bad["checks"].as_array().expect("checks");
    let non_root = checks
        .iter()
        .find(|c| c["id"] == "docker-non-root")
        .expect("docker-non-root");
    assert_eq!(non_root["status"], "fail");
    assert_eq!(non_root["evidence"][0]["path"], "Dockerfile");
    let k8s = checks
        .iter()
        .find(|c| c["id"] == "k8s-probes")
        .expect("k8s-probes");
    assert_eq!(k8s["status"], "not_applicable");
    let good_checks = good["checks"].as_array().expect("checks");
    assert!(
        good_checks.iter().all(|c| c["status"] != "fail"),
        "hardened sample fails no check"
    );
}

fn parse_markdown(md: &str) -> (usize, Vec<String>) {
    let mut tables = 0;
    let mut headings = Vec::new();
    let mut in_heading = false;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                headings.push(String::new());
            }
            Event::End(pulldown_cmark::TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if in_heading => {
                if let Some(h) = headings.last_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (tables, headings)
}

#[test]
fn markdown_report_is_valid_gfm_with_every_section() {
    let md = markdown(INSECURE);
    let (tables, headings) = parse_markdown(&md);
    assert!(
        tables >= 4,
        "score, findings and metrics tables render as tables ({tables})"
    );
    for h in [
        "What is already good",
        "Must fix before production",
        "Should fix",
        "Readiness checklist",
        "Metrics",
        "How to reproduce",
    ] {
        assert!(
            headings.iter().any(|x| x == h),
            "heading {h} in {headings:?}"
        );
    }
    assert!(md.contains("[services/auth/app.py:21](services/auth/app.py#L21)"));
    assert!(md.contains("grade F") || md.contains("grade D"));
    insta::assert_snapshot!("insecure_markdown", md);
    insta::assert_snapshot!("hardened_markdown", markdown(HARDENED));
}

#[test]
fn explain_score_shows_the_arithmetic() {
    prodready()
        .args(["scan", INSECURE, "--explain-score", "--fail-on", "none"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("How the score was reached"))
        .stdout(predicates::str::contains(
            "weak-password-hash: 4 finding(s)",
        ))
        .stdout(predicates::str::contains("overall = "));
}

#[test]
fn diff_reports_fixed_and_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    prodready()
        .args(["scan", INSECURE, "-f", "json", "--fail-on", "none", "-o"])
        .arg(&old)
        .assert()
        .code(0);
    prodready()
        .args(["scan", HARDENED, "-f", "json", "--fail-on", "none", "-o"])
        .arg(&new)
        .assert()
        .code(0);
    let before: Value = serde_json::from_slice(&std::fs::read(&old).expect("read")).expect("json");
    let fixed = before["findings"].as_array().map_or(0, Vec::len);
    assert!(fixed > 0);
    prodready()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("grade: F → A"))
        .stdout(predicates::str::contains(format!("fixed: {fixed}\n")))
        .stdout(predicates::str::contains("new: 0"));
    let out = prodready()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["-f", "markdown"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let (tables, _) = parse_markdown(&String::from_utf8(out).expect("utf-8"));
    assert_eq!(tables, 1);
    prodready()
        .arg("diff")
        .arg(&old)
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2);
}
