//! prodready: a production-readiness auditor.
//!
//! The pipeline (see docs/architecture.md): [`discover`] finds files,
//! [`engine`] reads, [`parse`]s and checks each one with the [`rules`] and
//! [`checks`], [`app`] assembles a [`report::Report`], and a reporter writes
//! it.

// Rule-file errors carry their source text for miette; they are built once
// per bad file at load time, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod baseline;
pub mod cache;
pub mod changed;
pub mod checks;
pub mod cli;
pub mod config;
pub mod diff;
pub mod discover;
pub mod engine;
pub mod error;
pub mod facts;
pub mod finding;
pub mod fuzzing;
pub mod gate;
pub mod lang;
pub mod metrics;
pub mod parse;
pub mod paths;
pub mod progress;
pub mod project;
pub mod redact;
pub mod report;
pub mod rules;
pub mod rules_cmd;
pub mod ruletest;
pub mod score;
pub mod settings;
pub mod suppress;
pub mod test_code;
pub mod timings;
pub mod workloads;
