//! The scan pipeline, top to bottom:
//! discover → (read, parse, check) → assemble the report → write it.

use crate::cache::Cache;
use crate::cli::{FailOn, ScanArgs};
use crate::discover::Discovery;
use crate::discover::{self, count_by_reason, SkipReason, WalkOptions};
use crate::engine::FileOutcome;
use crate::error::UsageError;
use crate::lang::Language;
use crate::metrics;
use crate::paths::is_test_path;
use crate::project::{self, InventoryEntry, ProjectFacts};
use crate::report::{
    self, Format, Gate, LanguageStats, Report, Stats, Style, Tool, SCHEMA_VERSION,
};
use crate::rules::meta::Severity;
use crate::rules::Registry;
use crate::score;
use crate::settings::Settings;
use crate::timings::Timings;
use crate::{gate, progress};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

/// How a run ended, mapped to the exit code by main.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Passed,
    /// Exit 1: the gate failed.
    GateFailed,
}

pub fn fail_threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
        FailOn::None => None,
    }
}

/// The path as the user wrote it, with `/` separators.
fn display_root(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Every discovered path, scanned or skipped, for project checks.
fn inventory(discovery: &Discovery) -> Vec<InventoryEntry> {
    let scanned = discovery.files.iter().map(|f| InventoryEntry {
        path: f.rel_path.clone(),
        language: Some(f.language),
        is_test: is_test_path(&f.rel_path),
    });
    let skipped = discovery.skipped.iter().map(|s| InventoryEntry {
        path: s.path.clone(),
        language: Language::from_path(std::path::Path::new(&s.path)),
        is_test: is_test_path(&s.path),
    });
    let mut all: Vec<InventoryEntry> = scanned.chain(skipped).collect();
    all.sort_by(|a, b| a.path.cmp(&b.path));
    all
}

/// Build the report for `args` without writing it.
pub fn scan(args: &ScanArgs, registry: &Registry) -> miette::Result<Report> {
    let settings = Settings::load(args)?;
    settings.check_rules(registry)?;
    scan_with(args, &settings, registry)
}

/// The `--jobs` worker threads. They get a large stack: grammar and rule
/// code may recurse on deeply nested input, and an overflow cannot be caught.
fn worker_pool(args: &ScanArgs) -> miette::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| miette::miette!("cannot start worker threads: {e}"))
}

/// Stage 1's result: the files to check, and when the scan started.
pub struct Discovered {
    base: std::path::PathBuf,
    discovery: Discovery,
    started: Instant,
}

impl Discovered {
    /// The code languages among the files, which the rules' tree matchers
    /// are compiled for.
    fn code_languages(&self) -> Vec<Language> {
        let mut langs: Vec<Language> = self
            .discovery
            .files
            .iter()
            .map(|f| f.language)
            .filter(|l| crate::parse::support_lang(*l).is_some())
            .collect();
        langs.sort();
        langs.dedup();
        langs
    }
}

/// Walk the tree (stage 1), applying the configuration's include/exclude.
pub fn discover_files(args: &ScanArgs, settings: &Settings) -> miette::Result<Discovered> {
    let started = Instant::now();
    let path = &args.path;
    if !path.exists() {
        return Err(UsageError::PathNotFound(display_root(path)).into());
    }
    let base = if path.is_dir() {
        path.clone()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let opts = WalkOptions {
        excludes: args.exclude.clone(),
        max_file_size: args.max_file_size,
        follow_symlinks: args.follow_symlinks,
        default_excludes: !args.no_default_excludes,
    };
    let mut discovery =
        discover::walk(path, &base, &opts).map_err(|e| UsageError::BadExclude(e.to_string()))?;
    settings.filter_files(&mut discovery.files);
    Ok(Discovered {
        base,
        discovery,
        started,
    })
}

/// Discover the files, then load the rules for the code languages found:
/// what `scan` and `baseline` do before checking.
pub fn discover_and_load(
    args: &ScanArgs,
    settings: &Settings,
) -> miette::Result<(Discovered, Registry)> {
    let discovered = discover_files(args, settings)?;
    let langs = discovered.code_languages();
    // The rules compile in parallel, on no more threads than the scan uses.
    let registry = worker_pool(args)?.install(|| settings.load_registry(args, &langs))?;
    Ok((discovered, registry))
}

/// [`scan`] with settings already loaded.
pub fn scan_with(
    args: &ScanArgs,
    settings: &Settings,
    registry: &Registry,
) -> miette::Result<Report> {
    let discovered = discover_files(args, settings)?;
    scan_discovered(args, settings, registry, discovered, None)
}

/// Check the discovered files and build the report, adding the time spent
/// per stage and rule to `timings`.
pub fn scan_discovered(
    args: &ScanArgs,
    settings: &Settings,
    registry: &Registry,
    discovered: Discovered,
    timings: Option<&Timings>,
) -> miette::Result<Report> {
    let Discovered {
        base,
        mut discovery,
        started,
    } = discovered;
    let cache = open_cache(args, registry, &base, &mut discovery);

    let pool = worker_pool(args)?;
    let limits = crate::engine::Limits {
        file_timeout: std::time::Duration::from_secs_f64(args.file_timeout.clamp(0.001, 86_400.0)),
        timings,
        cache: cache.as_ref(),
    };
    let bar = progress::wanted(
        args.format == Format::Text,
        args.quiet,
        discovery.files.len(),
    );
    let outcomes = pool.install(|| progress::check_files(&discovery.files, registry, limits, bar));
    if let Some(cache) = &cache {
        save_cache(cache, args, &discovery, &outcomes);
    }

    let inventory = inventory(&discovery);
    // Sized up front: at 100,000 files the findings are most of the memory
    // a scan holds, and growing by doubling would briefly hold them twice.
    let mut findings = Vec::with_capacity(outcomes.iter().map(|o| o.findings.len()).sum());
    let mut notes = Vec::new();
    let mut facts = Vec::with_capacity(outcomes.iter().map(|o| o.facts.len()).sum());
    let mut file_metrics = Vec::with_capacity(outcomes.len());
    let mut skipped = discovery.skipped;
    let mut languages: BTreeMap<String, LanguageStats> = BTreeMap::new();
    let mut files_scanned = 0;
    let mut files_incomplete = 0;
    let mut bytes_scanned = 0;
    for outcome in outcomes {
        findings.extend(outcome.findings);
        notes.extend(outcome.notes);
        facts.extend(outcome.facts);
        files_incomplete += usize::from(outcome.timed_out);
        if let Some(s) = outcome.skipped {
            skipped.push(s);
            continue;
        }
        if let Some(lang) = outcome.language {
            let entry = languages.entry(lang.name().to_string()).or_default();
            entry.files += 1;
            entry.lines += outcome.lines;
            files_scanned += 1;
            bytes_scanned += outcome.bytes;
            file_metrics.push((lang, outcome.metrics));
        }
    }
    // A finding that holds only unless another file shows otherwise (a
    // global rate limiter) is withdrawn when one does.
    crate::facts::withdraw(&mut findings, &facts);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let applied = settings.apply(&mut findings, registry)?;

    let mut fired: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    fired.sort_unstable();
    fired.dedup();
    let rules = fired
        .iter()
        .filter_map(|id| registry.get(id))
        .map(|r| r.meta.clone())
        .collect();

    let metrics = metrics::summarize(&file_metrics);
    facts.sort();
    let project = ProjectFacts {
        facts,
        inventory,
        metrics,
    };
    let checks = project::run_checks(&registry.project_checks, &project);
    // Baselined findings were removed above; suppressed ones shown with
    // --show-suppressed are skipped by the score itself.
    let score = score::compute(
        &findings,
        &checks,
        &project.metrics,
        &score::weights(&settings.score.weights),
    );

    let duration_ms = if std::env::var_os("PRODREADY_DETERMINISTIC").is_some() {
        0
    } else {
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
    };
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "prodready".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        root: display_root(&args.path),
        stats: Stats {
            files_scanned,
            files_skipped: skipped.len(),
            skipped_by_reason: count_by_reason(&skipped),
            duration_ms,
            languages,
            bytes_scanned,
            rules_run: registry.rules.len(),
            suppressed: applied.suppressed,
            files_incomplete: files_incomplete
                + skipped
                    .iter()
                    .filter(|s| {
                        matches!(s.reason, SkipReason::Unreadable | SkipReason::InternalError)
                    })
                    .count(),
        },
        findings,
        checks,
        metrics: project.metrics,
        score,
        rules,
        gate: Gate::default(),
        notes,
        skipped,
        baseline: applied.baseline,
        changed_since: applied.changed,
    };
    report.gate = gate::evaluate(&report, &settings.gate, Some(report.score.overall));
    Ok(report)
}

/// The `--cache-dir` cache of this scan, its own folder left out of the
/// files to scan; `None` (after a warning) when it cannot be used.
fn open_cache(
    args: &ScanArgs,
    registry: &Registry,
    base: &Path,
    discovery: &mut Discovery,
) -> Option<Cache> {
    let dir = args.cache_dir.as_deref()?;
    match Cache::open(dir, &args.path, registry) {
        Ok(cache) => {
            cache.leave_out(base, discovery);
            Some(cache)
        }
        Err(e) => {
            eprintln!(
                "warning: result cache {}: {e}; scanning without it",
                dir.display()
            );
            None
        }
    }
}

/// Keep this scan's outcomes for the next one and say what was reused.
fn save_cache(cache: &Cache, args: &ScanArgs, discovery: &Discovery, outcomes: &[FileOutcome]) {
    if let Err(e) = cache.save(&discovery.files, outcomes) {
        eprintln!("warning: result cache: {e}");
    }
    if !args.quiet {
        let reused = outcomes.iter().filter(|o| o.from_cache).count();
        eprintln!("{}", cache.summary(reused, outcomes.len()));
    }
}

/// Rules listed by `--timings`; the rest share one line.
const TIMINGS_SHOWN: usize = 25;

/// `prodready scan`: build the report, write it, say whether the gate passed.
pub fn run_scan(args: &ScanArgs) -> miette::Result<Outcome> {
    let settings = Settings::load(args)?;
    let (discovered, registry) = discover_and_load(args, &settings)?;
    let timings = args.timings.then(|| Timings::new(registry.rules.len()));
    let report = scan_discovered(args, &settings, &registry, discovered, timings.as_ref())?;
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let style = Style {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        verbose: args.verbose,
        width: if to_terminal { terminal_width() } else { 100 },
        quiet: args.quiet,
    };
    // Reports stream to their destination: a large scan's report is never
    // held in memory a second time as bytes.
    let render = |out: &mut dyn Write| -> std::io::Result<()> {
        report::write_report(&report, args.format, style, out)?;
        if args.explain_score && args.format == Format::Text {
            report::explain::write(&report, out)?;
        }
        Ok(())
    };
    match &args.output {
        Some(file) => write_atomically_with(file, render)?,
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            if let Err(e) = render(&mut stdout).and_then(|()| stdout.flush()) {
                // A closed pipe (`| head`) is not an error worth a failure.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(miette::miette!("cannot write the report: {e}"));
                }
            }
        }
    }
    if let Some(t) = &timings {
        eprint!("{}", t.render(&registry, TIMINGS_SHOWN));
    }
    if args.strict && report.stats.files_incomplete > 0 {
        return Err(miette::miette!(
            help = "run with -v to see which files and why; drop --strict to accept a partial scan",
            "the scan was incomplete: {} file(s) could not be fully checked",
            report.stats.files_incomplete
        ));
    }
    Ok(if report.gate.passed {
        Outcome::Passed
    } else {
        Outcome::GateFailed
    })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Run `write` on `out` through a buffer, flush it and hand `out` back.
fn fill<W: Write>(
    out: W,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<W> {
    let mut buffered = std::io::BufWriter::new(out);
    write(&mut buffered)?;
    buffered
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)
}

/// Write `bytes` to `path` through a temporary file in the same folder and
/// a rename, so readers never see a half-written report. A symlink is
/// followed (the file it points to is replaced, the link stays); a device
/// or pipe (`-o /dev/null`, a FIFO) is written in place, never replaced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> miette::Result<()> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// [`write_atomically`] for output produced by `write`, streamed through a
/// buffer; if `write` fails, `path` is left as it was.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> miette::Result<()> {
    let err = |e: &dyn std::fmt::Display| UsageError::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let existing = std::fs::metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| !m.is_file() && !m.is_dir())
    {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(|e| err(&e))?;
        fill(file, write).map_err(|e| err(&e))?;
        return Ok(());
    }
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| err(&e))?,
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    // A new file gets the mode any created file gets (0666 less the umask),
    // not the temporary file's 0600; a replaced file keeps its own.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(&dir).map_err(|e| err(&e))?;
    if let Some(m) = &existing {
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(|e| err(&e))?;
    }
    let tmp = fill(tmp, write).map_err(|e| err(&e))?;
    tmp.as_file().sync_all().map_err(|e| err(&e))?;
    tmp.persist(&target).map_err(|e| err(&e.error))?;
    Ok(())
}
