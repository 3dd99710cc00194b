//! Outbound HTTP calls that can wait forever. Python `requests` (module
//! functions and `Session` objects) and `urllib.request.urlopen` have no
//! default timeout; `httpx` has a 5 s default, so only an explicit
//! `timeout=None` counts; aiohttp sessions fall back to a 5-minute total. In
//! JavaScript, `axios` and `got` have none, and `fetch` in server code has no
//! overall deadline. In Rust, the async `reqwest` client has none (the
//! blocking one defaults to 30 s). A default configured in the same file (a
//! session subclass or adapter setting a timeout, `axios.defaults.timeout`,
//! `axios.create({ timeout })`, `socket.setdefaulttimeout`) silences the
//! calls it covers. This file holds the dispatch and the Python half; see
//! `http_timeout_js` and `http_timeout_rust` for the others.

use super::limits_common::{py_has_kw_splat, py_kwarg, py_positional};
use super::pyimports::Imports;
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use regex::Regex;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

pub struct HttpTimeout;

/// Python: `python` returns early unless the text contains one of these.
const PY_ANCHORS: &[&str] = &[
    "requests",
    "httpx",
    "urllib",
    "aiohttp",
    "urlopen",
    "http.client",
    "httplib",
    "HTTPConnection",
    "HTTPSConnection",
];

/// JavaScript/TypeScript: every reported callee is `fetch`, `axios`, or a
/// name imported from `axios`, `got`, `superagent`, `node-fetch`, `undici`
/// or `http`/`https`/`node:http(s)` (module names compared whole, so the
/// quoted literal is in the text).
const JS_ANCHORS: &[&str] = &[
    "axios",
    "fetch",
    "undici",
    "superagent",
    "'got'",
    "\"got\"",
    "'http'",
    "\"http\"",
    "'https'",
    "\"https\"",
    "node:http",
];

/// Rust: the `ureq` and `reqwest` halves each run only when their crate
/// name is in the text.
const RUST_ANCHORS: &[&str] = &["ureq", "reqwest"];

impl Check for HttpTimeout {
    /// Python: the words `python` requires before looking at any call.
    /// JavaScript/TypeScript: every hit's callee is `fetch`/`axios` or is
    /// bound by an import from an HTTP client module whose quoted name (or
    /// `node:http`) is in the text. Rust: `ureq`/`reqwest`, which `rust`
    /// requires.
    fn anchors(&self, language: Language) -> Option<&'static [&'static str]> {
        super::code_anchors(
            language,
            Some(PY_ANCHORS),
            Some(JS_ANCHORS),
            Some(RUST_ANCHORS),
        )
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        match file.language {
            Language::Python => python(file, nodes, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                super::http_timeout_js::js(file, nodes, out)
            }
            Language::Rust => super::http_timeout_rust::rust(file, nodes, out),
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
fn bound_names(
    nodes: &NodeIndex<'_>,
    imports: &Imports,
    ctors: &[&str],
) -> Vec<(String, Range<usize>)> {
    let mut names = Vec::new();
    for node in nodes.of_kinds(&["assignment", "as_pattern"]) {
        let (target, value) = match node.kind().as_ref() {
            "assignment" => (node.field_of("left"), node.field_of("right")),
            "as_pattern" => (node.field_of("alias"), node.child(0)),
            _ => continue,
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        if value.kind() != "call" {
            continue;
        }
        let Some(func) = value.field_of("function") else {
            continue;
        };
        if ctors.contains(&imports.resolve(&func.text()).as_str()) {
            names.push((target.text().trim().to_string(), value.range()));
        }
    }
    names
}

fn python(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    if !PY_ANCHORS.iter().any(|m| file.text.contains(m)) {
        return;
    }
    let imports = Imports::collect(nodes);
    let session_default = SESSION_DEFAULT.is_match(&file.text)
        || nodes.of_kind("class_definition").any(|c| {
            c.field_of("superclasses").is_some_and(|s| {
                let s = s.text();
                s.contains("Session") || s.contains("HTTPAdapter")
            }) && c
                .field_of("body")
                .is_some_and(|b| b.text().contains("timeout"))
        });
    let socket_default = file.text.contains("setdefaulttimeout(");
    let per_call_timeout = file.text.contains("timeout=");
    let sessions = bound_names(
        nodes,
        &imports,
        &[
            "requests.Session",
            "requests.session",
            "requests.sessions.Session",
        ],
    );
    let httpx_clients = bound_names(nodes, &imports, &["httpx.Client", "httpx.AsyncClient"]);
    // Session creations whose calls lack a timeout: start -> (range, first call).
    let mut pending: BTreeMap<usize, (Range<usize>, String)> = BTreeMap::new();

    for call in nodes.of_kind("call") {
        let Some(func) = call.field_of("function") else {
            continue;
        };
        let func_text = func.text().split_whitespace().collect::<String>();
        let resolved = imports.resolve(&func_text);
        let timeout = py_kwarg(&call, "timeout");
        let timeout_none = timeout.as_ref().is_some_and(|t| t.text() == "None");
        let splat = py_has_kw_splat(&call);
        let (obj, method) = match func.kind().as_ref() {
            "attribute" => (
                func.field_of("object").map(|o| o.text().to_string()),
                func.field_of("attribute").map(|a| a.text().to_string()),
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
        let direct_session = func.field_of("object").is_some_and(|o| {
            o.kind() == "call"
                && o.field_of("function").is_some_and(|f| {
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
            r if (r.ends_with("urllib.request.urlopen") || r == "urllib2.urlopen")
                && timeout.is_none()
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
                let args = call.field_of("arguments");
                let set = args
                    .map(|a| {
                        a.children().any(|c| {
                            c.kind() == "keyword_argument"
                                && c.field_of("name").is_some_and(|n| {
                                    matches!(n.text().as_ref(), "total" | "sock_read")
                                })
                                && c.field_of("value").is_some_and(|v| v.text() != "None")
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
