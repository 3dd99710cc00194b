//! weak-bcrypt-cost: bcrypt with a work factor below what current hardware
//! calls for — Python below 12 (`bcrypt.gensalt(rounds=N)`, passlib
//! `bcrypt.using(rounds=N)`, `CryptContext(bcrypt__rounds=N)`, Flask-Bcrypt),
//! JavaScript below 10 (`bcrypt.hash(pw, N)`, `hashSync`, `genSalt(N)`,
//! `genSaltSync(N)`), Rust below 10 (`bcrypt::hash(pw, N)` and friends).
//! The cost may be a literal or a constant/local assigned one. Code inside
//! test classes or functions (which lower the cost on purpose) is skipped.

use super::localflow::{reaching_writes, N};
use super::pyimports::Imports;
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;

pub struct BcryptCost;

impl Check for BcryptCost {
    fn run(&self, file: &crate::parse::ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        super::localflow::begin_file();
        if !file.text.to_ascii_lowercase().contains("bcrypt") {
            return;
        }
        let imports = (file.language == Language::Python).then(|| Imports::collect(nodes));
        for node in nodes.of_kinds(&["call", "call_expression"]) {
            let found = match (file.language, node.kind().as_ref(), &imports) {
                (Language::Python, "call", Some(imports)) => python(&node, imports),
                (
                    Language::JavaScript | Language::TypeScript | Language::Tsx,
                    "call_expression",
                    _,
                ) => javascript(&node),
                (Language::Rust, "call_expression", _) => rust(&node),
                _ => None,
            };
            let Some((name, cost_node, minimum)) = found else {
                continue;
            };
            let Some(cost) = integer(&cost_node, 0) else {
                continue;
            };
            if cost >= minimum || in_test_code(&node) {
                continue;
            }
            let factor = 1u64 << (minimum - cost).min(20);
            out.push(Hit::new(
                node.range(),
                format!(
                    "bcrypt work factor {cost} in `{name}` is below the recommended {minimum}; each guess is {factor}x cheaper for an attacker"
                ),
            ));
        }
    }
}

/// The integer a node stands for: a literal, or a name assigned one.
fn integer(e: &N<'_>, depth: usize) -> Option<u32> {
    let text = e.text();
    let digits = text
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .replace('_', "");
    if let Ok(n) = digits.parse::<u32>() {
        return Some(n);
    }
    if depth >= 3 {
        return None;
    }
    // `Number(process.env.SALT_ROUNDS) || 8`: the fallback is what runs when
    // the variable is missing.
    if matches!(e.kind().as_ref(), "binary_expression" | "boolean_operator")
        && e.field_of("operator")
            .is_some_and(|o| matches!(o.text().as_ref(), "||" | "??" | "or"))
    {
        return integer(&e.field_of("right")?, depth + 1);
    }
    if e.kind() == "parenthesized_expression" {
        return integer(&e.named_children().next()?, depth + 1);
    }
    if e.kind() != "identifier" {
        return None;
    }
    let writes = reaching_writes(e, &text);
    match writes.as_slice() {
        [only] => integer(&only.value, depth + 1),
        _ => None,
    }
}

fn in_test_code(node: &N<'_>) -> bool {
    node.ancestors().any(|a| {
        matches!(
            a.kind().as_ref(),
            "class_definition"
                | "function_definition"
                | "function_declaration"
                | "function_item"
                | "class_declaration"
                | "method_definition"
        ) && a
            .field_of("name")
            .is_some_and(|n| n.text().to_ascii_lowercase().contains("test"))
    })
}

fn arg<'r>(call: &N<'r>, pos: usize, keyword: &[&str]) -> Option<N<'r>> {
    let list = call.field_of("arguments")?;
    let mut positional = list
        .named_children()
        .filter(|a| !matches!(a.kind().as_ref(), "keyword_argument" | "comment"));
    if let Some(a) = positional.nth(pos) {
        return Some(a);
    }
    let found = list
        .named_children()
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.field_of("name")
                .is_some_and(|n| keyword.contains(&n.text().as_ref()))
        })
        .and_then(|a| a.field_of("value"));
    found
}

fn python<'r>(node: &N<'r>, imports: &Imports) -> Option<(String, N<'r>, u32)> {
    let f = node.field_of("function")?;
    let text = f.text().to_string();
    let resolved = imports.resolve(&text);
    if resolved == "bcrypt.gensalt" {
        return Some((text, arg(node, 0, &["rounds"])?, 12));
    }
    if resolved.ends_with("CryptContext") {
        return Some((
            text,
            arg(
                node,
                usize::MAX,
                &["bcrypt__rounds", "bcrypt__default_rounds"],
            )?,
            12,
        ));
    }
    if f.kind() != "attribute" {
        return None;
    }
    let method = f.field_of("attribute")?.text().to_string();
    let object = f.field_of("object")?;
    let object_resolved = imports.resolve(&object.text());
    match method.as_str() {
        "using"
            if matches!(
                object_resolved.as_str(),
                "passlib.hash.bcrypt" | "passlib.hash.bcrypt_sha256"
            ) =>
        {
            Some((
                text,
                arg(node, usize::MAX, &["rounds", "default_rounds"])?,
                12,
            ))
        }
        // Flask-Bcrypt: bcrypt.generate_password_hash(pw, rounds)
        "generate_password_hash" if object.text().to_ascii_lowercase().contains("bcrypt") => {
            Some((text, arg(node, 1, &["rounds"])?, 12))
        }
        _ => None,
    }
}

fn javascript<'r>(node: &N<'r>) -> Option<(String, N<'r>, u32)> {
    let f = node.field_of("function")?;
    let method = match f.kind().as_ref() {
        "member_expression" => {
            let object = f.field_of("object")?.text().to_ascii_lowercase();
            if !object.contains("bcrypt") {
                return None;
            }
            f.field_of("property")?.text().to_string()
        }
        "identifier" => f.text().to_string(),
        _ => return None,
    };
    let pos = match method.as_str() {
        "hash" | "hashSync" => 1,
        "genSalt" | "genSaltSync" => 0,
        _ => return None,
    };
    let cost = node
        .field_of("arguments")?
        .named_children()
        .filter(|a| a.kind() != "comment")
        .nth(pos)?;
    if cost.kind() != "number" && cost.kind() != "identifier" {
        return None;
    }
    Some((f.text().to_string(), cost, 10))
}

fn rust<'r>(node: &N<'r>) -> Option<(String, N<'r>, u32)> {
    let f = node.field_of("function")?;
    if !matches!(f.kind().as_ref(), "scoped_identifier" | "identifier") {
        return None;
    }
    let path = f.text().to_string();
    let last = path.rsplit("::").next().unwrap_or(&path);
    if !matches!(
        last,
        "hash"
            | "hash_with_result"
            | "hash_with_salt"
            | "non_truncating_hash"
            | "non_truncating_hash_with_result"
            | "non_truncating_hash_with_salt"
    ) {
        return None;
    }
    if path.contains("::") && !path.starts_with("bcrypt::") {
        return None;
    }
    let cost = node
        .field_of("arguments")?
        .named_children()
        .filter(|a| !matches!(a.kind().as_ref(), "line_comment" | "block_comment"))
        .nth(1)?;
    Some((path, cost, 10))
}
