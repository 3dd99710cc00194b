//! `--cache-dir DIR`: reuse the results of files unchanged since the last
//! scan.
//!
//! What one file yields (findings, notes, facts, metrics) depends only on
//! its path, its bytes, the rules and the prodready build. The cache keeps,
//! per scanned root, each file's outcome under the BLAKE3 hash of its bytes,
//! and the whole cache holds only for the same executable and the same rule
//! files: anything else starts afresh. A content hash, not a modification
//! time, so a fresh CI checkout hits; a cryptographic one, so a file cannot
//! be crafted to pass for a cached clean one.
//!
//! Everything after the per-file pass (withdrawing findings, project
//! checks, settings, baselines, scores, the gate) is recomputed on every
//! scan, so a report built from the cache is byte-for-byte the report a
//! fresh scan writes. The cache is an optimisation only: one that cannot be
//! read or written costs a warning, never a scan.

mod stored;

use crate::discover::{SkipReason, SourceFile};
use crate::engine::FileOutcome;
use crate::rules::meta::RuleMeta;
use crate::rules::Registry;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use stored::{
    decode, lookups, metas_of, BinaryStamp, BodyOut, EntryOut, FileOut, Key, StoredFile,
    StoredFinding, FORMAT,
};

/// Why a cache held nothing to reuse, for the line the scan prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Reused results are on offer.
    Loaded,
    /// No cache for this folder yet.
    New,
    /// The rules, the prodready build or the cache format changed.
    Outdated,
    /// The file could not be read or parsed (the message says why).
    Unreadable(String),
}

/// The results of the last scan of one folder.
pub struct Cache {
    file: PathBuf,
    dir: PathBuf,
    key: Key,
    stamp: BinaryStamp,
    /// Taken out as they are reused: a file's results are held once.
    entries: Mutex<HashMap<String, (blake3::Hash, Box<RawValue>)>>,
    /// How many entries the cache file held.
    stored: usize,
    /// What a rule says of all its findings, by rule id.
    metas: HashMap<String, RuleMeta>,
    pub start: Start,
}

/// `to` as a path relative to the folder `from` (`..` steps, then names),
/// with `/` separators; both are canonical. Different prefixes (Windows
/// drives) give `to` itself.
fn relative_path(from: &Path, to: &Path) -> String {
    use std::path::Component;
    let a: Vec<Component<'_>> = from.components().collect();
    let b: Vec<Component<'_>> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.to_string_lossy().replace('\\', "/");
    }
    let ups = std::iter::repeat_n("..".to_string(), a.len() - common);
    let downs = b[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let parts: Vec<String> = ups.chain(downs).collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

impl Cache {
    /// Open (creating `dir` if needed) the cache of the scan of `root`, a
    /// folder or a single file (each has a cache file of its own, so
    /// scanning one file does not replace its folder's results).
    /// An error means no cache can be used at all; a cache file that is
    /// unreadable, outdated or corrupt gives an empty cache instead.
    pub fn open(dir: &Path, root: &Path, registry: &Registry) -> Result<Cache, String> {
        let created = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the folder: {e}"))?;
        let dir = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if root == dir {
            return Err(
                "it is the scanned folder itself; give the cache a folder of its own, such as .prodready-cache".into(),
            );
        }
        // Only a folder of its own gets the markers: a `.gitignore` of `*`
        // in a folder of the user's would hide their files from git.
        if created {
            mark_folder(&dir);
        }
        // Named by where the root is seen from the cache folder, not by its
        // absolute path: a checkout restored with its cache somewhere else
        // (a CI runner's numbered build folder) finds its results.
        let root_hash = blake3::hash(relative_path(&dir, &root).as_bytes()).to_hex();
        let file = dir.join(format!("scan-{}.json", &root_hash[..16]));
        // Streamed: at 100,000 files the cache is over 100 MB of text,
        // which need not be held beside what it parses into.
        let (stored, start) = match std::fs::File::open(&file) {
            Ok(f) => {
                let reader = std::io::BufReader::with_capacity(1 << 16, f);
                match serde_json::from_reader::<_, StoredFile>(reader) {
                    Ok(stored) => (Some(stored), Start::Loaded),
                    Err(e) => (None, Start::Unreadable(e.to_string())),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, Start::New),
            Err(e) => (None, Start::Unreadable(e.to_string())),
        };
        let stamp = binary_stamp(stored.as_ref().map(|s| &s.stamp))?;
        let key = Key {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            binary: stamp.hash.clone(),
            rules: registry.identity().to_hex().to_string(),
        };
        let (entries, start) = match stored {
            Some(stored) if stored.key == key => (lookups(stored.entries), start),
            Some(_) => (HashMap::new(), Start::Outdated),
            None => (HashMap::new(), start),
        };
        Ok(Cache {
            file,
            dir,
            key,
            stamp,
            stored: entries.len(),
            entries: Mutex::new(entries),
            metas: metas_of(registry),
            start,
        })
    }

    /// Leave the cache's own folder out of a scan of `root`, when it is
    /// inside it: its files hold findings' snippets, which are not code.
    pub fn leave_out(&self, root: &Path, discovery: &mut crate::discover::Discovery) {
        let Ok(root) = std::fs::canonicalize(root) else {
            return;
        };
        let Ok(rel) = self.dir.strip_prefix(&root) else {
            return;
        };
        let mut prefix = rel.to_string_lossy().replace('\\', "/");
        prefix.push('/');
        discovery.files.retain(|f| !f.rel_path.starts_with(&prefix));
        discovery.skipped.retain(|s| !s.path.starts_with(&prefix));
    }

    /// What the scan tells the user about the cache, given how many of
    /// `total` files' results it reused.
    pub fn summary(&self, reused: usize, total: usize) -> String {
        let why = match &self.start {
            Start::Loaded => String::new(),
            Start::New => " (new cache)".into(),
            Start::Outdated => " (the rules or prodready changed since it was written)".into(),
            Start::Unreadable(e) => {
                format!(" (the cache file could not be read, {e}; it is rewritten)")
            }
        };
        format!(
            "result cache {}: reused {reused} of {total} files' results{why}",
            self.dir.display()
        )
    }

    /// The outcome stored for `rel_path` when its bytes still hash to
    /// `hash`, taken out of the cache (a scan asks once per file). An
    /// entry that cannot be read back exactly is a miss.
    pub fn take(&self, rel_path: &str, hash: &blake3::Hash) -> Option<FileOutcome> {
        let body = {
            let mut entries = match self.entries.lock() {
                Ok(e) => e,
                // A panic elsewhere cannot leave the map half-changed.
                Err(poisoned) => poisoned.into_inner(),
            };
            if entries
                .get(rel_path)
                .is_none_or(|(stored, _)| stored != hash)
            {
                return None;
            }
            entries.remove(rel_path)?.1
        };
        let mut outcome = decode(&body, rel_path, &self.metas)?;
        outcome.content_hash = Some(*hash);
        outcome.from_cache = true;
        Some(outcome)
    }

    /// Replace the cache file with the outcomes of this scan: those of
    /// files that were read and checked to the end (not out of time, not
    /// failed inside a rule). `outcomes` are in the order of `files`.
    pub fn save(&self, files: &[SourceFile], outcomes: &[FileOutcome]) -> Result<(), String> {
        // Every stored result reused, and nothing else scanned: the file
        // already says all this scan would write.
        if outcomes.len() == self.stored && outcomes.iter().all(|o| o.from_cache) {
            return Ok(());
        }
        let entries = files
            .iter()
            .zip(outcomes)
            .filter(|(_, o)| {
                !o.timed_out
                    && o.skipped
                        .as_ref()
                        .is_none_or(|s| s.reason != SkipReason::InternalError)
            })
            .filter_map(|(file, outcome)| {
                let hash = outcome.content_hash?;
                let entry = EntryOut {
                    hash: hash.to_hex().to_string(),
                    body: BodyOut {
                        outcome,
                        findings: outcome.findings.iter().map(StoredFinding::new).collect(),
                    },
                };
                Some((file.rel_path.as_str(), entry))
            })
            .collect();
        let out = FileOut {
            key: &self.key,
            stamp: &self.stamp,
            entries,
        };
        write_replacing(&self.file, |w| {
            serde_json::to_writer(&mut *w, &out).map_err(std::io::Error::other)
        })
        .map_err(|e| format!("cannot write {}: {e}", self.file.display()))
    }
}

/// Parse a cache file's bytes and read back every entry as a scan would,
/// whatever its key says; how many entries read back (the `cache_file`
/// fuzz target, src/fuzzing.rs).
pub fn read_back_all(data: &[u8], registry: &Registry) -> usize {
    let Ok(stored) = serde_json::from_slice::<StoredFile>(data) else {
        return 0;
    };
    let metas = metas_of(registry);
    lookups(stored.entries)
        .iter()
        .filter_map(|(path, (_, body))| decode(body, path, &metas))
        .count()
}

/// The running executable's stamp; its hash is taken from `previous` when
/// size and modification time are unchanged.
fn binary_stamp(previous: Option<&BinaryStamp>) -> Result<BinaryStamp, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the executable: {e}"))?;
    let meta = std::fs::metadata(&exe).map_err(|e| format!("cannot read the executable: {e}"))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    let (len, modified_secs, modified_nanos) =
        (meta.len(), modified.as_secs(), modified.subsec_nanos());
    if let Some(prev) = previous.filter(|p| {
        (p.len, p.modified_secs, p.modified_nanos) == (len, modified_secs, modified_nanos)
    }) {
        return Ok(prev.clone());
    }
    let file = std::fs::File::open(&exe).map_err(|e| format!("cannot read the executable: {e}"))?;
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(file)
        .map_err(|e| format!("cannot read the executable: {e}"))?;
    Ok(BinaryStamp {
        len,
        modified_secs,
        modified_nanos,
        hash: hasher.finalize().to_hex().to_string(),
    })
}

/// Tell git and backup tools that the folder holds a cache, once.
fn mark_folder(dir: &Path) {
    let files = [
        (
            ".gitignore",
            "# Created by prodready: a scan result cache.\n*\n",
        ),
        (
            "CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n# A prodready scan result cache.\n",
        ),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        if !path.exists() {
            // Best effort: the cache works without them.
            let _ = std::fs::write(path, text);
        }
    }
}

/// Write `path` through a temporary file in its folder and a rename, so a
/// reader (or a scan running beside this one) never sees half a cache.
fn write_replacing(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = std::io::BufWriter::new(tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    // Not synced to disk: a cache torn by a crash fails to parse, or to
    // match, and is rebuilt; syncing 200 MB would cost seconds a scan.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Skipped;
    use crate::lang::Language;

    #[test]
    fn relative_paths_between_folders() {
        let rel = |a: &str, b: &str| relative_path(Path::new(a), Path::new(b));
        assert_eq!(rel("/w/repo/.cache", "/w/repo"), "..");
        assert_eq!(rel("/w/repo/.cache", "/w/repo/src/app.py"), "../src/app.py");
        assert_eq!(
            rel("/home/u/.cache/prodready", "/w/repo"),
            "../../../../w/repo"
        );
        assert_eq!(rel("/w/cache", "/w/cache"), ".");
    }

    fn source(rel_path: &str) -> SourceFile {
        SourceFile {
            abs_path: PathBuf::from(rel_path),
            rel_path: rel_path.into(),
            language: Language::Python,
            size: 1,
        }
    }

    fn outcome(bytes: &[u8]) -> FileOutcome {
        FileOutcome {
            language: Some(Language::Python),
            lines: 1,
            bytes: 1,
            content_hash: Some(blake3::hash(bytes)),
            ..FileOutcome::default()
        }
    }

    #[test]
    fn keeps_only_outcomes_checked_to_the_end_and_matches_by_content() {
        let registry = match Registry::load(&[] as &[PathBuf]) {
            Ok(r) => r,
            Err(e) => panic!("built-in rules load: {e:?}"),
        };
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("root");
        std::fs::create_dir_all(&root).expect("root");
        let dir = tmp.path().join("cache");
        let cache = Cache::open(&dir, &root, &registry).expect("opens");
        assert_eq!(cache.start, Start::New);
        let files = [source("a.py"), source("slow.py"), source("bad.py")];
        let mut slow = outcome(b"slow");
        slow.timed_out = true;
        let mut bad = outcome(b"bad");
        bad.skipped = Some(Skipped {
            path: "bad.py".into(),
            reason: SkipReason::InternalError,
            detail: "internal error".into(),
        });
        cache
            .save(&files, &[outcome(b"a"), slow, bad])
            .expect("saves");

        let cache = Cache::open(&dir, &root, &registry).expect("opens");
        assert_eq!(cache.start, Start::Loaded);
        let bytes = std::fs::read(&cache.file).expect("cache file");
        assert_eq!(read_back_all(&bytes, &registry), 1);
        assert_eq!(read_back_all(&bytes[..bytes.len() / 2], &registry), 0);
        assert!(cache.take("a.py", &blake3::hash(b"a edited")).is_none());
        let hit = cache.take("a.py", &blake3::hash(b"a")).expect("a hit");
        assert!(hit.from_cache);
        assert_eq!(hit.language, Some(Language::Python));
        assert!(
            cache.take("a.py", &blake3::hash(b"a")).is_none(),
            "taken once"
        );
        assert!(cache.take("slow.py", &blake3::hash(b"slow")).is_none());
        assert!(cache.take("bad.py", &blake3::hash(b"bad")).is_none());

        // Another registry: nothing is reused.
        let fewer = registry.retain(|r| r.meta.id != "secret-fallback");
        let cache = Cache::open(&dir, &root, &fewer).expect("opens");
        assert_eq!(cache.start, Start::Outdated);
        assert!(cache.take("a.py", &blake3::hash(b"a")).is_none());
    }
}
