//! Secret-named slots in Kubernetes manifests, for `hardcoded-secret` and
//! `secret-placeholder`: container `env` values (not `valueFrom`) in any
//! workload, ConfigMap `data`, Secret `stringData` and base64 `data`.

use super::hardcoded_secret::{Candidate, Place};
use super::names;
use super::secret_config::{push, scalar_range};
use crate::parse::config::{CNode, CValue};
use crate::parse::ParsedFile;

pub fn collect(file: &ParsedFile, doc: &CNode, out: &mut Vec<Candidate>) {
    let kind = doc.get("kind").and_then(CNode::as_str).unwrap_or("");
    let name = doc
        .path(&["metadata", "name"])
        .and_then(CNode::as_str)
        .unwrap_or("")
        .to_string();
    let data_place = match kind {
        "ConfigMap" => Some((Place::ConfigMap(name.clone()), "data")),
        "Secret" => Some((Place::K8sSecret(name.clone()), "stringData")),
        _ => None,
    };
    if let Some((place, key)) = data_place {
        if let Some(data) = doc.get(key) {
            for (k, v) in data.entries() {
                if names::is_secret_name(&k.name) || k.name.ends_with(".key") {
                    if let Some((_, r)) = scalar_range(file, v) {
                        push(out, &k.name, r, place.clone());
                    }
                }
            }
        }
        if kind == "Secret" {
            secret_data(file, doc, &name, out);
        }
        return;
    }
    // Containers anywhere (Deployment, CronJob, Pod...): maps with `env`.
    let mut stack: Vec<&CNode> = vec![doc];
    while let Some(node) = stack.pop() {
        match &node.value {
            CValue::Map(entries) => {
                if let Some(env) = node.get("env") {
                    let ct = node.get("name").and_then(CNode::as_str).unwrap_or("?");
                    for item in env.items() {
                        let Some(n) = item.get("name").and_then(CNode::as_str) else {
                            continue;
                        };
                        if !names::is_secret_name(n) || item.get("valueFrom").is_some() {
                            continue;
                        }
                        if let Some((_, r)) = item.get("value").and_then(|v| scalar_range(file, v))
                        {
                            push(out, n, r, Place::Container(ct.to_string()));
                        }
                    }
                }
                stack.extend(entries.iter().map(|(_, v)| v));
            }
            CValue::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

/// A Secret manifest's base64 `data`: reported when the decoded value is a
/// real-looking secret (not empty, a placeholder or a template).
fn secret_data(file: &ParsedFile, doc: &CNode, name: &str, out: &mut Vec<Candidate>) {
    let Some(data) = doc.get("data") else { return };
    for (k, v) in data.entries() {
        if !(names::is_secret_name(&k.name) || k.name.ends_with(".key")) {
            continue;
        }
        let Some((encoded, r)) = scalar_range(file, v) else {
            continue;
        };
        let decoded = base64_decode(encoded.trim()).and_then(|b| String::from_utf8(b).ok());
        let Some(decoded) = decoded else { continue };
        if names::classify_secret_value(&decoded) == names::SecretValue::Literal {
            push(out, &k.name, r, Place::K8sSecret(name.to_string()));
        }
    }
}

/// Standard base64 (with or without padding); `None` on anything else.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = ((acc << 6) | u32::from(v)) & 0x00ff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("Y2hhbmdlbWU="), Some(b"changeme".to_vec()));
        assert_eq!(base64_decode("YWI"), Some(b"ab".to_vec()));
        assert_eq!(base64_decode("not base64!"), None);
    }
}
