//! Vertical alignment of `=` signs and trailing comments across runs of
//! consecutive lines, and the column widths it relies on.

use std::ops::Range;

use crate::layout::Line;
use crate::lexer::Token;

/// Aligns the assign cells of each run of consecutive lines that have one,
/// then the comment cells of each run of lines that have a trailing comment.
pub(crate) fn align(tokens: &mut [Token], lines: &[Line]) {
    align_runs(
        tokens,
        lines,
        |line| line.assign.clone(),
        |tokens, line| columns(tokens, line.lead.clone()),
    );
    align_runs(
        tokens,
        lines,
        |line| line.comment.clone(),
        |tokens, line| {
            columns(tokens, line.lead.clone())
                + line
                    .assign
                    .clone()
                    .map_or(0, |assign| columns(tokens, assign))
        },
    );
}

fn align_runs(
    tokens: &mut [Token],
    lines: &[Line],
    cell: impl Fn(&Line) -> Option<Range<usize>>,
    width_before: impl Fn(&[Token], &Line) -> usize,
) {
    let mut run_start = 0;
    for i in 0..=lines.len() {
        let in_run = lines.get(i).and_then(&cell).is_some();
        if in_run {
            continue;
        }
        let run = &lines[run_start..i];
        let widest = run
            .iter()
            .map(|line| width_before(tokens, line))
            .max()
            .unwrap_or(0);
        for line in run {
            let width = width_before(tokens, line);
            if let Some(first) = cell(line).and_then(|c| c.clone().next()) {
                tokens[first].spaces = widest - width + 1;
            }
        }
        run_start = i + 1;
    }
}

/// The width of a run of tokens, spaces included, counting one column per
/// grapheme cluster.
pub(crate) fn columns(tokens: &[Token], range: Range<usize>) -> usize {
    tokens[range]
        .iter()
        .map(|t| t.spaces + graphemes(&t.text))
        .sum()
}

/// Counts grapheme clusters, approximately: combining marks, joiners,
/// variation selectors, emoji modifiers and tags extend the previous
/// cluster; a `\r\n` pair and a pair of regional indicators are one cluster.
pub(crate) fn graphemes(s: &str) -> usize {
    let mut count = 0;
    let mut prev: Option<char> = None;
    let mut regional_pending = false;
    for c in s.chars() {
        let joins = match prev {
            None => false,
            Some('\r') => c == '\n',
            Some('\u{200d}') => true,
            Some(_) if is_regional_indicator(c) => regional_pending,
            Some(_) => is_extending(c),
        };
        if is_regional_indicator(c) {
            regional_pending = !joins;
        } else if !is_extending(c) {
            regional_pending = false;
        }
        if !joins {
            count += 1;
        }
        prev = Some(c);
    }
    count
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)
}

fn is_extending(c: char) -> bool {
    let code = u32::from(c);
    if code < 0x300 {
        return false;
    }
    const RANGES: &[(u32, u32)] = &[
        (0x0300, 0x036F),
        (0x0483, 0x0489),
        (0x0591, 0x05BD),
        (0x05BF, 0x05BF),
        (0x05C1, 0x05C2),
        (0x05C4, 0x05C5),
        (0x05C7, 0x05C7),
        (0x0610, 0x061A),
        (0x064B, 0x065F),
        (0x0670, 0x0670),
        (0x06D6, 0x06DC),
        (0x06DF, 0x06E4),
        (0x06E7, 0x06E8),
        (0x06EA, 0x06ED),
        (0x0E31, 0x0E31),
        (0x0E34, 0x0E3A),
        (0x0E47, 0x0E4E),
        (0x1160, 0x11FF),
        (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF),
        (0x200C, 0x200D),
        (0x20D0, 0x20FF),
        (0x302A, 0x302F),
        (0x3099, 0x309A),
        (0xFE00, 0xFE0F),
        (0xFE20, 0xFE2F),
        (0x1F3FB, 0x1F3FF),
        (0xE0020, 0xE007F),
        (0xE0100, 0xE01EF),
    ];
    if RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&code)) {
        return true;
    }
    // Indic scripts share one block layout: signs, nukta, vowel signs,
    // virama and length marks sit at the same offsets in each block.
    if (0x0900..=0x0DFF).contains(&code) {
        let low = code & 0x7F;
        return matches!(low, 0x00..=0x03 | 0x3A..=0x3C | 0x3E..=0x4F | 0x51..=0x57 | 0x62..=0x63);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_is_one_column_per_character() {
        assert_eq!(graphemes("name"), 4);
    }

    #[test]
    fn precomposed_and_decomposed_accents_are_one_column() {
        assert_eq!(graphemes("é"), 1);
        assert_eq!(graphemes("e\u{301}"), 1);
    }

    #[test]
    fn wide_characters_count_as_one_column_like_hclwrite() {
        assert_eq!(graphemes("日本"), 2);
    }

    #[test]
    fn emoji_sequences_are_one_column() {
        assert_eq!(graphemes("👍🏽"), 1);
        assert_eq!(graphemes("👩\u{200d}💻"), 1);
        assert_eq!(graphemes("🇫🇷🇩🇪"), 2);
    }
}
