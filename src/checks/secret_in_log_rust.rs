//! The Rust half of `secret-in-log`: `tracing`/`log` macro arguments are
//! token trees, so secrets are found among their tokens: identifiers named
//! like secrets (judged by their value when they name a field, as in
//! `password = %body.password`), inline format captures (`"{token}"`) and
//! auth header names.

use super::log_secret_names::{harmless_value, revealing_placeholder, secret_name, AUTH_HEADERS};
use super::rust_macro::args_after;
use super::servicectx::Node;
use crate::parse::fields::FieldOf;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

static FMT_CAPTURE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?\}").ok());

const RUST_LOG_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event", "log"];

pub(super) fn rust_log(mac: &Node<'_>) -> Option<(String, Confidence)> {
    let name = mac.field_of("macro")?.text().to_string();
    let short = name.rsplit("::").next().unwrap_or(&name);
    if !RUST_LOG_MACROS.contains(&short)
        || (short == "log" && !name.contains("::")) && !name.starts_with("log")
    {
        return None;
    }
    let tree = mac.children().find(|c| c.kind() == "token_tree")?;
    let tokens: Vec<Node<'_>> = tree
        .dfs()
        .filter(|t| t.children().count() == 0 || t.kind() == "string_literal")
        .collect();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind().as_ref() {
            "identifier" | "field_identifier" => {
                let text = t.text().to_string();
                // `Attribute::PasswordImport`: a type or an enum variant
                // names a kind of value, it holds none.
                let camel = text.starts_with(|c: char| c.is_ascii_uppercase())
                    && text.chars().any(|c| c.is_ascii_lowercase());
                if camel || !secret_name(&text) {
                    continue;
                }
                let next = tokens
                    .get(i + 1)
                    .map(|n| n.text().to_string())
                    .unwrap_or_default();
                let after = tokens
                    .get(i + 2)
                    .map(|n| n.text().to_string())
                    .unwrap_or_default();
                // `password = ...` names a field: judged by its value.
                if next == "=" {
                    let value = tokens
                        .get(i + 2..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|n| n.text() != ",")
                        .map(|n| n.text().to_string())
                        .collect::<String>();
                    let v = value.trim_start_matches(['%', '?']);
                    if v.starts_with('"')
                        || v == "true"
                        || v == "false"
                        || v.contains(".is_some()")
                        || v.contains(".is_empty()")
                        || v.contains(".len()")
                    {
                        continue;
                    }
                    return Some((format!("{text} = {value}"), Confidence::High));
                }
                // `token.id`, `api_token.name`, `access_token.expires_at`:
                // what is logged is a field about the secret.
                if next == "."
                    && (matches!(
                        after.as_str(),
                        "len" | "is_some" | "is_none" | "is_empty" | "expose_secret_len"
                    ) || harmless_field(&after))
                {
                    continue;
                }
                if next == "(" || tokens.get(i + 1).is_some_and(|n| n.kind() == "token_tree") {
                    continue;
                }
                return Some((text, Confidence::High));
            }
            "string_literal" => {
                let s = t.text();
                if let Some(re) = FMT_CAPTURE.as_ref() {
                    for c in re.captures_iter(&s) {
                        if let Some(m) = c.get(1) {
                            if secret_name(m.as_str()) {
                                return Some((format!("{{{}}}", m.as_str()), Confidence::High));
                            }
                        }
                    }
                }
                let later_value = tokens
                    .get(i + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|n| n.kind() == "identifier");
                if later_value {
                    // The argument the announcing placeholder shows:
                    // `"for token {}", token.id` shows an id.
                    let shown = revealing_placeholder(&s).map(|k| {
                        args_after(&tree, t)
                            .and_then(|args| args.into_iter().nth(k))
                            .unwrap_or_default()
                    });
                    if shown.is_some_and(|arg| !shown_harmless(&arg)) {
                        return Some((s.to_string(), Confidence::Medium));
                    }
                }
                let lower = s.to_ascii_lowercase();
                let trimmed = lower.trim_matches('"');
                if AUTH_HEADERS.contains(&trimmed) {
                    return Some((format!("header {trimmed}"), Confidence::Medium));
                }
            }
            _ => {}
        }
    }
    None
}

/// A field that describes a secret without holding it: its id, owner,
/// name, kind, scopes, timestamps or validity.
fn harmless_field(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    harmless_value(&f)
        || f.ends_with("_at")
        || f.contains("expir")
        // Validity windows: `api_token.valid_until`, `cert.not_after`.
        || f.starts_with("valid_")
        || f.ends_with("_until")
        || f.ends_with("_since")
        || matches!(f.as_str(), "not_before" | "not_after" | "ttl")
        || matches!(f.as_str(), "kind" | "scopes" | "revoked")
}

/// An argument shown in a message is harmless when it ends in such a field
/// (`token.user_id`) or is named like one (`token_id`).
fn shown_harmless(arg: &str) -> bool {
    let last = arg.rsplit('.').next().unwrap_or(arg);
    arg.is_empty() || harmless_field(last)
}
