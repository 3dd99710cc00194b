//! Database connection pools explicitly configured without bounds. Library
//! defaults are bounded almost everywhere (SQLAlchemy 5 + 10 overflow with a
//! 30 s wait, psycopg_pool max = min, asyncpg 10, node-postgres 10, sqlx 10
//! with a 30 s acquire timeout), so only explicit settings count:
//! SQLAlchemy `max_overflow=-1` or `pool_size=0` (no cap on connections) and
//! `pool_timeout=None` (wait forever), also as `SQLALCHEMY_ENGINE_OPTIONS`
//! keys; node-postgres `connectionTimeoutMillis` and mysql `queueLimit` set
//! to a value that means "none" (`0`, `null`, `false`; for mysql also
//! `"0"`), which is also their default: wait or queue forever.

use super::limits_common::{js_args, py_kwarg, strip_quotes, N};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};

pub struct DbPool;

/// Python: the keys `judge` knows, and `QueuePool` (whose keywords drop
/// the `pool_` prefix).
const PY_ANCHORS: &[&str] = &["max_overflow", "pool_size", "pool_timeout", "queuepool"];
/// JavaScript/TypeScript: the option keys `js` reports.
const JS_ANCHORS: &[&str] = &["connectiontimeoutmillis", "queuelimit"];

impl Check for DbPool {
    /// Python: every hit is a keyword, dict key or `SQLALCHEMY_*` name
    /// containing `max_overflow`, `pool_size` or `pool_timeout`, or a
    /// `size=`/`timeout=` keyword of a `*QueuePool(...)` call.
    /// JavaScript/TypeScript: every hit is a `connectionTimeoutMillis` or
    /// `queueLimit` key. `run` reports nothing in other languages.
    fn anchors(&self, language: Language) -> Option<&'static [&'static str]> {
        super::code_anchors(language, Some(PY_ANCHORS), Some(JS_ANCHORS), None)
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        match file.language {
            Language::Python => python(file, nodes, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => js(nodes, out),
            _ => {}
        }
    }
}

/// The problem with one pool setting, if any: (message tail, severity).
fn judge(key: &str, value: &str) -> Option<(&'static str, Severity)> {
    match (key, value.trim()) {
        ("max_overflow", "-1") => Some((
            "lets the pool open connections without bound under load until the database refuses them",
            Severity::Medium,
        )),
        ("pool_size", "0") => Some((
            "removes the pool's size cap, so load opens connections until the database refuses them",
            Severity::Medium,
        )),
        ("pool_timeout", "None") => Some((
            "makes callers wait forever for a free connection instead of failing fast",
            Severity::Low,
        )),
        _ => None,
    }
}

const ENGINES: &[&str] = &[
    "create_engine",
    "create_async_engine",
    "QueuePool",
    "AsyncAdaptedQueuePool",
    "engine_from_config",
];

fn python(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let sqlalchemy = file.text.contains("sqlalchemy") || file.text.contains("SQLALCHEMY");
    if !sqlalchemy {
        return;
    }
    for node in nodes.of_kinds(&["call", "pair", "assignment"]) {
        match node.kind().as_ref() {
            "call" => {
                let Some(func) = node.field_of("function") else {
                    continue;
                };
                let name = func.text().rsplit('.').next().unwrap_or("").to_string();
                if !ENGINES.contains(&name.as_str()) {
                    continue;
                }
                if py_kwarg(&node, "poolclass").is_some_and(|p| !p.text().contains("QueuePool")) {
                    continue;
                }
                for key in ["max_overflow", "pool_size", "pool_timeout"] {
                    let kw = if name.contains("QueuePool") {
                        key.trim_start_matches("pool_")
                    } else {
                        key
                    };
                    let Some(value) = py_kwarg(&node, kw) else {
                        continue;
                    };
                    if let Some((tail, sev)) = judge(key, &value.text()) {
                        out.push(
                            Hit::new(
                                value.parent().map_or(node.range(), |p| p.range()),
                                format!(
                                    "`{}` sets `{kw}={}`, which {tail}",
                                    func.text(),
                                    value.text()
                                ),
                            )
                            .severity(sev),
                        );
                    }
                }
            }
            // SQLALCHEMY_ENGINE_OPTIONS = {"max_overflow": -1}
            "pair" => {
                let (Some(k), Some(v)) = (node.field_of("key"), node.field_of("value")) else {
                    continue;
                };
                if k.kind() != "string" {
                    continue;
                }
                let key = strip_quotes(&k.text()).to_string();
                if let Some((tail, sev)) = judge(&key, &v.text()) {
                    out.push(
                        Hit::new(
                            node.range(),
                            format!("engine option `{key}: {}` {tail}", v.text()),
                        )
                        .severity(sev),
                    );
                }
            }
            // Flask-SQLAlchemy 2.x settings
            "assignment" => {
                let (Some(l), Some(r)) = (node.field_of("left"), node.field_of("right")) else {
                    continue;
                };
                let key = match l.text().as_ref() {
                    "SQLALCHEMY_MAX_OVERFLOW" => "max_overflow",
                    "SQLALCHEMY_POOL_SIZE" => "pool_size",
                    "SQLALCHEMY_POOL_TIMEOUT" => "pool_timeout",
                    _ => continue,
                };
                if let Some((tail, sev)) = judge(key, &r.text()) {
                    out.push(
                        Hit::new(
                            node.range(),
                            format!("`{} = {}` {tail}", l.text(), r.text()),
                        )
                        .severity(sev),
                    );
                }
            }
            _ => {}
        }
    }
}

fn js(nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    for node in nodes.of_kinds(&["new_expression", "call_expression"]) {
        let ctor = match node.kind().as_ref() {
            "new_expression" => node.field_of("constructor").map(|c| c.text().to_string()),
            "call_expression" => node.field_of("function").map(|c| c.text().to_string()),
            _ => None,
        };
        let Some(ctor) = ctor else { continue };
        let last = ctor.rsplit('.').next().unwrap_or("");
        if !matches!(last, "Pool" | "createPool" | "createPoolCluster") {
            continue;
        }
        let Some(obj) = js_args(&node).into_iter().find(|a| a.kind() == "object") else {
            continue;
        };
        for pair in obj.children().filter(|c| c.kind() == "pair") {
            let (Some(k), Some(v)) = (pair.field_of("key"), pair.field_of("value")) else {
                continue;
            };
            let key = strip_quotes(&k.text()).to_string();
            let value = v.text().trim().to_string();
            let msg = match key.as_str() {
                // pg-pool only sets a timer when the option is truthy.
                "connectionTimeoutMillis" if last == "Pool" && no_limit(&v, false) => Some((
                    "makes `pool.connect()` wait forever for a free client when the pool is exhausted",
                    Confidence::High,
                )),
                // mysql/mysql2 read it with Number(); without waiting there is no queue.
                "queueLimit" if last != "Pool" && no_limit(&v, true) && waits(&obj) => Some((
                    "lets requests queue for a connection without bound when the pool is exhausted",
                    Confidence::Medium,
                )),
                _ => None,
            };
            if let Some((msg, conf)) = msg {
                out.push(
                    Hit::new(
                        pair.range(),
                        format!("`{ctor}` option `{key}: {value}` {msg}"),
                    )
                    .severity(Severity::Low)
                    .confidence(conf),
                );
            }
        }
    }
}

/// Does a pool option's literal value mean "no limit"? A zero number in any
/// spelling (`0`, `0.0`, `0x0`, `-0`, `0_000`), `null`, `undefined` or
/// `false`, and with `numeric_strings` (mysql's `Number(value)`) also `"0"`
/// and `""`. Variables and expressions are not judged.
fn no_limit(value: &N<'_>, numeric_strings: bool) -> bool {
    let negated = value.kind() == "unary_expression" && value.text().starts_with('-');
    let inner = if negated {
        value.named_children().next()
    } else {
        Some(value.clone())
    };
    let Some(v) = inner else { return false };
    match v.kind().as_ref() {
        "number" => is_zero(&v.text()),
        "null" | "undefined" | "false" => true,
        "string" if numeric_strings => {
            let s = strip_quotes(&v.text()).trim().to_string();
            s.is_empty() || is_zero(&s)
        }
        _ => false,
    }
}

fn is_zero(number: &str) -> bool {
    let t = number.replace('_', "").to_ascii_lowercase();
    let mantissa = match ["0x", "0o", "0b"].iter().find_map(|p| t.strip_prefix(p)) {
        Some(digits) => digits,
        None => t.split('e').next().unwrap_or(&t),
    };
    !mantissa.is_empty() && mantissa.chars().all(|c| c == '0' || c == '.') && mantissa.contains('0')
}

/// mysql `waitForConnections` defaults to true; `false` rejects at once
/// instead of queueing, so `queueLimit` does not matter.
fn waits(options: &N<'_>) -> bool {
    options
        .children()
        .filter(|c| c.kind() == "pair")
        .filter(|p| {
            p.field_of("key")
                .is_some_and(|k| strip_quotes(&k.text()) == "waitForConnections")
        })
        .filter_map(|p| p.field_of("value"))
        .all(|v| !matches!(v.text().trim(), "false" | "0" | "null"))
}

#[cfg(test)]
mod tests {
    use super::is_zero;

    #[test]
    fn zero_spellings() {
        for z in ["0", "0.0", ".0", "0x0", "0e5", "0_000", "0b0"] {
            assert!(is_zero(z), "{z}");
        }
        for n in ["1", "0x0e1", "0xe0", "10", "5000", "0.5", "", "0n"] {
            assert!(!is_zero(n), "{n}");
        }
    }
}
