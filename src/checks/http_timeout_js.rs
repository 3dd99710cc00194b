//! JavaScript/TypeScript half of `http-timeout`: `axios` (calls and
//! `axios.create` instances) and `got` without a `timeout`, server-side
//! `fetch` without a `signal`, Node `http`/`https` requests without a
//! timeout. Browser code is recognised (imports, `.tsx`/`.jsx`, front-end
//! folders) so that `fetch` there stays silent and axios is low confidence.

use super::limits_common::{
    bound_by_import, import_source, js_args, js_callee, js_imports, js_module_names,
    js_module_objects, js_obj_has, KeyState, N,
};
use super::Hit;
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;
use std::collections::HashSet;

const SERVER_MODULES: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "@koa/router",
    "koa-router",
    "@nestjs/common",
    "@nestjs/core",
    "hono",
    "@hapi/hapi",
    "next/server",
    "http",
    "node:http",
    "https",
    "node:https",
    "node-fetch",
    "undici",
    "@aws-sdk",
    "bullmq",
    "pg",
    "mongoose",
    "@prisma/client",
];

fn is_server_file(file: &ParsedFile, nodes: &NodeIndex<'_>) -> bool {
    let path = file.rel_path.to_ascii_lowercase();
    let mut server_import = false;
    let mut browser_import = false;
    for n in js_imports(nodes) {
        if let Some(s) = import_source(&n) {
            server_import |= SERVER_MODULES.contains(&s.as_str()) || s.starts_with("@nestjs/");
            browser_import |= BROWSER_MODULES.contains(&s.as_str());
        }
    }
    if server_import {
        return true;
    }
    let browser = browser_import || file.language == Language::Tsx || path.ends_with(".jsx");
    let path_hint = [
        "server",
        "pages/api/",
        "app/api/",
        "/functions/",
        "lambda",
        "workers/",
        "jobs/",
        "cron",
    ]
    .iter()
    .any(|h| path.contains(h))
        || path.ends_with("route.ts")
        || path.ends_with("route.js");
    let static_dir = ["static/", "public/", "templates/", "assets/", "www/"]
        .iter()
        .any(|h| path.contains(h));
    path_hint && !browser && !static_dir
}

fn is_browser_file(file: &ParsedFile, nodes: &NodeIndex<'_>) -> bool {
    let path = file.rel_path.to_ascii_lowercase();
    let front_dir = path.split('/').any(|seg| {
        matches!(
            seg,
            "frontend"
                | "client"
                | "web"
                | "ui"
                | "components"
                | "screens"
                | "pages"
                | "views"
                | "actions"
                | "reducers"
                | "hooks"
                | "store"
                | "public"
                | "static"
                | "www"
        )
    });
    file.language == Language::Tsx
        || path.ends_with(".jsx")
        || path.ends_with(".vue")
        || (front_dir && !path.contains("api/"))
        || js_imports(nodes)
            .any(|n| import_source(&n).is_some_and(|s| BROWSER_MODULES.contains(&s.as_str())))
}

const BROWSER_MODULES: &[&str] = &[
    "react",
    "react-dom",
    "vue",
    "svelte",
    "solid-js",
    "@angular/core",
    "preact",
];

pub(super) fn js(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    let mut axios = js_module_names(nodes, &["axios"]);
    axios.insert("axios".to_string());
    // `axios(config)` is a request; `isAxiosError(err)`, a named export, is not.
    let mut axios_fn = js_module_objects(nodes, &["axios"]);
    axios_fn.insert("axios".to_string());
    let got = js_module_names(nodes, &["got"]);
    let superagent = js_module_names(nodes, &["superagent"]);
    let node_fetch = js_module_names(nodes, &["node-fetch", "undici"]);
    let node_http = js_module_names(nodes, &["http", "https", "node:http", "node:https"]);
    let http_timeout_elsewhere =
        text.contains(".setTimeout(") || text.contains("'timeout'") || text.contains("\"timeout\"");
    let axios_defaults = text.contains("defaults.timeout") || text.contains("config.timeout =");
    let server = text.contains("fetch(") && is_server_file(file, nodes);
    // A local function or variable named `fetch` shadows the global one.
    let own_fetch = (nodes
        .of_kinds(&["function_declaration", "variable_declarator"])
        .any(|n| n.field_of("name").is_some_and(|x| x.text() == "fetch"))
        && !node_fetch.contains("fetch"))
        // `import fetch from "@/utils/fetch"`: a wrapper that may set its own timeout.
        || wrapper_fetch(nodes);
    let browser = (text.contains("axios") || text.contains("got")) && is_browser_file(file, nodes);
    let conf = if browser {
        Confidence::Low
    } else {
        Confidence::High
    };

    for call in nodes.of_kind("call_expression") {
        let Some(func) = call.field_of("function") else {
            continue;
        };
        let args = js_args(&call);
        let Some((callee, method)) = js_callee(&func) else {
            continue;
        };
        let func_text = func.text().split_whitespace().collect::<String>();

        if axios.contains(&callee) {
            if method == "create" {
                let Some(cfg) = args.first() else {
                    report_axios_create(&call, conf, text, out);
                    continue;
                };
                if cfg.kind() == "object" && js_obj_has(cfg, &["timeout"]) == KeyState::Absent {
                    report_axios_create(&call, conf, text, out);
                }
                continue;
            }
            if axios_defaults {
                continue;
            }
            let idx = match method.as_str() {
                "" if !axios_fn.contains(&callee) => continue,
                "" => {
                    if args.first().is_some_and(|a| a.kind() == "object") {
                        0
                    } else {
                        1
                    }
                }
                "get" | "delete" | "head" | "options" => 1,
                "post" | "put" | "patch" | "postForm" | "putForm" | "patchForm" => 2,
                "request" => 0,
                _ => continue,
            };
            if config_lacks(&args, idx, &["timeout", "signal"]) {
                let shown = if method.is_empty() {
                    callee.clone()
                } else {
                    func_text.to_string()
                };
                out.push(
                    Hit::new(
                        call.range(),
                        format!("`{shown}` request has no `timeout` and this file sets no `axios.defaults.timeout`, so a stalled upstream holds it open forever"),
                    )
                    // The global default may be set in another (bootstrap) file.
                    .confidence(if browser { Confidence::Low } else { Confidence::Medium }),
                );
            }
            continue;
        }
        if node_http.contains(&callee)
            && matches!(method.as_str(), "get" | "request")
            && !http_timeout_elsewhere
            && node_http_lacks_timeout(&args)
        {
            out.push(
                Hit::new(
                    call.range(),
                    format!("`{func_text}` has no `timeout` option and the request never calls `setTimeout`, so Node waits forever on a stalled server"),
                )
                .confidence(Confidence::Medium),
            );
            continue;
        }
        if superagent.contains(&callee)
            && matches!(
                method.as_str(),
                "get" | "post" | "put" | "patch" | "delete" | "del" | "head"
            )
        {
            // The timeout is set on the chain: superagent.get(url).timeout(...)
            let mut top = call.clone();
            while let Some(p) = top.parent() {
                if matches!(p.kind().as_ref(), "member_expression" | "call_expression") {
                    top = p;
                } else {
                    break;
                }
            }
            if !top.text().contains(".timeout(") {
                out.push(
                    Hit::new(
                        call.range(),
                        format!("`{func_text}` request sets no `.timeout(...)`; superagent waits forever by default"),
                    )
                    .confidence(conf),
                );
            }
            continue;
        }
        if got.contains(&callee) {
            let idx = match method.as_str() {
                "" => {
                    if args.first().is_some_and(|a| a.kind() == "object") {
                        0
                    } else {
                        1
                    }
                }
                "get" | "post" | "put" | "patch" | "delete" | "head" => 1,
                _ => continue,
            };
            if config_lacks(&args, idx, &["timeout", "signal"]) {
                out.push(
                    Hit::new(
                        call.range(),
                        format!(
                            "`{func_text}` request has no `timeout`; got waits forever by default"
                        ),
                    )
                    .confidence(conf),
                );
            }
            continue;
        }
        if method.is_empty() && callee == "fetch" && (server || node_fetch.contains("fetch")) {
            // Relative URLs only work in browsers; a Request object carries its own signal.
            let first_ok = args.first().is_some_and(|a| {
                let t = a.text();
                let t = t.trim_start_matches(['\'', '"', '`']);
                !(t.starts_with('/') || t.starts_with("./") || a.kind() == "new_expression")
            });
            if first_ok && !own_fetch && config_lacks(&args, 1, &["signal", "timeout"]) {
                let hit = if node_fetch.contains("fetch") {
                    Hit::new(
                        call.range(),
                        "`fetch` from node-fetch has no `signal` or `timeout`, so a slow upstream holds this request forever".to_string(),
                    )
                } else {
                    Hit::new(
                        call.range(),
                        "server-side `fetch` has no `signal: AbortSignal.timeout(...)`, so a slow upstream holds this request for minutes".to_string(),
                    )
                    .confidence(Confidence::Medium)
                };
                out.push(hit);
            }
        } else if method.is_empty()
            && node_fetch.contains(&callee)
            && callee != "fetch"
            && config_lacks(&args, 1, &["signal", "timeout"])
        {
            out.push(Hit::new(
                call.range(),
                format!("`{callee}` request has no `signal` timeout, so a slow upstream holds it open for minutes"),
            ));
        }
    }
}

/// Is `fetch` imported from a module other than a fetch library?
fn wrapper_fetch(nodes: &NodeIndex<'_>) -> bool {
    const LIBS: &[&str] = &["node-fetch", "undici", "cross-fetch", "isomorphic-fetch"];
    js_imports(nodes).any(|n| {
        import_source(&n).is_some_and(|src| {
            if LIBS.contains(&src.as_str()) {
                return false;
            }
            let mut names = HashSet::new();
            bound_by_import(&n, &mut names);
            names.contains("fetch")
        })
    })
}

/// `http.get(url, cb)` / `https.request({ ... }, cb)`: true only when every
/// argument is understood (URL, callback, literal options) and none sets a
/// timeout or signal.
fn node_http_lacks_timeout(args: &[N<'_>]) -> bool {
    if args.is_empty() {
        return false;
    }
    args.iter().all(|a| match a.kind().as_ref() {
        "string" | "template_string" | "arrow_function" | "function_expression" | "function" => {
            true
        }
        "object" => js_obj_has(a, &["timeout", "signal"]) == KeyState::Absent,
        "identifier" | "member_expression" => {
            let t = a.text().to_ascii_lowercase();
            t.contains("url") || t.contains("uri") || t.contains("endpoint") || t.contains("href")
        }
        "new_expression" => a.text().starts_with("new URL"),
        _ => false,
    })
}

/// Does the options argument at `idx` lack every one of `keys`? Unknown
/// (a variable or a spread) counts as not lacking.
fn config_lacks(args: &[N<'_>], idx: usize, keys: &[&str]) -> bool {
    if args.iter().any(|a| a.kind() == "spread_element") {
        return false;
    }
    match args.get(idx) {
        None => !args.is_empty(),
        Some(a) if a.kind() == "object" => js_obj_has(a, keys) == KeyState::Absent,
        Some(_) => false,
    }
}

fn report_axios_create(call: &N<'_>, conf: Confidence, text: &str, out: &mut Vec<Hit>) {
    let name = call
        .ancestors()
        .find(|a| a.kind() == "variable_declarator")
        .and_then(|d| d.field_of("name"))
        .map(|n| n.text().to_string());
    if let Some(name) = &name {
        if text.contains(&format!("{name}.defaults.timeout")) {
            return;
        }
    }
    if text.contains("config.timeout =") {
        return;
    }
    let shown = name.map_or_else(|| "instance".to_string(), |n| format!("instance `{n}`"));
    out.push(
        Hit::new(
            call.range(),
            format!("axios {shown} is created without a `timeout`, so every request through it can hang forever"),
        )
        .confidence(conf),
    );
}
