//! Does a call's receiver look like a database handle? Judged by the last
//! segment of the receiver and the last word of that identifier, so
//! `db`, `self.conn`, `get_db()`, `pgPool`, `tenant_db`, `queryRunner` and
//! `conn.cursor(cursor_factory=...)` count, while `ctx` (not `tx`), `gdb`
//! (not `db`), `threadpool` (not `pool`) and `context` do not.

use crate::checks::idwords::ident_words;
use regex::Regex;
use std::sync::LazyLock;

/// One word of a database handle, plural or numbered, possibly glued to a
/// database prefix (`dbconn`, `pgpool`, `sqlitedb`).
static DB_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(db|pg|sql|mysql|sqlite|postgres)?(cursor|cur|conn|connection|db|database|engine|pool|knex|trx|tx|txn|transaction|sequelize|prisma|sqlite|mysql|pg|postgres)s?[0-9]*$")
        .unwrap_or_else(|_| unreachable!())
});

/// `receiver` without a trailing argument list: `conn.cursor(x=1)` gives
/// `conn.cursor`. Unbalanced text is returned as is.
fn strip_call(receiver: &str) -> &str {
    let Some(inner) = receiver.strip_suffix(')') else {
        return receiver;
    };
    let mut depth = 1usize;
    for (i, c) in inner.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return &inner[..i];
                }
            }
            _ => {}
        }
    }
    receiver
}

pub(super) fn is_db_receiver(receiver: &str) -> bool {
    let r = strip_call(receiver.trim().trim_end_matches(['!', '?']));
    let last = r.rsplit(['.', ':']).next().unwrap_or(r);
    if last.is_empty()
        || !last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '#'))
    {
        return false;
    }
    let words = ident_words(last);
    match words.as_slice() {
        [.., q, r] if q == "query" && r == "runner" => true,
        [.., w] => DB_WORD.is_match(w),
        [] => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_db_receiver;

    #[test]
    fn database_handles() {
        for r in [
            "db",
            "self.conn",
            "self._conn",
            "get_db()",
            "pgPool",
            "tenant_db",
            "queryRunner",
            "this.queryRunner",
            "connection.cursor()",
            "conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)",
            "models.sequelize",
            "trx",
            "tx",
            "DB",
            "dbconn",
            "pool2",
            "this.db!",
            "ctx.db",
        ] {
            assert!(is_db_receiver(r), "{r}");
        }
    }

    #[test]
    fn other_receivers() {
        for r in [
            "ctx",
            "this.ctx",
            "context",
            "gdb",
            "threadpool",
            "childProcess",
            "child_process",
            "",
            "connections[\"default\"]",
            "pool.acquire(timeout=5)",
            "executor",
            "recur",
        ] {
            assert!(!is_db_receiver(r), "{r}");
        }
    }
}
