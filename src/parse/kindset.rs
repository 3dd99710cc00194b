//! A fixed set of node kinds, named once and tested by kind id.
//!
//! `node.kind() == "block"` asks tree-sitter for the kind's name and
//! compares strings; a check that tests every node it walks against a list
//! of kinds pays that for every entry. A `KindSet` resolves its names to
//! each language's kind ids on first use, so a test is one table lookup.

use super::nodes::{kind_ids, CodeNode, CODE_LANGS};
use ast_grep_language::SupportLang;
use std::sync::OnceLock;

/// Node kinds by name; `contains` answers what comparing the names would.
pub struct KindSet {
    names: &'static [&'static str],
    /// Per code language, indexed by kind id: is that kind in the set?
    masks: OnceLock<Vec<(SupportLang, Vec<bool>)>>,
}

impl KindSet {
    pub const fn new(names: &'static [&'static str]) -> Self {
        Self {
            names,
            masks: OnceLock::new(),
        }
    }

    /// The names the set was made from.
    pub fn names(&self) -> &'static [&'static str] {
        self.names
    }

    /// Is `node`'s kind one of the set's names?
    pub fn contains(&self, node: &CodeNode<'_>) -> bool {
        let lang = *node.lang();
        let masks = self.masks.get_or_init(|| {
            CODE_LANGS
                .iter()
                .map(|&l| {
                    let mut mask = Vec::new();
                    for id in self.names.iter().flat_map(|n| kind_ids(l, n)) {
                        let id = usize::from(*id);
                        if id >= mask.len() {
                            mask.resize(id + 1, false);
                        }
                        mask[id] = true;
                    }
                    (l, mask)
                })
                .collect()
        });
        match masks.iter().find(|(l, _)| *l == lang) {
            Some((_, mask)) => mask
                .get(usize::from(node.kind_id()))
                .copied()
                .unwrap_or(false),
            None => self.names.contains(&node.kind().as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast_grep_core::tree_sitter::LanguageExt;

    #[test]
    fn agrees_with_comparing_names() {
        static SET: KindSet = KindSet::new(&["lambda", "block", "function_definition", "nope"]);
        for (lang, src) in [
            (
                SupportLang::Python,
                "f = lambda x: x\ndef g():\n    if x:\n        pass\n",
            ),
            (SupportLang::Rust, "fn main() { let f = |x| { x }; }\n"),
            (SupportLang::Tsx, "const a = () => { return <b/>; };\n"),
        ] {
            let tree = lang.ast_grep(src);
            for node in tree.root().dfs() {
                let by_name = SET.names().contains(&node.kind().as_ref());
                assert_eq!(SET.contains(&node), by_name, "{lang:?} {}", node.kind());
            }
        }
    }
}
