//! What a path says about a file: tests, fixtures, scripts.

/// Is this a test or fixture file (by the conventions of pytest, Jest,
/// Mocha, Go, Rust and most repositories)?
pub fn is_test_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let mut segments = lower.split('/');
    let file = segments.next_back().unwrap_or("");
    if segments.any(|s| {
        matches!(
            s,
            "test"
                | "tests"
                | "__tests__"
                | "spec"
                | "specs"
                | "testing"
                | "fixtures"
                | "__fixtures__"
                | "__mocks__"
                | "testdata"
                | "e2e"
        )
    }) {
        return true;
    }
    file.starts_with("test_")
        || file == "conftest.py"
        || file.ends_with("_test.py")
        || file.ends_with("_tests.py")
        || file.ends_with("_test.rs")
        || [".test.", ".spec.", "_spec."]
            .iter()
            .any(|m| file.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tests() {
        assert!(is_test_path("tests/test_auth.py"));
        assert!(is_test_path("app/test_auth.py"));
        assert!(is_test_path("src/auth.test.ts"));
        assert!(is_test_path("web/__tests__/x.js"));
        assert!(is_test_path("fixtures/keys.env"));
        assert!(!is_test_path("app/auth.py"));
        assert!(!is_test_path("src/contest.ts"));
    }
}
