//! Text for the terminal. Messages quote what files say (a build, a query, an error's message),
//! and a crafted file could hold control characters that move the cursor, retitle the window
//! or hide text: those are written as escapes (`\u{1b}`), as are the invisible marks that
//! reorder text (bidirectional overrides).

/// `text` with every control character and bidirectional override escaped.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The marks that reorder the text around them (Unicode's bidirectional controls).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Print a message to stderr with its control characters escaped.
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::terminal::escaped(&format!($($arg)*)))
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_overrides_are_escaped_and_text_is_kept() {
        assert_eq!(escaped("plain · ✓ text"), "plain · ✓ text");
        assert_eq!(
            escaped("a\u{1b}]0;title\u{7}b\nc\rd\u{202e}e"),
            "a\\u{1b}]0;title\\u{7}b\\nc\\rd\\u{202e}e"
        );
    }
}
