//! Secrets never reach a report: scan fixtures/families/secrets and check
//! that no secret value written in those fixtures appears in full in the
//! JSON or text report, whether produced through the library or by the
//! `prodready` binary.

use assert_cmd::Command;
use prodready::app::scan;
use prodready::cli::{Cli, Command as CliCommand};
use prodready::report::{write_report, Format, Style};
use prodready::rules::Registry;
use std::path::{Path, PathBuf};

/// Every secret (and placeholder) value the fixtures hold on a line that
/// expects a finding. Each must be present in the fixtures (so this list
/// cannot silently rot) and absent from every output.
const SECRETS: &[&str] = &[
    // app/settings.py
    "django-insecure-q7#v2k!m9x$w4t@b1z&r8p^n3d",
    "sk_test_orders_local_4242",
    "Orders-Db-2024!",
    "AKIAUJZDEGXDNCF32EPF",
    "Cache-0rders-77",
    // app/core.py
    "Partner-Rep0rts-91",
    "Mailer-Pass-2024",
    "dev-jwt-secret-please-rotate",
    "pay-local-key-7781",
    "partner-signing-key-v1",
    // web/src/config.ts
    "storefront-session-dev",
    "super-secret-jwt",
    "mg-4f9a8b7c6d5e4f3a2b1c",
    "sk_live_QedUStPKR0CsTy4Qwb8DwkNh",
    "preview-links-secret",
    // svc/src/config.rs
    "ledger-internal-9c4f2a",
    "ledger-dev-secret",
    "ledger-legacy-hmac-key",
    // Dockerfile
    "pypi-mirror-7f3e9a1c",
    "k2j4h5g6f7d8s9a0qwe-prod",
    // docker-compose.yml
    "Orders-Pg-Pass-2024",
    "whsec-orders-91ab7c",
    "flower-admin-2024",
    "Celery-Res-2024",
    "your-sendgrid-key",
    // deploy/k8s/api.yaml
    "smtp-relay-pass-8812",
    "redis-orders-pass-77",
    "your-analytics-key-here",
    // .env and .env.example
    "pg-local-orders-771",
    "Zq8r2LxT9b4Nw7Vc1mKpYt6u",
    "ghp_C3J27XDCG2LmlZGEONYlgCtjfIZ4SOcMz9CP",
    "8f3a9c1e7b2d4f6a0c5e9b1d3f7a2c4e",
    // config/production.yaml, deploy/terraform/prod.tfvars, tests/test_auth.py
    "Mq7vX2pL9tR4wZ8kB3nJ5cY1",
    "Orders-Yaml-Pass-9",
    "Vq8Lm2Xr7Tz4Pn9Kw3Bd6Hs",
    "ghp_Tq7Zr2Lx9Vb4Nw7Kc1mPy6Ud3Hs8Ef5Ga0Jb",
    // scripts/release.sh
    "Rg7pX2kL9mQ4tW8zV3nB5cJ1",
    "T6D39ZZZZ/BG4ZDMEN2/khvMdgaKjIg8xNbe3nNyjOq9",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/families/secrets")
}

fn all_fixture_text() -> String {
    let mut text = String::new();
    for entry in ignore::WalkBuilder::new(fixtures())
        .hidden(false)
        .standard_filters(false)
        .build()
        .flatten()
    {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            text.push('\n');
        }
    }
    text
}

fn assert_no_secret(output: &str, what: &str) {
    for secret in SECRETS {
        assert!(
            !output.contains(secret),
            "{what} contains the secret value `{secret}`"
        );
    }
}

#[test]
fn secrets_list_matches_the_fixtures() {
    let text = all_fixture_text();
    for secret in SECRETS {
        assert!(text.contains(secret), "`{secret}` is not in the fixtures");
    }
}

#[test]
fn library_reports_redact_every_secret() {
    let registry = Registry::load(&[] as &[&str]).expect("built-in rules load");
    let dir = fixtures();
    let cli = <Cli as clap::Parser>::parse_from([
        "prodready",
        "scan",
        dir.to_str().unwrap_or("."),
        "--no-default-excludes",
    ]);
    let CliCommand::Scan(args) = cli.command else {
        unreachable!()
    };
    let report = scan(&args, &registry).expect("scan runs");
    assert!(
        report.findings.len() >= SECRETS.len(),
        "the fixtures should produce findings"
    );
    for (format, verbose) in [
        (Format::Json, false),
        (Format::Text, false),
        (Format::Text, true),
        (Format::Sarif, false),
        (Format::Markdown, false),
    ] {
        let mut out = Vec::new();
        let style = Style {
            color: false,
            verbose,
            width: 200,
            ..Style::default()
        };
        write_report(&report, format, style, &mut out).expect("report writes");
        let out = String::from_utf8_lossy(&out);
        assert_no_secret(&out, &format!("{format:?} report (verbose: {verbose})"));
    }
    // The findings themselves (what any future reporter would read).
    let debug = format!("{:?}", report.findings);
    assert_no_secret(&debug, "findings");
}

#[test]
fn binary_output_redacts_every_secret() {
    for format in ["json", "text"] {
        let out = Command::cargo_bin("prodready")
            .expect("binary builds")
            .args(["scan", "--no-default-excludes", "--format", format])
            .arg(fixtures())
            .output()
            .expect("binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains("hardcoded-secret"),
            "{format} output lists findings"
        );
        assert_no_secret(&stdout, &format!("{format} stdout"));
        assert_no_secret(&stderr, &format!("{format} stderr"));
    }
}

/// Every finding of the secret rules on their own `bad` examples masks
/// something in its snippet, except an empty default (nothing to hide) and
/// a signing call whose key is defined on another line (masked there).
#[test]
fn rule_examples_mask_their_secrets() {
    let registry = Registry::load(&[] as &[&str]).expect("built-in rules load");
    let secret_rules = [
        "hardcoded-secret",
        "leaked-credential",
        "secret-placeholder",
        "secret-fallback",
    ];
    let mut checked = 0;
    for (idx, rule) in registry.rules.iter().enumerate() {
        if !secret_rules.contains(&rule.meta.id.as_str()) {
            continue;
        }
        for ex in &rule.examples {
            let Some(bad) = &ex.bad else { continue };
            let language = if ex.language.is_yaml() {
                ex.language.refine_yaml(bad)
            } else {
                ex.language
            };
            let parsed = prodready::parse::parse(language, ex.path.clone(), bad.clone());
            for f in prodready::engine::check_parsed(&parsed, &registry, Some(idx)) {
                if f.message.contains("empty string")
                    || f.message.contains("a key hardcoded in this file")
                {
                    continue;
                }
                checked += 1;
                assert!(
                    f.snippet.contains("**"),
                    "{}: finding at line {} shows no masked value: {}",
                    rule.meta.id,
                    f.line,
                    f.snippet
                );
            }
        }
    }
    assert!(checked > 50, "only {checked} findings checked");
}

/// A file holding thousands of credentials (a scanner's fixture, a leaked
/// dump) gives thousands of findings; each one's message and snippet are
/// masked against every secret of the file.
#[test]
fn thousands_of_secrets_in_one_file_are_all_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        alphabet[(state % alphabet.len() as u64) as usize]
    };
    let tokens: Vec<String> = (0..2000)
        .map(|_| {
            let body: String = (0..24).map(|_| next()).collect();
            format!("sk_live_{body}")
        })
        .collect();
    let text: String = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| format!("BILLING_KEY_{i} = \"{t}\"  # billing key {t}\n"))
        .collect();
    std::fs::create_dir_all(dir.path().join("billing")).expect("mkdir");
    std::fs::write(dir.path().join("billing/keys.py"), text).expect("write");
    let out = Command::cargo_bin("prodready")
        .expect("binary builds")
        .args(["scan", "--format", "json", "--fail-on", "none"])
        .arg(dir.path())
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json report");
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    assert!(findings >= tokens.len(), "{findings} findings");
    // A mask keeps at most four characters, so no token's prefix survives,
    // and every finding shows its line with the value masked.
    assert!(!stdout.contains("sk_live_"), "a token leaked");
    let masked = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["snippet"]
                .as_str()
                .is_some_and(|s| s.contains("\"sk_l****"))
        })
        .count();
    assert_eq!(masked, findings);
}
