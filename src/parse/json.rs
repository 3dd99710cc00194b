//! JSON into a positioned [`CNode`] tree. serde_json keeps no positions, so
//! this is a small strict recursive-descent reader with a depth limit; on an
//! error it returns what it read and the error.

use super::config::{CKey, CNode, CValue, ConfigDoc};
use super::lines::LineIndex;

const MAX_DEPTH: usize = 256;

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    lines: &'t LineIndex,
}

type R<T> = Result<T, String>;

impl Reader<'_> {
    fn ws(&mut self) {
        while self.pos < self.bytes.len()
            && matches!(self.bytes[self.pos], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos += 1;
        }
    }

    fn at(&self) -> (u32, u32) {
        self.lines.position(self.text, self.pos)
    }

    fn err<T>(&self, what: &str) -> R<T> {
        let (l, c) = self.at();
        Err(format!("{what} at line {l} column {c}"))
    }

    fn value(&mut self, depth: usize) -> R<CNode> {
        self.ws();
        let (line, column) = self.at();
        if depth > MAX_DEPTH {
            return self.err("nesting too deep");
        }
        let value = match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.bytes.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        let (kl, kc) = self.at();
                        if self.bytes.get(self.pos) != Some(&b'"') {
                            return self.err("expected a string key");
                        }
                        let name = self.string()?;
                        self.ws();
                        if self.bytes.get(self.pos) != Some(&b':') {
                            return self.err("expected `:`");
                        }
                        self.pos += 1;
                        let v = self.value(depth + 1)?;
                        entries.push((
                            CKey {
                                name,
                                line: kl,
                                column: kc,
                            },
                            v,
                        ));
                        self.ws();
                        match self.bytes.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.err("expected `,` or `}`"),
                        }
                    }
                }
                CValue::Map(entries)
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.bytes.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.bytes.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.err("expected `,` or `]`"),
                        }
                    }
                }
                CValue::Seq(items)
            }
            Some(b'"') => CValue::String(self.string()?),
            Some(b't') if self.text[self.pos..].starts_with("true") => {
                self.pos += 4;
                CValue::Bool(true)
            }
            Some(b'f') if self.text[self.pos..].starts_with("false") => {
                self.pos += 5;
                CValue::Bool(false)
            }
            Some(b'n') if self.text[self.pos..].starts_with("null") => {
                self.pos += 4;
                CValue::Null
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while self.pos < self.bytes.len()
                    && matches!(
                        self.bytes[self.pos],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.pos += 1;
                }
                CValue::Number(self.text[start..self.pos].to_string())
            }
            _ => return self.err("expected a value"),
        };
        Ok(CNode::new(value, line, column))
    }

    fn string(&mut self) -> R<String> {
        // Opening quote already checked by the caller.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.err("unterminated string");
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let Some(&esc) = self.bytes.get(self.pos + 1) else {
                        return self.err("unterminated string");
                    };
                    self.pos += 2;
                    match esc {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'u' => {
                            let hex = self.text.get(self.pos..self.pos + 4).unwrap_or("");
                            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                            out.push(c.unwrap_or('\u{fffd}'));
                            self.pos = (self.pos + 4).min(self.bytes.len());
                        }
                        other => out.push(char::from(other)),
                    }
                }
                _ => {
                    let rest = &self.text[self.pos..];
                    let end = rest.find(['"', '\\']).unwrap_or(rest.len());
                    out.push_str(&rest[..end]);
                    self.pos += end;
                }
            }
        }
    }
}

pub fn parse(text: &str, lines: &LineIndex) -> (ConfigDoc, Option<String>) {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        lines,
    };
    // Skip a UTF-8 byte-order mark.
    if text.starts_with('\u{feff}') {
        reader.pos = 3;
    }
    match reader.value(0) {
        Ok(root) => {
            reader.ws();
            let err = (reader.pos < text.len())
                .then(|| "trailing characters after the JSON value".to_string());
            (
                ConfigDoc {
                    documents: vec![root],
                },
                err,
            )
        }
        Err(e) => (ConfigDoc::default(), Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> (ConfigDoc, Option<String>) {
        parse(text, &LineIndex::new(text))
    }

    #[test]
    fn reads_package_json() {
        let (doc, err) = p("{\n  \"name\": \"api\",\n  \"dependencies\": {\"express\": \"^4.18.2\", \"n\": [1, -2.5e3, true, null]}\n}\n");
        assert!(err.is_none(), "{err:?}");
        let express = doc.documents[0]
            .path(&["dependencies", "express"])
            .expect("express");
        assert_eq!(express.as_str(), Some("^4.18.2"));
        assert_eq!(express.line, 3);
    }

    #[test]
    fn errors_and_depth() {
        assert!(p("{\"a\": }").1.is_some());
        assert!(p("\"unterminated").1.is_some());
        let deep = "[".repeat(100_000);
        assert!(p(&deep).1.is_some());
        assert!(p("\"\\u12").1.is_some());
    }
}
