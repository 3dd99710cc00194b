//! JavaScript/TypeScript half of weak-password-hash: `createHash(alg)`
//! chains and hash objects updated later, WebCrypto `subtle.digest`,
//! crypto-js and the npm `md5`/`sha1` helpers.

use super::{classify, first_arg, hit, subject};
use crate::checks::localflow::{reaching_writes, N};
use crate::checks::Hit;
use crate::parse::fields::FieldOf;

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
    let f = e.field_of("function")?;
    let name = match f.kind().as_ref() {
        "member_expression" => f.field_of("property")?,
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

pub(super) fn call(node: &N<'_>, out: &mut Vec<Hit>) {
    let Some(f) = node.field_of("function") else {
        return;
    };
    let Some(arg) = first_arg(node) else { return };
    let (name, object) = match f.kind().as_ref() {
        "member_expression" => (f.field_of("property"), f.field_of("object")),
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
        let data = node.field_of("arguments").and_then(|a| {
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
