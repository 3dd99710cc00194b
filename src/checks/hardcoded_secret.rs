//! `hardcoded-secret` and `secret-placeholder`: a literal value given to a
//! secret-named variable, setting, argument or key. Code slots (Python,
//! JS/TS, Rust assignments, declarations, keyword arguments, dict/object
//! entries, struct fields) come from [`super::secret_code`], signing keys
//! and connection URLs from [`super::secret_usage`], config formats from
//! [`super::secret_config`].
//! Each candidate's value is classified once
//! ([`names::classify_secret_value`]): real-looking literals go to
//! `hardcoded-secret`, placeholder words (`changeme`) to
//! `secret-placeholder`, references and template markers nowhere. Values in
//! a known token format are left to `leaked-credential`.

use super::names::{self, SecretValue};
use super::secret_values::{code_value_is_secret, credential_like, echoes_name, is_key_only};
use super::servicectx::{gitleaks_allowed, line_suppressed, HARDCODED_PASSWORD_CODES};
use super::{secret_code, secret_config, secret_usage, tokens, Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use std::ops::Range;

/// Where a secret-named value was found; decides wording and strictness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Code,
    /// `password == "literal"`: a credential checked against the code.
    Comparison,
    Dotenv,
    /// `ENV` (true) or `ARG` (false).
    Dockerfile(bool),
    Compose(String),
    Container(String),
    ConfigMap(String),
    K8sSecret(String),
    Config,
    /// `scheme://user:password@host`, named by its scheme.
    Url(String),
    /// `jwt.sign(payload, KEY)` where `KEY` is a literal bound in the file;
    /// holds the called function.
    SigningKey(String),
}

/// A secret-named slot holding a literal.
pub struct Candidate {
    pub name: String,
    /// Byte range of the value's contents (no quotes): reported and redacted.
    pub value: Range<usize>,
    pub place: Place,
    /// Where to report, when not at the value (a key used far from where
    /// it is defined).
    pub report: Option<Range<usize>>,
}

pub struct HardcodedSecret;
pub struct SecretPlaceholder;

impl Check for HardcodedSecret {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        run(file, SecretValue::Literal, out);
    }
}

impl Check for SecretPlaceholder {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        run(file, SecretValue::Placeholder, out);
    }
}

/// An object key or file path: `"key": "uploads/public/profile--abc123.png"`
/// (S3's key of an upload, in an API reference's example).
fn is_file_path(value: &str) -> bool {
    let Some((dir, file)) = value.rsplit_once('/') else {
        return false;
    };
    let extension = file.rsplit_once('.').map_or("", |(_, e)| e);
    !dir.is_empty()
        && !value.contains(char::is_whitespace)
        && (2..=4).contains(&extension.len())
        && extension.chars().all(|c| c.is_ascii_lowercase())
}

/// `.env.example`, `config.sample.yaml`, `settings.template.json`,
/// `example.env`: config files meant to hold placeholders. Code files never
/// are (rule examples are scanned as `example.py`).
pub fn is_example_file(file: &ParsedFile) -> bool {
    if file.code().is_some() {
        return false;
    }
    let name = file.rel_path.rsplit('/').next().unwrap_or("");
    name.to_ascii_lowercase().split(['.', '-', '_']).any(|seg| {
        matches!(
            seg,
            "example" | "examples" | "sample" | "template" | "dist" | "defaults" | "tmpl" | "tpl"
        )
    })
}

fn run(file: &ParsedFile, want: SecretValue, out: &mut Vec<Hit>) {
    // Both rules split one classification: compute it once per file.
    let classified = file.memo.get_or_init("hardcoded-secret", || classify(file));
    out.extend(
        classified
            .iter()
            .filter(|(class, _)| *class == want)
            .map(|(_, hit)| hit.clone()),
    );
}

/// Every secret-named literal in the file with its verdict: a real-looking
/// literal (`Literal`) or a placeholder (`Placeholder`).
fn classify(file: &ParsedFile) -> Vec<(SecretValue, Hit)> {
    let mut out = Vec::new();
    let mut candidates = Vec::new();
    if file.code().is_some() {
        let js = matches!(
            file.language,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        );
        if js && secret_config::in_catalogue_folder(&file.rel_path.to_ascii_lowercase()) {
            return out;
        }
        secret_code::collect(file, &mut candidates);
    } else {
        secret_config::collect(file, &mut candidates);
    }
    let example = is_example_file(file);
    if !example {
        secret_usage::url_credentials(file, &mut candidates);
    }
    for c in candidates {
        let Some(value) = file.text.get(c.value.clone()) else {
            continue;
        };
        // `# noqa: S105`, `# nosec B105`, `# gitleaks:allow`: the same
        // check, already decided on this line.
        if line_suppressed(&file.text, c.value.start, HARDCODED_PASSWORD_CODES)
            || gitleaks_allowed(&file.text, c.value.start)
        {
            continue;
        }
        if value.is_empty()
            || tokens::contains_known(value)
            || super::leaked_credential::is_aws_secret(&c.name, value)
            // PostHog's project key is public by design (`phx_` keys are not).
            || value.starts_with("phc_")
            || is_file_path(value)
        {
            continue;
        }
        if matches!(c.place, Place::SigningKey(_)) {
            if names::is_reference(value) || names::is_template_marker(value) {
                continue;
            }
            let hit = Hit::new(
                c.report.clone().unwrap_or(c.value.clone()),
                message(&c, SecretValue::Literal),
            )
            .secret(c.value.clone());
            out.push((SecretValue::Literal, hit));
            continue;
        }
        let code = matches!(c.place, Place::Code | Place::Comparison);
        let mut class = names::classify_secret_value(value);
        // Flask's tutorial key: `SECRET_KEY="dev"`.
        if class == SecretValue::Ignore
            && code
            && is_key_only(&c.name)
            && value.len() == 3
            && value.chars().all(|ch| ch.is_ascii_alphanumeric())
        {
            class = SecretValue::Literal;
        }
        // A PIN-like password in code: `passphrase = "1234"`.
        if class == SecretValue::Ignore
            && code
            && names::is_password_name(&c.name)
            && value.len() >= 4
            && value.chars().all(|ch| ch.is_ascii_digit())
        {
            class = SecretValue::Literal;
        }
        if c.place == Place::Comparison && class == SecretValue::Placeholder {
            class = SecretValue::Ignore; // `if KEY == "changeme": raise` is a guard
        }
        if class == SecretValue::Literal && code && !code_value_is_secret(&c.name, value) {
            class = SecretValue::Ignore;
        }
        // Local-development compose files: `POSTGRES_PASSWORD: postgres`.
        if class == SecretValue::Literal
            && matches!(c.place, Place::Compose(_))
            && value.chars().all(|ch| ch.is_ascii_alphabetic())
        {
            class = SecretValue::Ignore;
        }
        // `ACCESS_TOKEN_SECRET: access_token_secret` in a compose file or
        // an env file: a stand-in for the value a deployment sets.
        if class == SecretValue::Literal && !code && echoes_name(&c.name, value) {
            class = SecretValue::Placeholder;
        }
        let strict = example || matches!(c.place, Place::Config);
        let config_ok = c.place == Place::Config && !example && credential_like(&c.name, value);
        if class == SecretValue::Literal && strict && !names::looks_random(value) && !config_ok {
            class = SecretValue::Ignore;
        }
        if example && class == SecretValue::Placeholder {
            class = SecretValue::Ignore;
        }
        if !matches!(class, SecretValue::Literal | SecretValue::Placeholder) {
            continue;
        }
        let at = c.report.clone().unwrap_or(c.value.clone());
        let hit = Hit::new(at, message(&c, class)).secret(c.value.clone());
        let hit = match class {
            SecretValue::Placeholder => hit.severity(Severity::Medium),
            _ if names::looks_random(value) => hit.confidence(Confidence::High),
            _ if matches!(c.place, Place::Compose(_)) => hit.confidence(Confidence::Medium),
            _ => hit,
        };
        out.push((class, hit));
    }
    out
}

fn message(c: &Candidate, want: SecretValue) -> String {
    let n = &c.name;
    if want == SecretValue::Placeholder {
        return format!(
            "secret `{n}` is set to a placeholder value; a deployment that keeps it runs with a publicly known secret"
        );
    }
    match &c.place {
        Place::Code => format!("`{n}` holds a hardcoded credential; everyone with the code has it"),
        Place::Comparison => {
            format!("`{n}` is compared with a hardcoded value; the credential is in the code")
        }
        Place::Dotenv => format!("committed env file sets secret `{n}` to a literal value"),
        Place::Dockerfile(true) => {
            format!("`ENV` in the Dockerfile bakes secret `{n}` into every layer of the image")
        }
        Place::Dockerfile(false) => {
            format!("`ARG` default for secret `{n}` is kept in the image history")
        }
        Place::Compose(svc) => {
            format!("compose service `{svc}` sets secret `{n}` to a literal value")
        }
        Place::Container(ct) => format!(
            "container `{ct}` sets secret `{n}` as a literal env value instead of `valueFrom.secretKeyRef`"
        ),
        Place::ConfigMap(cm) => {
            format!("secret `{n}` is kept in plain text in ConfigMap `{cm}`; use a Secret")
        }
        Place::K8sSecret(s) => {
            format!("the value of `{n}` is committed in the Secret manifest `{s}`")
        }
        Place::Config => format!("config key `{n}` holds a hardcoded credential"),
        Place::SigningKey(f) => format!(
            "`{f}` uses `{n}`, a key hardcoded in this file; anyone with the code can forge what it protects"
        ),
        Place::Url(scheme) => {
            format!("`{scheme}` connection URL embeds a hardcoded password")
        }
    }
}
