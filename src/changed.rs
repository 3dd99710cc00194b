//! `--changed-since REV`: report findings only in the files that differ from
//! a git revision — committed since it, staged or not, plus untracked files
//! that are not ignored. That is `git diff --name-only REV` (REV against the
//! working tree) and `git ls-files --others --exclude-standard`, both run in
//! the scanned folder with paths relative to it.
//!
//! Every file is still discovered and checked (project-level checks see the
//! whole tree); only the findings of files outside the set are dropped. A
//! missing `git`, a folder outside a repository or an unknown revision is a
//! usage error (exit 2).

use miette::Diagnostic;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ChangedError {
    #[error("--changed-since needs git, which could not be run: {0}")]
    #[diagnostic(
        code(prodready::changed::git),
        help("install git and make sure it is on PATH")
    )]
    NoGit(String),
    #[error("--changed-since {rev}: {message}")]
    #[diagnostic(
        code(prodready::changed::revision),
        help("pass a commit, branch or tag that exists in this repository, e.g. `origin/main` (fetch it first in shallow CI clones)")
    )]
    BadRevision { rev: String, message: String },
    #[error("--changed-since: `{path}` is not inside a git repository: {message}")]
    #[diagnostic(
        code(prodready::changed::repository),
        help("run the scan inside a git checkout, or drop --changed-since")
    )]
    NotARepository { path: String, message: String },
}

/// What `--changed-since` selected, in the report's `changed_since` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedSummary {
    pub rev: String,
    /// Changed and untracked files under the scanned folder.
    pub files: usize,
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, ChangedError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| ChangedError::NoGit(e.to_string()))
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

fn nul_separated(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).replace('\\', "/"))
}

/// The files under `dir` (relative to it, `/`-separated) that differ from
/// `rev` or are untracked and not ignored.
pub fn changed_files(dir: &Path, rev: &str) -> Result<HashSet<String>, ChangedError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(ChangedError::NotARepository {
            path: dir.display().to_string(),
            message: stderr_of(&top),
        });
    }
    if rev.starts_with('-') {
        return Err(ChangedError::BadRevision {
            rev: rev.to_string(),
            message: "a revision cannot start with `-`".into(),
        });
    }
    let verify = git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    if !verify.status.success() {
        return Err(ChangedError::BadRevision {
            rev: rev.to_string(),
            message: "unknown revision".into(),
        });
    }
    let diff = git(
        dir,
        &[
            "diff",
            "--name-only",
            "-z",
            "--relative",
            "--no-renames",
            rev,
            "--",
        ],
    )?;
    if !diff.status.success() {
        return Err(ChangedError::BadRevision {
            rev: rev.to_string(),
            message: stderr_of(&diff),
        });
    }
    let untracked = git(dir, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    if !untracked.status.success() {
        return Err(ChangedError::NotARepository {
            path: dir.display().to_string(),
            message: stderr_of(&untracked),
        });
    }
    let mut files: HashSet<String> = nul_separated(&diff.stdout).collect();
    files.extend(nul_separated(&untracked.stdout));
    Ok(files)
}
