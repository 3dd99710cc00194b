//! Literal pre-filters for declarative rules, derived from the rules
//! themselves.
//!
//! Most AST matchers can only match where some word appears in the file:
//! `os.getenv($NAME, $D)` needs `getenv`, a `regex = "(?i)jwt"` needs `jwt`,
//! a constraint `NAME: '^"DEBUG"$'` needs `debug`. [`required_literals`]
//! works out such a set (any one of which must be present; ASCII letters
//! compare case-insensitively, other characters exactly, and a class lists
//! every case variant it accepts) from a matcher's rule, its utilities and its
//! constraints. The engine scans each file once for every literal of every
//! matcher (one Aho-Corasick pass) and skips the matchers whose literals are
//! all absent, which on real code is most of them.
//!
//! The derivation only ever claims what must hold: when in doubt (a `not`,
//! a bare `kind`, a regex without a usable literal) it gives no literal and
//! the matcher always runs. Shorter literals than [`MIN_LEN`] are not worth
//! a gate.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Literals shorter than this filter too little to be worth checking.
const MIN_LEN: usize = 3;
/// Cross products of alternatives in a regex stop growing here.
const MAX_SET: usize = 64;
/// Utility references are followed this deep.
const MAX_DEPTH: usize = 16;

/// Any-of set of lowercase literals; `None` when nothing is required.
type Req = Option<Vec<String>>;

/// The literals one of which a file must contain for the matcher `rule`
/// (with its `utils` and `constraints`, all as JSON) to match anywhere in it.
pub fn required_literals(rule: &Value, utils: Option<&Value>, constraints: Option<&Value>) -> Req {
    derive(Scope::File, rule, utils, constraints)
}

/// The literals one of which a node's own text must contain for `rule` to
/// match that node: what [`required_literals`] finds, less what comes from
/// outside the node (`inside`, `precedes`, `follows`, a pattern's context,
/// constraints on variables bound there).
pub fn node_literals(rule: &Value, utils: Option<&Value>, constraints: Option<&Value>) -> Req {
    derive(Scope::Node, rule, utils, constraints)
}

/// Where the derived literals must appear.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    File,
    Node,
}

fn derive(scope: Scope, rule: &Value, utils: Option<&Value>, constraints: Option<&Value>) -> Req {
    let cx = Cx {
        utils: utils.and_then(Value::as_object),
        scope,
    };
    let (mut req, vars) = cx.rule(rule, 0);
    if let Some(constraints) = constraints.and_then(Value::as_object) {
        for (var, c) in constraints {
            // A constraint holds only where its variable is bound.
            if vars.contains(var) {
                req = better(req, cx.rule(c, 0).0);
            }
        }
    }
    req.filter(|set| usable(set))
}

struct Cx<'a> {
    utils: Option<&'a Map<String, Value>>,
    scope: Scope,
}

impl Cx<'_> {
    /// The requirement of a rule object and the metavariables every match binds.
    fn rule(&self, v: &Value, depth: usize) -> (Req, BTreeSet<String>) {
        let mut req: Req = None;
        let mut vars = BTreeSet::new();
        let Some(obj) = v.as_object() else {
            return (None, vars);
        };
        if depth > MAX_DEPTH {
            return (None, vars);
        }
        for (key, value) in obj {
            match key.as_str() {
                "pattern" => {
                    let text = match value {
                        Value::String(s) => Some(s.as_str()),
                        // The selector may pick a node smaller than the context.
                        Value::Object(o) if self.scope == Scope::File => {
                            o.get("context").and_then(Value::as_str)
                        }
                        _ => None,
                    };
                    if let Some(text) = text {
                        req = better(req, pattern_literal(text));
                        vars.extend(pattern_vars(text));
                    }
                }
                "regex" => {
                    if let Some(re) = value.as_str() {
                        req = better(req, regex_literals(re));
                    }
                }
                "inside" | "precedes" | "follows" if self.scope == Scope::Node => {}
                "inside" | "has" | "precedes" | "follows" => {
                    let (r, v) = self.rule(value, depth + 1);
                    req = better(req, r);
                    vars.extend(v);
                }
                "all" => {
                    for child in value.as_array().into_iter().flatten() {
                        let (r, v) = self.rule(child, depth + 1);
                        req = better(req, r);
                        vars.extend(v);
                    }
                }
                "any" => {
                    let mut union: Req = Some(Vec::new());
                    let mut common: Option<BTreeSet<String>> = None;
                    for child in value.as_array().into_iter().flatten() {
                        let (r, v) = self.rule(child, depth + 1);
                        union = match (union, r.filter(|s| usable(s))) {
                            (Some(mut a), Some(b)) => {
                                a.extend(b);
                                Some(a)
                            }
                            _ => None,
                        };
                        common = Some(match common {
                            None => v,
                            Some(c) => c.intersection(&v).cloned().collect(),
                        });
                    }
                    let union = union.filter(|s| !s.is_empty()).map(|mut s| {
                        s.sort();
                        s.dedup();
                        s
                    });
                    req = better(req, union);
                    vars.extend(common.unwrap_or_default());
                }
                "matches" => {
                    let util = value
                        .as_str()
                        .and_then(|id| self.utils.and_then(|u| u.get(id)));
                    if let Some(util) = util {
                        let (r, v) = self.rule(util, depth + 1);
                        req = better(req, r);
                        vars.extend(v);
                    }
                }
                // `not`, `kind`, `nthChild`, `range`, and a relation's
                // `stopBy` / `field` require nothing of the text.
                _ => {}
            }
        }
        (req, vars)
    }
}

/// A set is worth a gate when every literal is long enough.
fn usable(set: &[String]) -> bool {
    !set.is_empty() && set.iter().all(|l| l.len() >= MIN_LEN)
}

/// Of two requirements that both hold, the more selective: the longer
/// shortest literal, then the fewer literals.
fn better(a: Req, b: Req) -> Req {
    let score = |s: &Req| {
        s.as_ref().filter(|s| usable(s)).map(|s| {
            let shortest = s.iter().map(String::len).min().unwrap_or(0);
            (shortest, usize::MAX - s.len())
        })
    };
    match (score(&a), score(&b)) {
        (Some(x), Some(y)) if y > x => b,
        (Some(_), _) => a,
        (None, Some(_)) => b,
        (None, None) => None,
    }
}

/// The words of a pattern that are not metavariables: `os.getenv($N, $D)`
/// has `os` and `getenv`. Every one appears in matched text; the longest
/// is the most selective.
fn pattern_literal(text: &str) -> Req {
    // Words code uses everywhere lose ties: `AES.new(...)` gates on `aes`.
    const COMMON: &[&str] = &[
        "new", "get", "set", "self", "def", "let", "var", "const", "return", "await", "async",
        "none", "true", "false", "null", "this", "data", "value", "key", "str", "int",
    ];
    pattern_words(text)
        .into_iter()
        .filter(|w| w.len() >= MIN_LEN)
        .max_by_key(|w| (w.len(), !COMMON.contains(&w.to_ascii_lowercase().as_str())))
        .map(|w| vec![w.to_ascii_lowercase()])
}

fn pattern_words(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'$' {
            // `$NAME`, `$$$REST`, `$_`: skip the metavariable.
            while i < bytes.len() && bytes[i] == b'$' {
                i += 1;
            }
            while i < bytes.len()
                && (bytes[i].is_ascii_uppercase() || bytes[i].is_ascii_digit() || bytes[i] == b'_')
            {
                i += 1;
            }
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            words.push(&text[start..i]);
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    words
}

/// Single metavariables a pattern binds (`$NAME`, not `$$$REST` or `$_`).
fn pattern_vars(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut vars = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let dollars = bytes[i..].iter().take_while(|b| **b == b'$').count();
        i += dollars;
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_uppercase() || bytes[i].is_ascii_digit() || bytes[i] == b'_')
        {
            i += 1;
        }
        let name = &text[start..i];
        if dollars == 1 && !name.is_empty() && name != "_" && !name.starts_with('_') {
            vars.push(name.to_string());
        }
    }
    vars
}

/// What a node-text regex needs: a set of literals one of which every
/// match contains.
fn regex_literals(re: &str) -> Req {
    // Rules repeat their regexes (shared utilities, file and node gates).
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, Req>> =
            Default::default();
    }
    if let Some(req) = SEEN.with(|seen| seen.borrow().get(re).cloned()) {
        return req;
    }
    let req = regex_syntax::ParserBuilder::new()
        .build()
        .parse(re)
        .ok()
        .and_then(|hir| literals(&hir).best.filter(|s| usable(s)));
    SEEN.with(|seen| seen.borrow_mut().insert(re.to_string(), req.clone()));
    req
}

/// Literal facts about a sub-expression.
struct Seq {
    /// When set, every match of the expression is exactly one of these.
    exact: Option<Vec<String>>,
    /// The most selective set one of which every match contains.
    best: Req,
}

impl Seq {
    fn exact(set: Vec<String>) -> Seq {
        Seq {
            best: Some(set.clone()),
            exact: Some(set),
        }
    }

    fn unknown() -> Seq {
        Seq {
            exact: None,
            best: None,
        }
    }
}

fn literals(hir: &regex_syntax::hir::Hir) -> Seq {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Seq::exact(vec![String::new()]),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) => Seq::exact(vec![s.to_ascii_lowercase()]),
            Err(_) => Seq::unknown(),
        },
        HirKind::Class(class) => {
            let mut chars: Vec<String> = Vec::new();
            match class {
                Class::Unicode(c) => {
                    for r in c.iter() {
                        let (a, b) = (u32::from(r.start()), u32::from(r.end()));
                        if b - a > 8 {
                            return Seq::unknown();
                        }
                        for cp in a..=b {
                            if let Some(ch) = char::from_u32(cp) {
                                chars.push(ch.to_ascii_lowercase().to_string());
                            }
                        }
                    }
                }
                Class::Bytes(c) => {
                    for r in c.iter() {
                        if r.end() - r.start() > 8 {
                            return Seq::unknown();
                        }
                        for b in r.start()..=r.end() {
                            chars.push(char::from(b).to_ascii_lowercase().to_string());
                        }
                    }
                }
            }
            chars.sort();
            chars.dedup();
            if chars.is_empty() || chars.len() > 4 {
                Seq::unknown()
            } else {
                Seq::exact(chars)
            }
        }
        HirKind::Capture(cap) => literals(&cap.sub),
        HirKind::Repetition(rep) => {
            let inner = literals(&rep.sub);
            if rep.min == 0 {
                Seq::unknown()
            } else if rep.min == 1 && rep.max == Some(1) {
                inner
            } else {
                Seq {
                    exact: None,
                    best: inner.best,
                }
            }
        }
        HirKind::Concat(parts) => {
            let mut run: Option<Vec<String>> = Some(vec![String::new()]);
            let mut best: Req = None;
            let mut all_exact = true;
            for part in parts {
                let seq = literals(part);
                match (seq.exact, run.take()) {
                    (Some(set), Some(cur)) if cur.len() * set.len() <= MAX_SET => {
                        run = Some(cross(&cur, &set));
                    }
                    (Some(set), cur) => {
                        best = better(best, cur);
                        all_exact = false;
                        run = Some(set);
                    }
                    (None, cur) => {
                        best = better(best, cur);
                        best = better(best, seq.best);
                        all_exact = false;
                        run = Some(vec![String::new()]);
                    }
                }
            }
            let exact = if all_exact { run.clone() } else { None };
            Seq {
                best: better(best, run),
                exact,
            }
        }
        HirKind::Alternation(alts) => {
            let seqs: Vec<Seq> = alts.iter().map(literals).collect();
            let exact = seqs
                .iter()
                .map(|s| s.exact.clone())
                .collect::<Option<Vec<Vec<String>>>>()
                .map(|sets| sets.concat())
                .filter(|s| s.len() <= MAX_SET);
            let best = seqs
                .iter()
                .map(|s| s.best.clone().filter(|b| usable(b)))
                .collect::<Option<Vec<Vec<String>>>>()
                .map(|sets| {
                    let mut all = sets.concat();
                    all.sort();
                    all.dedup();
                    all
                });
            Seq { exact, best }
        }
    }
}

fn cross(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            out.push(format!("{x}{y}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(rule: Value) -> Req {
        required_literals(&rule, None, None)
    }

    #[test]
    fn patterns_give_their_longest_word() {
        assert_eq!(
            req(json!({"pattern": "os.getenv($NAME, $DEFAULT)"})),
            Some(vec!["getenv".into()])
        );
        assert_eq!(req(json!({"pattern": "$F($$$ARGS)"})), None);
        assert_eq!(
            req(json!({"pattern": "AES.new($KEY, $$$R)"})),
            Some(vec!["aes".into()])
        );
        assert_eq!(
            req(json!({"any": [{"pattern": "Fernet($K)"}, {"pattern": "hmac.new($K)"}]})),
            Some(vec!["fernet".into(), "hmac".into()])
        );
        // One branch without a literal: no gate.
        assert_eq!(
            req(json!({"any": [{"pattern": "Fernet($K)"}, {"kind": "call"}]})),
            None
        );
    }

    #[test]
    fn regexes_give_required_literals() {
        assert_eq!(
            regex_literals(r"^verify\s*=\s*(False|0)$"),
            Some(vec!["verify".into()])
        );
        assert_eq!(
            regex_literals(r"(?i)(^|\.)(py)?(jwt|jose|jws)$"),
            Some(vec![
                "jose".into(),
                "jo\u{17f}e".into(),
                "jws".into(),
                "jwt".into(),
                "jw\u{17f}".into()
            ])
        );
        assert_eq!(regex_literals(r"^[A-Z]\w*$"), None);
        // Unicode case folding: `(?i)s` also accepts U+017F, so its spellings are kept.
        let lits = regex_literals(r"(?i)session|cookie").unwrap_or_default();
        assert!(lits.contains(&"session".to_string()) && lits.contains(&"cookie".to_string()));
        assert!(lits.iter().all(
            |l| l.replace(['\u{17f}'], "s").eq_ignore_ascii_case("session")
                || l.replace('\u{212a}', "k").eq_ignore_ascii_case("cookie")
        ));
        assert_eq!(regex_literals(r"a?b?c?"), None);
    }

    #[test]
    fn constraints_count_only_for_bound_variables() {
        let rule =
            json!({"any": [{"pattern": "config($NAME, $D)"}, {"pattern": "env($NAME, $D)"}]});
        let constraints = json!({"NAME": {"regex": "^['\"](DJANGO_)?DEBUG['\"]$"}});
        assert_eq!(
            required_literals(&rule, None, Some(&constraints)),
            Some(vec!["debug\"".into(), "debug'".into()])
        );
        // `X` is not bound by every branch: its constraint proves nothing.
        let rule = json!({"any": [{"pattern": "config($X)"}, {"pattern": "env($NAME)"}]});
        let constraints = json!({"X": {"regex": "^SECRET_VALUE$"}});
        assert_eq!(
            required_literals(&rule, None, Some(&constraints)),
            Some(vec!["config".into(), "env".into()])
        );
    }

    #[test]
    fn negations_and_bare_kinds_require_nothing() {
        assert_eq!(
            req(json!({"kind": "call", "not": {"pattern": "hashlib.md5()"}})),
            None
        );
        assert_eq!(
            req(json!({"kind": "call", "has": {"regex": "^MinLengthValidator$"}})),
            Some(vec!["minlengthvalidator".into()])
        );
    }

    #[test]
    fn node_literals_leave_out_what_lies_outside_the_node() {
        let rule = json!({"pattern": "$L.$M($MSG)", "inside": {"pattern": "transaction.atomic()", "stopBy": "end"}});
        let constraints = json!({"L": {"regex": "^(logger|log)$"}});
        assert_eq!(
            required_literals(&rule, None, Some(&constraints)),
            Some(vec!["transaction".into()])
        );
        assert_eq!(
            node_literals(&rule, None, Some(&constraints)),
            Some(vec!["log".into(), "logger".into()])
        );
        // A variable bound only outside the node constrains nothing inside it.
        let rule =
            json!({"kind": "call", "inside": {"pattern": "def $F($$$A): $$$B", "stopBy": "end"}});
        let constraints = json!({"F": {"regex": "^login$"}});
        assert_eq!(
            required_literals(&rule, None, Some(&constraints)),
            Some(vec!["login".into()])
        );
        assert_eq!(node_literals(&rule, None, Some(&constraints)), None);
        // A pattern's context may lie around the selected node.
        let rule =
            json!({"pattern": {"context": "class Meta: fields = $F", "selector": "assignment"}});
        assert_eq!(node_literals(&rule, None, None), None);
        let rule = json!({"kind": "call", "has": {"regex": "^verify$", "stopBy": "end"}});
        assert_eq!(
            node_literals(&rule, None, None),
            Some(vec!["verify".into()])
        );
    }

    #[test]
    fn utilities_are_followed() {
        let utils = json!({"weak-call": {"pattern": "random.random()"}});
        assert_eq!(
            required_literals(
                &json!({"kind": "call", "matches": "weak-call"}),
                Some(&utils),
                None
            ),
            Some(vec!["random".into()])
        );
    }
}
