//! The registry: every loaded rule, plus per-language indexes the check stage
//! uses so that one walk of a syntax tree serves every declarative rule.

use super::embedded::EMBEDDED_RULES;
use super::load::{load_any_for, Compile, Loaded};
use super::{MatcherKind, Rule};
use crate::error::{RuleFileError, RuleLoadErrors};
use crate::lang::Language;
use crate::parse::support_lang;
use crate::project::ProjectCheckDef;
use ast_grep_core::Matcher as _;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Where to find one AST matcher: rule, matcher within the rule, and the
/// language-specific compiled core within the matcher.
#[derive(Debug, Clone, Copy)]
pub struct AstRef {
    pub rule: usize,
    pub matcher: usize,
    pub core: usize,
    /// Index into [`AstIndex::gates`]: literals one of which the file must contain.
    pub gate: Option<usize>,
    /// Index into [`AstIndex::node_gates`]: literals one of which the
    /// candidate node's text must contain.
    pub node_gate: Option<usize>,
}

/// The AST matchers that apply to one language, bucketed by node kind.
#[derive(Debug, Default)]
pub struct AstIndex {
    pub by_kind: Vec<Vec<AstRef>>,
    /// Per file gate, the ids (in `literals`) of the literals it needs.
    pub gates: Vec<Vec<usize>>,
    /// Per node gate, likewise.
    node_gates: Vec<Vec<usize>>,
    literals: Vec<String>,
    scanner: Option<aho_corasick::AhoCorasick>,
    /// Per rule (by index), the file gate of its Rust check's anchors.
    check_gates: Vec<Option<usize>>,
    /// Everything that reads the syntax tree: each AST matcher and each
    /// tree-reading check, as (rule, file gate).
    tree_readers: Vec<(usize, Option<usize>)>,
}

/// What one scan of a file's text found: which file gates are open, and
/// where each literal occurs, for the node gates.
pub struct Gates<'a> {
    index: &'a AstIndex,
    /// `None` when nothing could be scanned: every gate is open.
    found: Option<Vec<Vec<usize>>>,
    open: Vec<bool>,
}

impl Gates<'_> {
    /// May the matcher with file gate `gate` match somewhere in the file?
    pub fn file_open(&self, gate: usize) -> bool {
        self.open.get(gate).copied().unwrap_or(true)
    }

    /// May the matcher with node gate `gate` match the node spanning `range`?
    /// True when one of its literals occurs wholly inside the range.
    pub fn node_open(&self, gate: usize, range: std::ops::Range<usize>) -> bool {
        let (Some(found), Some(ids)) = (&self.found, self.index.node_gates.get(gate)) else {
            return true;
        };
        ids.iter().any(|&id| {
            let Some(starts) = found.get(id) else {
                return true;
            };
            let len = self.index.literals.get(id).map_or(0, String::len);
            // The first occurrence from `range.start` on ends soonest.
            let first = starts.partition_point(|&s| s < range.start);
            starts.get(first).is_some_and(|&s| s + len <= range.end)
        })
    }
}

impl AstIndex {
    /// One pass over a file's text finds every literal of every gate.
    pub fn open_gates(&self, text: &str) -> Gates<'_> {
        let Some(scanner) = &self.scanner else {
            return Gates {
                index: self,
                found: None,
                open: vec![true; self.gates.len()],
            };
        };
        let mut found: Vec<Vec<usize>> = vec![Vec::new(); self.literals.len()];
        for m in scanner.find_overlapping_iter(text) {
            if let Some(starts) = found.get_mut(m.pattern().as_usize()) {
                starts.push(m.start());
            }
        }
        let open = self
            .gates
            .iter()
            .map(|ids| {
                ids.iter()
                    .any(|id| found.get(*id).is_some_and(|s| !s.is_empty()))
            })
            .collect();
        Gates {
            index: self,
            found: Some(found),
            open,
        }
    }

    /// The file gate of rule `rule`'s check, if its check has anchors.
    pub fn check_gate(&self, rule: usize) -> Option<usize> {
        self.check_gates.get(rule).copied().flatten()
    }

    /// Could anything that reads the syntax tree, of a rule `wanted`
    /// accepts, report in a file whose gates are `gates`? When not, the
    /// file need not be parsed.
    pub fn tree_wanted(&self, gates: &Gates<'_>, wanted: impl Fn(usize) -> bool) -> bool {
        self.tree_readers
            .iter()
            .any(|&(rule, gate)| wanted(rule) && gate.is_none_or(|g| gates.file_open(g)))
    }

    fn add_node_gate(&mut self, literals: &[String]) -> usize {
        let ids = self.literal_ids(literals);
        self.node_gates.push(ids);
        self.node_gates.len() - 1
    }

    fn add_gate(&mut self, literals: &[String]) -> usize {
        let ids = self.literal_ids(literals);
        self.gates.push(ids);
        self.gates.len() - 1
    }

    fn literal_ids(&mut self, literals: &[String]) -> Vec<usize> {
        literals
            .iter()
            .map(|l| match self.literals.iter().position(|x| x == l) {
                Some(id) => id,
                None => {
                    self.literals.push(l.clone());
                    self.literals.len() - 1
                }
            })
            .collect()
    }

    fn build_scanner(&mut self) {
        if self.literals.is_empty() {
            return;
        }
        // Literals are short ASCII words: a failure to build only means no gating.
        self.scanner = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&self.literals)
            .ok();
        if self.scanner.is_none() {
            self.gates.iter_mut().for_each(Vec::clear);
            self.node_gates.iter_mut().for_each(Vec::clear);
        }
    }
}

/// See [`Registry::gated_matchers`].
#[derive(Debug, Default, Clone, Copy)]
pub struct GateCounts {
    pub file: usize,
    pub node: usize,
    pub ast: usize,
}

pub struct Registry {
    pub rules: Vec<Rule>,
    pub project_checks: Vec<ProjectCheckDef>,
    ast: HashMap<Language, AstIndex>,
    /// The BLAKE3 hash of every rule file it was loaded from (path and
    /// text) and of the ids it kept: results computed with one registry are
    /// reused only by a registry of the same identity (src/cache.rs).
    identity: blake3::Hash,
    /// The code languages the built-in rules were compiled for, when not all
    /// ([`Registry::load_for`]).
    code_languages: Option<Vec<Language>>,
}

impl Registry {
    /// The built-in rules plus every `*.toml` under each of `extra_dirs`.
    pub fn load(extra_dirs: &[impl AsRef<Path>]) -> Result<Registry, RuleLoadErrors> {
        Self::load_with(extra_dirs, Compile::All)
    }

    /// [`Registry::load`] for a scan that holds code in `code_languages`
    /// only: the built-in rules' tree matchers are compiled for those
    /// languages alone (the test suite compiles them all); the user's rule
    /// files are compiled for every language they name, so their errors
    /// show whatever the scanned tree holds.
    pub fn load_for(
        extra_dirs: &[impl AsRef<Path>],
        code_languages: &[Language],
    ) -> Result<Registry, RuleLoadErrors> {
        Self::load_with(extra_dirs, Compile::Only(code_languages))
    }

    fn load_with(
        extra_dirs: &[impl AsRef<Path>],
        builtin: Compile<'_>,
    ) -> Result<Registry, RuleLoadErrors> {
        let mut sources: Vec<(String, String)> = EMBEDDED_RULES
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect();
        let builtins = sources.len();
        let mut errors = Vec::new();
        for dir in extra_dirs {
            match read_rule_dir(dir.as_ref()) {
                Ok(found) => sources.extend(found),
                Err(e) => errors.push(e),
            }
        }
        Self::from_sources(sources, errors, builtins, builtin)
    }

    /// Only the rules in `dir` (for `rules test DIR`).
    pub fn load_dir_only(dir: &Path) -> Result<Registry, RuleLoadErrors> {
        match read_rule_dir(dir) {
            Ok(found) => Self::from_sources(found, Vec::new(), 0, Compile::All),
            Err(e) => Err(RuleLoadErrors { errors: vec![e] }),
        }
    }

    /// Compile `sources`: the first `builtins` (the built-in rules) for the
    /// languages `builtin` says, the others for all they name.
    fn from_sources(
        sources: Vec<(String, String)>,
        mut errors: Vec<RuleFileError>,
        builtins: usize,
        builtin: Compile<'_>,
    ) -> Result<Registry, RuleLoadErrors> {
        let compile = |i: usize| if i < builtins { builtin } else { Compile::All };
        let mut rules: Vec<Rule> = Vec::new();
        let mut checks: Vec<ProjectCheckDef> = Vec::new();
        // Compiling a rule (patterns, regexes, gates) is the cost: in parallel.
        let loaded: Vec<_> = sources
            .par_iter()
            .enumerate()
            .map(|(i, (path, text))| load_any_for(path, text, compile(i)))
            .collect();
        for ((path, text), loaded) in sources.iter().zip(loaded) {
            match loaded {
                Ok(Loaded::ProjectCheck(check)) => {
                    let clash = rules
                        .iter()
                        .map(|r| (&r.meta.id, &r.origin))
                        .chain(checks.iter().map(|c| (&c.id, &c.origin)))
                        .find(|(id, _)| **id == check.id);
                    if let Some((_, origin)) = clash {
                        errors.push(RuleFileError::new(
                            path,
                            text,
                            None,
                            format!("duplicate id `{}` (also in {origin})", check.id),
                            "ids are unique across rules and checks",
                        ));
                    } else {
                        checks.push(check);
                    }
                }
                Ok(Loaded::Rule(rule)) => {
                    let rule = *rule;
                    if let Some(prev) = rules.iter().find(|r| r.meta.id == rule.meta.id) {
                        errors.push(RuleFileError::new(
                            path,
                            text,
                            None,
                            format!(
                                "duplicate rule id `{}` (also in {})",
                                rule.meta.id, prev.origin
                            ),
                            "rule ids are unique; rename one of them",
                        ));
                    } else {
                        rules.push(rule);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(RuleLoadErrors { errors });
        }
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        let mut identity = blake3::Hasher::new();
        for (path, text) in &sources {
            for part in [path, text] {
                identity.update(&(part.len() as u64).to_le_bytes());
                identity.update(part.as_bytes());
            }
        }
        let code_languages = match builtin {
            Compile::All => None,
            Compile::Only(langs) => Some(langs.to_vec()),
        };
        let mut registry = Self::index(rules, code_languages);
        registry.project_checks = checks;
        registry.identity = identity.finalize();
        Ok(registry)
    }

    /// Build the per-language kind buckets, for `code_languages` only when given.
    fn index(rules: Vec<Rule>, code_languages: Option<Vec<Language>>) -> Registry {
        let mut ast: HashMap<Language, AstIndex> = HashMap::new();
        for (ri, rule) in rules.iter().enumerate() {
            for (mi, m) in rule.matchers.iter().enumerate() {
                let MatcherKind::Ast(cores) = &m.kind else {
                    continue;
                };
                for (ci, (lang, core)) in cores.iter().enumerate() {
                    let Some(kinds) = core.potential_kinds() else {
                        continue;
                    };
                    let index = ast.entry(*lang).or_default();
                    let gate = m.literals.as_deref().map(|l| index.add_gate(l));
                    let node_gate = m.node_literals.as_deref().map(|l| index.add_node_gate(l));
                    index.tree_readers.push((ri, gate));
                    for kind in kinds.iter() {
                        if index.by_kind.len() <= kind {
                            index.by_kind.resize_with(kind + 1, Vec::new);
                        }
                        index.by_kind[kind].push(AstRef {
                            rule: ri,
                            matcher: mi,
                            core: ci,
                            gate,
                            node_gate,
                        });
                    }
                }
            }
        }
        for (ri, rule) in rules.iter().enumerate() {
            let Some(check) = rule.check else { continue };
            for lang in Language::ALL.into_iter().filter(|l| rule.applies_to(*l)) {
                let index = ast.entry(lang).or_default();
                // No words at all would close the gate for good: treat as none.
                let gate = check
                    .anchors(lang)
                    .filter(|words| !words.is_empty() && words.iter().all(|w| !w.is_empty()))
                    .map(|words| {
                        let words: Vec<String> =
                            words.iter().map(|w| w.to_ascii_lowercase()).collect();
                        index.add_gate(&words)
                    });
                if index.check_gates.len() <= ri {
                    index.check_gates.resize(ri + 1, None);
                }
                index.check_gates[ri] = gate;
                if check.reads_tree() {
                    index.tree_readers.push((ri, gate));
                }
            }
        }
        // A code language the scan holds no file of needs no index (user
        // rules may still have matchers compiled for it).
        if let Some(langs) = &code_languages {
            ast.retain(|lang, _| support_lang(*lang).is_none() || langs.contains(lang));
        }
        for index in ast.values_mut() {
            index.build_scanner();
        }
        Registry {
            rules,
            project_checks: Vec::new(),
            ast,
            identity: blake3::Hash::from_bytes([0; 32]),
            code_languages,
        }
    }

    /// The same registry with every literal pre-filter turned off: each AST
    /// matcher runs on every file and node of its kinds, each check on every
    /// file, and every test file is parsed (for checking that the filters
    /// never change a finding).
    pub fn without_prefilters(mut self) -> Registry {
        for index in self.ast.values_mut() {
            index.check_gates.clear();
            index.tree_readers.iter_mut().for_each(|(_, g)| *g = None);
            for refs in &mut index.by_kind {
                for r in refs {
                    r.gate = None;
                    r.node_gate = None;
                }
            }
        }
        self
    }

    /// How many AST matchers have a file gate and a node gate, of how many.
    pub fn gated_matchers(&self) -> GateCounts {
        let mut counts = GateCounts::default();
        for rule in &self.rules {
            for m in &rule.matchers {
                if matches!(m.kind, MatcherKind::Ast(_)) {
                    counts.ast += 1;
                    counts.file += usize::from(m.literals.is_some());
                    counts.node += usize::from(m.node_literals.is_some());
                }
            }
        }
        counts
    }

    /// Keep only the rules `keep` accepts, and rebuild the indexes.
    pub fn retain(self, keep: impl Fn(&Rule) -> bool) -> Registry {
        let checks = self.project_checks;
        let rules: Vec<Rule> = self.rules.into_iter().filter(|r| keep(r)).collect();
        let mut identity = blake3::Hasher::new();
        identity.update(self.identity.as_bytes());
        for rule in &rules {
            identity.update(rule.meta.id.as_bytes());
            identity.update(&[0]);
        }
        let mut registry = Self::index(rules, self.code_languages);
        registry.project_checks = checks;
        registry.identity = identity.finalize();
        registry
    }

    /// See the `identity` field.
    pub fn identity(&self) -> &blake3::Hash {
        &self.identity
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id == id)
    }

    pub fn ast_index(&self, language: Language) -> Option<&AstIndex> {
        self.ast.get(&language)
    }
}

/// Every `*.toml` below `dir`, sorted, with paths as the user would write them.
fn read_rule_dir(dir: &Path) -> Result<Vec<(String, String)>, RuleFileError> {
    let display = dir.display().to_string();
    if !dir.is_dir() {
        return Err(RuleFileError::new(
            &display,
            "",
            None,
            "rule folder does not exist or is not a folder",
            "pass a folder of rule files to --rules",
        ));
    }
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml")
            && entry.file_type().is_some_and(|t| t.is_file())
        {
            let shown = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => out.push((shown, text)),
                Err(e) => {
                    return Err(RuleFileError::new(
                        &shown,
                        "",
                        None,
                        format!("cannot read rule file: {e}"),
                        "check the file's permissions and encoding (UTF-8)",
                    ))
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_gates_need_a_literal_wholly_inside_the_node() {
        let mut index = AstIndex::default();
        let file_gate = index.add_gate(&["getenv".to_string()]);
        let node_gate = index.add_node_gate(&["secret".to_string(), "token".to_string()]);
        index.build_scanner();
        //          0         1         2         3
        //          0123456789012345678901234567890123456
        let text = "x = os.GETENV('A')\ny = f(SECRET_KEY)\n";
        let gates = index.open_gates(text);
        assert!(gates.file_open(file_gate));
        assert!(gates.node_open(node_gate, 19..36), "whole line");
        assert!(gates.node_open(node_gate, 25..31), "exactly `SECRET`");
        assert!(!gates.node_open(node_gate, 26..36), "starts inside it");
        assert!(!gates.node_open(node_gate, 19..30), "ends inside it");
        assert!(!gates.node_open(node_gate, 0..18), "first line");
        let none = index.open_gates("print('hello')\n");
        assert!(!none.file_open(file_gate));
        assert!(!none.node_open(node_gate, 0..15));
    }
}
