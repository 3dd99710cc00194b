//! prodready: a production-readiness auditor.
//!
//! The pipeline (see docs/architecture.md): [`discover`] finds files,
//! [`engine`] reads, [`parse`]s and checks each one with the [`rules`] and
//! [`checks`], [`app`] assembles a [`report::Report`], and a reporter writes
//! it.

pub mod app;
pub mod checks;
pub mod cli;
pub mod discover;
pub mod engine;
pub mod error;
pub mod finding;
pub mod lang;
pub mod parse;
pub mod paths;
pub mod redact;
pub mod report;
pub mod rules;
pub mod rules_cmd;
pub mod ruletest;
