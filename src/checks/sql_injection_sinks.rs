//! The query APIs sql-injection knows, per language: which calls take SQL
//! text, which argument holds it, whether values travel separately, and how
//! to name the call in a message.

use super::{is_db_receiver, Call, Sink};
use crate::checks::localflow::N;
use crate::checks::pyimports::Imports;
use crate::parse::fields::FieldOf;

/// `recv.method` as a readable name: the receiver's last segment only.
fn display(receiver: &str, method: &str) -> String {
    let simple = |s: &str| {
        !s.is_empty()
            && s.len() <= 30
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$' | ':'))
    };
    if simple(receiver) {
        return format!("{receiver}.{method}");
    }
    let last = receiver
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(receiver)
        .trim();
    if simple(last) {
        format!("{last}.{method}")
    } else {
        method.to_string()
    }
}

/// A second argument that really carries parameters (not `[]` or `()`).
fn real_params(arg: Option<&N<'_>>) -> bool {
    arg.is_some_and(|p| {
        let t: String = p.text().chars().filter(|c| !c.is_whitespace()).collect();
        !matches!(
            t.as_str(),
            "[]" | "()" | "{}" | "None" | "&[]" | "params![]" | "NO_PARAMS" | "rusqlite::NO_PARAMS"
        )
    })
}

/// Method and function names worth a closer look (cheap pre-filter).
#[rustfmt::skip]
const PY_SINKS: &[&str] = &[
    "run", "cursor", "prepare", "copy_expert", "copy_from_query", "execute", "executemany",
    "executescript", "mogrify", "raw", "read_sql", "read_sql_query", "RawSQL", "text", "extra",
    "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one", "fetch_val", "execute_many",
    "iterate",
];
#[rustfmt::skip]
const JS_SINKS: &[&str] = &[
    "$queryRawUnsafe", "$executeRawUnsafe", "whereRaw", "orWhereRaw", "andWhereRaw", "havingRaw",
    "orHavingRaw", "orderByRaw", "groupByRaw", "joinRaw", "fromRaw", "raw", "literal", "where",
    "andWhere", "orWhere", "having", "andHaving", "orHaving", "query", "execute", "unsafe", "run",
    "all", "get", "exec", "each", "prepare", "many", "one", "none", "any", "oneOrNone",
    "manyOrNone", "batch",
];

#[rustfmt::skip]
const RS_SINKS: &[&str] = &[
    "query", "query_as", "query_scalar", "query_with", "query_as_with", "query_scalar_with",
    "raw_sql", "sql_query", "from_string", "execute", "query_one", "query_opt", "query_raw",
    "batch_execute", "simple_query", "query_row", "prepare", "prepare_cached", "execute_batch",
    "query_typed", "query_map", "execute_unprepared", "fetch_all", "fetch_one",
];

fn last_name<'r>(f: &N<'r>) -> Option<N<'r>> {
    match f.kind().as_ref() {
        "attribute" => f.field_of("attribute"),
        "member_expression" => f.field_of("property"),
        "identifier" => Some(f.clone()),
        _ => None,
    }
}

pub(super) fn python_sink<'r>(
    node: &N<'r>,
    imports: Option<&Imports>,
    sqlalchemy: bool,
) -> Option<Call<'r>> {
    let f = node.field_of("function")?;
    let name = last_name(&f)?;
    if !PY_SINKS.contains(&name.text().as_ref()) && !sqlalchemy {
        return None;
    }
    let arglist = node.field_of("arguments")?;
    let (method, receiver, start) = match f.kind().as_ref() {
        "attribute" => {
            let m = f.field_of("attribute")?;
            (
                m.text().to_string(),
                f.field_of("object")?.text().to_string(),
                m.range().start,
            )
        }
        "identifier" => (f.text().to_string(), String::new(), f.range().start),
        _ => return None,
    };
    let positional: Vec<N<'r>> = arglist
        .named_children()
        .filter(|a| {
            !matches!(
                a.kind().as_ref(),
                "keyword_argument" | "comment" | "list_splat" | "dictionary_splat"
            )
        })
        .collect();
    let kwarg = |names: &[&str]| {
        arglist
            .named_children()
            .filter(|a| a.kind() == "keyword_argument")
            .filter(|a| {
                a.field_of("name")
                    .is_some_and(|n| names.contains(&n.text().as_ref()))
            })
            .filter_map(|a| a.field_of("value"))
            .collect::<Vec<_>>()
    };
    let resolved = imports.map_or_else(|| f.text().to_string(), |i| i.resolve(&f.text()));
    let first = || {
        positional
            .first()
            .cloned()
            .into_iter()
            .chain(kwarg(&[
                "sql",
                "query",
                "operation",
                "statement",
                "sql_script",
            ]))
            .take(1)
            .collect::<Vec<_>>()
    };
    let has_params = !kwarg(&["params", "parameters"]).is_empty();
    let (kind, args, params) = match method.as_str() {
        "execute" | "executemany" | "executescript" | "mogrify" => (
            Sink::Generic,
            first(),
            real_params(positional.get(1)) || has_params,
        ),
        "raw"
            if receiver.ends_with("objects")
                || receiver.to_ascii_lowercase().ends_with("manager") =>
        {
            (
                Sink::Sql,
                first(),
                real_params(positional.get(1)) || has_params,
            )
        }
        "raw" => (Sink::Ambiguous, first(), real_params(positional.get(1))),
        // asyncpg, databases, aiosqlite
        "fetch" | "fetchrow" | "fetchval" | "fetch_all" | "fetch_one" | "fetch_val"
        | "execute_many" | "iterate" | "copy_expert" | "copy_from_query" => {
            (Sink::Ambiguous, first(), real_params(positional.get(1)))
        }
        // pg8000 `conn.run(sql)`, asyncpg `conn.cursor(sql)` / `conn.prepare(sql)`
        "run" | "cursor" | "prepare"
            if !receiver.is_empty()
                && !matches!(
                    receiver.as_str(),
                    "subprocess"
                        | "asyncio"
                        | "app"
                        | "uvicorn"
                        | "loop"
                        | "trio"
                        | "anyio"
                        | "self"
                ) =>
        {
            (Sink::Ambiguous, first(), real_params(positional.get(1)))
        }
        "read_sql" | "read_sql_query" => (Sink::Sql, first(), has_params),
        "RawSQL" => (
            Sink::Sql,
            first(),
            real_params(positional.get(1)) || has_params,
        ),
        _ if resolved.starts_with("sqlalchemy") && resolved.ends_with(".text") => {
            (Sink::Sql, first(), false)
        }
        "extra" => {
            let mut args = Vec::new();
            for v in kwarg(&["where", "select", "tables", "order_by"]) {
                match v.kind().as_ref() {
                    "list" | "tuple" => args.extend(v.named_children()),
                    "dictionary" => {
                        args.extend(v.named_children().filter_map(|p| p.field_of("value")))
                    }
                    _ => args.push(v),
                }
            }
            (
                Sink::Sql,
                args,
                !kwarg(&["params", "select_params"]).is_empty(),
            )
        }
        _ => return None,
    };
    Some(Call {
        start,
        name: display(&receiver, &method),
        receiver,
        kind,
        args,
        params,
    })
}

pub(super) fn js_sink<'r>(node: &N<'r>) -> Option<Call<'r>> {
    let f = node.field_of("function")?;
    if !JS_SINKS.contains(&last_name(&f)?.text().as_ref()) {
        return None;
    }
    let arglist = node.field_of("arguments")?;
    if arglist.kind() != "arguments" {
        return None; // a tagged template: parameterised by the tag
    }
    let (method, receiver, start) = match f.kind().as_ref() {
        "member_expression" => {
            let m = f.field_of("property")?;
            (
                m.text().to_string(),
                f.field_of("object")?.text().to_string(),
                m.range().start,
            )
        }
        "identifier" => (f.text().to_string(), String::new(), f.range().start),
        _ => return None,
    };
    let kind = match method.as_str() {
        "$queryRawUnsafe" | "$executeRawUnsafe" | "whereRaw" | "orWhereRaw" | "andWhereRaw"
        | "havingRaw" | "orHavingRaw" | "orderByRaw" | "groupByRaw" | "joinRaw" | "fromRaw" => {
            Sink::Sql
        }
        "raw" if is_db_receiver(&receiver) => Sink::Sql,
        // TypeORM query builders: where("user.name = '" + name + "'")
        "where" | "andWhere" | "orWhere" | "having" | "andHaving" | "orHaving"
            if receiver.contains("createQueryBuilder")
                || receiver.to_ascii_lowercase().ends_with("querybuilder")
                || receiver.ends_with("qb") =>
        {
            Sink::Sql
        }
        "literal" if receiver.to_ascii_lowercase().ends_with("sequelize") => Sink::Sql,
        "query" | "execute" | "raw" | "unsafe" => Sink::Generic,
        // better-sqlite3 / sqlite3 `db.exec(sql)`; anything else called
        // `exec` (child_process, RegExp, shells) runs no SQL.
        "exec" if is_db_receiver(&receiver) => Sink::Generic,
        "run" | "all" | "get" | "each" | "prepare" | "many" | "one" | "none" | "any"
        | "oneOrNone" | "manyOrNone" | "batch" => Sink::Ambiguous,
        _ => return None,
    };
    let args: Vec<N<'r>> = arglist
        .named_children()
        .filter(|a| a.kind() != "comment")
        .collect();
    let first = args.first()?.clone();
    let (sql, params) = if first.kind() == "object" {
        let prop = |names: &[&str]| {
            first
                .named_children()
                .filter(|p| p.kind() == "pair")
                .filter(|p| {
                    p.field_of("key")
                        .is_some_and(|k| names.contains(&k.text().trim_matches(['"', '\''])))
                })
                .find_map(|p| p.field_of("value"))
        };
        (
            prop(&["text", "sql", "query"])?,
            prop(&["values", "replacements", "bind"]).is_some(),
        )
    } else {
        let params = args.get(1).is_some_and(|p| {
            p.kind() == "array"
                || p.kind() == "object" && p.text().contains("replacements")
                || p.kind() == "object" && p.text().contains("bind")
                || p.kind() == "identifier" && {
                    let t = p.text().to_ascii_lowercase();
                    t.contains("param")
                        || t.contains("value")
                        || t.contains("binding")
                        || t.contains("args")
                }
        });
        (first, params)
    };
    Some(Call {
        start,
        name: display(&receiver, &method),
        receiver,
        kind,
        args: vec![sql],
        params,
    })
}

pub(super) fn rust_sink<'r>(node: &N<'r>) -> Option<Call<'r>> {
    let mut f = node.field_of("function")?;
    if f.kind() == "generic_function" {
        f = f.field_of("function")?;
    }
    let name_node = match f.kind().as_ref() {
        "scoped_identifier" => f.field_of("name")?,
        "identifier" => f.clone(),
        "field_expression" => f.field_of("field")?,
        _ => return None,
    };
    if !RS_SINKS.contains(&name_node.text().as_ref()) {
        return None;
    }
    let args: Vec<N<'r>> = node
        .field_of("arguments")?
        .named_children()
        .filter(|a| !a.kind().ends_with("comment"))
        .collect();
    let mut start = node.range().start;
    let (name, receiver, kind) = match f.kind().as_ref() {
        "scoped_identifier" | "identifier" => {
            let path = f.text().to_string();
            let last = path.rsplit("::").next().unwrap_or(&path).to_string();
            let kind = match last.as_str() {
                "query" | "query_as" | "query_scalar" | "query_with" | "query_as_with"
                | "query_scalar_with" | "raw_sql"
                    if path.contains("sqlx") =>
                {
                    Sink::Sql
                }
                "sql_query" => Sink::Sql,
                // sea-orm: Statement::from_string(backend, sql)
                "from_string" if path.contains("Statement") => {
                    let sql = args.get(1).cloned();
                    return Some(Call {
                        start,
                        name: path,
                        receiver: String::new(),
                        kind: Sink::Sql,
                        args: sql.into_iter().collect(),
                        params: false,
                    });
                }
                "query" | "query_as" | "query_scalar" => Sink::Generic,
                _ => return None,
            };
            (path, String::new(), kind)
        }
        "field_expression" => {
            let field = f.field_of("field")?;
            start = field.range().start;
            let method = field.text().to_string();
            let receiver = f.field_of("value")?.text().to_string();
            match method.as_str() {
                "execute" | "query" | "query_one" | "query_opt" | "query_raw" | "batch_execute"
                | "simple_query" | "query_row" | "prepare" | "prepare_cached" | "execute_batch"
                | "query_typed" | "query_map" | "execute_unprepared" | "fetch_all"
                | "fetch_one" => {}
                _ => return None,
            }
            (display(&receiver, &method), receiver, Sink::Generic)
        }
        _ => return None,
    };
    // sqlx `query(..).bind(x)`: values travel separately.
    let bound = node
        .parent()
        .filter(|p| p.kind() == "field_expression")
        .and_then(|p| p.field_of("field"))
        .is_some_and(|f| f.text() == "bind");
    let params = bound || real_params(args.get(1));
    Some(Call {
        start,
        name,
        receiver,
        kind,
        args: args.into_iter().take(1).collect(),
        params,
    })
}
