//! Which parts of a file are test code. A test file (src/paths.rs) is test
//! code throughout. Rust keeps unit tests beside the code they test: an
//! item marked `#[cfg(test)]` (usually `mod tests { ... }`) or a test
//! attribute (`#[test]`, `#[tokio::test]`, `#[sqlx::test]`, `#[rstest]`,
//! `#[test_case(...)]`) is test code, and only that item.
//!
//! Rules apply their `test_files` policy to test code wherever it is: a
//! rule that skips test files does not report inside a Rust test module.

use crate::lang::Language;
use crate::parse::ParsedFile;
use std::ops::Range;

/// The test code of one file.
#[derive(Debug, Default)]
pub struct TestCode {
    whole_file: bool,
    /// Byte ranges of test items, in a source file.
    items: Vec<Range<usize>>,
}

impl TestCode {
    /// The test code of `file`, which is a test file or not.
    pub fn of(file: &ParsedFile, test_file: bool) -> TestCode {
        let items = if test_file || file.language != Language::Rust {
            Vec::new()
        } else {
            rust_test_items(file)
        };
        TestCode {
            whole_file: test_file,
            items,
        }
    }

    /// Is the span `start..end` test code?
    pub fn covers(&self, start: usize, end: usize) -> bool {
        self.whole_file
            || self
                .items
                .iter()
                .any(|item| item.start <= start && end <= item.end)
    }
}

/// The items a test attribute is on.
fn rust_test_items(file: &ParsedFile) -> Vec<Range<usize>> {
    let Some(nodes) = file.nodes() else {
        return Vec::new();
    };
    if !file.text.contains("test") {
        return Vec::new();
    }
    nodes
        .of_kind("attribute_item")
        .filter(|attr| is_test_attribute(&attr.text()))
        .filter_map(|attr| {
            // The item is the next sibling that is neither another
            // attribute nor a comment.
            let mut next = attr.next();
            while let Some(node) = &next {
                match node.kind().as_ref() {
                    "attribute_item" | "line_comment" | "block_comment" => next = node.next(),
                    _ => break,
                }
            }
            next.map(|item| item.range())
        })
        .collect()
}

/// `#[cfg(test)]`, `#[cfg(all(test, ...))]`, `#[test]`, `#[tokio::test]`,
/// `#[tokio::test(flavor = "multi_thread")]`, `#[rstest]`, `#[test_case(..)]`.
/// Not `#[cfg(not(test))]` or `#[cfg(any(test, ...))]`, which also compile
/// outside tests.
fn is_test_attribute(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(inner) = compact
        .strip_prefix("#[")
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return false;
    };
    let path = inner.split('(').next().unwrap_or("");
    match path {
        "cfg" => inner == "cfg(test)" || inner.starts_with("cfg(all(test,"),
        "test" | "rstest" | "test_case" => true,
        _ => path.ends_with("::test"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_attributes() {
        for yes in [
            "#[cfg(test)]",
            "#[cfg( test )]",
            "#[cfg(all(test, feature = \"pg\"))]",
            "#[test]",
            "#[tokio::test]",
            "#[tokio::test(flavor = \"multi_thread\")]",
            "#[sqlx::test(migrations = \"./migrations\")]",
            "#[actix_web::test]",
            "#[rstest]",
            "#[test_case(1, 2)]",
        ] {
            assert!(is_test_attribute(yes), "{yes}");
        }
        for no in [
            "#[cfg(not(test))]",
            "#[cfg(any(test, feature = \"mock\"))]",
            "#[derive(Debug)]",
            "#[tokio::main]",
            "#[serde(rename = \"test\")]",
            "#[testing]",
        ] {
            assert!(!is_test_attribute(no), "{no}");
        }
    }

    #[test]
    fn rust_test_items_only() {
        let code = "const A: &str = \"a\";\n\n#[cfg(test)]\n// helpers\nmod tests {\n    const B: &str = \"b\";\n}\n\n#[derive(Debug)]\nstruct S;\n\n#[tokio::test]\nasync fn t() { let c = \"c\"; }\n";
        let file = crate::parse::parse(Language::Rust, "src/lib.rs".into(), code.into());
        let test_code = TestCode::of(&file, false);
        let at = |needle: &str| {
            let start = code.find(needle).unwrap_or(0);
            (start, start + needle.len())
        };
        for (needle, expected) in [
            ("\"a\"", false),
            ("\"b\"", true),
            ("struct S", false),
            ("\"c\"", true),
        ] {
            let (start, end) = at(needle);
            assert_eq!(test_code.covers(start, end), expected, "{needle}");
        }
        assert!(TestCode::of(&file, true).covers(0, 1));
    }
}
