//! A node's child by field name, with the name resolved to its id once
//! per language.
//!
//! `node.field("body")` asks tree-sitter to find the id of `"body"` by
//! comparing it with each of the grammar's field names, on every call; the
//! checks make hundreds of such calls per file. [`FieldOf::field_of`] looks
//! the name up in a hash table built once per grammar instead.

use super::nodes::CodeNode;
use ast_grep_core::tree_sitter::LanguageExt;
use ast_grep_language::SupportLang;
use std::sync::OnceLock;

/// Field names of one grammar with their ids, in an open-addressed table
/// (FNV-1a, linear probing, at most a quarter full): a lookup hashes a
/// short name and usually compares one string, where a binary search over
/// the sorted names compared six or seven.
struct FieldTable {
    slots: Vec<Option<(Box<str>, u16)>>,
}

impl FieldTable {
    fn new(fields: Vec<(Box<str>, u16)>) -> Self {
        let size = (fields.len() * 4).next_power_of_two().max(8);
        let mut slots: Vec<Option<(Box<str>, u16)>> = vec![None; size];
        for (name, id) in fields {
            let mut at = hash(&name) & (size - 1);
            loop {
                match &slots[at] {
                    // Names are unique in a grammar; keep the first id if one is not.
                    Some((taken, _)) if **taken == *name => break,
                    Some(_) => at = (at + 1) & (size - 1),
                    None => {
                        slots[at] = Some((name, id));
                        break;
                    }
                }
            }
        }
        Self { slots }
    }

    fn id(&self, name: &str) -> Option<u16> {
        let mask = self.slots.len() - 1;
        let mut at = hash(name) & mask;
        loop {
            let (taken, id) = self.slots[at].as_ref()?;
            if **taken == *name {
                return Some(*id);
            }
            at = (at + 1) & mask;
        }
    }
}

fn hash(name: &str) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h as usize
}

pub trait FieldOf<'t> {
    /// The child in field `name`, as `field(name)` finds it.
    fn field_of(&self, name: &str) -> Option<CodeNode<'t>>;

    /// A call's arguments (the named children of its `arguments` field);
    /// none for anything else.
    fn call_args(&self) -> Vec<CodeNode<'t>> {
        self.field_of("arguments")
            .map(|a| a.named_children().collect())
            .unwrap_or_default()
    }
}

impl<'t> FieldOf<'t> for CodeNode<'t> {
    fn field_of(&self, name: &str) -> Option<CodeNode<'t>> {
        match table(*self.lang()) {
            Some(table) => self.child_by_field_id(table.id(name)?),
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
    let fields = (1..=ts.field_count())
        .filter_map(|id| {
            let id = u16::try_from(id).ok()?;
            Some((Box::from(ts.field_name_for_id(id)?), id))
        })
        .collect();
    FieldTable::new(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    #[test]
    fn every_field_name_resolves_to_its_id() {
        for lang in [
            SupportLang::Python,
            SupportLang::JavaScript,
            SupportLang::TypeScript,
            SupportLang::Tsx,
            SupportLang::Rust,
        ] {
            let ts = lang.get_ts_language();
            let Some(table) = table(lang) else {
                panic!("{lang:?} has a field table");
            };
            for id in 1..=ts.field_count() {
                let Some(name) = u16::try_from(id)
                    .ok()
                    .and_then(|id| ts.field_name_for_id(id))
                else {
                    continue;
                };
                let found = table.id(name).and_then(|id| ts.field_name_for_id(id));
                assert_eq!(found, Some(name), "{lang:?}");
            }
            assert_eq!(table.id("no_such_field"), None);
            assert_eq!(table.id(""), None);
        }
    }

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
