//! The CI layer end to end: exit codes, the gate thresholds, SARIF against
//! the official schema, baselines, inline suppressions, the configuration
//! file, `--changed-since`, `init` and `completions`.

mod common;

use common::{prodready, HARDENED, INSECURE, TODO_RULE};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A weak password hash (critical) on line `line` of app.py.
const WEAK: &str = "    digest = hashlib.md5(password.encode()).hexdigest()\n";

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

fn app_py(extra_top: &str, body: &str) -> String {
    format!("import hashlib\n{extra_top}\n\ndef store(password):\n{body}    return None\n")
}

/// Run a scan and parse its JSON report; returns (exit code, report).
fn scan_json(args: &[&str], dir: &Path) -> (i32, Value) {
    let out = prodready()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn rule_ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["rule_id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- exit codes

#[test]
fn exit_codes() {
    // 0: passed.
    prodready().args(["scan", HARDENED]).assert().code(0);
    // 1: a finding at or above --fail-on.
    prodready().args(["scan", INSECURE]).assert().code(1);
    // 0: the gate is off.
    prodready()
        .args(["scan", INSECURE, "--fail-on", "none"])
        .assert()
        .code(0);
    // 2: errors — bad flag value, missing baseline, bad config, bad revision.
    prodready()
        .args(["scan", HARDENED, "--min-score", "101"])
        .assert()
        .code(2);
    prodready()
        .args(["scan", HARDENED, "--baseline", "does/not/exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does/not/exist.json"));
    prodready()
        .args(["scan", HARDENED, "--config", "does/not/prodready.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does/not/prodready.toml"));
}

#[test]
fn min_score_gates_on_the_readiness_score() {
    // The hardened sample scores 100: a minimum of 80 passes.
    let (code, json) = scan_json(&["--min-score", "80"], Path::new(HARDENED));
    assert_eq!(code, 0);
    assert_eq!(json["gate"]["min_score"], 80);
    assert_eq!(json["gate"]["min_score_met"], Value::Bool(true));
    assert!(json["gate"]["score"].as_f64().is_some_and(|s| s >= 80.0));
    // The insecure sample scores about 51: a minimum of 75 fails the gate
    // even when no finding reaches --fail-on.
    let (code, json) = scan_json(
        &["--min-score", "75", "--fail-on", "none"],
        Path::new(INSECURE),
    );
    assert_eq!(code, 1);
    assert_eq!(json["gate"]["min_score_met"], Value::Bool(false));
    prodready()
        .args(["scan", INSECURE, "--min-score", "75", "--fail-on", "none"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("min score 75"));
    prodready()
        .args(["scan", HARDENED, "--min-score", "75", "--fail-on", "none"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "gate: passed (fail-on none; score 100 >= min score 75",
        ));
}

// ---------------------------------------------------------------------- SARIF

#[test]
fn sarif_is_valid_against_the_official_schema() {
    // The schema is vendored so the test needs no network and no sibling
    // checkout; when the shared copy exists, it must be the same file.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vendored = manifest.join("tests/data/sarif-schema-2.1.0.json");
    let schema_text = std::fs::read_to_string(&vendored).expect("vendored schema");
    let shared = manifest.join("../shared/schemas/sarif-schema-2.1.0.json");
    if let Ok(shared_text) = std::fs::read_to_string(shared) {
        assert_eq!(
            shared_text, schema_text,
            "vendored SARIF schema is out of date"
        );
    }
    let schema: Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    let out = prodready()
        .args(["scan", INSECURE, "--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    // The validator does reject what the schema forbids.
    let mut broken = sarif.clone();
    broken["version"] = Value::from("3.0");
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    let whp = rules
        .iter()
        .position(|r| r["id"] == "weak-password-hash")
        .expect("rule metadata");
    let rule = &rules[whp];
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    let tags = rule["properties"]["tags"].as_array().expect("tags");
    assert!(tags.contains(&Value::from("security")));
    assert!(tags.contains(&Value::from("CWE-916")));
    assert!(rule["help"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("bcrypt")));
    assert!(rule["fullDescription"]["text"].as_str().is_some());
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(!loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or("/")
            .starts_with('/'));
        assert!(loc["region"]["startLine"].as_u64().unwrap_or(0) >= 1);
        assert!(loc["region"]["endColumn"].as_u64().is_some());
        assert!(r["partialFingerprints"]["prodready/v1"].as_str().is_some());
    }
    let critical = results
        .iter()
        .find(|r| r["ruleId"] == "weak-password-hash")
        .expect("result");
    assert_eq!(critical["level"], "error");
    // Secrets stay redacted in SARIF too.
    let text = String::from_utf8(out).expect("utf-8");
    assert!(!text.contains("jwt-secret-"), "unredacted secret in SARIF");

    // Suppressed findings, shown, carry an in-source suppression; still valid.
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "app.py",
        &app_py(
            "",
            "    digest = hashlib.md5(password.encode()).hexdigest()  # prodready: ignore[weak-password-hash] checksum, not storage\n",
        ),
    );
    let out = prodready()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif", "--show-suppressed"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).expect("json");
    assert!(validator.is_valid(&sarif));
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        r["suppressions"][0]["justification"],
        "checksum, not storage"
    );
}

// ------------------------------------------------------------------ baselines

#[test]
fn baseline_survives_shifted_lines_and_counts_identical_problems() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("svc");
    let base_file = dir.path().join("baseline.json");
    write(&project, "app.py", &app_py("", WEAK));
    prodready()
        .arg("baseline")
        .arg(&project)
        .arg("-o")
        .arg(&base_file)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("recorded 1 finding"));
    let recorded = std::fs::read_to_string(&base_file).expect("baseline written");
    assert!(recorded.contains("\"rule_id\": \"weak-password-hash\""));
    assert!(recorded.contains("\"count\": 1"));
    assert!(
        !recorded.contains("\"line\""),
        "no line numbers in the baseline"
    );

    // Lines inserted above the finding: still baselined.
    write(
        &project,
        "app.py",
        &app_py("import os\nimport sys\n\nLIMIT = 10\n", WEAK),
    );
    let (code, json) = scan_json(&["--baseline", base_file.to_str().unwrap_or("")], &project);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(json["baseline"]["matched"], 1);
    assert_eq!(json["baseline"]["new"], 0);
    assert_eq!(json["baseline"]["stale"].as_array().map(Vec::len), Some(0));

    // A second identical problem is new.
    write(
        &project,
        "app.py",
        &app_py("import os\n", &format!("{WEAK}{WEAK}")),
    );
    let (code, json) = scan_json(&["--baseline", base_file.to_str().unwrap_or("")], &project);
    assert_eq!(code, 1);
    assert_eq!(json["baseline"]["matched"], 1);
    assert_eq!(json["baseline"]["new"], 1);
    assert_eq!(rule_ids(&json), ["weak-password-hash"]);
    prodready()
        .arg("scan")
        .arg(&project)
        .arg("--baseline")
        .arg(&base_file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "1 finding baselined, 1 new, 0 stale",
        ));
}

/// Every finding of every fixture (all rule families, all languages) goes
/// into a baseline; scanning again with it leaves nothing new or stale,
/// and recording the baseline again gives the same bytes.
#[test]
fn baseline_of_every_fixture_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first.json");
    let second = dir.path().join("second.json");
    for out in [&first, &second] {
        prodready()
            .args(["baseline", "fixtures", "-o"])
            .arg(out)
            .assert()
            .code(0);
    }
    let recorded = std::fs::read(&first).expect("baseline written");
    assert_eq!(recorded, std::fs::read(&second).expect("baseline written"));

    let (_, plain) = scan_json(&["--fail-on", "none"], Path::new("fixtures"));
    let total = plain["findings"].as_array().map_or(0, Vec::len);
    assert!(total > 200, "fixtures give {total} findings");
    let (code, json) = scan_json(
        &["--baseline", first.to_str().unwrap_or("")],
        Path::new("fixtures"),
    );
    assert_eq!(code, 0, "{}", json["baseline"]);
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(json["baseline"]["matched"], total);
    assert_eq!(json["baseline"]["new"], 0);
    assert_eq!(json["baseline"]["stale"].as_array().map(Vec::len), Some(0));
}

#[test]
fn stale_baseline_entries_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("svc");
    let base_file = dir.path().join("b.json");
    write(&project, "app.py", &app_py("", WEAK));
    write(
        &project,
        "settings.py",
        "import os\nAPI_KEY = os.getenv(\"API_KEY\", \"sk-live-abcdef123456\")\n",
    );
    prodready()
        .arg("scan")
        .arg(&project)
        .arg("--write-baseline")
        .arg(&base_file)
        .assert()
        .code(1);
    // The weak hash is fixed.
    write(&project, "app.py", &app_py("", "    digest = None\n"));
    let (code, json) = scan_json(&["--baseline", base_file.to_str().unwrap_or("")], &project);
    assert_eq!(code, 0);
    let stale = json["baseline"]["stale"].as_array().expect("stale list");
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["rule_id"], "weak-password-hash");
    assert_eq!(stale[0]["path"], "app.py");
    assert_eq!(json["baseline"]["matched"], 1);
    prodready()
        .arg("scan")
        .arg(&project)
        .arg("--baseline")
        .arg(&base_file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 stale entry"))
        .stdout(predicate::str::contains("stale: app.py weak-password-hash"));
    // A corrupt baseline is an error naming the file.
    std::fs::write(&base_file, "{\"entries\": [}").expect("write");
    prodready()
        .arg("scan")
        .arg(&project)
        .arg("--baseline")
        .arg(&base_file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b.json"));
}

// --------------------------------------------------------------- suppressions

#[test]
fn suppression_with_a_reason_silences_the_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "app.py",
        &app_py(
            "",
            "    # prodready: ignore[weak-password-hash] legacy checksum, not a stored password\n    digest = hashlib.md5(password.encode()).hexdigest()\n",
        ),
    );
    let (code, json) = scan_json(&[], dir.path());
    assert_eq!(code, 0);
    assert!(rule_ids(&json).is_empty(), "{json}");
    assert_eq!(json["stats"]["suppressed"], 1);
    let (_, json) = scan_json(&["--show-suppressed"], dir.path());
    let f = &json["findings"][0];
    assert_eq!(f["rule_id"], "weak-password-hash");
    assert_eq!(f["suppressed"], true);
    assert_eq!(
        f["suppression_reason"],
        "legacy checksum, not a stored password"
    );
    // Shown but suppressed: the gate still passes; the text says so.
    prodready()
        .arg("scan")
        .arg(dir.path())
        .arg("--show-suppressed")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("(suppressed: legacy checksum"))
        .stdout(predicate::str::contains("1 finding suppressed inline"));
    prodready()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .stdout(predicate::str::contains("0 findings"))
        .stdout(predicate::str::contains(
            "1 finding suppressed inline (--show-suppressed lists them)",
        ));
}

#[test]
fn suppression_without_a_reason_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "app.py",
        &app_py(
            "",
            "    digest = hashlib.md5(password.encode()).hexdigest()  # prodready: ignore[weak-password-hash]\n",
        ),
    );
    let (code, json) = scan_json(&["--fail-on", "low"], dir.path());
    assert_eq!(rule_ids(&json), ["invalid-suppression"]);
    assert!(json["findings"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("gives no reason")));
    assert_eq!(json["findings"][0]["severity"], "low");
    assert_eq!(json["stats"]["suppressed"], 1);
    assert_eq!(code, 1, "low finding fails --fail-on low");
}

#[test]
fn unknown_and_unused_suppressions_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "app.py",
        &app_py(
            "TIMEOUT = 30  # prodready: ignore[secret-fallback] old fallback\n",
            "    digest = hashlib.md5(password.encode()).hexdigest()  # prodready: ignore[weak-pasword-hash] typo\n",
        ),
    );
    write(
        dir.path(),
        "web/server.js",
        "// prodready: ignore[secret-fallback, weak-password-hash] dev only\nconst jwtSecret = process.env.JWT_SECRET || 'dev-only-secret-value';\n",
    );
    let (code, json) = scan_json(&[], dir.path());
    assert_eq!(code, 1, "the typo leaves the critical finding reported");
    let findings = json["findings"].as_array().expect("findings");
    let messages: Vec<(&str, &str, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or(""),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let has = |path: &str, text: &str| {
        messages
            .iter()
            .any(|(p, m, _)| *p == path && m.contains(text))
    };
    assert!(has("app.py", "suppresses nothing"), "{messages:?}");
    assert!(
        has("app.py", "unknown rule `weak-pasword-hash`"),
        "{messages:?}"
    );
    assert!(has("app.py", "hashed with `hashlib.md5`"), "{messages:?}");
    assert!(has(
        "web/server.js",
        "`ignore[weak-password-hash]` suppresses nothing"
    ));
    assert!(!has("web/server.js", "falls back"), "{messages:?}");
    assert_eq!(json["stats"]["suppressed"], 1);
}

#[test]
fn nosec_and_noqa_are_not_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "app.py",
        &app_py(
            "",
            "    digest = hashlib.md5(password.encode()).hexdigest()  # nosec B303  # noqa: S324\n",
        ),
    );
    let (code, json) = scan_json(&[], dir.path());
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&json), ["weak-password-hash"]);
}

// -------------------------------------------------------------- configuration

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "app.py", "x = 1\n");
    write(
        dir.path(),
        "prodready.toml",
        "exclude = [\"migrations/**\"]\n\n[gate]\nfail_on = \"high\"\nfial_on = \"low\"\n",
    );
    prodready()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prodready.toml:5:1"))
        .stderr(predicate::str::contains("unknown field `fial_on`"))
        .stderr(predicate::str::contains("docs/configuration.md"));
    write(
        dir.path(),
        "prodready.toml",
        "[rules]\ndisable = [\n  \"secret-fallback\",\n  \"no-such-rule\",\n]\n",
    );
    prodready()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prodready.toml:4:3"))
        .stderr(predicate::str::contains("unknown rule `no-such-rule`"));
    write(
        dir.path(),
        "prodready.toml",
        "[severity]\nsecret-fallback = \"extreme\"\n",
    );
    prodready()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prodready.toml:2:19"))
        .stderr(predicate::str::contains("unknown variant `extreme`"));
    write(dir.path(), "prodready.toml", "exclude = [\"a{b\"]\n");
    prodready()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prodready.toml:1:12"))
        .stderr(predicate::str::contains("invalid glob"));
    write(dir.path(), "prodready.toml", "[gate]\nmin_score = 120\n");
    prodready()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("prodready.toml:2:13"));
    // --no-config skips the broken file.
    prodready()
        .arg("scan")
        .arg(dir.path())
        .arg("--no-config")
        .assert()
        .code(0);
}

#[test]
fn config_settings_apply_and_flags_override_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "app.py", &app_py("", WEAK));
    write(
        root,
        "settings.py",
        "import os\nAPI_KEY = os.getenv(\"API_KEY\", \"sk-live-abcdef123456\")\n",
    );
    write(root, "tests/test_app.py", &app_py("", WEAK));
    write(root, "migrations/0001.py", &app_py("", WEAK));
    // Found by walking up from a sub-folder scan too.
    write(root, "sub/more.py", &app_py("", WEAK));
    write(
        root,
        "prodready.toml",
        r#"exclude = ["migrations"]

[rules]
disable = ["secret-fallback"]

[severity]
weak-password-hash = "medium"

[[ignore]]
path = "tests/**"
rules = ["security"]

[gate]
fail_on = "medium"
min_score = 60

[score.weights]
security = 3
"#,
    );
    let (code, json) = scan_json(&[], root);
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(paths, ["app.py", "sub/more.py"], "{json}");
    assert!(json["findings"][0]["severity"] == "medium");
    assert_eq!(json["gate"]["fail_on"], "medium");
    assert_eq!(json["gate"]["min_score"], 60);
    assert_eq!(code, 1);
    // Flags win over the file.
    let (code, json) = scan_json(&["--fail-on", "high", "--min-score", "10"], root);
    assert_eq!(code, 0);
    assert_eq!(json["gate"]["min_score"], 10);
    // Sub-folder scan: the file above is found, globs stay anchored to it.
    let (_, json) = scan_json(&[], &root.join("sub"));
    assert_eq!(json["findings"][0]["path"], "more.py");
    assert_eq!(json["findings"][0]["severity"], "medium");

    // pyproject.toml [tool.prodready], named with --config.
    let py = write(
        root,
        "cfg/pyproject.toml",
        "[project]\nname = \"svc\"\n\n[tool.prodready.rules]\nenable = [\"secret-fallback\"]\n",
    );
    let (code, json) = scan_json(&["--config", py.to_str().unwrap_or("")], root);
    assert_eq!(rule_ids(&json), ["secret-fallback"]);
    assert_eq!(code, 1);
}

#[test]
fn config_rule_folders_are_relative_to_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "ci/rules/todo-comment.toml",
        &TODO_RULE.replace("severity = \"info\"", "severity = \"high\""),
    );
    write(root, "prodready.toml", "[rules]\npaths = [\"ci/rules\"]\n");
    write(
        root,
        "src/app.py",
        "def f():\n    return 1  # TODO: cache this\n",
    );
    // Scanned from the repository folder, not the config's: the rule folder
    // still resolves against the configuration file.
    let (code, json) = scan_json(&[], &root.join("src"));
    assert_eq!(rule_ids(&json), ["todo-comment"], "{json}");
    assert_eq!(code, 1);
    // A rule id from that folder is known to suppressions.
    write(
        root,
        "src/app.py",
        "def f():\n    return 1  # TODO: cache this  # prodready: ignore[todo-comment] tracked in the backlog\n",
    );
    let (code, json) = scan_json(&[], &root.join("src"));
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["stats"]["suppressed"], 1);
}

#[test]
fn init_writes_a_starter_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    prodready().arg("init").arg(dir.path()).assert().code(0);
    let path = dir.path().join("prodready.toml");
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains("[gate]"));
    prodready()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    std::fs::write(&path, "changed").expect("write");
    prodready()
        .arg("init")
        .arg(dir.path())
        .arg("--force")
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    // The starter is a valid configuration.
    write(dir.path(), "app.py", "x = 1\n");
    prodready().arg("scan").arg(dir.path()).assert().code(0);
}

// -------------------------------------------------------------- changed files

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "git {args:?}");
}

#[test]
fn changed_since_reports_only_changed_and_untracked_files() {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("git not installed; skipping");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    write(repo, "old.py", &app_py("", WEAK));
    write(repo, "edited.py", &app_py("", WEAK));
    write(repo, ".gitignore", "ignored.py\n");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "init"]);
    write(repo, "edited.py", &app_py("X = 1\n", WEAK));
    write(repo, "untracked.py", &app_py("", WEAK));
    write(repo, "ignored.py", &app_py("", WEAK));

    let (code, json) = scan_json(&["--changed-since", "HEAD"], repo);
    let mut paths: Vec<&str> = json["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    paths.sort_unstable();
    assert_eq!(paths, ["edited.py", "untracked.py"], "{json}");
    assert_eq!(code, 1);
    assert_eq!(json["changed_since"]["rev"], "HEAD");
    // Every file is still scanned.
    assert!(json["stats"]["files_scanned"].as_u64().unwrap_or(0) >= 3);

    // A sub-folder scan: paths relative to it, git asked from it.
    write(repo, "pkg/inner.py", &app_py("", WEAK));
    write(repo, "pkg/committed.py", &app_py("", WEAK));
    let (_, json) = scan_json(&["--changed-since", "HEAD"], &repo.join("pkg"));
    let mut paths: Vec<&str> = json["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    paths.sort_unstable();
    assert_eq!(paths, ["committed.py", "inner.py"], "{json}");
    git(repo, &["add", "pkg/committed.py"]);
    git(repo, &["commit", "-q", "-m", "second"]);
    let (_, json) = scan_json(&["--changed-since", "HEAD"], &repo.join("pkg"));
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(1), "{json}");
    let (_, json) = scan_json(&["--changed-since", "HEAD~1"], &repo.join("pkg"));
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(2), "{json}");

    prodready()
        .arg("scan")
        .arg(repo)
        .args(["--changed-since", "no-such-branch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-branch"))
        .stderr(predicate::str::contains("unknown revision"));
    let not_repo = tempfile::tempdir().expect("tempdir");
    write(not_repo.path(), "a.py", "x = 1\n");
    prodready()
        .arg("scan")
        .arg(not_repo.path())
        .args(["--changed-since", "HEAD"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("git"));
}

// ------------------------------------------------------------------ ecosystem

#[test]
fn completions_and_quiet() {
    for shell in ["bash", "zsh", "fish"] {
        prodready()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("prodready"))
            .stdout(predicate::str::contains("changed-since"));
    }
    prodready()
        .args(["scan", INSECURE, "--quiet"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("╭─").not())
        .stdout(predicate::str::contains(" findings in "));
    // No progress output leaks into machine formats.
    prodready()
        .args(["scan", INSECURE, "-f", "sarif"])
        .assert()
        .stderr("");
}
