//! Outbound HTTP calls that can wait forever. Python `requests` (module
//! functions and `Session` objects) and `urllib.request.urlopen` have no
//! default timeout; `httpx` has a 5 s default, so only an explicit
//! `timeout=None` counts; aiohttp sessions fall back to a 5-minute total. In
//! JavaScript, `axios` and `got` have none, and `fetch` in server code has no
//! overall deadline. In Rust, the async `reqwest` client has none (the
//! blocking one defaults to 30 s). A default configured in the same file (a
//! session subclass or adapter setting a timeout, `axios.defaults.timeout`,
//! `axios.create({ timeout })`, `socket.setdefaulttimeout`) silences the
//! calls it covers.

use super::limits_common::{
    js_args, js_obj_has, py_has_kw_splat, py_kwarg, py_positional, strip_quotes, KeyState, N,
};
use super::pyimports::Imports;
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use regex::Regex;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

pub struct HttpTimeout;

impl Check for HttpTimeout {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(tree) = file.code() else { return };
        let root = tree.root();
        match file.language {
            Language::Python => python(file, &root, tree, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => js(file, &root, out),
            Language::Rust => rust(file, &root, out),
            _ => {}
        }
    }
}

const REQUESTS_FNS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

static SESSION_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"partial\(\s*[\w.]*\.request\s*,[^)]*timeout|\.request\s*=\s*(functools\.)?partial\(|\.mount\([^\n]*(?i:timeout)",
    )
    .expect("constant regex")
});

/// Names bound to the value of calls resolving to one of `ctors`, by
/// assignment (`s = requests.Session()`) or `with ... as s`.
fn bound_names(root: &N<'_>, imports: &Imports, ctors: &[&str]) -> Vec<(String, Range<usize>)> {
    let mut names = Vec::new();
    for node in root.dfs() {
        let (target, value) = match node.kind().as_ref() {
            "assignment" => (node.field("left"), node.field("right")),
            "as_pattern" => (node.field("alias"), node.child(0)),
            _ => continue,
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        if value.kind() != "call" {
            continue;
        }
        let Some(func) = value.field("function") else {
            continue;
        };
        if ctors.contains(&imports.resolve(&func.text()).as_str()) {
            names.push((target.text().trim().to_string(), value.range()));
        }
    }
    names
}

fn python(file: &ParsedFile, root: &N<'_>, tree: &crate::parse::CodeTree, out: &mut Vec<Hit>) {
    if ![
        "requests",
        "httpx",
        "urllib",
        "aiohttp",
        "urlopen",
        "http.client",
        "HTTPConnection",
    ]
    .iter()
    .any(|m| file.text.contains(m))
    {
        return;
    }
    let imports = Imports::collect(tree);
    let session_default = SESSION_DEFAULT.is_match(&file.text)
        || root.dfs().any(|c| {
            c.kind() == "class_definition"
                && c.field("superclasses").is_some_and(|s| {
                    let s = s.text();
                    s.contains("Session") || s.contains("HTTPAdapter")
                })
                && c.field("body")
                    .is_some_and(|b| b.text().contains("timeout"))
        });
    let socket_default = file.text.contains("setdefaulttimeout(");
    let per_call_timeout = file.text.contains("timeout=");
    let sessions = bound_names(
        root,
        &imports,
        &[
            "requests.Session",
            "requests.session",
            "requests.sessions.Session",
        ],
    );
    let httpx_clients = bound_names(root, &imports, &["httpx.Client", "httpx.AsyncClient"]);
    // Session creations whose calls lack a timeout: start -> (range, first call).
    let mut pending: BTreeMap<usize, (Range<usize>, String)> = BTreeMap::new();

    for call in root.dfs().filter(|n| n.kind() == "call") {
        let Some(func) = call.field("function") else {
            continue;
        };
        let func_text = func.text().split_whitespace().collect::<String>();
        let resolved = imports.resolve(&func_text);
        let timeout = py_kwarg(&call, "timeout");
        let timeout_none = timeout.as_ref().is_some_and(|t| t.text() == "None");
        let splat = py_has_kw_splat(&call);
        let (obj, method) = match func.kind().as_ref() {
            "attribute" => (
                func.field("object").map(|o| o.text().to_string()),
                func.field("attribute").map(|a| a.text().to_string()),
            ),
            _ => (None, None),
        };
        let method = method.unwrap_or_default();

        // requests.get(...) and friends.
        if let Some(name) = resolved.strip_prefix("requests.") {
            if REQUESTS_FNS.contains(&name) && imports.is_imported("requests") {
                if timeout_none {
                    out.push(Hit::new(
                        call.range(),
                        format!("`{func_text}` is called with `timeout=None`, so a stalled server blocks this worker forever"),
                    ));
                } else if timeout.is_none() && !splat {
                    out.push(Hit::new(
                        call.range(),
                        format!("`{func_text}` is called without `timeout=`, so a stalled server blocks this worker forever"),
                    ));
                }
                continue;
            }
        }
        // Session objects.
        let direct_session = func.field("object").is_some_and(|o| {
            o.kind() == "call"
                && o.field("function").is_some_and(|f| {
                    imports.resolve(&f.text()) == "requests.Session"
                        || imports.resolve(&f.text()) == "requests.session"
                })
        });
        if let Some(obj) = &obj {
            // The nearest creation of this session name before the call.
            let created = sessions
                .iter()
                .filter(|(n, r)| n == obj && r.start < call.range().start)
                .map(|(_, r)| r.clone())
                .max_by_key(|r| r.start);
            if (created.is_some() || direct_session) && REQUESTS_FNS.contains(&method.as_str()) {
                if timeout_none {
                    out.push(Hit::new(
                        call.range(),
                        format!("requests session call `{func_text}` passes `timeout=None`, so a stalled server blocks this worker forever"),
                    ));
                } else if timeout.is_none() && !splat && !session_default {
                    match created {
                        Some(r) => {
                            pending.entry(r.start).or_insert((r, func_text.to_string()));
                        }
                        None => out.push(Hit::new(
                            call.range(),
                            format!("requests session call `{func_text}` has no timeout, so a stalled server blocks this worker forever"),
                        )),
                    }
                }
                continue;
            }
            if httpx_clients.iter().any(|(n, _)| n == obj)
                && (REQUESTS_FNS.contains(&method.as_str()) || method == "stream")
                && timeout_none
            {
                out.push(Hit::new(
                    call.range(),
                    format!("`{func_text}` passes `timeout=None`, disabling httpx's default 5 s timeout"),
                ));
                continue;
            }
        }
        match resolved.as_str() {
            r if r.starts_with("httpx.")
                && timeout_none
                && (REQUESTS_FNS.contains(&&r[6..])
                    || matches!(&r[6..], "stream" | "Client" | "AsyncClient")) =>
            {
                out.push(Hit::new(
                    call.range(),
                    format!("`{func_text}` passes `timeout=None`, disabling httpx's default 5 s timeout"),
                ));
            }
            "httpx.Timeout" => {
                let pos = py_positional(&call);
                let read = py_kwarg(&call, "read").is_some_and(|v| v.text() != "None");
                if pos.first().is_some_and(|p| p.text() == "None") && !read {
                    out.push(Hit::new(
                        call.range(),
                        format!("`{func_text}(None)` disables httpx's read timeout, so a stalled server holds the call forever"),
                    ));
                }
            }
            "urllib.request.urlopen" | "urllib2.urlopen"
                if timeout.is_none()
                    && !splat
                    && py_positional(&call).len() < 3
                    && !socket_default =>
            {
                out.push(Hit::new(
                    call.range(),
                    format!("`{func_text}` is called without `timeout=` and no `socket.setdefaulttimeout` is set, so it can block forever"),
                ));
            }
            "aiohttp.ClientSession" if timeout.is_none() && !splat => {
                out.push(
                    Hit::new(
                        call.range(),
                        format!("`{func_text}()` has no `timeout=aiohttp.ClientTimeout(...)`, so each request may wait up to aiohttp's 5-minute default"),
                    )
                    .severity(Severity::Low)
                    .confidence(Confidence::Low),
                );
            }
            "urllib3.PoolManager"
            | "urllib3.ProxyManager"
            | "urllib3.HTTPConnectionPool"
            | "urllib3.HTTPSConnectionPool"
            | "urllib3.connection_from_url"
            | "urllib3.poolmanager.PoolManager"
                if timeout.is_none() && !splat && !per_call_timeout =>
            {
                out.push(Hit::new(
                    call.range(),
                    format!("`{func_text}` is created without `timeout=` and no request in this file sets one, so urllib3 waits forever on a stalled server"),
                ));
            }
            "urllib3.request" if (timeout.is_none() && !splat) || timeout_none => {
                out.push(Hit::new(
                    call.range(),
                    format!("`{func_text}` is called without a timeout, so urllib3 waits forever on a stalled server"),
                ));
            }
            "http.client.HTTPConnection"
            | "http.client.HTTPSConnection"
            | "httplib.HTTPConnection"
            | "httplib.HTTPSConnection"
                if timeout.is_none()
                    && !splat
                    && py_positional(&call).len() < 3
                    && !socket_default =>
            {
                out.push(Hit::new(
                    call.range(),
                    format!("`{func_text}` is opened without `timeout=`, so reads block forever on a stalled server"),
                ));
            }
            "aiohttp.ClientTimeout" => {
                let args = call.field("arguments");
                let set = args
                    .map(|a| {
                        a.children().any(|c| {
                            c.kind() == "keyword_argument"
                                && c.field("name").is_some_and(|n| {
                                    matches!(n.text().as_ref(), "total" | "sock_read")
                                })
                                && c.field("value").is_some_and(|v| v.text() != "None")
                        }) || a.children().any(|c| c.kind() == "dictionary_splat")
                    })
                    .unwrap_or(true);
                if !set {
                    out.push(Hit::new(
                        call.range(),
                        format!("`{func_text}` sets neither `total` nor `sock_read`, which disables aiohttp's timeout entirely"),
                    ));
                }
            }
            _ => {}
        }
    }
    for (range, first) in pending.into_values() {
        out.push(Hit::new(
            range,
            format!("requests session is used without a timeout (e.g. `{first}`) and sets no default, so a stalled server blocks this worker forever"),
        ));
    }
}

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

fn import_source(node: &N<'_>) -> Option<String> {
    match node.kind().as_ref() {
        "import_statement" => node
            .field("source")
            .map(|s| strip_quotes(&s.text()).to_string()),
        "call_expression" => {
            let f = node.field("function")?;
            if f.text() != "require" {
                return None;
            }
            let a = js_args(node);
            let s = a.first()?;
            (s.kind() == "string").then(|| strip_quotes(&s.text()).to_string())
        }
        _ => None,
    }
}

/// Local names bound to a module's default export / namespace.
fn js_module_names(root: &N<'_>, modules: &[&str]) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in root.dfs() {
        let Some(src) = import_source(&node) else {
            continue;
        };
        if !modules.contains(&src.as_str()) {
            continue;
        }
        if node.kind() == "import_statement" {
            for n in node.dfs() {
                match n.kind().as_ref() {
                    "import_clause" => {
                        for c in n.children().filter(|c| c.kind() == "identifier") {
                            names.insert(c.text().to_string());
                        }
                    }
                    "namespace_import" => {
                        for c in n.children().filter(|c| c.kind() == "identifier") {
                            names.insert(c.text().to_string());
                        }
                    }
                    "import_specifier" => {
                        let name = n.field("alias").or_else(|| n.field("name"));
                        if let Some(name) = name {
                            names.insert(name.text().to_string());
                        }
                    }
                    _ => {}
                }
            }
        } else if let Some(decl) = node.ancestors().find(|a| a.kind() == "variable_declarator") {
            if let Some(name) = decl.field("name") {
                if name.kind() == "identifier" {
                    names.insert(name.text().to_string());
                } else {
                    for c in name.dfs() {
                        if c.kind() == "shorthand_property_identifier_pattern" {
                            names.insert(c.text().to_string());
                        }
                    }
                }
            }
        }
    }
    names
}

fn is_server_file(file: &ParsedFile, root: &N<'_>) -> bool {
    let path = file.rel_path.to_ascii_lowercase();
    let mut server_import = false;
    let mut browser_import = false;
    for n in root.dfs() {
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

fn is_browser_file(file: &ParsedFile, root: &N<'_>) -> bool {
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
        || root
            .dfs()
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

fn js(file: &ParsedFile, root: &N<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    let mut axios = js_module_names(root, &["axios"]);
    axios.insert("axios".to_string());
    let got = js_module_names(root, &["got"]);
    let node_fetch = js_module_names(root, &["node-fetch", "undici"]);
    let node_http = js_module_names(root, &["http", "https", "node:http", "node:https"]);
    let http_timeout_elsewhere =
        text.contains(".setTimeout(") || text.contains("'timeout'") || text.contains("\"timeout\"");
    let axios_defaults = text.contains("defaults.timeout") || text.contains("config.timeout =");
    let server = text.contains("fetch(") && is_server_file(file, root);
    // A local function or variable named `fetch` shadows the global one.
    let own_fetch = root.dfs().any(|n| {
        matches!(
            n.kind().as_ref(),
            "function_declaration" | "variable_declarator"
        ) && n.field("name").is_some_and(|x| x.text() == "fetch")
    }) && !node_fetch.contains("fetch");
    let browser = (text.contains("axios") || text.contains("got")) && is_browser_file(file, root);
    let conf = if browser {
        Confidence::Low
    } else {
        Confidence::High
    };

    for call in root.dfs().filter(|n| n.kind() == "call_expression") {
        let Some(func) = call.field("function") else {
            continue;
        };
        let args = js_args(&call);
        let (callee, method) = match func.kind().as_ref() {
            "identifier" => (func.text().to_string(), String::new()),
            "member_expression" => (
                func.field("object")
                    .map(|o| o.text().to_string())
                    .unwrap_or_default(),
                func.field("property")
                    .map(|p| p.text().to_string())
                    .unwrap_or_default(),
            ),
            _ => continue,
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
                        format!("`{shown}` request has no `timeout` and no `axios.defaults.timeout` is set, so a stalled upstream holds it open forever"),
                    )
                    .confidence(conf),
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
        .and_then(|d| d.field("name"))
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

/// `ureq::get(url).call()` on the default agent: ureq sets no read or
/// overall timeout unless an agent configures one.
fn ureq(text: &str, root: &N<'_>, out: &mut Vec<Hit>) {
    let agent_timeout = text.contains("timeout_global")
        || text.contains("timeout_read")
        || RUST_TIMEOUT.is_match(text) && text.contains("AgentBuilder");
    if agent_timeout {
        return;
    }
    for call in root.dfs().filter(|n| n.kind() == "call_expression") {
        let f = call
            .field("function")
            .map(|f| f.text().replace(char::is_whitespace, ""))
            .unwrap_or_default();
        if !matches!(
            f.as_str(),
            "ureq::get"
                | "ureq::post"
                | "ureq::put"
                | "ureq::patch"
                | "ureq::delete"
                | "ureq::head"
                | "ureq::request"
        ) || in_rust_test(root, call.range().start)
        {
            continue;
        }
        let mut top = call.clone();
        while let Some(p) = top.parent() {
            if matches!(p.kind().as_ref(), "field_expression" | "call_expression") {
                top = p;
            } else {
                break;
            }
        }
        if !RUST_TIMEOUT.is_match(&top.text()) {
            out.push(
                Hit::new(
                    call.range(),
                    format!("`{f}` uses ureq's default agent, which has no read timeout, so a stalled server blocks this thread forever"),
                )
                .confidence(Confidence::Medium),
            );
        }
    }
}

/// Is the byte offset inside a `mod tests` or a `#[test]`/`#[tokio::test]` function?
fn in_rust_test(root: &N<'_>, offset: usize) -> bool {
    root.dfs().any(|n| {
        let r = n.range();
        if !(r.start <= offset && offset < r.end) {
            return false;
        }
        match n.kind().as_ref() {
            "mod_item" => n
                .field("name")
                .is_some_and(|m| m.text() == "tests" || m.text() == "test"),
            "function_item" => n
                .prev_all()
                .take_while(|p| p.kind() == "attribute_item")
                .any(|a| a.text().contains("test")),
            _ => false,
        }
    })
}

static RUST_TIMEOUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.(timeout|read_timeout)\s*\(").expect("constant regex"));

fn rust(file: &ParsedFile, root: &N<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    if text.contains("ureq") {
        ureq(text, root, out);
    }
    if !text.contains("reqwest") {
        return;
    }
    // Is a bare `Client` the async reqwest client?
    let async_client = root.dfs().any(|n| {
        n.kind() == "use_declaration" && {
            let t = n.text();
            t.contains("reqwest") && !t.contains("blocking") && t.contains("Client")
        }
    });
    let is_builder = |f: &str| {
        f == "reqwest::Client::builder"
            || f == "reqwest::ClientBuilder::new"
            || ((f == "Client::builder" || f == "ClientBuilder::new") && async_client)
    };
    let fname = |call: &N<'_>| {
        call.field("function")
            .map(|f| f.text().replace(char::is_whitespace, ""))
            .unwrap_or_default()
    };
    // Each builder call with the outermost call of its method chain.
    let mut builders = Vec::new();
    for call in root.dfs().filter(|n| n.kind() == "call_expression") {
        if is_builder(&fname(&call)) {
            let mut top = call.clone();
            while let Some(p) = top.parent() {
                if matches!(p.kind().as_ref(), "field_expression" | "call_expression") {
                    top = p;
                } else {
                    break;
                }
            }
            builders.push((call.range(), top.range(), top.text().to_string()));
        }
    }
    // Timeouts set on single requests (outside any builder chain).
    let per_request = RUST_TIMEOUT
        .find_iter(text)
        .any(|m| !builders.iter().any(|(_, top, _)| top.contains(&m.start())));
    for (call, _, chain) in &builders {
        if in_rust_test(root, call.start) {
            continue;
        }
        if chain.contains(".build()") && !RUST_TIMEOUT.is_match(chain) && !per_request {
            out.push(Hit::new(
                call.clone(),
                "reqwest client builder sets no `.timeout(...)`, so a stalled server holds requests forever".to_string(),
            ));
        }
    }
    for call in root.dfs().filter(|n| n.kind() == "call_expression") {
        let f = fname(&call);
        if in_rust_test(root, call.range().start) {
            continue;
        }
        if f == "reqwest::get" {
            out.push(Hit::new(
                call.range(),
                "`reqwest::get` uses a client without a timeout, so a stalled server holds this task forever".to_string(),
            ));
        } else if (f == "reqwest::Client::new" || (f == "Client::new" && async_client))
            && !per_request
        {
            out.push(Hit::new(
                call.range(),
                format!("`{f}()` builds a reqwest client with no timeout, and no request in this file sets one"),
            ));
        }
    }
}
