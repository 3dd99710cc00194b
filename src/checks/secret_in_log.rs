//! Secrets written to logs. Finds logging calls (Python `logging`/logger/
//! structlog, JavaScript loggers and `console.*`, Rust `tracing`/`log`
//! macros) and looks through their arguments for values named like secrets:
//! variables and attributes (`password`, `user.api_key`), keyword and object
//! keys (`token=...`, `{ password }`), auth headers
//! (`request.headers["Authorization"]`) and Rust inline format captures
//! (`"{token}"`). Values wrapped in `len()`, `mask()`, `redact()`, hashes or
//! comparisons, and properties of a secret (`token.expires_at`), are fine.

use super::log_secret_names::{harmless_value, revealing_placeholder, secret_name, AUTH_HEADERS};
use super::secret_in_log_rust::rust_log;
use super::secret_in_log_values::{has_value_argument, is_value_use};
use super::servicectx::{
    has_shebang, is_cli_path, is_log_method, is_logger_receiver, py_in_main_guard, Node,
};
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;

pub struct SecretInLog;

impl Check for SecretInLog {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else {
            return;
        };
        let aliases = if file.language == Language::Python {
            logger_aliases(nodes)
        } else {
            Vec::new()
        };
        let cli = is_cli_path(&file.rel_path) || has_shebang(&file.text);
        for node in nodes.of_kinds(&["call", "call_expression", "macro_invocation"]) {
            let found = match (file.language, node.kind().as_ref()) {
                (Language::Python, "call") => {
                    if let Some(args) = python_log_args(&node, &aliases) {
                        scan(&args)
                    } else if !cli && is_print(&node) && !py_in_main_guard(&node) {
                        // Only clearly named secrets: a bare `token` printed by
                        // a lexer is not a credential.
                        node.field_of("arguments")
                            .and_then(|a| scan(&a))
                            .filter(|(_, c)| *c == Confidence::High)
                            .map(|(w, _)| (w, Confidence::Medium))
                    } else {
                        None
                    }
                }
                (
                    Language::JavaScript | Language::TypeScript | Language::Tsx,
                    "call_expression",
                ) => js_log_args(&node).and_then(|a| scan(&a)),
                (Language::Rust, "macro_invocation") => rust_log(&node),
                _ => None,
            };
            if let Some((what, confidence)) = found {
                let callee = callee_text(&node);
                out.push(
                    Hit::new(
                        node.range(),
                        format!("`{what}` is written to the log by `{callee}`; anyone with log access can read it"),
                    )
                    .confidence(confidence),
                );
            }
        }
    }
}

fn callee_text(node: &Node<'_>) -> String {
    let f = node
        .field_of("function")
        .or_else(|| node.field_of("macro"))
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    if node.kind() == "macro_invocation" {
        format!("{f}!")
    } else {
        f
    }
}

/// Names bound to a logger: `log = logging.getLogger(...)`, `foo = LOGGER`.
fn logger_aliases(nodes: &NodeIndex<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in nodes.of_kind("assignment") {
        let (Some(left), Some(right)) = (n.field_of("left"), n.field_of("right")) else {
            continue;
        };
        let r = right.text();
        let is_logger = r.contains("getLogger(")
            || r.contains("get_logger(")
            || r.contains("getChild(")
            || is_logger_receiver(&r)
            || out.iter().any(|a| *a == r);
        if left.kind() == "identifier" && is_logger {
            out.push(left.text().to_string());
        }
    }
    out
}

fn python_log_args<'r>(call: &Node<'r>, aliases: &[String]) -> Option<Node<'r>> {
    let func = call.field_of("function")?;
    if func.kind() != "attribute" {
        return None;
    }
    if !is_log_method(&func.field_of("attribute")?.text()) {
        return None;
    }
    let object = func.field_of("object")?.text().to_string();
    let logger = is_logger_receiver(&object)
        || object.starts_with("logging.")
        || aliases.contains(&object)
        || object.ends_with(')')
            && (object.contains("getLogger(") || object.contains("get_logger("));
    logger.then(|| call.field_of("arguments"))?
}

/// `"... %s" % (a, b)`: the text of the operand shown by placeholder `index`.
fn percent_operand(string: &Node<'_>, index: usize) -> Option<String> {
    let op = string.parent().filter(|p| p.kind() == "binary_operator")?;
    if op
        .field_of("left")
        .is_none_or(|l| l.range() != string.range())
    {
        return None;
    }
    let right = op.field_of("right")?;
    if right.kind() == "tuple" {
        right
            .children()
            .filter(|c| c.is_named())
            .nth(index)
            .map(|c| c.text().to_string())
    } else {
        (index == 0).then(|| right.text().to_string())
    }
}

/// `get_password()`, `load_api_key()`, `getAccessToken()`: a call whose
/// name says it returns a secret.
fn returns_secret(function: &str) -> bool {
    let name = function.rsplit('.').next().unwrap_or(function);
    let lower = name.to_ascii_lowercase();
    [
        "get", "load", "fetch", "read", "generate", "create", "issue", "decrypt", "reveal",
    ]
    .iter()
    .any(|p| {
        lower
            .strip_prefix(p)
            .map(|rest| rest.trim_start_matches('_'))
            .is_some_and(|rest| !rest.is_empty() && secret_name(rest))
    })
}

/// `print(...)`, `sys.stdout.write(...)`, `sys.stderr.write(...)`.
fn is_print(call: &Node<'_>) -> bool {
    call.field_of("function").is_some_and(|f| {
        matches!(
            f.text().as_ref(),
            "print" | "sys.stdout.write" | "sys.stderr.write"
        )
    })
}

fn js_log_args<'r>(call: &Node<'r>) -> Option<Node<'r>> {
    let func = call.field_of("function")?;
    if func.kind() != "member_expression" {
        return None;
    }
    let method = func.field_of("property")?.text().to_string();
    let object = func.field_of("object")?.text().to_string();
    let console = object == "console"
        && matches!(
            method.as_str(),
            "log" | "info" | "warn" | "error" | "debug" | "trace"
        );
    (console || is_log_method(&method) && is_logger_receiver(&object))
        .then(|| call.field_of("arguments"))?
}

/// The first secret-looking value in a log call's arguments.
fn scan(args: &Node<'_>) -> Option<(String, Confidence)> {
    let mut weak: Option<(String, Confidence)> = None;
    for n in args.dfs() {
        let kind = n.kind();
        let candidate = match kind.as_ref() {
            "identifier" | "shorthand_property_identifier" => {
                let parent_kind = n.parent().map(|p| p.kind().to_string()).unwrap_or_default();
                let is_key = n.parent().is_some_and(|p| {
                    matches!(p.kind().as_ref(), "keyword_argument" | "pair")
                        && p.field_of("name")
                            .or_else(|| p.field_of("key"))
                            .is_some_and(|k| k.range() == n.range())
                });
                // Attribute/member chains are judged as a whole below.
                let in_chain = matches!(parent_kind.as_str(), "attribute" | "member_expression");
                (!is_key && !in_chain && secret_name(&n.text())).then(|| n.text().to_string())
            }
            "attribute" | "member_expression" => {
                let last = n
                    .field_of("attribute")
                    .or_else(|| n.field_of("property"))
                    .map(|a| a.text().to_string())
                    .unwrap_or_default();
                let object = n
                    .field_of("object")
                    .map(|o| o.text().to_string())
                    .unwrap_or_default();
                if secret_name(&last)
                    || AUTH_HEADERS.contains(&last.to_ascii_lowercase().as_str())
                        && object.ends_with("headers")
                {
                    Some(n.text().to_string())
                } else if (last == "headers" || last == "cookies")
                    && object
                        .rsplit('.')
                        .next()
                        .is_some_and(|o| matches!(o, "request" | "req" | "ctx" | "self.request"))
                    && is_value_use(&n, args)
                    && !n.parent().is_some_and(|p| {
                        matches!(
                            p.kind().as_ref(),
                            "attribute"
                                | "member_expression"
                                | "subscript"
                                | "subscript_expression"
                        )
                    })
                {
                    weak.get_or_insert((n.text().to_string(), Confidence::Medium));
                    None
                } else {
                    None
                }
            }
            "subscript" | "subscript_expression" => {
                let key = n
                    .field_of("subscript")
                    .or_else(|| n.field_of("index"))
                    .map(|k| unquote(&k.text()))
                    .unwrap_or_default();
                let quoted = n
                    .field_of("subscript")
                    .or_else(|| n.field_of("index"))
                    .is_some_and(|k| k.kind() == "string");
                (quoted
                    && (secret_name(&key)
                        || AUTH_HEADERS.contains(&key.to_ascii_lowercase().as_str())))
                .then(|| n.text().to_string())
            }
            "call" | "call_expression" => {
                // headers.get("Authorization")
                let f = n
                    .field_of("function")
                    .map(|f| f.text().to_string())
                    .unwrap_or_default();
                let first = n
                    .field_of("arguments")
                    .and_then(|a| a.children().find(|c| c.is_named()))
                    .filter(|a| a.kind() == "string")
                    .map(|a| unquote(&a.text()).to_ascii_lowercase());
                let header = (f.ends_with("headers.get")
                    || f.ends_with("req.get")
                    || f.ends_with("req.header"))
                .then_some(first)
                .flatten()
                .is_some_and(|k| AUTH_HEADERS.contains(&k.as_str()));
                (header || returns_secret(&f)).then(|| n.text().to_string())
            }
            "keyword_argument" | "pair" => {
                let key = n
                    .field_of("name")
                    .or_else(|| n.field_of("key"))
                    .map(|k| unquote(&k.text()))
                    .unwrap_or_default();
                let value = n.field_of("value");
                let literal = value.as_ref().is_none_or(|v| {
                    matches!(
                        v.kind().as_ref(),
                        "string"
                            | "integer"
                            | "true"
                            | "false"
                            | "none"
                            | "null"
                            | "number"
                            | "undefined"
                    ) && !v.dfs().any(|d| {
                        matches!(d.kind().as_ref(), "interpolation" | "template_substitution")
                    })
                });
                // `token: params.token?.substring(0, 2) + "****"`: masked.
                let masked = value.as_ref().is_some_and(|v| {
                    let t = v.text().to_ascii_lowercase();
                    (t.contains(".substring(0") || t.contains(".slice(0") || t.contains("[:"))
                        && t.contains('*')
                        || t.contains("mask")
                        || t.contains("redact")
                });
                (secret_name(&key) && !literal && !masked).then(|| key.to_string())
            }
            _ => None,
        };
        if let Some(c) = candidate {
            if is_value_use(&n, args) {
                // A bare `token` (also as the last attribute: `checkout.token`
                // is often a public identifier) may or may not be a credential.
                let last = c.rsplit('.').next().unwrap_or(&c);
                let generic = matches!(last, "token" | "tok" | "key" | "secret");
                let confidence = if generic {
                    Confidence::Medium
                } else {
                    Confidence::High
                };
                return Some((one_line(&c), confidence));
            }
        }
    }
    if weak.is_none() && has_value_argument(args) {
        let positional: Vec<Node<'_>> = args
            .children()
            .filter(|c| {
                c.is_named() && !matches!(c.kind().as_ref(), "keyword_argument" | "comment")
            })
            .collect();
        for n in args.dfs() {
            if !matches!(n.kind().as_ref(), "string" | "template_string") {
                continue;
            }
            let text = n.text();
            let Some(index) = revealing_placeholder(&text) else {
                continue;
            };
            let interpolated = n
                .dfs()
                .any(|d| matches!(d.kind().as_ref(), "interpolation" | "template_substitution"));
            // What the placeholder shows: in a template or an f-string the
            // interpolated expression itself (`${apiKeyId}`); in
            // `log("key %s: %s", a, b)` the matching argument, when the
            // message is the first argument.
            let shown = if interpolated {
                n.dfs()
                    .filter(|d| {
                        matches!(d.kind().as_ref(), "interpolation" | "template_substitution")
                    })
                    .nth(index)
                    .and_then(|d| d.named_children().next())
                    .map(|e| e.text().to_string())
            } else if positional.first().is_some_and(|f| f.range() == n.range()) {
                positional.get(index + 1).map(|a| a.text().to_string())
            } else {
                percent_operand(&n, index)
            };
            if shown.as_deref().is_some_and(harmless_value) {
                continue;
            }
            return Some((one_line(&text), Confidence::Medium));
        }
    }
    weak
}

fn unquote(text: &str) -> String {
    text.trim()
        .trim_start_matches(['f', 'r', 'b', 'u'])
        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_string()
}

fn one_line(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 50 {
        format!("{}...", one.chars().take(47).collect::<String>())
    } else {
        one
    }
}
