//! Where a piece of code runs: service code, a command-line tool, a test.
//! Shared by the reliability and observability checks, which must stay
//! silent in CLIs, scripts, tests and examples (printing is a CLI's job, a
//! panic in a test is a failed assertion).

use crate::parse::fields::FieldOf;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_language::SupportLang;
use regex::Regex;
use std::sync::LazyLock;

pub type Node<'r> = ast_grep_core::Node<'r, StrDoc<SupportLang>>;

/// Path segments whose files are command-line tools, scripts or docs.
const CLI_DIRS: &[&str] = &[
    "scripts",
    "script",
    "bin",
    "cli",
    "tools",
    "tool",
    "examples",
    "example",
    "benches",
    "bench",
    "benchmarks",
    "docs",
    "doc",
    "notebooks",
    "samples",
    "sample",
    "demo",
    "demos",
    "seeds",
    "seeders",
    "fixtures",
];

/// File names of build, task and entry-point scripts.
const CLI_FILES: &[&str] = &[
    "build.rs",
    "setup.py",
    "build.py",
    "manage.py",
    "noxfile.py",
    "fabfile.py",
    "tasks.py",
    "conf.py",
    "__main__.py",
    // A package's command-line entry module.
    "cli.py",
    "cli.js",
    "cli.ts",
    "cli.rs",
    "gulpfile.js",
    "gruntfile.js",
    "webpack.config.js",
    "jest.config.js",
    "vite.config.ts",
    "vite.config.js",
    "rollup.config.js",
    "babel.config.js",
];

/// Is `rel` a command-line tool, script, example or management command by
/// its path alone (`scripts/`, `bin/`, `cli/`, `management/commands/`,
/// Rust `src/bin/`, `build.rs`, `setup.py`...)?
pub fn is_cli_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let mut segments: Vec<&str> = lower.split('/').collect();
    let file = segments.pop().unwrap_or("");
    if CLI_FILES.contains(&file) {
        return true;
    }
    // Database seed and migration runners (`prisma/seed.ts`, `seed.py`).
    let stem = file.split('.').next().unwrap_or("");
    if matches!(
        stem,
        "seed" | "seeds" | "migrate" | "populate" | "populatedb"
    ) {
        return true;
    }
    // ... and a command-line client's own package: `plume-cli/`, `acme_cli/`.
    if segments
        .iter()
        .any(|s| CLI_DIRS.contains(s) || s.ends_with("-cli") || s.ends_with("_cli"))
    {
        return true;
    }
    segments
        .windows(2)
        .any(|w| w[0] == "management" && w[1] == "commands")
}

/// `src/command/`, `src/commands/`, `src/cmd/`: a Rust binary's subcommands.
pub fn rust_subcommand_path(rel: &str) -> bool {
    rel.to_ascii_lowercase()
        .split('/')
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w[0] == "src" && matches!(w[1], "command" | "commands" | "cmd"))
}

/// Does the file start with `#!` (an executable script)?
pub fn has_shebang(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with("#!")
}

/// Is `node` inside a Rust test: a `#[test]`-like function or a
/// `#[cfg(test)]` module (attributes are the item's preceding siblings)?
pub fn rust_in_test(node: &Node<'_>) -> bool {
    node.ancestors().any(|a| {
        matches!(
            a.kind().as_ref(),
            "function_item" | "mod_item" | "impl_item"
        ) && attributes_of(&a).iter().any(|attr| is_test_attr(attr))
    })
}

fn is_test_attr(attr: &str) -> bool {
    let inner = attr
        .trim_start_matches("#!")
        .trim_start_matches('#')
        .trim_start_matches('[')
        .trim_end_matches(']');
    let words: Vec<&str> = inner
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    match words.first() {
        Some(&"cfg") => words.contains(&"test") && !words.contains(&"not"),
        Some(_) => words
            .last()
            .is_some_and(|w| *w == "test" || w.ends_with("_test") || *w == "rstest"),
        None => false,
    }
}

/// The text of the attributes written just before a Rust item.
pub fn attributes_of(item: &Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for prev in item.prev_all() {
        match prev.kind().as_ref() {
            "attribute_item" => out.push(prev.text().to_string()),
            "line_comment" | "block_comment" => {}
            _ => break,
        }
    }
    out
}

/// Is `node` inside a Rust `fn main` (a binary's entry point)?
pub fn rust_in_main(node: &Node<'_>) -> bool {
    node.ancestors().any(|a| {
        a.kind() == "function_item" && a.field_of("name").is_some_and(|n| n.text() == "main")
    })
}

/// Does a Rust file define a top-level `fn main` (a binary crate root)?
pub fn rust_defines_main(root: &Node<'_>) -> bool {
    root.children().any(|c| {
        c.kind() == "function_item" && c.field_of("name").is_some_and(|n| n.text() == "main")
    })
}

/// Is a Rust file test, bench, example, build or binary code by its path?
pub fn rust_non_service_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').collect();
    is_cli_path(rel)
        || crate::paths::is_test_path(rel)
        || segments.windows(2).any(|w| w[0] == "src" && w[1] == "bin")
        || segments.contains(&"tests")
}

static RUST_APP: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(axum|actix_web|actix|warp|rocket|tonic|poem|salvo|tide|lambda_runtime|lambda_http|sqlx|diesel|sea_orm|mongodb|redis|lapin|rdkafka|deadpool_postgres|bb8|tokio_postgres|async_graphql|juniper)::").ok()
});
static RUST_LOGGING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(tracing|log|hyper|tower|tower_http)::").ok());

/// Does a Rust file use a web framework, RPC server or database client
/// (application code rather than a general-purpose library)?
pub fn rust_app_signal(text: &str) -> bool {
    RUST_APP.as_ref().is_some_and(|r| r.is_match(text))
}

/// Code that logs through `tracing`/`log` (or an HTTP stack that does).
pub fn rust_logging_signal(text: &str) -> bool {
    RUST_LOGGING.as_ref().is_some_and(|r| r.is_match(text))
}

/// Application code, or code that already logs through `tracing`/`log`.
pub fn rust_service_signal(text: &str) -> bool {
    rust_app_signal(text) || rust_logging_signal(text)
}

/// Is the line holding `offset` marked to be ignored for one of `codes`
/// (`# noqa: T201`, `# nosec B110`, `// eslint-disable-line no-console`)?
/// Only markers that name one of the equivalent codes count: a bare `noqa`
/// or `nosec` was a decision about another tool's rules (docs/suppressions.md).
pub fn line_suppressed(text: &str, offset: usize, codes: &[&str]) -> bool {
    let (start, line) = line_at(text, offset);
    let prev = if start == 0 {
        ""
    } else {
        line_at(text, start - 1).1
    };
    let marker = |l: &str, m: &str| -> Option<String> {
        l.find(m).map(|i| l[i + m.len()..].trim().to_string())
    };
    for (l, m) in [
        (line, "noqa"),
        (line, "nosec"),
        (line, "eslint-disable-line"),
        (prev, "eslint-disable-next-line"),
    ] {
        if let Some(rest) = marker(l, m) {
            let rest = rest.trim_start_matches(':').trim();
            let named = rest.split('#').next().unwrap_or("");
            if codes.iter().any(|c| named.contains(c)) {
                return true;
            }
        }
    }
    false
}

/// Ruff's and Bandit's codes for an insecure hash function (MD5, SHA-1).
pub const BROKEN_HASH_CODES: &[&str] = &["S324", "B324", "B303"];

/// Ruff's and Bandit's codes for SQL built from strings.
pub const SQL_INJECTION_CODES: &[&str] = &["S608", "B608"];

/// Does any line of `range` carry a `noqa`/`nosec` marker naming one of
/// `codes`? Ruff takes a multi-line string's marker on its last line.
pub fn range_suppressed(text: &str, range: std::ops::Range<usize>, codes: &[&str]) -> bool {
    let Some(span) = text.get(range.clone()) else {
        return false;
    };
    std::iter::once(range.start)
        .chain(span.match_indices('\n').map(|(i, _)| range.start + i + 1))
        .filter(|&at| at < text.len())
        .any(|at| line_suppressed(text, at, codes))
}

/// Ruff's and Bandit's codes for a hardcoded password (string, argument,
/// default): markers naming them are decisions about `hardcoded-secret`.
pub const HARDCODED_PASSWORD_CODES: &[&str] = &["S105", "S106", "S107", "B105", "B106", "B107"];

/// Is the line holding `offset` marked `gitleaks:allow`, Gitleaks' marker
/// for a secret committed on purpose? It names no rule because Gitleaks
/// has only one kind: secrets.
pub fn gitleaks_allowed(text: &str, offset: usize) -> bool {
    line_at(text, offset).1.contains("gitleaks:allow")
}

/// Does a comment on the line of byte `offset`, or on the line above it,
/// say that the value there is not a real one (`// token is randomly
/// generated and not real`, `# fake key for the tests`)?
pub fn declared_not_real(text: &str, offset: usize) -> bool {
    const SAYS: &[&str] = &[
        "not real",
        "not a real",
        "fake",
        "dummy",
        "randomly generated",
    ];
    let says = |comment: &str| {
        let lower = comment.to_ascii_lowercase();
        SAYS.iter().any(|w| lower.contains(w))
    };
    let (start, line) = line_at(text, offset);
    let after = offset.saturating_sub(start).min(line.len());
    let trailing = line.get(after..).and_then(|rest| {
        rest.find("//")
            .or_else(|| rest.find(" #"))
            .map(|i| &rest[i..])
    });
    if trailing.is_some_and(says) {
        return true;
    }
    if start == 0 {
        return false;
    }
    let above = line_at(text, start - 1).1.trim_start();
    ["//", "#", "*", "/*", "--"]
        .iter()
        .any(|m| above.starts_with(m))
        && says(above)
}

/// The line holding byte `offset` (without its newline), and where it starts.
fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let offset = offset.min(text.len());
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(offset..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| offset + i);
    (start, text.get(start..end).unwrap_or(""))
}

/// Is `node` inside Python's `if __name__ == "__main__":` block?
pub fn py_in_main_guard(node: &Node<'_>) -> bool {
    node.ancestors().any(|a| {
        a.kind() == "if_statement"
            && a.field_of("condition").is_some_and(|c| {
                let t = c.text();
                t.contains("__name__") && t.contains("__main__")
            })
    })
}

/// The innermost enclosing function definition (Python or JavaScript).
pub fn enclosing_function<'r>(node: &Node<'r>) -> Option<Node<'r>> {
    node.ancestors().find(|a| {
        matches!(
            a.kind().as_ref(),
            "function_definition"
                | "function_declaration"
                | "function_expression"
                | "arrow_function"
                | "method_definition"
                | "generator_function_declaration"
                | "function_item"
                | "closure_expression"
        )
    })
}

/// Does a receiver expression look like a logger (`logger`, `log`,
/// `self.logger`, `app.logger`, `current_app.logger`, `logging`, `structlog`
/// bound loggers, `LOG`, `_log`, `req.log`, `this.logger`, `winston`)?
pub fn is_logger_receiver(text: &str) -> bool {
    let last = text.rsplit('.').next().unwrap_or(text);
    let lower = last.to_ascii_lowercase();
    let lower = lower.trim_start_matches('_');
    lower == "logging"
        || lower == "log"
        || lower == "logger"
        || lower == "structlog"
        || lower == "winston"
        || lower == "pino"
        || lower == "bunyan"
        || lower == "syslog"
        || lower.ends_with("logger")
        || lower.ends_with("_log")
        || lower.starts_with("log_")
        || lower == "audit"
}

/// Is `method` a level method of a logger?
pub fn is_log_method(method: &str) -> bool {
    matches!(
        method,
        "debug"
            | "info"
            | "warning"
            | "warn"
            | "error"
            | "exception"
            | "critical"
            | "fatal"
            | "trace"
            | "log"
            | "msg"
            | "notice"
            | "verbose"
            | "silly"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast_grep_core::tree_sitter::LanguageExt;

    #[test]
    fn cli_paths() {
        assert!(is_cli_path("scripts/seed.py"));
        assert!(is_cli_path("src/prisma/seed.ts"));
        assert!(is_cli_path("app/management/commands/backfill.py"));
        assert!(is_cli_path("build.rs"));
        assert!(is_cli_path("plume-cli/src/main.rs"));
        assert!(!is_cli_path("client/src/main.rs"));
        assert!(rust_non_service_path("src/bin/migrate.rs"));
        assert!(rust_non_service_path("tests/api.rs"));
        assert!(!is_cli_path("app/views.py"));
        assert!(!rust_non_service_path("src/handlers.rs"));
    }

    #[test]
    fn values_declared_not_real() {
        let at = |text: &str| text.find("ghp_").unwrap_or(0);
        for text in [
            "// token is randomly generated and not real\nconst t = 'ghp_x'\n",
            "  # fake key for the tests\nT = 'ghp_x'\n",
            "const t = 'ghp_x' // dummy\n",
            "T = 'ghp_x'  # not a real token\n",
        ] {
            assert!(declared_not_real(text, at(text)), "{text}");
        }
        for text in [
            "ghp_x at the start of the file\n",
            "fake = load()\nT = 'ghp_x'\n",
            "// rotate every month\nconst t = 'ghp_x'\n",
            "// fake\n\nconst t = 'ghp_x'\n",
            "const url = 'https://h/?t=ghp_x'\n",
        ] {
            assert!(!declared_not_real(text, at(text)), "{text}");
        }
    }

    #[test]
    fn suppressions() {
        let text = "a = 1\nprint(x)  # noqa: T201\nprint(y)  # noqa\nprint(z)  # noqa: E501\n";
        assert!(!line_suppressed(text, 0, &["T201"]));
        assert!(line_suppressed(text, 7, &["T201"]));
        assert!(
            !line_suppressed(text, 33, &["T201"]),
            "a bare noqa is not honoured"
        );
        assert!(!line_suppressed(text, 52, &["T201"]));
        let js = "// eslint-disable-next-line no-console\nconsole.log(x);\n";
        assert!(line_suppressed(js, 40, &["no-console"]));
    }

    #[test]
    fn test_attrs() {
        assert!(is_test_attr("#[test]"));
        assert!(is_test_attr("#[tokio::test]"));
        assert!(is_test_attr("#[cfg(test)]"));
        assert!(is_test_attr("#[cfg(all(test, feature = \"x\"))]"));
        assert!(!is_test_attr("#[cfg(not(test))]"));
        assert!(!is_test_attr("#[derive(Debug)]"));
    }

    /// `PRODREADY_DUMP=python:code cargo test dump_tree -- --nocapture`
    #[test]
    fn dump_tree() {
        let Ok(spec) = std::env::var("PRODREADY_DUMP") else {
            return;
        };
        let (lang, code) = spec.split_once(':').unwrap_or(("python", ""));
        let lang = match lang {
            "rust" => SupportLang::Rust,
            "js" => SupportLang::JavaScript,
            "ts" => SupportLang::TypeScript,
            _ => SupportLang::Python,
        };
        let tree = lang.ast_grep(code);
        for n in tree.root().dfs() {
            let depth = n.ancestors().count();
            println!(
                "{}{} {:?}",
                "  ".repeat(depth),
                n.kind(),
                n.text().chars().take(40).collect::<String>()
            );
        }
    }
}
