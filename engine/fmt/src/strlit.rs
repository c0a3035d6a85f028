//! Decoding and re-encoding of quoted string literals, used to rewrite block
//! labels in their canonical quoted form as `terraform fmt` does.

/// Decodes the text between the quotes of a string literal that has no
/// template sequences. Returns `None` for an invalid escape sequence.
pub(crate) fn decode(lit: &str) -> Option<String> {
    let mut out = String::with_capacity(lit.len());
    let mut rest = lit;
    while let Some(c) = rest.chars().next() {
        if let Some(tail) = rest.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
            continue;
        }
        if let Some(tail) = rest.strip_prefix("%%{") {
            out.push_str("%{");
            rest = tail;
            continue;
        }
        if c != '\\' {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let escaped = rest.get(1..2)?;
        rest = &rest[2..];
        match escaped {
            "n" => out.push('\n'),
            "r" => out.push('\r'),
            "t" => out.push('\t'),
            "\"" => out.push('"'),
            "\\" => out.push('\\'),
            "u" | "U" => {
                let digits = if escaped == "u" { 4 } else { 8 };
                let hex = rest.get(..digits)?;
                let code = u32::from_str_radix(hex, 16).ok()?;
                out.push(char::from_u32(code)?);
                rest = &rest[digits..];
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Encodes a string as the text between the quotes of a string literal,
/// escaping what `hclwrite` escapes.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !is_print(c) => {
                let code = u32::from(c);
                if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether Go's `unicode.IsPrint` holds: letters, marks, numbers,
/// punctuation, symbols and the ASCII space. This approximates the
/// non-printable set by control, format, private-use and noncharacter code
/// points and every space other than U+0020.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let code = u32::from(c);
    let format_chars: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x0600, 0x0605),
        (0x061C, 0x061C),
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x206F),
        (0xFEFF, 0xFEFF),
        (0xFFF9, 0xFFFB),
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
        // private use
        (0xE000, 0xF8FF),
        (0xF0000, 0x10FFFF),
        // noncharacters
        (0xFDD0, 0xFDEF),
    ];
    if format_chars
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&code))
    {
        return false;
    }
    code & 0xFFFE != 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_resolves_escapes_and_doubled_template_introducers() {
        assert_eq!(
            decode(r#"a\"b\\c\n\u00e9$${x}%%{y}"#).as_deref(),
            Some("a\"b\\c\né${x}%{y}")
        );
    }

    #[test]
    fn decoding_rejects_unknown_escapes() {
        assert_eq!(decode(r"a\qb"), None);
        assert_eq!(decode(r"a\u12"), None);
    }

    #[test]
    fn encoding_escapes_quotes_backslashes_and_template_introducers() {
        assert_eq!(encode("a\"b\\c\n${x}%{y}$z"), r#"a\"b\\c\n$${x}%%{y}$z"#);
    }

    #[test]
    fn encoding_escapes_invisible_characters_but_keeps_letters() {
        assert_eq!(encode("é\u{a0}\u{200b}x"), r"é\u00a0\u200bx");
    }

    #[test]
    fn encoding_what_was_decoded_gives_back_a_canonical_literal() {
        for lit in [r#"plain"#, r#"with \"quotes\""#, r"a$${b}", r"tab\tend"] {
            let decoded = decode(lit).unwrap_or_default();
            assert_eq!(encode(&decoded), lit);
        }
    }
}
