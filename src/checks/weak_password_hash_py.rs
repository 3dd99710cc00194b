//! Python half of weak-password-hash: hashlib (aliases, `hashlib.new`,
//! hash objects updated later), pycryptodome, cryptography `hashes.Hash`,
//! the built-in `hash()`, passlib scheme objects; frameworks live in
//! `weak_password_hash_frameworks.rs`.

use super::frameworks::{django_hashers, django_make_password, passlib_context, WEAK_PASSLIB};
use super::{classify, hit, password_in, subject, Speed};
use crate::checks::localflow::{reaching_writes, N};
use crate::checks::pyimports::Imports;
use crate::checks::servicectx::{line_suppressed, BROKEN_HASH_CODES};
use crate::checks::Hit;
use crate::parse::fields::FieldOf;
use crate::parse::nodes::NodeIndex;
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use std::collections::HashSet;

pub(super) fn run(file: &ParsedFile, nodes: &NodeIndex<'_>, out: &mut Vec<Hit>) {
    let imports = Imports::collect(nodes);
    // Every name an import statement binds (for aliased functions).
    let imported: HashSet<String> = nodes
        .of_kinds(&["import_statement", "import_from_statement"])
        .flat_map(|n| {
            n.dfs()
                .filter(|i| i.kind() == "identifier")
                .map(|i| i.text().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    for node in nodes.of_kinds(&["call", "assignment"]) {
        match node.kind().as_ref() {
            "call" => call(&node, &imports, &imported, &file.text, out),

            "assignment" => django_hashers(file, &node, out),
            _ => {}
        }
    }
}

pub(super) struct Args<'r> {
    pub(super) positional: Vec<N<'r>>,
    pub(super) keywords: Vec<(String, N<'r>)>,
}

impl<'r> Args<'r> {
    pub(super) fn of(call: &N<'r>) -> Option<Self> {
        let list = call.field_of("arguments")?;
        let mut args = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
        };
        for a in list.named_children() {
            match a.kind().as_ref() {
                "keyword_argument" => {
                    if let (Some(n), Some(v)) = (a.field_of("name"), a.field_of("value")) {
                        args.keywords.push((n.text().to_string(), v));
                    }
                }
                "comment" => {}
                _ => args.positional.push(a),
            }
        }
        Some(args)
    }

    pub(super) fn get(&self, pos: usize, names: &[&str]) -> Option<N<'r>> {
        self.positional.get(pos).cloned().or_else(|| {
            self.keywords
                .iter()
                .find(|(k, _)| names.contains(&k.as_str()))
                .map(|(_, v)| v.clone())
        })
    }
}

pub(super) fn unquote(s: &str) -> &str {
    s.trim_start_matches(['b', 'r', 'u', 'B', 'R', 'U'])
        .trim_matches(['"', '\''])
}

/// `hashlib.md5(...)`, `hashlib.new("sha1")`, `MD5.new()`: the algorithm a
/// Python hash constructor call uses, and where its data argument would be.
fn constructor<'r>(call: &N<'r>, imports: &Imports) -> Option<(String, Option<N<'r>>)> {
    let f = call.field_of("function")?;
    let resolved = imports.resolve(&f.text());
    let args = Args::of(call)?;
    if let Some(name) = resolved.strip_prefix("hashlib.") {
        if name == "new" {
            let alg = args.get(0, &["name"])?;
            return Some((
                unquote(&alg.text()).to_string(),
                args.get(1, &["data", "string"]),
            ));
        }
        return Some((name.to_string(), args.get(0, &["data", "string"])));
    }
    // cryptography: hashes.Hash(hashes.MD5())
    if resolved.ends_with("hashes.Hash") {
        let inner = args.get(0, &["algorithm"])?;
        let callee = inner.field_of("function")?.text().to_string();
        let alg = callee.rsplit('.').next().unwrap_or(&callee);
        return Some((alg.to_string(), None));
    }
    let mut parts = resolved.rsplit('.');
    if parts.next() == Some("new") {
        let alg = parts.next()?;
        let pkg: Vec<&str> = parts.collect();
        if pkg.contains(&"Hash") && (pkg.contains(&"Crypto") || pkg.contains(&"Cryptodome")) {
            return Some((alg.to_string(), args.get(0, &["data"])));
        }
    }
    None
}

/// Callee names worth a closer look, besides hash algorithm names and
/// names bound by an import.
#[rustfmt::skip]
const RELEVANT: &[&str] = &[
    "hash", "update", "encrypt", "genhash", "make_password", "CryptContext", "new", "Hash",
    "digest",
];

fn call(
    node: &N<'_>,
    imports: &Imports,
    imported: &HashSet<String>,
    text: &str,
    out: &mut Vec<Hit>,
) {
    let Some(f) = node.field_of("function") else {
        return;
    };
    let last = match f.kind().as_ref() {
        "attribute" => f.field_of("attribute"),
        "identifier" => Some(f.clone()),
        _ => None,
    };
    let Some(last) = last else { return };
    let last = last.text();
    let relevant = RELEVANT.contains(&last.as_ref())
        || classify(&last).is_some()
        || f.kind() == "identifier" && imported.contains(last.as_ref());
    if !relevant {
        return;
    }
    let Some(args) = Args::of(node) else { return };
    if args
        .keywords
        .iter()
        .any(|(k, v)| k == "usedforsecurity" && v.text() == "False")
    {
        return;
    }
    let ftext = f.text().to_string();
    let resolved = imports.resolve(&ftext);

    // Built-in hash() of a password or secret.
    if f.kind() == "identifier" && ftext == "hash" && resolved == "hash" {
        let in_dunder = node.ancestors().any(|a| {
            a.kind() == "function_definition"
                && a.field_of("name")
                    .is_some_and(|n| n.text().starts_with("__"))
        });
        if in_dunder {
            return;
        }
        if let Some(pw) = args.get(0, &[]).and_then(|a| password_in(&a, true, 0)) {
            out.push(
                Hit::new(
                    node.range(),
                    format!("password value `{pw}` is hashed with the built-in `hash()`, which is not cryptographic and changes between processes"),
                )
                .severity(Severity::Critical),
            );
        }
        return;
    }

    // hmac.new(key, password, hashlib.sha256): keyed, but still one fast round.
    if resolved == "hmac.new" || resolved == "hmac.digest" {
        let alg = args.get(2, &["digestmod", "digest"]).map(|d| {
            let t = d.text();
            unquote(t.rsplit('.').next().unwrap_or(&t)).to_string()
        });
        let data = args.get(1, &["msg"]);
        if let (Some(speed), Some(pw)) = (
            alg.as_deref().and_then(classify),
            data.and_then(|d| password_in(&d, false, 0)),
        ) {
            let who = format!("password value `{pw}`");
            let alg = alg.unwrap_or_default().to_ascii_uppercase();
            out.push(hit(node.range(), &who, &format!("HMAC-{alg}"), speed));
        }
        return;
    }

    if let Some((alg, data)) = constructor(node, imports) {
        let speed = classify(&alg);
        let via = if resolved == "hashlib.new" {
            format!("hashlib.new(\"{alg}\")")
        } else {
            resolved.clone()
        };
        if let (Some(speed), Some(pw)) = (speed, subject(data.as_ref(), node)) {
            out.push(hit(node.range(), &pw, &via, speed));
        } else if speed == Some(Speed::Broken)
            && resolved.starts_with("hashlib.")
            && !non_security_use(node, data.as_ref())
            && !password_update_follows(node)
            // `# noqa: S324 -- cache busting`: already judged harmless.
            && !line_suppressed(text, node.range().start, BROKEN_HASH_CODES)
        {
            out.push(
                Hit::new(
                    node.range(),
                    format!("`{via}` is a broken hash, used here without `usedforsecurity=False`; if it protects anything (passwords, tokens, integrity), use SHA-256 or a password hash"),
                )
                .severity(Severity::Medium)
                .confidence(Confidence::Low),
            );
        }
        return;
    }

    if f.kind() != "attribute" {
        django_make_password(node, &resolved, &args, out);
        passlib_context(&resolved, &args, out);
        return;
    }
    let (Some(method), Some(object)) = (f.field_of("attribute"), f.field_of("object")) else {
        return;
    };
    match method.text().as_ref() {
        // h = hashlib.md5(); h.update(password)
        "update" => {
            let ctor = if object.kind() == "identifier" {
                reaching_writes(&object, &object.text())
                    .pop()
                    .map(|w| w.value)
            } else {
                Some(object.clone())
            };
            let Some(ctor) = ctor.filter(|c| c.kind() == "call") else {
                return;
            };
            let Some((alg, _)) = constructor(&ctor, imports) else {
                return;
            };
            let (Some(speed), Some(pw)) = (
                classify(&alg),
                args.get(0, &[]).and_then(|a| password_in(&a, false, 0)),
            ) else {
                return;
            };
            let start = if object.kind() == "identifier" {
                method.range().start
            } else {
                node.range().start
            };
            let made_by = ctor.text().split_whitespace().collect::<Vec<_>>().join(" ");
            let via = if made_by.chars().count() > 40 {
                format!("{alg} object")
            } else {
                made_by
            };
            out.push(hit(
                start..node.range().end,
                &format!("password value `{pw}`"),
                &via,
                speed,
            ));
        }
        // passlib: md5_crypt.hash(pw), md5_crypt.using(salt_size=8).hash(pw)
        "hash" | "encrypt" | "genhash" => {
            let mut scheme = object.clone();
            if scheme.kind() == "call" {
                match scheme.field_of("function") {
                    Some(g)
                        if g.kind() == "attribute"
                            && g.field_of("attribute").is_some_and(|a| a.text() == "using") =>
                    {
                        let Some(o) = g.field_of("object") else {
                            return;
                        };
                        scheme = o;
                    }
                    _ => return,
                }
            }
            let full = imports.resolve(&scheme.text());
            let Some(name) = full.strip_prefix("passlib.hash.") else {
                return;
            };
            if WEAK_PASSLIB.contains(&name) {
                out.push(
                    Hit::new(node.range(), format!("password hashed with passlib `{name}`, a legacy scheme that offline cracking breaks quickly"))
                        .severity(Severity::Critical),
                );
            }
        }
        _ => {
            django_make_password(node, &resolved, &args, out);
            passlib_context(&resolved, &args, out);
        }
    }
}

/// Names that say an MD5/SHA-1 digest is an identifier, not a protection:
/// ETags, cache keys, checksums of files, sharding, avatars.
#[rustfmt::skip]
const NON_SECURITY: &[&str] = &[
    "etag", "cache", "checksum", "fingerprint", "dedup", "shard", "bucket", "partition",
    "gravatar", "avatar", "colour", "color", "filename", "file_id", "content_id", "slug",
    "lock_id", "lockid", "advisory", "uuid", "apop", "cram",
];

/// Is this MD5/SHA-1 call clearly not protecting anything? Judged by the
/// enclosing function's name, the variable it is assigned to, and file
/// contents as input.
fn non_security_use(call: &N<'_>, data: Option<&N<'_>>) -> bool {
    let names_it = |t: &str| {
        let lower = t.to_ascii_lowercase();
        NON_SECURITY.iter().any(|w| lower.contains(w))
    };
    if data.is_some_and(|d| {
        let t = d.text();
        t.contains(".read(") || t.contains("chunk") || names_it(&t)
    }) {
        return true;
    }
    call.ancestors().any(|a| {
        let named = match a.kind().as_ref() {
            "assignment" => a.field_of("left"),
            "function_definition" | "class_definition" => a.field_of("name"),
            _ => None,
        };
        named.is_some_and(|n| names_it(&n.text()))
    })
}

/// `h = hashlib.sha1()` whose `h.update(password)` is reported on its own.
fn password_update_follows(call: &N<'_>) -> bool {
    let Some(assign) = call.parent().filter(|p| p.kind() == "assignment") else {
        return false;
    };
    let Some(name) = assign.field_of("left").filter(|l| l.kind() == "identifier") else {
        return false;
    };
    let name = name.text().to_string();
    let Some(scope) = crate::checks::localflow::scope_of(call) else {
        return false;
    };
    let found = scope.dfs().any(|n| {
        n.kind() == "call"
            && n.field_of("function").is_some_and(|f| {
                f.kind() == "attribute"
                    && f.field_of("object").is_some_and(|o| o.text() == name)
                    && f.field_of("attribute")
                        .is_some_and(|a| a.text() == "update")
            })
            && n.field_of("arguments")
                .and_then(|a| a.named_children().next())
                .is_some_and(|a| password_in(&a, false, 0).is_some())
    });
    found
}
