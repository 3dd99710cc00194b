//! From rule-file text to a compiled [`Rule`], or a diagnostic that points at
//! the offending line of the TOML.

use super::meta::RuleMeta;
use super::schema::{RawCase, RawExample, RawMatch, RawProjectCheck, RawRule, ScopeProbe};
use super::{Case, Example, Matcher, MatcherKind, Rule};
use crate::checks;
use crate::error::RuleFileError;
use crate::lang::Language;
use crate::parse::support_lang;
use crate::project::{self, ProjectCheckDef};
use ast_grep_config::{
    DeserializeEnv, RuleCore, RuleCoreError, SerializableRule, SerializableRuleCore,
};
use ast_grep_language::SupportLang;
use regex::Regex;
use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;

const RULE_HELP: &str = "rule files are described in rules/README.md; `prodready rules explain <id>` shows a working one";

struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        help: &str,
    ) -> RuleFileError {
        RuleFileError::new(self.path, self.text, span, message, help)
    }
}

/// Is `id` kebab-case: lower-case words joined by single hyphens?
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_cwe(s: &str) -> bool {
    s.strip_prefix("CWE-")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The code languages a selector expands to when compiling ast-grep rules.
fn code_languages(selector: &str) -> Vec<Language> {
    Language::ALL
        .into_iter()
        .filter(|l| {
            support_lang(*l).is_some()
                && selector != "text"
                && selector != "*"
                && l.matches_selector(selector)
        })
        .collect()
}

/// A loaded rule file: a per-file rule or a project-level check.
pub enum Loaded {
    Rule(Box<Rule>),
    ProjectCheck(ProjectCheckDef),
}

/// Which code languages to compile a rule's tree matchers for.
#[derive(Debug, Clone, Copy)]
pub enum Compile<'a> {
    /// Every language the rule names: errors in any of them are reported.
    All,
    /// Only these: a scan that found no TypeScript needs no TypeScript
    /// matchers, and compiling them is most of the fixed cost of a small
    /// scan. Matchers for other languages are left out, unchecked.
    Only(&'a [Language]),
}

impl Compile<'_> {
    fn wants(self, lang: Language) -> bool {
        match self {
            Compile::All => true,
            Compile::Only(langs) => langs.contains(&lang),
        }
    }
}

/// Load a file that may be either kind (`scope = "project"` marks checks).
pub fn load_any(path: &str, text: &str) -> Result<Loaded, RuleFileError> {
    load_any_for(path, text, Compile::All)
}

/// [`load_any`], compiling tree matchers for the languages `compile` says.
pub fn load_any_for(path: &str, text: &str, compile: Compile<'_>) -> Result<Loaded, RuleFileError> {
    let scope = toml::from_str::<ScopeProbe>(text)
        .ok()
        .and_then(|p| p.scope);
    match scope.as_deref() {
        Some("project") => load_project_check(path, text).map(Loaded::ProjectCheck),
        _ => load_rule_for(path, text, compile).map(|r| Loaded::Rule(Box::new(r))),
    }
}

fn load_project_check(path: &str, text: &str) -> Result<ProjectCheckDef, RuleFileError> {
    let cx = Ctx { path, text };
    let raw: RawProjectCheck = toml::from_str(text)
        .map_err(|e| cx.err(e.span(), e.message().trim().to_string(), RULE_HELP))?;
    let id = raw.id.get_ref().clone();
    if !is_kebab(&id) {
        return Err(cx.err(
            Some(raw.id.span()),
            format!("check id `{id}` is not kebab-case"),
            "ids are lower-case words joined by `-`",
        ));
    }
    let run = project::lookup(raw.check.get_ref()).ok_or_else(|| {
        let names: Vec<&str> = project::CHECKS.iter().map(|(n, _)| *n).collect();
        cx.err(
            Some(raw.check.span()),
            format!("no project check named `{}`", raw.check.get_ref()),
            &format!("known project checks: {}", names.join(", ")),
        )
    })?;
    Ok(ProjectCheckDef {
        id,
        title: raw.title,
        category: raw.category,
        severity: raw.severity,
        why: reflow(&raw.why),
        fix: reflow(&raw.fix),
        references: raw.references,
        run,
        origin: path.to_string(),
    })
}

/// Parse and compile one rule file. `path` names it in diagnostics.
pub fn load_rule(path: &str, text: &str) -> Result<Rule, RuleFileError> {
    load_rule_for(path, text, Compile::All)
}

fn load_rule_for(path: &str, text: &str, compile: Compile<'_>) -> Result<Rule, RuleFileError> {
    let cx = Ctx { path, text };
    let raw: RawRule = toml::from_str(text)
        .map_err(|e| cx.err(e.span(), e.message().trim().to_string(), RULE_HELP))?;

    let id = raw.id.get_ref().clone();
    if !is_kebab(&id) {
        return Err(cx.err(
            Some(raw.id.span()),
            format!("rule id `{id}` is not kebab-case"),
            "ids are lower-case words joined by `-`, e.g. `secret-fallback`",
        ));
    }
    if let Some(stem) = std::path::Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
    {
        if stem != id && path.ends_with(".toml") {
            return Err(cx.err(
                Some(raw.id.span()),
                format!("rule id `{id}` does not match the file name `{stem}.toml`"),
                "name the file after the rule id",
            ));
        }
    }
    for cwe in raw.cwe.get_ref() {
        if !is_cwe(cwe) {
            return Err(cx.err(
                Some(raw.cwe.span()),
                format!("`{cwe}` is not a CWE id"),
                "write CWE ids as \"CWE-798\"",
            ));
        }
    }
    let languages = raw.languages.get_ref().clone();
    if languages.is_empty() {
        return Err(cx.err(
            Some(raw.languages.span()),
            "`languages` is empty",
            "list the file kinds this rule reads, e.g. [\"python\"]",
        ));
    }
    for lang in &languages {
        if !Language::is_known_selector(lang) {
            return Err(cx.err(
                Some(raw.languages.span()),
                format!("unknown language `{lang}`"),
                &known_languages_help(),
            ));
        }
    }

    let check = match &raw.check {
        Some(name) => Some(checks::lookup(name.get_ref()).ok_or_else(|| {
            cx.err(
                Some(name.span()),
                format!("no Rust check named `{}`", name.get_ref()),
                &format!("known checks: {}", checks::names().join(", ")),
            )
        })?),
        None => None,
    };
    if raw.matchers.is_empty() && check.is_none() {
        return Err(cx.err(
            Some(raw.id.span()),
            "the rule has neither a `[[match]]` nor a `check`",
            "add a `[[match]]` table with an ast-grep `rule` or a `regex`, or name a Rust `check`",
        ));
    }

    let shared = raw.utils.as_ref();
    let mut matchers = Vec::new();
    for m in &raw.matchers {
        matchers.push(compile_match(&cx, m, &languages, shared, compile)?);
    }
    if let Some(shared) = shared {
        check_all_used(&cx, shared, &raw.matchers)?;
    }
    let mut examples = Vec::new();
    for ex in &raw.examples {
        examples.push(compile_example(&cx, ex)?);
    }

    Ok(Rule {
        meta: RuleMeta {
            id,
            title: raw.title.into(),
            category: raw.category,
            severity: raw.severity,
            confidence: raw.confidence,
            cwe: raw.cwe.into_inner(),
            languages,
            why: reflow(&raw.why),
            fix: reflow(&raw.fix).into(),
            references: raw.references,
        },
        message: raw.message,
        matchers,
        check,
        examples,
        test_files: raw.test_files,
        origin: path.to_string(),
    })
}

/// Join wrapped lines into paragraphs; keep blank-line breaks and lines that
/// start a list item or code.
pub fn reflow(text: &str) -> String {
    let mut paragraphs = Vec::new();
    for para in text.trim().split("\n\n") {
        let mut out = String::new();
        for line in para.lines() {
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if !out.is_empty() {
                let starts_item =
                    t.starts_with("- ") || t.starts_with("* ") || t.starts_with("    ");
                out.push(if starts_item { '\n' } else { ' ' });
            }
            out.push_str(t);
        }
        paragraphs.push(out);
    }
    paragraphs.join("\n\n")
}

fn known_languages_help() -> String {
    let names: Vec<&str> = Language::ALL.iter().map(|l| l.name()).collect();
    format!("known languages: {}", names.join(", "))
}

/// The file's shared utilities and the matcher's own, as one table; a name
/// defined in both is an error (which one a reader should look at would be
/// unclear).
fn merged_utils(
    cx: &Ctx<'_>,
    span: &Range<usize>,
    m: &RawMatch,
    shared: Option<&Spanned<Utils>>,
) -> Result<Option<Utils>, RuleFileError> {
    let Some(shared) = shared else {
        return Ok(m.utils.clone());
    };
    // Only what the matcher uses, so a utility written for one language is
    // not compiled for another.
    let mut all = used_utils(match_roots(m), shared.get_ref());
    for (name, rule) in m.utils.iter().flatten() {
        if all.insert(name.clone(), rule.clone()).is_some() {
            return Err(cx.err(
                Some(span.clone()),
                format!("utility `{name}` is defined both in `[utils]` and in this `[[match]]`"),
                "rename one of them",
            ));
        }
    }
    Ok(Some(all))
}

type Utils = HashMap<String, SerializableRule>;

/// Every utility in the file's `[utils]` must be used by some matcher or
/// case: one that is not is never compiled, so its mistakes would go
/// unreported.
fn check_all_used(
    cx: &Ctx<'_>,
    shared: &Spanned<Utils>,
    matchers: &[Spanned<RawMatch>],
) -> Result<(), RuleFileError> {
    let mut used = Utils::new();
    for m in matchers {
        used.extend(used_utils(match_roots(m.get_ref()), shared.get_ref()));
    }
    let mut unused: Vec<&String> = shared
        .get_ref()
        .keys()
        .filter(|k| !used.contains_key(*k))
        .collect();
    unused.sort();
    match unused.first() {
        None => Ok(()),
        Some(name) => Err(cx.err(
            Some(util_span(cx, Some(shared), name, &shared.span())),
            format!("utility `{name}` is used by no `[[match]]`"),
            &format!("refer to it with `matches = \"{name}\"`, or remove it"),
        )),
    }
}

/// Which utility of `utils` fails to compile for `sg`: one that fails on
/// its own while every utility it refers to compiles.
fn broken_util(utils: &Utils, sg: SupportLang) -> Option<String> {
    let mut names: Vec<&String> = utils.keys().collect();
    names.sort();
    // Each utility, with the utilities it refers to (itself left out).
    let with_deps = names.into_iter().filter_map(|name| {
        let rule = utils.get(name)?;
        let mut deps = used_utils(vec![serde_json::to_value(rule).unwrap_or_default()], utils);
        deps.remove(name);
        Some((name, rule, deps))
    });
    let failing: Vec<(&String, Utils)> = with_deps
        .filter(|(_, rule, deps)| {
            let core = SerializableRuleCore {
                rule: (*rule).clone(),
                constraints: None,
                utils: Some(deps.clone()),
                transform: None,
            };
            core.get_matcher(DeserializeEnv::new(sg)).is_err()
        })
        .map(|(name, _, deps)| (name, deps))
        .collect();
    failing
        .iter()
        .find(|(_, deps)| !failing.iter().any(|(other, _)| deps.contains_key(*other)))
        .map(|(name, _)| (*name).clone())
}

/// Where utility `name` is defined: its `[utils.NAME]` (or
/// `[match.utils.NAME]`) header, else its key inside the file's `[utils]`
/// table, else `fallback`.
fn util_span(
    cx: &Ctx<'_>,
    shared: Option<&Spanned<Utils>>,
    name: &str,
    fallback: &Range<usize>,
) -> Range<usize> {
    let quoted = regex::escape(name);
    let header = format!(r#"(?m)^[ \t]*\[(?:match\.)?utils\.(?:{quoted}|"{quoted}")\]"#);
    let key = format!(r#"(?m)^[ \t]*(?:{quoted}|"{quoted}")[ \t]*[=.]"#);
    let find = |re: &str, within: Range<usize>| {
        let text = cx.text.get(within.clone())?;
        let m = Regex::new(re).ok()?.find(text)?;
        let start = within.start + m.start() + (m.as_str().len() - m.as_str().trim_start().len());
        Some(start..within.start + m.end())
    };
    // A `[utils]` table's span is its header (or inline table): its keys
    // run to the next table header.
    let table = |s: &Spanned<Utils>| {
        let span = s.span();
        let rest = cx.text.get(span.end..).unwrap_or("");
        span.start..span.end + rest.find("\n[").unwrap_or(rest.len())
    };
    find(&header, 0..cx.text.len())
        .or_else(|| shared.and_then(|s| find(&key, table(s))))
        .unwrap_or_else(|| fallback.clone())
}

/// A matcher's rules, as JSON, that may refer to shared utilities.
fn match_roots(m: &RawMatch) -> Vec<serde_json::Value> {
    let mut roots: Vec<serde_json::Value> = vec![
        serde_json::to_value(&m.rule).unwrap_or_default(),
        serde_json::to_value(&m.constraints).unwrap_or_default(),
        serde_json::to_value(&m.utils).unwrap_or_default(),
    ];
    for case in &m.cases {
        roots.push(serde_json::to_value(&case.get_ref().when).unwrap_or_default());
    }
    roots
}

/// The utilities of `pool` that the rules `roots` (as JSON) refer to with
/// `matches`, directly or through one another.
fn used_utils(mut roots: Vec<serde_json::Value>, pool: &Utils) -> Utils {
    let mut used = Utils::new();
    while let Some(value) = roots.pop() {
        for name in util_references(&value) {
            if let Some(rule) = pool.get(&name).filter(|_| !used.contains_key(&name)) {
                roots.push(serde_json::to_value(rule).unwrap_or_default());
                used.insert(name, rule.clone());
            }
        }
    }
    used
}

/// The utility names a rule (as JSON) refers to with `matches = "NAME"`.
fn util_references(value: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child) {
                        ("matches", serde_json::Value::String(name)) => out.push(name.clone()),
                        _ => stack.push(child),
                    }
                }
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

fn compile_match(
    cx: &Ctx<'_>,
    spanned: &Spanned<RawMatch>,
    rule_langs: &[String],
    shared: Option<&Spanned<Utils>>,
    compile: Compile<'_>,
) -> Result<Matcher, RuleFileError> {
    let span = spanned.span();
    let m = spanned.get_ref();
    let utils = merged_utils(cx, &span, m, shared)?;
    let languages = m.languages.clone().unwrap_or_else(|| rule_langs.to_vec());
    for lang in &languages {
        if !Language::is_known_selector(lang) {
            return Err(cx.err(
                Some(span.clone()),
                format!("unknown language `{lang}`"),
                &known_languages_help(),
            ));
        }
    }
    if m.regex.is_some() {
        if let Some(case) = m.cases.first() {
            return Err(cx.err(
                Some(case.span()),
                "`[[match.case]]` works with an ast-grep `rule`, not a `regex`",
                "use named groups and separate `[[match]]` tables for a regex",
            ));
        }
    }
    let mut cases: Vec<Case> = m.cases.iter().map(|c| new_case(c.get_ref())).collect();
    let kind = match (&m.rule, &m.regex) {
        (Some(_), Some(_)) => {
            return Err(cx.err(
                Some(span),
                "a `[[match]]` has both `rule` and `regex`",
                "split it into two `[[match]]` tables",
            ));
        }
        (None, None) => {
            return Err(cx.err(
                Some(span),
                "a `[[match]]` needs a `rule` (ast-grep) or a `regex`",
                RULE_HELP,
            ));
        }
        (None, Some(re)) => MatcherKind::Regex(Regex::new(&format!("(?m){re}")).map_err(|e| {
            cx.err(
                Some(span.clone()),
                format!("invalid regex: {e}"),
                "regexes use the Rust `regex` crate syntax (no look-around)",
            )
        })?),
        (Some(rule), None) => {
            let core = SerializableRuleCore {
                rule: rule.clone(),
                constraints: m.constraints.clone(),
                utils: utils.clone(),
                transform: m.transform.clone(),
            };
            let mut compiled = Vec::new();
            let mut targets: Vec<Language> =
                languages.iter().flat_map(|s| code_languages(s)).collect();
            targets.sort();
            targets.dedup();
            if targets.is_empty() {
                return Err(cx.err(Some(span), "an ast-grep `rule` needs a code language (python, javascript, typescript, tsx or rust)", "use `regex` for config and text files"));
            }
            for lang in targets.into_iter().filter(|l| compile.wants(*l)) {
                let Some(sg) = support_lang(lang) else {
                    continue;
                };
                let matcher = core.get_matcher(DeserializeEnv::new(sg)).map_err(|e| {
                    let help = "see the ast-grep rule reference: pattern, kind, inside, has, not, any, all, regex";
                    // A broken utility is pointed at, not the matcher using it.
                    let broken = match (&e, &utils) {
                        (RuleCoreError::Utils(inner), Some(utils)) => broken_util(utils, sg).map(|name| (name, inner)),
                        _ => None,
                    };
                    match broken {
                        Some((name, inner)) => cx.err(
                            Some(util_span(cx, shared, &name, &span)),
                            format!("invalid utility `{name}` for {}: {}", lang.name(), error_chain(inner)),
                            help,
                        ),
                        None => cx.err(
                            Some(span.clone()),
                            format!("invalid ast-grep rule for {}: {}", lang.name(), error_chain(&e)),
                            help,
                        ),
                    }
                })?;
                if matcher.potential_kinds().is_none() {
                    return Err(cx.err(
                        Some(span),
                        "the ast-grep rule matches any node kind",
                        "anchor it with a `pattern` or a `kind`",
                    ));
                }
                check_case_vars(cx, &m.cases, &matcher)?;
                for (case, raw) in cases.iter_mut().zip(&m.cases) {
                    case.when
                        .push(compile_when(cx, raw, utils.as_ref(), sg, lang)?);
                }
                compiled.push((lang, matcher));
            }
            MatcherKind::Ast(compiled)
        }
    };
    let (rule, utils, constraints) = (
        m.rule.as_ref().and_then(|r| serde_json::to_value(r).ok()),
        serde_json::to_value(&utils).ok(),
        serde_json::to_value(&m.constraints).ok(),
    );
    let derive = |f: fn(&_, Option<&_>, Option<&_>) -> Option<Vec<String>>| {
        f(rule.as_ref()?, utils.as_ref(), constraints.as_ref())
    };
    let literals = derive(super::prefilter::required_literals);
    let node_literals = derive(super::prefilter::node_literals);
    Ok(Matcher {
        languages,
        kind,
        literals,
        node_literals,
        message: m.message.clone(),
        redact: m.redact.clone(),
        report: m.report.clone(),
        severity: m.severity,
        confidence: m.confidence,
        cases,
    })
}

/// Every `when.VAR` must name a metavariable the matcher binds: a
/// misspelt one would make its case never hold, silently.
fn check_case_vars(
    cx: &Ctx<'_>,
    cases: &[Spanned<RawCase>],
    matcher: &RuleCore,
) -> Result<(), RuleFileError> {
    let bound = matcher.defined_vars();
    for case in cases {
        for var in case.get_ref().when.keys() {
            if !bound.contains(var.as_str()) {
                let mut names: Vec<&str> = bound.iter().copied().collect();
                names.sort_unstable();
                return Err(cx.err(
                    Some(case.span()),
                    format!("`when.{var}`: the matcher binds no `${var}`"),
                    &format!("metavariables it binds: {}", names.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

/// A case's overrides, before its `when` rules are compiled per language.
fn new_case(raw: &RawCase) -> Case {
    Case {
        when: Vec::new(),
        message: raw.message.clone(),
        severity: raw.severity,
        confidence: raw.confidence,
        redact: raw.redact.clone(),
    }
}

/// A case's `when` rules for one language, sorted by metavariable name so
/// the order a match is tested in does not depend on a hash map's.
fn compile_when(
    cx: &Ctx<'_>,
    raw: &Spanned<RawCase>,
    utils: Option<&Utils>,
    sg: SupportLang,
    lang: Language,
) -> Result<Vec<(String, RuleCore)>, RuleFileError> {
    let mut when: Vec<(&String, &SerializableRule)> = raw.get_ref().when.iter().collect();
    when.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    for (var, rule) in when {
        // Only the utilities this rule uses, not every one of the matcher's.
        let roots = vec![serde_json::to_value(rule).unwrap_or_default()];
        let core = SerializableRuleCore {
            rule: rule.clone(),
            constraints: None,
            utils: utils.map(|pool| used_utils(roots, pool)),
            transform: None,
        };
        let compiled = core.get_matcher(DeserializeEnv::new(sg)).map_err(|e| {
            cx.err(
                Some(raw.span()),
                format!(
                    "invalid ast-grep rule in `when.{var}` for {}: {}",
                    lang.name(),
                    error_chain(&e)
                ),
                "`when.VAR` is an ast-grep rule the node captured as `$VAR` must match",
            )
        })?;
        out.push((var.clone(), compiled));
    }
    Ok(out)
}

/// An error and its sources, joined by `: `.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    msg
}

use ast_grep_core::Matcher as _;

fn default_example_path(lang: Language) -> &'static str {
    match lang {
        Language::Python => "app/example.py",
        Language::JavaScript => "src/example.js",
        Language::TypeScript => "src/example.ts",
        Language::Tsx => "src/example.tsx",
        Language::Rust => "src/example.rs",
        Language::Dockerfile => "Dockerfile",
        Language::Compose => "docker-compose.yml",
        Language::Kubernetes => "k8s/deployment.yaml",
        Language::GithubActions => ".github/workflows/ci.yml",
        Language::Yaml => "config/example.yaml",
        Language::Toml => "config/example.toml",
        Language::Json => "config/example.json",
        Language::Dotenv => ".env",
        Language::Requirements => "requirements.txt",
        Language::Text => "config/example.ini",
    }
}

fn compile_example(cx: &Ctx<'_>, spanned: &Spanned<RawExample>) -> Result<Example, RuleFileError> {
    let span = spanned.span();
    let ex = spanned.get_ref();
    let language = Language::ALL
        .into_iter()
        .find(|l| l.name() == ex.language)
        .ok_or_else(|| {
            cx.err(
                Some(span.clone()),
                format!("unknown example language `{}`", ex.language),
                &known_languages_help(),
            )
        })?;
    if ex.bad.is_none() && ex.good.is_none() {
        return Err(cx.err(
            Some(span),
            "an `[[example]]` needs `bad`, `good` or both",
            RULE_HELP,
        ));
    }
    Ok(Example {
        language,
        path: ex
            .path
            .clone()
            .unwrap_or_else(|| default_example_path(language).to_string()),
        bad: ex.bad.clone(),
        good: ex.good.clone(),
        count: ex.count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab() {
        assert!(is_kebab("secret-fallback"));
        assert!(is_kebab("cwe-89-sql"));
        assert!(!is_kebab("Secret"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("-a"));
    }

    #[test]
    fn errors_point_at_lines() {
        let text = "id = \"x\"\ntitle = \"t\"\ncategory = \"nope\"\n";
        let err = load_rule("rules/x.toml", text).err().expect("error");
        let span = err.span.expect("span");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "\"nope\"");
    }

    const HEAD: &str = "id = \"x\"\ntitle = \"t\"\ncategory = \"security\"\nseverity = \"low\"\nconfidence = \"high\"\ncwe = []\nlanguages = [\"python\"]\nwhy = \"w\"\nfix = \"f\"\n";

    fn load_err(body: &str) -> String {
        let text = format!("{HEAD}{body}");
        match load_rule("rules/x.toml", &text) {
            Ok(_) => panic!("loaded:\n{body}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_utility_defined_twice_is_an_error() {
        let err = load_err(
            "[utils.u]\nregex = \"a\"\n[[match]]\n[match.rule]\nkind = \"call\"\nmatches = \"u\"\n[match.utils.u]\nregex = \"b\"\n",
        );
        assert!(err.contains("utility `u` is defined both"), "{err}");
    }

    #[test]
    fn cases_need_a_tree_rule_and_valid_when_rules() {
        let err = load_err("[[match]]\nregex = \"x\"\n[[match.case]]\nseverity = \"high\"\n");
        assert!(err.contains("works with an ast-grep `rule`"), "{err}");
        let err = load_err(
            "[[match]]\n[match.rule]\npattern = \"f($A)\"\n[[match.case]]\nwhen.A = { kind = \"no_such_kind\" }\n",
        );
        assert!(
            err.contains("invalid ast-grep rule in `when.A` for python"),
            "{err}"
        );
        let err = load_err(
            "[[match]]\n[match.rule]\npattern = \"f($ARG)\"\n[[match.case]]\nwhen.AGR = { kind = \"string\" }\n",
        );
        assert!(
            err.contains("`when.AGR`: the matcher binds no `$AGR`"),
            "{err}"
        );
    }

    #[test]
    fn shared_utilities_reach_only_the_matchers_that_use_them() {
        let text = format!(
            "{HEAD}languages = [\"python\", \"rust\"]\n[utils.py]\npattern = \"os.getenv($A)\"\n[utils.rs]\npattern = \"let $X: u64 = $V;\"\n[[match]]\nlanguages = [\"python\"]\n[match.rule]\nmatches = \"py\"\n[[match]]\nlanguages = [\"rust\"]\n[match.rule]\nmatches = \"rs\"\n"
        )
        .replacen("languages = [\"python\"]\nwhy", "why", 1);
        let rule = match load_rule("rules/x.toml", &text) {
            Ok(rule) => rule,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(rule.matchers.len(), 2);
        assert_eq!(
            rule.matchers[0].literals.as_deref(),
            Some(&["getenv".to_string()][..])
        );
    }

    /// The error's message and the text its span covers.
    fn err_at(body: &str) -> (String, String) {
        let text = format!("{HEAD}{body}");
        match load_rule("rules/x.toml", &text) {
            Ok(_) => panic!("loaded:\n{body}"),
            Err(e) => {
                let span = e.span.expect("span");
                let at = text[span.offset()..span.offset() + span.len()].to_string();
                (e.to_string(), at)
            }
        }
    }

    #[test]
    fn an_unused_shared_utility_is_an_error_at_its_header() {
        let (err, at) = err_at(
            "[utils.env]\npattern = \"os.getenv($A)\"\n[utils.stale]\nkind = \"no_such_kind\"\n[[match]]\n[match.rule]\nmatches = \"env\"\n",
        );
        assert!(
            err.contains("utility `stale` is used by no `[[match]]`"),
            "{err}"
        );
        assert_eq!(at, "[utils.stale]");
        // Keys of a `[utils]` table are found too.
        let (_, at) = err_at(
            "[utils]\nenv = { pattern = \"os.getenv($A)\" }\nstale = { kind = \"call\" }\n[[match]]\n[match.rule]\nmatches = \"env\"\n",
        );
        assert_eq!(at, "stale =");
    }

    #[test]
    fn a_broken_utility_is_pointed_at_not_its_user() {
        // `outer` uses `inner`, which is the one that does not compile.
        let (err, at) = err_at(
            "[utils.inner]\nkind = \"no_such_kind\"\n[utils.outer]\nany = [{ matches = \"inner\" }, { kind = \"call\" }]\n[[match]]\n[match.rule]\nmatches = \"outer\"\n",
        );
        assert!(err.contains("invalid utility `inner` for python"), "{err}");
        assert_eq!(at, "[utils.inner]");
        let (err, at) = err_at(
            "[[match]]\n[match.rule]\nmatches = \"own\"\n[match.utils.own]\nkind = \"no_such_kind\"\n",
        );
        assert!(err.contains("invalid utility `own` for python"), "{err}");
        assert_eq!(at, "[match.utils.own]");
    }
}
