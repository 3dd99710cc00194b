//! Errors that vanish. Python: a broad or bare `except` whose body only
//! passes, continues or returns `None` (handlers naming specific exceptions
//! are deliberate and stay silent; a bare `except:` that does anything but
//! re-raise is reported on its own, since it also catches `SystemExit` and
//! `KeyboardInterrupt`). Rust: `let _ = x.execute(..)`-style discards of a
//! fallible I/O call, and `.unwrap()`/`.expect()` in library or service code
//! (never in tests, benches, examples, `build.rs`, `src/bin/` or `fn main`).
//! JavaScript's empty `catch {}` and `.catch(() => {})` are declarative
//! matchers in the rule file.

use super::servicectx::{
    line_suppressed, rust_app_signal, rust_in_main, rust_in_test, rust_non_service_path, Node,
};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};

pub struct SwallowedException;

impl Check for SwallowedException {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(tree) = file.code() else {
            return;
        };
        match file.language {
            Language::Python => {
                for node in tree.root().dfs() {
                    if matches!(
                        node.kind().as_ref(),
                        "except_clause" | "except_group_clause"
                    ) {
                        python_handler(&node, &file.text, out);
                    }
                }
            }
            Language::Rust => {
                if rust_non_service_path(&file.rel_path) || !rust_app_signal(&file.text) {
                    return;
                }
                for node in tree.root().dfs() {
                    match node.kind().as_ref() {
                        "let_declaration" => rust_discard(&node, out),
                        "call_expression" => rust_unwrap(&node, out),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

#[derive(PartialEq)]
enum Caught {
    Bare,
    Broad(String),
    Specific,
}

fn caught(clause: &Node<'_>) -> Caught {
    let Some(expr) = clause
        .children()
        .filter(|c| c.is_named() && !matches!(c.kind().as_ref(), "block" | "comment"))
        .find(|c| c.kind() != "except")
    else {
        return Caught::Bare;
    };
    let expr = if expr.kind() == "as_pattern" {
        match expr.children().find(|c| c.is_named()) {
            Some(e) => e,
            None => return Caught::Specific,
        }
    } else {
        expr
    };
    let broad = |t: &str| {
        matches!(
            t,
            "Exception" | "BaseException" | "builtins.Exception" | "builtins.BaseException"
        )
    };
    let names: Vec<String> = if matches!(expr.kind().as_ref(), "tuple" | "parenthesized_expression")
    {
        expr.children()
            .filter(|c| c.is_named())
            .map(|c| c.text().to_string())
            .collect()
    } else {
        vec![expr.text().to_string()]
    };
    match names.into_iter().find(|n| broad(n)) {
        Some(n) => Caught::Broad(n),
        None => Caught::Specific,
    }
}

/// Does the statement do nothing with the error?
fn is_swallow(stmt: &Node<'_>) -> Option<&'static str> {
    match stmt.kind().as_ref() {
        "pass_statement" => Some("pass"),
        "continue_statement" => Some("continue"),
        "expression_statement" if stmt.text().trim() == "..." => Some("..."),
        "return_statement" => {
            let t = stmt.text();
            let t = t.trim();
            (t == "return" || t == "return None").then_some("return None")
        }
        _ => None,
    }
}

fn python_handler(clause: &Node<'_>, text: &str, out: &mut Vec<Hit>) {
    const CODES: &[&str] = &["S110", "S112", "B110", "B112", "BLE001"];
    if line_suppressed(text, clause.range().start, CODES) {
        return;
    }
    let Some(block) = clause.children().find(|c| c.kind() == "block") else {
        return;
    };
    let stmts: Vec<Node<'_>> = block
        .children()
        .filter(|c| c.is_named() && c.kind() != "comment")
        .collect();
    let swallowed: Option<Vec<&str>> = stmts.iter().map(is_swallow).collect();
    let raises = block.dfs().any(|n| n.kind() == "raise_statement");
    let head_end = block.range().start.min(clause.range().end);
    let start = clause.range().start;
    let kind = caught(clause);
    match (kind, swallowed) {
        (Caught::Specific, _) => {}
        (Caught::Bare, Some(what)) if !stmts.is_empty() => out.push(Hit::new(
            start..head_end,
            format!(
                "bare `except:` swallows every error (even `KeyboardInterrupt`) with `{}`; nothing is logged or re-raised",
                what.join("; ")
            ),
        )),
        (Caught::Broad(name), Some(what)) if !stmts.is_empty() => out.push(Hit::new(
            start..head_end,
            format!(
                "`except {name}` swallows the error with `{}`; nothing is logged or re-raised",
                what.join("; ")
            ),
        )),
        (Caught::Bare, _)
            if !raises
                && !stmts.is_empty()
                && !line_suppressed(text, clause.range().start, &["E722"]) =>
        {
            out.push(
            Hit::new(
                start..head_end,
                "bare `except:` also catches `SystemExit` and `KeyboardInterrupt`; catch `Exception` or narrower",
            )
            .confidence(Confidence::Medium),
        )
        }
        _ => {}
    }
}

/// Methods whose `Result` is an I/O or database outcome that must not be dropped.
const FALLIBLE: &[&str] = &[
    "execute",
    "execute_many",
    "commit",
    "flush",
    "write_all",
    "save",
    "persist",
    "sync_all",
    "sync_data",
    "publish",
    "send",
    "write",
    "insert",
    "insert_one",
    "insert_many",
    "update",
    "update_one",
    "update_many",
    "delete",
    "delete_one",
    "delete_many",
    "upsert",
];

fn rust_discard(decl: &Node<'_>, out: &mut Vec<Hit>) {
    if decl.field("pattern").is_none_or(|p| p.text() != "_") {
        return;
    }
    let Some(value) = decl.field("value") else {
        return;
    };
    let awaited = value.kind() == "await_expression";
    let call = if awaited {
        match value.children().find(|c| c.is_named()) {
            Some(c) => c,
            None => return,
        }
    } else {
        value.clone()
    };
    if call.kind() != "call_expression" || rust_in_test(decl) {
        return;
    }
    let Some(func) = call.field("function") else {
        return;
    };
    let (receiver, method) = match func.kind().as_ref() {
        "field_expression" => (
            func.field("value")
                .map(|v| v.text().to_string())
                .unwrap_or_default(),
            func.field("field")
                .map(|f| f.text().to_string())
                .unwrap_or_default(),
        ),
        "scoped_identifier" => (
            func.field("path")
                .map(|v| v.text().to_string())
                .unwrap_or_default(),
            func.field("name")
                .map(|f| f.text().to_string())
                .unwrap_or_default(),
        ),
        _ => return,
    };
    if !FALLIBLE.contains(&method.as_str()) {
        return;
    }
    let recv_last = receiver
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(&receiver)
        .to_ascii_lowercase();
    let channel = recv_last == "tx"
        || recv_last.ends_with("_tx")
        || recv_last.ends_with("sender")
        || recv_last.contains("chan")
        || recv_last.ends_with("_sink")
        || recv_last == "sink";
    let args_empty = call.field("arguments").is_none_or(|a| a.text() == "()");
    let weak = matches!(
        method.as_str(),
        "insert" | "update" | "delete" | "send" | "write"
    );
    if channel && method == "send" {
        return;
    }
    // `map.insert(k, v)` returns an Option; only awaited or database-looking
    // receivers are clearly fallible.
    let db_like = [
        "db",
        "conn",
        "pool",
        "tx",
        "txn",
        "client",
        "collection",
        "repo",
        "store",
        "session",
        "table",
        "producer",
        "file",
        "stream",
        "socket",
        "writer",
    ]
    .iter()
    .any(|w| recv_last.contains(w));
    if weak && !awaited && !db_like {
        return;
    }
    if method == "write" && args_empty {
        return;
    }
    out.push(
        Hit::new(
            decl.range(),
            format!(
                "the `Result` of `{}` is discarded with `let _ =`; a failed {method} goes unnoticed",
                short(&call.text())
            ),
        )
        .confidence(Confidence::Medium),
    );
}

fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 50 {
        format!("{}...", one.chars().take(47).collect::<String>())
    } else {
        one
    }
}

fn rust_unwrap(call: &Node<'_>, out: &mut Vec<Hit>) {
    let Some(func) = call.field("function") else {
        return;
    };
    if func.kind() != "field_expression" {
        return;
    }
    let Some(field) = func.field("field") else {
        return;
    };
    let method = field.text();
    if method != "unwrap" && method != "expect" {
        return;
    }
    let Some(receiver) = func.field("value") else {
        return;
    };
    if infallible_receiver(&receiver)
        || in_static_init(call)
        || rust_in_test(call)
        || rust_in_main(call)
    {
        return;
    }
    let what = short(&receiver.text());
    let (message, confidence) = if method == "unwrap" {
        (
            format!(
                "`.unwrap()` on `{what}` panics the worker on an error instead of returning it"
            ),
            Confidence::Medium,
        )
    } else {
        (
            format!("`.expect()` on `{what}` panics on an error instead of returning it"),
            Confidence::Low,
        )
    };
    out.push(
        Hit::new(field.range().start..call.range().end, message)
            .severity(Severity::Low)
            .confidence(confidence),
    );
}

/// Receivers whose failure is a programming error, not a runtime one:
/// poisoned locks, literal regexes and literal parses.
fn infallible_receiver(receiver: &Node<'_>) -> bool {
    if receiver.kind() == "macro_invocation" {
        return true;
    }
    if receiver.kind() == "call_expression" {
        let args = receiver
            .field("arguments")
            .map(|a| a.text().to_string())
            .unwrap_or_default();
        let func = receiver
            .field("function")
            .map(|f| f.text().to_string())
            .unwrap_or_default();
        let method = func.rsplit(['.', ':']).next().unwrap_or("");
        if method.starts_with("checked_") {
            return true;
        }
        if args == "()"
            && matches!(
                method,
                "lock" | "read" | "write" | "try_lock" | "get_mut" | "into_inner"
            )
        {
            return true;
        }
        let literal_arg =
            args.starts_with("(\"") || args.starts_with("(r\"") || args.starts_with("(r#\"");
        if literal_arg
            && (func.ends_with("Regex::new")
                || func.ends_with("::from_str")
                || func.ends_with("Url::parse")
                || func.ends_with("HeaderValue::from_static"))
        {
            return true;
        }
        if method == "parse" || method == "try_into" || method == "try_from" {
            if let Some(inner) = receiver.field("function").and_then(|f| f.field("value")) {
                if matches!(
                    inner.kind().as_ref(),
                    "string_literal" | "raw_string_literal" | "integer_literal"
                ) {
                    return true;
                }
            }
        }
    }
    false
}

fn in_static_init(node: &Node<'_>) -> bool {
    node.ancestors().any(|a| match a.kind().as_ref() {
        "static_item" | "const_item" => true,
        "macro_invocation" => a.field("macro").is_some_and(|m| {
            m.text().ends_with("lazy_static") || m.text().ends_with("thread_local")
        }),
        "call_expression" => a.field("function").is_some_and(|f| {
            let t = f.text();
            t.ends_with("Lazy::new") || t.ends_with("LazyLock::new") || t.ends_with("get_or_init")
        }),
        _ => false,
    })
}
