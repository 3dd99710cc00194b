//! `scan --timings`: where a scan's time went, per stage and per rule.
//!
//! Worker threads add to shared counters as they go; the table is printed
//! once the scan is over. Times are summed over threads (CPU time, not
//! wall time), so on N cores they add up to about N times the wall time
//! spent checking files. Nothing is measured unless the flag is given.

use crate::rules::Registry;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The stages of checking one file, besides running rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Stage {
    /// Reading the bytes and decoding them.
    Read,
    /// Building the syntax tree (or config document) and its node index.
    Parse,
    /// Project facts and code metrics from the parsed file.
    FactsAndMetrics,
}

impl Stage {
    const ALL: [Stage; 3] = [Stage::Read, Stage::Parse, Stage::FactsAndMetrics];

    fn label(self) -> &'static str {
        match self {
            Stage::Read => "read files",
            Stage::Parse => "parse and index",
            Stage::FactsAndMetrics => "facts and metrics",
        }
    }
}

#[derive(Default)]
struct Counter {
    nanos: AtomicU64,
    runs: AtomicU64,
}

impl Counter {
    fn add(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        self.runs.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> (u64, u64) {
        (
            self.nanos.load(Ordering::Relaxed),
            self.runs.load(Ordering::Relaxed),
        )
    }
}

/// Time spent per stage and per rule (by its index in the registry).
pub struct Timings {
    stages: [Counter; 3],
    rules: Vec<Counter>,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub nanos: u64,
    /// Files (stages, rule checks) or nodes tried (tree patterns).
    pub runs: u64,
}

impl Timings {
    pub fn new(rules: usize) -> Self {
        Self {
            stages: Default::default(),
            rules: (0..rules).map(|_| Counter::default()).collect(),
        }
    }

    pub fn stage(&self, stage: Stage, elapsed: Duration) {
        self.stages[stage as usize].add(elapsed);
    }

    pub fn rule(&self, index: usize, elapsed: Duration) {
        if let Some(c) = self.rules.get(index) {
            c.add(elapsed);
        }
    }

    /// Stages first, in pipeline order, then rules, slowest first (ties by
    /// id, so the order is stable); rules that never ran are left out.
    pub fn rows(&self, registry: &Registry) -> (Vec<Row>, Vec<Row>) {
        let stages = Stage::ALL
            .iter()
            .zip(&self.stages)
            .map(|(s, c)| {
                let (nanos, runs) = c.get();
                Row {
                    name: s.label().to_string(),
                    nanos,
                    runs,
                }
            })
            .collect();
        let mut rules: Vec<Row> = registry
            .rules
            .iter()
            .zip(&self.rules)
            .filter_map(|(rule, c)| {
                let (nanos, runs) = c.get();
                (runs > 0).then(|| Row {
                    name: rule.meta.id.clone(),
                    nanos,
                    runs,
                })
            })
            .collect();
        rules.sort_by(|a, b| b.nanos.cmp(&a.nanos).then_with(|| a.name.cmp(&b.name)));
        (stages, rules)
    }

    /// The table `--timings` prints: stages, then the `top` slowest rules.
    pub fn render(&self, registry: &Registry, top: usize) -> String {
        let (stages, rules) = self.rows(registry);
        let total: u64 = stages.iter().chain(&rules).map(|r| r.nanos).sum();
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["Stage or rule", "CPU ms", "Share", "Runs"]);
        let shown = rules.len().min(top);
        for row in stages.iter().chain(rules.iter().take(top)) {
            table.add_row(row_cells(row, total));
        }
        let rest = &rules[shown..];
        if !rest.is_empty() {
            let other = Row {
                name: format!("{} other rules", rest.len()),
                nanos: rest.iter().map(|r| r.nanos).sum(),
                runs: rest.iter().map(|r| r.runs).sum(),
            };
            table.add_row(row_cells(&other, total));
        }
        format!(
            "Time per stage and rule (CPU time summed over worker threads; runs are files, or nodes tried for tree patterns):\n{table}\n"
        )
    }
}

fn row_cells(row: &Row, total: u64) -> [Cell; 4] {
    let ms = row.nanos as f64 / 1e6;
    let share = if total == 0 {
        0.0
    } else {
        100.0 * row.nanos as f64 / total as f64
    };
    [
        Cell::new(&row.name),
        Cell::new(format!("{ms:.1}")).set_alignment(CellAlignment::Right),
        Cell::new(format!("{share:.1}%")).set_alignment(CellAlignment::Right),
        Cell::new(row.runs).set_alignment(CellAlignment::Right),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_rule_and_stage() {
        let t = Timings::new(2);
        t.rule(1, Duration::from_millis(3));
        t.rule(1, Duration::from_millis(2));
        t.rule(7, Duration::from_millis(9)); // out of range: ignored
        t.stage(Stage::Parse, Duration::from_millis(4));
        assert_eq!(t.rules[1].get(), (5_000_000, 2));
        assert_eq!(t.rules[0].get(), (0, 0));
        assert_eq!(t.stages[1].get(), (4_000_000, 1));
    }
}
