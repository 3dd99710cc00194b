//! Facts from code trees: imported libraries, health routes, graceful
//! shutdown, typed settings and framework configuration written in code.

use super::libraries::{capabilities_of, normalize, Capability};
use super::{FactKind, FactSink};
use crate::checks::limits_common::js_obj_get;
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use regex::Regex;
use std::sync::OnceLock;

fn is_health_path(path: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^/?(api/)?(v\d+/)?(_?health|healthz|healthcheck|health-check|ready|readyz|readiness|live|livez|liveness|ping)/?$").ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(path))
}

fn unquote(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '\'' || c == '`')
}

fn add_library(sink: &mut FactSink<'_>, name: &str, line: u32) {
    let norm = normalize(name);
    if norm.is_empty() || norm.starts_with('.') {
        return;
    }
    for cap in capabilities_of(&norm) {
        let kind = if cap == Capability::WebFramework {
            FactKind::WebFramework
        } else {
            FactKind::Capability
        };
        let detail = if cap == Capability::WebFramework {
            norm.clone()
        } else {
            cap.as_str().to_string()
        };
        sink.add(kind, detail, line);
    }
    sink.add(FactKind::UsesLibrary, norm, line);
}

/// The detail of a NestJS global rate-limit fact.
pub const NEST: &str = "nestjs";
/// The detail of an Express-style app-wide limiter fact.
pub const EXPRESS: &str = "express";

/// Does `node` name a throttler guard class (`ThrottlerGuard`,
/// `GqlThrottlerGuard`, `ThrottlerBehindProxyGuard`)?
fn is_throttler_guard(node: &crate::parse::nodes::CodeNode<'_>) -> bool {
    let text = node.text();
    text.contains("Throttler") && text.contains("Guard")
}

pub fn extract(sink: &mut FactSink<'_>) {
    let file = sink.file;
    let Some(nodes) = file.nodes() else { return };
    let lang = file.language;
    for node in nodes.of_kinds(&[
        "import_statement",
        "import_from_statement",
        "class_definition",
        "string",
        "identifier",
        "attribute",
        "call_expression",
        "decorator",
        "use_declaration",
        "field_identifier",
        "attribute_item",
        "pair",
    ]) {
        let kind = node.kind();
        let line = sink.line_of(node.range().start);
        match (lang, kind.as_ref()) {
            (Language::Python, "import_statement" | "import_from_statement") => {
                let names: Vec<String> = if kind == "import_from_statement" {
                    node.field_of("module_name")
                        .map(|m| m.text().to_string())
                        .into_iter()
                        .collect()
                } else {
                    node.field_children("name")
                        .map(|n| n.field_of("name").unwrap_or(n).text().to_string())
                        .collect()
                };
                for name in names {
                    add_library(sink, &name, line);
                }
            }
            (Language::Python, "class_definition") => {
                let supers = node
                    .field_of("superclasses")
                    .map(|s| s.text().to_string())
                    .unwrap_or_default();
                if supers.contains("BaseSettings") {
                    sink.add(FactKind::TypedSettings, "pydantic BaseSettings", line);
                }
            }
            (Language::Python, "string") => {
                let text = node.text();
                let inner = unquote(&text);
                if inner.contains("pythonjsonlogger") || inner.contains("structlog.stdlib") {
                    sink.add(
                        FactKind::Capability,
                        Capability::StructuredLogging.as_str(),
                        line,
                    );
                }
                if inner == "django.middleware.security.SecurityMiddleware" {
                    sink.add(
                        FactKind::Capability,
                        Capability::SecurityHeaders.as_str(),
                        line,
                    );
                }
                if inner == "DEFAULT_THROTTLE_CLASSES" {
                    sink.add(
                        FactKind::Capability,
                        Capability::RateLimiting.as_str(),
                        line,
                    );
                }
                if is_health_path(inner) && is_route_argument(&node) {
                    sink.add(FactKind::HealthEndpoint, inner, line);
                }
            }
            (Language::Python, "identifier" | "attribute") => {
                let text = node.text();
                if text == "SIGTERM" || text == "timeout_graceful_shutdown" {
                    sink.add(FactKind::GracefulShutdown, text.to_string(), line);
                }
            }
            (Language::JavaScript | Language::TypeScript | Language::Tsx, "import_statement") => {
                if let Some(src) = node.field_of("source") {
                    add_library(sink, unquote(&src.text()), line);
                }
            }
            (Language::JavaScript | Language::TypeScript | Language::Tsx, "call_expression") => {
                let callee = node
                    .field_of("function")
                    .map(|f| f.text().to_string())
                    .unwrap_or_default();
                let first_arg = node
                    .field_of("arguments")
                    .and_then(|a| a.children().find(|c| c.is_named()))
                    .map(|a| a.text().to_string());
                if let Some(arg) = first_arg {
                    let arg = unquote(&arg).to_string();
                    if callee == "require" || callee == "import" {
                        add_library(sink, &arg, line);
                    } else if callee == "process.on" && (arg == "SIGTERM" || arg == "SIGINT") {
                        sink.add(
                            FactKind::GracefulShutdown,
                            format!("process.on('{arg}')"),
                            line,
                        );
                    } else if is_js_route_call(&callee) && is_health_path(&arg) {
                        sink.add(FactKind::HealthEndpoint, arg, line);
                    }
                }
                if crate::checks::auth_rate_limit_js::app_wide_limiter(&node) {
                    sink.add(FactKind::GlobalRateLimit, EXPRESS, line);
                }
                // `app.useGlobalGuards(new ThrottlerGuard(...))`
                if callee.ends_with("useGlobalGuards") && is_throttler_guard(&node) {
                    sink.add(FactKind::GlobalRateLimit, NEST, line);
                }
                if callee.ends_with("enableShutdownHooks") {
                    sink.add(FactKind::GracefulShutdown, "enableShutdownHooks", line);
                }
                if callee.ends_with("format.json") {
                    sink.add(
                        FactKind::Capability,
                        Capability::StructuredLogging.as_str(),
                        line,
                    );
                }
            }
            // `{ provide: APP_GUARD, useClass: ThrottlerGuard }` (or a
            // subclass named for it: `CustomThrottlerGuard`).
            (Language::JavaScript | Language::TypeScript | Language::Tsx, "pair")
                if node.field_of("key").is_some_and(|k| k.text() == "provide")
                    && node
                        .field_of("value")
                        .is_some_and(|v| v.text() == "APP_GUARD") =>
            {
                let guard = node.parent().is_some_and(|object| {
                    ["useClass", "useExisting"]
                        .iter()
                        .filter_map(|key| js_obj_get(&object, key))
                        .any(|class| is_throttler_guard(&class))
                });
                if guard {
                    sink.add(FactKind::GlobalRateLimit, NEST, line);
                }
            }
            (
                Language::JavaScript | Language::TypeScript | Language::Tsx,
                "property_identifier",
            ) if node.text() == "coverageThreshold" => {
                sink.add(FactKind::CoverageThreshold, "jest coverageThreshold", line);
            }
            (Language::JavaScript | Language::TypeScript | Language::Tsx, "decorator") => {
                let text = node.text();
                if let Some(path) = text.split(['\'', '"']).nth(1) {
                    if is_health_path(path)
                        && (text.contains("Get(") || text.contains("Controller("))
                    {
                        sink.add(FactKind::HealthEndpoint, path.to_string(), line);
                    }
                }
            }
            (Language::Rust, "use_declaration") => {
                let text = node.text();
                let path = text
                    .trim_start_matches("pub ")
                    .trim_start_matches("use ")
                    .trim();
                let krate = path
                    .split("::")
                    .next()
                    .unwrap_or("")
                    .trim_start_matches(':');
                if !matches!(
                    krate,
                    "crate" | "self" | "super" | "std" | "core" | "alloc" | ""
                ) {
                    add_library(sink, krate, line);
                }
            }
            (Language::Rust, "field_identifier" | "identifier") => {
                let text = node.text();
                match text.as_ref() {
                    "with_graceful_shutdown" | "shutdown_timeout" | "ctrl_c" => {
                        sink.add(FactKind::GracefulShutdown, text.to_string(), line);
                    }
                    "json" if file.text.contains("tracing_subscriber") => {
                        sink.add(
                            FactKind::Capability,
                            Capability::StructuredLogging.as_str(),
                            line,
                        );
                    }
                    _ => {}
                }
            }
            (Language::Rust, "attribute_item") => {
                let text = node.text();
                if text.contains("cfg(test)") || text.ends_with("test]") {
                    sink.add(FactKind::InlineTests, "rust unit tests", line);
                }
            }
            (Language::Rust, "string_literal") => {
                let text = node.text();
                let inner = unquote(&text);
                let in_route = node
                    .ancestors()
                    .take(3)
                    .any(|a| a.kind() == "call_expression" && a.text().contains(".route("));
                if in_route && is_health_path(inner) {
                    sink.add(FactKind::HealthEndpoint, inner, line);
                }
            }
            _ => {}
        }
    }
}

/// Is this Python string the first argument of a route decorator or
/// URL pattern (`@app.get("/health")`, `path("healthz/", ...)`)?
fn is_route_argument<D: ast_grep_core::Doc>(node: &ast_grep_core::Node<'_, D>) -> bool {
    let Some(args) = node.parent() else {
        return false;
    };
    if args.kind() != "argument_list" {
        return false;
    }
    let Some(call) = args.parent() else {
        return false;
    };
    let callee = call
        .field("function")
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    let last = callee.rsplit('.').next().unwrap_or("");
    matches!(
        last,
        "get"
            | "route"
            | "api_route"
            | "head"
            | "path"
            | "re_path"
            | "url"
            | "add_url_rule"
            | "add_api_route"
    )
}

fn is_js_route_call(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or("");
    matches!(last, "get" | "all" | "use" | "head" | "route")
}
