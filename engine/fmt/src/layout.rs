//! Line splitting, indentation and the spacing between tokens.
//!
//! The layout is decided line by line, as `hclwrite` does: each line is cut
//! into up to three cells — the *lead*, the *assign* cell (from an
//! attribute's `=` to the end of its value, when the value ends on the same
//! line) and a trailing line *comment*. Indentation comes from the net
//! bracket count of each line; spacing between two tokens of a cell from a
//! fixed set of rules; the alignment of cells across lines is done in
//! [`crate::align`].

use std::ops::Range;

use crate::lexer::{Kind, Token};

/// One source line, as ranges of token indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub lead: Range<usize>,
    pub assign: Option<Range<usize>>,
    pub comment: Option<Range<usize>>,
}

/// Splits the tokens into lines and cells. The end-of-file token belongs to
/// no line.
pub(crate) fn lines(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Eof {
            lines.push(start..i);
            start = tokens.len();
            break;
        }
        if token.ends_line() {
            lines.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push(start..tokens.len());
    }
    lines
        .into_iter()
        .map(|lead| split_cells(tokens, lead))
        .collect()
}

fn split_cells(tokens: &[Token], mut lead: Range<usize>) -> Line {
    let mut comment = None;
    if lead.len() > 1 && tokens[lead.end - 1].kind == Kind::Comment {
        comment = Some(lead.end - 1..lead.end);
        lead.end -= 1;
    }
    let mut assign = None;
    if let Some(eq) = lead
        .clone()
        .skip(1)
        .find(|&i| tokens[i].kind == Kind::Equal)
    {
        // Only a value that is complete on this line forms an assign cell.
        let net: i32 = tokens[eq..lead.end]
            .iter()
            .map(|t| t.kind.bracket_change())
            .sum();
        if net == 0 {
            assign = Some(eq..lead.end);
            lead.end = eq;
        }
    }
    Line {
        lead,
        assign,
        comment,
    }
}

/// Sets the indentation of each line: two spaces per open bracket level,
/// where a line opening several brackets at once counts as one level.
pub(crate) fn indent(tokens: &mut [Token], lines: &[Line]) {
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        let Some(first) = line.lead.clone().next() else {
            continue;
        };
        if tokens[first].kind == Kind::Newline {
            tokens[first].spaces = 0;
            continue;
        }
        let mut net = 0;
        for token in &tokens[line.lead.clone()] {
            net += token.kind.bracket_change();
            if token.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += tokens[assign.clone()]
                .iter()
                .map(|t| t.kind.bracket_change())
                .sum::<i32>();
        }
        if net > 0 {
            tokens[first].spaces = 2 * levels.len();
            levels.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = levels.last_mut() else {
                break;
            };
            if closed >= *top {
                closed -= *top;
                levels.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        tokens[first].spaces = 2 * levels.len();
    }
}

/// Sets the spaces between neighbouring tokens of the same cell.
pub(crate) fn space(tokens: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.lead.clone());
        if let Some(assign) = &line.assign {
            if let Some(first) = assign.clone().next() {
                tokens[first].spaces = 1;
            }
            space_cell(tokens, assign.clone());
        }
    }
}

fn space_cell(tokens: &mut [Token], cell: Range<usize>) {
    for i in cell.start..cell.end.saturating_sub(1) {
        let before = if i > cell.start {
            Some(tokens[i - 1].kind)
        } else {
            None
        };
        let wanted = space_after(&tokens[i], before, tokens[i + 1].kind);
        tokens[i + 1].spaces = usize::from(wanted);
    }
}

fn is_in_keyword(token: &Token) -> bool {
    token.kind == Kind::Ident && token.text == "in"
}

/// Whether a space separates `subject` from the token after it; `before`
/// is the token preceding `subject` in the cell, if any.
fn space_after(subject: &Token, before: Option<Kind>, after: Kind) -> bool {
    use Kind::*;
    let kind = subject.kind;
    if matches!(after, Newline | Eof) {
        return false;
    }
    if kind == Ident && after == OParen {
        // a function call
        return false;
    }
    if (kind == Ident && after == DoubleColon) || (kind == DoubleColon && after == Ident) {
        // provider::name::function
        return false;
    }
    if kind == Dot || after == Dot {
        return false;
    }
    if matches!(after, Comma | Ellipsis) {
        return false;
    }
    if kind == Comma {
        return true;
    }
    if matches!(kind, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(after, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        // no added spaces inside templates
        return false;
    }
    if is_in_keyword(subject) && before == Some(Ident) {
        // `for x in [a, b]`: `in` is a keyword, not something indexed
        return true;
    }
    if after == OBrack && (matches!(kind, Ident | NumberLit) || kind.bracket_change() < 0) {
        // an index
        return false;
    }
    if kind == Bang {
        return false;
    }
    if kind == Minus {
        // a minus that follows what cannot end an operand is a negation
        let Some(before) = before else {
            return false;
        };
        return !matches!(
            before,
            OParen
                | OBrace
                | OBrack
                | Equal
                | Colon
                | Comma
                | Question
                | Plus
                | Star
                | Slash
                | Percent
                | Minus
                | EqualOp
                | NotEqual
                | GreaterThan
                | GreaterThanEq
                | LessThan
                | LessThanEq
                | And
                | Or
                | Bang
        );
    }
    if kind == OBrace || after == CBrace {
        // braces are spaced on both sides, except in `{}`
        return !(kind == OBrace && after == CBrace);
    }
    if matches!(kind, TemplateInterp | TemplateControl) && after == OBrace {
        return true;
    }
    if kind == CBrace && after == TemplateSeqEnd {
        return true;
    }
    if kind == TemplateSeqEnd && matches!(after, TemplateInterp | TemplateControl) {
        return false;
    }
    if kind.bracket_change() > 0 || after.bracket_change() < 0 {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn cells(src: &str) -> Vec<(usize, Option<usize>, Option<usize>)> {
        let tokens = lex(src, 0).unwrap_or_default();
        lines(&tokens)
            .iter()
            .map(|l| {
                (
                    l.lead.len(),
                    l.assign.as_ref().map(Range::len),
                    l.comment.as_ref().map(Range::len),
                )
            })
            .collect()
    }

    #[test]
    fn a_complete_attribute_has_lead_assign_and_comment_cells() {
        assert_eq!(
            cells("a = f(1) # c\n"),
            [(1, Some(5), Some(1)), (0, None, None)]
        );
    }

    #[test]
    fn an_attribute_opening_a_bracket_has_no_assign_cell() {
        assert_eq!(cells("a = [\n]\n")[0], (4, None, None));
    }

    #[test]
    fn a_comment_alone_on_its_line_stays_in_the_lead() {
        assert_eq!(cells("# c\n")[0], (1, None, None));
    }
}
