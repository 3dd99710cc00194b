//! Python half of weak-password-hash: hashlib (aliases, `hashlib.new`,
//! hash objects updated later), pycryptodome, the built-in `hash()`,
//! passlib legacy schemes and `CryptContext` defaults, Django
//! `PASSWORD_HASHERS` and `make_password` with a weak hasher.

use super::{classify, hit, password_in, subject, Speed};
use crate::checks::localflow::{reaching_writes, N};
use crate::checks::pyimports::Imports;
use crate::checks::Hit;
use crate::parse::{CodeTree, ParsedFile};
use crate::rules::meta::{Confidence, Severity};
use std::collections::HashSet;

/// passlib schemes that are broken, unsalted or plaintext.
const WEAK_PASSLIB: &[&str] = &[
    "md5_crypt",
    "apr_md5_crypt",
    "des_crypt",
    "bsdi_crypt",
    "bigcrypt",
    "crypt16",
    "sun_md5_crypt",
    "plaintext",
    "ldap_plaintext",
    "ldap_md5",
    "ldap_sha1",
    "ldap_salted_md5",
    "ldap_salted_sha1",
    "ldap_hex_md5",
    "ldap_hex_sha1",
    "ldap_des_crypt",
    "ldap_bsdi_crypt",
    "ldap_md5_crypt",
    "hex_md4",
    "hex_md5",
    "hex_sha1",
    "hex_sha256",
    "hex_sha512",
    "mysql323",
    "mysql41",
    "postgres_md5",
    "oracle10",
    "oracle11",
    "lmhash",
    "nthash",
    "msdcc",
    "msdcc2",
    "roundup_plaintext",
    "htdigest",
];

const WEAK_DJANGO: &[&str] = &[
    "MD5PasswordHasher",
    "SHA1PasswordHasher",
    "UnsaltedMD5PasswordHasher",
    "UnsaltedSHA1PasswordHasher",
    "CryptPasswordHasher",
];

pub(super) fn run(file: &ParsedFile, tree: &CodeTree, out: &mut Vec<Hit>) {
    let imports = Imports::collect(tree);
    // Every name an import statement binds (for aliased functions).
    let imported: HashSet<String> = tree
        .root()
        .dfs()
        .filter(|n| {
            matches!(
                n.kind().as_ref(),
                "import_statement" | "import_from_statement"
            )
        })
        .flat_map(|n| {
            n.dfs()
                .filter(|i| i.kind() == "identifier")
                .map(|i| i.text().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    for node in tree.root().dfs() {
        match node.kind().as_ref() {
            "call" => call(&node, &imports, &imported, out),
            "assignment" => django_hashers(file, &node, out),
            _ => {}
        }
    }
}

struct Args<'r> {
    positional: Vec<N<'r>>,
    keywords: Vec<(String, N<'r>)>,
}

impl<'r> Args<'r> {
    fn of(call: &N<'r>) -> Option<Self> {
        let list = call.field("arguments")?;
        let mut args = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
        };
        for a in list.named_children() {
            match a.kind().as_ref() {
                "keyword_argument" => {
                    if let (Some(n), Some(v)) = (a.field("name"), a.field("value")) {
                        args.keywords.push((n.text().to_string(), v));
                    }
                }
                "comment" => {}
                _ => args.positional.push(a),
            }
        }
        Some(args)
    }

    fn get(&self, pos: usize, names: &[&str]) -> Option<N<'r>> {
        self.positional.get(pos).cloned().or_else(|| {
            self.keywords
                .iter()
                .find(|(k, _)| names.contains(&k.as_str()))
                .map(|(_, v)| v.clone())
        })
    }
}

fn unquote(s: &str) -> &str {
    s.trim_start_matches(['b', 'r', 'u', 'B', 'R', 'U'])
        .trim_matches(['"', '\''])
}

/// `hashlib.md5(...)`, `hashlib.new("sha1")`, `MD5.new()`: the algorithm a
/// Python hash constructor call uses, and where its data argument would be.
fn constructor<'r>(call: &N<'r>, imports: &Imports) -> Option<(String, Option<N<'r>>)> {
    let f = call.field("function")?;
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
        let callee = inner.field("function")?.text().to_string();
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
const RELEVANT: &[&str] = &[
    "hash",
    "update",
    "encrypt",
    "genhash",
    "make_password",
    "CryptContext",
    "new",
    "Hash",
];

fn call(node: &N<'_>, imports: &Imports, imported: &HashSet<String>, out: &mut Vec<Hit>) {
    let Some(f) = node.field("function") else {
        return;
    };
    let last = match f.kind().as_ref() {
        "attribute" => f.field("attribute"),
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
                && a.field("name").is_some_and(|n| n.text().starts_with("__"))
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
    let (Some(method), Some(object)) = (f.field("attribute"), f.field("object")) else {
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
                match scheme.field("function") {
                    Some(g)
                        if g.kind() == "attribute"
                            && g.field("attribute").is_some_and(|a| a.text() == "using") =>
                    {
                        let Some(o) = g.field("object") else { return };
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

/// `make_password(pw, salt, "md5")` / `make_password(pw, hasher="sha1")`.
fn django_make_password(node: &N<'_>, resolved: &str, args: &Args<'_>, out: &mut Vec<Hit>) {
    if resolved.ends_with("generate_password_hash") {
        werkzeug_method(node, args, out);
        return;
    }
    if !resolved.ends_with("make_password") {
        return;
    }
    let Some(hasher) = args.get(2, &["hasher"]) else {
        return;
    };
    let name = unquote(&hasher.text()).to_string();
    if matches!(
        name.as_str(),
        "md5" | "sha1" | "unsalted_md5" | "unsalted_sha1" | "crypt"
    ) {
        out.push(
            Hit::new(node.range(), format!("password hashed by `make_password` with the `{name}` hasher, a fast legacy hash"))
                .severity(Severity::Critical),
        );
    }
}

/// Werkzeug `generate_password_hash(pw, method="sha256")`: old Werkzeug
/// took a bare digest name for one salted round; `plain` stores cleartext.
fn werkzeug_method(node: &N<'_>, args: &Args<'_>, out: &mut Vec<Hit>) {
    let Some(method) = args.get(1, &["method"]) else {
        return;
    };
    if !matches!(method.kind().as_ref(), "string") {
        return;
    }
    let name = unquote(&method.text()).to_string();
    let base = name.strip_prefix("sha1$").unwrap_or(&name);
    let (message, severity) = if base == "plain" {
        (
            "`generate_password_hash(method=\"plain\")` stores the password in clear text"
                .to_string(),
            Severity::Critical,
        )
    } else {
        match classify(base) {
            Some(speed) => (
                format!("`generate_password_hash(method=\"{name}\")` hashes the password with one salted round of `{base}`, which GPUs try billions of guesses per second against"),
                if speed == Speed::Broken { Severity::Critical } else { Severity::High },
            ),
            None => return,
        }
    };
    out.push(Hit::new(node.range(), message).severity(severity));
}

/// passlib `CryptContext(schemes=["md5_crypt", ...])`: the first scheme (or
/// `default=`) is what new hashes use.
fn passlib_context(resolved: &str, args: &Args<'_>, out: &mut Vec<Hit>) {
    if !resolved.ends_with("CryptContext") {
        return;
    }
    let default = args.get(usize::MAX, &["default"]).or_else(|| {
        args.get(0, &["schemes"])
            .and_then(|s| s.named_children().find(|c| c.kind() == "string"))
    });
    let Some(default) = default else { return };
    let name = unquote(&default.text()).to_string();
    if WEAK_PASSLIB.contains(&name.as_str()) {
        out.push(
            Hit::new(default.range(), format!("passlib `CryptContext` hashes new passwords with `{name}`, a legacy scheme that offline cracking breaks quickly"))
                .severity(Severity::Critical),
        );
    }
}

/// Django `PASSWORD_HASHERS` whose first (default) entry is MD5/SHA-1/crypt.
fn django_hashers(file: &ParsedFile, node: &N<'_>, out: &mut Vec<Hit>) {
    if node
        .field("left")
        .is_none_or(|l| l.text() != "PASSWORD_HASHERS")
    {
        return;
    }
    // Test settings use a fast hasher on purpose.
    let path = file.rel_path.to_ascii_lowercase();
    if path.contains("test") {
        return;
    }
    let Some(list) = node.field("right") else {
        return;
    };
    let Some(first) = list.named_children().find(|c| c.kind() != "comment") else {
        return;
    };
    let text = first.text();
    let class = unquote(&text).rsplit('.').next().unwrap_or("").to_string();
    if WEAK_DJANGO.contains(&class.as_str()) {
        out.push(
            Hit::new(first.range(), format!("Django `PASSWORD_HASHERS` lists `{class}` first, so every new password is stored with a fast legacy hash"))
                .severity(Severity::Critical),
        );
    }
}

/// Names that say an MD5/SHA-1 digest is an identifier, not a protection:
/// ETags, cache keys, checksums of files, sharding, avatars.
const NON_SECURITY: &[&str] = &[
    "etag",
    "cache",
    "checksum",
    "fingerprint",
    "dedup",
    "shard",
    "bucket",
    "partition",
    "gravatar",
    "avatar",
    "colour",
    "color",
    "filename",
    "file_id",
    "content_id",
    "slug",
    "lock_id",
    "lockid",
    "advisory",
    "uuid",
    "apop",
    "cram",
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
            "assignment" => a.field("left"),
            "function_definition" | "class_definition" => a.field("name"),
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
    let Some(name) = assign.field("left").filter(|l| l.kind() == "identifier") else {
        return false;
    };
    let name = name.text().to_string();
    let Some(scope) = crate::checks::localflow::scope_of(call) else {
        return false;
    };
    let found = scope.dfs().any(|n| {
        n.kind() == "call"
            && n.field("function").is_some_and(|f| {
                f.kind() == "attribute"
                    && f.field("object").is_some_and(|o| o.text() == name)
                    && f.field("attribute").is_some_and(|a| a.text() == "update")
            })
            && n.field("arguments")
                .and_then(|a| a.named_children().next())
                .is_some_and(|a| password_in(&a, false, 0).is_some())
    });
    found
}
