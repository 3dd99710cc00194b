//! A name checked against a fixed set before it reaches the SQL (Python):
//! `if table not in self.table_names: return`, `if order in ("asc",
//! "desc"):`, `for table in self.table_names:`. The set is the program's own
//! (a literal, an upper-case constant, the object's own member), so the
//! name can only be one of the program's strings: the text is not built
//! from input, whatever SQL position it fills.

use super::localflow::{is_plain_name, N};
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;

/// Is `piece` (a plain name interpolated into SQL executed at `sink`) one
/// of a fixed set there: looped over, tested with `in` around the sink, or
/// rejected with `not in` before it?
pub fn allow_listed(nodes: &NodeIndex<'_>, sink: &N<'_>, piece: &str) -> bool {
    if !is_plain_name(piece) {
        return false;
    }
    let at = sink.range().start;
    for a in sink.ancestors() {
        match a.kind().as_ref() {
            "for_statement" => {
                let binds = a.field_of("left").is_some_and(|l| binds_name(&l, piece));
                if binds && a.field_of("right").is_some_and(|r| fixed_set(&r)) {
                    return true;
                }
            }
            "if_statement" | "elif_clause" => {
                let inside = a
                    .field_of("consequence")
                    .is_some_and(|c| c.range().start <= at && at < c.range().end);
                if inside
                    && a.field_of("condition")
                        .is_some_and(|c| member_test(&c, piece, "in"))
                {
                    return true;
                }
            }
            "function_definition" => return rejected_before(nodes, &a, at, piece),
            _ => {}
        }
    }
    false
}

/// An `if piece not in SET:` in `function` before `at` whose body leaves
/// the function (`return`, `raise`).
fn rejected_before(nodes: &NodeIndex<'_>, function: &N<'_>, at: usize, piece: &str) -> bool {
    nodes.of_kind_in(function, "if_statement").any(|n| {
        n.range().end <= at
            && n.field_of("condition")
                .is_some_and(|c| member_test(&c, piece, "not in"))
            && n.field_of("consequence").is_some_and(|c| {
                c.named_children().last().is_some_and(|s| {
                    matches!(s.kind().as_ref(), "return_statement" | "raise_statement")
                })
            })
    })
}

/// `piece in SET` (or `not in`, per `op`) with a fixed `SET`.
fn member_test(condition: &N<'_>, piece: &str, op: &str) -> bool {
    if condition.kind() != "comparison_operator" {
        return false;
    }
    let operands: Vec<N<'_>> = condition.named_children().collect();
    let ops: Vec<String> = condition
        .children()
        .filter(|c| !c.is_named())
        .map(|c| c.text().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    operands.len() == 2
        && ops.len() == 1
        && ops[0] == op
        && operands[0].kind() == "identifier"
        && operands[0].text() == piece
        && fixed_set(&operands[1])
}

/// Does a `for` target bind `piece` (`table`, `name, column`)?
fn binds_name(target: &N<'_>, piece: &str) -> bool {
    match target.kind().as_ref() {
        "identifier" => target.text() == piece,
        "pattern_list" | "tuple_pattern" => target
            .named_children()
            .any(|c| c.kind() == "identifier" && c.text() == piece),
        _ => false,
    }
}

/// A set the program fixes: a literal of strings, an upper-case constant
/// (`ALLOWED_TABLES`, `settings.SORT_FIELDS`), the object's own member
/// (`self.table_names`), or the keys, items or values of one of those.
fn fixed_set(e: &N<'_>) -> bool {
    match e.kind().as_ref() {
        "list" | "tuple" | "set" => e.named_children().all(|c| c.kind() == "string"),
        "dictionary" => e.named_children().all(|pair| {
            pair.kind() == "pair" && pair.field_of("key").is_some_and(|k| k.kind() == "string")
        }),
        "identifier" => is_constant(&e.text()),
        "attribute" => {
            let text = e.text();
            text.starts_with("self.")
                || text.starts_with("cls.")
                || text.rsplit('.').next().is_some_and(is_constant)
        }
        "call" => e.field_of("function").is_some_and(|f| {
            f.kind() == "attribute"
                && f.field_of("attribute")
                    .is_some_and(|m| matches!(m.text().as_ref(), "keys" | "items" | "values"))
                && f.field_of("object").is_some_and(|o| fixed_set(&o))
                && e.field_of("arguments")
                    .is_some_and(|a| a.named_children().next().is_none())
        }),
        _ => false,
    }
}

fn is_constant(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
