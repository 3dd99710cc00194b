//! Every node of a code tree, in pre-order, indexed by kind.
//!
//! Built once per file, right after parsing, by one cursor walk. Rules and
//! checks ask for the nodes of the kinds they care about instead of walking
//! the tree again: walking costs a cursor step per node, a lookup here costs
//! nothing for the kinds a file does not contain.

use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use ast_grep_core::AstGrep;
use ast_grep_language::SupportLang;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A node of a code tree.
pub type CodeNode<'t> = ast_grep_core::Node<'t, StrDoc<SupportLang>>;

/// All nodes of one tree, in the order `root().dfs()` yields them.
///
/// Holds tree-sitter nodes (covariant in `'t`, so the index can live beside
/// the tree it borrows) and hands out ast-grep nodes.
pub struct NodeIndex<'t> {
    lang: SupportLang,
    root: &'t AstGrep<StrDoc<SupportLang>>,
    nodes: Vec<tree_sitter::Node<'t>>,
    /// Positions in `nodes`, by kind id, ascending.
    by_kind: Vec<Vec<u32>>,
}

impl<'t> NodeIndex<'t> {
    /// Walk the tree under `root` once.
    pub fn build(lang: SupportLang, root: &'t AstGrep<StrDoc<SupportLang>>) -> Self {
        let mut nodes = Vec::new();
        let mut by_kind: Vec<Vec<u32>> = Vec::new();
        // Pre-order with a bare cursor: down, else along, else up and along.
        // The cursor starts at the root, so it cannot climb above it.
        let mut cursor = root.root().get_inner_node().walk();
        'walk: loop {
            let node = cursor.node();
            let kind = usize::from(node.kind_id());
            if kind >= by_kind.len() {
                by_kind.resize_with(kind + 1, Vec::new);
            }
            // A tree has far fewer than 2^32 nodes: a file is at most a few MiB.
            let pos = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
            by_kind[kind].push(pos);
            nodes.push(node);
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        Self {
            lang,
            root,
            nodes,
            by_kind,
        }
    }

    fn adopt(&self, node: tree_sitter::Node<'t>) -> CodeNode<'t> {
        self.root.adopt(node)
    }

    /// Every node, in pre-order (the same order as `root().dfs()`).
    pub fn all(&self) -> impl Iterator<Item = CodeNode<'t>> + '_ {
        self.nodes.iter().map(|n| self.adopt(*n))
    }

    /// The nodes whose kind is `kind`, in pre-order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = CodeNode<'t>> + '_ {
        self.at(self.positions(kind_ids(self.lang, kind)))
    }

    /// The nodes whose kind is any of `kinds`, in pre-order.
    pub fn of_kinds(&self, kinds: &[&str]) -> impl Iterator<Item = CodeNode<'t>> + '_ {
        let mut ids: Vec<u16> = Vec::new();
        for kind in kinds {
            ids.extend_from_slice(kind_ids(self.lang, kind));
        }
        self.at(self.positions(&ids))
    }

    /// `node` and every node below it, in pre-order (what `node.dfs()` yields).
    pub fn subtree(&self, node: &CodeNode<'_>) -> impl Iterator<Item = CodeNode<'t>> + '_ {
        self.subtree_slice(node).iter().map(|n| self.adopt(*n))
    }

    /// The nodes of `kind` in `node`'s subtree (including `node`), in pre-order.
    pub fn of_kind_in(
        &self,
        node: &CodeNode<'_>,
        kind: &str,
    ) -> impl Iterator<Item = CodeNode<'t>> + '_ {
        let ids = kind_ids(self.lang, kind);
        self.subtree_slice(node)
            .iter()
            .filter(move |n| ids.contains(&n.kind_id()))
            .map(|n| self.adopt(*n))
    }

    fn at(&self, positions: Vec<u32>) -> impl Iterator<Item = CodeNode<'t>> + '_ {
        positions
            .into_iter()
            .filter_map(|p| self.nodes.get(p as usize))
            .map(|n| self.adopt(*n))
    }

    fn subtree_slice(&self, node: &CodeNode<'_>) -> &[tree_sitter::Node<'t>] {
        match self.position(node) {
            Some(pos) => {
                let count = node.get_inner_node().descendant_count();
                let end = pos.saturating_add(count).min(self.nodes.len());
                &self.nodes[pos..end]
            }
            None => &[],
        }
    }

    fn positions(&self, ids: &[u16]) -> Vec<u32> {
        let lists: Vec<&Vec<u32>> = ids
            .iter()
            .filter_map(|id| self.by_kind.get(usize::from(*id)))
            .filter(|l| !l.is_empty())
            .collect();
        match lists.as_slice() {
            [] => Vec::new(),
            [one] => (*one).clone(),
            many => {
                let mut all: Vec<u32> = many.iter().flat_map(|l| l.iter().copied()).collect();
                all.sort_unstable();
                all.dedup();
                all
            }
        }
    }

    /// Where `node` sits in `nodes`: pre-order sorts by start byte, so a
    /// binary search lands among the few nodes that start where it does.
    fn position(&self, node: &CodeNode<'_>) -> Option<usize> {
        let inner = node.get_inner_node();
        let start = inner.start_byte();
        let first = self.nodes.partition_point(|n| n.start_byte() < start);
        let same = |n: &tree_sitter::Node<'t>| n.id() == inner.id();
        self.nodes[first..]
            .iter()
            .take_while(|n| n.start_byte() == start)
            .position(same)
            .map(|off| first + off)
            // Error recovery could in principle break the ordering: look everywhere.
            .or_else(|| self.nodes.iter().position(same))
    }
}

/// The languages code files are parsed in.
pub(super) const CODE_LANGS: [SupportLang; 5] = [
    SupportLang::Python,
    SupportLang::JavaScript,
    SupportLang::TypeScript,
    SupportLang::Tsx,
    SupportLang::Rust,
];

/// Every kind id a language gives the name `kind` (named and anonymous).
pub(super) fn kind_ids(lang: SupportLang, kind: &str) -> &'static [u16] {
    type Table = HashMap<String, Vec<u16>>;
    static TABLES: OnceLock<Vec<(SupportLang, Table)>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        CODE_LANGS
            .iter()
            .map(|&l| {
                let ts = l.get_ts_language();
                let mut table = Table::new();
                for id in 0..ts.node_kind_count() {
                    let Ok(id) = u16::try_from(id) else { break };
                    if let Some(name) = ts.node_kind_for_id(id) {
                        table.entry(name.to_string()).or_default().push(id);
                    }
                }
                (l, table)
            })
            .collect()
    });
    tables
        .iter()
        .find(|(l, _)| *l == lang)
        .and_then(|(_, t)| t.get(kind))
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast_grep_core::tree_sitter::LanguageExt;

    const PY: &str = "import os\n\ndef f(x):\n    if x:\n        return g(h(x), y=[1, 2])\n    return None\n\nclass A(B):\n    def m(self):\n        print(f'{self}')\n";

    #[test]
    fn all_is_the_dfs_order() {
        let tree = SupportLang::Python.ast_grep(PY);
        let index = NodeIndex::build(SupportLang::Python, &tree);
        let walked: Vec<_> = tree.root().dfs().map(|n| n.get_inner_node()).collect();
        let indexed: Vec<_> = index.all().map(|n| n.get_inner_node()).collect();
        assert_eq!(walked, indexed);
    }

    #[test]
    fn subtree_equals_dfs_of_every_node() {
        for (lang, src) in [
            (SupportLang::Python, PY),
            (
                SupportLang::TypeScript,
                "const a: number = f(1);\nfunction g<T>(x: T) { return () => x; }\n",
            ),
            (
                SupportLang::Rust,
                "fn main() { let x = vec![1, 2]; println!(\"{}\", x.len()); }\n",
            ),
            (SupportLang::Python, "def f(:\n  x = (\n"),
        ] {
            let tree = lang.ast_grep(src);
            let index = NodeIndex::build(lang, &tree);
            for node in tree.root().dfs() {
                let walked: Vec<_> = node.dfs().map(|n| n.get_inner_node()).collect();
                let indexed: Vec<_> = index.subtree(&node).map(|n| n.get_inner_node()).collect();
                assert_eq!(walked, indexed, "{lang:?} {}", node.kind());
            }
        }
    }

    #[test]
    fn of_kind_matches_a_filtered_walk() {
        let tree = SupportLang::Python.ast_grep(PY);
        let index = NodeIndex::build(SupportLang::Python, &tree);
        for kinds in [
            &["call"][..],
            &["identifier", "return_statement"],
            &["print", "nope"],
        ] {
            let walked: Vec<_> = tree
                .root()
                .dfs()
                .filter(|n| kinds.contains(&n.kind().as_ref()))
                .map(|n| n.get_inner_node())
                .collect();
            let indexed: Vec<_> = index.of_kinds(kinds).map(|n| n.get_inner_node()).collect();
            assert_eq!(walked, indexed, "{kinds:?}");
        }
        let func = index.of_kind("function_definition").next();
        let Some(func) = func else {
            panic!("no function")
        };
        let calls: Vec<_> = index.of_kind_in(&func, "call").map(|n| n.text()).collect();
        assert_eq!(calls, ["g(h(x), y=[1, 2])", "h(x)"]);
    }
}
