//! Production Django settings that leave out the HTTPS hardening `manage.py
//! check --deploy` asks for: `SECURE_SSL_REDIRECT`, `SECURE_HSTS_SECONDS`,
//! `SESSION_COOKIE_SECURE` and `CSRF_COOKIE_SECURE` (Django's defaults are
//! all off), plus `SECURE_CONTENT_TYPE_NOSNIFF` when it is set to `False`
//! (it defaults to on since Django 3.0, so its absence is fine). A settings
//! file counts as production when its name says so (`settings/production.py`,
//! `prod_settings.py`) or when it is a `settings.py` with `DEBUG = False`,
//! and it must be Django's (Django names or imports in it). One finding per
//! file, at `DEBUG` when the file sets it, else at line 1. When the file
//! star-imports shared settings (`from .base import *`) the missing names may
//! be set there, which this check cannot see: confidence is then low.

use super::settings_flags::is_dev_settings_path;
use super::{Check, Hit};
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;

pub struct DjangoDeploy;

const REQUIRED: &[&str] = &[
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
];

const DJANGO_MARKERS: &[&str] = &[
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "ROOT_URLCONF",
    "WSGI_APPLICATION",
    "AUTH_PASSWORD_VALIDATORS",
    "ALLOWED_HOSTS",
];

fn is_prod_name(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let mut parts = lower.rsplit('/');
    let file = parts.next().unwrap_or("");
    let stem = file.strip_suffix(".py").unwrap_or(file);
    let parent = parts.next().unwrap_or("");
    let prod = |s: &str| {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|t| matches!(t, "production" | "prod" | "prd" | "live"))
    };
    (prod(stem) && (stem.contains("settings") || parent.contains("settings")))
        || (stem == "__init__" && prod(parent))
}

fn is_plain_settings(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower == "settings.py"
        || lower.ends_with("/settings.py")
        || lower.ends_with("settings/__init__.py")
}

impl Check for DjangoDeploy {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let rel = &file.rel_path;
        if is_dev_settings_path(rel) {
            return;
        }
        let Some(nodes) = file.nodes() else {
            return;
        };
        // Every name assigned anywhere in the file (module level, inside
        // `if not DEBUG:` blocks...), with its value.
        let mut assigned: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
        let mut star_import = false;
        let mut imports_django = false;
        for node in nodes.of_kinds(&["assignment", "import_from_statement", "import_statement"]) {
            match node.kind().as_ref() {
                "assignment" => {
                    if let (Some(left), Some(right)) =
                        (node.field_of("left"), node.field_of("right"))
                    {
                        if left.kind() == "identifier" {
                            assigned.push((
                                left.text().to_string(),
                                right.text().to_string(),
                                node.range(),
                            ));
                        }
                    }
                }
                "import_from_statement" => {
                    let text = node.text();
                    if node.children().any(|c| c.kind() == "wildcard_import") {
                        star_import = true;
                    }
                    if text.contains("django") {
                        imports_django = true;
                    }
                }
                "import_statement" if node.text().contains("django") => imports_django = true,
                _ => {}
            }
        }
        let value_of = |name: &str| {
            assigned
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, v, r)| (v.as_str(), r.clone()))
        };
        let debug_false = value_of("DEBUG").is_some_and(|(v, _)| v == "False");
        let production =
            is_prod_name(rel) || (is_plain_settings(rel) && debug_false && !star_import);
        if !production {
            return;
        }
        let other_framework = ["flask", "fastapi", "starlette", "SQLALCHEMY_"]
            .iter()
            .any(|m| file.text.contains(m));
        let django = imports_django
            || file.text.contains("DJANGO_")
            || assigned
                .iter()
                .any(|(n, _, _)| DJANGO_MARKERS.contains(&n.as_str()))
            || (star_import && rel.to_ascii_lowercase().contains("settings") && !other_framework);
        if !django {
            return;
        }
        let mut missing: Vec<String> = Vec::new();
        for name in REQUIRED {
            match value_of(name) {
                None => missing.push(format!("`{name}`")),
                Some(("0", _)) if *name == "SECURE_HSTS_SECONDS" => {
                    missing.push(format!("`{name}` (set to 0)"));
                }
                _ => {}
            }
        }
        if let Some(("False", _)) = value_of("SECURE_CONTENT_TYPE_NOSNIFF") {
            missing.push("`SECURE_CONTENT_TYPE_NOSNIFF` (set to False)".into());
        }
        if missing.is_empty() {
            return;
        }
        let range = value_of("DEBUG").map_or_else(
            || 0..file.text.find('\n').unwrap_or(file.text.len()),
            |(_, r)| r,
        );
        let mut message = format!(
            "production settings do not enable {}: `manage.py check --deploy` flags this, and sessions can travel over plain HTTP",
            missing.join(", ")
        );
        let mut hit = Hit::new(range, String::new());
        if star_import {
            message.push_str(" (unless the star-imported base settings set them)");
            hit = hit.confidence(Confidence::Low);
        }
        hit.message = message;
        out.push(hit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names() {
        assert!(is_prod_name("config/settings/production.py"));
        assert!(is_prod_name("mysite/settings/prod.py"));
        assert!(is_prod_name("mysite/prod_settings.py"));
        assert!(is_prod_name("settings/production/__init__.py"));
        assert!(!is_prod_name("config/production.py"));
        assert!(!is_prod_name("mysite/settings/base.py"));
        assert!(is_plain_settings("mysite/settings.py"));
    }
}
