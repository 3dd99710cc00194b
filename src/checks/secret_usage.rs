//! Secrets found by how they are used rather than by the name they are
//! given, for `hardcoded-secret`: a literal bound to a variable and then
//! passed as a JWT signing key in the same file, and passwords inside
//! connection URLs (`postgres://app:pw@db/app`) in any file.

use super::hardcoded_secret::{Candidate, Place};
use super::secret_code::literal_range;
use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use aho_corasick::AhoCorasick;
use std::ops::Range;
use std::sync::OnceLock;

/// Passwords inside connection URLs (`postgres://app:pw@db/app`), except
/// on lines that read the environment (there the URL is a default and
/// `secret-fallback` owns it) and for default or placeholder passwords.
pub fn url_credentials(file: &ParsedFile, out: &mut Vec<Candidate>) {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(re) = RE
        .get_or_init(|| {
            regex::Regex::new(
                r#"\b(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{1,20})://(?P<user>[^\s:@/'"`$<>{}]{1,64}):(?P<pw>[^\s:@/'"`$<>{}\[\]]{3,128})@(?P<host>[A-Za-z0-9_.-]+)"#,
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
        // A CI job's throwaway database, started on the runner itself.
        let local = c
            .name("host")
            .is_some_and(|h| matches!(h.as_str(), "localhost" | "127.0.0.1" | "0.0.0.0"));
        if local && file.language == Language::GithubActions {
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
            report: None,
        });
    }
}

/// `jwt.sign(payload, KEY)` / `jwt.encode(payload, KEY)` where `KEY` is an
/// identifier bound to a literal in this file: report the call (where the
/// key does its damage) and return the bindings so used, which are then not
/// reported a second time where they are defined.
pub fn signing_keys(file: &ParsedFile, out: &mut Vec<Candidate>) -> Vec<Range<usize>> {
    let mut used = Vec::new();
    let Some(nodes) = file.nodes() else {
        return used;
    };
    if !mentions_signer_module(&file.text) {
        return used;
    }
    let mut bindings: std::collections::HashMap<String, Range<usize>> = Default::default();
    for node in nodes.of_kinds(&["assignment", "variable_declarator"]) {
        let (target, value) = match node.kind().as_ref() {
            "assignment" => (node.field_of("left"), node.field_of("right")),
            "variable_declarator" => (node.field_of("name"), node.field_of("value")),
            _ => continue,
        };
        if let (Some(t), Some(v)) = (target, value) {
            if t.kind() == "identifier" {
                if let Some(r) = literal_range(&v) {
                    bindings.insert(t.text().to_string(), r);
                }
            }
        }
    }
    if bindings.is_empty() {
        return used;
    }
    for node in nodes.of_kinds(&["call", "call_expression"]) {
        let (Some(func), Some(args)) = (node.field_of("function"), node.field_of("arguments"))
        else {
            continue;
        };
        let ftext = func.text().to_string();
        let lower = ftext.to_ascii_lowercase();
        let (module, method) = lower.rsplit_once('.').unwrap_or(("", &lower));
        let module = module.rsplit('.').next().unwrap_or(module);
        let signer = matches!(
            module,
            "jwt" | "jsonwebtoken" | "jsonwt" | "jws" | "jose" | "pyjwt"
        ) && matches!(method, "sign" | "verify" | "encode" | "decode");
        if !signer {
            continue;
        }
        let named: Vec<_> = args.children().filter(|c| c.is_named()).collect();
        let key = named
            .iter()
            .find(|a| {
                a.kind() == "keyword_argument"
                    && a.field_of("name").is_some_and(|n| n.text() == "key")
            })
            .and_then(|a| a.field_of("value"))
            .or_else(|| named.get(1).cloned());
        let Some(key) = key.filter(|k| k.kind() == "identifier") else {
            continue;
        };
        let Some(range) = bindings.get(key.text().as_ref()) else {
            continue;
        };
        let len = range.len();
        if len < 4 {
            continue;
        }
        used.push(range.clone());
        out.push(Candidate {
            name: key.text().to_string(),
            value: range.clone(),
            place: Place::SigningKey(ftext),
            report: Some(key.range()),
        });
    }
    used
}

/// Does the text name a module any signer above belongs to (ASCII case ignored)?
fn mentions_signer_module(text: &str) -> bool {
    static SCANNER: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    SCANNER
        .get_or_init(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(["jwt", "jws", "jose", "jsonwebtoken"])
                .ok()
        })
        .as_ref()
        .is_none_or(|s| s.is_match(text))
}
