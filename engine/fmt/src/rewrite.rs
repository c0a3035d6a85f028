//! The token rewrites `terraform fmt` makes on top of the whitespace layout:
//!
//! - block labels are written as quoted strings (`resource aws_vpc main` →
//!   `resource "aws_vpc" "main"`), dropping comments placed between them;
//! - an attribute value that is a single interpolation (`"${var.x}"`) is
//!   unwrapped (`var.x`), wrapped in parentheses when it spans lines;
//! - in a top-level `variable` block, the `type` attribute loses its legacy
//!   quotes (`"string"` → `string`, `"list"` → `list(string)`, `"map"` →
//!   `map(string)`) and bare `list`, `map` and `set` get `(any)`.
//!
//! These apply to the attributes and blocks of bodies only, never to items
//! of object expressions.

use crate::lexer::{Kind, Token};
use crate::strlit;

/// Applies the rewrites to a whole file's tokens.
pub(crate) fn apply(tokens: Vec<Token>) -> Vec<Token> {
    let mut walker = Walker {
        out: Vec::with_capacity(tokens.len()),
        tokens,
        pos: 0,
    };
    let mut blocks = Vec::new();
    while walker.pos < walker.tokens.len() {
        walker.body(&mut blocks);
        // A stray closing brace at the top level: keep it and go on.
        walker.copy(1);
    }
    walker.out
}

struct Walker {
    tokens: Vec<Token>,
    pos: usize,
    out: Vec<Token>,
}

impl Walker {
    fn kind_at(&self, at: usize) -> Kind {
        self.tokens.get(at).map_or(Kind::Eof, |t| t.kind)
    }

    /// Copies `n` tokens unchanged.
    fn copy(&mut self, n: usize) {
        let end = (self.pos + n).min(self.tokens.len());
        self.out.extend_from_slice(&self.tokens[self.pos..end]);
        self.pos = end;
    }

    fn copy_to(&mut self, end: usize) {
        self.copy(end.saturating_sub(self.pos));
    }

    /// Walks body items until the closing brace of the body (left in place)
    /// or the end of input.
    fn body(&mut self, blocks: &mut Vec<String>) {
        loop {
            match self.kind_at(self.pos) {
                Kind::Eof | Kind::CBrace => return,
                Kind::Ident => self.item(blocks),
                _ => self.copy(1),
            }
        }
    }

    fn next_significant(&self, from: usize) -> usize {
        let mut at = from;
        while self.kind_at(at) == Kind::Comment && !self.tokens[at].ends_line() {
            at += 1;
        }
        at
    }

    fn item(&mut self, blocks: &mut Vec<String>) {
        let name = self.tokens[self.pos].text.clone();
        let after_name = self.next_significant(self.pos + 1);
        if self.kind_at(after_name) == Kind::Equal {
            self.copy_to(after_name + 1);
            let is_variable_type = name == "type" && blocks.len() == 1 && blocks[0] == "variable";
            self.attribute_value(is_variable_type);
        } else {
            self.copy(1);
            self.block_header();
            if self.kind_at(self.pos) == Kind::OBrace {
                self.copy(1);
                blocks.push(name);
                self.body(blocks);
                blocks.pop();
                if self.kind_at(self.pos) == Kind::CBrace {
                    self.copy(1);
                }
            }
        }
    }

    /// Rewrites the expression that follows an attribute's `=`.
    fn attribute_value(&mut self, is_variable_type: bool) {
        let mut depth = 0i32;
        let mut end = self.pos;
        loop {
            let kind = self.kind_at(end);
            if kind == Kind::Eof
                || (depth == 0 && (kind == Kind::CBrace || self.tokens[end].ends_line()))
            {
                break;
            }
            depth += kind.bracket_change();
            end += 1;
        }
        let range = self.pos..end;
        let Some(first) = range.clone().find(|&i| self.kind_at(i) != Kind::Comment) else {
            return;
        };
        let last = range
            .rev()
            .find(|&i| self.kind_at(i) != Kind::Comment)
            .unwrap_or(first);
        self.copy_to(first);
        let expr = &self.tokens[first..=last];
        let rewritten = if is_variable_type {
            type_expr(expr)
        } else {
            let mut current: Option<Vec<Token>> = None;
            while let Some(next) = unwrap_interpolation(current.as_deref().unwrap_or(expr)) {
                current = Some(next);
            }
            current
        };
        match rewritten {
            Some(tokens) => {
                self.out.extend(tokens);
                self.pos = last + 1;
            }
            None => self.copy_to(last + 1),
        }
        self.copy_to(end);
    }

    /// Rewrites the labels between a block's type name and its `{`.
    fn block_header(&mut self) {
        let start = self.pos;
        let mut labels = Vec::new();
        let mut labels_end = start;
        let mut at = start;
        loop {
            match self.kind_at(at) {
                Kind::Ident => {
                    labels.push(Some(self.tokens[at].text.clone()));
                    at += 1;
                    labels_end = at;
                }
                Kind::OQuote => {
                    let close = (at + 1..self.tokens.len())
                        .find(|&i| matches!(self.kind_at(i), Kind::CQuote | Kind::Newline))
                        .unwrap_or(self.tokens.len());
                    let label = match &self.tokens[at + 1..close.max(at + 1)] {
                        [] => Some(String::new()),
                        [lit] if lit.kind == Kind::QuotedLit => strlit::decode(&lit.text),
                        _ => None,
                    };
                    labels.push(label);
                    at = close + 1;
                    labels_end = at;
                }
                Kind::Comment if !self.tokens[at].ends_line() => at += 1,
                _ => break,
            }
        }
        if self.kind_at(at) != Kind::OBrace || labels.is_empty() {
            return;
        }
        let Some(labels) = labels.into_iter().collect::<Option<Vec<String>>>() else {
            return;
        };
        let offset = self.tokens[start].offset;
        for label in labels {
            self.out.push(Token::new(Kind::OQuote, "\"", offset));
            if !label.is_empty() {
                self.out
                    .push(Token::new(Kind::QuotedLit, &strlit::encode(&label), offset));
            }
            self.out.push(Token::new(Kind::CQuote, "\"", offset));
        }
        self.pos = labels_end;
    }
}

/// `"${expr}"` → `expr` when the string is exactly one interpolation.
fn unwrap_interpolation(tokens: &[Token]) -> Option<Vec<Token>> {
    let n = tokens.len();
    if n < 5
        || tokens[0].kind != Kind::OQuote
        || tokens[1].kind != Kind::TemplateInterp
        || tokens[n - 2].kind != Kind::TemplateSeqEnd
        || tokens[n - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &tokens[2..n - 2];
    let mut quotes = 0;
    for token in inside {
        match token.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    let start = inside.iter().position(|t| t.kind != Kind::Newline)?;
    let end = inside.iter().rposition(|t| t.kind != Kind::Newline)?;
    let trimmed = &inside[start..=end];
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parenthesized = is_parenthesized(trimmed);
    let mut out = Vec::with_capacity(trimmed.len() + 2);
    let offset = tokens[0].offset;
    let wrap = multi_line && !parenthesized;
    if wrap {
        out.push(Token::new(Kind::OParen, "(", offset));
    }
    out.extend_from_slice(trimmed);
    if wrap {
        out.push(Token::new(Kind::CParen, ")", offset));
    }
    Some(out)
}

/// Whether the whole expression is enclosed in one pair of parentheses.
/// (`terraform fmt` only looks at the first and last tokens, and so turns
/// `"${(a)\n+ (b)}"` into an invalid `(a)\n+ (b)`; this does not.)
fn is_parenthesized(tokens: &[Token]) -> bool {
    let [first, .., last] = tokens else {
        return false;
    };
    if first.kind != Kind::OParen || last.kind != Kind::CParen {
        return false;
    }
    let mut depth = 0;
    for token in &tokens[..tokens.len() - 1] {
        depth += token.kind.bracket_change();
        if depth == 0 {
            return false;
        }
    }
    true
}

/// Normalises legacy and element-less type constraints.
fn type_expr(tokens: &[Token]) -> Option<Vec<Token>> {
    let offset = tokens.first()?.offset;
    let call = |name: &str, arg: &str| {
        vec![
            Token::new(Kind::Ident, name, offset),
            Token::new(Kind::OParen, "(", offset),
            Token::new(Kind::Ident, arg, offset),
            Token::new(Kind::CParen, ")", offset),
        ]
    };
    match tokens {
        [kw] if kw.kind == Kind::Ident && matches!(kw.text.as_str(), "list" | "map" | "set") => {
            Some(call(&kw.text, "any"))
        }
        [open, lit, close]
            if open.kind == Kind::OQuote
                && lit.kind == Kind::QuotedLit
                && close.kind == Kind::CQuote =>
        {
            match lit.text.as_str() {
                "string" => Some(vec![Token::new(Kind::Ident, "string", offset)]),
                "list" | "map" => Some(call(&lit.text, "string")),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    fn rewrite(src: &str) -> String {
        crate::format_source(src).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn unquoted_block_labels_become_quoted() {
        assert_eq!(
            rewrite("resource aws_vpc main {}"),
            "resource \"aws_vpc\" \"main\" {}"
        );
    }

    #[test]
    fn comments_between_labels_are_dropped_but_not_before_the_brace() {
        assert_eq!(
            rewrite("a /* x */ \"b\" /* y */ c /* z */ {}"),
            "a \"b\" \"c\" /* z */ {}"
        );
    }

    #[test]
    fn a_lone_interpolation_is_unwrapped() {
        assert_eq!(rewrite("a = \"${var.x}\"\n"), "a = var.x\n");
    }

    #[test]
    fn a_string_with_text_around_the_interpolation_is_kept() {
        assert_eq!(rewrite("a = \"x${var.x}\"\n"), "a = \"x${var.x}\"\n");
        assert_eq!(rewrite("a = \"${a}${b}\"\n"), "a = \"${a}${b}\"\n");
    }

    #[test]
    fn nested_interpolations_are_unwrapped_all_the_way() {
        assert_eq!(rewrite("a = \"${\"${b}\"}\"\n"), "a = b\n");
    }

    #[test]
    fn a_multi_line_interpolation_is_wrapped_in_parentheses() {
        assert_eq!(rewrite("a = \"${\nb ?\nc : d\n}\"\n"), "a = (b ?\nc : d)\n");
    }

    #[test]
    fn a_multi_line_interpolation_in_separate_parentheses_is_wrapped_again() {
        assert_eq!(rewrite("a = \"${(b)\n+ (c)}\"\n"), "a = ((b)\n+ (c))\n");
        assert_eq!(rewrite("a = \"${(b\n+ c)}\"\n"), "a = (b\n+ c)\n");
    }

    #[test]
    fn interpolations_inside_objects_are_left_alone() {
        assert_eq!(rewrite("a = { b = \"${c}\" }\n"), "a = { b = \"${c}\" }\n");
    }

    #[test]
    fn variable_types_lose_their_legacy_quotes() {
        assert_eq!(
            rewrite("variable \"v\" {\ntype = \"list\"\n}\n"),
            "variable \"v\" {\n  type = list(string)\n}\n"
        );
        assert_eq!(
            rewrite("variable \"v\" {\ntype = map\n}\n"),
            "variable \"v\" {\n  type = map(any)\n}\n"
        );
    }

    #[test]
    fn type_attributes_outside_variable_blocks_are_values() {
        assert_eq!(
            rewrite("thing \"v\" {\ntype = \"string\"\n}\n"),
            "thing \"v\" {\n  type = \"string\"\n}\n"
        );
    }
}
