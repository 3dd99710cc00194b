//! Secrets never leave unmasked: every snippet and message passes through
//! here before it reaches a report.

use crate::parse::lines::floor_char_boundary;
use aho_corasick::{AhoCorasick, MatchKind};
use std::ops::Range;

/// How many leading characters of a secret may be shown: at most 4, and
/// never more than a third of it.
fn kept_chars(len: usize) -> usize {
    (len / 3).min(4)
}

/// Mask one secret value, keeping its length so code frames stay aligned.
pub fn mask(secret: &str) -> String {
    let keep = kept_chars(secret.chars().count());
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < keep || c == '\n' || c == '\r' {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Mask every `ranges` (byte offsets into `text`) that falls within
/// `window`, returning the window's text.
pub fn mask_window(text: &str, window: Range<usize>, ranges: &[Range<usize>]) -> String {
    let Some(slice) = text.get(window.clone()) else {
        return String::new();
    };
    let mut relevant: Vec<Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < window.end && r.end > window.start)
        .map(|r| r.start.max(window.start) - window.start..r.end.min(window.end) - window.start)
        .collect();
    if relevant.is_empty() {
        return slice.to_string();
    }
    relevant.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(slice.len());
    let mut pos = 0;
    for r in relevant {
        let start = floor_char_boundary(slice, r.start.max(pos));
        let end = floor_char_boundary(slice, r.end);
        if start >= end {
            continue;
        }
        out.push_str(slice.get(pos..start).unwrap_or(""));
        out.push_str(&mask(slice.get(start..end).unwrap_or("")));
        pos = end;
    }
    out.push_str(slice.get(pos..).unwrap_or(""));
    out
}

/// Masks a file's secrets wherever they appear in a message. Built once
/// per file: one search over each message, whatever the number of secrets
/// (a fixture with thousands of tokens has thousands of findings).
pub struct Scrubber {
    finder: Option<AhoCorasick>,
    masks: Vec<String>,
}

impl Scrubber {
    /// Secrets shorter than 4 characters are left alone: too common a text.
    pub fn new(secrets: &[&str]) -> Self {
        let mut texts: Vec<&str> = secrets
            .iter()
            .copied()
            .filter(|s| s.chars().count() >= 4)
            .collect();
        texts.sort_unstable();
        texts.dedup();
        let finder = if texts.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&texts)
                .ok()
        };
        Self {
            masks: texts.iter().map(|s| mask(s)).collect(),
            finder,
        }
    }

    /// `message` with every occurrence of a secret replaced by its mask.
    pub fn scrub(&self, message: &str) -> String {
        let Some(finder) = &self.finder else {
            return message.to_string();
        };
        let mut out = String::with_capacity(message.len());
        let mut pos = 0;
        for m in finder.find_iter(message) {
            out.push_str(message.get(pos..m.start()).unwrap_or(""));
            out.push_str(
                self.masks
                    .get(m.pattern().as_usize())
                    .map_or("", String::as_str),
            );
            pos = m.end();
        }
        out.push_str(message.get(pos..).unwrap_or(""));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_at_most_four() {
        assert_eq!(mask("sk_live_51Habcdefgh"), "sk_l***************");
        assert_eq!(mask("abcdef"), "ab****");
        assert_eq!(mask("ab"), "**");
    }

    #[test]
    fn window_masking() {
        let text = "A = 'supersecretvalue'\nB = 1\n";
        let start = text.find("supersecret").unwrap_or(0);
        let r = start..start + "supersecretvalue".len();
        assert_eq!(
            mask_window(text, 0..22, std::slice::from_ref(&r)),
            "A = 'supe************'"
        );
        assert_eq!(mask_window(text, 23..28, &[r]), "B = 1");
        let scrubber = Scrubber::new(&["supersecretvalue", "supersecret", "abc"]);
        assert_eq!(
            scrubber.scrub("key supersecretvalue leaked, supersecret too, abc kept"),
            "key supe************ leaked, sup******** too, abc kept"
        );
        assert_eq!(Scrubber::new(&[]).scrub("nothing"), "nothing");
    }
}
