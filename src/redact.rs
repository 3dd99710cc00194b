//! Secrets never leave unmasked: every snippet and message passes through
//! here before it reaches a report.

use crate::parse::lines::floor_char_boundary;
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

/// Replace every occurrence of each secret in `message` by its mask.
pub fn scrub(message: &str, secrets: &[&str]) -> String {
    let mut out = message.to_string();
    for s in secrets {
        if s.chars().count() >= 4 && out.contains(s) {
            out = out.replace(s, &mask(s));
        }
    }
    out
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
        assert_eq!(
            scrub("key supersecretvalue leaked", &["supersecretvalue"]),
            "key supe************ leaked"
        );
    }
}
