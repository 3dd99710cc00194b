//! Every built-in rule is complete and its examples hold: `bad` snippets are
//! flagged, `good` ones are not. A rule without passing examples cannot land.

use prodready::rules::load::is_kebab;
use prodready::rules::meta::Category;
use prodready::rules::Registry;
use prodready::ruletest::test_rules;

fn builtin() -> Registry {
    match Registry::load(&[] as &[&str]) {
        Ok(r) => r,
        Err(e) => panic!("built-in rules must load: {:?}", miette::Report::new(e)),
    }
}

#[test]
fn every_rule_example_passes() {
    let registry = builtin();
    assert!(!registry.rules.is_empty());
    let failures: Vec<String> = test_rules(&registry)
        .into_iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}:\n  {}", r.id, r.failures.join("\n  ")))
        .collect();
    assert!(
        failures.is_empty(),
        "rule examples failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_is_documented_and_well_formed() {
    for rule in &builtin().rules {
        let m = &rule.meta;
        assert!(is_kebab(&m.id), "{}: kebab-case id", m.id);
        assert!(
            rule.origin.ends_with(&format!("/{}.toml", m.id)),
            "{}: file named after the id",
            m.id
        );
        assert!(m.why.len() > 40, "{}: `why` explains the problem", m.id);
        assert!(m.fix.len() > 20, "{}: `fix` says what to do", m.id);
        if m.category == Category::Security {
            assert!(!m.cwe.is_empty(), "{}: security rules carry CWE ids", m.id);
        }
        let title_first = m.title.chars().next().unwrap_or('a');
        assert!(
            title_first.is_uppercase(),
            "{}: titles are capitalised",
            m.id
        );
        for ex in &rule.examples {
            for code in [&ex.bad, &ex.good].into_iter().flatten() {
                assert!(!code.trim().is_empty(), "{}: empty example", m.id);
            }
        }
    }
}

#[test]
fn messages_start_lower_case_without_trailing_period() {
    for rule in &builtin().rules {
        let templates = rule
            .message
            .iter()
            .chain(rule.matchers.iter().filter_map(|m| m.message.as_ref()));
        for t in templates {
            let first = t.chars().next().unwrap_or('a');
            assert!(
                !first.is_uppercase(),
                "{}: message starts lower-case: {t}",
                rule.meta.id
            );
            assert!(
                !t.trim_end().ends_with('.'),
                "{}: no trailing period: {t}",
                rule.meta.id
            );
        }
    }
}

#[test]
fn every_rule_lives_in_its_category_folder() {
    for rule in &builtin().rules {
        let folder = format!("rules/{}/", rule.meta.category);
        assert!(
            rule.origin.starts_with(&folder),
            "{} is in {}, expected {folder}",
            rule.meta.id,
            rule.origin
        );
    }
}

/// The literal pre-filters (src/rules/prefilter.rs), per file and per
/// node, only skip matchers that could not match: every example and every fixture file gives the same
/// findings with and without them.
#[test]
fn prefilters_never_change_findings() {
    use prodready::discover::{walk, WalkOptions};
    use prodready::engine::check_parsed;
    use prodready::parse::parse;

    let gated = builtin();
    let counts = gated.gated_matchers();
    assert!(
        counts.file * 2 > counts.ast && counts.node * 2 > counts.ast,
        "most AST matchers have literal gates: {counts:?}"
    );
    let ungated = builtin().without_prefilters();
    let mut inputs: Vec<(prodready::lang::Language, String, String)> = Vec::new();
    for rule in &gated.rules {
        for ex in &rule.examples {
            for code in [&ex.bad, &ex.good].into_iter().flatten() {
                inputs.push((ex.language, ex.path.clone(), code.clone()));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let Ok(found) = walk(&root, &root, &WalkOptions::default()) else {
        panic!("fixtures must be walkable");
    };
    for f in &found.files {
        if let Ok(text) = std::fs::read_to_string(&f.abs_path) {
            inputs.push((f.language, f.rel_path.clone(), text));
        }
    }
    assert!(inputs.len() > 300, "{} inputs", inputs.len());
    let mut compared = 0;
    for (language, path, text) in inputs {
        let parsed = parse(language, path.clone(), text);
        let a = check_parsed(&parsed, &gated, None);
        let b = check_parsed(&parsed, &ungated, None);
        let key = |f: &prodready::finding::Finding| {
            (f.rule_id.clone(), f.line, f.column, f.message.clone())
        };
        let a: Vec<_> = a.iter().map(key).collect();
        let b: Vec<_> = b.iter().map(key).collect();
        assert_eq!(a, b, "{path}: the pre-filters changed the findings");
        compared += b.len();
    }
    assert!(compared > 300, "only {compared} findings compared");
}
