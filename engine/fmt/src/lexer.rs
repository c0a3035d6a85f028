//! A lexer for the HCL native syntax that produces the token stream the
//! formatter works on.
//!
//! The token boundaries follow the ones of HashiCorp's `hclsyntax` scanner,
//! because `terraform fmt` decides spacing token by token: spaces and tabs
//! between tokens are not tokens themselves but are counted in
//! [`Token::spaces`], while everything inside string literals, heredocs and
//! comments is kept verbatim in the token text.

use crate::FormatError;

/// The kinds of token the formatter distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    /// `<<EOT` or `<<-EOT`, including the newline that ends the introducer.
    OHeredoc,
    /// The closing marker line of a heredoc, without its newline.
    CHeredoc,
    /// `${` or `${~`.
    TemplateInterp,
    /// `%{` or `%{~`.
    TemplateControl,
    /// The `}` or `~}` that closes a template interpolation or directive.
    TemplateSeqEnd,
    /// Literal text inside a quoted string.
    QuotedLit,
    /// Literal text inside a heredoc, usually a whole line.
    StringLit,
    NumberLit,
    Ident,
    /// `#` and `//` comments include their terminating newline.
    Comment,
    Newline,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Dot,
    Comma,
    Colon,
    Question,
    DoubleColon,
    Ellipsis,
    FatArrow,
    /// Anything the HCL scanner would not accept.
    Invalid,
    /// End of input; its `spaces` are the whitespace that ends the file.
    Eof,
}

impl Kind {
    /// How the token changes the bracket nesting: `+1` for openers
    /// (including template sequence openers), `-1` for closers.
    pub(crate) fn bracket_change(self) -> i32 {
        match self {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateInterp
            | Kind::TemplateControl => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

/// One token with the number of whitespace characters found before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
    /// Whitespace before the token; the formatter rewrites it.
    pub spaces: usize,
    /// Byte offset of the token in the source (for tokens created by a
    /// rewrite, the offset of what they replace).
    pub offset: usize,
}

impl Token {
    pub(crate) fn new(kind: Kind, text: &str, offset: usize) -> Token {
        Token {
            kind,
            text: text.to_owned(),
            spaces: 0,
            offset,
        }
    }

    /// True for tokens that end a line: newlines, and `#`/`//` comments,
    /// which carry their own newline.
    pub(crate) fn ends_line(&self) -> bool {
        match self.kind {
            Kind::Newline => true,
            Kind::Comment => self.text.ends_with('\n'),
            _ => false,
        }
    }
}

enum Mode {
    /// Expressions and structure; `opened_at` is where the interpolation or
    /// directive that entered this mode started (none for the file itself).
    Main {
        opened_at: Option<usize>,
    },
    Quoted {
        opened_at: usize,
    },
    Heredoc {
        marker: String,
        start_of_line: bool,
        opened_at: usize,
    },
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    last_end: usize,
    tokens: Vec<Token>,
    modes: Vec<Mode>,
    braces: i64,
    template_braces: Vec<i64>,
}

/// Splits `src` into tokens, starting at byte `start` (past a byte-order
/// mark). The last token is always [`Kind::Eof`].
pub(crate) fn lex(src: &str, start: usize) -> Result<Vec<Token>, FormatError> {
    let mut lexer = Lexer {
        src,
        pos: start,
        last_end: 0,
        tokens: Vec::new(),
        modes: vec![Mode::Main { opened_at: None }],
        braces: 0,
        template_braces: Vec::new(),
    };
    while lexer.pos < src.len() {
        match lexer.modes.last() {
            Some(Mode::Quoted { .. }) => lexer.quoted_step(),
            Some(Mode::Heredoc { .. }) => lexer.heredoc_step(),
            _ => lexer.main_step(),
        }
    }
    if let Some(bad) = lexer.tokens.iter().find(|t| t.kind == Kind::Invalid) {
        return Err(FormatError {
            message: format!("invalid character {:?}", bad.text),
            offset: bad.offset,
        });
    }
    let unterminated = match lexer.modes.last() {
        Some(Mode::Main {
            opened_at: Some(at),
        }) => Some((*at, "template sequence")),
        Some(Mode::Quoted { opened_at }) => Some((*opened_at, "string")),
        Some(Mode::Heredoc { opened_at, .. }) => Some((*opened_at, "heredoc")),
        _ => None,
    };
    if let Some((offset, what)) = unterminated {
        return Err(FormatError {
            message: format!("unterminated {what}"),
            offset,
        });
    }
    let end = src.len();
    lexer.push_at(Kind::Eof, end, end);
    Ok(lexer.tokens)
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c == '-' || c.is_alphanumeric() || (!c.is_ascii() && !c.is_whitespace())
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    fn push_at(&mut self, kind: Kind, start: usize, end: usize) {
        let text = self.src.get(start..end).unwrap_or("");
        self.tokens.push(Token {
            kind,
            text: text.to_owned(),
            spaces: start.saturating_sub(self.last_end),
            offset: start,
        });
        self.last_end = end;
        self.pos = end;
    }

    fn push(&mut self, kind: Kind, len: usize) {
        let start = self.pos;
        self.push_at(kind, start, start + len);
    }

    fn enter_template_sequence(&mut self, kind: Kind) {
        let start = self.pos;
        let len = if self.byte_at(start + 2) == Some(b'~') {
            3
        } else {
            2
        };
        self.push(kind, len);
        self.braces += 1;
        self.template_braces.push(self.braces);
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = false;
        }
        self.modes.push(Mode::Main {
            opened_at: Some(start),
        });
    }

    /// Handles `}` and `~}` in expression mode.
    fn close_brace(&mut self, len: usize) {
        let ends_sequence = self.template_braces.last() == Some(&self.braces);
        if ends_sequence || len == 2 {
            self.push(Kind::TemplateSeqEnd, len);
        } else {
            self.push(Kind::CBrace, len);
        }
        if ends_sequence {
            self.template_braces.pop();
            if self.modes.len() > 1 {
                self.modes.pop();
            }
        }
        self.braces -= 1;
    }

    fn main_step(&mut self) {
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            self.pos = self.src.len();
            return;
        };
        let next = rest.as_bytes().get(1).copied();
        let (kind, len) = match c {
            ' ' | '\t' => {
                self.pos += 1;
                return;
            }
            '\n' => (Kind::Newline, 1),
            '\r' if next == Some(b'\n') => (Kind::Newline, 2),
            '#' => (Kind::Comment, line_comment_len(rest)),
            '/' if next == Some(b'/') => (Kind::Comment, line_comment_len(rest)),
            '/' if next == Some(b'*') => {
                let len = rest.get(2..).and_then(|r| r.find("*/")).map(|i| i + 4);
                match len {
                    Some(len) => (Kind::Comment, len),
                    None => (Kind::Invalid, 2),
                }
            }
            '0'..='9' => (Kind::NumberLit, number_len(rest)),
            '"' => {
                let at = self.pos;
                self.push(Kind::OQuote, 1);
                self.modes.push(Mode::Quoted { opened_at: at });
                return;
            }
            '<' => {
                if let Some((len, marker)) = heredoc_intro(rest) {
                    let at = self.pos;
                    self.push(Kind::OHeredoc, len);
                    self.modes.push(Mode::Heredoc {
                        marker,
                        start_of_line: true,
                        opened_at: at,
                    });
                    return;
                }
                two(next, b'=', Kind::LessThanEq, Kind::LessThan)
            }
            '{' => {
                self.push(Kind::OBrace, 1);
                self.braces += 1;
                return;
            }
            '}' => {
                self.close_brace(1);
                return;
            }
            '~' if next == Some(b'}') => {
                self.close_brace(2);
                return;
            }
            '=' => match next {
                Some(b'=') => (Kind::EqualOp, 2),
                Some(b'>') => (Kind::FatArrow, 2),
                _ => (Kind::Equal, 1),
            },
            '!' => two(next, b'=', Kind::NotEqual, Kind::Bang),
            '>' => two(next, b'=', Kind::GreaterThanEq, Kind::GreaterThan),
            '&' => two(next, b'&', Kind::And, Kind::Invalid),
            '|' => two(next, b'|', Kind::Or, Kind::Invalid),
            ':' => two(next, b':', Kind::DoubleColon, Kind::Colon),
            '.' if rest.starts_with("...") => (Kind::Ellipsis, 3),
            '.' => (Kind::Dot, 1),
            '[' => (Kind::OBrack, 1),
            ']' => (Kind::CBrack, 1),
            '(' => (Kind::OParen, 1),
            ')' => (Kind::CParen, 1),
            ',' => (Kind::Comma, 1),
            '*' => (Kind::Star, 1),
            '/' => (Kind::Slash, 1),
            '%' => (Kind::Percent, 1),
            '+' => (Kind::Plus, 1),
            '-' => (Kind::Minus, 1),
            '?' => (Kind::Question, 1),
            c if is_ident_start(c) => (Kind::Ident, ident_len(rest)),
            c => (Kind::Invalid, c.len_utf8()),
        };
        self.push(kind, len);
    }

    fn quoted_step(&mut self) {
        let rest = self.rest();
        if rest.starts_with("${") {
            self.enter_template_sequence(Kind::TemplateInterp);
            return;
        }
        if rest.starts_with("%{") {
            self.enter_template_sequence(Kind::TemplateControl);
            return;
        }
        if rest.starts_with('"') {
            self.push(Kind::CQuote, 1);
            self.modes.pop();
            return;
        }
        if rest.starts_with(['\r', '\n']) {
            let len = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
            self.push(Kind::Invalid, len);
            return;
        }
        let mut len = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let tail = &rest[i..];
            match c {
                '"' | '\r' | '\n' => break,
                '\\' => match chars.peek() {
                    Some(&(_, n)) if n != '\r' && n != '\n' => {
                        chars.next();
                        len = i + 1 + n.len_utf8();
                        continue;
                    }
                    _ => break,
                },
                '$' | '%' if tail.get(1..3) == Some(if c == '$' { "${" } else { "%{" }) => {
                    chars.next();
                    chars.next();
                    len = i + 3;
                    continue;
                }
                '$' | '%' if tail.as_bytes().get(1) == Some(&b'{') => break,
                _ => {}
            }
            len = i + c.len_utf8();
        }
        if len == 0 {
            // A lone backslash: the HCL scanner rejects it.
            let len = rest.chars().next().map_or(1, char::len_utf8);
            self.push(Kind::Invalid, len);
        } else {
            self.push(Kind::QuotedLit, len);
        }
    }

    fn heredoc_step(&mut self) {
        let rest = self.rest();
        if rest.starts_with("${") {
            self.enter_template_sequence(Kind::TemplateInterp);
            return;
        }
        if rest.starts_with("%{") {
            self.enter_template_sequence(Kind::TemplateControl);
            return;
        }
        let mut len = rest.len();
        let mut ends_line = false;
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    len = i + 1;
                    ends_line = true;
                    break;
                }
                b'$' | b'%'
                    if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') =>
                {
                    i += 3;
                    continue;
                }
                b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                    len = i;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let Some(Mode::Heredoc {
            marker,
            start_of_line,
            ..
        }) = self.modes.last_mut()
        else {
            return;
        };
        let text = &rest[..len];
        if ends_line && *start_of_line && text.trim() == marker.as_str() {
            let newline = if text.ends_with("\r\n") { 2 } else { 1 };
            let start = self.pos;
            self.modes.pop();
            self.push_at(Kind::CHeredoc, start, start + len - newline);
            self.push_at(Kind::Newline, start + len - newline, start + len);
            return;
        }
        *start_of_line = ends_line;
        self.push(Kind::StringLit, len);
    }
}

fn two(next: Option<u8>, second: u8, double: Kind, single: Kind) -> (Kind, usize) {
    if next == Some(second) {
        (double, 2)
    } else {
        (single, 1)
    }
}

/// Length of a `#` or `//` comment, including its newline if it has one.
fn line_comment_len(rest: &str) -> usize {
    rest.find('\n').map_or(rest.len(), |i| i + 1)
}

fn ident_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    chars.next();
    chars
        .find(|&(_, c)| !is_ident_continue(c))
        .map_or(rest.len(), |(i, _)| i)
}

/// Length of a number literal: a digit, then digits, dots and exponents,
/// never ending with a dot.
fn number_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 1;
    let mut end = 1;
    loop {
        match bytes.get(i) {
            Some(b'0'..=b'9') => {
                i += 1;
                end = i;
            }
            Some(b'.') => i += 1,
            Some(b'e' | b'E') => {
                let mut j = i + 1;
                if matches!(bytes.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if matches!(bytes.get(j), Some(b'0'..=b'9')) {
                    i = j + 1;
                    end = i;
                } else {
                    return end;
                }
            }
            _ => return end,
        }
    }
}

/// Recognises `<<EOT` or `<<-EOT` followed by a newline; returns the length
/// including the newline, and the marker.
fn heredoc_intro(rest: &str) -> Option<(usize, String)> {
    let after = rest.strip_prefix("<<")?;
    let (dash, after) = match after.strip_prefix('-') {
        Some(a) => (1, a),
        None => (0, after),
    };
    if !after.starts_with(is_ident_start) {
        return None;
    }
    let ident = ident_len(after);
    let tail = &after[ident..];
    let newline = if tail.starts_with('\n') {
        1
    } else if tail.starts_with("\r\n") {
        2
    } else {
        return None;
    };
    Some((2 + dash + ident + newline, after[..ident].to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        lex(src, 0)
            .map(|t| t.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_attribute_is_name_equals_value_and_newline() {
        assert_eq!(
            kinds("a = 1\n"),
            [
                Kind::Ident,
                Kind::Equal,
                Kind::NumberLit,
                Kind::Newline,
                Kind::Eof
            ]
        );
    }

    #[test]
    fn spaces_and_tabs_are_counted_before_the_next_token() {
        let tokens = lex("a \t= 1", 0).unwrap_or_default();
        assert_eq!(tokens[1].spaces, 2);
    }

    #[test]
    fn line_comments_keep_their_newline() {
        let tokens = lex("# hi\r\nx", 0).unwrap_or_default();
        assert_eq!(tokens[0].text, "# hi\r\n");
        assert!(tokens[0].ends_line());
    }

    #[test]
    fn identifiers_may_contain_dashes_and_unicode() {
        let tokens = lex("fööbär-1 = 2", 0).unwrap_or_default();
        assert_eq!(tokens[0].text, "fööbär-1");
    }

    #[test]
    fn a_number_never_ends_with_a_dot() {
        let tokens = lex("1.5e+3.", 0).unwrap_or_default();
        assert_eq!(tokens[0].text, "1.5e+3");
        assert_eq!(tokens[1].kind, Kind::Dot);
    }

    #[test]
    fn interpolation_braces_close_template_sequences() {
        assert_eq!(
            kinds(r#""a${ {b = 1} }c""#),
            [
                Kind::OQuote,
                Kind::QuotedLit,
                Kind::TemplateInterp,
                Kind::OBrace,
                Kind::Ident,
                Kind::Equal,
                Kind::NumberLit,
                Kind::CBrace,
                Kind::TemplateSeqEnd,
                Kind::QuotedLit,
                Kind::CQuote,
                Kind::Eof
            ]
        );
    }

    #[test]
    fn escaped_template_introducers_stay_literal() {
        assert_eq!(
            kinds(r#""$${a} %%{b} \" $""#),
            [Kind::OQuote, Kind::QuotedLit, Kind::CQuote, Kind::Eof]
        );
    }

    #[test]
    fn a_heredoc_ends_at_its_marker_line() {
        let tokens = lex("x = <<-EOT\n  a ${b}\n  EOT\ny = 1\n", 0).unwrap_or_default();
        let kinds: Vec<Kind> = tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Ident,
                Kind::Equal,
                Kind::OHeredoc,
                Kind::StringLit,
                Kind::TemplateInterp,
                Kind::Ident,
                Kind::TemplateSeqEnd,
                Kind::StringLit,
                Kind::CHeredoc,
                Kind::Newline,
                Kind::Ident,
                Kind::Equal,
                Kind::NumberLit,
                Kind::Newline,
                Kind::Eof
            ]
        );
        assert_eq!(tokens[8].text, "  EOT");
    }

    #[test]
    fn an_unterminated_heredoc_is_an_error() {
        let err = lex("x = <<EOT\nfoo\nEOT", 0).err();
        assert_eq!(err.map(|e| e.offset), Some(4));
    }

    #[test]
    fn the_end_of_file_token_counts_trailing_spaces() {
        let tokens = lex("a = 1\n  ", 0).unwrap_or_default();
        assert_eq!(tokens.last().map(|t| t.spaces), Some(2));
    }
}
