//! The Rust half of `swallowed-exception`: `let _ = x.execute(..)`-style
//! discards of a fallible I/O or database call, and `.unwrap()`/`.expect()`
//! in application code outside tests, `fn main`, statics and lazy
//! initialisers, and on receivers whose failure is a programming error
//! (poisoned locks, literal regexes and parses, checked arithmetic,
//! formatting macros).

use super::localflow::is_constant_name;
use super::servicectx::{rust_in_main, rust_in_test, Node};
use super::Hit;
use crate::parse::fields::FieldOf;
use crate::rules::meta::{Confidence, Severity};

/// Methods whose `Result` is an I/O or database outcome that must not be dropped.
const FALLIBLE: &[&str] = &[
    "execute",
    "execute_many",
    "commit",
    "flush",
    "write_all",
    "save",
    "persist",
    "sync_all",
    "sync_data",
    "publish",
    "send",
    "write",
    "insert",
    "insert_one",
    "insert_many",
    "update",
    "update_one",
    "update_many",
    "delete",
    "delete_one",
    "delete_many",
    "upsert",
];

pub(super) fn rust_discard(decl: &Node<'_>, out: &mut Vec<Hit>) {
    if decl.field_of("pattern").is_none_or(|p| p.text() != "_") || rust_in_test(decl) {
        return;
    }
    let Some((call, method)) = decl.field_of("value").and_then(|v| fallible_call(&v)) else {
        return;
    };
    out.push(
        Hit::new(
            decl.range(),
            format!(
                "the `Result` of `{}` is discarded with `let _ =`; a failed {method} goes unnoticed",
                short(&call)
            ),
        )
        .confidence(Confidence::Medium),
    );
}

/// `tx.commit().await.ok();`: the error is turned into `None` and dropped.
pub(super) fn rust_ok_discard(stmt: &Node<'_>, out: &mut Vec<Hit>) {
    let Some(call) = stmt.children().find(|c| c.is_named()) else {
        return;
    };
    if call.kind() != "call_expression"
        || call.field_of("arguments").is_none_or(|a| a.text() != "()")
        || rust_in_test(stmt)
    {
        return;
    }
    let Some(func) = call
        .field_of("function")
        .filter(|f| f.kind() == "field_expression")
    else {
        return;
    };
    if func.field_of("field").is_none_or(|f| f.text() != "ok") {
        return;
    }
    let Some((inner, method)) = func.field_of("value").and_then(|v| fallible_call(&v)) else {
        return;
    };
    out.push(
        Hit::new(
            stmt.range(),
            format!(
                "`.ok()` throws away the error of `{}`; a failed {method} goes unnoticed",
                short(&inner)
            ),
        )
        .confidence(Confidence::Medium),
    );
}

/// A call (possibly awaited) whose `Result` reports an I/O or database
/// failure: (call text, method name).
fn fallible_call(value: &Node<'_>) -> Option<(String, String)> {
    let awaited = value.kind() == "await_expression";
    let call = if awaited {
        value.children().find(|c| c.is_named())?
    } else {
        value.clone()
    };
    if call.kind() != "call_expression" {
        return None;
    }
    let func = call.field_of("function")?;
    let (receiver, method) = match func.kind().as_ref() {
        "field_expression" => (
            func.field_of("value")
                .map(|v| v.text().to_string())
                .unwrap_or_default(),
            func.field_of("field")
                .map(|f| f.text().to_string())
                .unwrap_or_default(),
        ),
        "scoped_identifier" => (
            func.field_of("path")
                .map(|v| v.text().to_string())
                .unwrap_or_default(),
            func.field_of("name")
                .map(|f| f.text().to_string())
                .unwrap_or_default(),
        ),
        _ => return None,
    };
    if !FALLIBLE.contains(&method.as_str()) {
        return None;
    }
    let recv_last = receiver
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(&receiver)
        .to_ascii_lowercase();
    let channel = recv_last == "tx"
        || recv_last.ends_with("_tx")
        || recv_last.ends_with("sender")
        || recv_last.contains("chan")
        || recv_last.ends_with("_sink")
        || recv_last == "sink";
    let args_empty = call.field_of("arguments").is_none_or(|a| a.text() == "()");
    let weak = matches!(
        method.as_str(),
        "insert" | "update" | "delete" | "send" | "write"
    );
    if channel && method == "send" {
        return None;
    }
    // `map.insert(k, v)` returns an Option; only awaited or database-looking
    // receivers are clearly fallible.
    let db_like = [
        "db",
        "conn",
        "pool",
        "tx",
        "txn",
        "client",
        "collection",
        "repo",
        "store",
        "session",
        "table",
        "producer",
        "file",
        "stream",
        "socket",
        "writer",
    ]
    .iter()
    .any(|w| recv_last.contains(w));
    if weak && !awaited && !db_like {
        return None;
    }
    if method == "write" && args_empty {
        return None;
    }
    Some((call.text().to_string(), method))
}

fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 50 {
        format!("{}...", one.chars().take(47).collect::<String>())
    } else {
        one
    }
}

pub(super) fn rust_unwrap(call: &Node<'_>, out: &mut Vec<Hit>) {
    let Some(func) = call.field_of("function") else {
        return;
    };
    if func.kind() != "field_expression" {
        return;
    }
    let Some(field) = func.field_of("field") else {
        return;
    };
    let method = field.text();
    if method != "unwrap" && method != "expect" {
        return;
    }
    let Some(receiver) = func.field_of("value") else {
        return;
    };
    if infallible_receiver(&receiver)
        || method == "expect" && states_an_invariant(call)
        || in_static_init(call)
        || rust_in_test(call)
        || rust_in_main(call)
    {
        return;
    }
    let what = short(&receiver.text());
    let (message, confidence) = if method == "unwrap" {
        (
            format!(
                "`.unwrap()` on `{what}` panics the worker on an error instead of returning it"
            ),
            Confidence::Medium,
        )
    } else {
        (
            format!("`.expect()` on `{what}` panics on an error instead of returning it"),
            Confidence::Low,
        )
    };
    out.push(
        Hit::new(field.range().start..call.range().end, message)
            .severity(Severity::Low)
            .confidence(confidence),
    );
}

/// Receivers whose failure is a programming error, not a runtime one:
/// poisoned locks, literal regexes and literal parses.
fn infallible_receiver(receiver: &Node<'_>) -> bool {
    if receiver.kind() == "macro_invocation" {
        return true;
    }
    if receiver.kind() == "call_expression" {
        let args = receiver
            .field_of("arguments")
            .map(|a| a.text().to_string())
            .unwrap_or_default();
        let func = receiver
            .field_of("function")
            .map(|f| f.text().to_string())
            .unwrap_or_default();
        let method = func.rsplit(['.', ':']).next().unwrap_or("");
        if method.starts_with("checked_") {
            return true;
        }
        if args == "()"
            && matches!(
                method,
                "lock" | "read" | "write" | "try_lock" | "get_mut" | "into_inner"
            )
        {
            return true;
        }
        // A constructor given only literals and constants fails the same
        // way on every run: a test finds it, not a user.
        let call_args = receiver.call_args();
        let constant_args = !call_args.is_empty() && call_args.iter().all(constant);
        // `Version::parse("2025.1.1")`, `TimeDelta::try_days(31)`,
        // `NaiveDate::from_ymd_opt(2020, 1, 1)`: pure constructors.
        let assoc = func.rsplit_once("::").map_or("", |(_, f)| f);
        if constant_args
            && (func.ends_with("Regex::new")
                || assoc == "parse"
                || assoc.strip_prefix("try_").is_some_and(|unit| {
                    matches!(
                        unit,
                        "weeks" | "days" | "hours" | "minutes" | "seconds" | "milliseconds"
                    )
                })
                || assoc.starts_with("from_") && assoc.ends_with("_opt")
                || func.ends_with("::from_str")
                || func.ends_with("Url::parse")
                || func.ends_with("::from_static")
                || func.ends_with("::from_u16")
                || func.ends_with("::try_from")
                || func.contains("NonZero") && func.ends_with("::new")
                // `Params::new(15000, 2, 1, None)`: a constructor checking
                // constant settings.
                || assoc == "new")
        {
            return true;
        }
        if method == "parse" || method == "try_into" || method == "try_from" {
            if let Some(inner) = receiver
                .field_of("function")
                .and_then(|f| f.field_of("value"))
            {
                if constant(&inner) {
                    return true;
                }
            }
        }
        if method == "body" && constant_http_builder(receiver) {
            return true;
        }
        // `SystemTime::now().duration_since(UNIX_EPOCH)` fails only for a
        // clock set before 1970.
        if method == "duration_since" && args.trim_end_matches(')').ends_with("UNIX_EPOCH") {
            return true;
        }
    }
    false
}

/// `Response::builder().status(403).header(CONTENT_TYPE,
/// "application/json").body(body)`: an `http` builder fails only on an
/// invalid status or header, so one given only constants fails on every
/// run or never.
fn constant_http_builder(body_call: &Node<'_>) -> bool {
    let mut call = body_call.clone();
    for _ in 0..32 {
        let Some(func) = call.field_of("function") else {
            return false;
        };
        if func.kind() == "scoped_identifier" {
            let path = func.text();
            return call.call_args().is_empty()
                && ["Response::builder", "Request::builder"]
                    .iter()
                    .any(|b| path == *b || path.ends_with(&format!("::{b}")));
        }
        let (Some(method), Some(inner)) = (func.field_of("field"), func.field_of("value")) else {
            return false;
        };
        let args_constant = || call.call_args().iter().all(constant);
        match method.text().as_ref() {
            "body" if call.range() == body_call.range() => {}
            "status" | "header" | "version" | "method" | "uri" if args_constant() => {}
            _ => return false,
        }
        if inner.kind() != "call_expression" {
            return false;
        }
        call = inner;
    }
    false
}

/// A literal, or a name written as a constant (`KEY_SIZE`,
/// `Self::KEY_SIZE`, `limits::MAX_BODY`), or one made an owned string
/// (`"10s".to_string()`, `String::from("10s")`).
fn constant(node: &Node<'_>) -> bool {
    match node.kind().as_ref() {
        "string_literal" | "raw_string_literal" | "integer_literal" | "float_literal"
        | "boolean_literal" | "char_literal" => true,
        "identifier" | "scoped_identifier" => {
            let text = node.text();
            is_constant_name(&text) || text == "None"
        }
        "call_expression" => {
            let Some(func) = node.field_of("function") else {
                return false;
            };
            let args = node.call_args();
            match func.kind().as_ref() {
                "field_expression" => {
                    args.is_empty()
                        && func.field_of("field").is_some_and(|f| {
                            matches!(f.text().as_ref(), "to_string" | "to_owned" | "into")
                        })
                        && func.field_of("value").is_some_and(|v| constant(&v))
                }
                "scoped_identifier" => {
                    func.text().ends_with("String::from") && args.len() == 1 && constant(&args[0])
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `.expect("BUG: the extension was not added")`, `.expect("can never
/// fail")`: the message says the value cannot be an error, so a failure is
/// a bug found in testing, not an error to handle. `.expect("Error
/// connecting to Redis")` describes a failure that can happen, and stays
/// reported; so does the documentation's style of naming the precondition
/// (`.expect("DATABASE_URL should be set")`, `.expect("creating an index
/// should succeed")`), used as often for a database call that can fail.
fn states_an_invariant(call: &Node<'_>) -> bool {
    let Some(message) = call
        .field_of("arguments")
        .and_then(|a| a.named_children().next())
        .filter(|m| matches!(m.kind().as_ref(), "string_literal" | "raw_string_literal"))
    else {
        return false;
    };
    let text = message.text().to_ascii_lowercase();
    // Whole words: a "debug build" is not a bug.
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    [
        "bug",
        "never",
        "infallible",
        "invariant",
        "unreachable",
        "guaranteed",
    ]
    .iter()
    .any(|w| words.contains(w))
        || ["cannot fail", "can't fail", "can not fail"]
            .iter()
            .any(|p| text.contains(p))
}

fn in_static_init(node: &Node<'_>) -> bool {
    node.ancestors().any(|a| match a.kind().as_ref() {
        "static_item" | "const_item" => true,
        "macro_invocation" => a.field_of("macro").is_some_and(|m| {
            m.text().ends_with("lazy_static") || m.text().ends_with("thread_local")
        }),
        "call_expression" => a.field_of("function").is_some_and(|f| {
            let t = f.text();
            t.ends_with("Lazy::new") || t.ends_with("LazyLock::new") || t.ends_with("get_or_init")
        }),
        _ => false,
    })
}
