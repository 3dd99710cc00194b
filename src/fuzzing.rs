//! Entry points shared by the fuzz targets (fuzz/) and the regression tests
//! that replay what the fuzzers found (tests/fuzz_regressions.rs). Each takes
//! arbitrary bytes and must return without panicking.

use crate::config::Config;
use crate::engine::{check_parsed, parse_for};
use crate::lang::Language;
use crate::rules::load::load_any;
use crate::rules::Registry;
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
