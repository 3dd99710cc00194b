//! Dockerfiles into a list of instructions with their lines. Handles
//! backslash continuations, comments and the `# escape=` parser directive
//! well enough for readiness checks (USER, HEALTHCHECK, FROM, ENV, ARG).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: `FROM`, `RUN`, `ENV`...
    pub keyword: String,
    /// Arguments with continuations joined by a space.
    pub args: String,
    /// 1-based line where the instruction starts.
    pub line: u32,
    /// 1-based line where it ends (after continuations).
    pub end_line: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
}

impl Dockerfile {
    /// Instructions of the last build stage (the image that ships).
    pub fn final_stage(&self) -> &[Instruction] {
        let start = self
            .instructions
            .iter()
            .rposition(|i| i.keyword == "FROM")
            .unwrap_or(0);
        &self.instructions[start..]
    }
}

pub fn parse(text: &str) -> Dockerfile {
    let mut escape = '\\';
    let mut out = Vec::new();
    let mut current: Option<Instruction> = None;
    let mut seen_instruction = false;
    for (idx, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        if !seen_instruction && current.is_none() {
            if let Some(rest) = trimmed.strip_prefix('#') {
                let rest = rest.trim().to_ascii_lowercase();
                if let Some(e) = rest.strip_prefix("escape=") {
                    escape = e.trim().chars().next().unwrap_or('\\');
                }
                continue;
            }
        }
        if trimmed.starts_with('#') {
            continue; // comments may sit inside continuations too
        }
        let (body, continues) = match trimmed.trim_end().strip_suffix(escape) {
            Some(b) => (b, true),
            None => (trimmed.trim_end(), false),
        };
        match current.as_mut() {
            Some(inst) => {
                if !body.trim().is_empty() {
                    if !inst.args.is_empty() {
                        inst.args.push(' ');
                    }
                    inst.args.push_str(body.trim());
                }
                inst.end_line = line_no;
            }
            None => {
                if body.trim().is_empty() {
                    continue;
                }
                seen_instruction = true;
                let body = body.trim();
                let (kw, args) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
                current = Some(Instruction {
                    keyword: kw.to_ascii_uppercase(),
                    args: args.trim().to_string(),
                    line: line_no,
                    end_line: line_no,
                });
            }
        }
        if !continues {
            if let Some(inst) = current.take() {
                out.push(inst);
            }
        }
    }
    if let Some(inst) = current.take() {
        out.push(inst);
    }
    Dockerfile { instructions: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_and_stages() {
        let df = parse("# syntax=docker/dockerfile:1\nFROM python:3.12 AS build\nRUN pip install \\\n    -r req.txt \\\n  # comment\n    --no-cache\nFROM python:3.12-slim\nUSER app\n");
        assert_eq!(df.instructions.len(), 4);
        assert_eq!(df.instructions[1].args, "pip install -r req.txt --no-cache");
        assert_eq!(
            (df.instructions[1].line, df.instructions[1].end_line),
            (3, 6)
        );
        assert_eq!(df.final_stage().len(), 2);
        assert_eq!(df.final_stage()[1].keyword, "USER");
    }
}
