//! `.env` files into key/value entries with positions.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    pub value: String,
    pub line: u32,
    /// 1-based column where the value starts.
    pub value_column: u32,
}

pub fn parse(text: &str) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let Some((key, value)) = body.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let value_offset = line.len() - value.len();
        let raw_value = value.trim();
        let lead = value.len() - value.trim_start().len();
        let value = unquote(raw_value);
        out.push(EnvEntry {
            key: key.to_string(),
            value,
            line: u32::try_from(idx + 1).unwrap_or(u32::MAX),
            value_column: u32::try_from(line[..value_offset + lead].chars().count() + 1)
                .unwrap_or(u32::MAX),
        });
    }
    out
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            if let Some(end) = inner.find(q) {
                return inner[..end].to_string();
            }
        }
    }
    // Unquoted: an inline comment starts at ` #`.
    v.split(" #").next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let e = parse("# c\nexport DB_URL=postgres://x\nSECRET_KEY = \"abc def\" \nEMPTY=\nPORT=8000 # web\nnot a line\n");
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].key, "DB_URL");
        assert_eq!(e[1].value, "abc def");
        assert_eq!((e[1].line, e[1].value_column), (3, 14));
        assert_eq!(e[2].value, "");
        assert_eq!(e[3].value, "8000");
    }
}
