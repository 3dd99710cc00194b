//! The configuration file: `prodready.toml`, or a `[tool.prodready]` table in
//! `pyproject.toml`, found by walking up from the scanned path (stopping at
//! the repository root) or named with `--config FILE`.
//!
//! Every key is checked: unknown keys, bad values, unknown rule ids and bad
//! globs are miette diagnostics that name the file and line. Paths and globs
//! are relative to the folder holding the configuration file. Command-line
//! flags override the file (see settings.rs). docs/configuration.md has the
//! reference; `prodready init` writes a commented starter.

use crate::rules::meta::{Category, Severity};
use crate::rules::Registry;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use thiserror::Error;
use toml::Spanned;

/// The file names looked for, in each folder, in this order.
pub const CONFIG_FILE: &str = "prodready.toml";
const PYPROJECT: &str = "pyproject.toml";

/// A configuration file that cannot be used.
#[derive(Debug, Error, Diagnostic)]
#[error("{location}: {message}")]
#[diagnostic(code(prodready::config), help("{help}"))]
pub struct ConfigError {
    /// `path:line:column`, or the path alone.
    pub location: String,
    pub message: String,
    pub help: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
}

const CONFIG_HELP: &str =
    "the keys are described in docs/configuration.md; `prodready init` writes a commented example";

impl ConfigError {
    pub fn new(
        path: &str,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let location = match &span {
            Some(r) => {
                let start = r.start.min(source.len());
                let before = source.get(..start).unwrap_or("");
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("{path}:{line}:{column}")
            }
            None => path.to_string(),
        };
        Self {
            location,
            label: message.lines().next().unwrap_or("").to_string(),
            message,
            help: help.into(),
            src: NamedSource::new(path, source.to_string()).with_language("toml"),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
        }
    }
}

/// The file as serde reads it; spans are kept for diagnostics.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Only scan paths matching one of these globs (default: everything).
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    /// Leave out paths matching these globs.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub rules: RawRules,
    /// Severity overrides: `rule-id = "low"`.
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<Severity>>,
    /// Per-path rule ignores.
    #[serde(default, rename = "ignore")]
    pub ignores: Vec<Spanned<RawIgnore>>,
    #[serde(default)]
    pub gate: RawGate,
    #[serde(default)]
    pub score: RawScore,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Rule ids or categories; when given, only these run.
    #[serde(default)]
    pub enable: Vec<Spanned<String>>,
    /// Rule ids or categories that do not run.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Extra rule folders, relative to the configuration file.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIgnore {
    /// A glob, or a list of globs.
    pub path: Spanned<OneOrMany>,
    /// Rule ids or categories (default: every rule).
    #[serde(default)]
    pub rules: Option<Vec<Spanned<String>>>,
    /// Why; shown in docs, not in reports.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    /// `critical`, `high`, `medium`, `low`, `info` or `none`.
    #[serde(default)]
    pub fail_on: Option<Spanned<String>>,
    #[serde(default)]
    pub min_score: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScore {
    #[serde(default)]
    pub weights: BTreeMap<String, Spanned<toml::Value>>,
}

/// Scoring settings, stored for the scoring stage: `[score.weights]` maps a
/// name (a category, by convention) to a non-negative weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreConfig {
    pub weights: BTreeMap<String, f64>,
}

/// A loaded configuration file.
#[derive(Debug)]
pub struct Config {
    /// As shown in diagnostics.
    pub display: String,
    /// The folder holding the file; relative paths and globs start here.
    pub dir: PathBuf,
    pub text: String,
    pub raw: RawConfig,
    pub score: ScoreConfig,
}

#[derive(Deserialize)]
struct Pyproject {
    #[serde(default)]
    tool: Option<PyTool>,
}

#[derive(Deserialize)]
struct PyTool {
    #[serde(default)]
    prodready: Option<RawConfig>,
}

impl Config {
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ConfigError {
        ConfigError::new(&self.display, &self.text, span, message, help)
    }

    /// Read and check `path` (a prodready.toml, or a pyproject.toml whose
    /// `[tool.prodready]` table is used).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let display = path.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                &display,
                "",
                None,
                format!("cannot read the configuration file: {e}"),
                "pass an existing file to --config, or run `prodready init`",
            )
        })?;
        Self::from_text(path, text)
    }

    /// Parse and check configuration text as if read from `path`.
    pub fn from_text(path: &Path, text: String) -> Result<Config, ConfigError> {
        let display = path.to_string_lossy().replace('\\', "/");
        let is_pyproject = path.file_name().is_some_and(|n| n == PYPROJECT);
        let parsed = if is_pyproject {
            toml::from_str::<Pyproject>(&text)
                .map(|p| p.tool.and_then(|t| t.prodready).unwrap_or_default())
        } else {
            toml::from_str::<RawConfig>(&text)
        };
        let raw = parsed.map_err(|e| {
            ConfigError::new(
                &display,
                &text,
                e.span(),
                e.message().trim().to_string(),
                CONFIG_HELP,
            )
        })?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut config = Config {
            display,
            dir,
            text,
            raw,
            score: ScoreConfig::default(),
        };
        config.score = config.check_values()?;
        Ok(config)
    }

    /// Checks that need no rule registry.
    fn check_values(&self) -> Result<ScoreConfig, ConfigError> {
        if let Some(f) = &self.raw.gate.fail_on {
            if parse_fail_on(f.get_ref()).is_none() {
                return Err(self.error(
                    Some(f.span()),
                    format!("`fail_on = \"{}\"` is not a severity", f.get_ref()),
                    "use one of critical, high, medium, low, info or none",
                ));
            }
        }
        if let Some(m) = &self.raw.gate.min_score {
            if !(0..=100).contains(m.get_ref()) {
                return Err(self.error(
                    Some(m.span()),
                    format!("`min_score = {}` is out of range", m.get_ref()),
                    "the score runs from 0 to 100",
                ));
            }
        }
        let mut weights = BTreeMap::new();
        for (name, value) in &self.raw.score.weights {
            if !crate::rules::meta::Category::ALL
                .iter()
                .any(|c| c.as_str() == name)
            {
                return Err(self.error(
                    Some(value.span()),
                    format!("`{name}` is not a score category"),
                    "categories: security, reliability, observability, operations, testing, maintainability",
                ));
            }
            let w = match value.get_ref() {
                toml::Value::Float(f) => *f,
                toml::Value::Integer(i) => *i as f64,
                _ => {
                    return Err(self.error(
                        Some(value.span()),
                        format!("score weight `{name}` is not a number"),
                        "weights are numbers, e.g. `security = 3.0`",
                    ))
                }
            };
            if !w.is_finite() || w < 0.0 {
                return Err(self.error(
                    Some(value.span()),
                    format!("score weight `{name}` must be a non-negative number"),
                    "weights are numbers, e.g. `security = 3.0`",
                ));
            }
            weights.insert(name.clone(), w);
        }
        Ok(ScoreConfig { weights })
    }

    /// Checks that need the rules: every rule id or category named exists.
    pub fn check_rules(&self, registry: &Registry) -> Result<(), ConfigError> {
        let rule_or_category = |s: &Spanned<String>, key: &str| -> Result<(), ConfigError> {
            let v = s.get_ref();
            if registry.get(v).is_some() || parse_category(v).is_some() {
                return Ok(());
            }
            Err(self.error(
                Some(s.span()),
                format!("`{key}` names unknown rule `{v}`"),
                unknown_rule_help(registry, v, true),
            ))
        };
        for s in &self.raw.rules.enable {
            rule_or_category(s, "rules.enable")?;
        }
        for s in &self.raw.rules.disable {
            rule_or_category(s, "rules.disable")?;
        }
        for ig in &self.raw.ignores {
            for s in ig.get_ref().rules.iter().flatten() {
                rule_or_category(s, "ignore.rules")?;
            }
        }
        for (id, sev) in &self.raw.severity {
            if registry.get(id).is_none() {
                return Err(self.error(
                    Some(sev.span()),
                    format!("`severity` overrides unknown rule `{id}`"),
                    unknown_rule_help(registry, id, false),
                ));
            }
        }
        Ok(())
    }

    /// Extra rule folders, resolved against the configuration's folder.
    pub fn rule_dirs(&self) -> Vec<PathBuf> {
        self.raw
            .rules
            .paths
            .iter()
            .map(|p| self.dir.join(p.get_ref()))
            .collect()
    }

    pub fn fail_on(&self) -> Option<crate::cli::FailOn> {
        self.raw
            .gate
            .fail_on
            .as_ref()
            .and_then(|f| parse_fail_on(f.get_ref()))
    }

    pub fn min_score(&self) -> Option<u8> {
        self.raw
            .gate
            .min_score
            .as_ref()
            .and_then(|m| u8::try_from(*m.get_ref()).ok())
    }
}

fn unknown_rule_help(registry: &Registry, name: &str, categories: bool) -> String {
    let ids = registry.rules.iter().map(|r| r.meta.id.as_str());
    let near = crate::suppress::closest(name, ids.chain(Category::ALL.iter().map(|c| c.as_str())));
    let mut help = match near {
        Some(n) => format!("did you mean `{n}`? "),
        None => String::new(),
    };
    if categories {
        help.push_str(&format!(
            "use a rule id (`prodready rules list`) or a category: {}",
            category_names()
        ));
    } else {
        help.push_str("`prodready rules list` shows every rule id");
    }
    help
}

pub fn parse_fail_on(s: &str) -> Option<crate::cli::FailOn> {
    <crate::cli::FailOn as clap::ValueEnum>::from_str(s, true).ok()
}

pub fn parse_category(s: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| c.as_str() == s)
}

fn category_names() -> String {
    Category::ALL
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Does `pyproject` hold a `[tool.prodready]` table?
fn pyproject_has_table(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| {
        t.lines().any(|l| {
            let l = l.trim();
            l.starts_with("[tool.prodready]") || l.starts_with("[tool.prodready.")
        })
    })
}

/// The nearest configuration file at or above `start`, stopping after the
/// first folder that holds `.git` (the repository root).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let found = discover_absolute(start)?;
    // Shown relative to the working folder when it is inside it.
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| found.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => Some(rel.to_path_buf()),
        _ => Some(found),
    }
}

fn discover_absolute(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        let py = d.join(PYPROJECT);
        if py.is_file() && pyproject_has_table(&py) {
            return Some(py);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// `prodready init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to write prodready.toml into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite an existing prodready.toml.
    #[arg(long)]
    pub force: bool,
}

/// The starter file `prodready init` writes. Every setting is present,
/// commented out, with its default.
pub const STARTER: &str = r#"# prodready configuration. Paths and globs are relative to this file.
# Command-line flags override these settings. Reference: docs/configuration.md

# Only scan paths matching these globs (default: everything).
# include = ["src/**", "services/**", "Dockerfile"]

# Leave out paths matching these globs (added to --exclude).
# exclude = ["migrations/**", "**/*.generated.ts"]

[rules]
# Rule ids or categories. When `enable` is set, only those rules run.
# enable = ["security", "reliability"]
# disable = ["secret-fallback"]
# Extra rule folders, like --rules DIR.
# paths = ["tools/prodready-rules"]

[severity]
# Per-rule severity overrides.
# weak-password-hash = "critical"

# Per-path ignores: rules (ids or categories; all rules when omitted) that do
# not apply under some paths.
# [[ignore]]
# path = "tests/**"
# rules = ["secret-fallback"]
# reason = "test credentials are fake"

[gate]
# The scan exits 1 when a finding is at or above this severity
# (critical, high, medium, low, info or none).
# fail_on = "high"
# ...or when the readiness score is below this (0-100).
# min_score = 70

[score.weights]
# Relative weight of each category in the readiness score.
# security = 3.0
# reliability = 2.0
"#;

/// Write the starter configuration; refuse to overwrite without `--force`.
pub fn init(args: &InitArgs) -> miette::Result<PathBuf> {
    let path = args.dir.join(CONFIG_FILE);
    if path.exists() && !args.force {
        return Err(miette::miette!(
            code = "prodready::init",
            help = "pass --force to overwrite it",
            "`{}` already exists",
            path.display()
        ));
    }
    if !args.dir.is_dir() {
        return Err(crate::error::UsageError::PathNotFound(args.dir.display().to_string()).into());
    }
    crate::app::write_atomically(&path, STARTER.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(name: &str, text: &str) -> Result<Config, ConfigError> {
        let dir =
            tempfile::tempdir().map_err(|e| ConfigError::new("t", "", None, e.to_string(), ""))?;
        let path = dir.path().join(name);
        std::fs::write(&path, text)
            .map_err(|e| ConfigError::new("t", "", None, e.to_string(), ""))?;
        Config::load(&path)
    }

    #[test]
    fn starter_parses() {
        let c = load_str(CONFIG_FILE, STARTER).expect("starter is valid");
        assert!(c.raw.include.is_empty());
        // And with every setting uncommented.
        let all: String = STARTER
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || r.starts_with('['))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = load_str(CONFIG_FILE, &all).expect("uncommented starter is valid");
        assert_eq!(c.min_score(), Some(70));
        assert_eq!(c.score.weights.get("security"), Some(&3.0));
        assert_eq!(c.raw.ignores.len(), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let err = load_str(CONFIG_FILE, "[gate]\nfail_on = \"high\"\ncolour = 1\n")
            .expect_err("unknown key");
        assert!(
            err.location.ends_with("prodready.toml:3:1"),
            "{}",
            err.location
        );
        assert!(err.message.contains("colour"));
        let err =
            load_str(CONFIG_FILE, "[gate]\nfail_on = \"sometimes\"\n").expect_err("bad severity");
        assert!(err.location.ends_with(":2:11"), "{}", err.location);
    }

    #[test]
    fn pyproject_table() {
        let text = "[project]\nname = \"x\"\n\n[tool.prodready.gate]\nmin_score = 80\n";
        let c = load_str(PYPROJECT, text).expect("valid");
        assert_eq!(c.min_score(), Some(80));
        let err = load_str(PYPROJECT, "[tool.prodready]\nexclude = 3\n").expect_err("bad");
        assert!(err.location.ends_with(":2:11"), "{}", err.location);
    }
}
