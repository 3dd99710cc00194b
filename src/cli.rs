//! Command-line arguments (clap derive structs only; meaning lives in app.rs).

use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "prodready", version, about = "Find what stands between a codebase and production, with file and line.", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a folder (or file) and report findings.
    Scan(ScanArgs),
    /// List, explain and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Compare two JSON reports: scores before and after, findings fixed and new.
    Diff {
        /// The earlier `scan --format json` output.
        old: PathBuf,
        /// The later one.
        new: PathBuf,
        /// `text` or `markdown`.
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: DiffFormat,
    },
    /// Record the current findings in a baseline file (`-o FILE`, default
    /// prodready-baseline.json; takes the options of `scan`). See `scan --baseline`.
    Baseline(ScanArgs),
    /// Write a commented starter prodready.toml.
    Init(crate::config::InitArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
}

/// Output formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// The severity that fails the gate, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    None,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Folder or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity [default: high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Leave out paths matching this gitignore-style glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than this (bytes; K, M and G suffixes accepted).
    #[arg(long, value_name = "SIZE", default_value = "2M", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Also load the rule files in DIR (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Follow symbolic links (loops are detected and skipped).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Also scan node_modules, target, virtualenvs, vendor and build folders.
    #[arg(long)]
    pub no_default_excludes: bool,
    /// Print only the summary (text format).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// List skipped files and notes, with reasons.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Stop matching rules on one file after this many seconds (the file
    /// gets a note; the scan goes on).
    #[arg(long, value_name = "SECS", default_value = "10")]
    pub file_timeout: f64,
    /// Exit 2 when the scan was incomplete: a file could not be read, a
    /// parser or rule failed on it, or its time budget ran out.
    #[arg(long)]
    pub strict: bool,
    /// After the text report, show how each category score was computed.
    #[arg(long)]
    pub explain_score: bool,
    /// After the report, print on stderr the time spent reading, parsing,
    /// and in each rule (the slowest 25), to find what slows a scan down.
    #[arg(long)]
    pub timings: bool,
    /// Keep each file's results in DIR (created if missing, safe to delete)
    /// and reuse them while the file, the rules and prodready are
    /// unchanged. The report is the same as without it.
    #[arg(long, value_name = "DIR", env = "PRODREADY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    #[command(flatten)]
    pub ci: crate::settings::CiArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule.
    List {
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: ListFormat,
        /// Also load the rule files in DIR (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Show a rule's documentation and examples.
    Explain {
        /// Rule id, e.g. `secret-fallback`.
        id: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Run every rule's examples: each `bad` must be flagged, each `good` not.
    Test {
        /// Folder of rule files (default: the built-in rules).
        dir: Option<PathBuf>,
    },
}

/// `2097152`, `512K`, `2M`, `1G` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let lower = lower.trim_end_matches("ib").trim_end_matches('b');
    let (num, mult) = match lower.chars().last() {
        Some('k') => (&lower[..lower.len() - 1], 1024),
        Some('m') => (&lower[..lower.len() - 1], 1024 * 1024),
        Some('g') => (&lower[..lower.len() - 1], 1024 * 1024 * 1024),
        _ => (lower, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not a size: use bytes or a K/M/G suffix, e.g. 2M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2M"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("10MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("lots").is_err());
    }
}
