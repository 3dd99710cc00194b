//! How scan time splits between parsing and rule matching.
//!
//! usage: cargo run --release --example parse_vs_match -- DIR [--per-matcher | --only RULE_ID]
//!
//! Reads every file once up front (so I/O is excluded), then times parsing
//! alone and parsing plus every rule, single-threaded. The time of each
//! rule within a real scan is `prodready scan DIR --timings`.

use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::Matcher as _;
use prodready::discover::{walk, WalkOptions};
use prodready::engine::check_parsed;
use prodready::parse::parse;
use prodready::rules::{MatcherKind, Registry};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let Ok(discovery) = walk(&dir, &dir, &WalkOptions::default()) else {
        eprintln!("cannot walk {}", dir.display());
        return;
    };
    let Ok(registry) = Registry::load(&[] as &[&str]) else {
        eprintln!("cannot load rules");
        return;
    };
    let files: Vec<_> = discovery
        .files
        .iter()
        .filter_map(|f| std::fs::read_to_string(&f.abs_path).ok().map(|t| (f, t)))
        .collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    let start = Instant::now();
    for (f, text) in &files {
        let parsed = parse(f.language, f.rel_path.clone(), text.clone());
        std::hint::black_box(&parsed);
    }
    let parse_only = start.elapsed();

    let start = Instant::now();
    let mut findings = 0;
    for (f, text) in &files {
        let parsed = parse(f.language, f.rel_path.clone(), text.clone());
        findings += check_parsed(&parsed, &registry, None).len();
    }
    let with_rules = start.elapsed();

    // One rule, ten times over (`--only ID`), for a profiler to look at.
    let args: Vec<String> = std::env::args().collect();
    if let Some(id) = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
    {
        let parsed: Vec<_> = files
            .iter()
            .map(|(f, text)| parse(f.language, f.rel_path.clone(), text.clone()))
            .collect();
        let Some(idx) = registry.rules.iter().position(|r| &r.meta.id == id) else {
            eprintln!("no rule {id}");
            return;
        };
        let start = Instant::now();
        for _ in 0..10 {
            for p in &parsed {
                std::hint::black_box(check_parsed(p, &registry, Some(idx)));
            }
        }
        println!(
            "{id}: {:.3} s per run",
            start.elapsed().as_secs_f64() / 10.0
        );
        return;
    }

    // Cost of each declarative matcher alone (`--per-matcher`).
    if std::env::args().any(|a| a == "--per-matcher") {
        let parsed: Vec<_> = files
            .iter()
            .map(|(f, text)| parse(f.language, f.rel_path.clone(), text.clone()))
            .collect();
        // The gates compare ASCII case-insensitively: lower-case each text once.
        let lowered: Vec<String> = parsed.iter().map(|p| p.text.to_ascii_lowercase()).collect();
        // Nodes by kind id, so each matcher visits only the kinds it can match.
        let by_kind: Vec<HashMap<u16, Vec<_>>> = parsed
            .iter()
            .map(|p| {
                let mut map: HashMap<u16, Vec<_>> = HashMap::new();
                for node in p.nodes().into_iter().flat_map(|n| n.all()) {
                    map.entry(node.kind_id()).or_default().push(node);
                }
                map
            })
            .collect();
        let mut costs: Vec<(f64, String)> = Vec::new();
        for rule in &registry.rules {
            for (mi, matcher) in rule.matchers.iter().enumerate() {
                let MatcherKind::Ast(cores) = &matcher.kind else {
                    continue;
                };
                let start = Instant::now();
                for ((p, lower), kinds_of) in parsed.iter().zip(&lowered).zip(&by_kind) {
                    if let Some(lits) = &matcher.literals {
                        if !lits.iter().any(|l| lower.contains(l.as_str())) {
                            continue;
                        }
                    }

                    for (lang, core) in cores {
                        if *lang != p.language {
                            continue;
                        }
                        let Some(kinds) = core.potential_kinds() else {
                            continue;
                        };
                        for (kind, nodes) in kinds_of {
                            if kinds.contains(usize::from(*kind)) {
                                for node in nodes {
                                    std::hint::black_box(core.match_node(node.clone()));
                                }
                            }
                        }
                    }
                }
                costs.push((
                    start.elapsed().as_secs_f64(),
                    format!("{}#{mi}", rule.meta.id),
                ));
            }
        }
        costs.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (secs, id) in costs.iter().take(40) {
            println!("{secs:>8.3} s  {id}");
        }
    }

    let gates = registry.gated_matchers();
    println!(
        "AST matchers: {}, with a file gate: {}, with a node gate: {}",
        gates.ast, gates.file, gates.node
    );
    let mb = bytes as f64 / 1_048_576.0;

    println!(
        "files: {}  MB: {mb:.1}  rules: {}",
        files.len(),
        registry.rules.len()
    );
    println!(
        "parse only:        {:>8.3} s  ({:.1} MB/s)",
        parse_only.as_secs_f64(),
        mb / parse_only.as_secs_f64()
    );
    println!(
        "parse + all rules: {:>8.3} s  ({:.1} MB/s), {findings} findings",
        with_rules.as_secs_f64(),
        mb / with_rules.as_secs_f64()
    );
    println!(
        "rule matching:     {:>8.3} s",
        (with_rules.saturating_sub(parse_only)).as_secs_f64()
    );
}
