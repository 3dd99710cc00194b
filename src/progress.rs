//! A progress bar on stderr for long scans: only when stderr is a terminal,
//! the report is text (never with JSON or SARIF, whose consumers read
//! stdout and logs) and `--quiet` is off, and only from
//! [`MIN_FILES`] files up. Each finished file moves the bar; results keep
//! their order, so output is unchanged.

use crate::discover::SourceFile;
use crate::engine::{self, FileOutcome};
use crate::rules::Registry;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Scans smaller than this finish before a bar is worth drawing.
pub const MIN_FILES: usize = 2000;

/// Should this run draw a bar?
pub fn wanted(text_format: bool, quiet: bool, files: usize) -> bool {
    text_format
        && !quiet
        && files >= MIN_FILES
        && std::io::stderr().is_terminal()
        && std::env::var_os("PRODREADY_DETERMINISTIC").is_none()
}

/// [`engine::check_files`], with a bar when `show`.
pub fn check_files(
    files: &[SourceFile],
    registry: &Registry,
    limits: engine::Limits,
    show: bool,
) -> Vec<FileOutcome> {
    if !show {
        return engine::check_files(files, registry, limits);
    }
    let bar = ProgressBar::with_draw_target(
        Some(files.len() as u64),
        ProgressDrawTarget::stderr_with_hz(10),
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} files {msg}") {
        bar.set_style(style);
    }
    let out = engine::check_files_reporting(files, registry, limits, &|file| {
        bar.set_message(file.rel_path.clone());
        bar.inc(1);
    });
    bar.finish_and_clear();
    out
}
