//! How a string expression was put together, for the SQL check: built only
//! from literals and constants, or assembled from other values by
//! interpolation (f-strings, template literals, `format!`), `%`/`.format()`
//! formatting or `+` concatenation — directly or through local variables
//! assigned earlier in the same function.

use super::localflow::{is_constant_name, is_number_type, reaching_writes, typed_as_number, N};
use crate::parse::fields::FieldOf;
use regex::Regex;
use std::sync::LazyLock;

/// A string assembled from a non-literal value.
pub struct Built {
    /// How, as the start of a phrase that the culprit completes.
    pub how: &'static str,
    /// The first non-literal piece, as written.
    pub culprit: String,
    /// Every non-literal piece interpolated into the text, the culprit
    /// first; only the culprit when the pieces are not told apart
    /// (concatenation, appends).
    pub pieces: Vec<String>,
    /// The local variable the sink received, if not the expression itself.
    pub via: Option<String>,
    /// Literal text seen along the way (for telling SQL from other strings).
    pub text: String,
}

const MAX_DEPTH: usize = 8;

static PLACEHOLDERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(["'](\?|%s|\$\d*|:\w+|\?\s*,\s*)["']|\$\$\{)"#)
        .unwrap_or_else(|_| unreachable!())
});
static FORMAT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\}").unwrap_or_else(|_| unreachable!())
});
/// A macro argument `if lock { "FOR UPDATE" } else { "" }` (macro
/// arguments are tokens, not parsed expressions): a literal either way.
static IF_LITERALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^if\s[^{}"]*\{\s*"[^"\\]*"\s*\}\s*else\s*\{\s*"[^"\\]*"\s*\}$"#)
        .unwrap_or_else(|_| unreachable!())
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^-?[0-9][0-9_]*(\.[0-9_]+)?([iuf](8|16|32|64|128|size))?$")
        .unwrap_or_else(|_| unreachable!())
});

/// Look through parentheses, `await`, `&`, `*` and `.as_str()`-like calls.
pub fn unwrap<'r>(mut e: N<'r>) -> N<'r> {
    for _ in 0..8 {
        let next = match e.kind().as_ref() {
            "parenthesized_expression"
            | "await"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression" => e.named_children().next(),
            "reference_expression" => e.field_of("value"),
            "unary_expression" if e.text().starts_with('*') => e.named_children().next(),
            "call_expression" => {
                let f = e.field_of("function");
                match f
                    .as_ref()
                    .map(|f| (f.kind().to_string(), f.text().to_string()))
                {
                    Some((k, _)) if k == "field_expression" => {
                        let method = f.as_ref().and_then(|f| f.field_of("field"));
                        let m = method.map(|m| m.text().to_string()).unwrap_or_default();
                        if matches!(
                            m.as_str(),
                            "as_str" | "as_ref" | "to_string" | "to_owned" | "into" | "as_bytes"
                        ) {
                            f.and_then(|f| f.field_of("value"))
                        } else {
                            None
                        }
                    }
                    Some((_, t)) if t == "String::from" => e
                        .field_of("arguments")
                        .and_then(|a| a.named_children().next()),
                    _ => None,
                }
            }
            _ => None,
        };
        match next {
            Some(n) => e = n,
            None => break,
        }
    }
    e
}

fn is_plain_string(e: &N<'_>) -> bool {
    match e.kind().as_ref() {
        "string" => !e.children().any(|c| c.kind() == "interpolation"),
        "concatenated_string" => e.named_children().all(|c| is_plain_string(&c)),
        "template_string" => !e.children().any(|c| c.kind() == "template_substitution"),
        "string_literal" | "raw_string_literal" => true,
        _ => false,
    }
}

/// The text of a literal string, or of a name holding only literal strings.
pub fn literal_text(e: &N<'_>, depth: usize) -> Option<String> {
    let e = unwrap(e.clone());
    if is_plain_string(&e) {
        return Some(e.text().to_string());
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    match e.kind().as_ref() {
        "identifier" => {
            let writes = reaching_writes(&e, &e.text());
            if writes.is_empty() {
                return None;
            }
            let parts: Option<Vec<String>> = writes
                .iter()
                .map(|w| literal_text(&w.value, depth + 1))
                .collect();
            parts.map(|p| p.concat())
        }
        "binary_operator" | "binary_expression" if op(&e) == "+" => {
            let l = literal_text(&e.field_of("left")?, depth + 1)?;
            let r = literal_text(&e.field_of("right")?, depth + 1)?;
            Some(l + &r)
        }
        _ => None,
    }
}

fn op(e: &N<'_>) -> String {
    e.field_of("operator")
        .map(|o| o.text().to_string())
        .unwrap_or_default()
}

/// Is `e` a literal, a constant, a number, or built only from those?
pub fn literalish(e: &N<'_>, depth: usize) -> bool {
    let e = unwrap(e.clone());
    if is_plain_string(&e) {
        return true;
    }
    let kind = e.kind();
    if matches!(
        kind.as_ref(),
        "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "number"
            | "null"
            | "undefined"
            | "integer_literal"
            | "float_literal"
            | "boolean_literal"
            | "comment"
            | "property_identifier"
    ) {
        return true;
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    let text = e.text();
    match kind.as_ref() {
        "string" | "template_string" | "concatenated_string" => {
            depth + 1 < MAX_DEPTH && built(&e, depth + 1).is_none()
        }
        "identifier" => {
            if is_constant_name(&text) || text.to_ascii_lowercase().contains("placeholder") {
                return true;
            }
            let writes = reaching_writes(&e, &text);
            if writes.is_empty() {
                return typed_as_number(&e, &text);
            }
            writes.iter().all(|w| literalish(&w.value, depth + 1))
        }
        "attribute" | "member_expression" | "field_expression" | "scoped_identifier" => {
            // Table names from the models: Django `_meta.db_table`,
            // SQLAlchemy `Model.__tablename__` / `Model.__table__.name`.
            is_constant_name(&text)
                || enum_member_value(&e, &text)
                || text.contains("db_table")
                || text.contains("_meta.")
                || text.ends_with(".__tablename__")
                || text.contains("__table__.")
                || text.ends_with(".length")
                || model_primary_key(&e, &text)
        }
        "call" | "call_expression" => {
            let callee = e.field_of("function").map(|f| f.text().to_string()).unwrap_or_default();
            let last = callee.rsplit(['.', ':']).next().unwrap_or("");
            matches!(
                last,
                "int" | "float" | "len" | "bool" | "Number" | "parseInt" | "parseFloat"
                    // Rust durations and counts: numbers.
                    | "as_millis" | "as_secs" | "as_micros" | "as_nanos" | "count"
                    | "escape" | "escapeId" | "escape_string" | "quote_ident" | "quote_literal"
                    // Django's `connection.ops.quote_name`.
                    | "quote_name"
                    | "quote_identifier" | "Identifier"
            ) || PLACEHOLDERS.is_match(&text)
                || matches!(last, "str" | "String" | "toString")
                    && e.field_of("arguments").is_some_and(|a| {
                        a.named_children().count() == 1 && literalish(&a, depth + 1)
                    })
                || last == "join" && joined_literals(&e, depth)
                // SQL a query builder wrote, with its values escaped or
                // left as placeholders: knex's `.toQuery()`, MikroORM's
                // `qb(...).getKnexQuery().toString()`.
                || last == "toQuery"
                || last == "toString" && callee.contains(".getKnexQuery()")
                || psycopg_composed(&e, depth)
        }
        // JavaScript `+expire`, `-n`, `!flag`, `typeof x`: a number, a
        // boolean or a type's name (Rust's `*` dereferences: not here).
        "unary_expression" => e.children().next().is_some_and(|o| {
            !o.is_named() && matches!(o.text().as_ref(), "+" | "-" | "~" | "!" | "typeof" | "void")
        }),
        // Rust `cfg.page_size as u32`: a number.
        "type_cast_expression" => e
            .field_of("type")
            .is_some_and(|t| is_number_type(&t.text())),
        // `format!("sp_{}", index)` of literals and numbers only.
        "macro_invocation" => {
            e.field_of("macro").is_some_and(|m| m.text() == "format")
                && format_macro(&e, depth + 1).is_none()
        }
        "conditional_expression" => {
            let parts: Vec<_> = e.named_children().collect();
            parts.len() == 3 && literalish(&parts[0], depth + 1) && literalish(&parts[2], depth + 1)
        }
        // Rust `if lock { "FOR UPDATE" } else { "" }`.
        "if_expression" => {
            let arm = |a: Option<N<'_>>| {
                let a = match a {
                    Some(a) if a.kind() == "else_clause" => a.named_children().next(),
                    a => a,
                };
                a.and_then(|a| rust_value(&a))
                    .is_some_and(|v| literalish(&v, depth + 1))
            };
            arm(e.field_of("consequence")) && arm(e.field_of("alternative"))
        }
        "ternary_expression" => {
            let c = e.field_of("consequence");
            let a = e.field_of("alternative");
            c.is_some_and(|c| literalish(&c, depth + 1)) && a.is_some_and(|a| literalish(&a, depth + 1))
        }
        // `page - 1`, `total / size`, `1 << n`: arithmetic that strings do
        // not have gives a number, whatever its operands.
        "binary_operator" | "binary_expression"
            if matches!(op(&e).as_str(), "-" | "/" | "//" | "**" | "<<" | ">>") =>
        {
            true
        }
        // "?, " * len(ids): repeating a literal
        "binary_operator"
            if op(&e) == "*"
                && [e.field_of("left"), e.field_of("right")]
                    .iter()
                    .flatten()
                    .any(is_plain_string) =>
        {
            true
        }
        "binary_operator" | "binary_expression" | "tuple" | "list" | "array"
        | "expression_list" | "argument_list" | "arguments" | "keyword_argument" | "pair" | "dictionary" | "unary_operator" => e
            .named_children()
            .filter(|c| !matches!(c.kind().as_ref(), "identifier" if c.parent().is_some_and(|p| p.kind() == "keyword_argument" && p.field_of("name").is_some_and(|n| n.range() == c.range()))))
            .all(|c| literalish(&c, depth + 1)),
        _ => false,
    }
}

/// `user.id`, `ContentType.objects.get_for_model(Issue).pk`: a model's
/// primary key, a number the database assigned. Not in a module that
/// imports a request-schema library (pydantic, FastAPI, Django Ninja,
/// marshmallow), where `item.id` may be a field a client sent.
fn model_primary_key(e: &N<'_>, text: &str) -> bool {
    const SCHEMAS: &[&str] = &["pydantic", "fastapi", "ninja", "marshmallow"];
    e.kind() == "attribute"
        && (text.ends_with(".id") || text.ends_with(".pk"))
        && e.ancestors().last().is_some_and(|module| {
            !module.children().any(|stmt| {
                matches!(
                    stmt.kind().as_ref(),
                    "import_statement" | "import_from_statement"
                ) && stmt
                    .text()
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| SCHEMAS.contains(&w))
            })
        })
}

/// psycopg's `sql` module quotes what it composes: `sql.Identifier(name)`
/// and `sql.Literal(value)` escape anything, and `sql.SQL("...")` of a
/// literal, or its `.format(...)` of such parts, is safe to concatenate.
fn psycopg_composed(call: &N<'_>, depth: usize) -> bool {
    let Some(function) = call.field_of("function") else {
        return false;
    };
    let args = call.call_args();
    let callee = function.text();
    let name = callee.strip_prefix("sql.").unwrap_or(&callee);
    match name {
        "Identifier" | "Literal" | "Placeholder" => true,
        "SQL" => args.len() == 1 && literalish(&args[0], depth + 1),
        _ => {
            function.kind() == "attribute"
                && function
                    .field_of("attribute")
                    .is_some_and(|a| a.text() == "format")
                && function.field_of("object").is_some_and(|o| {
                    o.kind() == "call"
                        && callee.starts_with("sql.SQL(")
                        && psycopg_composed(&o, depth + 1)
                })
                && args.iter().all(|a| {
                    let a = unwrap(a.clone());
                    a.kind() == "call" && psycopg_composed(&a, depth + 1)
                        || literalish(&a, depth + 1)
                })
        }
    }
}

/// The value a Rust block (or `else if`) evaluates to: its tail expression.
fn rust_value<'r>(e: &N<'r>) -> Option<N<'r>> {
    if e.kind() != "block" {
        return Some(e.clone());
    }
    e.named_children()
        .filter(|c| c.kind() != "line_comment" && c.kind() != "block_comment")
        .last()
        .filter(|c| !c.kind().ends_with("_statement") && !c.kind().ends_with("_declaration"))
}

/// `self.value` / `self.name` in a method of a Python `Enum` subclass: one
/// of the class's own constants.
fn enum_member_value(e: &N<'_>, text: &str) -> bool {
    matches!(text, "self.value" | "self.name")
        && e.ancestors()
            .find(|a| a.kind() == "class_definition")
            .and_then(|c| c.field_of("superclasses"))
            .is_some_and(|bases| {
                bases.named_children().any(|b| {
                    b.text()
                        .rsplit('.')
                        .next()
                        .is_some_and(|n| n.ends_with("Enum"))
                })
            })
}

/// `" AND ".join(conditions)` / `conditions.join(" AND ")` where every
/// element put into `conditions` in this function is a literal.
fn joined_literals(call: &N<'_>, depth: usize) -> bool {
    let Some(f) = call.field_of("function") else {
        return false;
    };
    let object = f.field_of("object");
    let first_arg = call
        .field_of("arguments")
        .and_then(|a| a.named_children().find(|c| !c.kind().ends_with("comment")));
    let list = match (object, first_arg) {
        (Some(o), Some(a)) if is_plain_string(&o) => a,
        (Some(o), _) => o,
        _ => return false,
    };
    let list = unwrap(list);
    if matches!(list.kind().as_ref(), "list" | "array" | "tuple") {
        return list.named_children().all(|c| literalish(&c, depth + 1));
    }
    if list.kind() != "identifier" {
        return false;
    }
    let name = list.text().to_string();
    let writes = reaching_writes(&list, &name);
    if writes.is_empty()
        || !writes.iter().all(|w| {
            matches!(w.value.kind().as_ref(), "list" | "array")
                && w.value.named_children().all(|c| literalish(&c, depth + 1))
                || w.appended && literalish(&w.value, depth + 1)
        })
    {
        return false;
    }
    let Some(scope) = super::localflow::scope_of(call) else {
        return false;
    };
    let added: Vec<N<'_>> = scope
        .dfs()
        .filter(|n| matches!(n.kind().as_ref(), "call" | "call_expression"))
        .filter(|n| {
            n.field_of("function").is_some_and(|g| {
                let obj = g.field_of("object").map(|o| o.text().to_string());
                let m = g
                    .field_of("attribute")
                    .or_else(|| g.field_of("property"))
                    .map(|m| m.text().to_string());
                obj.as_deref() == Some(name.as_str())
                    && matches!(
                        m.as_deref(),
                        Some("append" | "extend" | "push" | "insert" | "unshift")
                    )
            })
        })
        .collect();
    added.iter().all(|n| {
        n.field_of("arguments")
            .is_some_and(|a| a.named_children().all(|c| literalish(&c, depth + 1)))
    })
}

/// The non-literal pieces of `e` (elements of a tuple, arguments), or `e`
/// itself when every piece looks literal on its own.
fn culprits(e: &N<'_>) -> Vec<String> {
    let e = unwrap(e.clone());
    let pieces: Vec<N<'_>> = match e.kind().as_ref() {
        "tuple" | "list" | "array" | "dictionary" | "expression_list" | "argument_list"
        | "arguments" => e.named_children().collect(),
        _ => vec![e.clone()],
    };
    let text = |p: N<'_>| {
        let p = match p.kind().as_ref() {
            "keyword_argument" | "pair" => p.field_of("value").unwrap_or(p),
            _ => p,
        };
        unwrap(p).text().to_string()
    };
    let bad: Vec<String> = pieces
        .into_iter()
        .filter(|p| !literalish(p, 0))
        .map(text)
        .collect();
    if bad.is_empty() {
        vec![text(e)]
    } else {
        bad
    }
}

/// `+` chains, flattened left to right.
fn flatten_plus<'r>(e: &N<'r>, out: &mut Vec<N<'r>>) {
    let mut stack = vec![e.clone()];
    while let Some(n) = stack.pop() {
        let n = unwrap(n);
        if matches!(n.kind().as_ref(), "binary_operator" | "binary_expression") && op(&n) == "+" {
            if let (Some(l), Some(r)) = (n.field_of("left"), n.field_of("right")) {
                stack.push(r);
                stack.push(l);
                continue;
            }
        }
        out.push(n);
    }
}

fn built_at(how: &'static str, culprit: String, text: String) -> Option<Built> {
    built_from(how, vec![culprit], text)
}

/// [`built_at`] with every non-literal piece; `None` when there is none.
fn built_from(how: &'static str, pieces: Vec<String>, text: String) -> Option<Built> {
    Some(Built {
        how,
        culprit: pieces.first()?.clone(),
        pieces,
        via: None,
        text,
    })
}

/// Was `e` assembled from a non-literal value? Follows local variables.
pub fn built(e: &N<'_>, depth: usize) -> Option<Built> {
    let e = unwrap(e.clone());
    if depth >= MAX_DEPTH {
        return None;
    }
    let text = e.text().to_string();
    match e.kind().as_ref() {
        "string" => {
            let bad = e
                .children()
                .filter(|c| c.kind() == "interpolation")
                .filter_map(|i| i.field_of("expression"))
                .filter(|x| !literalish(x, depth + 1))
                .map(|x| x.text().to_string())
                .collect();
            built_from("with an f-string interpolating", bad, text)
        }
        "concatenated_string" => {
            e.named_children()
                .find_map(|c| built(&c, depth + 1))
                .map(|mut b| {
                    b.text = text;
                    b
                })
        }
        "template_string" => {
            let bad = e
                .children()
                .filter(|c| c.kind() == "template_substitution")
                .filter_map(|s| s.named_children().next())
                .filter(|x| !literalish(x, depth + 1))
                .map(|x| x.text().to_string())
                .collect();
            built_from("with a template literal interpolating", bad, text)
        }
        "binary_operator" if op(&e) == "%" => {
            let left = e.field_of("left")?;
            let right = e.field_of("right")?;
            if literalish(&right, depth + 1) {
                return None;
            }
            let fmt = literal_text(&left, depth + 1).unwrap_or_default();
            built_from("with `%` formatting of", culprits(&right), fmt)
        }
        "binary_operator" | "binary_expression" if op(&e) == "+" => {
            let mut pieces = Vec::new();
            flatten_plus(&e, &mut pieces);
            let mut lit = String::new();
            for p in &pieces {
                if let Some(t) = literal_text(p, depth + 1) {
                    lit.push_str(&t);
                }
            }
            for p in &pieces {
                if let Some(mut b) = built(p, depth + 1) {
                    b.text = format!("{lit}{}", b.text);
                    b.via = None;
                    return Some(b);
                }
            }
            // `a + b` of unknown values may be arithmetic; a literal or a
            // constant (`BY_ID + id`, SQL kept in another module) makes it text.
            let constant = pieces.iter().any(|p| {
                matches!(
                    p.kind().as_ref(),
                    "identifier" | "attribute" | "member_expression" | "scoped_identifier"
                ) && is_constant_name(&p.text())
            });
            if lit.is_empty() && !constant {
                return None;
            }
            let bad = pieces.iter().find(|p| !literalish(p, depth + 1))?;
            built_at(
                "by concatenating",
                unwrap(bad.clone()).text().to_string(),
                lit,
            )
        }
        "call" => {
            let f = e.field_of("function")?;
            if f.kind() != "attribute" || f.field_of("attribute")?.text() != "format" {
                return None;
            }
            let fmt = literal_text(&f.field_of("object")?, depth + 1)?;
            let args = e.field_of("arguments")?;
            if literalish(&args, depth + 1) {
                return None;
            }
            built_from("with `.format()` interpolating", culprits(&args), fmt)
        }
        "macro_invocation" => format_macro(&e, depth),
        "conditional_expression" => e
            .named_children()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .find_map(|(_, c)| built(&c, depth + 1)),
        "ternary_expression" => [e.field_of("consequence"), e.field_of("alternative")]
            .into_iter()
            .flatten()
            .find_map(|c| built(&c, depth + 1)),
        "identifier" => {
            let name = e.text().to_string();
            let writes = reaching_writes(&e, &name);
            let all: String = writes.iter().map(|w| w.value.text().to_string()).collect();
            for w in &writes {
                if let Some(mut b) = built(&w.value, depth + 1) {
                    b.via = Some(name);
                    b.text = all;
                    return Some(b);
                }
                if w.appended && !literalish(&w.value, depth + 1) {
                    let culprit = unwrap(w.value.clone()).text().to_string();
                    return Some(Built {
                        how: "by concatenating",
                        pieces: vec![culprit.clone()],
                        culprit,
                        via: Some(name),
                        text: all,
                    });
                }
            }
            None
        }
        _ => None,
    }
}

/// Rust `format!("..{x}..", a, b = c)`: non-literal arguments or inline names.
fn format_macro(e: &N<'_>, depth: usize) -> Option<Built> {
    let name = e.field_of("macro")?.text().to_string();
    if name != "format" && name != "format_args" {
        return None;
    }
    let tt = e.children().find(|c| c.kind() == "token_tree")?;
    let lit = tt
        .children()
        .find(|c| matches!(c.kind().as_ref(), "string_literal" | "raw_string_literal"))?;
    let fmt = lit.text().to_string();
    let arg_ok = |arg: &str| -> bool {
        let arg = arg.trim().trim_start_matches('&').trim();
        if arg.starts_with('"')
            || NUMBER.is_match(arg)
            || is_constant_name(arg)
            || IF_LITERALS.is_match(arg)
        {
            return true;
        }
        if arg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let writes = reaching_writes(e, arg);
            if writes.is_empty() {
                return typed_as_number(e, arg);
            }
            return writes.iter().all(|w| literalish(&w.value, depth + 1));
        }
        false
    };
    let unescaped = fmt.replace("{{", "").replace("}}", "");
    let mut bad: Vec<String> = FORMAT_NAME
        .captures_iter(&unescaped)
        .map(|cap| cap.get(1).map_or("", |m| m.as_str()))
        .filter(|n| !NUMBER.is_match(n) && !arg_ok(n))
        .map(str::to_string)
        .collect();
    let Some(args) = super::rust_macro::args_after(&tt, &lit) else {
        return built_from("with `format!` interpolating", bad, fmt);
    };
    for arg in args.iter().map(String::as_str) {
        let value = match arg.split_once('=') {
            Some((k, v))
                if !v.starts_with('=')
                    && k.trim()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                v.trim()
            }
            _ => arg,
        };
        if !arg_ok(value) {
            bad.push(value.to_string());
        }
    }
    built_from("with `format!` interpolating", bad, fmt)
}
