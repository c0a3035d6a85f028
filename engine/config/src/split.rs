//! Splits a native-syntax file into its top-level items (blocks and attributes) by scanning
//! brackets, strings, templates, heredocs and comments, so each item can be parsed on its own.
//!
//! Why: hcl-edit's lossless tree takes about 60 bytes of memory per byte of source (130 MB for a
//! 2.2 MB file). Parsing item by item keeps only one item's tree alive at a time, and lets the
//! items be parsed on several threads. The scan is conservative: whenever it is unsure
//! (unbalanced brackets, an unterminated string or heredoc) it returns `None` and the caller
//! parses the whole file at once, which also gives hcl-edit's exact error messages.

use std::ops::Range;

enum Mode {
    /// Expressions; `depth` counts open brackets. `template` is true inside `${ }` / `%{ }`,
    /// which ends at the `}` that brings `depth` below zero.
    Main {
        depth: i32,
        template: bool,
    },
    Quoted,
    Heredoc {
        marker: Vec<u8>,
        at_line_start: bool,
    },
}

/// The byte ranges of the top-level items, in order, or `None` if the file should be parsed
/// whole.
pub(crate) fn top_level_items(src: &str) -> Option<Vec<Range<usize>>> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    let mut modes = vec![Mode::Main {
        depth: 0,
        template: false,
    }];
    let mut item_start: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let top = modes.len() == 1;
        let mode = modes.last_mut()?;
        match mode {
            Mode::Main { depth, template } => {
                match c {
                    b'#' => {
                        i = skip_line(b, i);
                        if top
                            && *depth == 0
                            && let Some(s) = item_start.take()
                        {
                            items.push(s..i);
                        }
                        continue;
                    }
                    b'/' if b.get(i + 1) == Some(&b'/') => {
                        i = skip_line(b, i);
                        if top
                            && *depth == 0
                            && let Some(s) = item_start.take()
                        {
                            items.push(s..i);
                        }
                        continue;
                    }
                    b'/' if b.get(i + 1) == Some(&b'*') => {
                        let end = find(b, i + 2, b"*/")?;
                        i = end + 2;
                        continue;
                    }
                    b'\n' => {
                        if top
                            && *depth == 0
                            && let Some(s) = item_start.take()
                        {
                            items.push(s..i + 1);
                        }
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
                    b'{' | b'[' | b'(' => *depth += 1,
                    b'}' | b']' | b')' => {
                        *depth -= 1;
                        if *depth < 0 {
                            if *template && c == b'}' {
                                modes.pop();
                                i += 1;
                                continue;
                            }
                            return None;
                        }
                    }
                    b'"' => modes.push(Mode::Quoted),
                    b'<' if b.get(i + 1) == Some(&b'<') => {
                        let mut j = i + 2;
                        if b.get(j) == Some(&b'-') {
                            j += 1;
                        }
                        let name_start = j;
                        while j < b.len()
                            && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-')
                        {
                            j += 1;
                        }
                        if j == name_start {
                            return None;
                        }
                        let marker = b[name_start..j].to_vec();
                        // The introducer must end its line.
                        let mut k = j;
                        if b.get(k) == Some(&b'\r') {
                            k += 1;
                        }
                        if b.get(k) != Some(&b'\n') {
                            return None;
                        }
                        modes.push(Mode::Heredoc {
                            marker,
                            at_line_start: true,
                        });
                        i = k + 1;
                        continue;
                    }
                    _ => {}
                }
                i += 1;
            }
            Mode::Quoted => {
                match c {
                    b'\\' => i += 2,
                    b'"' => {
                        modes.pop();
                        i += 1;
                    }
                    b'\n' => return None,
                    b'$' | b'%' => {
                        if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') {
                            i += 3; // `$${` and `%%{` are literal text
                        } else if b.get(i + 1) == Some(&b'{') {
                            modes.push(Mode::Main {
                                depth: 0,
                                template: true,
                            });
                            i += 2;
                        } else {
                            i += 1;
                        }
                    }
                    _ => i += 1,
                }
            }
            Mode::Heredoc {
                marker,
                at_line_start,
            } => {
                if *at_line_start {
                    *at_line_start = false;
                    let mut j = i;
                    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                        j += 1;
                    }
                    if b[j..].starts_with(marker) {
                        let after = j + marker.len();
                        let rest = &b[after..];
                        let line_ends =
                            rest.is_empty() || rest[0] == b'\n' || rest.starts_with(b"\r\n");
                        if line_ends {
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
                    b'$' | b'%' => {
                        if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') {
                            i += 3;
                        } else if b.get(i + 1) == Some(&b'{') {
                            modes.push(Mode::Main {
                                depth: 0,
                                template: true,
                            });
                            i += 2;
                        } else {
                            i += 1;
                        }
                    }
                    _ => i += 1,
                }
            }
        }
    }
    if modes.len() != 1 || !matches!(modes[0], Mode::Main { depth: 0, .. }) {
        return None;
    }
    if let Some(s) = item_start {
        items.push(s..b.len());
    }
    Some(items)
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
        top_level_items(src)
            .unwrap()
            .into_iter()
            .map(|r| src[r].trim_end())
            .collect()
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
    fn unbalanced_input_asks_for_a_whole_file_parse() {
        assert!(top_level_items("locals {\n").is_none());
        assert!(top_level_items("a = \"open\n").is_none());
        assert!(top_level_items("a = <<EOT\nnever closed\n").is_none());
        assert!(top_level_items("}\n").is_none());
    }
}
