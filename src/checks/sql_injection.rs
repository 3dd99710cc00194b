//! sql-injection: SQL text handed to a query API after being assembled from
//! other values — f-strings, `%`/`.format()`, template literals, `+`,
//! `format!` — directly or through a local variable assigned earlier in the
//! same function. Parameterised calls with literal SQL, tagged templates
//! (`sql\`..\``, `$queryRaw\`..\``), `query!` macros and strings built only
//! from literals and constants stay silent. Generic method names
//! (`execute`, `query`, `run`...) only count when the text looks like SQL or
//! the receiver looks like a database handle (by its last word: `tenant_db`
//! yes, `ctx` or `gdb` no); JavaScript `exec` counts only on a database
//! handle (`db.exec`), never as `child_process.exec`.

use super::localflow::N;
use super::pyimports::Imports;
use super::servicectx::{range_suppressed, SQL_INJECTION_CODES};
use super::sql_allowlist::allow_listed;
use super::sqlbuild::{built, Built};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

#[path = "sql_injection_receiver.rs"]
mod receiver;
#[path = "sql_injection_sinks.rs"]
mod sinks;

use receiver::is_db_receiver;
use sinks::{js_sink, python_sink, rust_sink};

pub struct SqlInjection;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Sink {
    /// A SQL-only API: any built string counts.
    Sql,
    /// `execute`/`query`: counts for SQL-looking text or a database receiver.
    Generic,
    /// `run`/`get`/`all`...: counts only for SQL-looking text.
    Ambiguous,
}

pub(super) struct Call<'r> {
    /// Where to report: from the method name (so chains report the line of
    /// the sink) to the end of the call.
    pub(super) start: usize,
    pub(super) name: String,
    pub(super) receiver: String,
    pub(super) kind: Sink,
    pub(super) args: Vec<N<'r>>,
    pub(super) params: bool,
}

static SQL_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)\b(select\b.{0,400}?\bfrom|insert\s+into|update\b.{0,200}?\bset|delete\s+from|where\b|order\s+by|group\s+by|(create|drop|alter|truncate)\s+(table|index|view|database|schema|user|role)|pragma\b|values\s*\(|grant\b|exec(ute)?\s+(immediate\b|procedure\b|function\b|sp_\w+|\w+(\.\w+)?\s*(\(|@))|copy\s+\S+\s+(to|from)\b)",
    )
    .unwrap_or_else(|_| unreachable!())
});
/// Cheap per-file pre-filters: a file that mentions none of these cannot match.
/// `PY_ANCHORS` and `JS_ANCHORS` list their words: keep them in step.
static WORTH_PY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"execute|\.run\s*\(|\.cursor\s*\(|\.prepare\s*\(|copy_|mogrify|\braw\b|read_sql|RawSQL|\bextra\b|\bfetch|sqlalchemy|\biterate\b")
        .unwrap_or_else(|_| unreachable!())
});
/// JavaScript/TypeScript: the first word of every `SQL_WORDS` branch (an
/// `Ambiguous` sink needs SQL-looking text) and the method names that
/// report without it: `query`, `execute`/`exec`, `unsafe`, `raw` (also
/// `whereRaw`, `$queryRawUnsafe`...), `literal`, `where`/`andWhere`,
/// `having`/`orHaving`. Substrings, so `andWhere` and `SelectQueryBuilder`
/// pass.
static WORTH_JS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)select|insert|update|delete|where|order|group|create|drop|alter|truncate|pragma|values|grant|copy|exec|query|unsafe|raw|literal|having")
        .unwrap_or_else(|_| unreachable!())
});
static WORTH_RS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"query|execute|prepare|sql|Statement|fetch_all|fetch_one")
        .unwrap_or_else(|_| unreachable!())
});

/// The literal alternatives of `WORTH_PY` (`RawSQL` contains `raw`).
const PY_ANCHORS: &[&str] = &[
    "execute",
    ".run",
    ".cursor",
    ".prepare",
    "copy_",
    "mogrify",
    "raw",
    "read_sql",
    "extra",
    "fetch",
    "sqlalchemy",
    "iterate",
];
/// The words of `WORTH_JS`, and `ſ` (U+017F), which `(?i)` matches for `s`.
const JS_ANCHORS: &[&str] = &[
    "select", "insert", "update", "delete", "where", "order", "group", "create", "drop", "alter",
    "truncate", "pragma", "values", "grant", "copy", "exec", "query", "unsafe", "raw", "literal",
    "having", "ſ",
];
/// What every name `rust_sink` accepts contains.
const RS_ANCHORS: &[&str] = &[
    "query",
    "execute",
    "prepare",
    "statement",
    "raw_sql",
    "fetch_all",
    "fetch_one",
];

impl Check for SqlInjection {
    /// Python and JavaScript/TypeScript: `run` returns before any hit
    /// unless the file matches `WORTH_PY` / `WORTH_JS`, whose literal
    /// alternatives these are. Rust: a hit needs a call `rust_sink`
    /// accepts, whose name contains `query`, `execute` or `prepare`, or is
    /// sqlx `raw_sql`, sea-orm `Statement::from_string`, or a
    /// `fetch_all`/`fetch_one` method.
    fn anchors(&self, language: Language) -> Option<&'static [&'static str]> {
        super::code_anchors(
            language,
            Some(PY_ANCHORS),
            Some(JS_ANCHORS),
            Some(RS_ANCHORS),
        )
    }

    fn run(&self, file: &crate::parse::ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        super::localflow::begin_file();
        let worth = match file.language {
            Language::Python => &*WORTH_PY,
            Language::Rust => &*WORTH_RS,
            _ => &*WORTH_JS,
        };
        if !worth.is_match(&file.text) {
            return;
        }
        let imports = (file.language == Language::Python).then(|| Imports::collect(nodes));
        let sqlalchemy = imports
            .as_ref()
            .is_some_and(|i| i.is_imported("sqlalchemy"));
        for node in nodes.of_kinds(&["call", "call_expression"]) {
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
                let db = is_db_receiver(&call.receiver);
                let ok = match call.kind {
                    Sink::Sql => true,
                    Sink::Generic => looks_sql || db,
                    Sink::Ambiguous => looks_sql,
                };
                if !ok
                    || built_with_its_params(nodes, &node, arg, &b.culprit)
                    || call.params && compiled_by_django(&node, &b.culprit)
                {
                    continue;
                }
                // `self.table`, `this.schema`: instance configuration, rarely user input.
                let is_member = |c: &str| c.starts_with("self.") || c.starts_with("this.");
                let member = is_member(&b.culprit);
                // A name checked against a fixed set (`if table not in
                // self.table_names: return`) is one of the program's strings.
                let python = file.language == Language::Python;
                let listed = |p: &String| python && allow_listed(nodes, &node, p);
                if !b.pieces.is_empty() && b.pieces.iter().all(listed) {
                    continue;
                }
                // ... and where SQL wants a name (`FROM {}.users`), which no
                // placeholder could stand for: the object names its tables.
                if b.pieces.iter().all(|p| is_member(p) || listed(p))
                    && super::sql_names::all_slots_are_names(&b.text)
                {
                    continue;
                }
                let confidence = if call.params || member || call.kind != Sink::Sql && !looks_sql {
                    Confidence::Medium
                } else {
                    Confidence::High
                };
                let range = call.start.min(node.range().end)..node.range().end;
                // `# noqa: S608`, `# nosec B608`: decided already.
                if range_suppressed(&file.text, node.range(), SQL_INJECTION_CODES) {
                    break;
                }
                out.push(Hit::new(range, message(&call.name, &b)).confidence(confidence));
                break;
            }
        }
    }
}

/// `where, params = build_where(filters)` and then
/// `execute(sql + where, params)`: a query builder returned the clause
/// together with its bound parameters, and the sink passes them on. The
/// clause holds placeholders, not values (Python tuples only).
fn built_with_its_params(
    nodes: &crate::parse::nodes::NodeIndex<'_>,
    sink: &N<'_>,
    sql_arg: &N<'_>,
    culprit: &str,
) -> bool {
    if !super::localflow::is_plain_name(culprit) {
        return false;
    }
    let Some(scope) = super::localflow::scope_of(sink) else {
        return false;
    };
    let (within, before) = (scope.range(), sink.range().start);
    let passed: Vec<String> = sink
        .field_of("arguments")
        .map(|a| {
            a.named_children()
                .filter(|x| x.range() != sql_arg.range())
                .map(|x| x.text().to_string())
                .collect()
        })
        .unwrap_or_default();
    nodes.of_kind("assignment").any(|a| {
        let r = a.range();
        if r.start < within.start || r.end > before {
            return false;
        }
        let (Some(left), Some(right)) = (a.field_of("left"), a.field_of("right")) else {
            return false;
        };
        if !matches!(left.kind().as_ref(), "pattern_list" | "tuple_pattern")
            || right.kind() != "call"
        {
            return false;
        }
        let names: Vec<String> = left
            .named_children()
            .filter(|n| n.kind() == "identifier")
            .map(|n| n.text().to_string())
            .collect();
        names.iter().any(|n| n == culprit)
            && names.iter().filter(|n| *n != culprit).any(|other| {
                passed.iter().any(|p| {
                    p.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .any(|w| w == other)
                })
            })
    })
}

/// `t = queryset.query.where.as_sql(compiler, connection)`, `where =
/// t[0]`, then `execute(sql.format(where=where), t[1] + [...])`: the text
/// Django's query compiler wrote, placeholders for values, passed on with
/// its parameters.
fn compiled_by_django(sink: &N<'_>, culprit: &str) -> bool {
    if !super::localflow::is_plain_name(culprit) {
        return false;
    }
    let writes = super::localflow::reaching_writes(sink, culprit);
    !writes.is_empty()
        && writes.iter().all(|w| {
            let v = &w.value;
            v.kind() == "subscript"
                && v.field_of("subscript").is_some_and(|i| i.text() == "0")
                && v.field_of("value").is_some_and(|t| {
                    t.kind() == "identifier"
                        && super::localflow::reaching_writes(sink, &t.text())
                            .iter()
                            .all(|tw| {
                                tw.value.kind() == "call"
                                    && tw.value.field_of("function").is_some_and(|f| {
                                        let f = f.text();
                                        f.ends_with(".as_sql") || f.ends_with(".sql_with_params")
                                    })
                            })
                })
        })
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
    fn names_checked_against_a_fixed_set() {
        // 0: the set is the program's own. 1: the set comes from the
        // request, the sink is in the `else` branch, the guard does not
        // leave the function, or another piece is not checked.
        for (code, expected) in [
            ("SORTS = {\"new\": \"created\", \"old\": \"created\"}\ndef f(cur, s):\n    if s in SORTS.keys():\n        cur.execute(f\"SELECT id FROM t ORDER BY {s}\")\n", 0),
            ("def f(cur, d):\n    if d == 'x':\n        pass\n    elif d in ('asc', 'desc'):\n        cur.execute(f\"SELECT id FROM t ORDER BY id {d}\")\n", 0),
            ("def f(cur, t):\n    if t not in ALLOWED_TABLES:\n        raise ValueError(t)\n    cur.execute(f\"DELETE FROM {t}\")\n", 0),
            ("def f(cur):\n    for name, col in COLUMNS.items():\n        cur.execute(f\"SELECT {name} FROM t\")\n", 0),
            ("def f(cur, request, t):\n    if t in request.args:\n        cur.execute(f\"DELETE FROM {t}\")\n", 1),
            ("def f(cur, t):\n    if t in ALLOWED:\n        pass\n    else:\n        cur.execute(f\"DELETE FROM {t}\")\n", 1),
            ("def f(cur, t):\n    if t not in ALLOWED:\n        print(t)\n    cur.execute(f\"DELETE FROM {t}\")\n", 1),
            ("def f(cur, t, u):\n    if t in ALLOWED:\n        cur.execute(f\"DELETE FROM {t} WHERE u = '{u}'\")\n", 1),
        ] {
            let found = messages(Language::Python, "app/repo.py", code).len();
            assert_eq!(found, expected, "{code}");
        }
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

    /// The pre-filter lets through a call written with a space or a line
    /// break before its parenthesis.
    #[test]
    fn split_calls_pass_the_prefilter() {
        let code = "def get(conn, name):\n    return conn.run (\n        f\"SELECT * FROM users WHERE name = '{name}'\"\n    )\n";
        let found = messages(Language::Python, "app/repo.py", code);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(SqlInjection
            .anchors(Language::Python)
            .is_some_and(|a| a.iter().any(|w| code.contains(w))));
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
