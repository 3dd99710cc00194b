//! debug-enabled beyond Python code: a Dockerfile `ENV FLASK_DEBUG=1` or a
//! Kubernetes manifest setting `DJANGO_DEBUG: "True"` / `FLASK_ENV:
//! development` switches debug mode on wherever the image or manifest is
//! deployed. These files often exist in development flavours
//! (`Dockerfile.dev`, `overlays/dev/`, `k8s/local/`), where debug is
//! expected, so any path with a development token in a folder or file name
//! is skipped; a pattern could not see the path. Python files are handed to
//! the settings check ([`super::settings_flags::DEBUG`]).

use super::settings_flags::DEBUG as SETTINGS_DEBUG;
use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::config::{CNode, CValue};
use crate::parse::{Parsed, ParsedFile};

pub struct DebugEnabled;

/// Variables that switch a framework's debug mode on.
const NAMES: &[&str] = &["FLASK_DEBUG", "DJANGO_DEBUG", "FLASK_ENV", "APP_DEBUG"];

/// Development paths: the settings tokens (`local`, `dev`, `test`...) plus
/// deployment sandboxes.
fn is_dev_path(rel: &str) -> bool {
    super::settings_flags::has_dev_token(rel)
        || rel
            .to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|t| t == "sandbox")
}

fn is_on(name: &str, value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    if name == "FLASK_ENV" {
        v == "development"
    } else {
        matches!(v.as_str(), "1" | "true" | "yes" | "on")
    }
}

/// Byte range of `line` (1-based) from `column` (1-based) to the line end.
fn line_range(file: &ParsedFile, line: u32, column: u32) -> std::ops::Range<usize> {
    let line = line as usize;
    let start_of_line = file.lines.line_start(line).min(file.text.len());
    let end = file.text[start_of_line..]
        .find('\n')
        .map_or(file.text.len(), |i| start_of_line + i);
    let mut start = (start_of_line + (column as usize).saturating_sub(1)).min(end);
    while !file.text.is_char_boundary(start) {
        start -= 1;
    }
    start..end
}

fn message(name: &str, value: &str, place: &str) -> String {
    format!("{place} sets `{name}` to `{value}`, turning on debug mode wherever it runs")
}

fn dockerfile(file: &ParsedFile, out: &mut Vec<Hit>) {
    let Parsed::Dockerfile(doc) = &file.parsed else {
        return;
    };
    for ins in doc.final_stage() {
        if !ins.keyword.eq_ignore_ascii_case("ENV") {
            continue;
        }
        let args = ins.args.trim();
        let pairs: Vec<(String, String)> = if args.contains('=') {
            args.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        } else {
            args.split_once(char::is_whitespace)
                .map(|(k, v)| vec![(k.to_string(), v.trim().to_string())])
                .unwrap_or_default()
        };
        for (name, value) in pairs {
            if NAMES.contains(&name.as_str()) && is_on(&name, &value) {
                let value = value.trim_matches(|c| c == '"' || c == '\'');
                out.push(Hit::new(
                    line_range(file, ins.line, 1),
                    message(&name, value, "the image"),
                ));
            }
        }
    }
}

fn manifest(file: &ParsedFile, out: &mut Vec<Hit>) {
    let Some(doc) = file.config() else {
        return;
    };
    let mut stack: Vec<&CNode> = doc.documents.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            CValue::Map(entries) => {
                // `- name: FLASK_DEBUG` / `value: "1"` in a container's env list.
                if let (Some((key, name)), Some(value)) = (node.entry("name"), node.get("value")) {
                    if let (Some(name), Some(value)) = (name.as_str(), value.as_scalar()) {
                        if NAMES.contains(&name) && is_on(name, &value) {
                            out.push(Hit::new(
                                line_range(file, key.line, key.column),
                                message(name, &value, "the manifest"),
                            ));
                        }
                    }
                }
                // `FLASK_DEBUG: "1"` in a ConfigMap's data.
                for (key, value) in entries {
                    if let Some(v) = value.as_scalar() {
                        if NAMES.contains(&key.name.as_str()) && is_on(&key.name, &v) {
                            out.push(Hit::new(
                                line_range(file, key.line, key.column),
                                message(&key.name, &v, "the manifest"),
                            ));
                        }
                    }
                    stack.push(value);
                }
            }
            CValue::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

impl Check for DebugEnabled {
    /// Python is the settings check's; Dockerfiles and manifests always run.
    fn anchors(&self, language: Language) -> Option<&[&'static str]> {
        SETTINGS_DEBUG.anchors(language)
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        match file.language {
            Language::Python => SETTINGS_DEBUG.run(file, out),
            Language::Dockerfile if !is_dev_path(&file.rel_path) => dockerfile(file, out),
            Language::Kubernetes if !is_dev_path(&file.rel_path) => manifest(file, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_paths_and_values() {
        assert!(is_dev_path("docker/Dockerfile.dev"));
        assert!(is_dev_path("k8s/overlays/dev/deployment.yaml"));
        assert!(!is_dev_path("deploy/k8s/deployment.yaml"));
        assert!(!is_dev_path("devops/Dockerfile"));
        assert!(is_on("FLASK_DEBUG", "\"1\""));
        assert!(is_on("FLASK_ENV", "development"));
        assert!(!is_on("FLASK_ENV", "production"));
        assert!(!is_on("DJANGO_DEBUG", "False"));
    }
}
