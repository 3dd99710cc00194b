//! The cache file's layout: a key saying what the results were computed
//! with, and per file the hash of its bytes and its results, findings kept
//! without what their rule says of all of them.

use crate::engine::FileOutcome;
use crate::facts::Unless;
use crate::finding::Finding;
use crate::rules::meta::{Confidence, RuleMeta, Severity};
use crate::rules::Registry;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};

/// Bumped whenever the layout of a cache file changes.
pub(super) const FORMAT: u32 = 1;

/// What a cache's results were computed with; a cache is used only when
/// every field matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Key {
    pub(super) format: u32,
    pub(super) version: String,
    /// BLAKE3 of the prodready executable.
    pub(super) binary: String,
    /// [`Registry::identity`].
    pub(super) rules: String,
}

/// The executable's size and modification time next to its hash, so the
/// executable is hashed again only when one of them changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct BinaryStamp {
    pub(super) len: u64,
    pub(super) modified_secs: u64,
    pub(super) modified_nanos: u32,
    pub(super) hash: String,
}

/// A finding without what its rule says of all its findings (title, fix,
/// category, CWE) or its entry's key (the path), plus what its report form
/// leaves out (the match hash baselines count by, the withdrawing fact).
#[derive(Serialize, Deserialize)]
pub(super) struct StoredFinding {
    pub(super) rule_id: String,
    pub(super) severity: Severity,
    pub(super) confidence: Confidence,
    pub(super) line: u32,
    pub(super) column: u32,
    pub(super) end_line: u32,
    pub(super) end_column: u32,
    pub(super) message: String,
    pub(super) snippet: String,
    pub(super) fingerprint: String,
    pub(super) suppressed: bool,
    pub(super) suppression_reason: Option<String>,
    pub(super) match_hash: String,
    pub(super) unless: Option<Unless>,
}

impl StoredFinding {
    pub(super) fn new(f: &Finding) -> StoredFinding {
        StoredFinding {
            rule_id: f.rule_id.clone(),
            severity: f.severity,
            confidence: f.confidence,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            message: f.message.clone(),
            snippet: f.snippet.clone(),
            fingerprint: f.fingerprint.clone(),
            suppressed: f.suppressed,
            suppression_reason: f.suppression_reason.clone(),
            match_hash: f.match_hash.clone(),
            unless: f.unless.clone(),
        }
    }

    /// The finding again, its rule's part from `meta`.
    pub(super) fn restore(self, path: &str, meta: &RuleMeta) -> Finding {
        Finding {
            rule_id: self.rule_id,
            title: meta.title.clone(),
            severity: self.severity,
            confidence: self.confidence,
            category: meta.category,
            cwe: meta.cwe.clone(),
            path: path.to_string(),
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
            message: self.message,
            snippet: self.snippet,
            fingerprint: self.fingerprint,
            fix: meta.fix.clone(),
            suppressed: self.suppressed,
            suppression_reason: self.suppression_reason,
            match_hash: self.match_hash,
            unless: self.unless,
        }
    }
}

/// One file's results as stored.
#[derive(Deserialize)]
pub(super) struct StoredBody {
    pub(super) outcome: FileOutcome,
    pub(super) findings: Vec<StoredFinding>,
}

/// A file's entry as read: the body stays text until the file is reached
/// (held as text, 100,000 files' results take a third of the memory they
/// take parsed, and the workers parse them in parallel).
#[derive(Deserialize)]
pub(super) struct StoredEntry {
    pub(super) hash: String,
    pub(super) body: Box<RawValue>,
}

#[derive(Deserialize)]
pub(super) struct StoredFile {
    pub(super) key: Key,
    pub(super) stamp: BinaryStamp,
    pub(super) entries: HashMap<String, StoredEntry>,
}

#[derive(Serialize)]
pub(super) struct BodyOut<'a> {
    pub(super) outcome: &'a FileOutcome,
    pub(super) findings: Vec<StoredFinding>,
}

#[derive(Serialize)]
pub(super) struct EntryOut<'a> {
    pub(super) hash: String,
    pub(super) body: BodyOut<'a>,
}

#[derive(Serialize)]
pub(super) struct FileOut<'a> {
    pub(super) key: &'a Key,
    pub(super) stamp: &'a BinaryStamp,
    pub(super) entries: BTreeMap<&'a str, EntryOut<'a>>,
}

pub(super) fn metas_of(registry: &Registry) -> HashMap<String, RuleMeta> {
    registry
        .rules
        .iter()
        .map(|r| (r.meta.id.clone(), r.meta.clone()))
        .collect()
}

/// One entry's body as the outcome it was saved from; `None` when it is
/// malformed or names a rule the registry lacks.
pub(super) fn decode(
    body: &RawValue,
    rel_path: &str,
    metas: &HashMap<String, RuleMeta>,
) -> Option<FileOutcome> {
    let body: StoredBody = serde_json::from_str(body.get()).ok()?;
    let mut outcome = body.outcome;
    outcome.findings = body
        .findings
        .into_iter()
        .map(|f| {
            let meta = metas.get(&f.rule_id)?;
            Some(f.restore(rel_path, meta))
        })
        .collect::<Option<Vec<Finding>>>()?;
    Some(outcome)
}

/// Stored entries as lookups by path; one with a malformed hash is dropped.
pub(super) fn lookups(
    stored: HashMap<String, StoredEntry>,
) -> HashMap<String, (blake3::Hash, Box<RawValue>)> {
    stored
        .into_iter()
        .filter_map(|(path, entry)| {
            let hash = blake3::Hash::from_hex(&entry.hash).ok()?;
            Some((path, (hash, entry.body)))
        })
        .collect()
}
