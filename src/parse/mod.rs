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
pub mod json;
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
        notes.extend(err.map(|e| format!("invalid YAML: {e}")));
        Parsed::Config(doc)
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
    }
}

fn first_error_line(tree: &CodeTree) -> usize {
    tree.root()
        .dfs()
        .find(|n| n.is_error() || n.is_missing())
        .map_or(1, |n| n.start_pos().line() + 1)
}
