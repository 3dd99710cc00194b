//! YAML into positioned [`CNode`] trees, through yaml-rust2's event parser
//! (which reports a marker for every event). Multi-document streams, as
//! Kubernetes manifests use, become one tree per document. Aliases are
//! expanded with a node budget so an alias bomb cannot exhaust memory.

use super::config::{CKey, CNode, CValue, ConfigDoc};
use super::lines::to_u32;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Expanded aliases may add at most this many nodes in all.
const ALIAS_NODE_BUDGET: usize = 100_000;
/// Deeper nesting than this is cut off (the rest of the document is dropped).
const MAX_DEPTH: usize = 512;

enum Frame {
    Seq(Vec<CNode>, Marker, usize),
    Map(Vec<(CKey, CNode)>, Option<CKey>, Marker, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<CNode>,
    anchors: HashMap<usize, CNode>,
    alias_budget: usize,
    too_deep: bool,
}

fn count_nodes(node: &CNode) -> usize {
    // Iterative: alias targets can be deep.
    let mut n = 0;
    let mut todo = vec![node];
    while let Some(cur) = todo.pop() {
        n += 1;
        match &cur.value {
            CValue::Seq(items) => todo.extend(items.iter()),
            CValue::Map(entries) => todo.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    n
}

impl Builder {
    fn push_value(&mut self, node: CNode, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(items, _, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _, _)) => match pending.take() {
                None => {
                    let name = node.as_scalar().unwrap_or_default();
                    *pending = Some(CKey {
                        name,
                        line: node.line,
                        column: node.column,
                    });
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
}

fn scalar(text: String, style: TScalarStyle) -> CValue {
    if style != TScalarStyle::Plain {
        return CValue::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => CValue::Null,
        "true" | "True" | "TRUE" => CValue::Bool(true),
        "false" | "False" | "FALSE" => CValue::Bool(false),
        t if t.parse::<f64>().is_ok() && !t.starts_with('.') => CValue::Number(text),
        _ => CValue::String(text),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.too_deep {
            return;
        }
        let (line, col) = (to_u32(mark.line()), to_u32(mark.col() + 1));
        match ev {
            Event::Scalar(text, style, anchor, _) => {
                self.push_value(CNode::new(scalar(text, style), line, col), anchor);
            }
            Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.too_deep = true;
                    return;
                }
                self.stack.push(Frame::Seq(Vec::new(), mark, anchor));
            }
            Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.too_deep = true;
                    return;
                }
                self.stack.push(Frame::Map(Vec::new(), None, mark, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return;
                };
                let (value, start, anchor) = match frame {
                    Frame::Seq(items, m, a) => (CValue::Seq(items), m, a),
                    Frame::Map(entries, _, m, a) => (CValue::Map(entries), m, a),
                };
                let node = CNode::new(value, to_u32(start.line()), to_u32(start.col() + 1));
                self.push_value(node, anchor);
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some(target) => {
                        let size = count_nodes(target);
                        if self.alias_budget + size > ALIAS_NODE_BUDGET {
                            CNode::new(CValue::Null, line, col)
                        } else {
                            self.alias_budget += size;
                            CNode {
                                line,
                                column: col,
                                ..target.clone()
                            }
                        }
                    }
                    None => CNode::new(CValue::Null, line, col),
                };
                self.push_value(node, 0);
            }
            Event::DocumentEnd => self.stack.clear(),
            _ => {}
        }
    }
}

/// Parse a YAML stream. On a syntax error the documents read so far are
/// kept and the error is returned beside them.
///
/// A flow collection closed on a line of its own at its key's indentation
/// (`test: [` ... `]`) is, strictly, invalid YAML, and yaml-rust2 rejects
/// it; docker compose, PyYAML and js-yaml accept it, so compose files are
/// written so. After an indentation error, the stream is read once more
/// with such closing lines indented like the line before them: lines and
/// every other column stay where they were.
pub fn parse(text: &str) -> (ConfigDoc, Option<String>) {
    let (doc, err) = parse_strict(text);
    if err
        .as_deref()
        .is_some_and(|e| e.contains("invalid indentation"))
    {
        if let Some(relaxed) = indent_flow_closers(text) {
            let (relaxed_doc, relaxed_err) = parse_strict(&relaxed);
            if relaxed_err.is_none() {
                return (relaxed_doc, None);
            }
        }
    }
    (doc, err)
}

/// Does `text` hold template actions (`{{ .Values.image }}`, `{%- if %}`)
/// outside comments, as Helm charts and Jinja templates do? GitHub Actions'
/// `${{ expressions }}` are YAML strings, not template actions.
pub fn is_template(text: &str) -> bool {
    text.lines().any(|line| {
        let code = line.trim_start();
        let action = code
            .match_indices("{{")
            .any(|(i, _)| !code[..i].ends_with('$'));
        !code.starts_with('#')
            && (action && code.contains("}}") || code.contains("{%") && code.contains("%}"))
    })
}

/// `text` with each line that only closes flow collections (`]`, `}`,
/// `],`, `} # end`) indented like the previous non-blank line, when that
/// is deeper; `None` when no line changes.
fn indent_flow_closers(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut previous_indent = 0;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let content = body.split('#').next().unwrap_or("").trim_end();
        let closer = !content.is_empty()
            && content
                .trim_end_matches(',')
                .chars()
                .all(|c| matches!(c, ']' | '}' | ' '));
        if closer && indent < previous_indent {
            out.extend(std::iter::repeat_n(' ', previous_indent - indent));
            changed = true;
        }
        out.push_str(line);
        if !body.trim().is_empty() && !body.starts_with('#') {
            previous_indent = if closer {
                previous_indent.max(indent)
            } else {
                indent
            };
        }
    }
    changed.then_some(out)
}

fn parse_strict(text: &str) -> (ConfigDoc, Option<String>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let err = parser.load(&mut builder, true).err().map(|e| e.to_string());
    let mut err = err;
    if builder.too_deep {
        err.get_or_insert_with(|| {
            format!("nesting deeper than {MAX_DEPTH} levels; the rest was not read")
        });
    }
    (
        ConfigDoc {
            documents: builder.docs,
        },
        err,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_noted_and_not_judged() {
        use crate::lang::Language;
        use crate::parse::{parse, Parsed};
        let helm = "{{- if .Values.worker.enabled }}\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n{{- end }}\n";
        let file = parse(
            Language::Kubernetes,
            "chart/templates/worker.yaml".into(),
            helm.into(),
        );
        assert_eq!(file.notes.len(), 1, "{:?}", file.notes);
        assert!(
            file.notes[0].starts_with("template (`{{ ... }}`)"),
            "{:?}",
            file.notes
        );
        let Parsed::Config(doc) = &file.parsed else {
            panic!("a YAML file is a config document")
        };
        assert!(doc.documents.is_empty(), "nothing of a template is judged");
        // Broken YAML without template actions is reported as such.
        let broken = parse(
            Language::Yaml,
            "a.yaml".into(),
            "a: [1\n# {{ not code }}\n".into(),
        );
        assert!(
            broken.notes.iter().any(|n| n.starts_with("invalid YAML")),
            "{:?}",
            broken.notes
        );
        // A broken workflow is broken YAML, whatever its expressions.
        let workflow = "on: push\njobs:\n  t:\n    env: { A: ${{ secrets.A }}\n";
        let broken = parse(
            Language::GithubActions,
            ".github/workflows/ci.yml".into(),
            workflow.into(),
        );
        assert!(
            broken.notes.iter().any(|n| n.starts_with("invalid YAML")),
            "{:?}",
            broken.notes
        );
        // Quoted template text is valid YAML and read as usual.
        let quoted = parse(
            Language::Kubernetes,
            "k8s/app.yaml".into(),
            "image: \"{{ .Values.image }}\"\n".into(),
        );
        assert!(quoted.notes.is_empty(), "{:?}", quoted.notes);
    }

    #[test]
    fn positions_and_documents() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n---\nkind: Service\n";
        let (doc, err) = parse(text);
        assert!(err.is_none());
        assert_eq!(doc.documents.len(), 2);
        let image = doc.documents[0]
            .path(&["spec", "containers"])
            .and_then(|c| c.items().first())
            .and_then(|c| c.get("image"))
            .expect("image");
        assert_eq!(image.as_str(), Some("nginx:latest"));
        assert_eq!((image.line, image.column), (6, 14));
        let (key, _) = doc.documents[0].entry("kind").expect("kind");
        assert_eq!((key.line, key.column), (2, 1));
    }

    #[test]
    fn flow_closers_at_the_parent_indentation_are_accepted() {
        // Strictly invalid (the `]` must be indented past `test:`), but
        // docker compose, PyYAML and js-yaml accept it, and compose files
        // in the wild are written so.
        let text = "services:\n  web:\n    healthcheck:\n      test: [\n          \"CMD-SHELL\",\n          \"wget -q -O- http://web/healthz\"\n      ]\n      interval: 30s\n    image: nginx:1.27\n  db:\n    environment: {\n      POSTGRES_DB: app\n    }\n";
        let (doc, err) = parse(text);
        assert_eq!(err, None);
        let web = doc.documents[0].path(&["services", "web"]).expect("web");
        let test = web.path(&["healthcheck", "test"]).expect("test");
        assert_eq!(test.items().len(), 2);
        let interval = web.path(&["healthcheck", "interval"]).expect("interval");
        assert_eq!((interval.line, interval.column), (8, 17));
        let image = web.get("image").expect("image");
        assert_eq!((image.line, image.column), (9, 12));
        let db = doc.documents[0].path(&["services", "db", "environment", "POSTGRES_DB"]);
        assert_eq!(db.and_then(|n| n.as_str()), Some("app"));
        // Other indentation errors stay errors.
        let (_, err) = parse("a:\n  b: 1\n c: 2\n");
        assert!(err.is_some());
    }

    #[test]
    fn broken_yaml_keeps_what_was_read() {
        let (doc, err) = parse("a: 1\nb: [unclosed\n");
        assert!(err.is_some());
        assert!(doc.documents.len() <= 1);
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in 'b'..='k' {
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = name;
        }
        let (doc, _) = parse(&text);
        assert!(count_nodes(&doc.documents[0]) < 2 * ALIAS_NODE_BUDGET);
    }
}
