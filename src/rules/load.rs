//! From rule-file text to a compiled [`Rule`], or a diagnostic that points at
//! the offending line of the TOML.

use super::meta::RuleMeta;
use super::schema::{RawExample, RawMatch, RawProjectCheck, RawRule, ScopeProbe};
use super::{Example, Matcher, MatcherKind, Rule};
use crate::checks;
use crate::error::RuleFileError;
use crate::lang::Language;
use crate::parse::support_lang;
use crate::project::{self, ProjectCheckDef};
use ast_grep_config::{DeserializeEnv, SerializableRuleCore};
use regex::Regex;
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

/// Load a file that may be either kind (`scope = "project"` marks checks).
pub fn load_any(path: &str, text: &str) -> Result<Loaded, RuleFileError> {
    let scope = toml::from_str::<ScopeProbe>(text)
        .ok()
        .and_then(|p| p.scope);
    match scope.as_deref() {
        Some("project") => load_project_check(path, text).map(Loaded::ProjectCheck),
        _ => load_rule(path, text).map(|r| Loaded::Rule(Box::new(r))),
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

    let mut matchers = Vec::new();
    for m in &raw.matchers {
        matchers.push(compile_match(&cx, m, &languages)?);
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

fn compile_match(
    cx: &Ctx<'_>,
    spanned: &Spanned<RawMatch>,
    rule_langs: &[String],
) -> Result<Matcher, RuleFileError> {
    let span = spanned.span();
    let m = spanned.get_ref();
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
                utils: m.utils.clone(),
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
            for lang in targets {
                let Some(sg) = support_lang(lang) else {
                    continue;
                };
                let matcher = core.get_matcher(DeserializeEnv::new(sg)).map_err(|e| {
                    let mut msg = format!("invalid ast-grep rule for {}: {e}", lang.name());
                    let mut source = std::error::Error::source(&e);
                    while let Some(s) = source {
                        msg.push_str(&format!(": {s}"));
                        source = s.source();
                    }
                    cx.err(Some(span.clone()), msg, "see the ast-grep rule reference: pattern, kind, inside, has, not, any, all, regex")
                })?;
                if matcher.potential_kinds().is_none() {
                    return Err(cx.err(
                        Some(span),
                        "the ast-grep rule matches any node kind",
                        "anchor it with a `pattern` or a `kind`",
                    ));
                }
                compiled.push((lang, matcher));
            }
            MatcherKind::Ast(compiled)
        }
    };
    let (rule, utils, constraints) = (
        m.rule.as_ref().and_then(|r| serde_json::to_value(r).ok()),
        serde_json::to_value(&m.utils).ok(),
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
    })
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
}
