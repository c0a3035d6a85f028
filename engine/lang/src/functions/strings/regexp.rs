//! `regex` and `regexall`, and the regular expressions of `replace`: Go's RE2 syntax run on
//! Rust's `regex` crate, which is close to RE2. Where the two differ in meaning, the pattern is
//! rewritten first: Go's `\d`, `\w`, `\s` and `\b` are ASCII-only, and Go reads `[`, `&&` and
//! `~~` inside a character class literally.

use super::super::{FuncCtx, FuncError, FuncResult, string_arg};
use regex::Regex;
use terrane_types::{Type, Value};

/// Compiles a pattern written in Go's syntax.
pub(super) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&from_go(pattern))
}

/// Rewrites a Go (RE2) pattern into an equivalent one for the `regex` crate.
fn from_go(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let replacement = match (in_class, e) {
                    (false, 'd') => "[0-9]",
                    (false, 'D') => "[^0-9]",
                    (false, 'w') => "[0-9A-Za-z_]",
                    (false, 'W') => "[^0-9A-Za-z_]",
                    (false, 's') => "[\\t\\n\\x0C\\r ]",
                    (false, 'S') => "[^\\t\\n\\x0C\\r ]",
                    (false, 'b') => "(?-u:\\b)",
                    (false, 'B') => "(?-u:\\B)",
                    (true, 'd') => "0-9",
                    (true, 'D') => "\\x00-/:-\\x{10FFFF}",
                    (true, 'w') => "0-9A-Za-z_",
                    (true, 'W') => "\\x00-/:-@\\[-\\^`{-\\x{10FFFF}",
                    (true, 's') => "\\t\\n\\x0C\\r ",
                    (true, 'S') => "\\x00-\\x08\\x0B\\x0E-\\x1F!-\\x{10FFFF}",
                    _ => {
                        out.push('\\');
                        out.push(e);
                        continue;
                    }
                };
                out.push_str(replacement);
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // A `]` right at the start is a literal member.
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str("\\]");
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // A POSIX class such as `[:alpha:]`, copied whole.
                out.push('[');
                for p in chars.by_ref() {
                    out.push(p);
                    if p == ']' {
                        break;
                    }
                }
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// What a pattern's matches look like: the whole match, a tuple of the unnamed captures, or an
/// object of the named ones.
enum RegexShape {
    Whole,
    Tuple,
    Object(Vec<String>),
}

fn compile_pattern(pattern: &str) -> Result<(Regex, RegexShape), FuncError> {
    let re = compile(pattern).map_err(|e| {
        let (code, expr) = error_parts(&e, pattern);
        FuncError::arg(0, format!("invalid regexp pattern: {code} in {expr}"))
    })?;
    let mut names = Vec::new();
    let mut unnamed = 0;
    for name in re.capture_names().skip(1) {
        match name {
            Some(n) => names.push(n.to_owned()),
            None => unnamed += 1,
        }
    }
    let shape = match (unnamed, names.is_empty()) {
        (0, true) => RegexShape::Whole,
        (0, false) => RegexShape::Object(names),
        (_, true) => RegexShape::Tuple,
        (_, false) => {
            return Err(FuncError::arg(
                0,
                "invalid regexp pattern: cannot mix both named and unnamed capture groups",
            ));
        }
    };
    Ok((re, shape))
}

fn match_value(caps: &regex::Captures, shape: &RegexShape) -> Value {
    let text = |m: Option<regex::Match>| match m {
        Some(m) => Value::string(m.as_str()),
        None => Value::Null(Type::String),
    };
    match shape {
        RegexShape::Whole => text(caps.get(0)),
        RegexShape::Tuple => Value::Tuple((1..caps.len()).map(|i| text(caps.get(i))).collect()),
        RegexShape::Object(names) => {
            Value::object(names.iter().map(|n| (n.clone(), text(caps.name(n)))))
        }
    }
}

pub(super) fn regex(args: &[Value], _: &FuncCtx) -> FuncResult {
    let pattern = string_arg(args, 0)?;
    let s = string_arg(args, 1)?;
    let (re, shape) = compile_pattern(&pattern)?;
    let caps = re
        .captures(&s)
        .ok_or_else(|| FuncError::call("pattern did not match any part of the given string"))?;
    Ok(match_value(&caps, &shape))
}

pub(super) fn regexall(args: &[Value], _: &FuncCtx) -> FuncResult {
    let pattern = string_arg(args, 0)?;
    let s = string_arg(args, 1)?;
    let (re, shape) = compile_pattern(&pattern)?;
    Ok(Value::List(
        re.captures_iter(&s)
            .map(|caps| match_value(&caps, &shape))
            .collect(),
    ))
}

/// The parts of Go's regexp error (`code`, offending expression) for a Rust regex error: the
/// messages are mapped to Go's wording where they correspond.
pub(super) fn error_parts(err: &regex::Error, pattern: &str) -> (String, String) {
    let text = err.to_string();
    let detail = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(text.as_str())
        .trim();
    let code = match detail {
        "unclosed group" => "missing closing )",
        "unopened group" => "unexpected )",
        "unclosed character class" => "missing closing ]",
        "repetition operator missing expression" => "missing argument to repetition operator",
        "invalid escape sequence found in character class"
        | "unrecognized escape sequence"
        | "incomplete escape sequence, reached end of pattern prematurely" => {
            "invalid escape sequence"
        }
        "invalid character class range, the start must be <= the end" => {
            "invalid character class range"
        }
        "empty capture group name" | "invalid capture group character" => "invalid named capture",
        "duplicate capture group name" => "duplicate capture group name",
        "invalid repetition count range, the start must be <= the end" => "invalid repeat count",
        other => other,
    };
    (code.to_owned(), pattern.to_owned())
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{run, s, strs};
    use terrane_types::{Type, Value};

    #[test]
    fn regex_without_captures_returns_the_matched_string() {
        assert_eq!(
            run(
                "regex",
                vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
            )
            .unwrap(),
            s("aaabbbccc")
        );
    }

    #[test]
    fn regex_with_unnamed_captures_returns_a_tuple() {
        assert_eq!(
            run(
                "regex",
                vec![s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")]
            )
            .unwrap(),
            Value::Tuple(vec![s("2019"), s("02"), s("01")])
        );
    }

    #[test]
    fn regex_with_named_captures_returns_an_object_with_null_for_unmatched_groups() {
        let got = run(
            "regex",
            vec![
                s(r"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                s("https://terraform.io/docs/"),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            Value::object([("authority", s("terraform.io")), ("scheme", s("https"))])
        );
        let got = run("regex", vec![s("(?P<a>x)?(?P<b>y)"), s("y")]).unwrap();
        assert_eq!(
            got,
            Value::object([("a", Value::Null(Type::String)), ("b", s("y"))])
        );
    }

    #[test]
    fn regex_that_does_not_match_is_an_error() {
        let e = run("regex", vec![s("z"), s("abc")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("pattern did not match any part of the given string")
        );
    }

    #[test]
    fn regex_refuses_mixed_named_and_unnamed_captures_and_bad_patterns() {
        let e = run("regex", vec![s("(?P<a>x)(y)"), s("xy")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(
                0,
                "invalid regexp pattern: cannot mix both named and unnamed capture groups"
            )
        );
        let e = run("regex", vec![s("(x"), s("xy")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(0, "invalid regexp pattern: missing closing ) in (x")
        );
    }

    #[test]
    fn regexall_returns_every_match_or_an_empty_list() {
        assert_eq!(
            run("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]).unwrap(),
            strs(&["abcd", "efgh"])
        );
        assert_eq!(
            run("regexall", vec![s("[a-z]+"), s("123")]).unwrap(),
            strs(&[])
        );
        assert_eq!(
            run("regexall", vec![s("(a)(b)?"), s("a ab")]).unwrap(),
            Value::List(vec![
                Value::Tuple(vec![s("a"), Value::Null(Type::String)]),
                Value::Tuple(vec![s("a"), s("b")]),
            ])
        );
    }

    #[test]
    fn perl_classes_are_ascii_only_as_in_go() {
        assert_eq!(
            run("regexall", vec![s(r"\d+"), s("12٣4")]).unwrap(),
            strs(&["12", "4"])
        );
        assert_eq!(
            run("regexall", vec![s(r"[\w]+"), s("héllo")]).unwrap(),
            strs(&["h", "llo"])
        );
        assert_eq!(
            run("regexall", vec![s(r"\S+"), s("a\u{a0}b c")]).unwrap(),
            strs(&["a\u{a0}b", "c"])
        );
        assert_eq!(
            run("regexall", vec![s(r"[^\d\s]+"), s("ab 12 c")]).unwrap(),
            strs(&["ab", "c"])
        );
    }

    #[test]
    fn brackets_and_set_operators_inside_classes_are_literal_as_in_go() {
        assert_eq!(
            run("regexall", vec![s(r"[[]+"), s("a[[b")]).unwrap(),
            strs(&["[["])
        );
        assert_eq!(
            run("regexall", vec![s(r"[a&&b]+"), s("xa&bx")]).unwrap(),
            strs(&["a&b"])
        );
        assert_eq!(
            run("regexall", vec![s(r"[]a]+"), s("x]a]x")]).unwrap(),
            strs(&["]a]"])
        );
        assert_eq!(
            run("regexall", vec![s(r"[[:digit:]x]+"), s("a1x2b")]).unwrap(),
            strs(&["1x2"])
        );
    }
}
