//! Inline suppressions: `# prodready: ignore[rule-id] reason` (or `//`,
//! `/* */` in C-like languages), with several ids as `ignore[a, b]`.
//!
//! A directive at the end of a code line covers findings that start on that
//! line; a directive alone on its line covers the next line (directives
//! stacked on consecutive lines all cover the first line after them). In
//! code files the marker must sit in a real comment, per the syntax tree.
//!
//! Suppressing is the engine's last step for a file ([`apply`]): covered
//! findings are marked `suppressed`, and the directives themselves are
//! audited as the built-in rule `invalid-suppression`: a directive naming an
//! unknown rule or suppressing nothing is reported here; one without a
//! reason, or malformed, by the rule's Rust check
//! (src/checks/invalid_suppression.rs), which needs only the file.
//! `# nosec` and `# noqa` are not honoured: they were written for other
//! tools' rules (docs/suppressions.md).

use crate::checks::Hit;
use crate::finding::Finding;
use crate::lang::Language;
use crate::parse::config::{CNode, CValue};
use crate::parse::ParsedFile;
use crate::rules::Registry;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// The rule that reports bad suppressions.
pub const RULE_ID: &str = "invalid-suppression";

/// The word every suppression comment contains.
pub const MARKER: &str = "prodready";

static DIRECTIVE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(#|//|/\*)[ \t]*prodready[ \t]*:[ \t]*ignore\b([^\r\n]*)").ok());

/// One `prodready: ignore[...]` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 1-based line of the comment.
    pub line: u32,
    /// 1-based line whose findings it covers.
    pub target: u32,
    /// From the comment marker to the end of the directive.
    pub range: Range<usize>,
    /// Rule ids with their byte ranges.
    pub ids: Vec<(String, Range<usize>)>,
    pub reason: Option<String>,
    /// Set when the directive cannot be read; it then covers nothing.
    pub problem: Option<String>,
}

fn markers(language: Language) -> (bool, bool) {
    // (hash comments, slash comments)
    match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Rust => {
            (false, true)
        }
        Language::Json => (false, true),
        Language::Text => (true, true),
        _ => (true, false),
    }
}

/// Byte ranges of the comments of a code file (empty for other files).
fn comment_ranges(file: &ParsedFile) -> Option<Vec<Range<usize>>> {
    let tree = file.code()?;
    Some(
        tree.root()
            .dfs()
            .filter(|n| n.kind().contains("comment"))
            .map(|n| n.range())
            .collect(),
    )
}

/// The string values of a config file (YAML, TOML, JSON) that mention
/// prodready: a directive quoted inside one is text, not a comment.
fn config_strings(file: &ParsedFile) -> Vec<&str> {
    let Some(doc) = file.config() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack: Vec<&CNode> = doc.documents.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            CValue::String(s) if s.contains("prodready") => out.push(s.as_str()),
            CValue::Seq(items) => stack.extend(items),
            CValue::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    out
}

/// Every directive in `file`, in order.
pub fn parse(file: &ParsedFile) -> Vec<Directive> {
    let text = &file.text;
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let Some(re) = DIRECTIVE.as_ref() else {
        return Vec::new();
    };
    let (hash, slash) = markers(file.language);
    let mut comments: Option<Option<Vec<Range<usize>>>> = None;
    let mut strings: Option<Vec<&str>> = None;
    let mut out = Vec::new();
    for caps in re.captures_iter(text) {
        let (Some(whole), Some(marker), Some(rest)) = (caps.get(0), caps.get(1), caps.get(2))
        else {
            continue;
        };
        let is_hash = marker.as_str() == "#";
        if (is_hash && !hash) || (!is_hash && !slash) {
            continue;
        }
        let comments = comments.get_or_insert_with(|| comment_ranges(file));
        if let Some(ranges) = comments {
            if !ranges
                .iter()
                .any(|r| r.start <= marker.start() && marker.end() <= r.end)
            {
                continue;
            }
        }
        let quoted = strings.get_or_insert_with(|| config_strings(file));
        let head = whole.as_str();
        let head = head.find(']').map_or(head, |e| &head[..=e]);
        if quoted.iter().any(|q| q.contains(head)) {
            continue;
        }
        let (line, _) = file.lines.position(text, marker.start());
        let line_start = file.lines.line_start(line as usize);
        let standalone = text
            .get(line_start..marker.start())
            .is_some_and(|before| before.trim().is_empty());
        let mut directive = Directive {
            line,
            target: if standalone { line + 1 } else { line },
            range: marker.start()..whole.end(),
            ids: Vec::new(),
            reason: None,
            problem: None,
        };
        let body = rest.as_str();
        let body = body.trim_end().trim_end_matches("*/").trim_end();
        let directive_end = rest.start() + body.len();
        directive.range.end = directive_end.max(directive.range.start);
        match body
            .strip_prefix('[')
            .and_then(|b| b.find(']').map(|e| (b, e)))
        {
            Some((inner, close)) => {
                let list_start = rest.start() + 1;
                let mut offset = 0;
                for part in inner[..close].split(',') {
                    let id = part.trim();
                    let lead = part.len() - part.trim_start().len();
                    if !id.is_empty() {
                        let s = list_start + offset + lead;
                        directive.ids.push((id.to_string(), s..s + id.len()));
                    }
                    offset += part.len() + 1;
                }
                if directive.ids.is_empty() {
                    directive.problem = Some("`prodready: ignore[]` names no rule".into());
                }
                let reason = inner[close + 1..]
                    .trim()
                    .trim_start_matches([':', '-', '—', '–'])
                    .trim();
                if !reason.is_empty() {
                    directive.reason = Some(reason.to_string());
                }
            }
            None => {
                directive.problem =
                    Some("malformed suppression: write `prodready: ignore[rule-id] reason`".into());
            }
        }
        out.push(directive);
    }
    // Directives stacked above a line all cover that line.
    let standalone_lines: Vec<u32> = out
        .iter()
        .filter(|d| d.target != d.line)
        .map(|d| d.line)
        .collect();
    for d in &mut out {
        if d.target != d.line {
            while standalone_lines.contains(&d.target) {
                d.target += 1;
            }
        }
    }
    out
}

/// The registry index of the `invalid-suppression` rule, when loaded.
pub fn rule_index(registry: &Registry) -> Option<usize> {
    registry.rules.iter().position(|r| r.meta.id == RULE_ID)
}

/// Mark the findings the file's directives cover, and return the hits of
/// `invalid-suppression` for directives that name an unknown rule or cover
/// nothing (when that rule is loaded).
pub fn apply(
    file: &ParsedFile,
    registry: &Registry,
    findings: &mut [Finding],
) -> Vec<(usize, Hit)> {
    let directives = parse(file);
    if directives.is_empty() {
        return Vec::new();
    }
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.ids.len()])
        .collect();
    for f in findings.iter_mut().filter(|f| f.rule_id != RULE_ID) {
        for (d, used) in directives.iter().zip(used.iter_mut()) {
            if d.target != f.line || d.problem.is_some() {
                continue;
            }
            for ((id, _), u) in d.ids.iter().zip(used.iter_mut()) {
                if *id == f.rule_id {
                    *u = true;
                    f.suppressed = true;
                    if f.suppression_reason.is_none() {
                        f.suppression_reason.clone_from(&d.reason);
                    }
                }
            }
        }
    }
    let Some(idx) = rule_index(registry) else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for (d, used) in directives.iter().zip(&used) {
        if d.problem.is_some() {
            continue;
        }
        for ((id, range), u) in d.ids.iter().zip(used) {
            let message = if registry.get(id).is_none() {
                let ids = registry.rules.iter().map(|r| r.meta.id.as_str());
                match closest(id, ids) {
                    Some(near) => {
                        format!("suppression names unknown rule `{id}` (did you mean `{near}`?)")
                    }
                    None => format!("suppression names unknown rule `{id}`"),
                }
            } else if !*u {
                format!(
                    "`ignore[{id}]` suppresses nothing: no `{id}` finding starts on line {}",
                    d.target
                )
            } else {
                continue;
            };
            hits.push((idx, Hit::new(range.clone(), message)));
        }
    }
    hits
}

/// The candidate nearest to `name` by edit distance, if it is close enough
/// to be a typo (at most 2 edits, or a third of the name).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 2);
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn directives(lang: Language, path: &str, code: &str) -> Vec<Directive> {
        parse(&parse::parse(lang, path.into(), code.into()))
    }

    #[test]
    fn quoted_in_config_strings_is_not_a_directive() {
        let toml = "[[example]]\nbad = \"\"\"\nx = 1  # prodready: ignore[a] why\n\"\"\"\nname = \"web\"  # prodready: ignore[b] real\n";
        let d = directives(Language::Toml, "rules/x.toml", toml);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].ids[0].0, "b");
        let yaml = "a: \"# prodready: ignore[x] y\"\nb: 1  # prodready: ignore[z] w\n";
        let d = directives(Language::Yaml, "c.yaml", yaml);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].ids[0].0, "z");
    }

    #[test]
    fn odd_input_never_panics() {
        let inputs = [
            "# prodready: ignore[",
            "# prodready: ignore[,,,] x",
            "# prodready: ignore[é, ü] ñ\n# prodready: ignore]",
            "x # prodready:ignore[a]b",
            "#prodready : ignore [a] spaced",
            "# prodready: ignore[a]\n# prodready: ignore[b]\n# prodready: ignore[c]",
            "/* prodready: ignore[a] */",
            "// prodready: ignore[a\u{0}] \r\n",
        ];
        for text in inputs {
            for lang in [
                Language::Python,
                Language::Text,
                Language::Rust,
                Language::Toml,
            ] {
                let d = directives(lang, "f", text);
                for x in &d {
                    assert!(x.range.start <= x.range.end && x.range.end <= text.len());
                    for (_, r) in &x.ids {
                        assert!(text.get(r.clone()).is_some());
                    }
                }
            }
        }
        let d = directives(Language::Text, "f", "x # prodready: ignore[,,,] x\n");
        assert!(d[0].problem.is_some());
    }

    #[test]
    fn typos_get_a_suggestion() {
        let ids = ["weak-password-hash", "secret-fallback"];
        assert_eq!(
            closest("weak-pasword-hash", ids.into_iter()),
            Some("weak-password-hash")
        );
        assert_eq!(closest("sql-injection", ids.into_iter()), None);
    }

    #[test]
    fn shares_a_line_with_other_tools_markers() {
        let code = "d = md5(b)  # noqa: S324  # prodready: ignore[weak-password-hash] etag\n";
        let d = directives(Language::Python, "a.py", code);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].reason.as_deref(), Some("etag"));
    }

    #[test]
    fn trailing_and_standalone() {
        let code = "x = 1\ny = hash(pw)  # prodready: ignore[weak-password-hash] legacy data\n# prodready: ignore[a, b] - reasons\n# prodready: ignore[c]\nz = 2\n";
        let d = directives(Language::Python, "app.py", code);
        assert_eq!(d.len(), 3);
        assert_eq!((d[0].line, d[0].target), (2, 2));
        assert_eq!(d[0].ids[0].0, "weak-password-hash");
        assert_eq!(&code[d[0].ids[0].1.clone()], "weak-password-hash");
        assert_eq!(d[0].reason.as_deref(), Some("legacy data"));
        assert_eq!((d[1].line, d[1].target), (3, 5));
        assert_eq!(
            d[1].ids.iter().map(|i| i.0.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(&code[d[1].ids[1].1.clone()], "b");
        assert_eq!(d[1].reason.as_deref(), Some("reasons"));
        assert_eq!((d[2].target, d[2].reason.as_deref()), (5, None));
    }

    #[test]
    fn only_real_comments() {
        let code = "const s = \"// prodready: ignore[x] y\";\nf(); // prodready: ignore[x] y\n/* prodready: ignore[z] why */\ng();\n";
        let d = directives(Language::JavaScript, "a.js", code);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].line, 2);
        assert_eq!((d[1].target, d[1].reason.as_deref()), (4, Some("why")));
        // `#` is not a comment in JavaScript, `//` is not one in Python.
        assert!(
            directives(Language::JavaScript, "a.js", "x # prodready: ignore[x] y\n").is_empty()
        );
        assert!(directives(Language::Python, "a.py", "x = 1 // 2  # no\n").is_empty());
        let bad = directives(Language::Python, "a.py", "x = 1  # prodready: ignore x\n");
        assert!(bad[0].problem.is_some());
    }
}
