//! Intra-function data flow shared by checks: the function a node sits in,
//! and what was written to a local name before a given point. Deliberately
//! simple: statements in source order, no branches, no aliasing. Module-level
//! assignments stand in when a function has none of its own.

use crate::parse::fields::FieldOf;
use crate::parse::kindset::KindSet;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::Node;
use ast_grep_language::SupportLang;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

pub type N<'r> = Node<'r, StrDoc<SupportLang>>;

/// Node kinds that open a new local scope, across the code languages.
#[rustfmt::skip]
static SCOPE_KINDS: KindSet = KindSet::new(&[
    "function_definition", "lambda", "function_declaration", "function_expression",
    "arrow_function", "method_definition", "generator_function_declaration", "generator_function",
    "function_item", "closure_expression",
]);

pub fn is_scope(node: &N<'_>) -> bool {
    SCOPE_KINDS.contains(node)
}

/// The innermost function around `node`, if any.
pub fn scope_of<'r>(node: &N<'r>) -> Option<N<'r>> {
    node.ancestors().find(is_scope)
}

/// One write to a local name.
pub struct Write<'r> {
    /// The assigned (or appended) value.
    pub value: N<'r>,
    /// `+=`, `push_str`: the value is appended to what was there.
    pub appended: bool,
    pub start: usize,
    /// The block the write sits in: it holds for uses inside that block.
    pub block: std::ops::Range<usize>,
}

#[rustfmt::skip]
static BLOCK_KINDS: KindSet = KindSet::new(&[
    "block", "statement_block", "module", "program", "source_file", "class_body",
]);

/// Node visits allowed per file (per check), so that pathological files
/// (thousands of sinks over one huge scope) stay linear-ish.
const VISIT_BUDGET: usize = 3_000_000;

/// A scope's identity: its node id and end, unique within one tree.
type ScopeId = (usize, usize);

thread_local! {
    static BUDGET: Cell<usize> = const { Cell::new(VISIT_BUDGET) };
    /// Per scope, hashes of the names written in it (see `written_in`).
    static WRITTEN: RefCell<HashMap<ScopeId, HashSet<u64>>> = RefCell::new(HashMap::new());
}

/// Start a file: reset the visit budget and the written-names cache.
pub fn begin_file() {
    BUDGET.with(|b| b.set(VISIT_BUDGET));
    WRITTEN.with(|w| w.borrow_mut().clear());
}

fn spend() -> bool {
    BUDGET.with(|b| {
        let left = b.get();
        b.set(left.saturating_sub(1));
        left > 0
    })
}

/// The kinds `write_of` reads: a cheap test before comparing names.
#[rustfmt::skip]
static WRITE_KINDS: KindSet = KindSet::new(&[
    "assignment", "assignment_expression", "augmented_assignment",
    "augmented_assignment_expression", "compound_assignment_expr", "variable_declarator",
    "let_declaration", "const_item", "static_item", "call_expression",
]);

/// The (target, value, appended) of a write node, if `n` is one.
fn write_of<'r>(n: &N<'r>) -> Option<(N<'r>, N<'r>, bool)> {
    if !WRITE_KINDS.contains(n) {
        return None;
    }
    let (target, value, appended) = match n.kind().as_ref() {
        "assignment" | "assignment_expression" => (n.field_of("left"), n.field_of("right"), false),
        "augmented_assignment" | "augmented_assignment_expression" | "compound_assignment_expr" => {
            if n.field_of("operator").is_none_or(|o| o.text() != "+=") {
                return None;
            }
            (n.field_of("left"), n.field_of("right"), true)
        }
        "variable_declarator" => (n.field_of("name"), n.field_of("value"), false),
        "let_declaration" => (n.field_of("pattern"), n.field_of("value"), false),
        "const_item" | "static_item" => (n.field_of("name"), n.field_of("value"), false),
        "call_expression" => {
            // Rust `sql.push_str(..)` / `v.push(..)` are appends.
            let f = n.field_of("function")?;
            if f.kind() != "field_expression" {
                return None;
            }
            let method = f.field_of("field")?;
            if !matches!(method.text().as_ref(), "push_str" | "push") {
                return None;
            }
            let first = n
                .field_of("arguments")
                .and_then(|a| a.named_children().next());
            (f.field_of("value"), first, true)
        }
        _ => return None,
    };
    Some((target?, value?, appended))
}

/// Node kinds whose contents are not module level, besides scopes.
static CLASS_KINDS: KindSet = KindSet::new(&[
    "class_definition",
    "class_body",
    "class_declaration",
    "impl_item",
]);

fn name_hash(name: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    name.hash(&mut h);
    h.finish()
}

/// May `scope` itself (see `own_nodes`) write `name`? One walk per scope
/// and file collects the hashes of every written name, so a name never
/// written (a parameter, a method name) costs a lookup, not a walk. A hash
/// collision only means a walk that finds nothing.
fn written_in(scope: &N<'_>, classes: bool, name: &str) -> bool {
    let id = (scope.node_id(), scope.range().end);
    WRITTEN.with(|w| {
        let mut w = w.borrow_mut();
        let names = w.entry(id).or_insert_with(|| {
            let mut names = HashSet::new();
            own_nodes(scope, classes, |n| {
                if let Some((target, _, _)) = write_of(n) {
                    names.insert(name_hash(&target.text()));
                }
                true
            });
            names
        });
        names.contains(&name_hash(name))
    })
}

/// Writes to `name` inside `scope` that end before `before`, in source
/// order. Writes inside nested functions (and, at module level, inside
/// classes) are skipped.
pub fn writes_before<'r>(scope: &N<'r>, name: &str, before: usize) -> Vec<Write<'r>> {
    let mut out = Vec::new();
    let scope_range = scope.range();
    let function = is_scope(scope);
    if !written_in(scope, !function, name) {
        return out;
    }
    own_nodes(scope, !function, |n| {
        if !spend() || n.range().start >= before {
            return false;
        }
        let Some((target, value, appended)) = write_of(n) else {
            return true;
        };
        if target.text() != name || n.range().end > before {
            return true;
        }
        let block = n
            .ancestors()
            .find(|a| BLOCK_KINDS.contains(a))
            .map_or(scope_range.clone(), |b| b.range());
        out.push(Write {
            value,
            appended,
            start: n.range().start,
            block,
        });
        true
    });
    out
}

/// Visit `scope` and the nodes below it in pre-order, not descending into
/// nested functions (nor, with `classes`, into classes): the nodes whose
/// writes belong to `scope` itself. Stops when `visit` returns false.
fn own_nodes<'r>(scope: &N<'r>, classes: bool, mut visit: impl FnMut(&N<'r>) -> bool) {
    if !visit(scope) {
        return;
    }
    // One cursor for the whole walk: down, else along, else up and along.
    // A cursor made at `scope` cannot climb above it.
    let root = scope.root();
    let mut cursor = scope.get_inner_node().walk();
    if !cursor.goto_first_child() {
        return;
    }
    loop {
        let n = root.adopt(cursor.node());
        let own = !(is_scope(&n) || classes && CLASS_KINDS.contains(&n));
        if own {
            if !visit(&n) {
                return;
            }
            if cursor.goto_first_child() {
                continue;
            }
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Writes that may define `name` where `at` uses it: from the last plain
/// assignment whose block also holds the use (appends included), or every
/// earlier write when the last assignments sit in branches. Looks in the
/// enclosing function first, then in the functions around it (a closure's
/// captured variables), then at module level.
pub fn reaching_writes<'r>(at: &N<'r>, name: &str) -> Vec<Write<'r>> {
    let pos = at.range().start;
    let ancestors: Vec<N<'r>> = at.ancestors().collect();
    let mut scopes: Vec<(N<'r>, usize)> = ancestors
        .iter()
        .filter(|a| is_scope(a))
        .map(|s| (s.clone(), pos))
        .collect();
    let module_before = if scopes.is_empty() { pos } else { usize::MAX };
    scopes.extend(ancestors.last().map(|r| (r.clone(), module_before)));
    for (scope, before) in scopes {
        let writes = writes_before(&scope, name, before);
        if writes.is_empty() {
            // A parameter of this function hides the outer name.
            if is_scope(&scope) && has_parameter(&scope, name) {
                break;
            }
            continue;
        }
        let dominating = writes
            .iter()
            .rposition(|w| !w.appended && (w.block.contains(&pos) || before == usize::MAX));
        return match dominating {
            Some(i) => writes.into_iter().skip(i).collect(),
            None => writes,
        };
    }
    Vec::new()
}

/// Does `function` take a parameter called `name`?
fn has_parameter(function: &N<'_>, name: &str) -> bool {
    function
        .field_of("parameters")
        .or_else(|| function.field_of("parameter"))
        .is_some_and(|p| {
            p.text()
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .any(|w| w == name)
        })
}

/// Is `name` a parameter of the function around `at` declared with a type
/// that cannot carry text (`limit: int`, `id: i64`, `page: number`, UUIDs)?
pub fn typed_as_number(at: &N<'_>, name: &str) -> bool {
    if enumerate_index(at, name) {
        return true;
    }
    let Some(params) = scope_of(at).and_then(|f| f.field_of("parameters")) else {
        return false;
    };
    let found = params.named_children().find_map(|p| {
        let pname = p
            .field_of("name")
            .or_else(|| p.field_of("pattern"))
            .or_else(|| p.named_children().find(|c| c.kind() == "identifier"))?;
        if pname.text() != name {
            return None;
        }
        let ty = p.field_of("type").or_else(|| {
            p.named_children().find(|c| {
                matches!(
                    c.kind().as_ref(),
                    "type" | "type_annotation" | "primitive_type"
                )
            })
        })?;
        Some(is_number_type(ty.text().trim_start_matches(':').trim()))
    });
    found.unwrap_or(false)
}

/// Does a value of type `t` (as written) hold a number (or an id) only?
pub fn is_number_type(t: &str) -> bool {
    matches!(
        t,
        "int"
            | "float"
            | "bool"
            | "number"
            | "boolean"
            | "bigint"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "f32"
            | "f64"
            | "UUID"
            | "uuid.UUID"
            | "Uuid"
            | "uuid::Uuid"
    )
}

/// Is `name` the counter of a loop around `at` over `enumerate`:
/// `for (index, record) in records.into_iter().enumerate()` (Rust) or
/// `for i, row in enumerate(rows)` (Python)? It is a number.
fn enumerate_index(at: &N<'_>, name: &str) -> bool {
    at.ancestors()
        .take_while(|a| !is_scope(a))
        .filter(|a| matches!(a.kind().as_ref(), "for_expression" | "for_statement"))
        .any(|l| {
            let (pattern, value) = match l.kind().as_ref() {
                "for_expression" => (l.field_of("pattern"), l.field_of("value")),
                _ => (l.field_of("left"), l.field_of("right")),
            };
            let (Some(pattern), Some(value)) = (pattern, value) else {
                return false;
            };
            let first = pattern.named_children().next();
            let counter = matches!(
                pattern.kind().as_ref(),
                "tuple_pattern" | "pattern_list" | "tuple"
            ) && first.is_some_and(|f| f.kind() == "identifier" && f.text() == name);
            let enumerates = value.kind().contains("call")
                && value.field_of("function").is_some_and(|f| {
                    let t = f.text();
                    t == "enumerate" || t.ends_with(".enumerate")
                });
            counter && enumerates
        })
}

/// A bare name (`where`, `table_name`), not an expression.
pub fn is_plain_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// `UPPER_CASE` names are constants by convention.
pub fn is_constant_name(name: &str) -> bool {
    let last = name.rsplit(['.', ':']).next().unwrap_or(name);
    last.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && last.len() > 1
        && last
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast_grep_core::tree_sitter::LanguageExt;

    /// The walk `own_nodes` does with one cursor, done with `children()`.
    fn own_nodes_by_children<'r>(scope: &N<'r>, classes: bool) -> Vec<N<'r>> {
        let mut out = Vec::new();
        let mut stack = vec![scope.clone()];
        while let Some(n) = stack.pop() {
            let mut children: Vec<_> = n
                .children()
                .filter(|c| !(is_scope(c) || classes && CLASS_KINDS.contains(c)))
                .collect();
            children.reverse();
            out.push(n);
            stack.extend(children);
        }
        out
    }

    #[test]
    fn own_nodes_skips_nested_scopes_and_classes() {
        for (lang, src) in [
            (
                SupportLang::Python,
                "A = 1\nclass C:\n    B = 2\n    def m(self):\n        c = 3\ndef f(x):\n    y = lambda: 4\n    class D:\n        e = 5\n    return y\n",
            ),
            (
                SupportLang::TypeScript,
                "let a = 1;\nclass K { m() { let b = 2; } }\nfunction g() { const c = () => { let d = 3; }; }\n",
            ),
            (SupportLang::Rust, "const A: i32 = 1;\nimpl S { fn m() { let b = 2; } }\nfn f() { let c = |x| x; }\n"),
        ] {
            let tree = lang.ast_grep(src);
            let root = tree.root();
            let scopes = std::iter::once(root.clone()).chain(root.dfs().filter(is_scope));
            for scope in scopes {
                for classes in [false, true] {
                    let mut walked = Vec::new();
                    own_nodes(&scope, classes, |n| {
                        walked.push(n.get_inner_node());
                        true
                    });
                    let expected: Vec<_> = own_nodes_by_children(&scope, classes)
                        .iter()
                        .map(|n| n.get_inner_node())
                        .collect();
                    assert_eq!(walked, expected, "{lang:?} {}", scope.kind());
                }
            }
        }
    }

    #[test]
    fn finds_reaching_writes() {
        let tree = SupportLang::Python.ast_grep(
            "LIMIT = 5\ndef f(x):\n    q = 'a'\n    q += x\n    run(q, LIMIT)\n    q = 'b'\n",
        );
        let call = tree.root().dfs().find(|n| n.kind() == "call");
        let Some(call) = call else { panic!("no call") };
        let arg = call
            .field_of("arguments")
            .and_then(|a| a.named_children().next());
        let Some(arg) = arg else { panic!("no arg") };
        let writes = reaching_writes(&arg, "q");
        assert_eq!(writes.len(), 2);
        assert!(writes[1].appended);
        assert_eq!(reaching_writes(&arg, "LIMIT").len(), 1);
        assert!(
            is_constant_name("LIMIT") && is_constant_name("self.TABLE") && !is_constant_name("q")
        );
    }
}
