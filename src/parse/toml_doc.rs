//! TOML into a positioned [`CNode`] tree, through the `toml` crate's span-
//! keeping document parser.

use super::config::{CKey, CNode, CValue, ConfigDoc};
use super::lines::LineIndex;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

const MAX_DEPTH: usize = 256;

pub fn parse(text: &str, lines: &LineIndex) -> (ConfigDoc, Option<String>) {
    let (table, errors) = DeTable::parse_recoverable(text);
    let root = convert_table(table.get_ref(), table.span().start, text, lines, 0);
    let err = errors.first().map(|e| e.message().to_string());
    (
        ConfigDoc {
            documents: vec![root],
        },
        err,
    )
}

fn convert_table(
    table: &DeTable<'_>,
    start: usize,
    text: &str,
    lines: &LineIndex,
    depth: usize,
) -> CNode {
    let (line, column) = lines.position(text, start);
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let (kl, kc) = lines.position(text, key.span().start);
        let key = CKey {
            name: key.get_ref().to_string(),
            line: kl,
            column: kc,
        };
        entries.push((key, convert(value, text, lines, depth + 1)));
    }
    CNode::new(CValue::Map(entries), line, column)
}

fn convert(value: &Spanned<DeValue<'_>>, text: &str, lines: &LineIndex, depth: usize) -> CNode {
    let start = value.span().start;
    let (line, column) = lines.position(text, start);
    if depth > MAX_DEPTH {
        return CNode::new(CValue::Null, line, column);
    }
    let v = match value.get_ref() {
        DeValue::String(s) => CValue::String(s.to_string()),
        DeValue::Integer(i) => CValue::Number(i.as_str().to_string()),
        DeValue::Float(f) => CValue::Number(f.as_str().to_string()),
        DeValue::Boolean(b) => CValue::Bool(*b),
        DeValue::Datetime(d) => CValue::String(d.to_string()),
        DeValue::Array(items) => CValue::Seq(
            items
                .iter()
                .map(|i| convert(i, text, lines, depth + 1))
                .collect(),
        ),
        DeValue::Table(t) => return convert_table(t, start, text, lines, depth),
    };
    CNode::new(v, line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\nserde = { version = \"1\" }\n";
        let (doc, err) = parse(text, &LineIndex::new(text));
        assert!(err.is_none());
        let serde = doc.documents[0]
            .path(&["dependencies", "serde", "version"])
            .expect("version");
        assert_eq!(serde.as_str(), Some("1"));
        assert_eq!(serde.line, 5);
    }

    #[test]
    fn broken_toml_reports_error() {
        let text = "a = \nb = 2\n";
        let (_, err) = parse(text, &LineIndex::new(text));
        assert!(err.is_some());
    }
}
