//! End-to-end tests of the command line: exit codes, formats, snapshots.

mod common;

use common::{prodready, HARDENED, INSECURE};
use predicates::prelude::*;
use std::path::Path;

#[test]
fn insecure_sample_fails_the_gate_with_code_frames() {
    let out = prodready()
        .args(["scan", INSECURE])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("╭─[services/auth/app.py:"),
        "code frame with path:\n{text}"
    );
    assert!(text.contains("[critical] weak-password-hash"));
    assert!(text.contains("gate: FAILED"));
    insta::assert_snapshot!("insecure_text", text);
}

#[test]
fn insecure_sample_json_matches_the_contract() {
    let out = prodready()
        .args(["scan", INSECURE, "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["tool"]["name"], "prodready");
    assert!(json["stats"]["files_scanned"].as_u64().unwrap_or(0) > 0);
    for key in [
        "files_scanned",
        "files_skipped",
        "skipped_by_reason",
        "duration_ms",
        "languages",
    ] {
        assert!(json["stats"].get(key).is_some(), "stats.{key}");
    }
    let findings = json["findings"].as_array().expect("findings array");
    assert!(!findings.is_empty());
    for f in findings {
        for key in [
            "rule_id",
            "title",
            "severity",
            "confidence",
            "category",
            "cwe",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "snippet",
            "fingerprint",
            "fix",
        ] {
            assert!(f.get(key).is_some(), "finding field {key}");
        }
        assert!(f["line"].as_u64().unwrap_or(0) >= 1);
        assert!(f["cwe"].as_array().is_some_and(|c| c
            .iter()
            .all(|c| c.as_str().is_some_and(|s| s.starts_with("CWE-")))));
        assert!(!f["path"].as_str().unwrap_or("\\").contains('\\'));
    }
    insta::assert_json_snapshot!("insecure_json", json);
}

#[test]
fn hardened_sample_passes() {
    prodready()
        .args(["scan", HARDENED])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gate: passed"));
}

#[test]
fn fail_on_controls_the_exit_code() {
    prodready()
        .args(["scan", INSECURE, "--fail-on", "none"])
        .assert()
        .code(0);
    prodready()
        .args(["scan", INSECURE, "--fail-on", "critical"])
        .assert()
        .code(1);
    prodready()
        .args(["scan", HARDENED, "--fail-on", "info"])
        .assert()
        .code(0);
}

#[test]
fn usage_errors_exit_2() {
    prodready()
        .args(["scan", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does/not/exist"));
    prodready()
        .args(["scan", INSECURE, "--fail-on", "sometimes"])
        .assert()
        .code(2);
    prodready()
        .args(["scan", INSECURE, "--max-file-size", "lots"])
        .assert()
        .code(2);
    prodready()
        .args(["scan", INSECURE, "--exclude", "a{b"])
        .assert()
        .code(2);
}

#[test]
fn invalid_rule_file_points_at_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = "id = \"my-rule\"\ntitle = \"t\"\ncategory = \"security\"\nseverity = \"extreme\"\n";
    std::fs::write(dir.path().join("my-rule.toml"), rule).expect("write");
    prodready()
        .args(["scan", HARDENED, "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("my-rule.toml"))
        .stderr(predicate::str::contains("4 │ severity = \"extreme\""))
        .stderr(predicate::str::contains("unknown variant"));
}

/// The built-in rules compile only for the code languages a scan finds;
/// the user's rule files compile for every language they name, so a
/// broken TypeScript rule is reported on a tree with no TypeScript.
#[test]
fn user_rules_are_checked_for_languages_the_tree_lacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = "id = \"ts-only\"\ntitle = \"t\"\ncategory = \"security\"\nseverity = \"low\"\nconfidence = \"high\"\ncwe = []\nlanguages = [\"typescript\"]\nwhy = \"w\"\nfix = \"f\"\n[[match]]\n[match.rule]\nkind = \"no_such_kind\"\n";
    std::fs::write(dir.path().join("ts-only.toml"), rule).expect("write");
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(project.path().join("app.py"), "x = 1\n").expect("write");
    prodready()
        .args(["scan", "--rules"])
        .arg(dir.path())
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ts-only.toml"))
        .stderr(predicate::str::contains(
            "invalid ast-grep rule for typescript",
        ));
}

#[test]
fn extra_rule_folders_are_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("todo-comment.toml"), common::TODO_RULE).expect("write");
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        project.path().join("app.py"),
        "def f():\n    return 1  # TODO: cache this\n",
    )
    .expect("write");
    prodready()
        .args(["scan", "--fail-on", "none", "--format", "json", "--rules"])
        .arg(dir.path())
        .arg(project.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "\"message\": \"TODO: cache this\"",
        ));
    prodready()
        .args(["rules", "test"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS todo-comment"));
}

#[test]
fn rules_commands() {
    prodready()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("weak-password-hash"))
        .stdout(predicate::str::contains("secret-fallback"));
    let out = prodready()
        .args(["rules", "list", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let list: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert!(list.as_array().is_some_and(|a| a
        .iter()
        .any(|r| r["id"] == "secret-fallback" && r["cwe"].is_array())));
    prodready()
        .args(["rules", "explain", "secret-fallback"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Why it matters"))
        .stdout(predicate::str::contains("How to fix"))
        .stdout(predicate::str::contains("Flagged (python"));
    prodready()
        .args(["rules", "explain", "no-such-rule"])
        .assert()
        .code(2);
    prodready()
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn rules_test_fails_on_a_broken_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = r#"
id = "print-call"
title = "print"
category = "observability"
severity = "low"
confidence = "high"
cwe = []
languages = ["python"]
why = "w"
fix = "f"
[[match]]
rule = { pattern = "print($$$A)" }
[[example]]
language = "python"
bad = "log('x')\n"
good = "print('x')\n"
"#;
    std::fs::write(dir.path().join("print-call.toml"), rule).expect("write");
    prodready()
        .args(["rules", "test"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL print-call"))
        .stdout(predicate::str::contains("`bad` was not flagged"))
        .stdout(predicate::str::contains("`good` was flagged"));
}

#[test]
fn output_file_is_written_and_thread_count_does_not_change_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = dir.path().join("one.json");
    let two = dir.path().join("two.json");
    prodready()
        .args(["scan", INSECURE, "-f", "json", "--jobs", "1", "-o"])
        .arg(&one)
        .assert()
        .code(1)
        .stdout("");
    prodready()
        .args(["scan", INSECURE, "-f", "json", "--jobs", "4", "-o"])
        .arg(&two)
        .assert()
        .code(1);
    let a = std::fs::read(&one).expect("read");
    let b = std::fs::read(&two).expect("read");
    assert!(!a.is_empty());
    assert_eq!(a, b);
    // No temporary files left behind.
    let leftovers = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(leftovers, 2);
    assert!(Path::new(&one).exists());
}

/// `--timings` adds a table on stderr and changes nothing in the report.
#[test]
fn timings_go_to_stderr_and_leave_the_report_alone() {
    let plain = prodready()
        .args(["scan", INSECURE, "-f", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let timed = prodready()
        .args(["scan", INSECURE, "-f", "json", "--timings"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(plain.stdout, timed.stdout);
    assert!(plain.stderr.is_empty());
    let table = String::from_utf8(timed.stderr).expect("utf-8");
    for row in [
        "read files",
        "parse",
        "facts and metrics",
        "weak-password-hash",
    ] {
        assert!(table.contains(row), "no `{row}` row:\n{table}");
    }
    // Rules are listed slowest first.
    let ms: Vec<f64> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .skip(4)
        .filter(|l| !l.contains("other rules"))
        .filter_map(|l| l.split('┆').nth(1)?.trim().parse().ok())
        .collect();
    assert!(ms.len() > 3, "{table}");
    assert!(ms.windows(2).all(|w| w[0] >= w[1]), "{table}");
}

/// `-o` replaces a regular file atomically, but follows a symlink (the link
/// stays), keeps a replaced file's mode, and writes a device in place: a
/// rename over `/dev/null` would turn it into a regular file.
#[cfg(unix)]
#[test]
fn output_follows_links_keeps_modes_and_never_replaces_devices() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("report.json");
    let link = dir.path().join("latest.json");
    std::fs::write(&real, "{}").expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    prodready()
        .args(["scan", HARDENED, "-f", "json", "-o"])
        .arg(&link)
        .assert()
        .success();
    let link_meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(link_meta.file_type().is_symlink(), "the link stays a link");
    let real_meta = std::fs::metadata(&real).expect("report");
    assert_eq!(real_meta.permissions().mode() & 0o777, 0o640);
    assert!(std::fs::read_to_string(&real)
        .expect("read")
        .contains("schema_version"));

    let fresh = dir.path().join("fresh.json");
    prodready()
        .args(["scan", HARDENED, "-f", "json", "-o"])
        .arg(&fresh)
        .assert()
        .success();
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "x").expect("write");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(
        mode(&fresh),
        mode(&plain),
        "a created file's mode, not 0600"
    );

    let null = Path::new("/dev/null");
    if std::fs::metadata(null).is_ok_and(|m| m.file_type().is_char_device()) {
        prodready()
            .args(["scan", HARDENED, "-f", "json", "-o", "/dev/null"])
            .assert()
            .success();
        let after = std::fs::metadata(null).expect("/dev/null");
        assert!(after.file_type().is_char_device(), "/dev/null replaced");
    }
}

/// A user rule whose matcher is written once, with shared utilities, and
/// whose cases classify what it captured.
const TIMEOUT_RULE: &str = r#"
id = "short-timeout"
title = "HTTP timeout set by a literal"
category = "reliability"
severity = "low"
confidence = "high"
cwe = []
languages = ["python", "rust"]
message = "timeout of $SECS seconds"
why = "A literal timeout is easy to get wrong."
fix = "Read it from settings."

[utils.http-call]
any = [
  { pattern = "requests.get($URL, timeout=$SECS)" },
  { pattern = "requests.post($URL, timeout=$SECS)" },
]

[utils.zero]
regex = '^0+(\.0+)?$'

# Written for Rust: compiled for the Rust matcher that uses it, never as Python.
[utils.rust-only]
pattern = "let $X: u64 = $V;"

[[match]]
languages = ["python"]
[match.rule]
matches = "http-call"
[match.constraints.SECS]
kind = "integer"
[[match.case]]
when.SECS = { matches = "zero" }
severity = "high"
message = "timeout of zero: a call to $URL never times out"
[[match.case]]
when.SECS = { regex = '^[1-9]$' }
[[match.case]]
when = { SECS = { regex = '^\d{3,}$' }, URL = { regex = 'internal' } }
severity = "medium"
message = "timeout of $SECS seconds to an internal service"

[[match]]
languages = ["rust"]
message = "timeout of $V seconds"
[match.rule]
matches = "rust-only"

[[example]]
language = "python"
bad = 'requests.get(url, timeout=0)'
good = 'requests.get(url, timeout=30)'
"#;

#[test]
fn shared_utils_and_cases_classify_a_match_once() {
    let rules = tempfile::tempdir().expect("tempdir");
    std::fs::write(rules.path().join("short-timeout.toml"), TIMEOUT_RULE).expect("write");
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        project.path().join("client.py"),
        "import requests\n\
         a = requests.get(url, timeout=0)\n\
         b = requests.get(url, timeout=5)\n\
         c = requests.post(\"http://internal/x\", timeout=300)\n\
         d = requests.post(\"http://public/x\", timeout=300)\n\
         e = requests.get(url, timeout=30)\n\
         f = requests.get(url, timeout=5.0)\n",
    )
    .expect("write");
    let rules_dir = rules.path().to_string_lossy().into_owned();
    let report = common::scan_json(project.path(), &["--rules", &rules_dir]);
    let found: Vec<(u64, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "short-timeout")
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                "high".to_string(),
                "timeout of zero: a call to url never times out".to_string()
            ),
            (3, "low".to_string(), "timeout of 5 seconds".to_string()),
            (
                4,
                "medium".to_string(),
                "timeout of 300 seconds to an internal service".to_string()
            ),
        ]
    );
    prodready()
        .args(["rules", "test"])
        .arg(rules.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS short-timeout"));
}

/// Findings some context makes less likely keep their lower rating: a
/// default that says "not configured" (`"0"`) is a placeholder (medium)
/// where a real-looking one is a hardcoded fallback (high); a token
/// decoded unverified to read which key signed it is medium and low
/// confidence, where trusting its claims is critical.
#[test]
fn lower_rated_findings_keep_their_rating() {
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        project.path().join("oauth.py"),
        "import os\n\nGOOGLE_CLIENT_SECRET = os.environ.get(\"GOOGLE_CLIENT_SECRET\", \"0\")\nJWT_SECRET = os.getenv(\"JWT_SECRET\", \"dev-signing-9f2c\")\n",
    )
    .expect("write");
    std::fs::write(
        project.path().join("auth.rs"),
        "use axum::http::HeaderMap;\n\nfn extract_key_id(token: &str) -> Result<Uuid, AuthError> {\n    Ok(jsonwebtoken::dangerous::insecure_decode::<Claims>(token)?.claims.api_key_uid)\n}\n\nfn claims(token: &str) -> Result<Claims, AuthError> {\n    Ok(jsonwebtoken::dangerous::insecure_decode::<Claims>(token)?.claims)\n}\n",
    )
    .expect("write");
    let report = common::scan_json(project.path(), &[]);
    let rating = |rule: &str, path: &str, line: u64| {
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["rule_id"] == rule && f["path"] == path && f["line"] == line)
            .map(|f| {
                format!(
                    "{}/{}",
                    f["severity"].as_str().unwrap_or_default(),
                    f["confidence"].as_str().unwrap_or_default()
                )
            })
    };
    let sf = "secret-fallback";
    assert_eq!(
        rating(sf, "oauth.py", 3).as_deref(),
        Some("medium/high"),
        "{report}"
    );
    assert_eq!(
        rating(sf, "oauth.py", 4).as_deref(),
        Some("high/high"),
        "{report}"
    );
    let jwt = "jwt-verification-disabled";
    assert_eq!(
        rating(jwt, "auth.rs", 4).as_deref(),
        Some("medium/low"),
        "{report}"
    );
    assert_eq!(
        rating(jwt, "auth.rs", 8).as_deref(),
        Some("critical/high"),
        "{report}"
    );
}

/// Third-party code copied into a `vendored/` folder is not the team's, as
/// `vendor/` and `third_party/` are not.
#[test]
fn vendored_folders_are_not_scanned() {
    let project = tempfile::tempdir().expect("tempdir");
    let swallowing = "export function focus(el) {\n  try { el.focus(); } catch (e) {}\n}\n";
    let vendored = project.path().join("static/vendored");
    std::fs::create_dir_all(&vendored).expect("mkdir");
    std::fs::write(vendored.join("toolbar.js"), swallowing).expect("write");
    std::fs::write(project.path().join("static/app.js"), swallowing).expect("write");
    let report = common::scan_json(project.path(), &[]);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.contains(&"static/app.js"), "{report}");
    assert!(!paths.iter().any(|p| p.contains("vendored")), "{report}");
}
