//! The effective settings of a scan: the configuration file merged with the
//! command line (flags win), and the steps that apply them to the findings
//! between the engine and the report, in this order:
//!
//! 1. `rules.enable` / `rules.disable`, per-path `[[ignore]]`, `[severity]`
//!    overrides (config.rs);
//! 2. `--changed-since`: findings outside the changed files are dropped
//!    (changed.rs);
//! 3. inline suppressions: counted in `stats.suppressed`, dropped unless
//!    `--show-suppressed` (suppress.rs marks them in the engine);
//! 4. `--write-baseline`, then `--baseline` (baseline.rs);
//! 5. the gate (gate.rs), on what is left.

use crate::baseline::{self, BaselineSummary};
use crate::changed::{self, ChangedSummary};
use crate::cli::ScanArgs;
use crate::config::{self, Config, ConfigError};
use crate::discover::SourceFile;
use crate::error::UsageError;
use crate::finding::Finding;
use crate::gate::GateSettings;
use crate::paths::is_test_path;
use crate::rules::meta::Severity;
use crate::rules::{Registry, TestFilePolicy};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Scan flags for CI: configuration, gate, baseline, suppressions, changed
/// files. Flattened into `prodready scan`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CiArgs {
    /// Read settings from FILE instead of the nearest prodready.toml (or
    /// pyproject.toml with [tool.prodready]) at or above PATH.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Also fail when the readiness score is below N (0-100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_score: Option<u8>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record this scan's findings in FILE (see also `prodready baseline`).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Also report findings silenced by `prodready: ignore[...]` comments.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report findings only in files changed since git revision REV
    /// (committed, uncommitted and untracked).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

/// A set of globs relative to the configuration's folder.
struct Globs(GlobSet);

impl Globs {
    /// gitignore-like: a pattern without `/` matches at any depth, one with
    /// `/` from the configuration's folder; a folder matches what it holds.
    fn build(config: &Config, patterns: &[(&str, Range<usize>)]) -> Result<Globs, ConfigError> {
        let mut set = GlobSetBuilder::new();
        for (pattern, span) in patterns {
            let p = pattern.trim().trim_start_matches("./");
            let core = p.trim_end_matches('/');
            let anchored = core.contains('/');
            let base = if anchored {
                core.trim_start_matches('/').to_string()
            } else {
                format!("**/{core}")
            };
            for g in [base.clone(), format!("{base}/**")] {
                let glob = GlobBuilder::new(&g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        config.error(
                            Some(span.clone()),
                            format!("invalid glob `{pattern}`: {}", e.kind()),
                            "globs look like `tests/**`, `*.min.js` or `services/*/migrations`",
                        )
                    })?;
                set.add(glob);
            }
        }
        set.build().map(Globs).map_err(|e| {
            config.error(
                None,
                format!("invalid globs: {e}"),
                "check the globs in the file",
            )
        })
    }

    fn matches(&self, path: &str) -> bool {
        self.0.is_match(path)
    }
}

fn spans(items: &[Spanned<String>]) -> Vec<(&str, Range<usize>)> {
    items
        .iter()
        .map(|s| (s.get_ref().as_str(), s.span()))
        .collect()
}

/// Rule ids or categories; empty means every rule.
#[derive(Debug, Clone, Default)]
struct Selectors(Vec<String>);

impl Selectors {
    fn matches(&self, f: &Finding) -> bool {
        self.0
            .iter()
            .any(|s| *s == f.rule_id || *s == f.category.as_str())
    }
}

/// What applying the settings did, for the report.
#[derive(Debug, Default)]
pub struct Applied {
    pub suppressed: usize,
    pub baseline: Option<BaselineSummary>,
    pub changed: Option<ChangedSummary>,
}

/// The merged settings of one scan.
pub struct Settings {
    pub config: Option<Config>,
    pub gate: GateSettings,
    pub score: config::ScoreConfig,
    pub ci: CiArgs,
    include: Option<Globs>,
    exclude: Option<Globs>,
    ignores: Vec<(Globs, Selectors)>,
    enable: Selectors,
    disable: Selectors,
    severity: BTreeMap<String, Severity>,
    /// The scanned folder relative to the configuration's folder (`a/b/`),
    /// when it is inside it.
    prefix: Option<String>,
    changed: Option<HashSet<String>>,
    /// `--baseline`, read before the scan so a bad file fails fast.
    baseline: Option<baseline::BaselineFile>,
}

/// The folder paths are reported relative to.
pub fn scan_base(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

fn prefix_of(base: &Path, config_dir: &Path) -> Option<String> {
    let abs = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::fs::canonicalize(p).or_else(|_| std::path::absolute(p))
    };
    let (base, dir) = (abs(base).ok()?, abs(config_dir).ok()?);
    let rel = base.strip_prefix(&dir).ok()?;
    let mut out = String::new();
    for c in rel.components() {
        out.push_str(&c.as_os_str().to_string_lossy());
        out.push('/');
    }
    Some(out)
}

impl Settings {
    /// Find and read the configuration, merge the flags, and (with
    /// `--changed-since`) ask git for the changed files.
    pub fn load(args: &ScanArgs) -> miette::Result<Settings> {
        if !args.path.exists() {
            return Err(UsageError::PathNotFound(args.path.display().to_string()).into());
        }
        let ci = args.ci.clone();
        let config_path = if ci.no_config {
            None
        } else {
            ci.config.clone().or_else(|| config::discover(&args.path))
        };
        let config = match config_path {
            Some(p) => Some(Config::load(&p)?),
            None => None,
        };
        let base = scan_base(&args.path);
        let mut s = Settings {
            gate: GateSettings {
                fail_on: crate::app::fail_threshold(
                    args.fail_on
                        .or_else(|| config.as_ref().and_then(Config::fail_on))
                        .unwrap_or(crate::cli::FailOn::High),
                ),
                min_score: ci
                    .min_score
                    .or_else(|| config.as_ref().and_then(Config::min_score)),
            },
            score: config.as_ref().map(|c| c.score.clone()).unwrap_or_default(),
            include: None,
            exclude: None,
            ignores: Vec::new(),
            enable: Selectors::default(),
            disable: Selectors::default(),
            severity: BTreeMap::new(),
            prefix: None,
            changed: None,
            baseline: None,
            ci,
            config: None,
        };
        if let Some(c) = &config {
            let raw = &c.raw;
            if !raw.include.is_empty() {
                s.include = Some(Globs::build(c, &spans(&raw.include))?);
            }
            if !raw.exclude.is_empty() {
                s.exclude = Some(Globs::build(c, &spans(&raw.exclude))?);
            }
            for ig in &raw.ignores {
                let ig = ig.get_ref();
                let span = ig.path.span();
                let patterns: Vec<(&str, Range<usize>)> = ig
                    .path
                    .get_ref()
                    .items()
                    .into_iter()
                    .map(|p| (p, span.clone()))
                    .collect();
                let selectors = ig
                    .rules
                    .iter()
                    .flatten()
                    .map(|r| r.get_ref().clone())
                    .collect();
                s.ignores
                    .push((Globs::build(c, &patterns)?, Selectors(selectors)));
            }
            s.enable = Selectors(
                raw.rules
                    .enable
                    .iter()
                    .map(|r| r.get_ref().clone())
                    .collect(),
            );
            s.disable = Selectors(
                raw.rules
                    .disable
                    .iter()
                    .map(|r| r.get_ref().clone())
                    .collect(),
            );
            s.severity = raw
                .severity
                .iter()
                .map(|(id, sev)| (id.clone(), *sev.get_ref()))
                .collect();
            s.prefix = prefix_of(&base, &c.dir);
        }
        s.config = config;
        if let Some(path) = &s.ci.baseline {
            s.baseline = Some(baseline::load(path)?);
        }
        if let Some(rev) = &s.ci.changed_since {
            s.changed = Some(changed::changed_files(&base, rev)?);
        }
        Ok(s)
    }

    /// The rule folders: `--rules` plus the configuration's `rules.paths`.
    pub fn rule_dirs(&self, args: &ScanArgs) -> Vec<PathBuf> {
        let mut dirs = args.rules.clone();
        if let Some(c) = &self.config {
            dirs.extend(c.rule_dirs());
        }
        dirs
    }

    /// Load the rules, the built-in ones compiled for `code_languages`
    /// only ([`Registry::load_for`]), and check the configuration's rule ids
    /// against them.
    pub fn load_registry(
        &self,
        args: &ScanArgs,
        code_languages: &[crate::lang::Language],
    ) -> miette::Result<Registry> {
        let registry = Registry::load_for(&self.rule_dirs(args), code_languages)?;
        self.check_rules(&registry)?;
        Ok(registry)
    }

    pub fn check_rules(&self, registry: &Registry) -> Result<(), ConfigError> {
        match &self.config {
            Some(c) => c.check_rules(registry),
            None => Ok(()),
        }
    }

    /// A scan-relative path as the configuration's globs see it.
    fn config_path(&self, rel: &str) -> String {
        match &self.prefix {
            Some(p) => format!("{p}{rel}"),
            None => rel.to_string(),
        }
    }

    /// Apply the configuration's `include` and `exclude`.
    pub fn filter_files(&self, files: &mut Vec<SourceFile>) {
        if self.include.is_none() && self.exclude.is_none() {
            return;
        }
        files.retain(|f| {
            let p = self.config_path(&f.rel_path);
            self.include.as_ref().is_none_or(|g| g.matches(&p))
                && !self.exclude.as_ref().is_some_and(|g| g.matches(&p))
        });
    }

    /// Steps 1–4 of the module documentation. `findings` come sorted.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        registry: &Registry,
    ) -> miette::Result<Applied> {
        let mut applied = Applied::default();
        findings.retain(|f| {
            if !self.enable.0.is_empty() && !self.enable.matches(f) {
                return false;
            }
            if self.disable.matches(f) {
                return false;
            }
            if self.ignores.is_empty() {
                return true;
            }
            let p = self.config_path(&f.path);
            !self
                .ignores
                .iter()
                .any(|(g, sel)| g.matches(&p) && (sel.0.is_empty() || sel.matches(f)))
        });
        for f in findings.iter_mut() {
            if let Some(sev) = self.severity.get(&f.rule_id) {
                let lower = is_test_path(&f.path)
                    && registry
                        .get(&f.rule_id)
                        .is_some_and(|r| r.test_files == TestFilePolicy::Lower);
                f.severity = if lower { sev.lowered() } else { *sev };
            }
        }
        if let (Some(files), Some(rev)) = (&self.changed, &self.ci.changed_since) {
            findings.retain(|f| files.contains(&f.path));
            applied.changed = Some(ChangedSummary {
                rev: rev.clone(),
                files: files.len(),
            });
        }
        applied.suppressed = findings.iter().filter(|f| f.suppressed).count();
        if !self.ci.show_suppressed {
            findings.retain(|f| !f.suppressed);
        }
        if let Some(path) = &self.ci.write_baseline {
            baseline::write(path, findings)?;
        }
        if let (Some(path), Some(file)) = (&self.ci.baseline, &self.baseline) {
            let shown = path.to_string_lossy().replace('\\', "/");
            applied.baseline = Some(baseline::apply(
                file,
                &shown,
                findings,
                self.changed.as_ref(),
            ));
        }
        Ok(applied)
    }
}
