//! `--cache-dir`: a scan that reuses stored results writes the report a
//! fresh scan writes, and checks again exactly the files that changed.

mod common;

use common::{copy_tree, prodready, INSECURE, TODO_RULE};
use std::fs;
use std::path::{Path, PathBuf};

/// A copy of `fixture` to edit, and a cache folder outside it.
struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    cache: PathBuf,
}

fn setup(fixture: &str) -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("project");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture), &root);
    let cache = tmp.path().join("cache");
    Setup {
        _tmp: tmp,
        root,
        cache,
    }
}

/// `scan ROOT --format FORMAT EXTRA...`: the report and what went to stderr.
fn scan(root: &Path, format: &str, extra: &[&str]) -> (String, String) {
    let out = prodready()
        .args(["scan", "--fail-on", "none", "--format", format])
        .args(extra)
        .arg(root)
        .assert()
        .code(0)
        .get_output()
        .clone();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn cached(root: &Path, cache: &Path, format: &str) -> (String, String) {
    let dir = cache.to_string_lossy().into_owned();
    scan(root, format, &["--cache-dir", &dir])
}

/// The "reused N of M" counts of a scan's cache line.
fn reused(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("result cache "))
        .unwrap_or_else(|| panic!("no cache line in: {stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "reused").expect("reused");
    let n = words[at + 1].parse().expect("count");
    let m = words[at + 3].parse().expect("total");
    (n, m)
}

#[test]
fn an_unchanged_tree_reuses_every_result_and_writes_the_same_report() {
    let s = setup(INSECURE);
    let (fresh, _) = scan(&s.root, "json", &[]);
    let (first, err) = cached(&s.root, &s.cache, "json");
    let (n, total) = reused(&err);
    assert_eq!(n, 0, "{err}");
    assert!(err.contains("(new cache)"), "{err}");
    assert!(total > 5, "{err}");
    assert_eq!(first, fresh);
    for format in ["json", "sarif", "markdown", "text"] {
        let (fresh, _) = scan(&s.root, format, &[]);
        let (warm, err) = cached(&s.root, &s.cache, format);
        assert_eq!(reused(&err), (total, total), "{format}: {err}");
        assert_eq!(warm, fresh, "{format}");
    }
    // The folder is marked as a cache for git and backup tools.
    let ignore = fs::read_to_string(s.cache.join(".gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|l| l == "*"));
    assert!(s.cache.join("CACHEDIR.TAG").is_file());
}

#[test]
fn an_edited_file_is_checked_again() {
    let s = setup(INSECURE);
    let (_, err) = cached(&s.root, &s.cache, "json");
    let total = reused(&err).1;
    let module = s.root.join("services/auth/settings_extra.py");
    fs::write(
        &module,
        "import os\n\nREPORTS_TOKEN = os.getenv(\"REPORTS_TOKEN\", \"reports-dev-token-1\")\n",
    )
    .expect("write");
    let (warm, err) = cached(&s.root, &s.cache, "json");
    // A new file: every other result is reused, the new one is checked.
    assert_eq!(reused(&err), (total, total + 1), "{err}");
    let (fresh, _) = scan(&s.root, "json", &[]);
    assert_eq!(warm, fresh);
    assert!(warm.contains("services/auth/settings_extra.py"));

    // Fixed: the finding goes, and only that file is checked again.
    fs::write(
        &module,
        "import os\n\nREPORTS_TOKEN = os.environ[\"REPORTS_TOKEN\"]\n",
    )
    .expect("write");
    let (warm, err) = cached(&s.root, &s.cache, "json");
    assert_eq!(reused(&err), (total, total + 1), "{err}");
    assert!(!warm.contains("services/auth/settings_extra.py"));
    assert_eq!(warm, scan(&s.root, "json", &[]).0);
}

#[test]
fn findings_withdrawn_by_another_file_stay_withdrawn() {
    // The global throttler guard in one file withdraws the route findings
    // of another: the condition must survive the cache.
    let s = setup("fixtures/families/limits/partners-platform");
    let (fresh, _) = scan(&s.root, "json", &[]);
    cached(&s.root, &s.cache, "json");
    let (warm, err) = cached(&s.root, &s.cache, "json");
    let (n, total) = reused(&err);
    assert_eq!(n, total);
    assert_eq!(warm, fresh);
}

#[test]
fn a_baseline_matches_cached_findings_as_it_matches_fresh_ones() {
    let s = setup(INSECURE);
    let baseline = s.cache.with_file_name("baseline.json");
    let b = baseline.to_string_lossy().into_owned();
    scan(&s.root, "json", &["--write-baseline", &b]);
    let (fresh, _) = scan(&s.root, "json", &["--baseline", &b]);
    let dir = s.cache.to_string_lossy().into_owned();
    scan(&s.root, "json", &["--cache-dir", &dir]);
    let (warm, err) = scan(&s.root, "json", &["--cache-dir", &dir, "--baseline", &b]);
    assert_eq!(reused(&err).0, reused(&err).1, "{err}");
    assert_eq!(warm, fresh);
    let report: serde_json::Value = serde_json::from_str(&warm).expect("json");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_corrupt_cache_file_is_rewritten_and_the_scan_goes_on() {
    let s = setup(INSECURE);
    let (fresh, _) = scan(&s.root, "json", &[]);
    cached(&s.root, &s.cache, "json");
    let file = fs::read_dir(&s.cache)
        .expect("cache folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a cache file");
    fs::write(&file, b"{\"key\": [truncated").expect("write");
    let (warm, err) = cached(&s.root, &s.cache, "json");
    assert!(err.contains("could not be read"), "{err}");
    assert_eq!(reused(&err).0, 0);
    assert_eq!(warm, fresh);
    let (warm, err) = cached(&s.root, &s.cache, "json");
    assert_eq!(reused(&err).0, reused(&err).1, "{err}");
    assert_eq!(warm, fresh);
}

#[test]
fn other_rules_do_not_reuse_results() {
    let s = setup(INSECURE);
    cached(&s.root, &s.cache, "json");
    let rules = s.cache.with_file_name("rules");
    fs::create_dir_all(&rules).expect("rules folder");
    fs::write(rules.join("todo-comment.toml"), TODO_RULE).expect("write");
    let r = rules.to_string_lossy().into_owned();
    let dir = s.cache.to_string_lossy().into_owned();
    let (warm, err) = scan(&s.root, "json", &["--cache-dir", &dir, "--rules", &r]);
    assert!(err.contains("the rules or prodready changed"), "{err}");
    assert_eq!(reused(&err).0, 0);
    assert_eq!(warm, scan(&s.root, "json", &["--rules", &r]).0);
}

#[test]
fn a_cache_inside_the_scanned_folder_is_not_scanned() {
    let s = setup(INSECURE);
    let (fresh, _) = scan(&s.root, "json", &[]);
    let inside = s.root.join(".prodready-cache");
    for _ in 0..2 {
        let (warm, _) = cached(&s.root, &inside, "json");
        assert_eq!(warm, fresh);
    }
    // Also when git's ignore files are not honoured.
    let (fresh, _) = scan(&s.root, "json", &["--no-default-excludes"]);
    let dir = inside.to_string_lossy().into_owned();
    let (warm, _) = scan(
        &s.root,
        "json",
        &["--cache-dir", &dir, "--no-default-excludes"],
    );
    assert_eq!(warm, fresh);
}

#[test]
fn the_scanned_folder_itself_is_refused_as_a_cache() {
    let s = setup(INSECURE);
    let before = fs::read_dir(&s.root).expect("root").flatten().count();
    let (fresh, _) = scan(&s.root, "json", &[]);
    let (report, err) = cached(&s.root, &s.root, "json");
    assert!(err.contains("scanning without it"), "{err}");
    assert_eq!(report, fresh);
    let after = fs::read_dir(&s.root).expect("root").flatten().count();
    assert_eq!(before, after, "nothing written into the scanned folder");
}

#[test]
fn scanning_one_file_keeps_the_folder_results() {
    let s = setup(INSECURE);
    let (_, err) = cached(&s.root, &s.cache, "json");
    let total = reused(&err).1;
    let (_, err) = cached(&s.root.join("docker-compose.yml"), &s.cache, "json");
    assert_eq!(reused(&err), (0, 1), "{err}");
    let (_, err) = cached(&s.root, &s.cache, "json");
    assert_eq!(reused(&err), (total, total), "{err}");
}

/// A checkout restored somewhere else with its cache beside it (a CI
/// runner's numbered build folder) reuses every result: the cache file is
/// named by where the root is seen from the cache, not by absolute path.
#[test]
fn a_moved_checkout_with_its_cache_reuses_its_results() {
    let s = setup(INSECURE);
    let inside = s.root.join(".prodready-cache");
    let (first, err) = cached(&s.root, &inside, "json");
    assert_eq!(reused(&err).0, 0, "{err}");
    let moved = s.root.with_file_name("builds-2").join("project");
    fs::create_dir_all(moved.parent().expect("parent")).expect("mkdir");
    fs::rename(&s.root, &moved).expect("move the checkout");
    let (again, err) = cached(&moved, &moved.join(".prodready-cache"), "json");
    let (n, total) = reused(&err);
    assert_eq!(n, total, "{err}");
    // The same findings; only the report's root differs.
    let findings = |report: &str| {
        let v: serde_json::Value = serde_json::from_str(report).expect("json");
        v["findings"].clone()
    };
    assert_eq!(findings(&again), findings(&first));
}
