//! JavaScript/TypeScript half of `unbounded-query`: Express `router.get`
//! handlers on collection paths, Next.js app-router `GET` handlers in a
//! collection's `route.ts`, NestJS `@Get()` methods on collection routes,
//! and controller functions named `listX` /
//! `getAllX`, reading a whole table through Prisma `findMany()`,
//! Mongoose/Sequelize/TypeORM `find()`/`findAll()` or raw `SELECT`.

use super::limits_common::{js_args, js_obj_get, js_obj_has, strip_quotes, KeyState, N};
use super::nest;
use super::unbounded_query::{hit, re, BOUNDED, SELECT, SQL_BOUNDED};
use super::Hit;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use regex::Regex;
use std::sync::LazyLock;

static KNEX_START: LazyLock<Regex> = LazyLock::new(|| re(r"^(knex|db|trx|database)\s*[(.]"));
static KNEX_BOUNDED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\.(where\w*|limit|first|paginate|count\w*|pluck|max|min|sum|avg|insert|update|del|delete)\(",
    )
});
static JS_LIST_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(list[A-Z_]|getAll|get_all|all[A-Z]|findAll[A-Z]|index$)"));
static JS_HANDLER_PARAMS: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\(\s*(req|request|_req|ctx|c)\b"));

pub(super) fn js(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    // `PrismaClient`, `PrismaService`, `@prisma/client`, `this.prisma`.
    let prisma = file.text.to_ascii_lowercase().contains("prisma");
    for call in nodes.of_kind("call_expression") {
        let Some(func) = call.field_of("function") else {
            continue;
        };
        if func.kind() != "member_expression"
            || func.field_of("property").is_none_or(|p| p.text() != "get")
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
        for c in nodes.of_kind_in(handler, "call_expression") {
            js_query(&c, prisma, &name, out);
        }
    }
    if let Some(path) = next_collection_route(&file.rel_path) {
        let name = format!("GET {path}");
        for func in next_get_handlers(nodes) {
            if BOUNDED.is_match(&func.text()) {
                continue;
            }
            for c in nodes.of_kind_in(&func, "call_expression") {
                js_query(&c, prisma, &name, out);
            }
        }
    }
    for (name, method) in nest_list_handlers(nodes) {
        if BOUNDED.is_match(&method.text()) {
            continue;
        }
        for c in nodes.of_kind_in(&method, "call_expression") {
            js_query(&c, prisma, &name, out);
        }
    }
    // Named controller functions: `export const listOrders = async (req, res) => ...`,
    // `async function getAllUsers(req, res) {...}`.
    for node in nodes.of_kinds(&["function_declaration", "variable_declarator"]) {
        let (name, func) = match node.kind().as_ref() {
            "function_declaration" => (node.field_of("name"), Some(node.clone())),
            "variable_declarator" => (
                node.field_of("name"),
                node.field_of("value").and_then(|v| {
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
            .field_of("parameters")
            .map(|p| p.text().to_string())
            .unwrap_or_default();
        if !JS_HANDLER_PARAMS.is_match(&params) || BOUNDED.is_match(&func.text()) {
            continue;
        }
        for c in nodes.of_kind_in(&func, "call_expression") {
            js_query(&c, prisma, &name, out);
        }
    }
}

fn js_query(call: &N<'_>, prisma: bool, handler: &str, out: &mut Vec<Hit>) {
    let Some(func) = call.field_of("function") else {
        return;
    };
    if func.kind() != "member_expression" {
        return;
    }
    let method = func
        .field_of("property")
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
    // knex: `knex('orders').select('*')`, `db.select().from('orders')`.
    let top_of_chain = call
        .parent()
        .is_none_or(|p| p.kind() != "member_expression");
    if top_of_chain
        && KNEX_START.is_match(&chain)
        && chain.contains(".select(")
        && !KNEX_BOUNDED.is_match(&chain)
    {
        out.push(hit(call, "knex `select`", handler));
        return;
    }
    match method.as_str() {
        "findMany"
            if (prisma || model_delegate(&func)) && !options_ok(&["take", "where", "cursor"]) =>
        {
            // Drizzle's relational API: db.query.users.findMany({ limit })
            let drizzle = !prisma
                && func
                    .field_of("object")
                    .and_then(|o| o.field_of("object"))
                    .is_some_and(|c| c.text() == "query" || c.text().ends_with(".query"));
            let bound = if drizzle { "limit" } else { "take" };
            out.push(hit(
                call,
                &format!("`{shown}()` without `{bound}`"),
                handler,
            ));
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
                        p.field_of("key").is_some_and(|k| {
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
            let receiver_model = func.field_of("object").is_some_and(|o| {
                o.text()
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_uppercase())
                    || o.text().to_ascii_lowercase().contains("repo")
                    || o.text().contains("collection(")
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

/// The URL path of a Next.js app-router route file that serves a
/// collection: `app/api/posts/route.ts` is `/api/posts`. Route groups
/// (`(admin)`) add no segment; a file whose last segment is dynamic
/// (`[id]`, `[...slug]`) serves one item, and one under a private folder
/// (`_lib`) or outside `app/` serves nothing.
fn next_collection_route(rel: &str) -> Option<String> {
    let (dir, file) = rel.rsplit_once('/')?;
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if stem != "route" {
        return None;
    }
    let parts: Vec<&str> = dir.split('/').collect();
    let app = parts.iter().rposition(|p| *p == "app")?;
    let segments: Vec<&str> = parts[app + 1..]
        .iter()
        .copied()
        .filter(|p| !(p.starts_with('(') && p.ends_with(')')))
        .collect();
    if segments.iter().any(|p| p.starts_with('_')) {
        return None;
    }
    match segments.last() {
        Some(last) if !last.starts_with('[') => Some(format!("/{}", segments.join("/"))),
        _ => None,
    }
}

/// `export async function GET(..) {..}` and `export const GET = async (..) =>
/// ..`: the route's GET handler. A wrapped handler (`export const GET =
/// withAuth(handler)`) is left alone: the wrapper may page or cap.
fn next_get_handlers<'t>(nodes: &NodeIndex<'t>) -> Vec<N<'t>> {
    let exported = |n: &N<'_>| {
        n.ancestors()
            .take(2)
            .any(|a| a.kind() == "export_statement")
    };
    let named_get = |n: &N<'_>| n.field_of("name").is_some_and(|name| name.text() == "GET");
    let mut out = Vec::new();
    for node in nodes.of_kinds(&["function_declaration", "variable_declarator"]) {
        if !named_get(&node) || !exported(&node) {
            continue;
        }
        let func = match node.kind().as_ref() {
            "function_declaration" => Some(node.clone()),
            _ => node.field_of("value").filter(|v| {
                matches!(
                    v.kind().as_ref(),
                    "arrow_function" | "function_expression" | "function"
                )
            }),
        };
        out.extend(func);
    }
    out
}

/// NestJS `@Get()` methods of a `@Controller()` class whose route is a
/// collection (no `:param` in the controller's or the method's path), named
/// `GET /orders` when the paths are literal. Most controllers hand the
/// query to a service, which this cannot follow: only queries written in
/// the method itself are judged.
fn nest_list_handlers<'t>(nodes: &NodeIndex<'t>) -> Vec<(String, N<'t>)> {
    let mut out = Vec::new();
    for method in nodes.of_kind("method_definition") {
        let decos = nest::method_decorators(&method);
        let Some((paths, named)) = decos.iter().find_map(|d| nest::route_paths(d, &["Get"])) else {
            continue;
        };
        let Some(class) = nest::class_of(&method) else {
            continue;
        };
        let Some(base) = nest::class_decorators(&class).iter().find_map(|d| {
            let (name, args) = nest::deco_call(d)?;
            // `@Controller()`, `@Controller("orders")`, `@Controller({ path: "orders" })`;
            // `None` inside for a path we cannot read.
            (name == "Controller").then(|| match args.first() {
                None => Some(String::new()),
                Some(a) if a.kind() == "object" => {
                    js_obj_get(a, "path").and_then(|v| nest::literal(&v))
                }
                Some(a) => nest::literal(a),
            })
        }) else {
            continue;
        };
        // `@Get(ROUTE)`: a path we cannot read.
        if named && paths.is_empty() {
            continue;
        }
        let join = |p: &str| {
            [base.as_deref().unwrap_or(""), p]
                .iter()
                .map(|s| s.trim_matches('/'))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("/")
        };
        let routes: Vec<String> = if paths.is_empty() {
            vec![join("")]
        } else {
            paths.iter().map(|p| join(p)).collect()
        };
        let Some(route) = routes.iter().find(|r| !r.contains(':') && !r.contains('*')) else {
            continue;
        };
        let shown = match base {
            Some(_) => format!("GET /{route}"),
            None => method
                .field_of("name")
                .map_or_else(|| "GET".to_string(), |n| format!("GET {}", n.text())),
        };
        out.push((shown, method));
    }
    out
}

/// `client.model.findMany`: a Prisma model delegate (`db.user`,
/// `ctx.db.post`, `this.store.order`) or Drizzle's `db.query.users`, even
/// when the file never names Prisma (a client generated into the project
/// or imported as `db`). `this.repository.findMany` and
/// `service.findMany` are the project's own methods, which may page.
fn model_delegate(func: &N<'_>) -> bool {
    let Some(model) = func.field_of("object") else {
        return false;
    };
    model.kind() == "member_expression"
        && model.field_of("property").is_some_and(|p| {
            p.text()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
        })
        && model
            .field_of("object")
            .is_some_and(|c| c.kind() != "this" && c.text() != "this")
}

#[cfg(test)]
mod tests {
    use super::next_collection_route;

    #[test]
    fn next_route_paths() {
        let path = next_collection_route;
        assert_eq!(
            path("app/api/posts/route.ts").as_deref(),
            Some("/api/posts")
        );
        assert_eq!(
            path("src/app/(admin)/api/users/[id]/orders/route.js").as_deref(),
            Some("/api/users/[id]/orders")
        );
        assert_eq!(path("app/api/posts/[postId]/route.ts"), None);
        assert_eq!(path("app/api/[...slug]/route.ts"), None);
        assert_eq!(path("app/_lib/items/route.ts"), None);
        assert_eq!(path("app/route.ts"), None);
        assert_eq!(path("src/routes/posts.ts"), None);
        assert_eq!(path("app/api/posts/page.tsx"), None);
    }
}
