//! Stage 2: parse each file once into the tree its rules read.
//!
//! This is the only module that knows grammar crates. Code (Python,
//! JavaScript, TypeScript, TSX, Rust) becomes a tree-sitter tree held by
//! ast-grep; config formats become positioned value trees; Dockerfiles,
//! `.env` and requirements files get small purpose-built parsers. A file with
//! syntax errors still yields the tree as far as it could be read, plus a note.

pub mod config;
pub mod dockerfile;
pub mod dotenv;
pub mod fields;
pub mod json;
pub mod kindset;
pub mod lines;
pub mod nodes;
pub mod requirements;
pub mod toml_doc;
pub mod yaml;

use crate::lang::Language;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use ast_grep_core::AstGrep;
use ast_grep_language::SupportLang;
use lines::LineIndex;
use nodes::NodeIndex;

pub type CodeTree = AstGrep<StrDoc<SupportLang>>;

/// Lets tree-sitter allocate its trees with mimalloc, the allocator the
/// binary uses for everything else: parsing makes and frees millions of
/// small nodes, which mimalloc's per-thread free lists serve faster than
/// the C library's malloc. Call once, before the first parse.
pub fn use_fast_allocator() {
    use libmimalloc_sys as mi;
    // SAFETY: called before any tree exists, so no tree allocated by one
    // allocator is freed by the other; the four functions are mimalloc's
    // C-ABI malloc, calloc, realloc and free.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: mi::mi_malloc,
            calloc: mi::mi_calloc,
            realloc: mi::mi_realloc,
            free: mi::mi_free,
        }));
    }
}

self_cell::self_cell!(
    /// A code tree together with the index of its nodes (which borrows it).
    pub struct IndexedTree {
        owner: CodeTree,
        #[covariant]
        dependent: NodeIndex,
    }
);

/// The tree a file was parsed into.
pub enum Parsed {
    Code(Box<IndexedTree>),
    Config(config::ConfigDoc),
    Dockerfile(dockerfile::Dockerfile),
    Dotenv(Vec<dotenv::EnvEntry>),
    Requirements(Vec<requirements::Requirement>),
    /// Scanned as text only.
    Text,
}

/// A file's text, its line index and its tree: everything a rule reads.
pub struct ParsedFile {
    pub language: Language,
    pub rel_path: String,
    pub text: String,
    pub lines: LineIndex,
    pub parsed: Parsed,
    /// Problems worth telling the user (syntax errors, lossy decoding).
    pub notes: Vec<String>,
    /// What several rules derive from this file, computed once.
    pub memo: Memo,
}

/// Per-file results shared between rules (two rules that split one
/// classification compute it once), keyed by a name the owning module picks.
#[derive(Default)]
pub struct Memo {
    slots: std::sync::Mutex<Vec<(&'static str, MemoValue)>>,
}

type MemoValue = std::sync::Arc<dyn std::any::Any + Send + Sync>;

impl Memo {
    /// The value stored under `key`, computing it with `init` the first time.
    pub fn get_or_init<T: std::any::Any + Send + Sync>(
        &self,
        key: &'static str,
        init: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let lookup = |slots: &Vec<(&'static str, MemoValue)>| {
            slots
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.clone().downcast::<T>().ok())
        };
        if let Some(v) = lookup(&self.lock()) {
            return v;
        }
        // Computed without the lock held, so `init` may use the memo too.
        let value = std::sync::Arc::new(init());
        let mut slots = self.lock();
        if let Some(v) = lookup(&slots) {
            return v;
        }
        slots.push((key, value.clone()));
        value
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(&'static str, MemoValue)>> {
        // A panic while holding the lock leaves the list itself intact.
        match self.slots.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl ParsedFile {
    pub fn code(&self) -> Option<&CodeTree> {
        match &self.parsed {
            Parsed::Code(tree) => Some(tree.borrow_owner()),
            _ => None,
        }
    }

    /// Every node of the code tree by kind; `None` for non-code files.
    pub fn nodes(&self) -> Option<&NodeIndex<'_>> {
        match &self.parsed {
            Parsed::Code(tree) => Some(tree.borrow_dependent()),
            _ => None,
        }
    }

    pub fn config(&self) -> Option<&config::ConfigDoc> {
        match &self.parsed {
            Parsed::Config(doc) => Some(doc),
            _ => None,
        }
    }
}

/// The ast-grep language for a code language.
pub fn support_lang(language: Language) -> Option<SupportLang> {
    Some(match language {
        Language::Python => SupportLang::Python,
        Language::JavaScript => SupportLang::JavaScript,
        Language::TypeScript => SupportLang::TypeScript,
        Language::Tsx => SupportLang::Tsx,
        Language::Rust => SupportLang::Rust,
        _ => return None,
    })
}

/// Parse `text` as `language`. Never fails: problems become notes.
pub fn parse(language: Language, rel_path: String, text: String) -> ParsedFile {
    let lines = LineIndex::new(&text);
    let mut notes = Vec::new();
    let parsed = if let Some(lang) = support_lang(language) {
        let tree = lang.ast_grep(&text);
        let root = tree.root();
        let inner = root.get_inner_node();
        if inner.has_error() {
            let first = first_error_line(&tree);
            notes.push(format!(
                "syntax errors (first near line {first}); checked as far as the tree allows"
            ));
        }
        Parsed::Code(Box::new(IndexedTree::new(tree, |tree| {
            NodeIndex::build(lang, tree)
        })))
    } else if language.is_yaml() {
        let (doc, err) = yaml::parse(&text);
        match err {
            // A Helm chart's (or Jinja's) template is YAML only once
            // rendered: what parsed before the first `{{` is not the
            // manifest, so none of it is judged.
            Some(_) if yaml::is_template(&text) => {
                notes.push(
                    "template (`{{ ... }}`), not YAML until rendered: not checked; \
                     scan the rendered manifests (e.g. the output of `helm template`)"
                        .to_string(),
                );
                Parsed::Config(config::ConfigDoc::default())
            }
            Some(e) => {
                notes.push(format!("invalid YAML: {e}"));
                Parsed::Config(doc)
            }
            None => Parsed::Config(doc),
        }
    } else {
        match language {
            Language::Toml => {
                let (doc, err) = toml_doc::parse(&text, &lines);
                notes.extend(err.map(|e| format!("invalid TOML: {}", e.trim())));
                Parsed::Config(doc)
            }
            Language::Json => {
                let (doc, err) = json::parse(&text, &lines);
                notes.extend(err.map(|e| format!("invalid JSON: {e}")));
                Parsed::Config(doc)
            }
            Language::Dockerfile => Parsed::Dockerfile(dockerfile::parse(&text)),
            Language::Dotenv => Parsed::Dotenv(dotenv::parse(&text)),
            Language::Requirements => Parsed::Requirements(requirements::parse(&text)),
            _ => Parsed::Text,
        }
    };
    ParsedFile {
        language,
        rel_path,
        text,
        lines,
        parsed,
        notes,
        memo: Memo::default(),
    }
}

/// `text` kept as text only, without a tree: for a test file in which no
/// rule that reads a tree could report (src/engine.rs decides). Rules that
/// read only the text still run on it.
pub fn unparsed(language: Language, rel_path: String, text: String) -> ParsedFile {
    ParsedFile {
        language,
        rel_path,
        lines: LineIndex::new(&text),
        text,
        parsed: Parsed::Text,
        notes: Vec::new(),
        memo: Memo::default(),
    }
}

fn first_error_line(tree: &CodeTree) -> usize {
    tree.root()
        .dfs()
        .find(|n| n.is_error() || n.is_missing())
        .map_or(1, |n| n.start_pos().line() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_computes_once_per_key() {
        let file = parse(Language::Python, "a.py".into(), "x = 1\n".into());
        let calls = std::cell::Cell::new(0);
        let first = file.memo.get_or_init("k", || {
            calls.set(calls.get() + 1);
            vec![1, 2]
        });
        let again = file.memo.get_or_init("k", || {
            calls.set(calls.get() + 1);
            vec![3]
        });
        assert_eq!(
            (first.as_slice(), again.as_slice(), calls.get()),
            (&[1, 2][..], &[1, 2][..], 1)
        );
        let other = file.memo.get_or_init("other", || 7u8);
        assert_eq!(*other, 7);
    }
}
