//! What counts as a password for weak-password-hash: password-named values
//! (directly or through a local variable) and password-named places a hash
//! is stored into.

use crate::checks::localflow::{reaching_writes, scope_of, N};
use crate::checks::names::{is_password_name, is_secret_name};
use crate::parse::fields::FieldOf;

const NOT_PASSWORD: &[&str] = &[
    "hash", "digest", "reset", "token", "length", "policy", "field", "url", "path", "file", "salt",
    "expir", "strength", "valid", "regex", "pattern", "label", "hint", "changed", "updated", "_at",
    "count", "attempt", "encoder", "manager", "_id", "min_", "max_", "_min", "_max", "verif",
    "check", "compare", "match", "required", "enabled", "rule", "error", "prompt", "mask", "crypt",
    "history",
];

/// `pw`, `pwText`, `user_pw`: the short spelling, as a whole word only.
pub(super) fn has_pw_word(name: &str) -> bool {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in name.chars() {
        if c == '_' || c == '-' || c.is_ascii_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c != '_' && c != '-' {
            cur.push(c.to_ascii_lowercase());
        }
    }
    words.push(cur);
    words
        .iter()
        .any(|w| matches!(w.as_str(), "pw" | "pwtext" | "pword" | "pws"))
}

pub(super) fn is_pw(name: &str, secrets_too: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    let secret = secrets_too
        && is_secret_name(name)
        && [
            "secret",
            "apikey",
            "api_key",
            "privatekey",
            "private_key",
            "credential",
        ]
        .iter()
        .any(|w| lower.contains(w));
    (is_password_name(name) || has_pw_word(name) || secret)
        && !NOT_PASSWORD.iter().any(|w| lower.contains(w))
}

/// A place that stores a password (hash): `user.password`, `password_hash`,
/// `setPassword(..)`.
pub(super) fn is_pw_target(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (is_password_name(name) || has_pw_word(name))
        && ![
            "reset", "token", "length", "policy", "hint", "confirm", "check", "verify", "compare",
            "match",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

pub(super) fn short(s: &str) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 40 {
        format!("{}...", one.chars().take(37).collect::<String>())
    } else {
        one
    }
}

/// Where the result of a hash call ends up, when that place holds a
/// password: assigned to `user.password`, passed as `password=`, given to
/// `setPassword(..)` — directly or through a local variable.
pub(super) fn destination(call: &N<'_>) -> Option<String> {
    let mut cur = call.clone();
    for _ in 0..8 {
        let Some(p) = cur.parent() else { break };
        match p.kind().as_ref() {
            "attribute" | "member_expression" | "field_expression" => match p.parent() {
                Some(c) if matches!(c.kind().as_ref(), "call" | "call_expression") => cur = c,
                _ => break,
            },
            "await" | "await_expression" | "parenthesized_expression" => cur = p,
            _ => break,
        }
    }
    let p = cur.parent()?;
    let stored_in = |target: &N<'_>| is_pw_target(&target.text()).then(|| short(&target.text()));
    match p.kind().as_ref() {
        "assignment" | "assignment_expression" | "variable_declarator" => {
            let target = p.field_of("left").or_else(|| p.field_of("name"))?;
            if let Some(t) = stored_in(&target) {
                return Some(t);
            }
            if target.kind() != "identifier" {
                return None;
            }
            let name = target.text().to_string();
            let scope = scope_of(&p).or_else(|| p.ancestors().last())?;
            let after = p.range().end;
            let found = scope
                .dfs()
                .filter(|n| {
                    n.range().start >= after && n.kind() == "identifier" && n.text() == name
                })
                .find_map(|n| sink_of(&n));
            found
        }
        _ => sink_of(&cur),
    }
}

/// Is `value` stored into a password place right where it stands?
pub(super) fn sink_of(value: &N<'_>) -> Option<String> {
    let p = value.parent()?;
    match p.kind().as_ref() {
        "keyword_argument" | "pair" => {
            let key = p.field_of("name").or_else(|| p.field_of("key"))?;
            is_pw_target(key.text().trim_matches(['"', '\''])).then(|| short(&key.text()))
        }
        "assignment" | "assignment_expression"
            if p.field_of("right")
                .is_some_and(|r| r.range() == value.range()) =>
        {
            let target = p.field_of("left")?;
            is_pw_target(&target.text()).then(|| short(&target.text()))
        }
        "argument_list" | "arguments" => {
            let f = p.parent()?.field_of("function")?;
            let name = f.text().rsplit(['.', ':']).next().unwrap_or("").to_string();
            let lower = name.to_ascii_lowercase();
            (lower.contains("password") && !lower.contains("check") && !lower.contains("verify"))
                .then(|| format!("{}(..)", short(&f.text())))
        }
        _ => None,
    }
}

/// The expression to quote for a password-named node: `user.password`
/// rather than `password`.
pub(super) fn quoted(n: &N<'_>) -> String {
    let shown = match n.parent() {
        Some(p)
            if matches!(
                p.kind().as_ref(),
                "attribute"
                    | "member_expression"
                    | "field_expression"
                    | "subscript"
                    | "subscript_expression"
            ) && p.range().end == n.range().end
                || p.kind() == "subscript" =>
        {
            p.text().to_string()
        }
        _ => n.text().to_string(),
    };
    let one = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 40 {
        format!("{}...", one.chars().take(37).collect::<String>())
    } else {
        one
    }
}

/// Does `e` carry a password (by name), directly or through a local
/// variable assigned from one? Returns the expression to quote.
pub(super) fn password_in(e: &N<'_>, secrets_too: bool, depth: usize) -> Option<String> {
    let mut locals = Vec::new();
    for n in e.dfs() {
        let kind = n.kind();
        match kind.as_ref() {
            "identifier"
            | "property_identifier"
            | "field_identifier"
            | "shorthand_property_identifier" => {
                let text = n.text();
                if is_pw(&text, secrets_too) {
                    return Some(quoted(&n));
                }
                if kind == "identifier" {
                    locals.push(n.clone());
                }
            }
            "string_content" | "string_fragment" => {
                // request.form["password"], data.get("password"), body['pwd']
                let Some(s) = n.parent() else { continue };
                let Some(p) = s.parent() else { continue };
                let keyed = matches!(p.kind().as_ref(), "subscript" | "subscript_expression")
                    || p.kind() == "argument_list"
                        && p.parent()
                            .and_then(|c| c.field_of("function"))
                            .is_some_and(|f| {
                                f.text().ends_with("get") || f.text().ends_with("getattr")
                            });
                if keyed && is_pw(&n.text(), secrets_too) {
                    return Some(quoted(
                        &s.parent()
                            .filter(|p| p.kind() != "argument_list")
                            .unwrap_or(p),
                    ));
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        return None;
    }
    for id in locals {
        for w in reaching_writes(&id, &id.text()) {
            if let Some(inner) = password_in(&w.value, secrets_too, depth + 1) {
                return Some(inner);
            }
        }
    }
    None
}
