//! Stage 3: read, parse and check every file, in parallel.
//!
//! Each file is read once and parsed once; every rule that applies to its
//! language then runs on that one tree: all declarative AST rules in a single
//! depth-first walk (matchers bucketed by node kind), regex rules over the
//! text, Rust checks on the tree. A panic in a parser or rule is caught and
//! the file is reported as skipped; the scan goes on. Results come back in
//! path order, so output is the same whatever the thread count.

use crate::checks::Hit;
use crate::discover::{SkipReason, Skipped, SourceFile};
use crate::finding::{fingerprint, normalize_text, stable_hash, Finding};
use crate::lang::Language;
use crate::parse::lines::{floor_char_boundary, LineIndex};
use crate::parse::{self, ParsedFile};
use crate::paths::is_test_path;
use crate::redact;
use crate::rules::registry::Gates;
use crate::rules::{Case, MatcherKind, Registry, Rule, TestFilePolicy};
use crate::suppress;
use crate::test_code::TestCode;
use crate::timings::{Stage, Timings};
use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::NodeMatch;
use ast_grep_language::SupportLang;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// Files whose average line is longer than this are treated as minified.
const MINIFIED_AVG_LINE: usize = 1000;
/// ...once they are at least this large.
const MINIFIED_MIN_SIZE: usize = 32 * 1024;
/// Snippets show at most this many lines...
const SNIPPET_MAX_LINES: usize = 5;
/// ...of at most this many characters each.
const SNIPPET_MAX_COLS: usize = 240;

/// A remark about one file that did not stop it from being scanned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    pub path: String,
    pub message: String,
}

/// What checking one file produced. Serialized only into the result cache
/// (src/cache.rs), never into a report.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FileOutcome {
    /// Kept in the cache in a form of their own (src/cache.rs).
    #[serde(skip)]
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
    pub skipped: Option<Skipped>,
    /// The language after content sniffing (YAML dialects).
    pub language: Option<Language>,
    pub lines: usize,
    pub bytes: u64,
    /// What this file tells about the project (src/facts/).
    pub facts: Vec<crate::facts::Fact>,
    pub metrics: crate::metrics::FileMetrics,
    /// The per-file time budget ran out: findings may be incomplete.
    #[serde(skip)]
    pub timed_out: bool,
    /// The BLAKE3 hash of the file's bytes, when they were read for a scan
    /// with a result cache.
    #[serde(skip)]
    pub content_hash: Option<blake3::Hash>,
    /// Taken from the result cache rather than checked.
    #[serde(skip)]
    pub from_cache: bool,
}

/// Limits that protect a scan from one pathological file, and where to
/// count the time spent (`scan --timings`).
#[derive(Clone, Copy)]
pub struct Limits<'a> {
    /// Rule matching on one file stops after this long.
    pub file_timeout: Duration,
    pub timings: Option<&'a Timings>,
    /// Outcomes of files unchanged since the last scan (`--cache-dir`).
    pub cache: Option<&'a crate::cache::Cache>,
}

impl Default for Limits<'_> {
    fn default() -> Self {
        Self {
            file_timeout: Duration::from_secs(10),
            timings: None,
            cache: None,
        }
    }
}

/// How often (in visited nodes) the tree walk looks at the clock.
const CLOCK_EVERY: usize = 2048;

/// Check every file; outcomes come back in the order of `files`.
pub fn check_files(
    files: &[SourceFile],
    registry: &Registry,
    limits: Limits<'_>,
) -> Vec<FileOutcome> {
    check_files_reporting(files, registry, limits, &|_| {})
}

/// [`check_files`], calling `done` as each file is finished (from whichever
/// worker finished it).
///
/// Every file is its own task (`with_max_len(1)`): left to split adaptively,
/// rayon handed the last worker a run of files no other worker could steal
/// from, and one core idled for the final 15% of a large scan.
pub fn check_files_reporting(
    files: &[SourceFile],
    registry: &Registry,
    limits: Limits<'_>,
    done: &(dyn Fn(&SourceFile) + Sync),
) -> Vec<FileOutcome> {
    files
        .par_iter()
        .with_max_len(1)
        .map(|file| {
            let outcome = check_one(file, registry, limits);
            done(file);
            outcome
        })
        .collect()
}

/// [`check_file`], with a panic turned into a skipped file.
fn check_one(file: &SourceFile, registry: &Registry, limits: Limits<'_>) -> FileOutcome {
    catch_unwind(AssertUnwindSafe(|| check_file(file, registry, limits))).unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        FileOutcome {
            skipped: Some(Skipped {
                path: file.rel_path.clone(),
                reason: SkipReason::InternalError,
                detail: format!("internal error while checking: {msg}"),
            }),
            ..FileOutcome::default()
        }
    })
}

fn skip(file: &SourceFile, reason: SkipReason, detail: impl Into<String>) -> FileOutcome {
    FileOutcome {
        skipped: Some(Skipped {
            path: file.rel_path.clone(),
            reason,
            detail: detail.into(),
        }),
        ..FileOutcome::default()
    }
}

/// Read, classify, parse and check one file.
pub fn check_file(file: &SourceFile, registry: &Registry, limits: Limits<'_>) -> FileOutcome {
    let started = Instant::now();
    // Debug builds only: lets tests prove that a panic on one file is caught.
    #[cfg(debug_assertions)]
    if let Some(marker) = std::env::var_os("PRODREADY_TEST_PANIC") {
        if file.rel_path.contains(marker.to_string_lossy().as_ref()) {
            panic!("test panic requested for {}", file.rel_path);
        }
    }
    let bytes = match std::fs::read(&file.abs_path) {
        Ok(b) => b,
        Err(e) => return skip(file, SkipReason::Unreadable, e.to_string()),
    };
    // Hashed only for the cache, which stores and finds results by it.
    let content_hash = limits.cache.map(|cache| (cache, blake3::hash(&bytes)));
    if let Some(cached) = content_hash.and_then(|(cache, hash)| cache.take(&file.rel_path, &hash)) {
        return cached;
    }
    let mut outcome = check_bytes(file, bytes, registry, limits, started);
    outcome.content_hash = content_hash.map(|(_, hash)| hash);
    outcome
}

/// [`check_file`] once the bytes are read.
fn check_bytes(
    file: &SourceFile,
    bytes: Vec<u8>,
    registry: &Registry,
    limits: Limits<'_>,
    started: Instant,
) -> FileOutcome {
    let deadline = started + limits.file_timeout;
    let timings = limits.timings;
    let sniff = &bytes[..bytes.len().min(8192)];
    if sniff.contains(&0) {
        return skip(file, SkipReason::Binary, "contains NUL bytes");
    }
    let mut notes = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            notes.push(Note {
                path: file.rel_path.clone(),
                message: format!(
                    "invalid UTF-8 at byte {}; invalid bytes were replaced before checking",
                    e.utf8_error().valid_up_to()
                ),
            });
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    if is_minified(file.language, &text) {
        return skip(
            file,
            SkipReason::Minified,
            "average line longer than 1000 characters",
        );
    }
    let language = if file.language.is_yaml() {
        file.language.refine_yaml(&text)
    } else {
        file.language
    };
    let size = file.size;
    let parse_start = Instant::now();
    if let Some(t) = timings {
        t.stage(Stage::Read, parse_start - started);
    }
    let (parsed, gates) = parse_gated(registry, language, file.rel_path.clone(), text);
    if let Some(t) = timings {
        t.stage(Stage::Parse, parse_start.elapsed());
    }
    notes.extend(parsed.notes.iter().map(|n| Note {
        path: file.rel_path.clone(),
        message: n.clone(),
    }));
    let (findings, complete) =
        check_parsed_gated(&parsed, registry, None, Some(deadline), timings, gates);
    if !complete {
        notes.push(Note {
            path: file.rel_path.clone(),
            message: format!(
                "rule matching stopped after the per-file time budget ({} s, --file-timeout); findings for this file may be incomplete",
                limits.file_timeout.as_secs_f64()
            ),
        });
    }
    let facts_start = Instant::now();
    let facts = crate::facts::extract(&parsed);
    let metrics = crate::metrics::measure(&parsed);
    if let Some(t) = timings {
        t.stage(Stage::FactsAndMetrics, facts_start.elapsed());
    }
    FileOutcome {
        findings,
        notes,
        skipped: None,
        language: Some(language),
        lines: parsed.lines.line_count(),
        bytes: size,
        facts,
        metrics,
        timed_out: !complete,
        ..FileOutcome::default()
    }
}

/// Parse `text` as the check stage does: a test file that no rule could
/// report in from its tree stays unparsed ([`needs_tree_gated`]).
pub fn parse_for(
    registry: &Registry,
    language: Language,
    rel_path: String,
    text: String,
) -> ParsedFile {
    parse_gated(registry, language, rel_path, text).0
}

/// [`parse_for`], also returning the literal scan it did to decide, if it
/// did one, for the check stage to reuse.
fn parse_gated(
    registry: &Registry,
    language: Language,
    rel_path: String,
    text: String,
) -> (ParsedFile, Option<Gates<'_>>) {
    let (wanted, gates) = needs_tree_gated(registry, language, &rel_path, &text);
    let file = if wanted {
        parse::parse(language, rel_path, text)
    } else {
        parse::unparsed(language, rel_path, text)
    };
    (file, gates)
}

/// [`needs_tree_gated`]'s verdict alone.
#[cfg(test)]
fn needs_tree(registry: &Registry, language: Language, rel_path: &str, text: &str) -> bool {
    needs_tree_gated(registry, language, rel_path, text).0
}

/// Must this file be parsed? Also returns the literal scan done to decide,
/// if one was, for the check stage to reuse. Every file is parsed, except a
/// test file of a code language in which nothing that reads a tree could
/// report: no matcher or
/// check of a rule that reports in tests has its words in the file, and no
/// suppression comment needs auditing. Test files are most of many
/// repositories' code and few rules report in them, so this skips most
/// of their parsing; metrics and facts from code describe source files
/// only, so they do not depend on it.
fn needs_tree_gated<'r>(
    registry: &'r Registry,
    language: Language,
    rel_path: &str,
    text: &str,
) -> (bool, Option<Gates<'r>>) {
    if parse::support_lang(language).is_none() || !is_test_path(rel_path) {
        return (true, None);
    }
    // Suppression comments are read from the tree, and audited by every rule.
    if text.contains(suppress::MARKER) {
        return (true, None);
    }
    let Some(index) = registry.ast_index(language) else {
        return (false, None);
    };
    let gates = index.open_gates(text);
    let wanted = index.tree_wanted(&gates, |rule| {
        registry.rules[rule].test_files != TestFilePolicy::Skip
    });
    (wanted, Some(gates))
}

fn is_minified(language: Language, text: &str) -> bool {
    if !matches!(
        language,
        Language::JavaScript | Language::TypeScript | Language::Json | Language::Text
    ) || text.len() < MINIFIED_MIN_SIZE
    {
        return false;
    }
    let lines = text.bytes().filter(|b| *b == b'\n').count() + 1;
    text.len() / lines > MINIFIED_AVG_LINE
}

/// Run the registry's rules (or only `only`, by index) on a parsed file.
pub fn check_parsed(file: &ParsedFile, registry: &Registry, only: Option<usize>) -> Vec<Finding> {
    check_parsed_until(file, registry, only, None, None).0
}

/// [`check_parsed`] that stops matching at `deadline`; the flag says
/// whether every rule ran to the end.
pub fn check_parsed_until(
    file: &ParsedFile,
    registry: &Registry,
    only: Option<usize>,
    deadline: Option<Instant>,
    timings: Option<&Timings>,
) -> (Vec<Finding>, bool) {
    check_parsed_gated(file, registry, only, deadline, timings, None)
}

/// [`check_parsed_until`] with the file's literal scan, when one was
/// already done (`gates`, from the registry's index for its language).
fn check_parsed_gated<'r>(
    file: &ParsedFile,
    registry: &'r Registry,
    only: Option<usize>,
    deadline: Option<Instant>,
    timings: Option<&Timings>,
    gates: Option<Gates<'r>>,
) -> (Vec<Finding>, bool) {
    let mut complete = true;
    let expired = || deadline.is_some_and(|d| Instant::now() >= d);
    // Auditing suppressions needs every rule's findings (src/suppress.rs).
    let audit_only = only.is_some() && only == suppress::rule_index(registry);
    let only = only.filter(|_| !audit_only);
    let in_tests = is_test_path(&file.rel_path);
    let wanted = |idx: usize| {
        only.is_none_or(|o| o == idx)
            && !(in_tests && registry.rules[idx].test_files == TestFilePolicy::Skip)
    };
    let mut hits: Vec<(usize, Hit)> = Vec::new();
    let index = registry.ast_index(file.language);
    let gates = gates.or_else(|| index.map(|index| index.open_gates(&file.text)));

    if let Some(nodes) = file.nodes() {
        if let (Some(index), Some(gates)) = (index, &gates) {
            for (visited, node) in nodes.all().enumerate() {
                if visited % CLOCK_EVERY == CLOCK_EVERY - 1 && expired() {
                    complete = false;
                    break;
                }
                let Some(refs) = index.by_kind.get(usize::from(node.kind_id())) else {
                    continue;
                };
                for r in refs {
                    if !wanted(r.rule)
                        || r.gate.is_some_and(|g| !gates.file_open(g))
                        || r.node_gate
                            .is_some_and(|g| !gates.node_open(g, node.range()))
                    {
                        continue;
                    }
                    let rule = &registry.rules[r.rule];
                    let matcher = &rule.matchers[r.matcher];
                    let MatcherKind::Ast(cores) = &matcher.kind else {
                        continue;
                    };
                    let Some((_, core)) = cores.get(r.core) else {
                        continue;
                    };
                    let tried = timings.map(|_| Instant::now());
                    if let Some(hit) = core
                        .match_node(node.clone())
                        .and_then(|m| ast_hit(rule, r.matcher, r.core, &m))
                    {
                        hits.push((r.rule, hit));
                    }
                    if let (Some(t), Some(tried)) = (timings, tried) {
                        t.rule(r.rule, tried.elapsed());
                    }
                }
            }
        }
    }

    for (idx, rule) in registry.rules.iter().enumerate() {
        if !wanted(idx) || !rule.applies_to(file.language) {
            continue;
        }
        if expired() {
            complete = false;
            break;
        }
        // Tree patterns were timed node by node above.
        let rule_start = timings
            .filter(|_| {
                rule.check.is_some()
                    || rule
                        .matchers
                        .iter()
                        .any(|m| matches!(m.kind, MatcherKind::Regex(_)))
            })
            .map(|_| Instant::now());
        for (mi, matcher) in rule.matchers.iter().enumerate() {
            if let MatcherKind::Regex(re) = &matcher.kind {
                if matcher.applies_to(file.language) {
                    for caps in re.captures_iter(&file.text) {
                        hits.push((idx, regex_hit(rule, mi, re, &caps)));
                    }
                }
            }
        }
        if let Some(check) = rule.check {
            let gate = index.and_then(|i| i.check_gate(idx));
            if gate.is_none_or(|g| gates.as_ref().is_none_or(|gs| gs.file_open(g))) {
                let mut out = Vec::new();
                check.run(file, &mut out);
                hits.extend(out.into_iter().map(|h| (idx, h)));
            }
        }
        if let (Some(t), Some(start)) = (timings, rule_start) {
            t.rule(idx, start.elapsed());
        }
    }

    // Test code in a source file (a Rust test module) gets the policy a
    // test file gets; in a test file, rules that skip tests never ran.
    let test_code = TestCode::of(file, in_tests);
    hits.retain(|(idx, hit)| {
        registry.rules[*idx].test_files != TestFilePolicy::Skip
            || !test_code.covers(hit.start, hit.end)
    });
    let mut findings = to_findings(file, registry, &test_code, hits);
    let audit = suppress::apply(file, registry, &mut findings);
    // After a timeout some suppressions look unused only because their rule
    // never ran: do not report them.
    if only.is_none() && complete {
        findings.extend(to_findings(file, registry, &test_code, audit));
    }
    if audit_only {
        findings.retain(|f| f.rule_id == suppress::RULE_ID);
    }
    (findings, complete)
}

type Match<'t> = NodeMatch<'t, StrDoc<SupportLang>>;

/// Strip the quotes of a string literal so messages read `API_KEY`, not `"API_KEY"`.
fn unquote(text: &str) -> &str {
    let t = text.trim();
    let body = t.trim_start_matches(['f', 'r', 'b', 'u', 'F', 'R', 'B', 'U']);
    let body = if body.len() < t.len() && body.starts_with(['"', '\'']) {
        body
    } else {
        t
    };
    for q in ["\"\"\"", "\'\'\'", "\"", "'", "`"] {
        if body.len() >= 2 * q.len() && body.starts_with(q) && body.ends_with(q) {
            return &body[q.len()..body.len() - q.len()];
        }
    }
    t
}

/// One line, at most 60 characters: what a message may quote of the code.
fn short(text: &str) -> String {
    let one_line = normalize_text(text);
    if one_line.chars().count() > 60 {
        let mut s: String = one_line.chars().take(57).collect();
        s.push_str("...");
        s
    } else {
        one_line
    }
}

/// Fill `$NAME` / `$$$NAME` in a message template with `lookup(NAME)`.
pub fn fill_template(template: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = rest[pos..].trim_start_matches('$');
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let dollars = rest[pos..].len() - after.len();
        match (name.is_empty(), lookup(name)) {
            (false, Some(value)) => out.push_str(&value),
            _ => out.push_str(&rest[pos..pos + dollars + name_len]),
        }
        rest = &after[name_len..];
    }
    out.push_str(rest);
    out
}

/// The first of `cases` whose `when` rules the match's captured nodes satisfy
/// (for the `core`-th language the matcher was compiled for).
fn first_case<'c>(cases: &'c [Case], core: usize, m: &Match<'_>) -> Option<&'c Case> {
    let env = m.get_env();
    cases.iter().find(|case| {
        case.when.get(core).is_some_and(|when| {
            when.iter().all(|(var, rule)| {
                env.get_match(var)
                    .is_some_and(|node| rule.match_node(node.clone()).is_some())
            })
        })
    })
}

/// The finding an AST match makes, if any (a matcher with cases drops a
/// match none of them accepts).
fn ast_hit(rule: &Rule, mi: usize, core: usize, m: &Match<'_>) -> Option<Hit> {
    let matcher = &rule.matchers[mi];
    let case = match matcher.cases.as_slice() {
        [] => None,
        cases => Some(first_case(cases, core, m)?),
    };
    let env = m.get_env();
    let var_text = |name: &str| -> Option<String> {
        if let Some(node) = env.get_match(name) {
            return Some(short(unquote(&node.text())));
        }
        let multi = env.get_multiple_matches(name);
        (!multi.is_empty()).then(|| {
            short(
                &multi
                    .iter()
                    .map(|n| n.text().into_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })
    };
    let template = case
        .and_then(|c| c.message.as_deref())
        .or(matcher.message.as_deref())
        .or(rule.message.as_deref())
        .unwrap_or(&rule.meta.title);
    let message = fill_template(template, var_text);
    let range = matcher
        .report
        .as_deref()
        .and_then(|v| env.get_match(v))
        .map_or_else(|| m.range(), |n| n.range());
    let mut hit = Hit::new(range, message);
    hit.severity = case.and_then(|c| c.severity).or(matcher.severity);
    hit.confidence = case.and_then(|c| c.confidence).or(matcher.confidence);
    let redact = case
        .and_then(|c| c.redact.as_deref())
        .unwrap_or(&matcher.redact);
    for name in redact {
        if let Some(node) = env.get_match(name) {
            hit.secrets
                .push(string_contents(&node.text(), node.range()));
        }
    }
    Some(hit)
}

/// The byte range of a string literal's contents (without quotes/prefix).
fn string_contents(text: &str, range: Range<usize>) -> Range<usize> {
    let inner = unquote(text);
    match text.find(inner) {
        Some(off) if !inner.is_empty() => range.start + off..range.start + off + inner.len(),
        _ => range,
    }
}

fn regex_hit(rule: &Rule, mi: usize, re: &regex::Regex, caps: &regex::Captures<'_>) -> Hit {
    let matcher = &rule.matchers[mi];
    let whole = caps.get(0).map_or(0..0, |m| m.range());
    let group = |name: &str| caps.name(name).map(|m| short(m.as_str()));
    let template = matcher
        .message
        .as_deref()
        .or(rule.message.as_deref())
        .unwrap_or(&rule.meta.title);
    let message = fill_template(template, group);
    let range = matcher
        .report
        .as_deref()
        .and_then(|g| caps.name(g))
        .map_or(whole, |m| m.range());
    let mut hit = Hit::new(range, message);
    hit.severity = matcher.severity;
    hit.confidence = matcher.confidence;
    for name in &matcher.redact {
        if let Some(m) = caps.name(name) {
            hit.secrets.push(m.range());
        }
    }
    let _ = re;
    hit
}

/// Positions, snippets, redaction, test-file policy and fingerprints.
fn to_findings(
    file: &ParsedFile,
    registry: &Registry,
    test_code: &TestCode,
    mut hits: Vec<(usize, Hit)>,
) -> Vec<Finding> {
    hits.sort_by_key(|(r, h)| (h.start, h.end, *r));
    hits.dedup_by(|a, b| a.0 == b.0 && a.1.start == b.1.start && a.1.end == b.1.end);
    let secrets: Vec<Range<usize>> = hits
        .iter()
        .flat_map(|(_, h)| h.secrets.iter().cloned())
        .collect();
    let secret_texts: Vec<&str> = secrets
        .iter()
        .filter_map(|r| file.text.get(r.clone()))
        .collect();
    let scrubber = redact::Scrubber::new(&secret_texts);
    let mut occurrences: HashMap<(usize, String), usize> = HashMap::new();
    let mut out = Vec::with_capacity(hits.len());
    for (ri, hit) in hits {
        let rule = &registry.rules[ri];
        let mut severity = hit.severity.unwrap_or(rule.meta.severity);
        // Hits of rules that skip test code are gone by now.
        if rule.test_files == TestFilePolicy::Lower && test_code.covers(hit.start, hit.end) {
            severity = severity.lowered();
        }
        let text = &file.text;
        let start = floor_char_boundary(text, hit.start);
        let end = floor_char_boundary(text, hit.end.max(hit.start));
        let (line, column) = file.lines.position(text, start);
        let (end_line, end_column) = file.lines.position(text, end);
        let matched = redact::mask_window(text, start..end, &secrets);
        let normalized = normalize_text(&matched);
        let occ = occurrences.entry((ri, normalized.clone())).or_insert(0);
        let fp = fingerprint(&rule.meta.id, &file.rel_path, &normalized, *occ);
        *occ += 1;
        out.push(Finding {
            rule_id: rule.meta.id.clone(),
            title: rule.meta.title.clone(),
            severity,
            confidence: hit.confidence.unwrap_or(rule.meta.confidence),
            category: rule.meta.category,
            cwe: rule.meta.cwe.clone(),
            path: file.rel_path.clone(),
            line,
            column,
            end_line,
            end_column,
            message: scrubber.scrub(&hit.message),
            snippet: snippet(
                text,
                &file.lines,
                line as usize,
                end_line as usize,
                &secrets,
            ),
            fingerprint: fp,
            fix: rule.meta.fix.clone(),
            suppressed: false,
            suppression_reason: None,
            match_hash: format!("{:016x}", stable_hash(&[normalized.as_str()])),
            unless: hit.unless,
        });
    }
    out
}

/// The matched lines, secrets masked, long lines cut.
fn snippet(
    text: &str,
    lines: &LineIndex,
    line: usize,
    end_line: usize,
    secrets: &[Range<usize>],
) -> String {
    let last = end_line.min(line + SNIPPET_MAX_LINES - 1).max(line);
    let start = lines.line_start(line);
    let end = if last >= lines.line_count() {
        text.len()
    } else {
        lines.line_start(last + 1)
    };
    let window = redact::mask_window(text, start..end.max(start), secrets);
    let mut out = String::new();
    for (i, l) in window.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let l = l.trim_end_matches('\r');
        if l.chars().count() > SNIPPET_MAX_COLS {
            out.extend(l.chars().take(SNIPPET_MAX_COLS));
            out.push('…');
        } else {
            out.push_str(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Registry {
        Registry::load(&[] as &[&str]).unwrap_or_else(|_| panic!("built-in rules load"))
    }

    #[test]
    fn test_files_are_parsed_only_when_a_rule_could_report() {
        let registry = builtin();
        let py = Language::Python;
        let plain =
            "def test_total(client):\n    assert client.get('/cart').json()['total'] == 3\n";
        assert!(!needs_tree(&registry, py, "tests/test_cart.py", plain));
        // The same text outside tests is parsed: every rule runs there.
        assert!(needs_tree(&registry, py, "app/cart.py", plain));
        // A suppression comment is audited, so it needs the tree.
        let suppressed = format!("{plain}x = 1  # prodready: ignore[print-logging] demo\n");
        assert!(needs_tree(&registry, py, "tests/test_cart.py", &suppressed));
        // Config and text files are always parsed (cheaply).
        assert!(needs_tree(
            &registry,
            Language::Dockerfile,
            "tests/Dockerfile",
            "FROM x\n"
        ));
        // Without the literal gates every test file is parsed.
        let ungated = builtin().without_prefilters();
        assert!(needs_tree(&ungated, py, "tests/test_cart.py", plain));
    }

    #[test]
    fn unparsed_test_files_still_get_text_rules() {
        let registry = builtin();
        let Ok(dir) = tempfile::tempdir() else {
            panic!("a temporary folder");
        };
        let path = dir.path().join("tests").join("test_client.py");
        let _ = std::fs::create_dir_all(dir.path().join("tests"));
        let token = ["ghp_", "Tq7Zr2Lx9Vb4Nw7Kc1mPy6Ud3Hs8Ef5Ga0Jb"].concat();
        let code = format!("TOKEN = \"{token}\"\n\ndef test_ok():\n    assert TOKEN\n");
        assert!(std::fs::write(&path, code).is_ok());
        let file = SourceFile {
            abs_path: path.clone(),
            rel_path: "tests/test_client.py".into(),
            language: Language::Python,
            size: 0,
        };
        let out = check_file(&file, &registry, Limits::default());
        let ids: Vec<&str> = out.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(ids, ["leaked-credential"]);
        assert_eq!(out.language, Some(Language::Python));
        assert!(out.facts.is_empty());
        assert_eq!(
            out.metrics.py_functions, 0,
            "test functions are not measured"
        );
    }

    #[test]
    fn templates() {
        let f = |n: &str| (n == "NAME").then(|| "API_KEY".to_string());
        assert_eq!(
            fill_template("env `$NAME` has $$$ARGS and $", f),
            "env `API_KEY` has $$$ARGS and $"
        );
        assert_eq!(unquote("\"API_KEY\""), "API_KEY");
        assert_eq!(unquote("f'x{y}'"), "x{y}");
        assert_eq!(unquote("name"), "name");
    }
}
