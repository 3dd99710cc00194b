//! A node's child by field name, with the name resolved to its id once
//! per language.
//!
//! `node.field("body")` asks tree-sitter to find the id of `"body"` by
//! comparing it with each of the grammar's field names, on every call; the
//! checks make hundreds of such calls per file. [`FieldOf::field_of`] looks
//! the name up in a sorted table built once per grammar instead.

use super::nodes::CodeNode;
use ast_grep_core::tree_sitter::LanguageExt;
use ast_grep_language::SupportLang;
use std::sync::OnceLock;

/// Field names of one grammar, sorted, with their ids.
type FieldTable = Vec<(Box<str>, u16)>;

pub trait FieldOf<'t> {
    /// The child in field `name`, as `field(name)` finds it.
    fn field_of(&self, name: &str) -> Option<CodeNode<'t>>;
}

impl<'t> FieldOf<'t> for CodeNode<'t> {
    fn field_of(&self, name: &str) -> Option<CodeNode<'t>> {
        match table(*self.lang()) {
            Some(table) => {
                let at = table.binary_search_by(|(n, _)| (**n).cmp(name)).ok()?;
                self.child_by_field_id(table[at].1)
            }
            None => self.field(name),
        }
    }
}

fn table(lang: SupportLang) -> Option<&'static FieldTable> {
    static TABLES: [OnceLock<FieldTable>; 5] = [const { OnceLock::new() }; 5];
    let slot = match lang {
        SupportLang::Python => 0,
        SupportLang::JavaScript => 1,
        SupportLang::TypeScript => 2,
        SupportLang::Tsx => 3,
        SupportLang::Rust => 4,
        _ => return None,
    };
    Some(TABLES[slot].get_or_init(|| build(lang)))
}

fn build(lang: SupportLang) -> FieldTable {
    let ts = lang.get_ts_language();
    let mut table: FieldTable = (1..=ts.field_count())
        .filter_map(|id| {
            let id = u16::try_from(id).ok()?;
            Some((Box::from(ts.field_name_for_id(id)?), id))
        })
        .collect();
    table.sort_unstable();
    // Names are unique in a grammar; keep the first id if one is not.
    table.dedup_by(|b, a| a.0 == b.0);
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    #[test]
    fn finds_what_field_finds() {
        let cases = [
            (
                Language::Python,
                "def f(a, b=1):\n    return g(a, key=b)\nclass C(B):\n    x: int = 1\n",
            ),
            (
                Language::TypeScript,
                "const x: number = f(a, { b: 1 });\nclass C extends B { m(a: string) { return a; } }\n",
            ),
            (
                Language::JavaScript,
                "app.post('/login', limiter, async (req, res) => { res.json(await f(req.body)); });\n",
            ),
            (
                Language::Rust,
                "fn f(a: u8) -> u8 { let b = g(a).unwrap(); b }\nstruct S { x: u8 }\n",
            ),
        ];
        let names = [
            "name",
            "body",
            "value",
            "function",
            "arguments",
            "left",
            "right",
            "object",
            "property",
            "parameters",
            "return_type",
            "superclasses",
            "type",
            "pattern",
            "no_such_field",
        ];
        for (language, code) in cases {
            let file = crate::parse::parse(language, "x".into(), code.into());
            let Some(nodes) = file.nodes() else {
                panic!("{language:?} parses to a tree");
            };
            let mut found = 0;
            for node in nodes.all() {
                for name in names {
                    let by_name = node.field(name).map(|n| n.range());
                    assert_eq!(node.field_of(name).map(|n| n.range()), by_name, "{name}");
                    found += usize::from(by_name.is_some());
                }
            }
            assert!(found > 3, "{language:?}: {found}");
        }
    }
}
