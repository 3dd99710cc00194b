//! Insecure values in Python settings modules: `DEBUG = True`,
//! `ALLOWED_HOSTS = ["*"]`, `SESSION_COOKIE_SECURE = False`,
//! `CORS_ALLOW_ALL_ORIGINS = True`... A pattern could find the assignments,
//! but not tell a production settings module from `settings/local.py`, where
//! these values are normal; so this check reads the path. It looks at
//! module-level assignments and at the bodies of Flask-style config classes
//! (`class ProductionConfig:`), skipping classes and files whose name says
//! development, local, test or CI. One check struct serves several rules,
//! each with its own table of flags.

use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::Node;
use ast_grep_language::SupportLang;
use std::sync::OnceLock;

type PyNode<'t> = Node<'t, StrDoc<SupportLang>>;

/// Which right-hand sides are insecure.
#[derive(Clone, Copy)]
pub enum Bad {
    True,
    False,
    /// A list, tuple or set holding the string `"*"`.
    Wildcard,
    /// A list or tuple holding a regex that matches every origin (`r".*"`).
    MatchAll,
    /// An empty list.
    Empty,
}

pub struct Flag {
    pub name: &'static str,
    pub bad: Bad,
    pub message: &'static str,
    pub severity: Option<Severity>,
    /// Raise to this severity when the module also sets `name = True`.
    pub escalate: Option<(&'static str, Severity, &'static str)>,
}

pub struct SettingsFlags {
    pub flags: &'static [Flag],
    /// Only report in files that look like a settings module (`DEBUG` is a
    /// common name for a script-local switch elsewhere).
    pub settings_only: bool,
    /// The flags' names: every hit is an assignment to one of them.
    names: OnceLock<Vec<&'static str>>,
}

impl SettingsFlags {
    pub const fn new(settings_only: bool, flags: &'static [Flag]) -> Self {
        Self {
            flags,
            settings_only,
            names: OnceLock::new(),
        }
    }
}

const DEV_TOKENS: &[&str] = &[
    "local",
    "dev",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "ci",
    "debug",
    "example",
    "sample",
];

pub(super) fn has_dev_token(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| DEV_TOKENS.contains(&t))
}

/// `settings/local.py`, `dev_settings.py`, `settings_test.py`,
/// `config/development/__init__.py`: settings meant for a developer machine.
pub fn is_dev_settings_path(rel: &str) -> bool {
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or("");
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if has_dev_token(stem) {
        return true;
    }
    stem == "__init__" && parts.next().is_some_and(has_dev_token)
}

/// `settings/base.py`, `common_settings.py`: defaults that per-environment
/// modules override.
fn is_shared_settings_path(rel: &str) -> bool {
    let file = rel.rsplit('/').next().unwrap_or("");
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    stem.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| matches!(t, "base" | "common" | "defaults" | "default" | "shared"))
}

/// `DevelopmentConfig`, `TestingConfig`, `LocalSettings`.
fn is_dev_class(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["dev", "local", "test", "debug", "ci_", "example"]
        .iter()
        .any(|t| lower.contains(t))
}

const SETTINGS_MARKERS: &[&str] = &[
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "ROOT_URLCONF",
    "DATABASES",
    "WSGI_APPLICATION",
    "SQLALCHEMY_DATABASE_URI",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
];

fn looks_like_settings(file: &ParsedFile, names: &[(String, PyNode<'_>)]) -> bool {
    let lower = file.rel_path.to_ascii_lowercase();
    lower.contains("settings")
        || lower.contains("config")
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|f| f.starts_with("conf"))
        || names
            .iter()
            .any(|(n, _)| SETTINGS_MARKERS.contains(&n.as_str()))
}

/// `NAME = value` statements directly in `block` (module or class body).
fn assignments<'t>(block: &PyNode<'t>, out: &mut Vec<(String, PyNode<'t>)>) {
    for stmt in block.children() {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        for assign in stmt.children() {
            if assign.kind() != "assignment" {
                continue;
            }
            let Some(left) = assign.field_of("left") else {
                continue;
            };
            if left.kind() == "identifier" {
                out.push((left.text().to_string(), assign));
            }
        }
    }
}

fn is_bad(bad: Bad, value: &PyNode<'_>) -> bool {
    match bad {
        Bad::True => value.kind() == "true",
        Bad::False => value.kind() == "false",
        Bad::Wildcard => list_has(value, |t| t == "*"),
        Bad::MatchAll => list_has(value, |t| {
            let core = t.trim_start_matches('^').trim_end_matches('$');
            matches!(
                core,
                ".*" | ".+" | "https?://.*" | "https://.*" | "http://.*" | "(.*)" | "https?://.+"
            )
        }),
        Bad::Empty => value.kind() == "list" && value.children().all(|c| !c.is_named()),
    }
}

/// Does a list, tuple or set literal hold a string whose contents pass `f`?
fn list_has(value: &PyNode<'_>, f: impl Fn(&str) -> bool) -> bool {
    matches!(value.kind().as_ref(), "list" | "tuple" | "set")
        && value.children().any(|c| {
            c.kind() == "string" && {
                let t = c.text();
                let t = t.trim_start_matches(['r', 'R', 'u', 'U']);
                f(t.trim_matches(|ch| ch == '"' || ch == '\''))
            }
        })
}

impl Check for SettingsFlags {
    /// A hit is an assignment to a flag's name, in a Python module.
    fn anchors(&self, language: Language) -> Option<&[&'static str]> {
        let names = self
            .names
            .get_or_init(|| self.flags.iter().map(|f| f.name).collect());
        (language == Language::Python).then_some(names.as_slice())
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        if is_dev_settings_path(&file.rel_path) {
            return;
        }
        let Some(tree) = file.code() else {
            return;
        };
        let root = tree.root();
        let mut module = Vec::new();
        assignments(&root, &mut module);
        let mut all: Vec<(String, PyNode<'_>, bool)> = module
            .iter()
            .map(|(n, a)| (n.clone(), a.clone(), false))
            .collect();
        for class in root.children().filter(|c| c.kind() == "class_definition") {
            let dev = class
                .field_of("name")
                .is_some_and(|n| is_dev_class(&n.text()));
            if let (false, Some(body)) = (dev, class.field_of("body")) {
                let mut inner = Vec::new();
                assignments(&body, &mut inner);
                all.extend(inner.into_iter().map(|(n, a)| (n, a, true)));
            }
        }
        if self.settings_only && !looks_like_settings(file, &module) {
            return;
        }
        let shared = is_shared_settings_path(&file.rel_path);
        let module_sets_true = |name: &str| {
            module
                .iter()
                .any(|(n, a)| n == name && a.field_of("right").is_some_and(|v| v.kind() == "true"))
        };
        for (name, assign, in_class) in &all {
            let Some(flag) = self.flags.iter().find(|f| f.name == name) else {
                continue;
            };
            let Some(mut value) = assign.field_of("right") else {
                continue;
            };
            // `DEBUG = TEMPLATE_DEBUG = True`: the value is at the end of the chain.
            for _ in 0..8 {
                match value.field_of("right") {
                    Some(next) if value.kind() == "assignment" => value = next,
                    _ => break,
                }
            }
            if !is_bad(flag.bad, &value) {
                continue;
            }
            let mut hit = Hit::new(assign.range(), flag.message);
            if let Some(sev) = flag.severity {
                hit = hit.severity(sev);
            }
            if let Some((other, sev, message)) = flag.escalate {
                if module_sets_true(other) {
                    hit = Hit::new(assign.range(), message).severity(sev);
                }
            }
            if *in_class || shared {
                // A config class may be one of several selected at runtime;
                // shared base settings are usually overridden per environment.
                hit = hit.confidence(Confidence::Medium);
            }
            out.push(hit);
        }
    }
}

pub static DEBUG: SettingsFlags = SettingsFlags::new(
    true,
    &[Flag {
        name: "DEBUG",
        bad: Bad::True,
        message: "settings module sets `DEBUG = True`: error pages show stack traces, local variables and settings to any visitor",
        severity: None,
        escalate: None,
    }],
);

pub static ALLOWED_HOSTS: SettingsFlags = SettingsFlags::new(
    false,
    &[Flag {
        name: "ALLOWED_HOSTS",
        bad: Bad::Wildcard,
        message: "`ALLOWED_HOSTS` accepts `*`, so any Host header is trusted when Django builds absolute URLs (password reset links, redirects)",
        severity: None,
        escalate: None,
    }],
);

pub static PASSWORD_VALIDATORS: SettingsFlags = SettingsFlags::new(
    false,
    &[Flag {
        name: "AUTH_PASSWORD_VALIDATORS",
        bad: Bad::Empty,
        message: "`AUTH_PASSWORD_VALIDATORS` is empty: Django accepts any password, even one character long",
        severity: None,
        escalate: None,
    }],
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_paths() {
        assert!(is_dev_settings_path("config/settings/local.py"));
        assert!(is_dev_settings_path("app/settings_dev.py"));
        assert!(is_dev_settings_path("settings/development/__init__.py"));
        assert!(!is_dev_settings_path("config/settings/production.py"));
        assert!(!is_dev_settings_path("mysite/settings.py"));
        assert!(!is_dev_settings_path("settings/devops.py"));
        assert!(is_dev_class("DevelopmentConfig"));
        assert!(!is_dev_class("ProductionConfig"));
        assert!(is_shared_settings_path("config/settings/base.py"));
        assert!(!is_shared_settings_path("config/settings/production.py"));
    }
}
