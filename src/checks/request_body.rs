//! Request bodies a client can make as large as it likes. Django settings
//! that switch the upload guards off (`DATA_UPLOAD_MAX_MEMORY_SIZE = None`,
//! `DATA_UPLOAD_MAX_NUMBER_FIELDS = None`) or raise them past sense; Flask
//! `MAX_CONTENT_LENGTH = None`, or a Flask app built in a file that reads
//! `request.files` and never sets `MAX_CONTENT_LENGTH` (low confidence: the
//! config may be loaded from elsewhere); Express/body-parser, Koa and Fastify
//! body limits above 10 MB or `Infinity`; `multer` without
//! `limits.fileSize`; axum `DefaultBodyLimit::disable()` without a
//! `RequestBodyLimitLayer`, and axum/actix limits above 100 MB.

use super::limits_common::{
    js_args, js_callee, js_obj_get, js_obj_has, parse_size, py_positional, show_size, strip_quotes,
    KeyState, N,
};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};

pub struct RequestBody;

const MB: u64 = 1024 * 1024;
/// Bodies parsed in memory (JSON, forms, text) above this are flagged.
const PARSED_MAX: u64 = 10 * MB;
/// Whole-request / upload limits above this are flagged.
const UPLOAD_MAX: u64 = 100 * MB;

/// Python: the setting names matched (`DATA_UPLOAD_MAX_*`,
/// `FILE_UPLOAD_MAX_MEMORY_SIZE`, `MAX_CONTENT_LENGTH`) and the Flask
/// upload test's `request.files`.
const PY_ANCHORS: &[&str] = &["UPLOAD_MAX", "MAX_CONTENT_LENGTH", "request.files"];

/// JavaScript/TypeScript: body parsers are recognised by an `express`,
/// `bodyParser`/`useBodyParser` callee or an `express`/`body-parser`/`koa`
/// import, koa parsers by `bodyParser`/`koaBody`, Fastify by `bodyLimit`;
/// `multer` is a callee, and `express-fileupload` is required in the text.
const JS_ANCHORS: &[&str] = &[
    "express",
    "bodyparser",
    "body-parser",
    "koa",
    "bodylimit",
    "multer",
];

/// Rust: `DefaultBodyLimit::disable/max`, `RequestBodyLimitLayer::new`,
/// `PayloadConfig::new` and `.limit` on `JsonConfig`/`FormConfig`/`PayloadConfig`.
const RUST_ANCHORS: &[&str] = &["BodyLimit", "PayloadConfig", "JsonConfig", "FormConfig"];

impl Check for RequestBody {
    /// Each hit needs a name from the lists above in the text. Text files
    /// get no hits from `run` (the rule's regex matchers are not gated).
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
            Language::JavaScript | Language::TypeScript | Language::Tsx => js(file, nodes, out),
            Language::Rust => rust(file, nodes, out),
            _ => {}
        }
    }
}

fn python(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    for node in nodes.of_kind("assignment") {
        let (Some(left), Some(right)) = (node.field_of("left"), node.field_of("right")) else {
            continue;
        };
        // NAME = ..., app.config["NAME"] = ..., CONFIG.NAME = ...
        let lt = left.text();
        let key = strip_quotes(
            lt.rsplit(['.', '['])
                .next()
                .unwrap_or("")
                .trim_end_matches(']'),
        )
        .to_string();
        let value = right.text();
        let none = value == "None";
        let size = parse_size(&value);
        let msg = match key.as_str() {
            "DATA_UPLOAD_MAX_MEMORY_SIZE" if none => Some(format!("`{key} = None` lets a request body of any size be read into memory (Django's default is 2.5 MB)")),
            "DATA_UPLOAD_MAX_MEMORY_SIZE" if size.is_some_and(|s| s > PARSED_MAX) => Some(format!("`{key}` allows {} of non-file request body in memory (Django's default is 2.5 MB)", show_size(size.unwrap_or(0)))),
            "DATA_UPLOAD_MAX_NUMBER_FIELDS" | "DATA_UPLOAD_MAX_NUMBER_FILES" if none => Some(format!("`{key} = None` removes Django's cap on form fields per request, re-opening hash-collision and parser exhaustion attacks")),
            "FILE_UPLOAD_MAX_MEMORY_SIZE" if size.is_some_and(|s| s > UPLOAD_MAX) => Some(format!("`{key}` keeps uploads up to {} in memory instead of streaming them to disk", show_size(size.unwrap_or(0)))),
            "MAX_CONTENT_LENGTH" if none && file.text.contains("flask") => Some(format!("`{key} = None` lets Flask accept request bodies of any size")),
            _ => None,
        };
        if let Some(msg) = msg {
            out.push(Hit::new(node.range(), msg));
        }
    }
    // A Flask app that receives uploads without any MAX_CONTENT_LENGTH.
    let text = &file.text;
    if text.contains("request.files")
        && !text.contains("MAX_CONTENT_LENGTH")
        && !text.contains("config.from_")
        && !text.contains("config.update(")
    {
        if let Some(app) = nodes.of_kind("call").find(|n| {
            n.field_of("function")
                .is_some_and(|f| f.text() == "Flask" || f.text() == "flask.Flask")
                && py_positional(n).len() == 1
        }) {
            out.push(
                Hit::new(app.range(), "flask app reads `request.files` but sets no `MAX_CONTENT_LENGTH`, so uploads of any size are accepted".to_string())
                    .confidence(Confidence::Low),
            );
        }
    }
}

const PARSERS: &[&str] = &["json", "urlencoded", "raw", "text"];

fn js(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    let parser_import =
        text.contains("express") || text.contains("body-parser") || text.contains("koa");
    for call in nodes.of_kind("call_expression") {
        let Some(func) = call.field_of("function") else {
            continue;
        };
        let Some((callee, method)) = js_callee(&func) else {
            continue;
        };
        let args = js_args(&call);
        let obj = args.iter().find(|a| a.kind() == "object");
        let func_text = func.text().split_whitespace().collect::<String>();

        // express.json({ limit }), bodyParser.urlencoded({ limit }), json({ limit })
        let is_parser = (PARSERS.contains(&method.as_str())
            && (callee == "express" || callee == "bodyParser" || callee.ends_with("bodyParser")))
            || (method.is_empty() && PARSERS.contains(&callee.as_str()) && parser_import)
            || method == "useBodyParser";
        if is_parser {
            if let Some(limit) = obj.and_then(|o| js_obj_get(o, "limit")) {
                check_size(&call, &func_text, "limit", &limit, PARSED_MAX, out);
            }
            continue;
        }
        // koa-bodyparser / koa-body: jsonLimit, formLimit, textLimit
        if callee == "bodyParser" || callee == "koaBody" || callee == "bodyparser" {
            if let Some(o) = obj {
                for key in ["jsonLimit", "formLimit", "textLimit"] {
                    if let Some(v) = js_obj_get(o, key) {
                        check_size(&call, &func_text, key, &v, PARSED_MAX, out);
                    }
                }
            }
            continue;
        }
        // Fastify({ bodyLimit }) and route options { bodyLimit }
        if let Some(v) = obj.and_then(|o| js_obj_get(o, "bodyLimit")) {
            check_size(&call, &func_text, "bodyLimit", &v, PARSED_MAX, out);
            continue;
        }
        if callee == "multer" && method.is_empty() {
            multer(&call, &args, text, out);
        } else if method.is_empty()
            && callee.eq_ignore_ascii_case("fileupload")
            && text.contains("express-fileupload")
        {
            let limited = match args.first() {
                None => false,
                Some(o) if o.kind() == "object" => match js_obj_get(o, "limits") {
                    Some(l) if l.kind() == "object" => js_obj_get(&l, "fileSize")
                        .is_some_and(|v| parse_size(&v.text()) != Some(u64::MAX)),
                    Some(_) => true,
                    None => js_obj_has(o, &["limits"]) == KeyState::Unknown,
                },
                Some(_) => true,
            };
            if !limited {
                out.push(Hit::new(
                    call.range(),
                    format!("`{callee}()` sets no `limits.fileSize`, so express-fileupload accepts files of any size"),
                ));
            }
        }
    }
}

fn check_size(call: &N<'_>, func: &str, key: &str, value: &N<'_>, max: u64, out: &mut Vec<Hit>) {
    let Some(size) = parse_size(&value.text()) else {
        return;
    };
    if size > max {
        out.push(Hit::new(
            call.range(),
            if size == u64::MAX {
                format!("`{func}` sets `{key}` to `{}`, so one request can make the process buffer and parse any amount", value.text())
            } else {
                format!("`{func}` sets `{key}` to {}, so one request can make the process buffer and parse that much", show_size(size))
            },
        ));
    }
}

fn multer(call: &N<'_>, args: &[N<'_>], text: &str, out: &mut Vec<Hit>) {
    let memory = text.contains("memoryStorage");
    let problem = match args.first() {
        None => Some("`multer()` has no `limits.fileSize`, so uploads of any size are accepted".to_string()),
        Some(o) if o.kind() == "object" => match js_obj_get(o, "limits") {
            Some(l) if l.kind() == "object" => match js_obj_get(&l, "fileSize") {
                Some(v) if parse_size(&v.text()) == Some(u64::MAX) => Some("`multer` sets `limits.fileSize` to Infinity, so uploads of any size are accepted".to_string()),
                Some(_) => None,
                None => (js_obj_has(&l, &["fileSize"]) == KeyState::Absent).then(|| "`multer` limits set no `fileSize`, so uploads of any size are accepted".to_string()),
            },
            Some(_) => None,
            None => (js_obj_has(o, &["limits"]) == KeyState::Absent).then(|| "`multer` is configured without `limits: { fileSize }`, so uploads of any size are accepted".to_string()),
        },
        Some(_) => None,
    };
    if let Some(msg) = problem {
        let (msg, sev) = if memory {
            (
                format!("{msg} and held in memory (`memoryStorage`)"),
                Severity::High,
            )
        } else {
            (format!("{msg} until the disk fills"), Severity::Medium)
        };
        out.push(Hit::new(call.range(), msg).severity(sev));
    }
}

fn rust(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let layered = file.text.contains("RequestBodyLimitLayer");
    for call in nodes.of_kind("call_expression") {
        let Some(func) = call.field_of("function") else {
            continue;
        };
        let f = func.text().replace(char::is_whitespace, "");
        let arg = call
            .field_of("arguments")
            .and_then(|a| a.named_children().next())
            .map(|a| a.text().to_string());
        if f.ends_with("DefaultBodyLimit::disable") && !layered {
            out.push(Hit::new(
                call.range(),
                "`DefaultBodyLimit::disable()` removes axum's 2 MB body limit and no `RequestBodyLimitLayer` replaces it, so bodies of any size are buffered".to_string(),
            ));
            continue;
        }
        let sized = f.ends_with("DefaultBodyLimit::max")
            || f.ends_with("RequestBodyLimitLayer::new")
            || f.ends_with("PayloadConfig::new")
            || (f.ends_with(".limit") && {
                let t = func.text();
                t.contains("JsonConfig") || t.contains("FormConfig") || t.contains("PayloadConfig")
            });
        if sized {
            if let Some(size) = arg.as_deref().and_then(parse_size) {
                if size > UPLOAD_MAX {
                    out.push(Hit::new(
                        call.range(),
                        format!("`{f}` allows request bodies of {}, so a few concurrent uploads can exhaust memory", show_size(size)),
                    ));
                }
            }
        }
    }
}
