//! Splits text into numbers, words and punctuation, remembering where white space was.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of ASCII digits.
    Num,
    /// A run of letters (any script).
    Word,
    /// Any other visible character.
    Punct(char),
}

/// One token with its byte span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// For numbers: the value (saturating); otherwise 0.
    pub val: u32,
    /// For numbers: how many digits (saturating at 255).
    pub digits: u8,
    /// Whether white space comes right before this token.
    pub space: bool,
}

/// Appends the tokens of `text` to `out`.
pub(crate) fn lex(text: &str, out: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut space = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            let start = i;
            let mut val: u32 = 0;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                val = val
                    .saturating_mul(10)
                    .saturating_add((bytes[i] - b'0') as u32);
                i += 1;
            }
            let digits = (i - start).min(255) as u8;
            out.push(Token {
                kind: Kind::Num,
                start,
                end: i,
                val,
                digits,
                space,
            });
            space = false;
            continue;
        }
        if b.is_ascii_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        if b.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            // Continue through non-ASCII letters ("März").
            i = extend_word(text, i);
            out.push(Token {
                kind: Kind::Word,
                start,
                end: i,
                val: 0,
                digits: 0,
                space,
            });
            space = false;
            continue;
        }
        if b.is_ascii() {
            out.push(Token {
                kind: Kind::Punct(b as char),
                start: i,
                end: i + 1,
                val: 0,
                digits: 0,
                space,
            });
            space = false;
            i += 1;
            continue;
        }
        // Non-ASCII: decode one char.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let len = c.len_utf8();
        if c.is_whitespace() {
            space = true;
            i += len;
            continue;
        }
        if c.is_alphabetic() {
            let start = i;
            i = extend_word(text, i);
            out.push(Token {
                kind: Kind::Word,
                start,
                end: i,
                val: 0,
                digits: 0,
                space,
            });
        } else {
            out.push(Token {
                kind: Kind::Punct(c),
                start: i,
                end: i + len,
                val: 0,
                digits: 0,
                space,
            });
            i += len;
        }
        space = false;
    }
}

fn extend_word(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            i += 1;
        } else if b.is_ascii() {
            break;
        } else {
            match text[i..].chars().next() {
                Some(c) if c.is_alphabetic() => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_digits_letters_and_marks_spaces() {
        let text = "13:20and 6.30pm  März\u{202f}UTC–x";
        let mut t = Vec::new();
        lex(text, &mut t);
        let shown: Vec<(&str, bool)> = t.iter().map(|k| (&text[k.start..k.end], k.space)).collect();
        assert_eq!(
            shown,
            vec![
                ("13", false),
                (":", false),
                ("20", false),
                ("and", false),
                ("6", true),
                (".", false),
                ("30", false),
                ("pm", false),
                ("März", true),
                ("UTC", true),
                ("–", false),
                ("x", false),
            ]
        );
        assert_eq!(t[0].val, 13);
        assert_eq!(t[0].digits, 2);
        assert_eq!(t[8].kind, Kind::Word);
        assert_eq!(t[10].kind, Kind::Punct('–'));
    }
}
