//! Rust macro calls (`format!`, `tracing::warn!`): their arguments are a
//! token tree, not expressions, so they are split here by text.

use super::servicectx::Node;

/// The arguments after the literal `lit` inside the token tree `tt`
/// (`("x {} {}", a, f(b, c), d = e)` gives `a`, `f(b, c)` and `d = e`),
/// split at the commas outside brackets and trimmed; `None` when `lit` is
/// not inside `tt`.
pub fn args_after(tt: &Node<'_>, lit: &Node<'_>) -> Option<Vec<String>> {
    let text = tt.text();
    let after = lit.range().end.checked_sub(tt.range().start)?;
    let rest = text.get(after..)?.trim_end();
    // Without the tree's own closing bracket.
    let rest = rest.get(..rest.len().saturating_sub(1)).unwrap_or("");
    let mut depth = 0i32;
    let mut args = Vec::new();
    let mut current = String::new();
    for ch in rest.chars() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    args.push(current);
    Some(
        args.into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;
    use crate::parse::parse;

    #[test]
    fn splits_at_top_level_commas() {
        let code = "fn f() { warn!(\"x {} {}\", a, f(b, c), d = e.g); }\n";
        let file = parse(Language::Rust, "src/a.rs".into(), code.into());
        let Some(nodes) = file.nodes() else {
            panic!("parses");
        };
        let Some(tt) = nodes.of_kind("token_tree").next() else {
            panic!("a token tree");
        };
        let Some(lit) = nodes.of_kind("string_literal").next() else {
            panic!("a literal");
        };
        assert_eq!(
            args_after(&tt, &lit),
            Some(vec![
                "a".to_string(),
                "f(b, c)".to_string(),
                "d = e.g".to_string()
            ])
        );
    }
}
