use clap::Parser;
use prodready::app::{self, Outcome};
use prodready::cli::{Cli, Command, DiffFormat, RulesCommand};
use prodready::diff;
use prodready::rules::Registry;
use prodready::{rules_cmd, ruletest};
use std::io::Write;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    prodready::parse::use_fast_allocator();
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Passed) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed) => ExitCode::from(1),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> miette::Result<Outcome> {
    let mut stdout = std::io::stdout().lock();
    let io_err = |e: std::io::Error| miette::miette!("cannot write output: {e}");
    match cli.command {
        Command::Scan(args) => app::run_scan(&args),
        Command::Diff { old, new, format } => {
            let (old, new) = (diff::load(&old)?, diff::load(&new)?);
            let d = diff::compare(&old, &new);
            match format {
                DiffFormat::Text => diff::write_text(&d, &mut stdout),
                DiffFormat::Markdown => diff::write_markdown(&d, &mut stdout),
            }
            .map_err(io_err)?;
            Ok(Outcome::Passed)
        }
        Command::Baseline(args) => {
            prodready::baseline::run_command(&args)?;
            Ok(Outcome::Passed)
        }
        Command::Init(args) => {
            let path = prodready::config::init(&args)?;
            eprintln!("wrote {}", path.display());
            Ok(Outcome::Passed)
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "prodready", &mut stdout);
            Ok(Outcome::Passed)
        }
        Command::Rules(RulesCommand::List { format, rules }) => {
            rules_cmd::list(&Registry::load(&rules)?, format, &mut stdout).map_err(io_err)?;
            Ok(Outcome::Passed)
        }
        Command::Rules(RulesCommand::Explain { id, rules }) => {
            rules_cmd::explain(&Registry::load(&rules)?, &id, &mut stdout)?;
            Ok(Outcome::Passed)
        }
        Command::Rules(RulesCommand::Test { dir }) => {
            let registry = match &dir {
                Some(d) => Registry::load_dir_only(d)?,
                None => Registry::load(&[] as &[&str])?,
            };
            let results = ruletest::test_rules(&registry);
            let mut failed = 0;
            for r in &results {
                if r.passed() {
                    writeln!(stdout, "PASS {} ({} examples)", r.id, r.examples).map_err(io_err)?;
                } else {
                    failed += 1;
                    writeln!(stdout, "FAIL {}", r.id).map_err(io_err)?;
                    for f in &r.failures {
                        writeln!(stdout, "     {f}").map_err(io_err)?;
                    }
                }
            }
            writeln!(stdout, "{} passed, {failed} failed", results.len() - failed)
                .map_err(io_err)?;
            Ok(if failed == 0 {
                Outcome::Passed
            } else {
                Outcome::GateFailed
            })
        }
    }
}
