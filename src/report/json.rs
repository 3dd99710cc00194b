//! `--format json`: the versioned contract in docs/json-contract.md.

use super::Report;
use std::io;

pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    writeln!(out)
}
