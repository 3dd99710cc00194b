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
    line_suppressed, rust_app_signal, rust_non_service_path, rust_subcommand_path, Node,
};
use super::swallowed_rust::{rust_discard, rust_ok_discard, rust_unwrap};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;

pub struct SwallowedException;

impl Check for SwallowedException {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else {
            return;
        };
        match file.language {
            Language::Python => {
                for node in nodes.of_kinds(&["except_clause", "except_group_clause"]) {
                    python_handler(&node, &file.text, out);
                }
            }
            Language::Rust => {
                if rust_non_service_path(&file.rel_path) || !rust_app_signal(&file.text) {
                    return;
                }
                // A subcommand's `.expect("Could not bind to address")` is
                // how a command-line tool reports a failure.
                let subcommand = rust_subcommand_path(&file.rel_path);
                for node in
                    nodes.of_kinds(&["let_declaration", "expression_statement", "call_expression"])
                {
                    match node.kind().as_ref() {
                        "let_declaration" => rust_discard(&node, out),
                        "expression_statement" => rust_ok_discard(&node, out),
                        "call_expression" if !subcommand => rust_unwrap(&node, out),
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
