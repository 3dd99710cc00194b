//! Bad input never crashes a scan: each case yields a skipped file or a note
//! with a reason, and the rest of the tree is still checked.

mod common;

use assert_cmd::Command;
use common::scan_json;
use serde_json::Value;
use std::fs;
use std::path::Path;

/// A secret fallback every case plants beside its odd file, to prove the
/// scan went on.
const CANARY: &str = "import os\nAPI_KEY = os.getenv(\"API_KEY\", \"canary-value-123\")\n";

fn scan(dir: &Path, extra: &[&str]) -> Value {
    scan_json(dir, extra)
}

fn with_canary() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("canary.py"), CANARY).expect("write");
    dir
}

fn assert_canary_found(report: &Value) {
    let found = report["findings"].as_array().is_some_and(|f| {
        f.iter()
            .any(|f| f["path"] == "canary.py" && f["rule_id"] == "secret-fallback")
    });
    assert!(found, "the scan went on past the odd file: {report:#}");
}

fn skipped_reason(report: &Value, path: &str) -> Option<String> {
    report["skipped"]
        .as_array()?
        .iter()
        .find(|s| s["path"] == path)
        .and_then(|s| s["reason"].as_str())
        .map(str::to_string)
}

#[test]
fn binary_file_with_a_python_name_is_skipped() {
    let dir = with_canary();
    fs::write(
        dir.path().join("model.py"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00binary\x00data",
    )
    .expect("write");
    let report = scan(dir.path(), &[]);
    assert_eq!(
        skipped_reason(&report, "model.py").as_deref(),
        Some("binary")
    );
    assert_eq!(report["stats"]["skipped_by_reason"]["binary"], 1);
    assert_canary_found(&report);
}

#[test]
fn invalid_utf8_is_checked_with_a_note() {
    let dir = with_canary();
    let mut bytes = b"# caf\xe9 latin-1 comment\nimport os\nTOKEN = os.getenv(\"GITHUB_TOKEN\", \"tok-local-dev\")\n".to_vec();
    bytes.extend_from_slice(b"\xff\xfe\n");
    fs::write(dir.path().join("legacy.py"), bytes).expect("write");
    let report = scan(dir.path(), &[]);
    let notes = report["notes"].as_array().expect("notes");
    assert!(notes
        .iter()
        .any(|n| n["path"] == "legacy.py"
            && n["message"].as_str().is_some_and(|m| m.contains("UTF-8"))));
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings
        .iter()
        .any(|f| f["path"] == "legacy.py" && f["line"] == 3));
    assert_canary_found(&report);
}

#[test]
fn huge_minified_javascript_is_skipped_not_stalled() {
    let dir = with_canary();
    let mut js = String::with_capacity(5 * 1024 * 1024 + 64);
    while js.len() < 5 * 1024 * 1024 {
        js.push_str(
            "var a=function(b){return b&&b.c?b.c(1):[1,2,3].map(function(x){return x*2})};",
        );
    }
    fs::write(dir.path().join("bundle.js"), &js).expect("write");
    let report = scan(dir.path(), &[]);
    assert_eq!(
        skipped_reason(&report, "bundle.js").as_deref(),
        Some("too-large")
    );
    let report = scan(dir.path(), &["--max-file-size", "10M"]);
    assert_eq!(
        skipped_reason(&report, "bundle.js").as_deref(),
        Some("minified")
    );
    assert_canary_found(&report);
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let dir = with_canary();
    let depth = 100_000;
    let nested = |open: &str, close: &str, inner: &str| {
        format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
    };
    fs::write(
        dir.path().join("deep.py"),
        format!("x = {}\n", nested("(", ")", "1")),
    )
    .expect("write");
    fs::write(
        dir.path().join("deep.js"),
        format!("const x = {};\n", nested("[", "]", "1")),
    )
    .expect("write");
    fs::write(
        dir.path().join("deep.ts"),
        format!("const x = {};\n", nested("f(", ")", "1")),
    )
    .expect("write");
    fs::write(
        dir.path().join("deep.rs"),
        format!("fn f() {{ let x = {}; }}\n", nested("(", ")", "1")),
    )
    .expect("write");
    fs::write(dir.path().join("deep.json"), nested("[", "]", "1")).expect("write");
    fs::write(dir.path().join("deep.yaml"), nested("[", "]", "1")).expect("write");
    fs::write(
        dir.path().join("deep.toml"),
        format!("x = {}\n", nested("[", "]", "1")),
    )
    .expect("write");
    let report = scan(dir.path(), &[]);
    assert_canary_found(&report);
    assert_eq!(
        report["stats"]["files_scanned"].as_u64().unwrap_or(0)
            + report["stats"]["files_skipped"].as_u64().unwrap_or(0),
        8
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let dir = with_canary();
    fs::create_dir(dir.path().join("pkg")).expect("mkdir");
    std::os::unix::fs::symlink("..", dir.path().join("pkg/loop")).expect("symlink");
    let report = scan(dir.path(), &[]);
    assert_eq!(
        skipped_reason(&report, "pkg/loop").as_deref(),
        Some("symlink")
    );
    assert_canary_found(&report);
    let report = scan(dir.path(), &["--follow-symlinks"]);
    assert_eq!(
        skipped_reason(&report, "pkg/loop").as_deref(),
        Some("symlink-loop")
    );
    assert_canary_found(&report);
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_skipped_with_a_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_canary();
    let locked = dir.path().join("locked.py");
    fs::write(&locked, CANARY).expect("write");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    // A dangling link is unreadable for everyone, root included.
    std::os::unix::fs::symlink("missing-target.py", dir.path().join("dangling.py"))
        .expect("symlink");
    let report = scan(dir.path(), &["--follow-symlinks"]);
    assert_eq!(
        skipped_reason(&report, "dangling.py").as_deref(),
        Some("unreadable")
    );
    if fs::read(&locked).is_err() {
        assert_eq!(
            skipped_reason(&report, "locked.py").as_deref(),
            Some("unreadable")
        );
    }
    assert_canary_found(&report);
}

#[test]
fn empty_folder_scans_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = scan(dir.path(), &[]);
    assert_eq!(report["stats"]["files_scanned"], 0);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn syntax_errors_still_check_what_parses() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("broken.py"), "def broken(:\n    pass\n\nimport os\nKEY = os.getenv(\"SECRET_KEY\", \"fallback-secret\")\n").expect("write");
    fs::write(
        dir.path().join("broken.yaml"),
        "services:\n  web: [unclosed\n",
    )
    .expect("write");
    let report = scan(dir.path(), &[]);
    let notes = report["notes"].as_array().expect("notes");
    assert!(notes.iter().any(|n| n["path"] == "broken.py"));
    assert!(notes.iter().any(|n| n["path"] == "broken.yaml"));
    assert!(report["findings"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["path"] == "broken.py" && f["line"] == 5)));
}

#[test]
fn a_panic_on_one_file_is_caught_and_strict_reports_it() {
    let dir = with_canary();
    fs::write(dir.path().join("boom.py"), "x = 1\n").expect("write");
    let run = |strict: bool| {
        let mut cmd = Command::cargo_bin("prodready").expect("binary");
        cmd.env("PRODREADY_TEST_PANIC", "boom.py").args([
            "scan",
            "--format",
            "json",
            "--fail-on",
            "none",
        ]);
        if strict {
            cmd.arg("--strict");
        }
        cmd.arg(dir.path()).assert()
    };
    let out = run(false).code(0).get_output().stdout.clone();
    let report: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(
        skipped_reason(&report, "boom.py").as_deref(),
        Some("internal-error")
    );
    assert_eq!(report["stats"]["files_incomplete"], 1);
    assert_canary_found(&report);
    run(true)
        .code(2)
        .stderr(predicates::str::contains("incomplete"));
}

#[test]
fn the_per_file_time_budget_stops_a_slow_file() {
    let dir = with_canary();
    let mut big = String::new();
    for i in 0..20_000 {
        big.push_str(&format!(
            "def f{i}(password):\n    return hash(password) + {i}\n"
        ));
    }
    fs::write(dir.path().join("huge.py"), big).expect("write");
    let report = scan(dir.path(), &["--file-timeout", "0.001"]);
    let notes = report["notes"].as_array().expect("notes");
    assert!(notes.iter().any(|n| n["path"] == "huge.py"
        && n["message"]
            .as_str()
            .is_some_and(|m| m.contains("time budget"))));
    assert!(report["stats"]["files_incomplete"].as_u64().unwrap_or(0) >= 1);
    assert_canary_found(&report);
    Command::cargo_bin("prodready")
        .expect("binary")
        .args([
            "scan",
            "--fail-on",
            "none",
            "--strict",
            "--file-timeout",
            "0.001",
        ])
        .arg(dir.path())
        .assert()
        .code(2);
}
