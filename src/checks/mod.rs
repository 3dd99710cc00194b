//! Rules written in Rust, for what a declarative pattern cannot say (import
//! aliases, data flow within a function, cross-key config logic).
//!
//! A check is named by a rule file's `check = "name"`; the rule file keeps
//! the metadata, docs and examples. One file per check; register it in
//! [`CHECKS`].

pub mod auth_rate_limit;
pub mod auth_rate_limit_django;
pub mod auth_rate_limit_js;
pub mod auth_rate_limit_nest;
pub mod bcrypt_cost;
pub mod container_limits;
pub mod cookie_settings;
pub mod cors_settings;
pub mod db_pool;
pub mod debug_env;
pub mod django_deploy;
pub mod hardcoded_secret;
pub mod http_timeout;
pub mod http_timeout_js;
pub mod http_timeout_rust;
pub mod idwords;
pub mod invalid_suppression;
pub mod leaked_credential;
pub mod limits_common;
pub mod localflow;
pub mod log_secret_names;
pub mod multi_write_transaction;
pub mod names;
pub mod nest;
pub mod orm_query_in_loop;
pub mod print_logging;
pub mod pyimports;
pub mod request_body;
pub mod rust_macro;
pub mod secret_code;
pub mod secret_config;
pub mod secret_derivation;
pub mod secret_in_log;
pub mod secret_in_log_rust;
pub mod secret_in_log_values;
pub mod secret_k8s;
pub mod secret_usage;
pub mod secret_values;
pub mod servicectx;
pub mod settings_flags;
mod sql_allowlist;
pub mod sql_injection;
mod sql_names;
pub mod sqlbuild;
pub mod swallowed_exception;
pub mod swallowed_rust;
pub mod tokens;
pub mod unbounded_query;
pub mod unbounded_query_js;
pub mod unbounded_query_py;
pub mod weak_password_hash;

use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use std::ops::Range;

/// One match, in byte offsets of the file text. The engine turns hits into
/// findings (positions, snippet, redaction, fingerprint).
#[derive(Debug, Clone)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub message: String,
    /// Overrides the rule's severity for this hit.
    pub severity: Option<Severity>,
    pub confidence: Option<Confidence>,
    /// Byte ranges holding secret values, masked in every output.
    pub secrets: Vec<Range<usize>>,
    /// Withdrawn when the project shows this fact in another file.
    pub unless: Option<crate::facts::Unless>,
}

impl Hit {
    pub fn new(range: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            start: range.start,
            end: range.end,
            message: message.into(),
            severity: None,
            confidence: None,
            secrets: Vec::new(),
            unless: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = Some(confidence);
        self
    }

    pub fn secret(mut self, range: Range<usize>) -> Self {
        self.secrets.push(range);
        self
    }

    pub fn unless(mut self, unless: crate::facts::Unless) -> Self {
        self.unless = Some(unless);
        self
    }
}

pub trait Check: Sync {
    /// Append a hit for each problem in `file`. Only called for files whose
    /// language the rule lists.
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>);

    /// Words one of which a file of `language` must contain (ASCII letters
    /// in any case) for [`run`](Check::run) to report anything in it; the
    /// engine skips the check on other files, and leaves a test file
    /// unparsed when no rule that reports in tests could match it. `None`:
    /// no such words, always run. Every hit must imply one of the words:
    /// `prefilters_never_change_findings` (tests/rules.rs) runs every rule
    /// example and fixture with and without these gates.
    fn anchors(&self, _language: Language) -> Option<&[&'static str]> {
        None
    }

    /// Does [`run`](Check::run) read the syntax tree? A check that reads
    /// only the text also runs on a file left unparsed.
    fn reads_tree(&self) -> bool {
        true
    }
}

/// Anchor words, as [`Check::anchors`] returns them.
pub type Words = Option<&'static [&'static str]>;

/// The anchor words of a check that reads Python, JavaScript/TypeScript
/// and Rust: the list for `language`'s family, `None` for other languages.
pub fn code_anchors(language: Language, python: Words, js: Words, rust: Words) -> Words {
    match language {
        Language::Python => python,
        Language::JavaScript | Language::TypeScript | Language::Tsx => js,
        Language::Rust => rust,
        _ => None,
    }
}

/// Every check, by the name rule files use.
pub static CHECKS: &[(&str, &dyn Check)] = &[
    (
        "invalid-suppression",
        &invalid_suppression::InvalidSuppression,
    ),
    ("hardcoded-secret", &hardcoded_secret::HardcodedSecret),
    ("secret-placeholder", &hardcoded_secret::SecretPlaceholder),
    ("leaked-credential", &leaked_credential::LeakedCredential),
    ("secret-derivation", &secret_derivation::SecretDerivation),
    ("http-timeout", &http_timeout::HttpTimeout),
    ("auth-rate-limit", &auth_rate_limit::AuthRateLimit),
    ("container-limits", &container_limits::ContainerLimits),
    ("request-body", &request_body::RequestBody),
    ("db-pool", &db_pool::DbPool),
    ("unbounded-query", &unbounded_query::UnboundedQuery),
    ("django-deploy-settings", &django_deploy::DjangoDeploy),
    ("settings-debug", &debug_env::DebugEnabled),
    ("settings-allowed-hosts", &settings_flags::ALLOWED_HOSTS),
    ("settings-cookies", &cookie_settings::COOKIES),
    ("settings-cors", &cors_settings::CORS),
    (
        "settings-password-validators",
        &settings_flags::PASSWORD_VALIDATORS,
    ),
    ("sql-injection", &sql_injection::SqlInjection),
    ("weak-password-hash", &weak_password_hash::WeakPasswordHash),
    ("weak-bcrypt-cost", &bcrypt_cost::BcryptCost),
    (
        "swallowed-exception",
        &swallowed_exception::SwallowedException,
    ),
    (
        "django-multi-write",
        &multi_write_transaction::MultiWriteTransaction,
    ),
    ("orm-query-in-loop", &orm_query_in_loop::OrmQueryInLoop),
    ("print-logging", &print_logging::PrintLogging),
    ("secret-in-log", &secret_in_log::SecretInLog),
];

pub fn lookup(name: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

pub fn names() -> Vec<&'static str> {
    CHECKS.iter().map(|(n, _)| *n).collect()
}
