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
fn project_regressions() {
    replay("project", |data| {
        let _ = prodready::fuzzing::project(data);
    });
}

/// A `project` input: (file selector, contents) pairs joined by the separator.
fn project_input(parts: &[(u8, &str)]) -> Vec<u8> {
    let mut data = Vec::new();
    for (i, (selector, body)) in parts.iter().enumerate() {
        if i > 0 {
            data.extend_from_slice(prodready::fuzzing::PROJECT_SEPARATOR);
        }
        data.push(*selector);
        data.extend_from_slice(body.as_bytes());
    }
    data
}

#[test]
fn the_project_target_scans_what_it_is_given() {
    // 0 = app/main.py, 13 = Dockerfile, 20 = prodready.toml, 21 = baseline.
    let code = "import hashlib\n\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n";
    let found = prodready::fuzzing::project(&project_input(&[(0, code), (13, "FROM python\n")]));
    assert_eq!(found, Some(1));
    // The configuration is read: a disabled rule is not reported.
    let config = "[rules]\ndisable = [\"weak-password-hash\"]\n";
    let fewer = prodready::fuzzing::project(&project_input(&[
        (0, code),
        (13, "FROM python\n"),
        (20, config),
    ]));
    assert_eq!(fewer, Some(0));
    // A bad configuration or baseline stops the scan with a diagnostic.
    assert_eq!(
        prodready::fuzzing::project(&project_input(&[(0, code), (20, "[rules\n")])),
        None
    );
    assert_eq!(
        prodready::fuzzing::project(&project_input(&[(0, code), (21, "{\"version\": 99}")])),
        None
    );
    // No parts, empty parts, a part that is only a selector.
    let _ = prodready::fuzzing::project(b"");
    let _ = prodready::fuzzing::project(prodready::fuzzing::PROJECT_SEPARATOR);
    let _ = prodready::fuzzing::project(&[7]);
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
