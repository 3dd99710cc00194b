//! `invalid-suppression`, the part that needs only the file: a
//! `prodready: ignore[...]` comment that cannot be read, names no rule, or
//! gives no reason. A suppression without a reason still applies (its intent
//! is clear), but the missing reason is reported so that every silenced
//! finding is explained where it is silenced. Unknown rule ids and
//! suppressions that cover nothing need the rules and the file's findings,
//! so the engine reports those (src/suppress.rs).

use super::{Check, Hit};
use crate::lang::Language;
use crate::parse::ParsedFile;
use crate::suppress;

pub struct InvalidSuppression;

impl Check for InvalidSuppression {
    /// Every directive contains the marker word.
    fn anchors(&self, _language: Language) -> Option<&'static [&'static str]> {
        Some(&[suppress::MARKER])
    }

    fn run(&self, file: &ParsedFile, out: &mut Vec<Hit>) {
        for d in suppress::parse(file) {
            if let Some(problem) = &d.problem {
                out.push(Hit::new(d.range.clone(), problem.clone()));
                continue;
            }
            if d.reason.is_none() {
                let ids: Vec<&str> = d.ids.iter().map(|(id, _)| id.as_str()).collect();
                out.push(Hit::new(
                    d.range.clone(),
                    format!(
                        "suppression of `{}` gives no reason: say why the finding does not apply after the brackets",
                        ids.join("`, `")
                    ),
                ));
            }
        }
    }
}
