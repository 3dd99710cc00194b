//! When does a secret-named expression in a log call's arguments put the
//! secret itself in the log? Not when it is measured (`len(token)`),
//! compared (`password is None`), masked or hashed (`mask(key)`), or only
//! dereferenced (`token.expires_at`, `credentials["expiry"]`).

use super::servicectx::Node;
use crate::parse::fields::FieldOf;

const SAFE_WRAPPERS: &[&str] = &[
    "len",
    "bool",
    "type",
    "isinstance",
    "id",
    "mask",
    "redact",
    "hash",
    "sha256",
    "md5",
    "fingerprint",
    "obfuscate",
    "truncate",
    "anonymize",
    "censor",
    "hide",
    "scrub",
    "sanitize",
    "mask_secret",
    "mask_token",
    "hashlib",
    "hmac",
    "startswith",
    "endswith",
    "Boolean",
    "typeof",
    "is_valid",
    "verify",
    "check_password",
    "compare",
    "check",
];

/// Does the call pass anything besides literals (a value a placeholder shows)?
pub fn has_value_argument(args: &Node<'_>) -> bool {
    args.dfs().any(|n| {
        matches!(
            n.kind().as_ref(),
            "identifier"
                | "attribute"
                | "member_expression"
                | "call"
                | "call_expression"
                | "subscript"
        )
    })
}

/// Is the value logged as is (not measured, compared, masked or dereferenced)?
pub fn is_value_use(node: &Node<'_>, stop: &Node<'_>) -> bool {
    let mut child = node.clone();
    for a in node.ancestors() {
        if a.range() == stop.range() {
            return true;
        }
        match a.kind().as_ref() {
            "comparison_operator" | "not_operator" => return false,
            "binary_expression" => {
                let op = a
                    .field_of("operator")
                    .map(|o| o.text().to_string())
                    .unwrap_or_default();
                if matches!(
                    op.as_str(),
                    "==" | "!=" | "===" | "!==" | "instanceof" | "in"
                ) {
                    return false;
                }
            }
            "unary_expression" => {
                let t = a.text();
                if t.starts_with('!') || t.starts_with("typeof") {
                    return false;
                }
            }
            "attribute" | "member_expression"
                if a.field_of("object")
                    .is_some_and(|o| o.range() == child.range()) =>
            {
                return false;
            }
            "call" | "call_expression" => {
                let f = a
                    .field_of("function")
                    .map(|f| f.text().to_string())
                    .unwrap_or_default();
                let last = f.rsplit('.').next().unwrap_or(&f).to_string();
                if a.field_of("function")
                    .is_some_and(|f| f.range() == child.range())
                {
                    return false;
                }
                if SAFE_WRAPPERS.iter().any(|w| {
                    last == *w
                        || last
                            .to_ascii_lowercase()
                            .starts_with(&w.to_ascii_lowercase())
                            && w.len() > 3
                }) {
                    return false;
                }
            }
            // `credentials["expiry_time"]`: an entry of the secret, not the secret.
            "subscript" | "subscript_expression"
                if a.field_of("value")
                    .or_else(|| a.field_of("object"))
                    .is_some_and(|o| o.range() == child.range()) =>
            {
                return false;
            }
            "ternary_expression" | "conditional_expression"
                if a.field_of("condition")
                    .is_some_and(|c| c.range() == child.range()) =>
            {
                return false;
            }
            "conditional_expression" => {
                // Python `x if cond else y`: the middle child is the condition.
                let named: Vec<_> = a.children().filter(|c| c.is_named()).collect();
                if named.get(1).is_some_and(|c| c.range() == child.range()) {
                    return false;
                }
            }
            _ => {}
        }
        child = a;
    }
    true
}
