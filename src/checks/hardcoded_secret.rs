//! `hardcoded-secret` and `secret-placeholder`: a literal value given to a
//! secret-named variable, setting, argument or key. Code (Python, JS/TS,
//! Rust) yields candidates from assignments, declarations, keyword
//! arguments, object/dict entries and struct fields; config formats from
//! [`super::secret_config`]. Each candidate's value is classified once
//! ([`names::classify_secret_value`]): real-looking literals go to
//! `hardcoded-secret`, placeholder words (`changeme`) to
//! `secret-placeholder`, references and template markers nowhere. Values in
//! a known token format are left to `leaked-credential`.

use super::names::{self, SecretValue};
use super::{secret_config, tokens, Check, Hit};
use crate::parse::ParsedFile;
use crate::rules::meta::{Confidence, Severity};
use std::ops::Range;

/// Where a secret-named value was found; decides wording and strictness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Code,
    /// `password == "literal"`: a credential checked against the code.
    Comparison,
    Dotenv,
    /// `ENV` (true) or `ARG` (false).
    Dockerfile(bool),
    Compose(String),
    Container(String),
    ConfigMap(String),
    K8sSecret(String),
    Config,
    /// `scheme://user:password@host`, named by its scheme.
    Url(String),
}

/// A secret-named slot holding a literal.
pub struct Candidate {
    pub name: String,
    /// Byte range of the value's contents (no quotes): reported and redacted.
    pub value: Range<usize>,
    pub place: Place,
}

pub struct HardcodedSecret;
pub struct SecretPlaceholder;

impl Check for HardcodedSecret {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        run(file, SecretValue::Literal, out);
    }
}

impl Check for SecretPlaceholder {
    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        run(file, SecretValue::Placeholder, out);
    }
}

/// `.env.example`, `config.sample.yaml`, `settings.template.json`,
/// `example.env`: config files meant to hold placeholders. Code files never
/// are (rule examples are scanned as `example.py`).
pub fn is_example_file(file: &ParsedFile) -> bool {
    if file.code().is_some() {
        return false;
    }
    let name = file.rel_path.rsplit('/').next().unwrap_or("");
    name.to_ascii_lowercase().split(['.', '-', '_']).any(|seg| {
        matches!(
            seg,
            "example" | "examples" | "sample" | "template" | "dist" | "defaults" | "tmpl" | "tpl"
        )
    })
}

fn run(file: &ParsedFile, want: SecretValue, out: &mut Vec<Hit>) {
    let mut candidates = Vec::new();
    if file.code().is_some() {
        collect_code(file, &mut candidates);
    } else {
        secret_config::collect(file, &mut candidates);
    }
    let example = is_example_file(file);
    if !example {
        url_credentials(file, &mut candidates);
    }
    for c in candidates {
        let Some(value) = file.text.get(c.value.clone()) else {
            continue;
        };
        if value.is_empty()
            || tokens::contains_known(value)
            || super::leaked_credential::is_aws_secret(&c.name, value)
        {
            continue;
        }
        let code = matches!(c.place, Place::Code | Place::Comparison);
        let mut class = names::classify_secret_value(value);
        // Flask's tutorial key: `SECRET_KEY="dev"`.
        if class == SecretValue::Ignore
            && code
            && is_key_only(&c.name)
            && value.len() == 3
            && value.chars().all(|ch| ch.is_ascii_alphanumeric())
        {
            class = SecretValue::Literal;
        }
        // A PIN-like password in code: `passphrase = "1234"`.
        if class == SecretValue::Ignore
            && code
            && names::is_password_name(&c.name)
            && value.len() >= 4
            && value.chars().all(|ch| ch.is_ascii_digit())
        {
            class = SecretValue::Literal;
        }
        if c.place == Place::Comparison && class == SecretValue::Placeholder {
            class = SecretValue::Ignore; // `if KEY == "changeme": raise` is a guard
        }
        if class == SecretValue::Literal && code && !code_value_is_secret(&c.name, value) {
            class = SecretValue::Ignore;
        }
        // Local-development compose files: `POSTGRES_PASSWORD: postgres`.
        if class == SecretValue::Literal
            && matches!(c.place, Place::Compose(_))
            && value.chars().all(|ch| ch.is_ascii_alphabetic())
        {
            class = SecretValue::Ignore;
        }
        let strict = example || matches!(c.place, Place::Config);
        let config_ok = c.place == Place::Config && !example && credential_like(&c.name, value);
        if class == SecretValue::Literal && strict && !names::looks_random(value) && !config_ok {
            class = SecretValue::Ignore;
        }
        if example && class == SecretValue::Placeholder {
            class = SecretValue::Ignore;
        }
        if class != want {
            continue;
        }
        let hit = Hit::new(c.value.clone(), message(&c, want)).secret(c.value.clone());
        let hit = match want {
            SecretValue::Placeholder => hit.severity(Severity::Medium),
            _ if names::looks_random(value) => hit.confidence(Confidence::High),
            _ if matches!(c.place, Place::Compose(_)) => hit.confidence(Confidence::Medium),
            _ => hit,
        };
        out.push(hit);
    }
}

fn message(c: &Candidate, want: SecretValue) -> String {
    let n = &c.name;
    if want == SecretValue::Placeholder {
        return format!(
            "secret `{n}` is set to a placeholder value; a deployment that keeps it runs with a publicly known secret"
        );
    }
    match &c.place {
        Place::Code => format!("`{n}` holds a hardcoded credential; everyone with the code has it"),
        Place::Comparison => {
            format!("`{n}` is compared with a hardcoded value; the credential is in the code")
        }
        Place::Dotenv => format!("committed env file sets secret `{n}` to a literal value"),
        Place::Dockerfile(true) => {
            format!("Dockerfile `ENV` bakes secret `{n}` into every layer of the image")
        }
        Place::Dockerfile(false) => {
            format!("Dockerfile `ARG` default for secret `{n}` is kept in the image history")
        }
        Place::Compose(svc) => {
            format!("compose service `{svc}` sets secret `{n}` to a literal value")
        }
        Place::Container(ct) => format!(
            "container `{ct}` sets secret `{n}` as a literal env value instead of `valueFrom.secretKeyRef`"
        ),
        Place::ConfigMap(cm) => {
            format!("ConfigMap `{cm}` holds secret `{n}` in plain text; use a Secret")
        }
        Place::K8sSecret(s) => {
            format!("Secret manifest `{s}` commits the value of `{n}` to the repository")
        }
        Place::Config => format!("config key `{n}` holds a hardcoded credential"),
        Place::Url(scheme) => {
            format!("`{scheme}` connection URL embeds a hardcoded password")
        }
    }
}

/// Passwords inside connection URLs (`postgres://app:pw@db/app`), except
/// on lines that read the environment (there the URL is a default and
/// `secret-fallback` owns it) and for default or placeholder passwords.
fn url_credentials(file: &ParsedFile, out: &mut Vec<Candidate>) {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(re) = RE
        .get_or_init(|| {
            regex::Regex::new(
                r#"\b(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{1,20})://(?P<user>[^\s:@/'"`$<>{}]{1,64}):(?P<pw>[^\s:@/'"`$<>{}\[\]]{3,128})@[A-Za-z0-9_.-]+"#,
            )
            .ok()
        })
        .as_ref()
    else {
        return;
    };
    for c in re.captures_iter(&file.text) {
        let (Some(scheme), Some(user), Some(pw)) = (c.name("scheme"), c.name("user"), c.name("pw"))
        else {
            continue;
        };
        let p = pw.as_str();
        let weak = ["password", "pass", "passwd", "pwd", "secret", "pw"];
        if p == user.as_str() || weak.contains(&p.to_ascii_lowercase().as_str()) {
            continue;
        }
        let line = file.lines.line_of(pw.start());
        let text = file.lines.line_text(&file.text, line);
        let env_read = [
            "getenv",
            "environ",
            "process.env",
            "config(",
            "env(",
            "env::var",
            "unwrap_or",
            "env.str(",
            ".get(",
        ];
        if env_read.iter().any(|w| text.contains(w)) {
            continue;
        }
        out.push(Candidate {
            name: scheme.as_str().to_string(),
            value: pw.range(),
            place: Place::Url(scheme.as_str().to_string()),
        });
    }
}

/// In a generic config file, a password/secret/token key whose value is a
/// single token mixing letters with digits or symbols (`db_password:
/// s3cret!`), not a word (`password: Passwort`) or prose.
fn credential_like(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let strong = [
        "passw",
        "pwd",
        "secret",
        "token",
        "credential",
        "passphrase",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let v = value.trim();
    // `secretKey: jwt-secret`, `existingSecret: api-secrets`: names of
    // secrets kept elsewhere (Helm values, operators).
    let compact = lower.replace(['_', '-'], "");
    let names_a_secret = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        && ["secret", "pass", "token", "key", "cred"]
            .iter()
            .any(|w| v.contains(w));
    strong
        && !names_a_secret
        && !compact.ends_with("key")
        && v.len() >= 6
        && v.is_ascii()
        && !v.contains(char::is_whitespace)
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && v.chars().any(|c| !c.is_ascii_alphabetic())
        && !v.contains("://")
        && !v.contains('/')
}

/// Names that can only hold a key: any text given to them is one.
fn is_key_only(name: &str) -> bool {
    let compact = name.to_ascii_lowercase().replace(['_', '-'], "");
    [
        "secretkey",
        "signingkey",
        "jwtsecret",
        "sessionsecret",
        "cookiesecret",
        "encryptionkey",
        "hmackey",
    ]
    .iter()
    .any(|w| compact.contains(w))
}

/// Code-only filters: values that are names, messages or formats rather
/// than credentials (`TOKEN_TYPE = "bearer"`, `API_KEY = "api_key"`).
fn code_value_is_secret(name: &str, value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-', '.', ' '], "");
    if norm(v) == norm(name) || norm(v).is_empty() {
        return false;
    }
    const WORDS: &[&str] = &[
        "bearer",
        "basic",
        "digest",
        "token",
        "jwt",
        "hs256",
        "hs512",
        "rs256",
        "es256",
        "sha256",
        "utf-8",
        "utf8",
        "ascii",
        "hex",
        "base64",
        "include",
        "same-origin",
        "omit",
        "required",
        "optional",
        "none",
        "disabled",
        "enabled",
        "password",
        "passwd",
        "pwd",
        "api_key",
        "apikey",
        "access_token",
        "refresh_token",
        "id_token",
    ];
    // OIDs and version numbers: `1.2.840.113549.1.9.4`.
    if v.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return false;
    }
    if WORDS.contains(&lower.as_str()) {
        return false;
    }
    // ENV_VAR_NAME, snake_case / camelCase / dotted identifiers.
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let is_env_name = v.contains('_')
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let is_snake = v.contains(['_', '.'])
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
    let is_camel = v.chars().all(|c| c.is_ascii_alphabetic())
        && v.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && v.chars().any(|c| c.is_ascii_uppercase())
        && v.chars().filter(|c| c.is_ascii_uppercase()).count() <= 3;
    if is_env_name || is_snake || (is_camel && v.chars().all(ident)) {
        return false;
    }
    // Prose and format strings: messages, labels, `Bearer {}`. A name that
    // can only be a key (`secret_key`, `jwt_secret`) takes any text as one:
    // `app.secret_key = "my flask secret"`.
    let compact = name.to_ascii_lowercase().replace(['_', '-'], "");
    if is_key_only(name) && !lower.contains("://") && !lower.contains("{}") && !lower.contains("%s")
    {
        return true;
    }
    // `SYS_KEY = "include"`: a name that is only `*_key` holds a secret
    // only when the value is more than a plain word.
    let strong = [
        "secret",
        "passw",
        "pwd",
        "token",
        "apikey",
        "privatekey",
        "accesskey",
        "credential",
        "signingkey",
        "encryptionkey",
        "authkey",
        "passphrase",
        "masterkey",
        "fernetkey",
        "hmackey",
        "licensekey",
    ]
    .iter()
    .any(|w| compact.contains(w));
    if !strong && v.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let words = v.split_whitespace().count();
    let label = words >= 2
        && lower.split_whitespace().any(|w| {
            ["token", "password", "secret", "key", "passphrase", "api"]
                .contains(&w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        });
    // UI text: "Too short", "Reset password".
    let ui_text = words >= 2 && v.chars().next().is_some_and(|c| c.is_uppercase());
    if words >= 3
        || label
        || ui_text
        || v.ends_with([':', '?'])
        || (words >= 2 && v.ends_with(['.', '!']))
        || v.contains("{}")
        || v.contains("%s")
        || v.contains("{0}")
        || lower.contains("://")
    {
        return false;
    }
    true
}

/// The contents (inside the quotes) of a plain string literal node, or of a
/// literal converted in place (`"x".to_string()`, `String::from("x")`,
/// `"x".encode()`).
fn literal_range(
    node: &ast_grep_core::Node<
        '_,
        ast_grep_core::tree_sitter::StrDoc<ast_grep_language::SupportLang>,
    >,
) -> Option<Range<usize>> {
    let kind = node.kind();
    match kind.as_ref() {
        "string" | "template_string" | "string_literal" | "raw_string_literal" => {
            let interpolated = node.children().any(|c| {
                matches!(
                    c.kind().as_ref(),
                    "interpolation" | "template_substitution" | "escape_sequence"
                )
            });
            if interpolated {
                return None;
            }
            let text = node.text();
            let (a, b) = contents(&text)?;
            let start = node.range().start;
            Some(start + a..start + b)
        }
        "call_expression" | "call" => {
            let func = node.field("function")?;
            let args = node.field("arguments")?;
            let arg_count = args.children().filter(|c| c.is_named()).count();
            let ftext = func.text();
            if ftext == "String::from" && arg_count == 1 {
                let arg = args.children().find(|c| c.is_named())?;
                return literal_range(&arg);
            }
            let method = func
                .field("field")
                .or_else(|| func.field("attribute"))
                .or_else(|| func.field("property"))?;
            let object = func.field("value").or_else(|| func.field("object"))?;
            let conv = ["to_string", "to_owned", "into", "encode", "as_bytes"];
            if arg_count == 0 && conv.contains(&method.text().as_ref()) {
                return literal_range(&object);
            }
            None
        }
        _ => None,
    }
}

/// Byte offsets of a literal's contents: after the prefix and opening
/// quote(s), before the closing ones.
pub fn contents(text: &str) -> Option<(usize, usize)> {
    let open = text.find(['"', '\'', '`'])?;
    let q = text[open..].chars().next()?;
    let triple: String = std::iter::repeat_n(q, 3).collect();
    let (start, tail) = if text[open..].starts_with(&triple) && text.len() >= open + 6 {
        (open + 3, 3)
    } else {
        (open + 1, 1)
    };
    let last = text.rfind(q)?;
    let end = (last + 1).checked_sub(tail)?;
    let closed = text
        .get(end..)
        .is_some_and(|t| t.starts_with(&triple[..tail]));
    (end >= start && closed && text.get(start..end).is_some()).then_some((start, end))
}

fn is_settings_class(
    node: &ast_grep_core::Node<
        '_,
        ast_grep_core::tree_sitter::StrDoc<ast_grep_language::SupportLang>,
    >,
) -> bool {
    node.ancestors().any(|a| {
        a.kind() == "class_definition"
            && a.field("superclasses").is_some_and(|s| {
                let t = s.text();
                t.contains("BaseSettings") || t.contains("BaseConfig") || t.contains("Settings)")
            })
    })
}

/// The name a target expression stands for: `X`, `self.x` → `x`,
/// `app.config["X"]` → `X`.
fn target_name(
    node: &ast_grep_core::Node<
        '_,
        ast_grep_core::tree_sitter::StrDoc<ast_grep_language::SupportLang>,
    >,
) -> Option<String> {
    match node.kind().as_ref() {
        "identifier"
        | "property_identifier"
        | "field_identifier"
        | "shorthand_property_identifier"
        | "private_property_identifier" => Some(node.text().trim_start_matches('#').to_string()),
        "attribute" => node.field("attribute").map(|a| a.text().to_string()),
        "member_expression" => node.field("property").map(|a| a.text().to_string()),
        "field_expression" => node.field("field").map(|a| a.text().to_string()),
        "subscript" | "subscript_expression" => {
            let idx = node.field("subscript").or_else(|| node.field("index"))?;
            let text = idx.text();
            let (a, b) = contents(&text)?;
            text.get(a..b).map(str::to_string)
        }
        "string" => {
            let text = node.text();
            let (a, b) = contents(&text)?;
            text.get(a..b).map(str::to_string)
        }
        _ => None,
    }
}

/// The credential in a literal `Authorization` header value:
/// `"Bearer <token>"`, `"Basic <base64>"`, `"Token <key>"`.
fn bearer_token(file: &ParsedFile, r: Range<usize>) -> Option<Range<usize>> {
    let v = file.text.get(r.clone())?;
    let (scheme, rest) = v.split_once(' ')?;
    let rest_trim = rest.trim();
    let scheme_ok =
        ["bearer", "basic", "token", "apikey"].contains(&scheme.to_ascii_lowercase().as_str());
    if !scheme_ok || rest_trim.len() < 16 || rest_trim.contains([' ', '{', '$', '<']) {
        return None;
    }
    let start = r.start + scheme.len() + 1 + (rest.len() - rest.trim_start().len());
    Some(start..start + rest_trim.len())
}

fn collect_code(file: &ParsedFile, out: &mut Vec<Candidate>) {
    let Some(tree) = file.code() else {
        return;
    };
    for node in tree.root().dfs() {
        let kind = node.kind();
        let (target, value) = match kind.as_ref() {
            // Python / JS / Rust assignments.
            "assignment" | "assignment_expression" => (node.field("left"), node.field("right")),
            "keyword_argument" => (node.field("name"), node.field("value")),
            "default_parameter" | "typed_default_parameter" => {
                (node.field("name"), node.field("value"))
            }
            "pair" => (node.field("key"), node.field("value")),
            "variable_declarator" => (node.field("name"), node.field("value")),
            "public_field_definition" => (node.field("name"), node.field("value")),
            "field_definition" => (node.field("property"), node.field("value")),
            "const_item" | "static_item" => (node.field("name"), node.field("value")),
            "let_declaration" => (node.field("pattern"), node.field("value")),
            "field_initializer" => (node.field("field"), node.field("value")),
            // `password == "root"` (Python) / `token === 'abc'` (JS).
            "comparison_operator" | "binary_expression" => {
                let eq = node
                    .children()
                    .any(|c| matches!(c.kind().as_ref(), "==" | "==="));
                let named: Vec<_> = node.children().filter(|c| c.is_named()).collect();
                if !eq || named.len() != 2 {
                    continue;
                }
                (named.first().cloned(), named.last().cloned())
            }
            _ => continue,
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        let Some(name) = target_name(&target) else {
            continue;
        };
        if name.eq_ignore_ascii_case("authorization") {
            if let Some(r) = literal_range(&value).and_then(|r| bearer_token(file, r)) {
                out.push(Candidate {
                    name,
                    value: r,
                    place: Place::Code,
                });
            }
            continue;
        }
        let comparison = matches!(kind.as_ref(), "comparison_operator" | "binary_expression");
        if !names::is_secret_name(&name)
            || name.eq_ignore_ascii_case("key")
            || (comparison && !names::is_password_name(&name))
        {
            continue;
        }
        if kind == "assignment" && is_settings_class(&node) {
            continue; // pydantic settings defaults belong to secret-fallback
        }
        let Some(range) = literal_range(&value) else {
            continue;
        };
        out.push(Candidate {
            name,
            value: range,
            place: if comparison {
                Place::Comparison
            } else {
                Place::Code
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_contents() {
        assert_eq!(contents("\"abc\""), Some((1, 4)));
        assert_eq!(contents("b'abc'"), Some((2, 5)));
        assert_eq!(contents("\"\"\"abc\"\"\""), Some((3, 6)));
        assert_eq!(contents("r#\"abc\"#"), Some((3, 6)));
        assert_eq!(contents("\"\"\"é\""), None);
        assert_eq!(contents("\"\"\"éa\""), None);
        assert_eq!(contents("abc"), None);
    }
}
