//! sql-injection: SQL text handed to a query API after being assembled from
//! other values — f-strings, `%`/`.format()`, template literals, `+`,
//! `format!` — directly or through a local variable assigned earlier in the
//! same function. Parameterised calls with literal SQL, tagged templates
//! (`sql\`..\``, `$queryRaw\`..\``), `query!` macros and strings built only
//! from literals and constants stay silent. Generic method names
//! (`execute`, `query`, `run`...) only count when the text looks like SQL or
//! the receiver looks like a database handle.

use super::localflow::N;
use super::pyimports::Imports;
use super::sqlbuild::{built, Built};
use super::{Check, Hit};
use crate::lang::Language;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

pub struct SqlInjection;

static SQL_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)\b(select\b.{0,400}?\bfrom|insert\s+into|update\b.{0,200}?\bset|delete\s+from|where\b|order\s+by|group\s+by|(create|drop|alter|truncate)\s+(table|index|view|database|schema|user|role)|pragma\b|values\s*\(|grant\b|exec(ute)?\s+\w|copy\s+\S+\s+(to|from)\b)",
    )
    .unwrap_or_else(|_| unreachable!())
});
static DB_RECEIVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(cursor|cur|conn|connection|db|database|engine|pool|knex|trx|tx|txn|transaction|sequelize|prisma|sqlite|mysql|pg|postgres|query_?runner)s?(\(\))?$")
        .unwrap_or_else(|_| unreachable!())
});

/// Cheap per-file pre-filters: a file that mentions none of these cannot match.
static WORTH_PY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"execute|\.run\(|\.cursor\(|\.prepare\(|copy_|mogrify|\braw\b|read_sql|RawSQL|\bextra\b|\bfetch|sqlalchemy|\biterate\b")
        .unwrap_or_else(|_| unreachable!())
});
static WORTH_JS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(select|insert|update|delete|where|order|group|create|drop|alter|truncate|pragma|values|exec|merge|replace|having)\b|Raw|raw\(")
        .unwrap_or_else(|_| unreachable!())
});
static WORTH_RS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"query|execute|prepare|sql|Statement").unwrap_or_else(|_| unreachable!())
});

#[derive(Clone, Copy, PartialEq)]
enum Sink {
    /// A SQL-only API: any built string counts.
    Sql,
    /// `execute`/`query`: counts for SQL-looking text or a database receiver.
    Generic,
    /// `run`/`get`/`all`...: counts only for SQL-looking text.
    Ambiguous,
}

struct Call<'r> {
    /// Where to report: from the method name (so chains report the line of
    /// the sink) to the end of the call.
    start: usize,
    name: String,
    receiver: String,
    kind: Sink,
    args: Vec<N<'r>>,
    params: bool,
}

impl Check for SqlInjection {
    fn run(&self, file: &crate::parse::ParsedFile, out: &mut Vec<Hit>) {
        let Some(tree) = file.code() else { return };
        super::localflow::begin_file();
        let worth = match file.language {
            Language::Python => &*WORTH_PY,
            Language::Rust => &*WORTH_RS,
            _ => &*WORTH_JS,
        };
        if !worth.is_match(&file.text) {
            return;
        }
        let imports = (file.language == Language::Python).then(|| Imports::collect(tree));
        let sqlalchemy = imports
            .as_ref()
            .is_some_and(|i| i.is_imported("sqlalchemy"));
        for node in tree.root().dfs() {
            let call = match (file.language, node.kind().as_ref()) {
                (Language::Python, "call") => python_sink(&node, imports.as_ref(), sqlalchemy),
                (
                    Language::JavaScript | Language::TypeScript | Language::Tsx,
                    "call_expression",
                ) => js_sink(&node),
                (Language::Rust, "call_expression") => rust_sink(&node),
                _ => None,
            };
            let Some(call) = call else { continue };
            for arg in &call.args {
                let Some(b) = built(arg, 0) else { continue };
                let looks_sql = SQL_WORDS.is_match(&b.text);
                let db = DB_RECEIVER.is_match(&call.receiver);
                let ok = match call.kind {
                    Sink::Sql => true,
                    Sink::Generic => looks_sql || db,
                    Sink::Ambiguous => looks_sql,
                };
                if !ok {
                    continue;
                }
                // `self.table`, `this.schema`: instance configuration, rarely user input.
                let member = b.culprit.starts_with("self.") || b.culprit.starts_with("this.");
                let confidence = if call.params || member || call.kind != Sink::Sql && !looks_sql {
                    Confidence::Medium
                } else {
                    Confidence::High
                };
                let range = call.start.min(node.range().end)..node.range().end;
                out.push(Hit::new(range, message(&call.name, &b)).confidence(confidence));
                break;
            }
        }
    }
}

fn short(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 40 {
        format!("{}...", one.chars().take(37).collect::<String>())
    } else {
        one
    }
}

fn message(sink: &str, b: &Built) -> String {
    let via = b
        .via
        .as_ref()
        .map(|v| format!(" in `{v}`"))
        .unwrap_or_default();
    format!(
        "SQL{via} passed to `{}` is built {} `{}`",
        short(sink),
        b.how,
        short(&b.culprit)
    )
}

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
const PY_SINKS: &[&str] = &[
    "run",
    "cursor",
    "prepare",
    "copy_expert",
    "copy_from_query",
    "execute",
    "executemany",
    "executescript",
    "mogrify",
    "raw",
    "read_sql",
    "read_sql_query",
    "RawSQL",
    "text",
    "extra",
    "fetch",
    "fetchrow",
    "fetchval",
    "fetch_all",
    "fetch_one",
    "fetch_val",
    "execute_many",
    "iterate",
];
const JS_SINKS: &[&str] = &[
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "whereRaw",
    "orWhereRaw",
    "andWhereRaw",
    "havingRaw",
    "orHavingRaw",
    "orderByRaw",
    "groupByRaw",
    "joinRaw",
    "fromRaw",
    "raw",
    "literal",
    "where",
    "andWhere",
    "orWhere",
    "having",
    "andHaving",
    "orHaving",
    "query",
    "execute",
    "unsafe",
    "run",
    "all",
    "get",
    "exec",
    "each",
    "prepare",
    "many",
    "one",
    "none",
    "any",
    "oneOrNone",
    "manyOrNone",
    "batch",
];

const RS_SINKS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "raw_sql",
    "sql_query",
    "from_string",
    "execute",
    "query_one",
    "query_opt",
    "query_raw",
    "batch_execute",
    "simple_query",
    "query_row",
    "prepare",
    "prepare_cached",
    "execute_batch",
    "query_typed",
    "query_map",
    "execute_unprepared",
    "fetch_all",
    "fetch_one",
];

fn last_name<'r>(f: &N<'r>) -> Option<N<'r>> {
    match f.kind().as_ref() {
        "attribute" => f.field("attribute"),
        "member_expression" => f.field("property"),
        "identifier" => Some(f.clone()),
        _ => None,
    }
}

fn python_sink<'r>(node: &N<'r>, imports: Option<&Imports>, sqlalchemy: bool) -> Option<Call<'r>> {
    let f = node.field("function")?;
    let name = last_name(&f)?;
    if !PY_SINKS.contains(&name.text().as_ref()) && !sqlalchemy {
        return None;
    }
    let arglist = node.field("arguments")?;
    let (method, receiver, start) = match f.kind().as_ref() {
        "attribute" => {
            let m = f.field("attribute")?;
            (
                m.text().to_string(),
                f.field("object")?.text().to_string(),
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
                a.field("name")
                    .is_some_and(|n| names.contains(&n.text().as_ref()))
            })
            .filter_map(|a| a.field("value"))
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
                        args.extend(v.named_children().filter_map(|p| p.field("value")))
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

fn js_sink<'r>(node: &N<'r>) -> Option<Call<'r>> {
    let f = node.field("function")?;
    if !JS_SINKS.contains(&last_name(&f)?.text().as_ref()) {
        return None;
    }
    let arglist = node.field("arguments")?;
    if arglist.kind() != "arguments" {
        return None; // a tagged template: parameterised by the tag
    }
    let (method, receiver, start) = match f.kind().as_ref() {
        "member_expression" => {
            let m = f.field("property")?;
            (
                m.text().to_string(),
                f.field("object")?.text().to_string(),
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
        "raw" if DB_RECEIVER.is_match(&receiver) => Sink::Sql,
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
        "run" | "all" | "get" | "exec" | "each" | "prepare" | "many" | "one" | "none" | "any"
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
                    p.field("key")
                        .is_some_and(|k| names.contains(&k.text().trim_matches(['"', '\''])))
                })
                .find_map(|p| p.field("value"))
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

fn rust_sink<'r>(node: &N<'r>) -> Option<Call<'r>> {
    let mut f = node.field("function")?;
    if f.kind() == "generic_function" {
        f = f.field("function")?;
    }
    let name_node = match f.kind().as_ref() {
        "scoped_identifier" => f.field("name")?,
        "identifier" => f.clone(),
        "field_expression" => f.field("field")?,
        _ => return None,
    };
    if !RS_SINKS.contains(&name_node.text().as_ref()) {
        return None;
    }
    let args: Vec<N<'r>> = node
        .field("arguments")?
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
            let field = f.field("field")?;
            start = field.range().start;
            let method = field.text().to_string();
            let receiver = f.field("value")?.text().to_string();
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
        .and_then(|p| p.field("field"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn messages(language: Language, path: &str, code: &str) -> Vec<String> {
        let file = parse(language, path.to_string(), code.to_string());
        let mut out = Vec::new();
        SqlInjection.run(&file, &mut out);
        out.into_iter().map(|h| h.message).collect()
    }

    #[test]
    fn names_sink_variable_and_culprit() {
        let found = messages(
            Language::Python,
            "app/repo.py",
            "def get(cursor, user_id):\n    query = f\"SELECT * FROM users WHERE id = {user_id}\"\n    cursor.execute(query)\n",
        );
        assert_eq!(
            found,
            ["SQL in `query` passed to `cursor.execute` is built with an f-string interpolating `user_id`"]
        );
    }

    #[test]
    fn literal_only_strings_stay_silent() {
        let code = "TABLE = \"users\"\ndef get(cur, ids, desc):\n    order = \"DESC\" if desc else \"ASC\"\n    marks = \",\".join(\"?\" * len(ids))\n    cur.execute(f\"SELECT * FROM {TABLE} WHERE id IN ({marks}) ORDER BY id {order}\", ids)\n";
        assert!(messages(Language::Python, "app/repo.py", code).is_empty());
    }

    #[test]
    fn javascript_tagged_templates_stay_silent() {
        let code = "async function f(prisma, id) {\n  await prisma.$queryRaw`SELECT * FROM t WHERE id = ${id}`;\n  return prisma.$queryRawUnsafe(`SELECT * FROM t WHERE id = ${id}`);\n}\n";
        let found = messages(Language::JavaScript, "src/a.js", code);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("$queryRawUnsafe"));
    }

    #[test]
    fn rust_format_through_let() {
        let code = "async fn f(pool: &PgPool, name: &str) {\n    let sql = format!(\"DELETE FROM t WHERE name = '{name}'\");\n    sqlx::query(&sql).execute(pool).await;\n    let ok = format!(\"SELECT {}\", 1);\n    sqlx::query(&ok).execute(pool).await;\n}\n";
        let found = messages(Language::Rust, "src/db.rs", code);
        assert_eq!(
            found,
            ["SQL in `sql` passed to `sqlx::query` is built with `format!` interpolating `name`"]
        );
    }
}
