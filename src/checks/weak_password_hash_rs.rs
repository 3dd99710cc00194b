//! Rust half of weak-password-hash: `md5::compute`, `Digest::digest`,
//! `new()`/`default()` hashers fed with `update`/`chain_update`, ring's
//! `digest`, and the same calls written inside macro arguments.

use super::{classify, first_arg, hit, is_pw, password_in, Speed};
use crate::checks::localflow::{reaching_writes, N};
use crate::checks::Hit;
use crate::parse::fields::FieldOf;
use regex::Regex;
use std::sync::LazyLock;

/// `Sha256::new()` / `Md5::default()`: the algorithm of a Rust hasher.
fn rust_hasher(e: &N<'_>) -> Option<String> {
    let e = if e.kind() == "identifier" {
        reaching_writes(e, &e.text()).pop()?.value
    } else {
        e.clone()
    };
    if e.kind() != "call_expression" {
        return None;
    }
    let path = e.field_of("function")?.text().to_string();
    let (ty, ctor) = path.rsplit_once("::")?;
    if !matches!(ctor, "new" | "default") {
        return None;
    }
    let ty = ty.rsplit("::").next().unwrap_or(ty);
    classify(ty).map(|_| ty.to_string())
}

pub(super) fn call(node: &N<'_>, out: &mut Vec<Hit>) {
    let Some(f) = node.field_of("function") else {
        return;
    };
    let name = match f.kind().as_ref() {
        "scoped_identifier" => f.field_of("name"),
        "field_expression" => f.field_of("field"),
        _ => None,
    };
    let relevant = name.is_some_and(|n| {
        matches!(
            n.text().as_ref(),
            "compute"
                | "digest"
                | "new_with_prefix"
                | "from"
                | "update"
                | "chain_update"
                | "input"
                | "chain"
        )
    });
    if !(relevant || f.kind() == "identifier" && f.text() == "digest") {
        return;
    }
    let Some(arg) = first_arg(node) else { return };
    match f.kind().as_ref() {
        "scoped_identifier" | "identifier" => {
            let path = f.text().to_string();
            let (ty, func) = path.rsplit_once("::").unwrap_or(("", &path));
            let ty_last = ty.rsplit("::").next().unwrap_or(ty).trim_start_matches('<');
            let ty_last = ty_last.split(" as ").next().unwrap_or(ty_last);
            let (speed, data) = match func {
                "compute" if ty_last == "md5" => (Some(Speed::Broken), arg),
                "digest" if ty_last.is_empty() || ty_last == "digest" => {
                    // ring: digest(&digest::SHA256, data)
                    let alg = arg.text().rsplit("::").next().unwrap_or("").to_string();
                    let data = node.field_of("arguments").and_then(|a| {
                        a.named_children()
                            .filter(|c| !c.kind().ends_with("comment"))
                            .nth(1)
                    });
                    match data {
                        Some(d) => (classify(&alg), d),
                        None => return,
                    }
                }
                "digest" | "new_with_prefix" | "from" if !ty_last.is_empty() => {
                    (classify(ty_last), arg)
                }
                _ => return,
            };
            if let (Some(speed), Some(pw)) = (speed, password_in(&data, false, 0)) {
                let who = format!("password value `{pw}`");
                out.push(hit(node.range(), &who, &path, speed));
            }
        }
        "field_expression" => {
            let Some(method) = f.field_of("field") else {
                return;
            };
            if !matches!(
                method.text().as_ref(),
                "update" | "chain_update" | "input" | "chain"
            ) {
                return;
            }
            let Some(recv) = f.field_of("value") else {
                return;
            };
            let Some(ty) = rust_hasher(&recv) else { return };
            if let (Some(speed), Some(pw)) = (classify(&ty), password_in(&arg, false, 0)) {
                let start = if recv.kind() == "identifier" {
                    method.range().start
                } else {
                    node.range().start
                };
                out.push(hit(
                    start..node.range().end,
                    &format!("password value `{pw}`"),
                    &format!("{ty}::{}", method.text()),
                    speed,
                ));
            }
        }
        _ => {}
    }
}

static MACRO_HASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(md5::compute|(?:\w+::)*(?:Md5|Md4|Sha1|Sha224|Sha256|Sha384|Sha512)::digest)\s*\(([^;]*?)\)")
        .unwrap_or_else(|_| unreachable!())
});

/// Macro arguments are token trees, not expressions: `format!("{:x}",
/// md5::compute(password))` is matched on the text.
pub(super) fn macro_args(tt: &N<'_>, out: &mut Vec<Hit>) {
    if tt.ancestors().skip(1).any(|a| a.kind() == "token_tree") {
        return;
    }
    let text = tt.text();
    let base = tt.range().start;
    for caps in MACRO_HASH.captures_iter(&text) {
        let (Some(whole), Some(func), Some(args)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        let ty = func.as_str().rsplit("::").nth(1).unwrap_or("md5");
        let Some(speed) = classify(ty) else { continue };
        let pw = args
            .as_str()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|w| is_pw(w, false));
        if let Some(pw) = pw {
            out.push(hit(
                base + whole.start()..base + whole.end(),
                &format!("password value `{pw}`"),
                func.as_str(),
                speed,
            ));
        }
    }
}
