//! Fatal errors: the ones that stop a run with exit code 2. Each is a miette
//! diagnostic that names the file, points at the span when there is one and
//! says what to do. Per-file problems are not errors: they are skipped files
//! or notes in the report.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A rule file that cannot be loaded.
#[derive(Debug, Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(prodready::rule_file), help("{help}"))]
pub struct RuleFileError {
    pub path: String,
    pub message: String,
    pub help: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
}

impl RuleFileError {
    pub fn new(
        path: &str,
        source: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Self {
            path: path.to_string(),
            label: first_line(&message).to_string(),
            message,
            help: help.into(),
            src: NamedSource::new(path, source.to_string()).with_language("toml"),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Everything that was wrong with the rule folders, reported together.
#[derive(Debug, Error, Diagnostic)]
#[error("{} invalid rule file(s)", errors.len())]
#[diagnostic(
    code(prodready::rules),
    help("fix the rule files above; `prodready rules test DIR` checks a folder")
)]
pub struct RuleLoadErrors {
    #[related]
    pub errors: Vec<RuleFileError>,
}

/// Usage problems found after argument parsing (bad paths, bad globs).
#[derive(Debug, Error, Diagnostic)]
pub enum UsageError {
    #[error("path `{0}` does not exist")]
    #[diagnostic(
        code(prodready::usage::path),
        help("pass a folder or file to scan, e.g. `prodready scan .`")
    )]
    PathNotFound(String),
    #[error("{0}")]
    #[diagnostic(
        code(prodready::usage::exclude),
        help("--exclude takes gitignore-style globs such as `tests/**` or `*.min.js`")
    )]
    BadExclude(String),
    #[error("unknown rule `{0}`")]
    #[diagnostic(
        code(prodready::usage::rule),
        help("`prodready rules list` shows every rule id")
    )]
    UnknownRule(String),
    #[error("cannot write `{path}`: {message}")]
    #[diagnostic(code(prodready::usage::output))]
    Output { path: String, message: String },
}
