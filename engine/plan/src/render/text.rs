//! Small text helpers shared by the plan renderer: Terraform's color markup (`[red]`, `[reset]`,
//! as the `colorstring` package reads it), word wrapping, the action symbols and Go-style quoting.

use crate::Action;

/// Stands in for `[` in text that is not markup (addresses, ids) while markup is read.
const OPEN_BRACKET: char = '\u{E000}';

/// Turns color markup into ANSI escapes (or drops it when `color` is false), exactly as Terraform's
/// `colorstring.Colorize{Reset: true}` does: known tags become escapes and, when any tag was
/// found, a final reset is appended.
pub(crate) fn colorize(color: bool, markup: &str) -> String {
    let mut out = String::with_capacity(markup.len() + 16);
    let mut colored = false;
    let mut rest = markup;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(']');
        let code = close.and_then(|c| color_code(&after[..c]));
        match (close, code) {
            (Some(c), Some(code)) => {
                colored = true;
                if color {
                    out.push_str("\x1b[");
                    out.push_str(code);
                    out.push('m');
                }
                rest = &after[c + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if colored && color {
        out.push_str("\x1b[0m");
    }
    out.replace(OPEN_BRACKET, "[")
}

fn color_code(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "reset" => "0",
        "bold" => "1",
        "dark_gray" => "90",
        "red" => "31",
        "green" => "32",
        "yellow" => "33",
        "cyan" => "36",
        _ => return None,
    })
}

/// Makes text safe to embed in markup: its brackets are never read as tags.
pub(crate) fn literal(text: &str) -> String {
    text.replace('[', &OPEN_BRACKET.to_string())
}

/// The three-column action symbol, as markup (Terraform's `format.DiffActionSymbol`).
pub(crate) fn action_symbol(action: Action) -> &'static str {
    match action {
        Action::DeleteThenCreate => "[red]-[reset]/[green]+[reset]",
        Action::CreateThenDelete => "[green]+[reset]/[red]-[reset]",
        Action::Create => "  [green]+[reset]",
        Action::Delete => "  [red]-[reset]",
        Action::Read => " [cyan]<=[reset]",
        Action::Update => "  [yellow]~[reset]",
        Action::NoOp => "   ",
    }
}

/// Wraps each line of `text` at `columns - 1` characters, breaking at spaces, leaving lines that
/// start with a space alone (Terraform's `format.WordWrap`).
pub(crate) fn word_wrap(text: &str, columns: usize) -> String {
    if columns <= 1 {
        return text.to_owned();
    }
    let limit = columns - 1;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.starts_with(' ') {
            out.push_str(line);
            continue;
        }
        let mut current = 0;
        for (j, word) in line.split(' ').enumerate() {
            let len = word.chars().count();
            if j > 0 {
                if current + 1 + len > limit && len < limit && current > 0 {
                    out.push('\n');
                    current = 0;
                } else {
                    out.push(' ');
                    current += 1;
                }
            }
            out.push_str(word);
            current += len;
        }
    }
    out
}

/// A string quoted as Go's `%q` (`strconv.Quote`) does, which is how Terraform prints strings in
/// plans: printable characters kept, others escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, closely enough: no controls, no spaces but U+0020, no format characters.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}')
}

/// An attribute name as HCL would accept it, quoted when it is not a valid identifier
/// (Terraform's `EnsureValidAttributeName`).
pub(crate) fn attribute_name(name: &str) -> String {
    if is_identifier(name) {
        name.to_owned()
    } else {
        go_quote(name)
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// `%-*s`: `text` padded with spaces to `width` characters.
pub(crate) fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        text.to_owned()
    } else {
        format!("{text}{}", " ".repeat(width - len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_escapes_with_a_final_reset() {
        assert_eq!(colorize(false, "[bold]Plan:[reset] "), "Plan: ");
        assert_eq!(
            colorize(true, "  [green]+[reset]"),
            "  \x1b[32m+\x1b[0m\x1b[0m"
        );
        assert_eq!(colorize(true, "[notatag] x"), "[notatag] x");
        assert_eq!(
            colorize(false, &format!("# {} x", literal("a[\"[red]\"]"))),
            "# a[\"[red]\"] x"
        );
    }

    #[test]
    fn words_wrap_before_the_last_column() {
        let text = "terrane has compared your real infrastructure against your configuration and found no differences, so no changes are needed.";
        assert_eq!(
            word_wrap(text, 78),
            "terrane has compared your real infrastructure against your configuration and\nfound no differences, so no changes are needed."
        );
        assert_eq!(word_wrap("\nshort\n  indented", 78), "\nshort\n  indented");
    }

    #[test]
    fn strings_are_quoted_as_go_quotes_them() {
        assert_eq!(go_quote("a\"b\\c\td"), "\"a\\\"b\\\\c\\td\"");
        assert_eq!(go_quote("\u{1}é\u{a0}"), "\"\\x01é\\u00a0\"");
    }

    #[test]
    fn invalid_identifiers_are_quoted() {
        assert_eq!(attribute_name("ami"), "ami");
        assert_eq!(attribute_name("saml:aud"), "\"saml:aud\"");
        assert_eq!(attribute_name("9lives"), "\"9lives\"");
    }
}
