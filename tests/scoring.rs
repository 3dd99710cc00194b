//! Properties of the scoring model (docs/scoring.md), each checked over many
//! generated cases: deterministic, monotone, diminishing returns, aware of
//! project size, blind to not-applicable checks.

use prodready::finding::Finding;
use prodready::metrics::Metrics;
use prodready::project::{CheckResult, Status};
use prodready::rules::meta::{Category, Confidence, Severity};
use prodready::score::{compute, default_weights, Score};

/// A tiny deterministic generator (64-bit LCG): no dependency, same cases
/// on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() as usize) % items.len()]
    }
}

const STATUSES: [Status; 4] = [
    Status::Pass,
    Status::Fail,
    Status::Warn,
    Status::NotApplicable,
];
const CONFIDENCES: [Confidence; 3] = [Confidence::High, Confidence::Medium, Confidence::Low];

fn finding(g: &mut Gen) -> Finding {
    let rule = format!("rule-{}", g.next() % 6);
    Finding {
        rule_id: rule,
        title: "".into(),
        severity: g.pick(&Severity::ALL),
        confidence: g.pick(&CONFIDENCES),
        category: g.pick(&Category::ALL),
        cwe: vec![],
        path: format!("f{}.py", g.next() % 5),
        line: u32::try_from(g.next() % 100).unwrap_or(1) + 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        message: String::new(),
        snippet: String::new(),
        fingerprint: format!("{:x}", g.next()),
        fix: "".into(),
        suppressed: false,
        suppression_reason: None,
        match_hash: String::new(),
        unless: None,
    }
}

fn check(g: &mut Gen, i: usize) -> CheckResult {
    CheckResult {
        id: format!("check-{i}"),
        title: String::new(),
        category: g.pick(&Category::ALL),
        severity: g.pick(&Severity::ALL),
        status: g.pick(&STATUSES),
        summary: String::new(),
        evidence: vec![],
        fix: String::new(),
    }
}

fn case(g: &mut Gen) -> (Vec<Finding>, Vec<CheckResult>, Metrics) {
    let n = (g.next() % 30) as usize;
    let findings = (0..n).map(|_| finding(g)).collect();
    let m = (g.next() % 12) as usize;
    let checks = (0..m).map(|i| check(g, i)).collect();
    let metrics = Metrics {
        total_code_lines: (g.next() % 200_000) as usize,
        ..Metrics::default()
    };
    (findings, checks, metrics)
}

fn score(f: &[Finding], c: &[CheckResult], m: &Metrics) -> Score {
    compute(f, c, m, &default_weights())
}

fn no_lower(before: &Score, after: &Score, what: &str) {
    assert!(
        after.overall >= before.overall,
        "{what}: overall {} -> {}",
        before.overall,
        after.overall
    );
    for (b, a) in before.categories.iter().zip(&after.categories) {
        assert!(
            a.score >= b.score,
            "{what}: {} {} -> {}",
            a.id,
            b.score,
            a.score
        );
    }
}

#[test]
fn deterministic() {
    let mut g = Gen(1);
    for _ in 0..200 {
        let (f, c, m) = case(&mut g);
        assert_eq!(score(&f, &c, &m), score(&f, &c, &m));
        let mut reversed = f.clone();
        reversed.reverse();
        assert_eq!(
            score(&f, &c, &m),
            score(&reversed, &c, &m),
            "finding order does not matter"
        );
    }
}

#[test]
fn fixing_a_finding_never_lowers_a_score() {
    let mut g = Gen(2);
    for _ in 0..300 {
        let (f, c, m) = case(&mut g);
        if f.is_empty() {
            continue;
        }
        let before = score(&f, &c, &m);
        let drop = (g.next() as usize) % f.len();
        let mut fixed = f.clone();
        fixed.remove(drop);
        no_lower(&before, &score(&fixed, &c, &m), "fixing a finding");
    }
}

#[test]
fn passing_a_check_never_lowers_a_score() {
    let mut g = Gen(3);
    for _ in 0..300 {
        let (f, c, m) = case(&mut g);
        let before = score(&f, &c, &m);
        for i in 0..c.len() {
            if matches!(c[i].status, Status::Fail | Status::Warn) {
                let mut better = c.clone();
                better[i].status = if c[i].status == Status::Fail {
                    Status::Warn
                } else {
                    Status::Pass
                };
                no_lower(&before, &score(&f, &better, &m), "passing a check");
            }
        }
    }
}

#[test]
fn each_further_occurrence_of_a_rule_costs_less() {
    let mut g = Gen(4);
    let base = finding(&mut g);
    let m = Metrics::default();
    let mut previous_cost = f64::INFINITY;
    let mut findings = Vec::new();
    let mut last = score(&findings, &[], &m).overall;
    for _ in 0..10 {
        findings.push(base.clone());
        let now = score(&findings, &[], &m).overall;
        let cost = last - now;
        assert!(
            cost <= previous_cost + 1e-9,
            "occurrence cost {cost} > previous {previous_cost}"
        );
        previous_cost = cost;
        last = now;
    }
    let first_cost = 100.0 - score(&findings[..1], &[], &m).overall;
    assert!(
        previous_cost < first_cost,
        "the tenth costs less than the first"
    );
}

#[test]
fn larger_projects_are_not_graded_worse_for_size_alone() {
    let mut g = Gen(5);
    for _ in 0..200 {
        let (f, c, mut m) = case(&mut g);
        let small = score(&f, &c, &m);
        m.total_code_lines += 100_000;
        no_lower(
            &small,
            &score(&f, &c, &m),
            "same findings in a larger project",
        );
    }
}

#[test]
fn not_applicable_checks_do_not_count() {
    let mut g = Gen(6);
    for _ in 0..200 {
        let (f, mut c, m) = case(&mut g);
        let before = score(&f, &c, &m);
        let mut extra = check(&mut g, 99);
        extra.status = Status::NotApplicable;
        c.push(extra);
        assert_eq!(before, score(&f, &c, &m));
    }
}

#[test]
fn a_critical_finding_caps_the_grade() {
    let mut g = Gen(7);
    let mut f = finding(&mut g);
    f.severity = Severity::Critical;
    f.category = Category::Maintainability;
    let s = score(&[f], &[], &Metrics::default());
    assert!(s.grade >= 'C', "grade {} is C or worse", s.grade);
    assert!(s.capped_by_critical);
}
