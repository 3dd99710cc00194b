//! Replays every input the fuzzers ever found (fuzz/regressions/<target>/)
//! through the same entry points the fuzz targets use. Each must return.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries
        .into_iter()
        .filter(|p| p.is_file() && !p.ends_with(".gitkeep"))
    {
        let data = std::fs::read(&path).expect("read regression input");
        run(&data);
        n += 1;
    }
    n
}

#[test]
fn code_and_config_regressions() {
    replay("code_and_config", prodready::fuzzing::code_and_config);
}

#[test]
fn rule_file_regressions() {
    replay("rule_file", prodready::fuzzing::rule_file);
}

#[test]
fn cache_file_regressions() {
    replay("cache_file", prodready::fuzzing::cache_file);
}

#[test]
fn config_file_regressions() {
    replay("config_file", prodready::fuzzing::config_file);
}

#[test]
fn entry_points_survive_edge_inputs() {
    // Empty, a lone selector byte, and invalid UTF-8 for every language.
    prodready::fuzzing::code_and_config(&[]);
    for selector in 0..=255u8 {
        prodready::fuzzing::code_and_config(&[selector]);
        prodready::fuzzing::code_and_config(&[selector, 0xff, 0xfe, b'\n', b'"', b'[', b'{']);
    }
    prodready::fuzzing::rule_file(b"");
    prodready::fuzzing::rule_file(b"id = \"x\"\n[[match]]\nrule = { pattern = \"$$$\" }\n");
    prodready::fuzzing::config_file(&[1]);
    prodready::fuzzing::config_file(b"\x01[score.weights]\nsecurity = nan\n");
}
