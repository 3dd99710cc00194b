//! List endpoints that return a whole table. Django REST framework: list
//! views that set `pagination_class = None`, and a `REST_FRAMEWORK` settings
//! dict without `DEFAULT_PAGINATION_CLASS`. In collection handlers (FastAPI /
//! Flask GET routes whose path has no parameter, Django/DRF `list`/`get`
//! methods and `list_*` views; Express `router.get` on paths without `:id`):
//! unfiltered ORM reads with no limit (`Model.objects.all()`,
//! `session.query(M).all()`, `select(M)` … `.scalars().all()`,
//! `.to_list(None)`, Prisma `findMany()` without `take`, Mongoose/Sequelize/
//! TypeORM `find()`/`findAll()` without a limit) and raw `SELECT … FROM`
//! without `LIMIT` or `WHERE`. A handler that mentions pagination, a limit, a
//! page or a slice anywhere is left alone; filtered queries are left alone
//! too. Medium confidence: a small, fixed-size table is fine to return whole.

use super::limits_common::{
    js_args, js_obj_has, py_kwarg, py_positional, strip_quotes, KeyState, N,
};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use regex::Regex;
use std::sync::LazyLock;

pub struct UnboundedQuery;

impl Check for UnboundedQuery {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(tree) = file.code() else { return };
        let root = tree.root();
        match file.language {
            Language::Python => python(file, &root, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => js(file, &root, out),
            _ => {}
        }
    }
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("constant regex")
}

/// Anything in a handler that suggests the result is already bounded.
static BOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(paginat|\.limit\(|\blimit\b|\bpage(_?size)?\b|per_?page|\[\s*[\w.+\- ]*:\s*[\w.+\- ]*\]|\.slice\(|\btake\b|\boffset\b|\bskip\b|first\(|fetchone|fetchrow|fetchmany|yield_per|\bcursor=|\.stream\(|iterator\()",
    )
});
static SELECT: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)^\s*select\b.+\bfrom\b"));
static SQL_BOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(limit|top\s+\(?\d|fetch\s+(first|next)|where|exists|offset)\b|\b(count|sum|avg|max|min)\s*\(",
    )
});
static ORM_FILTER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\.(filter|filter_by|where|exclude|get|limit|offset|slice|paginate|join\(.*\)\.filter)\(")
});
static CONSUMER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(get_object_or_404|get_list_or_404|Paginator|paginat|Prefetch|Subquery|Exists|Filter|filter|count|len|exists|any)",
    )
});
static DJANGO_LIST_VIEW: LazyLock<Regex> = LazyLock::new(|| re(r"(^|[(,\s.])ListView\b"));
static JS_LIST_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(list[A-Z_]|getAll|get_all|all[A-Z]|findAll[A-Z]|index$)"));
static JS_HANDLER_PARAMS: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\(\s*(req|request|_req|ctx|c)\b"));
static LIST_BASE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(ListAPIView|ListCreateAPIView|ModelViewSet|ReadOnlyModelViewSet|ListModelMixin)")
});
static VIEW_BASE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(APIView|ViewSet|\bView\b|ListView|MethodView|Resource)"));
static LIST_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(list_|get_all|all_|list$)|_list$|^(index|list)_"));

fn hit(node: &N<'_>, what: &str, handler: &str) -> Hit {
    Hit::new(
        node.range(),
        format!("{what} in collection handler `{handler}` has no limit or pagination, so the response grows with the table until it times out or exhausts memory"),
    )
}

fn python(file: &ParsedFile, root: &N<'_>, out: &mut Vec<Hit>) {
    let is_django = file.text.contains("django") || file.text.contains("rest_framework");
    for node in root.dfs() {
        match node.kind().as_ref() {
            "class_definition" => drf_class(&node, out),
            "assignment" => rest_framework_settings(&node, out),
            "function_definition" => {
                if let Some(name) = py_list_handler(&node, is_django) {
                    py_handler_body(&node, &name, out);
                }
            }
            _ => {}
        }
    }
}

fn drf_class(class: &N<'_>, out: &mut Vec<Hit>) {
    let bases = class
        .field("superclasses")
        .map(|s| s.text().to_string())
        .unwrap_or_default();
    let django_list = DJANGO_LIST_VIEW.is_match(&bases);
    if !LIST_BASE.is_match(&bases) && !django_list {
        return;
    }
    let Some(body) = class.field("body") else {
        return;
    };
    let body_text = body.text();
    if body_text.contains("[:") {
        return;
    }
    let name = class
        .field("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    // Django's generic ListView renders every object unless `paginate_by` is set.
    if django_list {
        let has_source = ["model =", "queryset =", "def get_queryset"]
            .iter()
            .any(|k| body_text.contains(k));
        if has_source && !BOUNDED.is_match(&body_text) && !body_text.contains("paginate_by") {
            if let Some(n) = class.field("name") {
                out.push(Hit::new(
                    n.range(),
                    format!("list view `{name}` (Django `ListView`) sets no `paginate_by`, so every request renders the whole table"),
                ));
            }
        }
        return;
    }
    for stmt in body.children() {
        let Some(a) = stmt.children().find(|c| c.kind() == "assignment") else {
            continue;
        };
        let is_none = a
            .field("left")
            .is_some_and(|l| l.text() == "pagination_class")
            && a.field("right").is_some_and(|r| r.text() == "None");
        if is_none {
            out.push(Hit::new(
                a.range(),
                format!("list view `{name}` sets `pagination_class = None`, so every request serialises the whole queryset"),
            ));
        }
    }
}

fn rest_framework_settings(node: &N<'_>, out: &mut Vec<Hit>) {
    if node
        .field("left")
        .is_none_or(|l| l.text() != "REST_FRAMEWORK")
    {
        return;
    }
    let Some(dict) = node.field("right").filter(|r| r.kind() == "dictionary") else {
        return;
    };
    let keys: Vec<String> = dict
        .children()
        .filter(|c| c.kind() == "pair")
        .filter_map(|p| p.field("key").map(|k| strip_quotes(&k.text()).to_string()))
        .collect();
    if dict.children().any(|c| c.kind() == "dictionary_splat")
        || keys.iter().any(|k| k == "DEFAULT_PAGINATION_CLASS")
    {
        return;
    }
    let extra = if keys.iter().any(|k| k == "PAGE_SIZE") {
        " (`PAGE_SIZE` alone does nothing)"
    } else {
        ""
    };
    out.push(Hit::new(
        node.range(),
        format!("`REST_FRAMEWORK` sets no `DEFAULT_PAGINATION_CLASS`{extra}, so list endpoints without their own `pagination_class` return every row"),
    ));
}

/// Is this function a collection handler? Returns its name.
fn py_list_handler(def: &N<'_>, is_django: bool) -> Option<String> {
    let name = def.field("name")?.text().to_string();
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
            .field("function")
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
            .field("superclasses")
            .map(|s| s.text().to_string())
            .unwrap_or_default();
        let cname = class
            .field("name")
            .map(|n| n.text().to_string())
            .unwrap_or_default();
        let listy = name == "list" || (name == "get" && !cname.contains("Detail"));
        return (VIEW_BASE.is_match(&bases) && listy).then(|| format!("{cname}.{name}"));
    }
    // Django function views named like list views.
    let first = def
        .field("parameters")
        .and_then(|p| p.named_children().next())
        .map(|p| p.text().to_string());
    (first.as_deref() == Some("request") && LIST_NAME.is_match(&name)).then_some(name)
}

fn py_handler_body(def: &N<'_>, handler: &str, out: &mut Vec<Hit>) {
    if BOUNDED.is_match(&def.text()) {
        return;
    }
    let Some(body) = def.field("body") else {
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
        let Some(func) = call.field("function") else {
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
                .and_then(|c| c.field("function"))
                .map(|f| f.text().to_string())
                .unwrap_or_default();
            if CONSUMER.is_match(&consumer) {
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
                .field("object")
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
                        .field("function")
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

fn js(file: &ParsedFile, root: &N<'_>, out: &mut Vec<Hit>) {
    let prisma = file.text.contains("prisma");
    for call in root.dfs().filter(|n| n.kind() == "call_expression") {
        let Some(func) = call.field("function") else {
            continue;
        };
        if func.kind() != "member_expression"
            || func.field("property").is_none_or(|p| p.text() != "get")
        {
            continue;
        }
        let args = js_args(&call);
        let Some(path) = args
            .first()
            .filter(|a| matches!(a.kind().as_ref(), "string" | "template_string"))
        else {
            continue;
        };
        let path = strip_quotes(&path.text()).to_string();
        if !path.starts_with('/') || path.contains(':') || path.contains("${") {
            continue;
        }
        let Some(handler) = args.last().filter(|h| {
            matches!(
                h.kind().as_ref(),
                "arrow_function" | "function_expression" | "function"
            )
        }) else {
            continue;
        };
        if BOUNDED.is_match(&handler.text()) {
            continue;
        }
        let name = format!("GET {path}");
        for c in handler.dfs().filter(|n| n.kind() == "call_expression") {
            js_query(&c, prisma, &name, out);
        }
    }
    // Named controller functions: `export const listOrders = async (req, res) => ...`,
    // `async function getAllUsers(req, res) {...}`.
    for node in root.dfs() {
        let (name, func) = match node.kind().as_ref() {
            "function_declaration" => (node.field("name"), Some(node.clone())),
            "variable_declarator" => (
                node.field("name"),
                node.field("value").and_then(|v| {
                    // Unwrap `asyncHandler(async (req, res) => ...)`.
                    if v.kind() == "call_expression" {
                        js_args(&v).into_iter().find(|a| {
                            matches!(
                                a.kind().as_ref(),
                                "arrow_function" | "function_expression" | "function"
                            )
                        })
                    } else {
                        Some(v)
                    }
                }),
            ),
            _ => continue,
        };
        let (Some(name), Some(func)) = (name, func) else {
            continue;
        };
        let name = name.text().to_string();
        if !JS_LIST_NAME.is_match(&name)
            || !matches!(
                func.kind().as_ref(),
                "function_declaration" | "arrow_function" | "function_expression" | "function"
            )
        {
            continue;
        }
        let params = func
            .field("parameters")
            .map(|p| p.text().to_string())
            .unwrap_or_default();
        if !JS_HANDLER_PARAMS.is_match(&params) || BOUNDED.is_match(&func.text()) {
            continue;
        }
        for c in func.dfs().filter(|n| n.kind() == "call_expression") {
            js_query(&c, prisma, &name, out);
        }
    }
}

fn js_query(call: &N<'_>, prisma: bool, handler: &str, out: &mut Vec<Hit>) {
    let Some(func) = call.field("function") else {
        return;
    };
    if func.kind() != "member_expression" {
        return;
    }
    let method = func
        .field("property")
        .map(|p| p.text().to_string())
        .unwrap_or_default();
    let args = js_args(call);
    // The whole method chain this call starts: Model.find().sort().lean()
    let mut top = call.clone();
    while let Some(p) = top.parent() {
        if matches!(p.kind().as_ref(), "member_expression" | "call_expression") {
            top = p;
        } else {
            break;
        }
    }
    let chain = top.text();
    let options_ok = |keys: &[&str]| match args.first() {
        None => false,
        Some(o) if o.kind() == "object" => js_obj_has(o, keys) != KeyState::Absent,
        Some(_) => true,
    };
    let shown = func.text().lines().map(str::trim).collect::<String>();
    match method.as_str() {
        "findMany" if prisma && !options_ok(&["take", "where", "cursor"]) => {
            out.push(hit(call, &format!("`{shown}()` without `take`"), handler));
        }
        "find" | "findAll" => {
            let obj_ok = match args.first() {
                None => false,
                Some(o) if o.kind() == "object" => {
                    let has_keys = o.children().any(|c| {
                        matches!(
                            c.kind().as_ref(),
                            "pair" | "shorthand_property_identifier" | "spread_element"
                        )
                    });
                    // Options-style objects (TypeORM/Sequelize) bound only with where/limit/take.
                    let options_only = o.children().filter(|c| c.kind() == "pair").all(|p| {
                        p.field("key").is_some_and(|k| {
                            matches!(
                                strip_quotes(&k.text()),
                                "order"
                                    | "relations"
                                    | "select"
                                    | "sort"
                                    | "include"
                                    | "attributes"
                                    | "raw"
                            )
                        })
                    });
                    has_keys && !options_only
                }
                Some(_) => true,
            };
            let receiver_model = func.field("object").is_some_and(|o| {
                o.text()
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_uppercase())
                    || o.text().to_ascii_lowercase().contains("repo")
            });
            if !obj_ok && receiver_model && !chain.contains(".limit(") {
                out.push(hit(call, &format!("`{shown}()`"), handler));
            }
        }
        "query" | "execute" | "all" | "many" | "any" => {
            let Some(first) = args.first() else { return };
            if !matches!(first.kind().as_ref(), "string" | "template_string") {
                return;
            }
            let sql = strip_quotes(&first.text()).to_string();
            if SELECT.is_match(&sql) && !SQL_BOUNDED.is_match(&sql) {
                out.push(hit(call, "query `SELECT … FROM` without `LIMIT`", handler));
            }
        }
        _ => {}
    }
}
