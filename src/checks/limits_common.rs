//! Small tree helpers shared by the resource-limit checks (timeouts, rate
//! limits, body sizes, queries): keyword arguments of Python calls, keys of
//! JavaScript object literals, and byte sizes written as `'10mb'` or
//! `1024 * 1024 * 500`.

use crate::parse::fields::FieldOf;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::Node;
use ast_grep_language::SupportLang;

use crate::parse::nodes::NodeIndex;
use std::collections::HashSet;

pub type N<'r> = Node<'r, StrDoc<SupportLang>>;

/// The value of keyword argument `name` in a Python `call`.
pub fn py_kwarg<'r>(call: &N<'r>, name: &str) -> Option<N<'r>> {
    let args = call.field_of("arguments")?;
    let found = args.children().find(|a| {
        a.kind() == "keyword_argument" && a.field_of("name").is_some_and(|n| n.text() == name)
    });
    found.and_then(|a| a.field_of("value"))
}

/// Does a Python call pass `**kwargs` (which may hold any keyword)?
pub fn py_has_kw_splat(call: &N<'_>) -> bool {
    call.field_of("arguments")
        .is_some_and(|a| a.children().any(|c| c.kind() == "dictionary_splat"))
}

/// Positional arguments of a Python call.
pub fn py_positional<'r>(call: &N<'r>) -> Vec<N<'r>> {
    call.field_of("arguments")
        .map(|a| {
            a.children()
                .filter(|c| {
                    c.is_named()
                        && !matches!(
                            c.kind().as_ref(),
                            "keyword_argument" | "dictionary_splat" | "comment"
                        )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Arguments of a JavaScript/TypeScript call or `new` expression.
pub fn js_args<'r>(call: &N<'r>) -> Vec<N<'r>> {
    call.field_of("arguments")
        .map(|a| {
            a.children()
                .filter(|c| c.is_named() && c.kind() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// What an object literal says about a key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyState {
    Present,
    Absent,
    /// A spread (`...opts`) may bring the key in.
    Unknown,
}

/// The value node of `key` in an object literal, if written literally.
pub fn js_obj_get<'r>(obj: &N<'r>, key: &str) -> Option<N<'r>> {
    obj.children()
        .filter(|c| c.kind() == "pair")
        .find(|p| {
            p.field_of("key")
                .is_some_and(|k| strip_quotes(&k.text()) == key)
        })
        .and_then(|p| p.field_of("value"))
}

/// Is one of `keys` present in an object literal?
pub fn js_obj_has(obj: &N<'_>, keys: &[&str]) -> KeyState {
    let mut spread = false;
    for c in obj.children() {
        match c.kind().as_ref() {
            "pair"
                if c.field_of("key")
                    .is_some_and(|k| keys.contains(&strip_quotes(&k.text()))) =>
            {
                return KeyState::Present;
            }
            "shorthand_property_identifier" if keys.contains(&c.text().as_ref()) => {
                return KeyState::Present;
            }
            "spread_element" => spread = true,
            _ => {}
        }
    }
    if spread {
        KeyState::Unknown
    } else {
        KeyState::Absent
    }
}

pub fn strip_quotes(s: &str) -> &str {
    let t = s.trim();
    for q in ['"', '\'', '`'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return &t[1..t.len() - 1];
        }
    }
    t
}

/// Evaluate a byte size: `'10mb'`, `"1gb"`, `5_000_000`, `1024 * 1024 * 50`,
/// `50 << 20`. `None` when the text is not a constant size; `u64::MAX` for
/// `Infinity` / `usize::MAX` / `float('inf')`.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = strip_quotes(text).trim().to_ascii_lowercase();
    if matches!(
        t.as_str(),
        "infinity" | "number.max_safe_integer" | "number.positive_infinity" | "usize::max"
    ) || t.contains("float(\"inf\")")
        || t.contains("float('inf')")
        || t.contains("math.inf")
    {
        return Some(u64::MAX);
    }
    if let Some((a, b)) = t.split_once("<<") {
        let a = parse_size(a)?;
        let b: u32 = b.trim().parse().ok()?;
        return a.checked_shl(b).or(Some(u64::MAX));
    }
    if t.contains('*') {
        let mut acc: u64 = 1;
        for part in t.split('*') {
            let v = parse_size(part.trim().trim_matches(['(', ')']))?;
            acc = acc.saturating_mul(v);
        }
        return Some(acc);
    }
    let digits_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(digits_end);
    let num: f64 = num.replace('_', "").parse().ok()?;
    let mult: f64 = match unit.trim() {
        "" | "b" => 1.0,
        "kb" | "k" | "kib" => 1024.0,
        "mb" | "m" | "mib" => 1024.0 * 1024.0,
        "gb" | "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "tb" | "t" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let v = num * mult;
    if v.is_finite() && v >= 0.0 {
        Some(if v >= u64::MAX as f64 {
            u64::MAX
        } else {
            v as u64
        })
    } else {
        None
    }
}

/// A size for messages: `500mb`, `unlimited`.
pub fn show_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes == u64::MAX {
        "an unlimited amount".to_string()
    } else if bytes >= 1024 * MB && bytes.is_multiple_of(1024 * MB) {
        format!("{}gb", bytes / (1024 * MB))
    } else if bytes >= MB {
        format!("{}mb", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The module a JS `import ... from "m"`, `require("m")` or TypeScript
/// `import x = require("m")` names.
pub fn import_source(node: &N<'_>) -> Option<String> {
    match node.kind().as_ref() {
        "import_statement" => node
            .field_of("source")
            .or_else(|| {
                node.children()
                    .find(|c| c.kind() == "import_require_clause")
                    .and_then(|c| c.field_of("source"))
            })
            .map(|s| strip_quotes(&s.text()).to_string()),
        "call_expression" => {
            let f = node.field_of("function")?;
            if f.text() != "require" {
                return None;
            }
            let a = js_args(node);
            let s = a.first()?;
            (s.kind() == "string").then(|| strip_quotes(&s.text()).to_string())
        }
        _ => None,
    }
}

/// A JS callee as (object, method): `axios.get` gives ("axios", "get"),
/// `fetch` gives ("fetch", ""); other callee shapes give `None`.
pub fn js_callee(func: &N<'_>) -> Option<(String, String)> {
    match func.kind().as_ref() {
        "identifier" => Some((func.text().to_string(), String::new())),
        "member_expression" => Some((
            func.field_of("object")
                .map(|o| o.text().to_string())
                .unwrap_or_default(),
            func.field_of("property")
                .map(|p| p.text().to_string())
                .unwrap_or_default(),
        )),
        _ => None,
    }
}

/// The nodes [`import_source`] can name a module for.
pub fn js_imports<'a, 't>(nodes: &'a NodeIndex<'t>) -> impl Iterator<Item = N<'t>> + 'a {
    nodes.of_kinds(&["import_statement", "call_expression"])
}

/// Local names bound to a module's default export / namespace.
pub fn js_module_names(nodes: &NodeIndex<'_>, modules: &[&str]) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in js_imports(nodes) {
        let Some(src) = import_source(&node) else {
            continue;
        };
        if modules.contains(&src.as_str()) {
            bound_by_import(&node, &mut names);
        }
    }
    names
}

/// The local names bound to the module itself by imports of one of
/// `modules` (`import x from`, `import * as x from`, `const x = require()`),
/// without the named exports (`import { isAxiosError } from "axios"`).
pub fn js_module_objects(nodes: &NodeIndex<'_>, modules: &[&str]) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in js_imports(nodes) {
        if !import_source(&node).is_some_and(|s| modules.contains(&s.as_str())) {
            continue;
        }
        if node.kind() == "import_statement" {
            for n in node.dfs() {
                if matches!(
                    n.kind().as_ref(),
                    "import_clause" | "import_require_clause" | "namespace_import"
                ) {
                    for c in n.children().filter(|c| c.kind() == "identifier") {
                        names.insert(c.text().to_string());
                    }
                }
            }
        } else if let Some(name) = node
            .ancestors()
            .find(|a| a.kind() == "variable_declarator")
            .and_then(|d| d.field_of("name"))
            .filter(|n| n.kind() == "identifier")
        {
            names.insert(name.text().to_string());
        }
    }
    names
}

/// The local names one import (`import x from`, `const { a } = require()`,
/// `import x = require()`) binds.
pub fn bound_by_import(node: &N<'_>, names: &mut HashSet<String>) {
    if node.kind() == "import_statement" {
        for n in node.dfs() {
            match n.kind().as_ref() {
                "import_clause" | "import_require_clause" => {
                    for c in n.children().filter(|c| c.kind() == "identifier") {
                        names.insert(c.text().to_string());
                    }
                }
                "namespace_import" => {
                    for c in n.children().filter(|c| c.kind() == "identifier") {
                        names.insert(c.text().to_string());
                    }
                }
                "import_specifier" => {
                    let name = n.field_of("alias").or_else(|| n.field_of("name"));
                    if let Some(name) = name {
                        names.insert(name.text().to_string());
                    }
                }
                _ => {}
            }
        }
    } else if let Some(decl) = node.ancestors().find(|a| a.kind() == "variable_declarator") {
        if let Some(name) = decl.field_of("name") {
            if name.kind() == "identifier" {
                names.insert(name.text().to_string());
            } else {
                for c in name.dfs() {
                    if c.kind() == "shorthand_property_identifier_pattern" {
                        names.insert(c.text().to_string());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_import_require() {
        let file = crate::parse::parse(
            crate::lang::Language::TypeScript,
            "src/a.ts".to_string(),
            "import http = require(\"http\");\nimport type { Agent } from 'https';\n".to_string(),
        );
        let Some(nodes) = file.nodes() else {
            panic!("parsed");
        };
        let names = js_module_names(nodes, &["http"]);
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["http"]);
        let sources: Vec<String> = js_imports(nodes)
            .filter_map(|n| import_source(&n))
            .collect();
        assert_eq!(sources, ["http", "https"]);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("'10mb'"), Some(10 * 1024 * 1024));
        assert_eq!(parse_size("\"1gb\""), Some(1024 * 1024 * 1024));
        assert_eq!(parse_size("1024 * 1024 * 50"), Some(50 * 1024 * 1024));
        assert_eq!(parse_size("5_000_000"), Some(5_000_000));
        assert_eq!(parse_size("Infinity"), Some(u64::MAX));
        assert_eq!(parse_size("50 << 20"), Some(50 << 20));
        assert_eq!(parse_size("limit"), None);
        assert_eq!(show_size(500 * 1024 * 1024), "500mb");
    }
}
