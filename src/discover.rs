//! Stage 1: find the files to scan.
//!
//! Walks the tree with the `ignore` crate (so .gitignore and .ignore are
//! honoured), leaves out folders that never hold first-party code, applies the
//! user's excludes and classifies each file. It records every file it passes
//! over and why; it never reads file contents (the check stage does, once).

use crate::lang::Language;
use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Folders that hold dependencies, build output or tool caches, never code
/// the team wrote. Matched against a folder's own name.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "target",
    ".venv",
    "venv",
    ".virtualenv",
    "site-packages",
    "__pycache__",
    "__pypackages__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
    "dist",
    "build",
    "_build",
    ".next",
    ".nuxt",
    ".svelte-kit",
    "coverage",
    "htmlcov",
    ".terraform",
    "vendor",
    "vendored",
    "third_party",
    "__generated__",
    "generated",
];

/// Why a file was not scanned. Serialized into `stats.skipped_by_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Not a format any rule reads.
    UnsupportedType,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// Contains NUL bytes.
    Binary,
    /// Minified bundle: one enormous line, no findings a person could act on.
    Minified,
    /// The file could not be read (permissions, vanished, I/O error).
    Unreadable,
    /// A symbolic link, not followed (see `--follow-symlinks`).
    Symlink,
    /// A symbolic link that leads back into its own ancestry.
    SymlinkLoop,
    /// A FIFO, socket or device.
    NotRegularFile,
    /// A rule or parser failed on this file; the rest of the scan went on.
    InternalError,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::UnsupportedType => "unsupported-type",
            SkipReason::TooLarge => "too-large",
            SkipReason::Binary => "binary",
            SkipReason::Minified => "minified",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Symlink => "symlink",
            SkipReason::SymlinkLoop => "symlink-loop",
            SkipReason::NotRegularFile => "not-regular-file",
            SkipReason::InternalError => "internal-error",
        }
    }
}

/// A file the walk passed over, with the reason and, where useful, details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
    pub detail: String,
}

/// A file to scan.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub abs_path: PathBuf,
    /// Relative to the scan root, `/`-separated.
    pub rel_path: String,
    pub language: Language,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub excludes: Vec<String>,
    pub max_file_size: u64,
    pub follow_symlinks: bool,
    pub default_excludes: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            excludes: Vec::new(),
            max_file_size: 2 * 1024 * 1024,
            follow_symlinks: false,
            default_excludes: true,
        }
    }
}

/// `jquery.min.js`, `purify.min.mjs`: bundles shipped minified, usually
/// vendored; their line breaks may keep them under the content test for
/// minified files, and nobody acts on a finding inside one.
fn is_minified_name(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    [".min.js", ".min.mjs", ".min.cjs"]
        .iter()
        .any(|end| lower.ends_with(end))
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("invalid --exclude glob `{glob}`: {message}")]
    BadGlob { glob: String, message: String },
}

/// The path of `path` relative to `root`, with `/` separators.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for comp in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&comp.as_os_str().to_string_lossy());
    }
    if out.is_empty() {
        // Scanning a single file: name it.
        out = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    out
}

/// A virtualenv is recognised by its marker file, whatever its name.
fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

/// Walk `root` (a folder or a single file). `base` is the folder paths are
/// reported relative to.
pub fn walk(root: &Path, base: &Path, opts: &WalkOptions) -> Result<Discovery, DiscoverError> {
    let mut overrides = OverrideBuilder::new(base);
    for glob in &opts.excludes {
        let pattern = format!("!{}", glob.trim_start_matches('!'));
        overrides
            .add(&pattern)
            .map_err(|e| DiscoverError::BadGlob {
                glob: glob.clone(),
                message: e.to_string(),
            })?;
    }
    let overrides = overrides.build().map_err(|e| DiscoverError::BadGlob {
        glob: opts.excludes.join(", "),
        message: e.to_string(),
    })?;

    let default_excludes = opts.default_excludes;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        .overrides(overrides)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 || !default_excludes {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(DEFAULT_EXCLUDED_DIRS.contains(&name.as_ref()) || is_virtualenv(entry.path()))
        });

    let mut out = Discovery::default();
    for result in builder.build() {
        let entry = match result {
            Ok(entry) => entry,
            Err(err) => {
                record_walk_error(base, &err, &mut out.skipped);
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue; // stdin; never produced for paths
        };
        if file_type.is_dir() {
            continue;
        }
        let path = entry.path();
        let rel = relative_path(base, path);
        if file_type.is_symlink() {
            // Only reached when links are not followed.
            out.skipped.push(Skipped {
                path: rel,
                reason: SkipReason::Symlink,
                detail: "symbolic links are not followed (use --follow-symlinks)".into(),
            });
            continue;
        }
        if !file_type.is_file() {
            out.skipped.push(Skipped {
                path: rel,
                reason: SkipReason::NotRegularFile,
                detail: "not a regular file".into(),
            });
            continue;
        }
        let Some(language) = Language::from_path(path) else {
            out.skipped.push(Skipped {
                path: rel,
                reason: SkipReason::UnsupportedType,
                detail: String::new(),
            });
            continue;
        };
        if is_minified_name(&rel) {
            out.skipped.push(Skipped {
                path: rel,
                reason: SkipReason::Minified,
                detail: "minified by name (`.min.js`): a vendored bundle".into(),
            });
            continue;
        }
        let size = match entry.metadata() {
            Ok(meta) => meta.len(),
            Err(err) => {
                out.skipped.push(Skipped {
                    path: rel,
                    reason: SkipReason::Unreadable,
                    detail: err.to_string(),
                });
                continue;
            }
        };
        if size > opts.max_file_size {
            out.skipped.push(Skipped {
                path: rel,
                reason: SkipReason::TooLarge,
                detail: format!("{size} bytes > {} (--max-file-size)", opts.max_file_size),
            });
            continue;
        }
        out.files.push(SourceFile {
            abs_path: path.to_path_buf(),
            rel_path: rel,
            language,
            size,
        });
    }
    out.files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn record_walk_error(base: &Path, err: &ignore::Error, skipped: &mut Vec<Skipped>) {
    let (path, reason) = walk_error_parts(err);
    let path = path
        .map(|p| relative_path(base, &p))
        .unwrap_or_else(|| "<unknown>".into());
    skipped.push(Skipped {
        path,
        reason,
        detail: err.to_string(),
    });
}

fn walk_error_parts(err: &ignore::Error) -> (Option<PathBuf>, SkipReason) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let (_, reason) = walk_error_parts(err);
            (Some(path.clone()), reason)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_parts(err)
        }
        ignore::Error::Loop { child, .. } => (Some(child.clone()), SkipReason::SymlinkLoop),
        ignore::Error::Partial(errs) => errs
            .first()
            .map(walk_error_parts)
            .unwrap_or((None, SkipReason::Unreadable)),
        _ => (None, SkipReason::Unreadable),
    }
}

/// Count skipped files per reason, in a stable order.
pub fn count_by_reason(skipped: &[Skipped]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for s in skipped {
        *counts.entry(s.reason.as_str().to_string()).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::is_minified_name;

    #[test]
    fn minified_by_name() {
        assert!(is_minified_name("static/js/purify.min.js"));
        assert!(is_minified_name("vendor/Chart.MIN.mjs"));
        assert!(!is_minified_name("src/admin.js") && !is_minified_name("src/min.js"));
    }
}
