//! N+1 queries: a database query inside a loop over a query result. The
//! loop's iterable (or the variable it names, through its last assignment
//! in the same function) must look like a Django queryset or a SQLAlchemy
//! query; inside the body, a query is reported when it runs per item:
//! a manager query (`Order.objects.filter(user=user)`) or session query
//! (`session.query(...)`, `db.get(...)`) whose arguments mention the loop
//! variable, or a related-manager call on it (`user.orders.all()`,
//! `post.comment_set.count()`), unless the queryset prefetches that relation.
//! Comprehensions are treated like loops.

use super::servicectx::Node;
use super::{Check, Hit};
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use regex::Regex;
use std::sync::LazyLock;

pub struct OrmQueryInLoop;

static QUERYSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\.objects\b|^objects\.|_set\.(all|filter|select_related|prefetch_related)\(|\.all\(\)|\.query\(|get_queryset\(|(^|\.)queryset\b|\.scalars\(|\.execute\(\s*select\(|\.(select_related|prefetch_related|order_by)\()")
        .unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
});

const READS: &[&str] = &[
    "get",
    "filter",
    "exclude",
    "all",
    "count",
    "exists",
    "first",
    "last",
    "aggregate",
    "values",
    "values_list",
    "latest",
    "earliest",
    "in_bulk",
];
const SESSION_READS: &[&str] = &["query", "get", "execute", "scalars", "scalar"];

impl Check for OrmQueryInLoop {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else {
            return;
        };
        // Data migrations run once, offline: a query per row is their normal shape.
        if crate::paths::is_migration(&file.rel_path, &file.text) {
            return;
        }
        let mut seen: Vec<usize> = Vec::new();
        for node in nodes.of_kinds(&["for_statement", "for_in_clause"]) {
            let (var, iter, body): (Node<'_>, Node<'_>, Node<'_>) = match node.kind().as_ref() {
                "for_statement" => {
                    match (
                        node.field_of("left"),
                        node.field_of("right"),
                        node.field_of("body"),
                    ) {
                        (Some(l), Some(r), Some(b)) => (l, r, b),
                        _ => continue,
                    }
                }
                "for_in_clause" => {
                    match (node.field_of("left"), node.field_of("right"), node.parent()) {
                        (Some(l), Some(r), Some(p)) => (l, r, p),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let names: Vec<String> = if var.kind() == "identifier" {
                vec![var.text().to_string()]
            } else {
                var.dfs()
                    .filter(|n| n.kind() == "identifier")
                    .map(|n| n.text().to_string())
                    .collect()
            };
            if names.is_empty() {
                continue;
            }
            let source = resolve_iterable(&iter, &node);
            if !QUERYSET.is_match(&source) {
                continue;
            }
            let iter_text = short(&iter.text());
            for call in calls_in(&body, &iter) {
                if seen.contains(&call.range().start) {
                    continue;
                }
                if let Some((query, var)) = per_item_query(&call, &names, &source) {
                    seen.push(call.range().start);
                    out.push(Hit::new(
                        call.range(),
                        format!(
                            "`{query}` runs one query per `{var}` of the loop over `{iter_text}` (N+1); prefetch or batch it"
                        ),
                    ));
                }
            }
        }
    }
}

fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 50 {
        format!("{}...", one.chars().take(47).collect::<String>())
    } else {
        one
    }
}

/// The text of the iterable, or of the last assignment to the name it is.
fn resolve_iterable(iter: &Node<'_>, loop_node: &Node<'_>) -> String {
    let text = iter.text().to_string();
    if iter.kind() != "identifier" && !(iter.kind() == "attribute" && text.starts_with("self.")) {
        return text;
    }
    let scope = loop_node
        .ancestors()
        .find(|a| matches!(a.kind().as_ref(), "function_definition" | "module"));
    let Some(scope) = scope else {
        return text;
    };
    let before = loop_node.range().start;
    let mut found = text.clone();
    for n in scope.dfs() {
        if n.range().start >= before {
            break;
        }
        if n.kind() == "assignment" && n.field_of("left").is_some_and(|l| l.text() == text) {
            if let Some(r) = n.field_of("right") {
                found = r.text().to_string();
            }
        }
    }
    found
}

/// Calls in the loop body, not in nested functions, excluding the iterable.
fn calls_in<'r>(body: &Node<'r>, iter: &Node<'r>) -> Vec<Node<'r>> {
    let mut out = Vec::new();
    let mut stack = vec![body.clone()];
    let skip = iter.range();
    while let Some(n) = stack.pop() {
        if n.range() == skip
            || matches!(
                n.kind().as_ref(),
                "function_definition" | "class_definition" | "lambda"
            )
        {
            continue;
        }
        if n.kind() == "call" {
            out.push(n.clone());
        }
        stack.extend(n.children());
    }
    out.sort_by_key(|n| n.range().start);
    out
}

fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// (query text for the message, loop variable it depends on).
fn per_item_query(call: &Node<'_>, names: &[String], source: &str) -> Option<(String, String)> {
    let func = call.field_of("function")?;
    if func.kind() != "attribute" {
        return None;
    }
    let method = func.field_of("attribute")?.text().to_string();
    let object = func.field_of("object")?;
    let object_text = object.text().to_string();
    let arg_list = call.field_of("arguments")?;
    let args = arg_list.text().to_string();
    // `.get("permissions", {})` looks up a key: a dict (a JSON field), not
    // a manager, whose `get` takes lookups.
    if method == "get"
        && arg_list
            .named_children()
            .next()
            .is_some_and(|a| a.kind() == "string")
    {
        return None;
    }
    // Related manager on the loop variable: `user.orders.all()`.
    if object.kind() == "attribute" && READS.contains(&method.as_str()) {
        if let (Some(owner), Some(rel)) = (object.field_of("object"), object.field_of("attribute"))
        {
            let owner_text = owner.text().to_string();
            if let Some(var) = names.iter().find(|n| **n == owner_text) {
                let rel = rel.text().to_string();
                let no_args = args == "()";
                let needs_no_args = matches!(
                    method.as_str(),
                    "all" | "count" | "exists" | "first" | "last"
                );
                let plausible = (rel.ends_with("_set") || rel.ends_with('s') || method == "all")
                    && (no_args || !needs_no_args);
                let prefetched =
                    source.contains(&format!("'{rel}")) || source.contains(&format!("\"{rel}"));
                if plausible && !prefetched && rel != "objects" {
                    return Some((format!("{owner_text}.{rel}.{method}()"), var.clone()));
                }
            }
        }
    }
    // Manager query depending on the loop variable.
    let manager = object_text.contains(".objects") || object_text.starts_with("objects");
    if manager && READS.contains(&method.as_str()) {
        let var = names.iter().find(|n| {
            mentions(&args, n)
                || mentions(&object_text.replace(".objects", ""), n) && object_text.contains('(')
        })?;
        return Some((short(&call.text()), var.clone()));
    }
    // SQLAlchemy session query depending on the loop variable.
    let last = object_text
        .rsplit('.')
        .next()
        .unwrap_or(&object_text)
        .to_ascii_lowercase();
    let session = last == "db"
        || last.contains("session")
        || last.ends_with("_db")
        || last.contains("cursor");
    let model_arg = args
        .trim_start_matches('(')
        .starts_with(|c: char| c.is_ascii_uppercase());
    if session && SESSION_READS.contains(&method.as_str()) && (method != "get" || model_arg) {
        let whole = call.text().to_string();
        let var = names.iter().find(|n| mentions(&whole, n))?;
        return Some((short(&call.text()), var.clone()));
    }
    // `session.query(X).filter(X.user_id == user.id).first()`: the chain's root.
    if matches!(
        method.as_str(),
        "first" | "one" | "one_or_none" | "all" | "scalar" | "count"
    ) && object_text.contains(".query(")
    {
        let root = object_text.split(".query(").next().unwrap_or("");
        let root_last = root.rsplit('.').next().unwrap_or(root).to_ascii_lowercase();
        if root_last == "db" || root_last.contains("session") {
            let var = names.iter().find(|n| mentions(&object_text, n))?;
            return Some((short(&call.text()), var.clone()));
        }
    }
    None
}
