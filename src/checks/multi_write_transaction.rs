//! Django functions that write the database more than once outside a
//! transaction. Counts ORM writes in each function body (manager calls such
//! as `Order.objects.create(...)` / `.filter(...).update(...)`, and
//! instance `.save()` / `.delete()` without positional arguments; a write
//! inside a loop counts as several), skipping nested functions, writes
//! inside `with transaction.atomic():` and functions decorated with
//! `@transaction.atomic`. Two or more writes left that can run in one call
//! (not in different arms of one `if`, nor one in a branch that returns
//! before the other) make a finding on the function's name. Migrations
//! (which run in a transaction) are skipped.

use super::servicectx::Node;
use super::{Check, Hit};
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;

pub struct MultiWriteTransaction;

const MANAGER_WRITES: &[&str] = &[
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "save",
];

impl Check for MultiWriteTransaction {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else {
            return;
        };
        if crate::paths::is_migration(&file.rel_path, &file.text)
            || !(file.text.contains("django") || file.text.contains(".objects."))
        {
            return;
        }
        for func in nodes.of_kind("function_definition") {
            let Some(name) = func.field_of("name") else {
                continue;
            };
            let Some(body) = func.field_of("body") else {
                continue;
            };
            let writes = writes_in(nodes, &body);
            if writes.is_empty() || decorated_atomic(&func) {
                continue;
            }
            let total: usize = writes.iter().map(|w| w.weight).sum();
            let in_loop = writes.iter().any(|w| w.weight > 1);
            let pair = writes
                .iter()
                .enumerate()
                .any(|(i, a)| writes[i + 1..].iter().any(|b| together(a, b)));
            if total < 2
                || !(in_loop || pair)
                || !writes.iter().any(|Write { text: w, .. }| {
                    w.contains("objects")
                        || w.contains("_set.")
                        || w.ends_with(".save()")
                        || w.ends_with(".delete()")
                })
            {
                continue;
            }
            let mut listed: Vec<String> = Vec::new();
            for w in &writes {
                if !listed.contains(&w.text) {
                    listed.push(w.text.clone());
                }
            }
            let shown: Vec<String> = listed.iter().take(3).map(|w| format!("`{w}`")).collect();
            let more = if listed.len() > 3 { ", ..." } else { "" };
            out.push(Hit::new(
                name.range(),
                format!(
                    "`{}` makes {} ORM writes ({}{more}){} without `transaction.atomic`; a failure part-way leaves partial data",
                    name.text(),
                    if in_loop { "repeated".to_string() } else { total.to_string() },
                    shown.join(", "),
                    if in_loop { ", one inside a loop," } else { "" },
                ),
            ));
        }
    }
}

fn decorated_atomic(func: &Node<'_>) -> bool {
    func.parent().is_some_and(|p| {
        p.kind() == "decorated_definition"
            && p.children()
                .any(|d| d.kind() == "decorator" && d.text().contains("atomic"))
    })
}

/// An ORM write found in a function body.
struct Write {
    /// As shown in messages: `Order.objects.create`, `order.save()`.
    text: String,
    /// 2 inside a loop, else 1.
    weight: usize,
    /// Where the call starts.
    at: usize,
    /// The branches of `if` statements it sits in, as (if start, clause
    /// start) pairs.
    arms: Vec<(usize, usize)>,
    /// The ends of the `if` statements whose branch holding it ends in
    /// `return` or `raise`: nothing from there on runs after it.
    exits: Vec<usize>,
}

/// Can both writes run in one call: not in different arms of one `if`,
/// and neither in a branch that returns before the other is reached?
fn together(a: &Write, b: &Write) -> bool {
    let arms_apart = a
        .arms
        .iter()
        .any(|(i, c)| b.arms.iter().any(|(j, d)| i == j && c != d));
    let returns_first = |x: &Write, y: &Write| x.exits.iter().any(|end| y.at >= *end);
    !arms_apart && !returns_first(a, b) && !returns_first(b, a)
}

/// Does this branch of an `if` (its block, or the `elif`/`else` clause
/// holding one) end by leaving the function?
fn arm_leaves(arm: &Node<'_>) -> bool {
    let block = if arm.kind() == "block" {
        Some(arm.clone())
    } else {
        arm.field_of("consequence").or_else(|| arm.field_of("body"))
    };
    block
        .and_then(|b| {
            b.children()
                .filter(|c| c.is_named() && c.kind() != "comment")
                .last()
        })
        .is_some_and(|last| matches!(last.kind().as_ref(), "return_statement" | "raise_statement"))
}

/// ORM writes in `body` outside atomic blocks and nested scopes, in source
/// order, with the `if` arms they sit in. Only the write calls and their
/// ancestors are looked at, once each.
fn writes_in(nodes: &NodeIndex<'_>, body: &Node<'_>) -> Vec<Write> {
    let mut out = Vec::new();
    'calls: for call in nodes.of_kind_in(body, "call") {
        let Some(write) = orm_write(&call) else {
            continue;
        };
        let mut in_loop = false;
        let mut arms = Vec::new();
        let mut exits = Vec::new();
        let mut child = call.clone();
        for a in call.ancestors() {
            if a.node_id() == body.node_id() {
                break;
            }
            match a.kind().as_ref() {
                "function_definition" | "class_definition" | "lambda" => continue 'calls,
                "with_statement" => {
                    let atomic = a
                        .children()
                        .find(|c| c.kind() == "with_clause")
                        .is_some_and(|c| c.text().contains("atomic"));
                    if atomic {
                        continue 'calls;
                    }
                }
                // The iterable of a for loop is evaluated once.
                "for_statement" => {
                    in_loop |= a
                        .field_of("right")
                        .is_none_or(|r| r.node_id() != child.node_id());
                }
                "while_statement" => in_loop = true,
                "if_statement"
                    if matches!(
                        child.kind().as_ref(),
                        "block" | "elif_clause" | "else_clause"
                    ) =>
                {
                    arms.push((a.range().start, child.range().start));
                    if arm_leaves(&child) {
                        exits.push(a.range().end);
                    }
                }
                _ => {}
            }
            child = a;
        }
        out.push(Write {
            text: write,
            weight: if in_loop { 2 } else { 1 },
            at: call.range().start,
            arms,
            exits,
        });
    }
    out
}

/// `Order.objects.create` / `order.save()` / `qs.delete()`, as shown in messages.
fn orm_write(call: &Node<'_>) -> Option<String> {
    let func = call.field_of("function")?;
    if func.kind() != "attribute" {
        return None;
    }
    let method = func.field_of("attribute")?.text().to_string();
    // Most calls are not writes: decide on the method name before the rest.
    if !(MANAGER_WRITES.contains(&method.as_str())
        || matches!(
            method.as_str(),
            "add" | "remove" | "clear" | "set" | "save" | "delete"
        ))
    {
        return None;
    }
    let object = func.field_of("object")?;
    let object_text = object.text().to_string();
    let args = call.field_of("arguments")?;
    let manager = object_text.contains(".objects")
        || object_text.starts_with("objects")
        || object_text.contains("_default_manager")
        || object_text.contains("_set.");
    // Reverse and many-to-many related managers: `order.orderline_set.create(...)`.
    if object_text.ends_with("_set")
        && (MANAGER_WRITES.contains(&method.as_str())
            || matches!(method.as_str(), "add" | "remove" | "clear" | "set"))
    {
        return Some(format!("{object_text}.{method}"));
    }
    if manager && MANAGER_WRITES.contains(&method.as_str()) {
        let head = object_text.split('(').next().unwrap_or(&object_text);
        let head = head.trim_end_matches('.');
        return Some(if object_text.contains('(') {
            format!("{head}(...).{method}")
        } else {
            format!("{head}.{method}")
        });
    }
    if method != "save" && method != "delete" {
        return None;
    }
    let positional = args
        .children()
        .filter(|c| c.is_named() && c.kind() != "comment")
        .any(|c| c.kind() != "keyword_argument");
    let lower = object_text.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    if positional
        || args.text().contains("commit=False")
        || object.kind() == "call"
        || [
            "session", "cache", "request", "client", "storage", "file", "image", "img", "redis",
            "response", "workbook", "wb", "doc", "fig", "plt", "bucket", "s3",
        ]
        .iter()
        .any(|w| {
            last == *w || last.ends_with(&format!("_{w}")) || last.starts_with(&format!("{w}_"))
        })
    {
        return None;
    }
    Some(format!("{object_text}.{method}()"))
}
