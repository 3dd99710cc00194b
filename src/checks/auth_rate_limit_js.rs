//! JavaScript/TypeScript half of `auth-rate-limit`: Express/Fastify/Koa
//! style `router.post(path, ...)` and `router.route(path).post(...)` and
//! Next.js `route.ts` `POST` handlers (NestJS handlers are in
//! `auth_rate_limit_nest`). Calls on HTTP clients
//! (`axios.post("/login", body)`) are not routes.

use super::auth_rate_limit::{is_auth_path, purpose, re, updates_allowed, BODY_LIMIT, LIMIT_WORD};
use super::limits_common::{js_args, strip_quotes, N};
use super::Hit;
use crate::facts::{FactKind, Unless};
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

static HTTP_CLIENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(axios|^https?$|client|request|agent|supertest|^got$|^ky$|fetch|\$http|httpService|instance)",
    )
});
static LOOSE_LIMIT: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(limit|throttl|brute|slow_?down)"));

/// A middleware argument that is a rate limiter: a name such as
/// `loginLimit`/`authLimiter`/`bruteforce.prevent`, or a call or object whose
/// text says rate limit / limiter / throttle (not a body parser's `limit`).
fn is_limiter_arg(a: &N<'_>) -> bool {
    match a.kind().as_ref() {
        "identifier" | "member_expression" => LOOSE_LIMIT.is_match(&a.text()),
        "array" => a.children().any(|c| match c.kind().as_ref() {
            "identifier" | "member_expression" => LOOSE_LIMIT.is_match(&c.text()),
            _ => c.is_named() && LIMIT_WORD.is_match(&c.text()),
        }),
        _ => LIMIT_WORD.is_match(&a.text()),
    }
}

/// `app.use(limiter)`, `app.use('/v1/auth', authLimiter)`: a limiter mounted
/// on the application itself (`app`, `server`, `application`; a router's
/// `use` covers only that router), for every path or for a mount path that
/// can hold auth routes (`/`, `/api/v1`, `/v1/auth`, `/users`, an auth
/// path; not `/search`).
/// A fact for the whole package (`crate::facts`), as the routes it covers
/// usually live in other files.
pub fn app_wide_limiter(call: &N<'_>) -> bool {
    let Some(f) = call
        .field_of("function")
        .filter(|f| f.kind() == "member_expression")
    else {
        return false;
    };
    let app = f.field_of("object").is_some_and(|o| {
        o.kind() == "identifier" && matches!(o.text().as_ref(), "app" | "server" | "application")
    });
    if !app || f.field_of("property").is_none_or(|p| p.text() != "use") {
        return false;
    }
    let args = js_args(call);
    let mount_ok = match args.first() {
        Some(a) if matches!(a.kind().as_ref(), "string" | "template_string") => {
            let path = strip_quotes(&a.text()).to_string();
            let prefix = path.split('/').filter(|s| !s.is_empty()).all(|s| {
                matches!(
                    s.to_ascii_lowercase().as_str(),
                    "api"
                        | "auth"
                        | "authentication"
                        | "account"
                        | "accounts"
                        | "session"
                        | "sessions"
                        | "identity"
                        | "oauth"
                        | "user"
                        | "users"
                ) || s
                    .strip_prefix('v')
                    .is_some_and(|n| n.parse::<u32>().is_ok())
            });
            prefix || is_auth_path(&path)
        }
        _ => true,
    };
    mount_ok
        && args.iter().any(|a| {
            !matches!(a.kind().as_ref(), "string" | "template_string") && is_limiter_arg(a)
        })
}

/// What a global limiter registered elsewhere in the package says about an
/// Express-style route without one of its own.
const APP_WIDE_LIMITER: Unless = Unless {
    kind: FactKind::GlobalRateLimit,
    detail: std::borrow::Cow::Borrowed(crate::facts::code::EXPRESS),
};

pub(super) fn js(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    // App-wide: app.use(rateLimit(...)), fastify.register(rateLimit, ...).
    let global = nodes.of_kind("call_expression").any(|n| {
        n.field_of("function").is_some_and(|f| {
            f.kind() == "member_expression"
                && f.field_of("property")
                    .is_some_and(|p| matches!(p.text().as_ref(), "use" | "register"))
        }) && js_args(&n)
            .iter()
            .any(|a| a.kind() != "string" && is_limiter_arg(a))
    });
    if global {
        return;
    }
    // Next.js route handlers: app/api/login/route.ts exporting POST.
    let path = file.rel_path.to_ascii_lowercase();
    if (path.ends_with("/route.ts") || path.ends_with("/route.js"))
        && is_auth_path(&path.replace("/route.", "/x."))
        && !BODY_LIMIT.is_match(text)
    {
        if let Some(f) = post_handler(nodes) {
            let (what, sev) = purpose(&path);
            out.push(
                Hit::new(
                    f.range(),
                    format!(
                        "route handler `POST` in `{}` has no rate limiter, so {what}",
                        file.rel_path
                    ),
                )
                .severity(sev)
                .confidence(Confidence::Medium),
            );
        }
    }
    for node in nodes.of_kinds(&["call_expression", "method_definition"]) {
        match node.kind().as_ref() {
            "call_expression" => js_route_call(&node, out),
            "method_definition" => super::auth_rate_limit_nest::nest_method(&node, out),
            _ => {}
        }
    }
}

/// A Next.js `POST` handler: `export async function POST(req)` or
/// `export const POST = async (req) => ...` (a function, not a wrapper
/// call such as `withRateLimit(handler)`, nor a re-export).
fn post_handler<'r>(nodes: &NodeIndex<'r>) -> Option<N<'r>> {
    let named_post = |n: &N<'_>| n.field_of("name").is_some_and(|x| x.text() == "POST");
    nodes
        .of_kind("function_declaration")
        .find(named_post)
        .or_else(|| {
            nodes.of_kind("variable_declarator").find(|d| {
                named_post(d)
                    && d.field_of("value").is_some_and(|v| {
                        matches!(
                            v.kind().as_ref(),
                            "arrow_function" | "function_expression" | "function"
                        )
                    })
                    && d.parent().is_some_and(|decl| {
                        decl.kind() == "lexical_declaration"
                            && decl
                                .parent()
                                .is_some_and(|e| e.kind() == "export_statement")
                    })
            })
        })
}

/// Is the call's result used: returned, awaited, assigned, passed on or
/// `.then`-ed, the body of an arrow function? An HTTP client's
/// `API.post('/auth/mfa', payload)` is; a
/// route registration (`router.post(path, handler)`) is a statement, or a
/// link of a `.route(path).get(..).post(..)` chain.
fn result_is_used(call: &N<'_>) -> bool {
    let Some(parent) = call.parent() else {
        return false;
    };
    match parent.kind().as_ref() {
        "return_statement"
        | "await_expression"
        | "variable_declarator"
        | "assignment_expression"
        | "arguments"
        | "yield_expression" => true,
        // `(data) => api.post("/v1/auth/login", data)`: returned.
        "arrow_function" => parent
            .field_of("body")
            .is_some_and(|b| b.node_id() == call.node_id()),
        "member_expression" => parent
            .field_of("property")
            .is_some_and(|p| matches!(p.text().as_ref(), "then" | "catch" | "finally")),
        _ => false,
    }
}

fn js_route_call(call: &N<'_>, out: &mut Vec<Hit>) {
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
    if !matches!(method.as_str(), "post" | "put" | "patch" | "all") {
        return;
    }
    // HTTP clients (`axios.post('/login', body)`) are not routes.
    let receiver = func
        .field_of("object")
        .filter(|o| matches!(o.kind().as_ref(), "identifier" | "member_expression"))
        .map(|o| o.text().to_string())
        .unwrap_or_default();
    if HTTP_CLIENT.is_match(&receiver) {
        return;
    }
    let last_is_data = js_args(call).last().is_some_and(|a| {
        matches!(
            a.kind().as_ref(),
            "object" | "string" | "template_string" | "number"
        ) && !LIMIT_WORD.is_match(&a.text())
    });
    if last_is_data || result_is_used(call) {
        return;
    }
    let args = js_args(call);
    let (path, handlers, start): (String, &[N<'_>], usize) = match args.first() {
        Some(a) if matches!(a.kind().as_ref(), "string" | "template_string") => (
            strip_quotes(&a.text()).to_string(),
            &args[1..],
            call.range().start,
        ),
        _ => {
            // router.route('/login').post(handler), possibly after .get(...)
            let mut obj = func.field_of("object");
            let mut found = None;
            while let Some(o) = obj {
                if o.kind() != "call_expression" {
                    break;
                }
                let f = o.field_of("function");
                if f.as_ref()
                    .and_then(|f| f.field_of("property"))
                    .is_some_and(|p| p.text() == "route")
                {
                    found = js_args(&o)
                        .first()
                        .map(|a| (strip_quotes(&a.text()).to_string(), a.range().start));
                    break;
                }
                obj = f.and_then(|f| f.field_of("object"));
            }
            match found {
                Some((p, start)) => (p, &args[..], start),
                None => return,
            }
        }
    };
    if handlers.is_empty() || !is_auth_path(&path) {
        return;
    }
    let Some((last, middle)) = handlers.split_last() else {
        return;
    };
    let limited = middle.iter().any(is_limiter_arg) || BODY_LIMIT.is_match(&last.text());
    if limited {
        return;
    }
    let (what, sev) = purpose(&path);
    if !updates_allowed(&method, what) {
        return;
    }
    out.push(
        Hit::new(
            start..call.range().end,
            format!(
                "auth route `{} {path}` has no rate-limit middleware, so {what}",
                method.to_ascii_uppercase()
            ),
        )
        .severity(sev)
        .unless(APP_WIDE_LIMITER),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_wide_limiters() {
        use ast_grep_core::tree_sitter::LanguageExt;
        use ast_grep_language::SupportLang;
        let wide = |code: &str| {
            let tree = SupportLang::JavaScript.ast_grep(code);
            let found = tree
                .root()
                .dfs()
                .filter(|n| n.kind() == "call_expression")
                .any(|n| app_wide_limiter(&n));
            found
        };
        assert!(wide("app.use(limiter);"));
        assert!(wide("app.use('/v1/auth', authLimiter);"));
        assert!(wide(
            "app.use('/api/v2', rateLimit({ windowMs: 60000, limit: 100 }));"
        ));
        assert!(!wide("app.use('/search', searchLimiter);"));
        assert!(!wide("router.use(authLimiter);"));
        assert!(!wide("app.use(express.json({ limit: '1mb' }));"));
        assert!(!wide("app.use('/v1/auth', authRoutes);"));
    }
}
