//! Entry points shared by the fuzz targets (fuzz/) and the regression tests
//! that replay what the fuzzers found (tests/fuzz_regressions.rs). Each takes
//! arbitrary bytes and must return without panicking.

use crate::config::Config;
use crate::engine::{check_parsed, parse_for};
use crate::lang::Language;
use crate::rules::load::load_any;
use crate::rules::Registry;
use clap::Parser;
use std::path::Path;
use std::sync::OnceLock;

fn registry() -> Option<&'static Registry> {
    static REGISTRY: OnceLock<Option<Registry>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| Registry::load(&[] as &[&str]).ok())
        .as_ref()
}

/// The first byte picks a language, the rest is the file; parse it and run
/// every built-in rule, fact extractor and metric on it, once as a source
/// file and once as a test file (which may stay unparsed).
pub fn code_and_config(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let language = Language::ALL[usize::from(selector) % Language::ALL.len()];
    let text = String::from_utf8_lossy(rest).into_owned();
    let language = if language.is_yaml() {
        language.refine_yaml(&text)
    } else {
        language
    };
    let Some(registry) = registry() else { return };
    for dir in ["fuzz", "tests"] {
        let path = format!("{dir}/input.{}", language.name());
        let file = parse_for(registry, language, path, text.clone());
        let _ = check_parsed(&file, registry, None);
        let _ = crate::facts::extract(&file);
        let _ = crate::metrics::measure(&file);
    }
}

/// A rule file: must load or fail with a diagnostic.
pub fn rule_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = load_any("rules/fuzz/fuzz-rule.toml", &text);
}

/// A result cache file (src/cache.rs), every entry read back.
pub fn cache_file(data: &[u8]) {
    if let Some(registry) = registry() {
        let _ = crate::cache::read_back_all(data, registry);
    }
}

/// A prodready.toml (odd first byte) or pyproject.toml.
pub fn config_file(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let name = if selector % 2 == 1 {
        "prodready.toml"
    } else {
        "pyproject.toml"
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let _ = Config::from_text(Path::new(name), text);
}

/// The names a `project` input's parts are written under: each kind of file
/// a scan reads, where real repositories keep it.
const PROJECT_FILES: &[&str] = &[
    "app/main.py",
    "app/settings.py",
    "app/views.py",
    "tests/test_api.py",
    "src/server.ts",
    "src/routes/users.js",
    "src/app.controller.ts",
    "src/main.rs",
    "src/db.rs",
    "Cargo.toml",
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "Dockerfile",
    "docker-compose.yml",
    "k8s/deployment.yaml",
    ".github/workflows/ci.yml",
    ".env",
    ".gitignore",
    "README.md",
    "prodready.toml",
    BASELINE_FILE,
];

/// Where a `project` input's baseline part goes; given to `--baseline`.
const BASELINE_FILE: &str = "prodready-baseline.json";

/// Separates a `project` input's files.
pub const PROJECT_SEPARATOR: &[u8] = b"\n%%%%\n";

/// A whole project, end to end: the input is split at
/// [`PROJECT_SEPARATOR`] into up to eight files, each part's first byte
/// naming it (from [`PROJECT_FILES`]); they are written to a scratch folder
/// and scanned as `prodready scan` would (configuration, suppressions,
/// baseline, project checks, score, gate), and the report is written in
/// every format. Errors are rendered as the command line would show them.
/// Returns the number of findings reported, or `None` when the scan stopped
/// with an error (a bad configuration or baseline).
pub fn project(data: &[u8]) -> Option<usize> {
    let registry = registry()?;
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch =
        std::env::temp_dir().join(format!("prodready-fuzz-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let reported = scan_project(data, registry, &scratch);
    // Removed whatever the scan did, a failed write included.
    let _ = std::fs::remove_dir_all(&scratch);
    reported
}

/// [`project`]'s work inside its scratch folder.
fn scan_project(data: &[u8], registry: &Registry, scratch: &Path) -> Option<usize> {
    let tree = scratch.join("tree");
    std::fs::create_dir_all(&tree).ok()?;
    let mut has_baseline = false;
    for part in split_parts(data, PROJECT_SEPARATOR).take(8) {
        let Some((&selector, body)) = part.split_first() else {
            continue;
        };
        let name = PROJECT_FILES[usize::from(selector) % PROJECT_FILES.len()];
        let path = tree.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(&path, body).ok()?;
        has_baseline |= name == BASELINE_FILE;
    }
    let mut argv = vec![
        "prodready".to_string(),
        "scan".to_string(),
        tree.to_string_lossy().into_owned(),
        "--jobs".to_string(),
        "1".to_string(),
        "--write-baseline".to_string(),
        scratch.join("written.json").to_string_lossy().into_owned(),
    ];
    if has_baseline {
        argv.push("--baseline".to_string());
        argv.push(tree.join(BASELINE_FILE).to_string_lossy().into_owned());
    }
    let args = match crate::cli::Cli::try_parse_from(argv) {
        Ok(crate::cli::Cli {
            command: crate::cli::Command::Scan(args),
        }) => args,
        _ => return None,
    };
    let mut sink = std::io::sink();
    match crate::app::scan(&args, registry) {
        Ok(report) => {
            let style = crate::report::Style {
                color: data.len().is_multiple_of(2),
                verbose: true,
                width: 40 + data.len() % 100,
                quiet: false,
            };
            for format in [
                crate::report::Format::Text,
                crate::report::Format::Json,
                crate::report::Format::Markdown,
                crate::report::Format::Sarif,
            ] {
                let _ = crate::report::write_report(&report, format, style, &mut sink);
            }
            let _ = crate::report::explain::write(&report, &mut sink);
            Some(report.findings.len())
        }
        Err(e) => {
            let _ = std::io::Write::write_fmt(&mut sink, format_args!("{e:?}"));
            None
        }
    }
}

/// `data` cut at every `separator`.
fn split_parts<'d>(data: &'d [u8], separator: &'d [u8]) -> impl Iterator<Item = &'d [u8]> + 'd {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let current = rest?;
        match current
            .windows(separator.len())
            .position(|w| w == separator)
        {
            Some(at) => {
                rest = Some(&current[at + separator.len()..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}
