//! `print()`, `console.log` and `println!` used as logging in service code.
//! Silent in command-line tools and scripts (by path, shebang, argument
//! parsing, `if __name__ == "__main__":` blocks, Rust binaries' `fn main`
//! files), in tests and examples, and in frontend code (`.tsx`/`.jsx`,
//! browser frameworks). JavaScript and Rust files must also show a server
//! signal (a server framework, ORM or logger import, or a server folder).

use super::servicectx::{
    has_shebang, is_cli_path, line_suppressed, py_in_main_guard, rust_app_signal,
    rust_defines_main, rust_in_test, rust_logging_signal, rust_non_service_path,
    rust_subcommand_path, Node,
};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

pub struct PrintLogging;

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
}

static PY_CLI: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^\s*(import|from)\s+(argparse|click|typer|fire|docopt|optparse|rich\.console|tqdm)\b|\bsys\.argv\b",
    )
});
/// A Rust command-line program's argument parsing or terminal prompts:
/// what it prints is its output.
static RUST_CLI: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(clap|structopt|argh|dialoguer|inquire|indicatif)::|\buse\s+(clap|structopt|argh|dialoguer|inquire|indicatif)\b|#\[derive\([^)]*\b(Parser|Subcommand)\b|\bstd::env::args\(",
    )
});

static PY_SERVICE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^\s*(import|from)\s+(fastapi|flask|django|starlette|aiohttp|sanic|tornado|celery|rest_framework|falcon|bottle|quart|litestar|grpc|kafka|aiokafka|pika|dramatiq|rq|sqlalchemy|uvicorn|gunicorn|channels|ninja|strawberry|graphene)\b",
    )
});
static JS_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(from\s+|require\(\s*)['"](express|fastify|koa|@koa/[\w-]+|@nestjs/[\w-]+|@hapi/hapi|hapi|node:https?|https?|mongoose|sequelize|typeorm|@prisma/client|pg|mysql2?|redis|ioredis|kafkajs|amqplib|bullmq|bull|next/server|@aws-sdk/[\w-]+|aws-sdk|socket\.io|@apollo/server|apollo-server[\w-]*|graphql-yoga|hono|restify|knex|drizzle-orm[\w/-]*|body-parser|cors|helmet|morgan|jsonwebtoken|passport|nodemailer|dotenv)['"]"#,
    )
});
static JS_FRONTEND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(from\s+|require\(\s*)['"](react|react-dom|vue|@angular/[\w-]+|svelte|next/router|next/navigation|solid-js|preact|jquery|@remix-run/react)['"]|\b(window|document)\.\w"#,
    )
});

const SERVER_DIRS: &[&str] = &[
    "server",
    "api",
    "backend",
    "routes",
    "controllers",
    "middleware",
    "middlewares",
    "handlers",
    "workers",
    "lambdas",
    "functions",
    "jobs",
    "resolvers",
];
const FRONTEND_DIRS: &[&str] = &[
    "components",
    "pages",
    "public",
    "static",
    "client",
    "frontend",
    "ui",
    "hooks",
    "views",
    "assets",
    "browser",
    "www",
];

/// Folders and modules of a Python service that may not import a framework
/// themselves (`services/billing.py`, `app/tasks.py`, `views.py`).
fn py_service_path(rel: &str) -> bool {
    const DIRS: &[&str] = &[
        "api",
        "app",
        "apps",
        "services",
        "service",
        "handlers",
        "views",
        "routers",
        "routes",
        "endpoints",
        "workers",
        "server",
        "backend",
        "consumers",
        "webhooks",
        "middleware",
    ];
    const FILES: &[&str] = &[
        "views.py",
        "api.py",
        "handlers.py",
        "services.py",
        "models.py",
        "serializers.py",
        "consumers.py",
        "signals.py",
        "routes.py",
        "routers.py",
        "middleware.py",
        "worker.py",
        "webhooks.py",
        "dependencies.py",
        "crud.py",
        "main.py",
        "app.py",
        "wsgi.py",
        "asgi.py",
    ];
    let lower = rel.to_ascii_lowercase();
    let mut segments: Vec<&str> = lower.split('/').collect();
    let file = segments.pop().unwrap_or("");
    FILES.contains(&file) || segments.iter().any(|s| DIRS.contains(s))
}

/// Is `node` inside a function that sets logging up (`setup_tracing`,
/// `init_logging`, `configureLogger`)? Until it is done, printing is the
/// only way to report a problem with it.
fn in_logging_setup(node: &super::localflow::N<'_>) -> bool {
    node.ancestors()
        .filter(super::localflow::is_scope)
        .filter_map(|f| f.field_of("name"))
        .any(|name| {
            let lower = name.text().to_ascii_lowercase();
            ["tracing", "logging", "logger", "subscriber"]
                .iter()
                .any(|w| lower.contains(w))
        })
}

impl Check for PrintLogging {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let (Some(tree), Some(nodes)) = (file.code(), file.nodes()) else {
            return;
        };
        let rel = file.rel_path.as_str();
        // A migration prints to the `migrate` command's own output.
        if is_cli_path(rel)
            || has_shebang(&file.text)
            || crate::paths::is_migration(rel, &file.text)
        {
            return;
        }
        match file.language {
            Language::Python => {
                // `print` and `pprint` calls need the word; the file scans below are dearer.
                if !file.text.contains("print") || PY_CLI.is_match(&file.text) {
                    return;
                }
                let service = PY_SERVICE.is_match(&file.text);
                let has_guard = file.text.contains("__main__");
                if !service && (has_guard || !py_service_path(rel)) {
                    return;
                }
                for node in nodes.of_kind("call") {
                    if node.field_of("function").is_none_or(|f| {
                        !matches!(f.text().as_ref(), "print" | "pprint" | "pprint.pprint")
                    }) {
                        continue;
                    }
                    let args = node
                        .field_of("arguments")
                        .map(|a| a.text().to_string())
                        .unwrap_or_default();
                    let to_file = args.contains("file=") && !args.contains("file=sys.std");
                    if to_file
                        || py_in_main_guard(&node)
                        || in_logging_setup(&node)
                        || line_suppressed(&file.text, node.range().start, &["T201", "T20"])
                    {
                        continue;
                    }
                    let hit = Hit::new(
                        node.range(),
                        "`print()` in service code writes unleveled, unstructured output; use `logging.getLogger(__name__)` or structlog",
                    );
                    out.push(if service {
                        hit
                    } else {
                        hit.confidence(Confidence::Medium)
                    });
                }
            }
            Language::JavaScript | Language::TypeScript => {
                if !file.text.contains("console.") {
                    return;
                }
                let lower = rel.to_ascii_lowercase();
                let file_disabled = file.text.contains("eslint-disable no-console")
                    || file
                        .text
                        .lines()
                        .any(|l| l.trim() == "/* eslint-disable */");
                if lower.ends_with(".jsx") || file_disabled || JS_FRONTEND.is_match(&file.text) {
                    return;
                }
                let segments: Vec<&str> = lower.split('/').collect();
                let dirs = &segments[..segments.len().saturating_sub(1)];
                let api_route = lower.contains("pages/api/") || lower.contains("app/api/");
                if !api_route && dirs.iter().any(|d| FRONTEND_DIRS.contains(d)) {
                    return;
                }
                let server = JS_SERVER.is_match(&file.text)
                    || api_route
                    || dirs.iter().any(|d| SERVER_DIRS.contains(d));
                if !server {
                    return;
                }
                for node in nodes.of_kind("call_expression") {
                    let Some(func) = node.field_of("function") else {
                        continue;
                    };
                    let f = func.text();
                    let Some(method) = f.strip_prefix("console.") else {
                        continue;
                    };
                    if !matches!(
                        method,
                        "log" | "info" | "warn" | "error" | "debug" | "trace"
                    ) || in_logging_setup(&node)
                    {
                        continue;
                    }
                    out.push(Hit::new(
                        node.range(),
                        format!("`console.{method}` in server code writes unleveled, unstructured output; use a logger such as pino or winston"),
                    ));
                }
            }
            Language::Rust => {
                let printing = file.text.contains("print") || file.text.contains("dbg");
                if !printing {
                    return;
                }
                let app = rust_app_signal(&file.text);
                if rust_non_service_path(rel)
                    || rust_subcommand_path(rel)
                    // A server that also parses its arguments is still a server.
                    || RUST_CLI.is_match(&file.text) && !app
                    || rust_defines_main(&tree.root())
                    || file.text.contains("clippy::print_stdout")
                    || file.text.contains("clippy::print_stderr")
                {
                    return;
                }
                let service = app || rust_logging_signal(&file.text);
                for node in nodes.of_kind("macro_invocation") {
                    let Some(mac) = node.field_of("macro") else {
                        continue;
                    };
                    let name = mac.text().to_string();
                    let name = name.rsplit("::").next().unwrap_or(&name).to_string();
                    let wanted = match name.as_str() {
                        "dbg" => true,
                        "println" | "eprintln" | "print" | "eprint" => service,
                        _ => false,
                    };
                    if !wanted
                        || rust_in_test(&node)
                        || in_logging_setup(&node)
                        || cargo_directive(&node)
                    {
                        continue;
                    }
                    out.push(Hit::new(
                        node.range(),
                        format!("`{name}!` in service code writes unleveled, unstructured output; use `tracing::info!` (or the `log` crate)"),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// `println!("cargo:rerun-if-changed={proto}")`: an instruction to Cargo
/// from a build script or the code generator it calls, not a log line.
fn cargo_directive(mac: &Node<'_>) -> bool {
    mac.children()
        .find(|c| c.kind() == "token_tree")
        .and_then(|t| t.named_children().next())
        .is_some_and(|s| {
            s.kind() == "string_literal" && s.text().trim_start_matches('"').starts_with("cargo:")
        })
}
