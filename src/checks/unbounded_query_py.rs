//! Python collection handlers for `unbounded-query`: which functions are
//! list endpoints (FastAPI/Flask GET routes on collection paths, DRF/Django
//! `list`/`get` methods, `list_*` views) and which reads in them return a
//! whole table (unfiltered ORM chains, PyMongo `find()`, `.to_list(None)`,
//! raw `SELECT` without `LIMIT`).

use super::limits_common::{py_kwarg, py_positional, N};
use super::unbounded_query::{hit, re, BOUNDED, SELECT, SQL_BOUNDED};
use super::Hit;
use crate::parse::fields::FieldOf;
use regex::Regex;
use std::sync::LazyLock;

static ORM_FILTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\.(filter|filter_by|where|exclude|get|limit|offset|slice|paginate|join\(.*\)\.filter)\(")
});
static CONSUMER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(get_object_or_404|get_list_or_404|Paginator|paginat|Prefetch|Subquery|Exists|Filter|filter|count|len|exists|any)",
    )
});
static VIEW_BASE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(APIView|ViewSet|\bView\b|ListView|MethodView|Resource)"));
static LIST_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(list_|get_all|all_|list$)|_list$|^(index|list)_"));

/// Is this function a collection handler? Returns its name.
pub(super) fn py_list_handler(def: &N<'_>, is_django: bool) -> Option<String> {
    let name = def.field_of("name")?.text().to_string();
    let decorators: Vec<N<'_>> = def
        .parent()
        .filter(|p| p.kind() == "decorated_definition")
        .map(|p| p.children().filter(|c| c.kind() == "decorator").collect())
        .unwrap_or_default();
    for d in &decorators {
        let Some(call) = d.children().find(|c| c.kind() == "call") else {
            continue;
        };
        let func = call
            .field_of("function")
            .map(|f| f.text().to_string())
            .unwrap_or_default();
        let attr = func.rsplit('.').next().unwrap_or("");
        let get = match attr {
            "get" => true,
            "route" | "api_route" => py_kwarg(&call, "methods")
                .is_none_or(|m| m.text().to_ascii_uppercase().contains("GET")),
            "api_view" => py_positional(&call)
                .first()
                .is_none_or(|m| m.text().to_ascii_uppercase().contains("GET")),
            _ => false,
        };
        if !get {
            continue;
        }
        let path = py_positional(&call)
            .into_iter()
            .find(|p| p.kind() == "string")
            .map(|p| p.text().to_string())
            .unwrap_or_default();
        let collection = !(path.contains('{') || path.contains('<'));
        return (collection || LIST_NAME.is_match(&name)).then_some(name);
    }
    if !is_django {
        return None;
    }
    // Methods of Django/DRF class-based views.
    if let Some(class) = def.ancestors().find(|a| a.kind() == "class_definition") {
        let bases = class
            .field_of("superclasses")
            .map(|s| s.text().to_string())
            .unwrap_or_default();
        let cname = class
            .field_of("name")
            .map(|n| n.text().to_string())
            .unwrap_or_default();
        let listy = name == "list" || (name == "get" && !cname.contains("Detail"));
        return (VIEW_BASE.is_match(&bases) && listy).then(|| format!("{cname}.{name}"));
    }
    // Django function views named like list views.
    let first = def
        .field_of("parameters")
        .and_then(|p| p.named_children().next())
        .map(|p| p.text().to_string());
    (first.as_deref() == Some("request") && LIST_NAME.is_match(&name)).then_some(name)
}

pub(super) fn py_handler_body(def: &N<'_>, handler: &str, out: &mut Vec<Hit>) {
    if BOUNDED.is_match(&def.text()) {
        return;
    }
    let Some(body) = def.field_of("body") else {
        return;
    };
    let body_text = body.text().to_string();
    for call in body.dfs().filter(|n| n.kind() == "call") {
        // Skip calls in nested functions: they are not this handler's.
        if call
            .ancestors()
            .take_while(|a| a.range() != def.range())
            .any(|a| a.kind() == "function_definition")
        {
            continue;
        }
        let Some(func) = call.field_of("function") else {
            continue;
        };
        let ftext = func.text().to_string();
        let attr = ftext.rsplit('.').next().unwrap_or("");
        // The top of a lazy ORM chain: `X.objects.all()`, `X.objects.order_by(...)`,
        // `session.query(M).all()`, `…scalars().all()`.
        let django_lazy = matches!(
            attr,
            "order_by"
                | "select_related"
                | "prefetch_related"
                | "values"
                | "values_list"
                | "only"
                | "defer"
                | "annotate"
                | "distinct"
                | "using"
        ) && ftext.contains(".objects.");
        let top = call.parent().is_none_or(|p| p.kind() != "attribute");
        if top
            && func.kind() == "attribute"
            && ((attr == "all" && py_positional(&call).is_empty()) || django_lazy)
        {
            let orm = django_lazy
                || [
                    ".objects",
                    ".query(",
                    ".query.",
                    "select(",
                    ".scalars(",
                    ".execute(",
                ]
                .iter()
                .any(|k| ftext.contains(k));
            let stmt_var = re_stmt_var(&ftext);
            if !orm || ORM_FILTER.is_match(&ftext) || (stmt_var && ORM_FILTER.is_match(&body_text))
            {
                continue;
            }
            if call.parent().is_some_and(|p| p.kind() == "subscript") {
                continue;
            }
            // Passed to something that filters or pages it.
            let consumer = call
                .parent()
                .filter(|p| p.kind() == "argument_list")
                .and_then(|p| p.parent())
                .and_then(|c| c.field_of("function"))
                .map(|f| f.text().to_string())
                .unwrap_or_default();
            if CONSUMER.is_match(&consumer) {
                continue;
            }
            // `qs = X.objects.annotate(...)` used only as `qs.count()`,
            // `qs.exists()`, `qs.first()`...: never materialised.
            if assigned_and_only_reduced(&call, &body_text) {
                continue;
            }
            let shown: String = ftext.lines().map(str::trim).collect();
            let shown = if shown.chars().count() > 60 {
                format!("{}…", shown.chars().take(57).collect::<String>())
            } else {
                shown
            };
            let parens = if attr == "all" { "()" } else { "(…)" };
            out.push(hit(&call, &format!("`{shown}{parens}`"), handler));
            continue;
        }
        // PyMongo / Motor: `db.users.find()` or `find({})` without `.limit(`.
        if attr == "find" && func.kind() == "attribute" {
            let receiver = func
                .field_of("object")
                .map(|o| o.text().to_ascii_lowercase())
                .unwrap_or_default();
            let args = py_positional(&call);
            let unfiltered = args
                .first()
                .is_none_or(|a| a.text().replace(char::is_whitespace, "") == "{}");
            let mongo = receiver.contains("db")
                || receiver.contains("collection")
                || receiver.contains("mongo");
            let mut top_call = call.clone();
            while let Some(p) = top_call.parent() {
                if matches!(p.kind().as_ref(), "attribute" | "call") {
                    top_call = p;
                } else {
                    break;
                }
            }
            if unfiltered
                && mongo
                && !top_call.text().contains(".limit(")
                && py_kwarg(&call, "limit").is_none()
            {
                out.push(hit(
                    &call,
                    &format!("`{}()`", ftext.lines().map(str::trim).collect::<String>()),
                    handler,
                ));
            }
            continue;
        }
        if attr == "to_list" {
            let arg = py_positional(&call)
                .first()
                .map(|a| a.text().to_string())
                .or_else(|| py_kwarg(&call, "length").map(|v| v.text().to_string()));
            if arg.as_deref() == Some("None") && !ftext.contains(".limit(") {
                out.push(hit(&call, "`.to_list(None)`", handler));
            }
            continue;
        }
        if matches!(
            attr,
            "execute"
                | "fetch"
                | "fetch_all"
                | "fetchall"
                | "raw"
                | "exec_driver_sql"
                | "query"
                | "all"
        ) {
            let Some(first) = py_positional(&call).into_iter().next() else {
                continue;
            };
            let sql = match first.kind().as_ref() {
                "string" | "concatenated_string" => Some(first.text().to_string()),
                "call"
                    if first
                        .field_of("function")
                        .is_some_and(|f| f.text().ends_with("text")) =>
                {
                    py_positional(&first).first().map(|s| s.text().to_string())
                }
                _ => None,
            };
            if let Some(sql) = sql {
                let sql = sql.trim_start_matches(['f', 'r', 'b', 'u', 'F', 'R', 'B', 'U']);
                let sql = sql.trim_matches(['"', '\'']);
                if SELECT.is_match(sql) && !SQL_BOUNDED.is_match(sql) {
                    out.push(hit(&call, "query `SELECT … FROM` without `LIMIT`", handler));
                }
            }
        }
    }
}

/// `session.execute(stmt)…`: the statement was built elsewhere in the body.
fn re_stmt_var(ftext: &str) -> bool {
    ftext.contains(".execute(") && !ftext.contains("select(")
}

/// Single-row or aggregate uses of a queryset variable.
static REDUCED_USE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*\.\s*(count|exists|aggregate|first|last|get|earliest|latest|filter|exclude|update|delete|in_bulk)\s*\(",
    )
});

/// Is `call` assigned to a plain name whose every later use in `body`
/// reduces it to a count, a flag or one row (or filters it)?
fn assigned_and_only_reduced(call: &N<'_>, body: &str) -> bool {
    let Some(assign) = call.parent().filter(|p| p.kind() == "assignment") else {
        return false;
    };
    let Some(name) = assign
        .field_of("left")
        .filter(|l| l.kind() == "identifier")
        .map(|l| l.text().to_string())
    else {
        return false;
    };
    let Ok(word) = Regex::new(&format!(r"\b{}\b", regex::escape(&name))) else {
        return false;
    };
    let mut uses = 0;
    for m in word.find_iter(body) {
        let after = &body[m.end()..];
        // The assignment itself: `name = ...` (not `==`).
        let trimmed = after.trim_start();
        if trimmed.starts_with('=') && !trimmed.starts_with("==") {
            continue;
        }
        uses += 1;
        if !REDUCED_USE.is_match(after) {
            return false;
        }
    }
    uses > 0
}
