//! Code metrics, counted per file in the check pass and summed per project:
//! lines of code per language, Python type-annotation and docstring
//! coverage, explicit `any` in TypeScript, test files versus source files.

use crate::lang::Language;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use crate::paths::is_test_path;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Metrics of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMetrics {
    pub code_lines: usize,
    pub is_test: bool,
    pub py_functions: usize,
    pub py_typed: usize,
    pub py_documented: usize,
    pub py_public: usize,
    pub py_public_typed: usize,
    pub py_public_documented: usize,
    pub ts_any: usize,
}

/// A share with its parts, so reports can show "42 of 57 (74%)".
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Ratio {
    pub count: usize,
    pub total: usize,
    pub percent: f64,
}

impl Ratio {
    pub fn new(count: usize, total: usize) -> Self {
        let percent = if total == 0 {
            0.0
        } else {
            (count as f64 * 1000.0 / total as f64).round() / 10.0
        };
        Self {
            count,
            total,
            percent,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct PythonMetrics {
    pub functions: usize,
    pub fully_annotated: Ratio,
    pub with_docstring: Ratio,
    pub public_functions: usize,
    pub public_fully_annotated: Ratio,
    pub public_with_docstring: Ratio,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct LanguageLines {
    pub files: usize,
    pub code_lines: usize,
}

/// Project metrics, in the JSON report as `metrics`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Metrics {
    pub lines_of_code: BTreeMap<String, LanguageLines>,
    pub total_code_lines: usize,
    pub source_files: usize,
    pub test_files: usize,
    pub python: Option<PythonMetrics>,
    pub typescript_explicit_any: Option<usize>,
}

fn is_code(language: Language) -> bool {
    matches!(
        language,
        Language::Python
            | Language::JavaScript
            | Language::TypeScript
            | Language::Tsx
            | Language::Rust
    )
}

pub fn measure(file: &ParsedFile) -> FileMetrics {
    let mut m = FileMetrics {
        code_lines: file.text.lines().filter(|l| !l.trim().is_empty()).count(),
        is_test: is_test_path(&file.rel_path),
        ..FileMetrics::default()
    };
    // Annotation, docstring and `any` figures describe source code: test
    // functions are not held to them (and test files may go unparsed).
    if m.is_test {
        return m;
    }
    let Some(nodes) = file.nodes() else { return m };
    match file.language {
        Language::Python => {
            for node in nodes.of_kind("function_definition") {
                let name = node
                    .field_of("name")
                    .map(|n| n.text().to_string())
                    .unwrap_or_default();
                let public =
                    !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__"));
                let typed = node.field_of("return_type").is_some()
                    && node.field_of("parameters").is_none_or(|params| {
                        params.children().filter(|p| p.is_named()).all(|p| {
                            let k = p.kind();
                            let text = p.text();
                            k.contains("typed")
                                || text == "self"
                                || text == "cls"
                                || k == "comment"
                                || text == "*"
                                || text == "/"
                        })
                    });
                let documented = node
                    .field_of("body")
                    .and_then(|b| b.children().find(|c| c.is_named()))
                    .is_some_and(|first| {
                        first.kind() == "expression_statement"
                            && first
                                .children()
                                .next()
                                .is_some_and(|s| s.kind() == "string")
                    });
                m.py_functions += 1;
                m.py_typed += usize::from(typed);
                m.py_documented += usize::from(documented);
                if public {
                    m.py_public += 1;
                    m.py_public_typed += usize::from(typed);
                    m.py_public_documented += usize::from(documented);
                }
            }
        }
        Language::TypeScript | Language::Tsx => {
            m.ts_any = nodes
                .of_kind("predefined_type")
                .filter(|n| n.text() == "any")
                .count();
        }
        _ => {}
    }
    m
}

/// Sum per-file metrics into project metrics.
pub fn summarize(files: &[(Language, FileMetrics)]) -> Metrics {
    let mut out = Metrics::default();
    let mut py = FileMetrics::default();
    let mut has_py = false;
    let mut ts_any = None;
    for (lang, m) in files {
        if !is_code(*lang) {
            continue;
        }
        let entry = out
            .lines_of_code
            .entry(lang.name().to_string())
            .or_default();
        entry.files += 1;
        entry.code_lines += m.code_lines;
        out.total_code_lines += m.code_lines;
        if m.is_test {
            out.test_files += 1;
        } else {
            out.source_files += 1;
        }
        if *lang == Language::Python {
            has_py = true;
            py.py_functions += m.py_functions;
            py.py_typed += m.py_typed;
            py.py_documented += m.py_documented;
            py.py_public += m.py_public;
            py.py_public_typed += m.py_public_typed;
            py.py_public_documented += m.py_public_documented;
        }
        if matches!(lang, Language::TypeScript | Language::Tsx) {
            *ts_any.get_or_insert(0) += m.ts_any;
        }
    }
    if has_py {
        out.python = Some(PythonMetrics {
            functions: py.py_functions,
            fully_annotated: Ratio::new(py.py_typed, py.py_functions),
            with_docstring: Ratio::new(py.py_documented, py.py_functions),
            public_functions: py.py_public,
            public_fully_annotated: Ratio::new(py.py_public_typed, py.py_public),
            public_with_docstring: Ratio::new(py.py_public_documented, py.py_public),
        });
    }
    out.typescript_explicit_any = ts_any;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn python_annotations_and_docstrings() {
        let code = "def a(x: int) -> int:\n    \"\"\"Doc.\"\"\"\n    return x\n\ndef _b(x):\n    return x\n\nclass C:\n    def m(self, y: str) -> None:\n        pass\n";
        let m = measure(&parse(Language::Python, "app/x.py".into(), code.into()));
        assert_eq!((m.py_functions, m.py_typed, m.py_documented), (3, 2, 1));
        assert_eq!((m.py_public, m.py_public_typed), (2, 2));
    }

    #[test]
    fn test_files_count_lines_but_not_functions() {
        let code = "def test_a(client):\n    assert client\n";
        let m = measure(&parse(
            Language::Python,
            "tests/test_a.py".into(),
            code.into(),
        ));
        assert_eq!((m.is_test, m.code_lines, m.py_functions), (true, 2, 0));
    }

    #[test]
    fn typescript_any() {
        let m = measure(&parse(
            Language::TypeScript,
            "x.ts".into(),
            "let a: any = 1;\nfunction f(b: any): string { return '' }\nconst c = 'any';\n".into(),
        ));
        assert_eq!(m.ts_any, 2);
    }
}
