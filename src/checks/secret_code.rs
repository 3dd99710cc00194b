//! Secret-named slots in code, for `hardcoded-secret` and
//! `secret-placeholder`: Python, JS/TS and Rust assignments, declarations,
//! keyword arguments and default parameters, dict/object entries, class and
//! struct fields, password comparisons, literal `Authorization` headers.
//! Keys used far from their definition and connection URLs are in
//! [`super::secret_usage`].

use super::hardcoded_secret::{Candidate, Place};
use super::names;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use std::ops::Range;

/// The contents (inside the quotes) of a plain string literal node, or of a
/// literal converted in place (`"x".to_string()`, `String::from("x")`,
/// `"x".encode()`).
pub fn literal_range(
    node: &ast_grep_core::Node<
        '_,
        ast_grep_core::tree_sitter::StrDoc<ast_grep_language::SupportLang>,
    >,
) -> Option<Range<usize>> {
    let kind = node.kind();
    match kind.as_ref() {
        "string" | "template_string" | "string_literal" | "raw_string_literal" => {
            let interpolated = node.children().any(|c| {
                matches!(
                    c.kind().as_ref(),
                    "interpolation" | "template_substitution" | "escape_sequence"
                )
            });
            if interpolated {
                return None;
            }
            let text = node.text();
            let (a, b) = contents(&text)?;
            let start = node.range().start;
            Some(start + a..start + b)
        }
        "call_expression" | "call" => {
            let func = node.field_of("function")?;
            let args = node.field_of("arguments")?;
            let arg_count = args.children().filter(|c| c.is_named()).count();
            let ftext = func.text();
            if ftext == "String::from" && arg_count == 1 {
                let arg = args.children().find(|c| c.is_named())?;
                return literal_range(&arg);
            }
            let method = func
                .field_of("field")
                .or_else(|| func.field_of("attribute"))
                .or_else(|| func.field_of("property"))?;
            let object = func.field_of("value").or_else(|| func.field_of("object"))?;
            let conv = ["to_string", "to_owned", "into", "encode", "as_bytes"];
            if arg_count == 0 && conv.contains(&method.text().as_ref()) {
                return literal_range(&object);
            }
            None
        }
        _ => None,
    }
}

/// Byte offsets of a literal's contents: after the prefix and opening
/// quote(s), before the closing ones.
pub fn contents(text: &str) -> Option<(usize, usize)> {
    let open = text.find(['"', '\'', '`'])?;
    let q = text[open..].chars().next()?;
    let triple: String = std::iter::repeat_n(q, 3).collect();
    let (start, tail) = if text[open..].starts_with(&triple) && text.len() >= open + 6 {
        (open + 3, 3)
    } else {
        (open + 1, 1)
    };
    let last = text.rfind(q)?;
    let end = (last + 1).checked_sub(tail)?;
    let closed = text
        .get(end..)
        .is_some_and(|t| t.starts_with(&triple[..tail]));
    (end >= start && closed && text.get(start..end).is_some()).then_some((start, end))
}

fn is_settings_class(
    node: &ast_grep_core::Node<
        '_,
        ast_grep_core::tree_sitter::StrDoc<ast_grep_language::SupportLang>,
    >,
) -> bool {
    node.ancestors().any(|a| {
        a.kind() == "class_definition"
            && a.field_of("superclasses").is_some_and(|s| {
                let t = s.text();
                t.contains("BaseSettings") || t.contains("BaseConfig") || t.contains("Settings)")
            })
    })
}

/// The name a target expression stands for: `X`, `self.x` → `x`,
/// `app.config["X"]` → `X`.
fn target_name(
    node: &ast_grep_core::Node<
        '_,
        ast_grep_core::tree_sitter::StrDoc<ast_grep_language::SupportLang>,
    >,
) -> Option<String> {
    match node.kind().as_ref() {
        "identifier"
        | "property_identifier"
        | "field_identifier"
        | "shorthand_property_identifier"
        | "private_property_identifier" => Some(node.text().trim_start_matches('#').to_string()),
        "attribute" => node.field_of("attribute").map(|a| a.text().to_string()),
        "member_expression" => node.field_of("property").map(|a| a.text().to_string()),
        "field_expression" => node.field_of("field").map(|a| a.text().to_string()),
        "subscript" | "subscript_expression" => {
            let idx = node
                .field_of("subscript")
                .or_else(|| node.field_of("index"))?;
            let text = idx.text();
            let (a, b) = contents(&text)?;
            text.get(a..b).map(str::to_string)
        }
        "string" => {
            let text = node.text();
            let (a, b) = contents(&text)?;
            text.get(a..b).map(str::to_string)
        }
        _ => None,
    }
}

/// The credential in a literal `Authorization` header value:
/// `"Bearer <token>"`, `"Basic <base64>"`, `"Token <key>"`.
fn bearer_token(file: &ParsedFile, r: Range<usize>) -> Option<Range<usize>> {
    let v = file.text.get(r.clone())?;
    let (scheme, rest) = v.split_once(' ')?;
    let rest_trim = rest.trim();
    let scheme_ok =
        ["bearer", "basic", "token", "apikey"].contains(&scheme.to_ascii_lowercase().as_str());
    if !scheme_ok || rest_trim.len() < 16 || rest_trim.contains([' ', '{', '$', '<']) {
        return None;
    }
    let start = r.start + scheme.len() + 1 + (rest.len() - rest.trim_start().len());
    Some(start..start + rest_trim.len())
}

pub fn collect(file: &ParsedFile, out: &mut Vec<Candidate>) {
    let Some(nodes) = file.nodes() else {
        return;
    };
    let used_as_keys = super::secret_usage::signing_keys(file, out);
    for node in nodes.of_kinds(&[
        "assignment",
        "assignment_expression",
        "keyword_argument",
        "default_parameter",
        "typed_default_parameter",
        "pair",
        "variable_declarator",
        "public_field_definition",
        "field_definition",
        "const_item",
        "static_item",
        "let_declaration",
        "field_initializer",
        "comparison_operator",
        "binary_expression",
    ]) {
        let kind = node.kind();
        let (target, value) = match kind.as_ref() {
            // Python / JS / Rust assignments.
            "assignment" | "assignment_expression" => {
                (node.field_of("left"), node.field_of("right"))
            }
            "keyword_argument" => (node.field_of("name"), node.field_of("value")),
            "default_parameter" | "typed_default_parameter" => {
                (node.field_of("name"), node.field_of("value"))
            }
            "pair" => (node.field_of("key"), node.field_of("value")),
            "variable_declarator" => (node.field_of("name"), node.field_of("value")),
            "public_field_definition" => (node.field_of("name"), node.field_of("value")),
            "field_definition" => (node.field_of("property"), node.field_of("value")),
            "const_item" | "static_item" => (node.field_of("name"), node.field_of("value")),
            "let_declaration" => (node.field_of("pattern"), node.field_of("value")),
            "field_initializer" => (node.field_of("field"), node.field_of("value")),
            // `password == "root"` (Python) / `token === 'abc'` (JS).
            "comparison_operator" | "binary_expression" => {
                let eq = node
                    .children()
                    .any(|c| matches!(c.kind().as_ref(), "==" | "==="));
                let named: Vec<_> = node.children().filter(|c| c.is_named()).collect();
                if !eq || named.len() != 2 {
                    continue;
                }
                (named.first().cloned(), named.last().cloned())
            }
            _ => continue,
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        // A Python dict key that is a variable (`{Token: "#f8f8f2"}`) names
        // nothing.
        if kind == "pair" && target.kind() == "identifier" {
            continue;
        }
        let Some(name) = target_name(&target) else {
            continue;
        };
        if name.eq_ignore_ascii_case("authorization") {
            if let Some(r) = literal_range(&value).and_then(|r| bearer_token(file, r)) {
                out.push(Candidate {
                    name,
                    value: r,
                    place: Place::Code,
                    report: None,
                });
            }
            continue;
        }
        let comparison = matches!(kind.as_ref(), "comparison_operator" | "binary_expression");
        if !names::is_secret_name(&name)
            || name.eq_ignore_ascii_case("key")
            || (comparison && !names::is_password_name(&name))
        {
            continue;
        }
        if kind == "assignment" && node.field_of("type").is_some() && is_settings_class(&node) {
            continue; // pydantic settings defaults belong to secret-fallback
        }
        if kind == "pair" && algolia_search_key(&node, &name) {
            continue;
        }
        let Some(range) = literal_range(&value) else {
            continue;
        };
        if used_as_keys.contains(&range) {
            continue; // reported where it signs
        }
        out.push(Candidate {
            name,
            value: range,
            place: if comparison {
                Place::Comparison
            } else {
                Place::Code
            },
            report: None,
        });
    }
}

/// `{ appId: '..', apiKey: '..', indexName: '..' }`: Algolia's search-only
/// key, as DocSearch (Docusaurus, VitePress) configures it. It ships to
/// every visitor's browser by design; admin keys are never written so.
fn algolia_search_key(pair: &crate::parse::nodes::CodeNode<'_>, name: &str) -> bool {
    let compact = name.to_ascii_lowercase().replace(['_', '-'], "");
    if compact != "apikey" && compact != "searchapikey" {
        return false;
    }
    let Some(object) = pair.parent() else {
        return false;
    };
    let keys: Vec<String> = object
        .named_children()
        .filter(|c| c.kind() == "pair")
        .filter_map(|c| c.field_of("key"))
        .map(|k| {
            k.text()
                .trim_matches(['"', '\''])
                .to_ascii_lowercase()
                .replace(['_', '-'], "")
        })
        .collect();
    keys.iter().any(|k| k == "appid" || k == "applicationid")
        && keys.iter().any(|k| k == "indexname")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_contents() {
        assert_eq!(contents("\"abc\""), Some((1, 4)));
        assert_eq!(contents("b'abc'"), Some((2, 5)));
        assert_eq!(contents("\"\"\"abc\"\"\""), Some((3, 6)));
        assert_eq!(contents("r#\"abc\"#"), Some((3, 6)));
        assert_eq!(contents("\"\"\"é\""), None);
        assert_eq!(contents("\"\"\"éa\""), None);
        assert_eq!(contents("abc"), None);
    }
}
