//! weak-password-hash: a password-named value fed to a fast hash — MD5/SHA-1
//! (critical), unsalted SHA-2/SHA-3/BLAKE2 (high) — or to Python's built-in
//! `hash()`. Python resolves import aliases (`from hashlib import md5`,
//! `import hashlib as h`) and also covers passlib legacy schemes, Django
//! `PASSWORD_HASHERS`/`make_password`; JavaScript covers `createHash` chains,
//! hash objects updated later and crypto-js; Rust covers `md5::compute`,
//! `Digest::digest`, `new().update()` hashers and ring. A value counts as a
//! password when its name says so, directly or through a local variable.

use super::localflow::{reaching_writes, N};
use super::names::{is_password_name, is_secret_name};
use super::{Check, Hit};
use crate::lang::Language;
use crate::rules::meta::Severity;
use regex::Regex;
use std::sync::LazyLock;

#[path = "weak_password_hash_py.rs"]
mod python;

pub struct WeakPasswordHash;

impl Check for WeakPasswordHash {
    fn run(&self, file: &crate::parse::ParsedFile, out: &mut Vec<Hit>) {
        let Some(tree) = file.code() else { return };
        super::localflow::begin_file();
        let worth = match file.language {
            Language::Python => &*WORTH_PY,
            Language::Rust => &*WORTH_RS,
            _ => &*WORTH_JS,
        };
        if !worth.is_match(&file.text) {
            return;
        }
        match file.language {
            Language::Python => python::run(file, tree, out),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                for node in tree.root().dfs() {
                    if node.kind() == "call_expression" {
                        javascript(&node, out);
                    }
                }
            }
            Language::Rust => {
                for node in tree.root().dfs() {
                    match node.kind().as_ref() {
                        "call_expression" => rust(&node, out),
                        "token_tree"
                            if node
                                .parent()
                                .is_some_and(|p| p.kind() == "macro_invocation") =>
                        {
                            rust_macro(&node, out)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// Cheap per-file pre-filters: a file that mentions none of these cannot match.
static WORTH_PY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"hashlib|Crypto|cryptography|passlib|PASSWORD_HASHERS|make_password|\bhash\([^)\n]*(?i:passw|pwd|passphrase|secret|token|key|pw)")
        .unwrap_or_else(|_| unreachable!())
});
static WORTH_JS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)createHash|crypto|md5|sha\d").unwrap_or_else(|_| unreachable!())
});
static WORTH_RS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)md5|sha\d|digest").unwrap_or_else(|_| unreachable!()));

/// How bad a hash algorithm is for passwords.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Speed {
    /// MD5, MD4, SHA-1: broken and fast.
    Broken,
    /// SHA-2, SHA-3, BLAKE2: sound digests, but fast and unsalted.
    Fast,
}

pub(crate) fn classify(alg: &str) -> Option<Speed> {
    let a = alg
        .trim_matches(['"', '\'', '`', '&'])
        .to_ascii_lowercase()
        .replace(['-', '_'], "");
    let a = a.strip_prefix("rsa").unwrap_or(&a);
    match a {
        "md5" | "md4" | "md2" | "sha1" | "sha" | "sha1forlegacyuseonly" => Some(Speed::Broken),
        "sha224" | "sha256" | "sha384" | "sha512" | "sha512224" | "sha512256" | "sha3224"
        | "sha3256" | "sha3384" | "sha3512" | "sha3" | "blake2b" | "blake2s" | "blake2b512"
        | "blake2s256" | "blake3" | "ripemd160" | "keccak256" | "sm3" => Some(Speed::Fast),
        _ => None,
    }
}

const NOT_PASSWORD: &[&str] = &[
    "hash", "digest", "reset", "token", "length", "policy", "field", "url", "path", "file", "salt",
    "expir", "strength", "valid", "regex", "pattern", "label", "hint", "changed", "updated", "_at",
    "count", "attempt", "encoder", "manager", "_id", "min_", "max_", "_min", "_max", "verif",
    "check", "compare", "match", "required", "enabled", "rule", "error", "prompt", "mask", "crypt",
    "history",
];

/// `pw`, `pwText`, `user_pw`: the short spelling, as a whole word only.
fn has_pw_word(name: &str) -> bool {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in name.chars() {
        if c == '_' || c == '-' || c.is_ascii_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c != '_' && c != '-' {
            cur.push(c.to_ascii_lowercase());
        }
    }
    words.push(cur);
    words
        .iter()
        .any(|w| matches!(w.as_str(), "pw" | "pwtext" | "pword" | "pws"))
}

fn is_pw(name: &str, secrets_too: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    let secret = secrets_too
        && is_secret_name(name)
        && [
            "secret",
            "apikey",
            "api_key",
            "privatekey",
            "private_key",
            "credential",
        ]
        .iter()
        .any(|w| lower.contains(w));
    (is_password_name(name) || has_pw_word(name) || secret)
        && !NOT_PASSWORD.iter().any(|w| lower.contains(w))
}

/// A place that stores a password (hash): `user.password`, `password_hash`,
/// `setPassword(..)`.
fn is_pw_target(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (is_password_name(name) || has_pw_word(name))
        && ![
            "reset", "token", "length", "policy", "hint", "confirm", "check", "verify", "compare",
            "match",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

fn short(s: &str) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 40 {
        format!("{}...", one.chars().take(37).collect::<String>())
    } else {
        one
    }
}

/// Where the result of a hash call ends up, when that place holds a
/// password: assigned to `user.password`, passed as `password=`, given to
/// `setPassword(..)` — directly or through a local variable.
pub(crate) fn destination(call: &N<'_>) -> Option<String> {
    let mut cur = call.clone();
    for _ in 0..8 {
        let Some(p) = cur.parent() else { break };
        match p.kind().as_ref() {
            "attribute" | "member_expression" | "field_expression" => match p.parent() {
                Some(c) if matches!(c.kind().as_ref(), "call" | "call_expression") => cur = c,
                _ => break,
            },
            "await" | "await_expression" | "parenthesized_expression" => cur = p,
            _ => break,
        }
    }
    let p = cur.parent()?;
    let stored_in = |target: &N<'_>| is_pw_target(&target.text()).then(|| short(&target.text()));
    match p.kind().as_ref() {
        "assignment" | "assignment_expression" | "variable_declarator" => {
            let target = p.field("left").or_else(|| p.field("name"))?;
            if let Some(t) = stored_in(&target) {
                return Some(t);
            }
            if target.kind() != "identifier" {
                return None;
            }
            let name = target.text().to_string();
            let scope = super::localflow::scope_of(&p).or_else(|| p.ancestors().last())?;
            let after = p.range().end;
            let found = scope
                .dfs()
                .filter(|n| {
                    n.range().start >= after && n.kind() == "identifier" && n.text() == name
                })
                .find_map(|n| sink_of(&n));
            found
        }
        _ => sink_of(&cur),
    }
}

/// Is `value` stored into a password place right where it stands?
fn sink_of(value: &N<'_>) -> Option<String> {
    let p = value.parent()?;
    match p.kind().as_ref() {
        "keyword_argument" | "pair" => {
            let key = p.field("name").or_else(|| p.field("key"))?;
            is_pw_target(key.text().trim_matches(['"', '\''])).then(|| short(&key.text()))
        }
        "assignment" | "assignment_expression"
            if p.field("right").is_some_and(|r| r.range() == value.range()) =>
        {
            let target = p.field("left")?;
            is_pw_target(&target.text()).then(|| short(&target.text()))
        }
        "argument_list" | "arguments" => {
            let f = p.parent()?.field("function")?;
            let name = f.text().rsplit(['.', ':']).next().unwrap_or("").to_string();
            let lower = name.to_ascii_lowercase();
            (lower.contains("password") && !lower.contains("check") && !lower.contains("verify"))
                .then(|| format!("{}(..)", short(&f.text())))
        }
        _ => None,
    }
}

/// The expression to quote for a password-named node: `user.password`
/// rather than `password`.
fn quoted(n: &N<'_>) -> String {
    let shown = match n.parent() {
        Some(p)
            if matches!(
                p.kind().as_ref(),
                "attribute"
                    | "member_expression"
                    | "field_expression"
                    | "subscript"
                    | "subscript_expression"
            ) && p.range().end == n.range().end
                || p.kind() == "subscript" =>
        {
            p.text().to_string()
        }
        _ => n.text().to_string(),
    };
    let one = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 40 {
        format!("{}...", one.chars().take(37).collect::<String>())
    } else {
        one
    }
}

/// Does `e` carry a password (by name), directly or through a local
/// variable assigned from one? Returns the expression to quote.
pub(crate) fn password_in(e: &N<'_>, secrets_too: bool, depth: usize) -> Option<String> {
    let mut locals = Vec::new();
    for n in e.dfs() {
        let kind = n.kind();
        match kind.as_ref() {
            "identifier"
            | "property_identifier"
            | "field_identifier"
            | "shorthand_property_identifier" => {
                let text = n.text();
                if is_pw(&text, secrets_too) {
                    return Some(quoted(&n));
                }
                if kind == "identifier" {
                    locals.push(n.clone());
                }
            }
            "string_content" | "string_fragment" => {
                // request.form["password"], data.get("password"), body['pwd']
                let Some(s) = n.parent() else { continue };
                let Some(p) = s.parent() else { continue };
                let keyed = matches!(p.kind().as_ref(), "subscript" | "subscript_expression")
                    || p.kind() == "argument_list"
                        && p.parent()
                            .and_then(|c| c.field("function"))
                            .is_some_and(|f| {
                                f.text().ends_with("get") || f.text().ends_with("getattr")
                            });
                if keyed && is_pw(&n.text(), secrets_too) {
                    return Some(quoted(
                        &s.parent()
                            .filter(|p| p.kind() != "argument_list")
                            .unwrap_or(p),
                    ));
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        return None;
    }
    for id in locals {
        for w in reaching_writes(&id, &id.text()) {
            if let Some(inner) = password_in(&w.value, secrets_too, depth + 1) {
                return Some(inner);
            }
        }
    }
    None
}

/// Who is hashed, as the start of the message: the password argument, or
/// else the password field the result is stored in.
pub(crate) fn subject(data: Option<&N<'_>>, call: &N<'_>) -> Option<String> {
    data.and_then(|d| password_in(d, false, 0))
        .map(|p| format!("password value `{p}`"))
        .or_else(|| destination(call).map(|d| format!("the password stored in `{d}`")))
}

pub(crate) fn hit(range: std::ops::Range<usize>, who: &str, via: &str, speed: Speed) -> Hit {
    match speed {
        Speed::Broken => Hit::new(
            range,
            format!("{who} is hashed with `{via}`, a fast broken hash that offline cracking breaks in hours"),
        )
        .severity(Severity::Critical),
        Speed::Fast => Hit::new(
            range,
            format!("{who} is hashed with `{via}`, a fast unsalted hash that GPUs try billions of guesses per second against"),
        )
        .severity(Severity::High),
    }
}

fn first_arg<'r>(call: &N<'r>) -> Option<N<'r>> {
    call.field("arguments")?
        .named_children()
        .find(|a| !a.kind().ends_with("comment"))
}

/// The algorithm a JS hash object was made with: `createHash('md5')`.
fn js_hash_ctor(e: &N<'_>) -> Option<(String, usize)> {
    let e = if e.kind() == "identifier" {
        reaching_writes(e, &e.text()).pop()?.value
    } else {
        e.clone()
    };
    if e.kind() != "call_expression" {
        return None;
    }
    let f = e.field("function")?;
    let name = match f.kind().as_ref() {
        "member_expression" => f.field("property")?,
        "identifier" => f.clone(),
        _ => return None,
    };
    if name.text() != "createHash" {
        return None;
    }
    let alg = first_arg(&e)?;
    Some((
        alg.text().trim_matches(['"', '\'', '`']).to_string(),
        name.range().start,
    ))
}

fn javascript(node: &N<'_>, out: &mut Vec<Hit>) {
    let Some(f) = node.field("function") else {
        return;
    };
    let Some(arg) = first_arg(node) else { return };
    let (name, object) = match f.kind().as_ref() {
        "member_expression" => (f.field("property"), f.field("object")),
        "identifier" => (Some(f.clone()), None),
        _ => return,
    };
    let Some(name) = name else { return };
    let method = name.text().to_string();
    if method == "digest"
        && object
            .as_ref()
            .is_some_and(|o| o.text().ends_with("subtle"))
    {
        // crypto.subtle.digest("SHA-256", encoder.encode(password))
        let alg = arg.text().trim_matches(['"', '\'', '`']).to_string();
        let data = node.field("arguments").and_then(|a| {
            a.named_children()
                .filter(|c| !c.kind().ends_with("comment"))
                .nth(1)
        });
        if let (Some(speed), Some(who)) =
            (classify(&alg), data.and_then(|d| subject(Some(&d), node)))
        {
            out.push(hit(
                node.range(),
                &who,
                &format!("crypto.subtle.digest('{alg}')"),
                speed,
            ));
        }
        return;
    }
    if method != "update" && classify(&method).is_none() {
        return;
    }
    let end = node.range().end;
    if method == "update" {
        let Some((alg, start)) = object.as_ref().and_then(js_hash_ctor) else {
            return;
        };
        let start = if object.is_some_and(|o| o.kind() == "identifier") {
            name.range().start
        } else {
            start
        };
        if let (Some(speed), Some(pw)) = (classify(&alg), subject(Some(&arg), node)) {
            out.push(hit(start..end, &pw, &format!("createHash('{alg}')"), speed));
        }
        return;
    }
    // crypto-js `CryptoJS.MD5(pw)`, npm `md5(pw)` / `sha1(pw)` / `sha256(pw)`.
    let lib = object.as_ref().map(|o| o.text().to_string());
    let plausible = match &lib {
        Some(l) => l.to_ascii_lowercase().contains("crypto"),
        None => true,
    };
    if !plausible {
        return;
    }
    let Some(speed) = classify(&method) else {
        return;
    };
    if let Some(pw) = subject(Some(&arg), node) {
        let via = lib.map_or(method.clone(), |l| format!("{l}.{method}"));
        out.push(hit(node.range(), &pw, &via, speed));
    }
}

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
    let path = e.field("function")?.text().to_string();
    let (ty, ctor) = path.rsplit_once("::")?;
    if !matches!(ctor, "new" | "default") {
        return None;
    }
    let ty = ty.rsplit("::").next().unwrap_or(ty);
    classify(ty).map(|_| ty.to_string())
}

fn rust(node: &N<'_>, out: &mut Vec<Hit>) {
    let Some(f) = node.field("function") else {
        return;
    };
    let name = match f.kind().as_ref() {
        "scoped_identifier" => f.field("name"),
        "field_expression" => f.field("field"),
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
                    let data = node.field("arguments").and_then(|a| {
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
            let Some(method) = f.field("field") else {
                return;
            };
            if !matches!(
                method.text().as_ref(),
                "update" | "chain_update" | "input" | "chain"
            ) {
                return;
            }
            let Some(recv) = f.field("value") else { return };
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
fn rust_macro(tt: &N<'_>, out: &mut Vec<Hit>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn password_words() {
        assert!(is_pw("password", false) && is_pw("pwText", false) && is_pw("user_pw", false));
        assert!(!is_pw("password_reset_token", false) && !is_pw("pwm", false));
        assert!(!is_pw("key", true) && is_pw("client_secret", true));
        assert!(is_pw_target("passwordHash") && !is_pw_target("password_reset"));
    }

    #[test]
    fn aliases_and_severity() {
        let code = "from hashlib import sha1 as s1, sha256\n\ndef f(password, body):\n    a = s1(password.encode())\n    b = sha256(password.encode())\n    c = s1(body)\n";
        let file = parse(Language::Python, "a.py".into(), code.into());
        let mut out = Vec::new();
        WeakPasswordHash.run(&file, &mut out);
        let sev: Vec<_> = out.iter().map(|h| h.severity).collect();
        // `s1(body)`: a broken hash of something else, reported softly.
        assert_eq!(
            sev,
            [
                Some(Severity::Critical),
                Some(Severity::High),
                Some(Severity::Medium)
            ]
        );
        assert_eq!(out[2].confidence, Some(crate::rules::meta::Confidence::Low));
        assert!(out[0].message.contains("`hashlib.sha1`"));
    }
}
