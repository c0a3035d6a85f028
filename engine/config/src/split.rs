//! Scans a native-syntax file for its top-level items (blocks and attributes), following
//! brackets, strings, templates, heredocs and comments, so each item can be parsed on its own.
//!
//! Why: hcl-edit's lossless tree takes about 60 bytes of memory per byte of source (130 MB for a
//! 2.2 MB file). Parsing item by item keeps only one item's tree alive at a time, and lets the
//! items be parsed on several threads.
//!
//! The scan also finds the syntax problems it can place better than a parser that has already
//! given up: the `{` that is never closed (not the end of the file), the `${` left open, a
//! newline inside a quoted string (which hcl-edit accepts and Terraform does not), characters
//! the language has no use for. Whenever it meets something it does not model, it says
//! [`Scan::Unsure`] and the caller parses the whole file, which gives hcl-edit's own errors.

use std::ops::Range;

enum Mode {
    /// Expressions. `depth` counts open brackets; `template` is true inside `${ }` / `%{ }`,
    /// which ends at the `}` that brings `depth` below zero, opened at `opened_at`.
    Main {
        depth: i32,
        template: bool,
        opened_at: usize,
    },
    Quoted {
        opened_at: usize,
    },
    Heredoc {
        marker: Vec<u8>,
        at_line_start: bool,
    },
}

/// A syntax problem found by the scan, with the byte offset it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A `{` never closed before the end of the file.
    UnclosedBlock { open: usize },
    /// A newline inside a quoted string.
    MultiLineString { newline: usize },
    /// A `${` or `%{` whose closing brace never comes.
    UnclosedInterpolation { open: usize },
    /// A heredoc without its closing marker.
    UnterminatedHeredoc { end: usize },
    /// A character the language has no use for, outside strings and comments.
    InvalidCharacter { at: usize, ch: char },
}

/// What the scan found.
pub(crate) enum Scan {
    Items(Vec<Range<usize>>),
    Problem(Problem),
    /// Something the scan does not model: parse the whole file.
    Unsure,
}

/// Scans a file: its top-level items, or the first syntax problem found.
pub(crate) fn scan(src: &str) -> Scan {
    match scan_inner(src) {
        Ok(items) => Scan::Items(items),
        Err(Some(p)) => Scan::Problem(p),
        Err(None) => Scan::Unsure,
    }
}

/// `Err(None)`: unsure; `Err(Some(p))`: a problem.
type ScanResult<T> = Result<T, Option<Problem>>;

fn scan_inner(src: &str) -> ScanResult<Vec<Range<usize>>> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    // Where each bracket still open at file level was opened, innermost last.
    let mut open_brackets: Vec<usize> = Vec::new();
    let mut modes = vec![Mode::Main {
        depth: 0,
        template: false,
        opened_at: 0,
    }];
    let mut item_start: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let top = modes.len() == 1;
        let Some(mode) = modes.last_mut() else {
            return Err(None);
        };
        match mode {
            Mode::Main {
                depth, template, ..
            } => {
                let at_file_level = top && *depth == 0;
                match c {
                    b'#' => {
                        i = skip_line(b, i);
                        end_item(at_file_level, &mut item_start, &mut items, i);
                        continue;
                    }
                    b'/' if b.get(i + 1) == Some(&b'/') => {
                        i = skip_line(b, i);
                        end_item(at_file_level, &mut item_start, &mut items, i);
                        continue;
                    }
                    b'/' if b.get(i + 1) == Some(&b'*') => {
                        let end = find(b, i + 2, b"*/").ok_or(None)?;
                        i = end + 2;
                        continue;
                    }
                    b'\n' => {
                        end_item(at_file_level, &mut item_start, &mut items, i + 1);
                        i += 1;
                        continue;
                    }
                    b' ' | b'\t' | b'\r' => {
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                if top && item_start.is_none() {
                    item_start = Some(i);
                }
                match c {
                    b'{' | b'[' | b'(' => {
                        *depth += 1;
                        if top {
                            open_brackets.push(i);
                        }
                    }
                    b'}' | b']' | b')' => {
                        *depth -= 1;
                        if top {
                            let opener = open_brackets.pop().map(|o| b[o]);
                            let matches = matches!(
                                (opener, c),
                                (Some(b'{'), b'}') | (Some(b'['), b']') | (Some(b'('), b')')
                            );
                            if opener.is_some() && !matches {
                                // `[1, 2 }`: the parser says what is missing better.
                                return Err(None);
                            }
                        }
                        if *depth < 0 {
                            if *template && c == b'}' {
                                modes.pop();
                                i += 1;
                                continue;
                            }
                            return Err(None);
                        }
                    }
                    b'"' => modes.push(Mode::Quoted { opened_at: i }),
                    b'`' | b'\'' | b';' | b'@' | b'\\' | b'^' | b'$' => {
                        return Err(Some(Problem::InvalidCharacter {
                            at: i,
                            ch: c as char,
                        }));
                    }
                    b'~' if !*template => {
                        return Err(Some(Problem::InvalidCharacter { at: i, ch: '~' }));
                    }
                    b'<' if b.get(i + 1) == Some(&b'<') => {
                        modes.push(heredoc_start(b, &mut i)?);
                        continue;
                    }
                    0x80.. => {
                        // Letters of any script make identifiers; other symbols (such as a word
                        // processor's curly quotes) are not part of the language.
                        let ch = src[i..].chars().next().unwrap_or('\u{FFFD}');
                        if !ch.is_alphanumeric() {
                            return Err(Some(Problem::InvalidCharacter { at: i, ch }));
                        }
                        i += ch.len_utf8();
                        continue;
                    }
                    _ => {}
                }
                i += 1;
            }
            Mode::Quoted { .. } => match c {
                b'\\' => i += 2,
                b'"' => {
                    modes.pop();
                    i += 1;
                }
                b'\n' => {
                    // A newline in a string inside an interpolation means the interpolation
                    // was never closed: `"a-${var.x"`.
                    // HCL reports it at the start of the enclosing quoted template's text.
                    let n = modes.len();
                    if n >= 3
                        && let Mode::Main { template: true, .. } = modes[n - 2]
                    {
                        let open = match modes[n - 3] {
                            Mode::Quoted { opened_at } => opened_at + 1,
                            Mode::Main { opened_at, .. } => opened_at,
                            Mode::Heredoc { .. } => i,
                        };
                        return Err(Some(Problem::UnclosedInterpolation { open }));
                    }
                    let newline = if i > 0 && b[i - 1] == b'\r' { i - 1 } else { i };
                    return Err(Some(Problem::MultiLineString { newline }));
                }
                b'$' | b'%' => i = template_start(b, i, &mut modes),
                _ => i += 1,
            },
            Mode::Heredoc {
                marker,
                at_line_start,
            } => {
                if std::mem::take(at_line_start) {
                    let mut j = i;
                    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                        j += 1;
                    }
                    if b[j..].starts_with(marker) {
                        let after = j + marker.len();
                        let rest = &b[after..];
                        if rest.is_empty() || rest[0] == b'\n' || rest.starts_with(b"\r\n") {
                            modes.pop();
                            i = after;
                            continue;
                        }
                    }
                }
                match c {
                    b'\n' => {
                        *at_line_start = true;
                        i += 1;
                    }
                    b'$' | b'%' => i = template_start(b, i, &mut modes),
                    _ => i += 1,
                }
            }
        }
    }
    match modes.last() {
        Some(Mode::Heredoc { .. }) => Err(Some(Problem::UnterminatedHeredoc { end: b.len() })),
        Some(Mode::Main {
            template: true,
            opened_at,
            ..
        }) => Err(Some(Problem::UnclosedInterpolation { open: *opened_at })),
        Some(Mode::Quoted { .. }) | None => Err(None),
        Some(Mode::Main { depth, .. }) if *depth != 0 || modes.len() != 1 => {
            // The innermost bracket still open, if it is a block's brace.
            match open_brackets.last() {
                Some(&open) if b[open] == b'{' => Err(Some(Problem::UnclosedBlock { open })),
                _ => Err(None),
            }
        }
        Some(Mode::Main { .. }) => {
            if let Some(s) = item_start {
                items.push(s..b.len());
            }
            Ok(items)
        }
    }
}

fn end_item(
    at_file_level: bool,
    item_start: &mut Option<usize>,
    items: &mut Vec<Range<usize>>,
    end: usize,
) {
    if at_file_level && let Some(s) = item_start.take() {
        items.push(s..end);
    }
}

/// At `$` or `%` in a string or heredoc: enters an interpolation or directive (`${`, `%{`),
/// skips the escapes `$${` and `%%{`. Returns the next position.
fn template_start(b: &[u8], i: usize, modes: &mut Vec<Mode>) -> usize {
    let c = b[i];
    if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') {
        i + 3
    } else if b.get(i + 1) == Some(&b'{') {
        modes.push(Mode::Main {
            depth: 0,
            template: true,
            opened_at: i,
        });
        i + 2
    } else {
        i + 1
    }
}

/// At `<<`: reads the heredoc introducer (`<<EOT` or `<<-EOT` and its newline).
fn heredoc_start(b: &[u8], i: &mut usize) -> ScanResult<Mode> {
    let mut j = *i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let name_start = j;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
        j += 1;
    }
    if j == name_start {
        return Err(None);
    }
    let marker = b[name_start..j].to_vec();
    if b.get(j) == Some(&b'\r') {
        j += 1;
    }
    if b.get(j) != Some(&b'\n') {
        return Err(None);
    }
    *i = j + 1;
    Ok(Mode::Heredoc {
        marker,
        at_line_start: true,
    })
}

fn skip_line(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    (i + 1).min(b.len())
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(src: &str) -> Vec<&str> {
        match scan(src) {
            Scan::Items(items) => items.into_iter().map(|r| src[r].trim_end()).collect(),
            _ => panic!("scan found no items in {src:?}"),
        }
    }

    fn problem(src: &str) -> Problem {
        match scan(src) {
            Scan::Problem(p) => p,
            Scan::Items(_) => panic!("no problem found in {src:?}"),
            Scan::Unsure => panic!("scan unsure about {src:?}"),
        }
    }

    #[test]
    fn blocks_are_split_at_their_closing_brace() {
        let src = "# c\nvariable \"a\" {\n  default = \"}\"\n}\n\nlocals { x = { y = 1 } }\n";
        assert_eq!(
            items(src),
            vec![
                "variable \"a\" {\n  default = \"}\"\n}",
                "locals { x = { y = 1 } }"
            ]
        );
    }

    #[test]
    fn templates_with_nested_strings_and_braces_do_not_confuse_the_scan() {
        let src = "locals {\n  a = \"${jsonencode({ k = \"}\" })}\"\n  b = \"$${not}\"\n}\noutput \"o\" { value = 1 }\n";
        assert_eq!(items(src).len(), 2);
    }

    #[test]
    fn heredocs_may_contain_anything_until_their_marker() {
        let src =
            "locals {\n  a = <<-EOT\n    } { \" unbalanced\n    ${x}\n    EOT\n}\nlocals {}\n";
        assert_eq!(items(src).len(), 2);
    }

    #[test]
    fn comments_between_and_inside_blocks_are_skipped() {
        let src = "/* } */\nlocals {\n  // }\n  a = 1 # }\n}\n// end\n";
        assert_eq!(items(src), vec!["locals {\n  // }\n  a = 1 # }\n}"]);
    }

    #[test]
    fn identifiers_in_any_script_are_fine() {
        assert_eq!(items("é = 1\n"), vec!["é = 1"]);
    }

    #[test]
    fn an_unclosed_block_is_reported_at_its_brace() {
        assert_eq!(
            problem("locals {\n  a = {}\n"),
            Problem::UnclosedBlock { open: 7 }
        );
    }

    #[test]
    fn a_string_split_over_lines_is_reported_at_the_newline() {
        assert_eq!(
            problem("a = \"open\nb\"\n"),
            Problem::MultiLineString { newline: 9 }
        );
    }

    #[test]
    fn an_interpolation_left_open_is_reported_at_its_start() {
        assert_eq!(
            problem("a = \"x-${var.y\"\n"),
            Problem::UnclosedInterpolation { open: 5 }
        );
    }

    #[test]
    fn heredocs_without_marker_and_stray_characters_are_problems() {
        assert_eq!(
            problem("a = <<EOT\nnever closed\n"),
            Problem::UnterminatedHeredoc { end: 23 }
        );
        assert_eq!(
            problem("a = `x`\n"),
            Problem::InvalidCharacter { at: 4, ch: '`' }
        );
        assert_eq!(
            problem("a = \u{201c}x\u{201d}\n"),
            Problem::InvalidCharacter {
                at: 4,
                ch: '\u{201c}'
            }
        );
    }

    #[test]
    fn a_stray_closing_brace_leaves_it_to_the_parser() {
        assert!(matches!(scan("}\n"), Scan::Unsure));
    }
}
