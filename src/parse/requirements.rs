//! pip requirements files into package pins with positions.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Normalized (lower-case, `_` → `-`) distribution name.
    pub name: String,
    /// The version specifier as written (`==1.2.3`, `>=2`), empty if none.
    pub spec: String,
    pub line: u32,
}

impl Requirement {
    /// Pinned to one exact version (`==`, `===`) or by hash.
    pub fn is_pinned(&self) -> bool {
        self.spec.starts_with("==") && !self.spec.contains('*')
    }
}

pub fn parse(text: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue; // options such as -r, -e, --hash continue lines
        }
        let line = line.split(';').next().unwrap_or("").trim(); // markers
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(line.len());
        let name = &line[..end];
        if name.is_empty() {
            continue;
        }
        let mut rest = line[end..].trim_start();
        if rest.starts_with('[') {
            rest = rest.split_once(']').map_or("", |(_, r)| r.trim_start());
        }
        let spec = rest
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches('\\')
            .to_string();
        out.push(Requirement {
            name: name.to_ascii_lowercase().replace('_', "-"),
            spec,
            line: u32::try_from(idx + 1).unwrap_or(u32::MAX),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        let r = parse("# deps\nDjango==4.2.7\nrequests>=2.31\nuvicorn[standard]==0.24.0 ; python_version > '3.8'\n-r base.txt\npsycopg2_binary\n");
        assert_eq!(r.len(), 4);
        assert!(r[0].is_pinned());
        assert_eq!(r[0].name, "django");
        assert!(!r[1].is_pinned());
        assert_eq!(r[2].spec, "==0.24.0");
        assert_eq!(r[3].name, "psycopg2-binary");
        assert_eq!(r[3].line, 6);
    }
}
