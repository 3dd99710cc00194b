//! `insecure-secret-derivation`: a secret read from the environment falls
//! back to *another* secret, or to a value derived from one, when it is
//! missing: `os.getenv("ENCRYPTION_KEY") or SECRET_KEY`,
//! `os.getenv("FERNET_KEY", settings.SECRET_KEY)`,
//! `process.env.REFRESH_SECRET || process.env.JWT_SECRET`. The deployment
//! then runs with one key doing two jobs, silently.
//!
//! Python: `<env read of X> or E`, `os.getenv("X", E)`,
//! `os.environ.get("X", E)`, `config("X", default=E)`, `env("X", default=E)`.
//! JS/TS: `process.env.X || E`, `?? E`, `configService.get("X", E)`.
//! E is reported when it mentions a secret name other than X.

use super::names;
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::Node;
use ast_grep_language::SupportLang;

pub struct SecretDerivation;

type N<'t> = Node<'t, StrDoc<SupportLang>>;

fn unquote(text: &str) -> Option<String> {
    let (a, b) = super::secret_code::contents(text)?;
    text.get(a..b).map(str::to_string)
}

fn norm(s: &str) -> String {
    s.to_ascii_lowercase().replace(['_', '-'], "")
}

/// What a secret is for, without the generic words: `REFRESH_TOKEN_SECRET`
/// → `[refresh]`, `GH_TOKEN` → `[gh]`, `SECRET_KEY` → `[]`.
fn purpose(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        let boundary = matches!(c, '_' | '-' | '.') || (c.is_ascii_uppercase() && prev_lower);
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase();
    }
    words.push(cur);
    const GENERIC: &[&str] = &[
        "secret", "key", "token", "password", "pass", "passwd", "pwd", "api", "app", "env",
        "settings", "config", "access", "auth",
    ];
    words
        .into_iter()
        .filter(|w| !w.is_empty() && !GENERIC.contains(&w.as_str()))
        .collect()
}

/// `gh` for `github`, `db` for `database`: a short word with the same first
/// letter whose letters appear in order in the long one.
fn abbreviates(short: &str, long: &str) -> bool {
    if short == long {
        return true;
    }
    let mut it = long.chars();
    short.len() <= 4
        && short.chars().next() == long.chars().next()
        && short.chars().all(|c| it.any(|l| l == c))
}

/// Two names for the same credential: `GITHUB_TOKEN`/`GH_TOKEN`,
/// `DATABASE_PASSWORD`/`DB_PASSWORD`, `OPENAI_API_KEY`/`OPENAI_KEY`.
fn is_alias(a: &str, b: &str) -> bool {
    let (pa, pb) = (purpose(a), purpose(b));
    if namespaced(&pa, &pb) || namespaced(&pb, &pa) {
        return true;
    }
    if pa.is_empty() || pb.is_empty() || pa.len() != pb.len() {
        return norm(a) == norm(b);
    }
    pa.iter().zip(&pb).all(|(x, y)| {
        let (s, l) = if x.len() <= y.len() { (x, y) } else { (y, x) };
        abbreviates(s, l)
    })
}

/// `UPTIME_KUMA_SSL_KEY` for `SSL_KEY`: the same setting under the
/// application's own prefix. The words before the shared ending must name
/// no purpose of their own (`REFRESH_JWT_SECRET` is not `JWT_SECRET`).
fn namespaced(long: &[String], short: &[String]) -> bool {
    const PURPOSES: &[&str] = &[
        "refresh",
        "access",
        "session",
        "signing",
        "sign",
        "encryption",
        "encrypt",
        "jwt",
        "cookie",
        "csrf",
        "webhook",
        "admin",
        "db",
        "database",
        "redis",
        "mail",
        "smtp",
        "email",
        "internal",
        "private",
        "public",
        "master",
        "root",
        "service",
        "client",
        "server",
        "user",
        "upload",
        "storage",
        "oauth",
        "id",
        "hmac",
        "otp",
        "mfa",
        "reset",
        "invite",
        "verify",
        "verification",
        "backup",
        "cache",
        "queue",
        "preview",
        "test",
        "dev",
        "prod",
        "staging",
        "old",
        "new",
        "next",
        "previous",
        "fallback",
        "legacy",
    ];
    !short.is_empty()
        && long.len() > short.len()
        && long.ends_with(short)
        && long[..long.len() - short.len()]
            .iter()
            .all(|w| !PURPOSES.contains(&w.as_str()))
}

/// The env var a Python/JS env read names, if the node is one, and its
/// default argument when it has one.
fn env_read<'t>(node: &N<'t>) -> Option<(String, Option<N<'t>>)> {
    match node.kind().as_ref() {
        "call" | "call_expression" => {
            let func = node.field_of("function")?.text().to_string();
            let f = func.rsplit('.').next().unwrap_or(&func);
            let reader = matches!(
                func.as_str(),
                "os.getenv"
                    | "getenv"
                    | "os.environ.get"
                    | "environ.get"
                    | "config"
                    | "env"
                    | "env.str"
                    | "decouple.config"
                    | "env::var"
                    | "std::env::var"
                    | "dotenvy::var"
                    | "dotenv::var"
            ) || (f == "get" && func.to_ascii_lowercase().contains("config"));
            let args = node.field_of("arguments")?;
            if func == "getattr" {
                // `getattr(settings, "FERNET_KEY", settings.SECRET_KEY)`
                let named: Vec<N<'t>> = args.children().filter(|c| c.is_named()).collect();
                let name = named.get(1).filter(|n| n.kind() == "string")?;
                return Some((unquote(&name.text())?, named.get(2).cloned()));
            }
            if !reader {
                return None;
            }
            let named: Vec<N<'t>> = args.children().filter(|c| c.is_named()).collect();
            let first = named.first()?;
            if !matches!(first.kind().as_ref(), "string" | "string_literal") {
                return None;
            }
            let name = unquote(&first.text())?;
            let default = named.iter().skip(1).find_map(|a| {
                if a.kind() == "keyword_argument" {
                    let is_default = a.field_of("name").is_some_and(|n| n.text() == "default");
                    return is_default.then(|| a.field_of("value")).flatten();
                }
                // `os.getenv(X, D)`, `configService.get(X, D)`; not `env(X, cast)`.
                (func != "env").then(|| a.clone())
            });
            Some((name, default))
        }
        "member_expression" => (node.field_of("object")?.text() == "process.env")
            .then(|| Some((node.field_of("property")?.text().to_string(), None)))?,
        "subscript_expression" => (node.field_of("object")?.text() == "process.env")
            .then(|| Some((unquote(&node.field_of("index")?.text())?, None)))?,
        _ => None,
    }
}

/// Secret names an expression mentions: identifiers, properties and env
/// var names in string literals; not functions (`secrets.token_hex`).
fn secret_refs(expr: &N<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for n in expr.dfs() {
        let kind = n.kind();
        let name = match kind.as_ref() {
            "identifier" | "property_identifier" | "field_identifier" => n.text().to_string(),
            "string" | "string_literal" => match unquote(&n.text()) {
                Some(s) if s.chars().all(|c| c.is_ascii_uppercase() || c == '_') => s,
                _ => continue,
            },
            _ => continue,
        };
        let is_callee = n.parent().is_some_and(|p| {
            let pk = p.kind();
            let is_call = |c: &N<'_>| matches!(c.kind().as_ref(), "call" | "call_expression");
            (is_call(&p)
                && p.field_of("function")
                    .is_some_and(|f| f.range() == n.range()))
                || (matches!(
                    pk.as_ref(),
                    "attribute" | "member_expression" | "field_expression"
                ) && p
                    .field_of("object")
                    .or_else(|| p.field_of("value"))
                    .is_none_or(|o| o.range() != n.range())
                    && p.parent().is_some_and(|g| {
                        is_call(&g)
                            && g.field_of("function")
                                .is_some_and(|f| f.range() == p.range())
                    }))
        });
        if is_callee || matches!(name.as_str(), "secrets" | "crypto" | "Secrets") {
            continue;
        }
        if names::is_secret_name(&name) {
            out.push(name);
        }
    }
    out
}

/// Rust: `env::var("X").unwrap_or(E)`, `.unwrap_or_else(|_| E)`,
/// `.or_else(|_| E)`, also after `.ok()`.
fn rust_fallback<'t>(node: &N<'t>) -> Option<(String, N<'t>)> {
    let func = node.field_of("function")?;
    if func.kind() != "field_expression" {
        return None;
    }
    let method = func.field_of("field")?.text().to_string();
    if !matches!(
        method.as_str(),
        "unwrap_or" | "unwrap_or_else" | "or_else" | "or"
    ) {
        return None;
    }
    let mut receiver = func.field_of("value")?;
    if let Some(inner) = receiver
        .field_of("function")
        .filter(|f| f.kind() == "field_expression")
        .filter(|f| f.field_of("field").is_some_and(|m| m.text() == "ok"))
        .and_then(|f| f.field_of("value"))
    {
        receiver = inner;
    }
    let (name, _) = env_read(&receiver)?;
    Some((name, node.field_of("arguments")?))
}

fn is_literal(node: &N<'_>) -> bool {
    matches!(
        node.kind().as_ref(),
        "string"
            | "template_string"
            | "integer"
            | "number"
            | "true"
            | "false"
            | "none"
            | "null"
            | "string_literal"
            | "integer_literal"
            | "boolean_literal"
    )
}

fn derived(expr: &N<'_>) -> bool {
    let t = expr.text().to_ascii_lowercase();
    [
        "sha", "md5", "hash", "hmac", "derive", "pbkdf", "scrypt", "blake", "b64", "base64",
    ]
    .iter()
    .any(|w| t.contains(w))
}

impl Check for SecretDerivation {
    /// Every finding starts from `env_read` (directly or through
    /// `rust_fallback`), which accepts only a callee spelled with `env`
    /// (`getenv`, `environ.get`, `env`, `env.str`, `env::var`,
    /// `dotenv::var`), `config` (`config`, `decouple.config`, `*config*.get`)
    /// or `getattr`, or the object `process.env`.
    fn anchors(&self, _language: Language) -> Option<&'static [&'static str]> {
        Some(&["env", "config", "getattr"])
    }

    fn run(&self, file: &crate::parse::ParsedFile, out: &mut Vec<Hit>) {
        let Some(nodes) = file.nodes() else { return };
        for node in nodes.of_kinds(&[
            "boolean_operator",
            "binary_expression",
            "call",
            "call_expression",
        ]) {
            let kind = node.kind();
            let (name, fallback) = match kind.as_ref() {
                "boolean_operator" | "binary_expression" => {
                    let op = node.field_of("operator").map(|o| o.text().to_string());
                    if !matches!(op.as_deref(), Some("or" | "||" | "??")) {
                        continue;
                    }
                    let (Some(left), Some(right)) = (node.field_of("left"), node.field_of("right"))
                    else {
                        continue;
                    };
                    match env_read(&left) {
                        Some((name, _)) => (name, right),
                        _ => continue,
                    }
                }
                "call" | "call_expression" => match env_read(&node) {
                    Some((name, Some(default))) => (name, default),
                    Some(_) => continue,
                    None => match rust_fallback(&node) {
                        Some(found) => found,
                        None => continue,
                    },
                },
                _ => continue,
            };
            if !names::is_secret_name(&name) || is_literal(&fallback) {
                continue;
            }
            let refs = secret_refs(&fallback);
            if refs.iter().any(|r| is_alias(r, &name)) {
                continue;
            }
            let Some(other) = refs.first() else { continue };
            let msg = if derived(&fallback) {
                format!("`{name}` falls back to a value derived from `{other}` when it is not set, so both depend on one secret")
            } else {
                format!("`{name}` falls back to `{other}` when it is not set, so one secret silently does two jobs")
            };
            out.push(Hit::new(fallback.range(), msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    fn hits(lang: Language, code: &str) -> Vec<String> {
        let file = crate::parse::parse(lang, "src/a".into(), code.into());
        let mut out = Vec::new();
        SecretDerivation.run(&file, &mut out);
        out.into_iter().map(|h| h.message).collect()
    }

    #[test]
    fn identifier_fallbacks() {
        let ts = "const c = process.env.COOKIE_SECRET ?? accessSecret;\n";
        assert_eq!(hits(Language::TypeScript, ts).len(), 1, "{ts}");
        let rs = "fn f() { let r = std::env::var(\"REFRESH_SECRET\").unwrap_or_else(|_| jwt_secret.clone()); }\n";
        assert_eq!(hits(Language::Rust, rs).len(), 1, "{rs}");
        let alias = "T = os.getenv(\"GITHUB_TOKEN\") or os.getenv(\"GH_TOKEN\")\n";
        assert!(hits(Language::Python, alias).is_empty(), "{alias}");
        let db = "P = os.getenv(\"DATABASE_PASSWORD\") or settings.DB_PASSWORD\n";
        assert!(hits(Language::Python, db).is_empty(), "{db}");
        assert!(is_alias("OPENAI_API_KEY", "OPENAI_KEY"));
        assert!(!is_alias("REFRESH_TOKEN_SECRET", "JWT_SECRET"));
        assert!(!is_alias("ENCRYPTION_KEY", "SECRET_KEY"));
        assert!(!is_alias("COOKIE_SECRET", "accessSecret"));
        assert!(!is_alias("JWT_REFRESH_SECRET", "JWT_SECRET"));
        assert!(is_alias("GITHUB_TOKEN", "GH_TOKEN"));
        assert!(is_alias("UPTIME_KUMA_SSL_KEY", "SSL_KEY"));
        assert!(is_alias("ACME_JWT_SECRET", "JWT_SECRET"));
        assert!(!is_alias("REFRESH_JWT_SECRET", "JWT_SECRET"));
        assert!(!is_alias("ACME_SESSION_SECRET", "SECRET"));
        let py = "K = os.getenv(\"DATA_KEY\") or SECRET_KEY\n";
        assert_eq!(hits(Language::Python, py).len(), 1);
    }
}
