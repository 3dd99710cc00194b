//! What the end-to-end test files share: the binary, run from the
//! repository root with deterministic, colourless output, and the two
//! sample projects.

// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::ffi::OsStr;

pub const INSECURE: &str = "fixtures/projects/insecure-service";
pub const HARDENED: &str = "fixtures/projects/hardened-service";

pub fn prodready() -> Command {
    let mut cmd = Command::cargo_bin("prodready").expect("binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("PRODREADY_DETERMINISTIC", "1")
        .env_remove("PRODREADY_CACHE_DIR")
        .env_remove("COLUMNS");
    cmd
}

/// `prodready scan PATH --format json --fail-on none EXTRA...`, which must
/// exit 0, parsed.
pub fn scan_json(path: impl AsRef<OsStr>, extra: &[&str]) -> Value {
    let out = prodready()
        .args(["scan", "--format", "json", "--fail-on", "none"])
        .args(extra)
        .arg(path)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("valid JSON")
}

/// Copy the folder `from` (files and subfolders) to `to`.
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A user rule (info, Python, text pattern) for tests of `--rules` folders.
pub const TODO_RULE: &str = r#"
id = "todo-comment"
title = "TODO left in code"
category = "maintainability"
severity = "info"
confidence = "high"
cwe = []
languages = ["python"]
message = "TODO: $what"
why = "Unfinished work."
fix = "Finish it or file an issue."
[[match]]
regex = '#\s*TODO:?\s*(?P<what>.*)$'
[[example]]
language = "python"
bad = "x = 1  # TODO: remove\n"
good = "x = 1\n"
"#;
