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

/// Test files are left unparsed when no rule that reports in tests could
/// match them (the anchors of Rust checks, the literals of AST matchers):
/// every rule example, moved under `tests/`, and every fixture give the same
/// findings as when every test file is parsed and every check runs.
#[test]
fn unparsed_test_files_lose_no_findings() {
    use prodready::discover::{walk, WalkOptions};
    use prodready::engine::{check_files, Limits};

    let gated = builtin();
    let ungated = builtin().without_prefilters();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut written = 0;
    for rule in &gated.rules {
        for (i, ex) in rule.examples.iter().enumerate() {
            for (kind, code) in [("bad", &ex.bad), ("good", &ex.good)] {
                let Some(code) = code else { continue };
                let path = dir
                    .path()
                    .join("tests")
                    .join(format!("{}-{i}-{kind}", rule.meta.id))
                    .join(&ex.path);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, code).expect("write example");
                written += 1;
            }
        }
    }
    assert!(written > 300, "{written} examples written");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut compared = 0;
    for root in [dir.path(), fixtures.as_path()] {
        let Ok(found) = walk(root, root, &WalkOptions::default()) else {
            panic!("{} must be walkable", root.display());
        };
        let a = check_files(&found.files, &gated, Limits::default());
        let b = check_files(&found.files, &ungated, Limits::default());
        for ((file, a), b) in found.files.iter().zip(&a).zip(&b) {
            let key = |f: &prodready::finding::Finding| {
                (
                    f.rule_id.clone(),
                    f.severity,
                    f.line,
                    f.column,
                    f.message.clone(),
                )
            };
            let fa: Vec<_> = a.findings.iter().map(key).collect();
            let fb: Vec<_> = b.findings.iter().map(key).collect();
            assert_eq!(fa, fb, "{}: gating changed the findings", file.rel_path);
            assert_eq!(a.facts, b.facts, "{}: facts", file.rel_path);
            assert_eq!(a.metrics, b.metrics, "{}: metrics", file.rel_path);
            compared += fb.len();
        }
    }
    assert!(compared > 300, "only {compared} findings compared");
}

/// The rule-writing guide's examples are rules that load and whose examples
/// hold: the complete rule as written, the cases example with the fields it
/// leaves out and examples of its own.
#[test]
fn the_guide_examples_are_working_rules() {
    let guide = std::fs::read_to_string("rules/README.md").expect("rules/README.md");
    let blocks: Vec<&str> = guide
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(
        blocks.len() >= 2,
        "the guide shows a complete rule and cases"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("todo-in-handler.toml"), blocks[0]).expect("write");
    let cases = format!(
        "id = \"guide-cases\"\ntitle = \"t\"\ncategory = \"security\"\nseverity = \"high\"\n\
         confidence = \"high\"\ncwe = [\"CWE-798\"]\nlanguages = [\"python\"]\nwhy = \"w\"\nfix = \"f\"\n\
         {}\n[[example]]\nlanguage = \"python\"\ncount = 2\n\
         bad = '''\nimport os\nA = os.getenv(\"API_TOKEN\", \"abc\")\nB = os.environ.get(\"API_TOKEN\", \"\")\n'''\n\
         good = '''\nimport os\nA = os.getenv(\"API_TOKEN\")\nC = os.getenv(\"PORT\", \"8000\")\n'''\n",
        blocks[1]
    );
    std::fs::write(dir.path().join("guide-cases.toml"), cases).expect("write");
    let registry = match Registry::load(&[dir.path()]) {
        Ok(r) => r,
        Err(e) => panic!("the guide's rules must load: {:?}", miette::Report::new(e)),
    };
    let results = test_rules(&registry);
    for id in ["todo-in-handler", "guide-cases"] {
        let result = results.iter().find(|r| r.id == id);
        assert!(
            result.is_some_and(|r| r.passed()),
            "{id}: examples must pass"
        );
    }
}

/// A scan compiles the built-in tree matchers only for the code languages
/// it found: every example in a language is reported alike by the registry
/// compiled for that language alone and by the full one, and no other
/// language gets an index.
#[test]
fn a_registry_for_one_language_finds_what_the_full_one_finds_there() {
    use prodready::engine::check_parsed;
    use prodready::lang::Language;
    let full = builtin();
    let code = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Rust,
    ];
    let key = |f: &prodready::finding::Finding| (f.rule_id.clone(), f.line, f.message.clone());
    for lang in code {
        let only = match Registry::load_for(&[] as &[&str], &[lang]) {
            Ok(r) => r,
            Err(e) => panic!("built-in rules load: {:?}", miette::Report::new(e)),
        };
        for other in code {
            assert_eq!(
                only.ast_index(other).is_some(),
                other == lang,
                "{lang:?}: {other:?}"
            );
        }
        let mut compared = 0;
        for ex in full.rules.iter().flat_map(|r| &r.examples) {
            if ex.language != lang {
                continue;
            }
            for code in [&ex.bad, &ex.good].into_iter().flatten() {
                let parsed = prodready::parse::parse(lang, ex.path.clone(), code.clone());
                let want: Vec<_> = check_parsed(&parsed, &full, None).iter().map(key).collect();
                let got: Vec<_> = check_parsed(&parsed, &only, None).iter().map(key).collect();
                assert_eq!(got, want, "{lang:?} example in {}", ex.path);
                compared += 1;
            }
        }
        assert!(compared > 0, "{lang:?}: no examples");
    }
}
