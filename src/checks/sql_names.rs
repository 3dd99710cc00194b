//! Where a formatted SQL text puts its values: in a name (a schema, table
//! or index name: `FROM {}.users`, `idx_{}`, `USE WAREHOUSE {}`) or in a
//! value position. A bound parameter can only stand for a value, so a name
//! is chosen by the program, not passed to the database as data.

use regex::Regex;
use std::sync::LazyLock;

/// The slots of a format text: `{..}` (Rust `format!`, Python `.format()`
/// and f-strings), `${..}` (template literals), `%s`/`%(name)s` (`%`).
static SLOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{[^{}]*\}|\{[^{}]*\}|%(\([A-Za-z_][A-Za-z0-9_]*\))?[sdr]")
        .unwrap_or_else(|_| unreachable!())
});

/// Keywords a name follows.
const BEFORE_NAME: &[&str] = &[
    "from",
    "join",
    "into",
    "update",
    "table",
    "exists",
    "use",
    "warehouse",
    "database",
    "schema",
    "index",
    "view",
    "truncate",
    "as",
];

/// Does every slot of `text` sit where SQL expects a name, and is there one?
pub fn all_slots_are_names(text: &str) -> bool {
    // `{{` and `}}` are literal braces in format strings: not slots.
    // In a template literal only `${..}` is a slot: `'{}'::jsonb` is SQL.
    let template = text.trim_start().starts_with('`');
    let text = unquoted(text).replace("{{", "  ").replace("}}", "  ");
    let mut slots = SLOT
        .find_iter(&text)
        .filter(|m| !template || m.as_str().starts_with("${"))
        .peekable();
    slots.peek().is_some() && slots.all(|m| is_name_slot(&text, m.start(), m.end()))
}

/// `text` without the opening delimiter of the literal it was written as
/// (`f'`, `r#"`, a backtick, `'''`), so that the quotes left are SQL's.
fn unquoted(text: &str) -> &str {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '#');
    match rest.chars().next() {
        Some(q @ ('\'' | '"' | '`')) => rest.trim_start_matches(q),
        _ => text,
    }
}

fn is_name_slot(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    // Inside a quoted SQL string: a value.
    if before.matches('\'').count() % 2 == 1 {
        return false;
    }
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    // Part of a name (`idx_{}`, `{}_log`) or qualified (`{}.users`, `s.{}`).
    if before.ends_with(|c: char| ident(c) || c == '.')
        || after.starts_with(|c: char| ident(c))
        || after.starts_with('.')
            && after[1..].starts_with(|c: char| ident(c) || c == '{' || c == '$')
    {
        return true;
    }
    // After a keyword that a name follows, perhaps quoted: `FROM "{}"`,
    // `CREATE INDEX ON {}`; not inside brackets (`FROM ({})`, a subquery).
    let unquoted = before.trim_end_matches(['"', '`', '[']);
    let keyword_end = unquoted.trim_end();
    if keyword_end.len() == unquoted.len() {
        return false;
    }
    let mut words = keyword_end
        .split(|c: char| !ident(c))
        .filter(|w| !w.is_empty())
        .rev()
        .map(str::to_ascii_lowercase);
    match words.next() {
        Some(w) if w == "on" => words.next().is_some_and(|w| w == "index"),
        Some(w) => BEFORE_NAME.contains(&w.as_str()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_from_values() {
        for text in [
            "SELECT id, data FROM {}.id2entry WHERE id IN rarray(:idli)",
            "CREATE TABLE IF NOT EXISTS {}.idx_{}_{} (key TEXT PRIMARY KEY)",
            "USE WAREHOUSE {}",
            "DROP TABLE IF EXISTS ${this.table} CASCADE",
            "INSERT INTO \"{}\" (a) VALUES (?)",
            "ATTACH DATABASE '' AS {}",
            "SELECT {{}} FROM {}.t",
            "CREATE INDEX ON ${this.table} (processed)",
            "f'SELECT * FROM {self.schema}.users'",
            "'''DELETE FROM %s'''",
            "`CREATE TABLE IF NOT EXISTS \"${this.tableName}\" (d JSONB NOT NULL DEFAULT '{}'::jsonb)`",
        ] {
            assert!(all_slots_are_names(text), "{text}");
        }
        for text in [
            "SELECT * FROM t WHERE id = {}",
            "SELECT * FROM {}.t WHERE name = '{}'",
            "SELECT * FROM t WHERE name = 'user_{}'",
            "PRAGMA busy_timeout = ${this.busyTimeout};",
            "SELECT * FROM t LIMIT %s",
            "SELECT * FROM t JOIN u ON {}",
            "SELECT * FROM ({}) AS sub",
            "SELECT 1 WHERE EXISTS ({})",
            "SELECT 1",
            "f'SELECT * FROM t WHERE id = {self.id}'",
            "`DELETE FROM \"${this.tableName}\" WHERE table_name = '${tableName}'`",
        ] {
            assert!(!all_slots_are_names(text), "{text}");
        }
    }
}
