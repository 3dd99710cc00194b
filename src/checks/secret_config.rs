//! Secret-named slots in config formats, for `hardcoded-secret` and
//! `secret-placeholder`: `.env` entries, Dockerfile `ENV`/`ARG`, compose
//! `environment:` (map and list forms) and `build.args`, Kubernetes
//! manifests (through [`super::secret_k8s`]), and any secret-named key of
//! other YAML, TOML and JSON files (there only credential-looking values
//! count: see `Place::Config`).

use super::hardcoded_secret::{Candidate, Place};
use super::names;
use crate::lang::Language;
use crate::parse::config::{CNode, CValue};
use crate::parse::lines::floor_char_boundary;
use crate::parse::{Parsed, ParsedFile};
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

pub fn collect(file: &ParsedFile, out: &mut Vec<Candidate>) {
    match &file.parsed {
        Parsed::Dotenv(entries) => {
            for e in entries {
                if !names::is_secret_name(&e.key) {
                    continue;
                }
                let start = file.lines.line_start(e.line as usize);
                let line = file.lines.line_text(&file.text, e.line as usize);
                let col = line
                    .char_indices()
                    .nth(e.value_column.saturating_sub(1) as usize)
                    .map_or(line.len(), |(i, _)| i);
                if let Some(r) = locate(&file.text, start + col, &e.value) {
                    push(out, &e.key, r, Place::Dotenv);
                }
            }
        }
        Parsed::Dockerfile(df) => {
            for inst in &df.instructions {
                let env = match inst.keyword.as_str() {
                    "ENV" => true,
                    "ARG" => false,
                    _ => continue,
                };
                let start = file.lines.line_start(inst.line as usize);
                let end = file.lines.line_start(inst.end_line as usize + 1);
                let end = if end <= start { file.text.len() } else { end };
                for (key, r) in docker_pairs(&file.text, start..end) {
                    if names::is_secret_name(&key) {
                        push(out, &key, r, Place::Dockerfile(env));
                    }
                }
            }
        }
        Parsed::Config(doc) => {
            // Lockfiles name packages (`@inquirer/password: 4.0.23`), never
            // settings: yarn.lock, Cargo.lock, package-lock.json, pnpm-lock.yaml.
            let name = file.rel_path.to_ascii_lowercase();
            if [".lock", "lock.json", "-lock.yaml", "-lock.yml"]
                .iter()
                .any(|end| name.ends_with(end))
            {
                return;
            }
            if in_catalogue_folder(&name)
                && !matches!(file.language, Language::Compose | Language::Kubernetes)
            {
                return;
            }
            for d in &doc.documents {
                match file.language {
                    Language::Compose => compose(file, d, out),
                    Language::Kubernetes => super::secret_k8s::collect(file, d, out),
                    _ => generic(file, d, out),
                }
            }
        }
        _ => {}
    }
}

/// Translation catalogues hold labels, `"label_client_secret":
/// "Client-Geheimnis"`, as JSON or YAML or as JavaScript modules
/// (`static/i18n/de.js`). `path` is lower-case.
pub fn in_catalogue_folder(path: &str) -> bool {
    path.split('/').rev().skip(1).any(|dir| {
        matches!(
            dir,
            "locales" | "locale" | "i18n" | "l10n" | "lang" | "langs" | "translations"
        )
    })
}

pub fn push(out: &mut Vec<Candidate>, name: &str, value: Range<usize>, place: Place) {
    out.push(Candidate {
        name: name.to_string(),
        value,
        place,
        report: None,
    });
}

/// Byte range of `value` at or just after `offset` (skipping a quote).
fn locate(text: &str, offset: usize, value: &str) -> Option<Range<usize>> {
    let first = value.lines().next().unwrap_or("");
    if first.is_empty() {
        return None;
    }
    let from = floor_char_boundary(text, offset);
    let to = floor_char_boundary(text, from.saturating_add(first.len() + 256));
    let window = text.get(from..to)?;
    let p = window.find(first)?;
    Some(from + p..from + p + first.len())
}

/// Byte offset of a config node's position.
fn offset_of(file: &ParsedFile, line: u32, column: u32) -> usize {
    let start = file.lines.line_start(line as usize);
    let text = file.lines.line_text(&file.text, line as usize);
    start
        + text
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| i)
}

pub fn scalar_range(file: &ParsedFile, node: &CNode) -> Option<(String, Range<usize>)> {
    let value = node.as_str()?.to_string();
    let r = locate(&file.text, offset_of(file, node.line, node.column), &value)?;
    Some((value, r))
}

/// `KEY=value` pairs of an `ENV`/`ARG` instruction, or the legacy
/// `ENV KEY value` form, within `span` of the text.
fn docker_pairs(text: &str, span: Range<usize>) -> Vec<(String, Range<usize>)> {
    static PAIR: OnceLock<Option<Regex>> = OnceLock::new();
    static LEGACY: OnceLock<Option<Regex>> = OnceLock::new();
    let mut out = Vec::new();
    let Some(slice) = text.get(span.clone()) else {
        return out;
    };
    let pair = PAIR.get_or_init(|| {
        Regex::new(r#"(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"'\\]+))"#)
            .ok()
    });
    if let Some(re) = pair {
        for c in re.captures_iter(slice) {
            let (Some(k), Some(v)) = (c.get(1), c.get(2).or(c.get(3)).or(c.get(4))) else {
                continue;
            };
            out.push((
                k.as_str().to_string(),
                span.start + v.start()..span.start + v.end(),
            ));
        }
    }
    if out.is_empty() {
        let legacy = LEGACY.get_or_init(|| {
            Regex::new(r"(?i)^\s*ENV\s+([A-Za-z_][A-Za-z0-9_.-]*)\s+(\S[^\r\n]*?)\s*$").ok()
        });
        if let Some(c) = legacy.as_ref().and_then(|re| re.captures(slice)) {
            if let (Some(k), Some(v)) = (c.get(1), c.get(2)) {
                let mut r = v.range();
                let vs = v.as_str();
                if vs.len() >= 2 && (vs.starts_with('"') && vs.ends_with('"')) {
                    r = r.start + 1..r.end - 1;
                }
                out.push((
                    k.as_str().to_string(),
                    span.start + r.start..span.start + r.end,
                ));
            }
        }
    }
    out
}

/// Entries of an environment block: a map, or a list of `KEY=value`.
fn env_entries(file: &ParsedFile, env: &CNode, mut f: impl FnMut(String, Range<usize>)) {
    match &env.value {
        CValue::Map(entries) => {
            for (k, v) in entries {
                if names::is_secret_name(&k.name) {
                    if let Some((_, r)) = scalar_range(file, v) {
                        f(k.name.clone(), r);
                    }
                }
            }
        }
        CValue::Seq(items) => {
            for item in items {
                let Some(s) = item.as_str() else { continue };
                let Some((k, v)) = s.split_once('=') else {
                    continue;
                };
                if !names::is_secret_name(k.trim()) || v.is_empty() {
                    continue;
                }
                let at = offset_of(file, item.line, item.column);
                let key_at = locate(&file.text, at, s).map_or(at, |r| r.start);
                if let Some(r) = locate(&file.text, key_at + k.len() + 1, v) {
                    f(k.trim().to_string(), r);
                }
            }
        }
        _ => {}
    }
}

fn compose(file: &ParsedFile, doc: &CNode, out: &mut Vec<Candidate>) {
    let Some(services) = doc.get("services") else {
        return;
    };
    for (svc, body) in services.entries() {
        let place = || Place::Compose(svc.name.clone());
        if let Some(env) = body.get("environment") {
            env_entries(file, env, |k, r| push(out, &k, r, place()));
        }
        if let Some(args) = body.path(&["build", "args"]) {
            env_entries(file, args, |k, r| push(out, &k, r, place()));
        }
    }
}

/// Any other YAML/TOML/JSON: secret-named keys with string values.
/// package.json tables keyed by package name.
const DEPENDENCY_TABLES: &[&str] = &[
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
    "bundledDependencies",
    "resolutions",
    "overrides",
    "catalog",
    "catalogs",
];

fn generic(file: &ParsedFile, doc: &CNode, out: &mut Vec<Candidate>) {
    // A workflow job's `services:` are containers started for that job and
    // thrown away with it: their `POSTGRES_PASSWORD` guards nothing.
    let workflow = file.language == Language::GithubActions;
    // A package manifest's dependency tables map package names to
    // versions: `"@aws-sdk/credential-providers": "catalog:"`.
    let manifest = file.rel_path.rsplit('/').next() == Some("package.json");
    let mut stack: Vec<&CNode> = vec![doc];
    while let Some(node) = stack.pop() {
        match &node.value {
            CValue::Map(entries) => {
                for (k, v) in entries {
                    if workflow && k.name == "services"
                        || manifest && DEPENDENCY_TABLES.contains(&k.name.as_str())
                    {
                        continue;
                    }
                    if names::is_secret_name(&k.name) {
                        if let Some((_, r)) = scalar_range(file, v) {
                            push(out, &k.name, r, Place::Config);
                        }
                    }
                    stack.push(v);
                }
            }
            CValue::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}
