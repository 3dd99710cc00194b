//! Rust half of `http-timeout`: the async `reqwest` client (`reqwest::get`,
//! `Client::new()`, builders without `.timeout(`) and `ureq`'s default
//! agent. The blocking reqwest client (30 s default) is left alone, and so
//! are calls inside `mod tests` and `#[test]` functions.

use super::limits_common::N;
use super::Hit;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::Confidence;
use regex::Regex;
use std::sync::LazyLock;

/// `ureq::get(url).call()` on the default agent: ureq sets no read or
/// overall timeout unless an agent configures one.
fn ureq(text: &str, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let agent_timeout = text.contains("timeout_global")
        || text.contains("timeout_read")
        || RUST_TIMEOUT.is_match(text) && text.contains("AgentBuilder");
    if agent_timeout {
        return;
    }
    for call in nodes.of_kind("call_expression") {
        let f = call
            .field_of("function")
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
        ) || in_rust_test(&call)
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

/// Is `node` inside a `mod tests` or a `#[test]`/`#[tokio::test]` function?
fn in_rust_test(node: &N<'_>) -> bool {
    node.ancestors().any(|n| match n.kind().as_ref() {
        "mod_item" => n
            .field_of("name")
            .is_some_and(|m| m.text() == "tests" || m.text() == "test"),
        "function_item" => n
            .prev_all()
            .take_while(|p| p.kind() == "attribute_item")
            .any(|a| a.text().contains("test")),
        _ => false,
    })
}

static RUST_TIMEOUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.(timeout|read_timeout)\s*\(").expect("constant regex"));

pub(super) fn rust(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let text = &file.text;
    if text.contains("ureq") {
        ureq(text, nodes, out);
    }
    if !text.contains("reqwest") {
        return;
    }
    // Is a bare `Client` the async reqwest client?
    let async_client = nodes.of_kind("use_declaration").any(|n| {
        let t = n.text();
        t.contains("reqwest") && !t.contains("blocking") && t.contains("Client")
    });
    let is_builder = |f: &str| {
        f == "reqwest::Client::builder"
            || f == "reqwest::ClientBuilder::new"
            || ((f == "Client::builder" || f == "ClientBuilder::new") && async_client)
    };
    let fname = |call: &N<'_>| {
        call.field_of("function")
            .map(|f| f.text().replace(char::is_whitespace, ""))
            .unwrap_or_default()
    };
    // Each builder call with the outermost call of its method chain.
    let mut builders = Vec::new();
    for call in nodes.of_kind("call_expression") {
        if is_builder(&fname(&call)) {
            let mut top = call.clone();
            while let Some(p) = top.parent() {
                if matches!(p.kind().as_ref(), "field_expression" | "call_expression") {
                    top = p;
                } else {
                    break;
                }
            }
            builders.push((
                call.range(),
                top.range(),
                top.text().to_string(),
                in_rust_test(&call),
            ));
        }
    }
    // Timeouts set on single requests (outside any builder chain).
    let per_request = RUST_TIMEOUT.find_iter(text).any(|m| {
        !builders
            .iter()
            .any(|(_, top, _, _)| top.contains(&m.start()))
    });
    for (call, _, chain, in_test) in &builders {
        if *in_test {
            continue;
        }
        if chain.contains(".build()") && !RUST_TIMEOUT.is_match(chain) && !per_request {
            out.push(Hit::new(
                call.clone(),
                "reqwest client builder sets no `.timeout(...)`, so a stalled server holds requests forever".to_string(),
            ));
        }
    }
    for call in nodes.of_kind("call_expression") {
        let f = fname(&call);
        if in_rust_test(&call) {
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
