//! String functions: `chomp`, `format`, `formatlist`, `indent`, `join`, `lower`, `upper`,
//! `replace`, `split`, `strrev`, `substr`, `title`, `trim*`, `regex`, `regexall`, `startswith`,
//! `endswith` and `strcontains`, with the semantics of Terraform (go-cty's stdlib).
//!
//! Also home to small helpers the sibling modules share: Unicode character (grapheme cluster)
//! splitting, Go's `%q` quoting and Go-style integer arguments.

mod format;
mod regexp;

use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret, string_arg, to_string_value};
use terrane_types::{Type, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("chomp", &["str"], Ret::String, chomp),
    FuncDef::new("endswith", &["str", "suffix"], Ret::Bool, endswith),
    FuncDef::new("format", &["format"], Ret::String, format::format)
        .variadic("args")
        .allow_null(),
    FuncDef::new("formatlist", &["format"], Ret::Dynamic, format::formatlist)
        .variadic("args")
        .allow_null()
        .allow_unknown(),
    FuncDef::new("indent", &["spaces", "str"], Ret::String, indent),
    FuncDef::new("join", &["separator"], Ret::String, join).variadic("lists"),
    FuncDef::new("lower", &["str"], Ret::String, lower),
    FuncDef::new("regex", &["pattern", "string"], Ret::Dynamic, regexp::regex),
    FuncDef::new(
        "regexall",
        &["pattern", "string"],
        Ret::Dynamic,
        regexp::regexall,
    ),
    FuncDef::new(
        "replace",
        &["str", "substr", "replace"],
        Ret::String,
        replace,
    ),
    FuncDef::new("split", &["separator", "str"], Ret::Dynamic, split),
    FuncDef::new("startswith", &["str", "prefix"], Ret::Bool, startswith).allow_unknown(),
    FuncDef::new("strcontains", &["str", "substr"], Ret::Bool, strcontains),
    FuncDef::new("strrev", &["str"], Ret::String, strrev),
    FuncDef::new("substr", &["str", "offset", "length"], Ret::String, substr),
    FuncDef::new("title", &["str"], Ret::String, title),
    FuncDef::new("trim", &["str", "cutset"], Ret::String, trim),
    FuncDef::new("trimprefix", &["str", "prefix"], Ret::String, trimprefix),
    FuncDef::new("trimspace", &["str"], Ret::String, trimspace),
    FuncDef::new("trimsuffix", &["str", "suffix"], Ret::String, trimsuffix),
    FuncDef::new("upper", &["str"], Ret::String, upper),
];

fn chomp(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let mut end = s.as_str();
    loop {
        let trimmed = end
            .strip_suffix("\r\n")
            .or_else(|| end.strip_suffix('\n'))
            .or_else(|| end.strip_suffix('\r'));
        match trimmed {
            Some(t) => end = t,
            None => break,
        }
    }
    Ok(Value::string(end))
}

fn endswith(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let suffix = string_arg(args, 1)?;
    Ok(Value::Bool(s.ends_with(&suffix)))
}

fn startswith(args: &[Value], _: &FuncCtx) -> FuncResult {
    if !args[1].is_known() {
        return Ok(Value::Unknown(Type::Bool));
    }
    let prefix = string_arg(args, 1)?;
    if !args[0].is_known() {
        // Every string starts with the empty string, known or not.
        return Ok(if prefix.is_empty() {
            Value::Bool(true)
        } else {
            Value::Unknown(Type::Bool)
        });
    }
    let s = string_arg(args, 0)?;
    Ok(Value::Bool(s.starts_with(&prefix)))
}

fn strcontains(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let substr = string_arg(args, 1)?;
    Ok(Value::Bool(s.contains(&substr)))
}

fn indent(args: &[Value], _: &FuncCtx) -> FuncResult {
    let spaces = go_int_arg(args, 0)?;
    let s = string_arg(args, 1)?;
    let spaces = usize::try_from(spaces)
        .map_err(|_| FuncError::arg(0, "the number of spaces must not be negative"))?;
    if spaces > 1_000_000 {
        return Err(FuncError::arg(0, "the number of spaces is too large"));
    }
    let pad = format!("\n{}", " ".repeat(spaces));
    Ok(Value::String(s.replace('\n', &pad)))
}

fn join(args: &[Value], _: &FuncCtx) -> FuncResult {
    let sep = string_arg(args, 0)?;
    let lists = &args[1..];
    if lists.is_empty() {
        return Err(FuncError::call("at least one list is required"));
    }
    let mut items = Vec::new();
    for (li, list) in lists.iter().enumerate() {
        let index = li + 1;
        let elems = list
            .as_seq()
            .ok_or_else(|| FuncError::arg(index, "list of string required"))?;
        for (ei, elem) in elems.iter().enumerate() {
            if elem.is_null() {
                return Err(FuncError::arg(
                    index,
                    if lists.len() > 1 {
                        format!(
                            "element {ei} of list {index} is null; cannot concatenate null values"
                        )
                    } else {
                        format!("element {ei} is null; cannot concatenate null values")
                    },
                ));
            }
            let text = to_string_value(elem)
                .ok_or_else(|| FuncError::arg(index, "list of string required"))?;
            items.push(text);
        }
    }
    Ok(Value::String(items.join(&sep)))
}

/// Go's `strings.ToLower`/`ToUpper` map one character to one character (simple case mapping):
/// `ß` stays `ß` in upper case, where Rust's full mapping would give `SS`.
fn lower(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    Ok(Value::String(s.chars().map(simple_lower).collect()))
}

fn upper(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    Ok(Value::String(s.chars().map(simple_upper).collect()))
}

fn simple_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn simple_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `strings.Title`: the first letter of each word in upper case, where words are separated
/// by spaces and ASCII punctuation.
fn title(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let mut prev = ' ';
    let out = s
        .chars()
        .map(|c| {
            let mapped = if is_word_separator(prev) {
                simple_upper(c)
            } else {
                c
            };
            prev = c;
            mapped
        })
        .collect();
    Ok(Value::String(out))
}

fn is_word_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

fn replace(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let substr = string_arg(args, 1)?;
    let replacement = string_arg(args, 2)?;
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let pattern = &substr[1..substr.len() - 1];
        let re = regexp::compile(pattern).map_err(|e| {
            let (code, expr) = regexp::error_parts(&e, pattern);
            FuncError::call(format!("error parsing regexp: {code}: `{expr}`"))
        })?;
        return Ok(Value::String(
            re.replace_all(&s, replacement.as_str()).into_owned(),
        ));
    }
    Ok(Value::String(s.replace(&substr, &replacement)))
}

fn split(args: &[Value], _: &FuncCtx) -> FuncResult {
    let sep = string_arg(args, 0)?;
    let s = string_arg(args, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        // Go splits after each UTF-8 sequence when the separator is empty.
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::string).collect()
    };
    Ok(Value::List(parts))
}

fn strrev(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    Ok(Value::String(graphemes(&s).into_iter().rev().collect()))
}

/// go-cty's `substr`, quirks included: a negative offset counts from the end, a negative length
/// means "to the end", and lengths and offsets count Unicode characters.
fn substr(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let mut offset = go_int_arg(args, 1)?;
    let length = go_int_arg(args, 2)?;
    let clusters = graphemes(&s);
    let total = i64::try_from(clusters.len()).unwrap_or(i64::MAX);
    if offset < 0 {
        offset = offset.saturating_add(total);
    } else if length == 0 {
        return Ok(Value::string(""));
    }
    let start = if offset > 0 {
        if offset >= total {
            return Ok(Value::string(""));
        }
        usize::try_from(offset).unwrap_or(clusters.len())
    } else {
        0
    };
    let rest = clusters.get(start..).unwrap_or(&[]);
    let taken: String = if length < 0 {
        rest.concat()
    } else {
        // go-cty never stops counting at a length of 0 (reachable after a negative offset) and
        // so takes the rest of the string; reproduced for compatibility.
        let n = match usize::try_from(length) {
            Ok(0) | Err(_) => usize::MAX,
            Ok(n) => n,
        };
        rest.iter().take(n).copied().collect()
    };
    Ok(Value::String(taken))
}

fn trim(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let cutset = string_arg(args, 1)?;
    Ok(Value::string(s.trim_matches(|c| cutset.contains(c))))
}

fn trimprefix(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let prefix = string_arg(args, 1)?;
    Ok(Value::string(s.strip_prefix(prefix.as_str()).unwrap_or(&s)))
}

fn trimsuffix(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let suffix = string_arg(args, 1)?;
    Ok(Value::string(s.strip_suffix(suffix.as_str()).unwrap_or(&s)))
}

fn trimspace(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    Ok(Value::string(s.trim_matches(char::is_whitespace)))
}

/// The user-perceived characters (extended grapheme clusters, approximately) of a string: a base
/// character with the combining marks, variation selectors, emoji modifiers and zero-width
/// joiner sequences that follow it; CR LF and regional-indicator pairs stay together.
pub(super) fn graphemes(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        let mut prev = c;
        let mut regional_pair_done = false;
        while let Some(&(i, next)) = chars.peek() {
            let joins = (prev == '\r' && next == '\n')
                || is_extend(next)
                || prev == '\u{200D}'
                || (is_regional_indicator(prev)
                    && is_regional_indicator(next)
                    && !regional_pair_done);
            if !joins || (prev == '\r' && next != '\n') {
                break;
            }
            if is_regional_indicator(prev) && is_regional_indicator(next) {
                regional_pair_done = true;
            }
            end = i + next.len_utf8();
            prev = next;
            chars.next();
        }
        if let Some(cluster) = s.get(start..end) {
            out.push(cluster);
        }
    }
    out
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Characters that never start a cluster of their own (Grapheme_Cluster_Break Extend, ZWJ and
/// the most common spacing marks), by the Unicode blocks that hold them.
fn is_extend(c: char) -> bool {
    let u = c as u32;
    if (0x0900..0x0E00).contains(&u) {
        // The Brahmic scripts share one layout: signs, nukta, vowel signs and virama at the same
        // offsets in each 128-character block.
        let o = u & 0x7F;
        return matches!(o, 0x01..=0x03 | 0x3C | 0x3E..=0x4D | 0x51..=0x57 | 0x62..=0x63);
    }
    matches!(u,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2
        | 0x05C4..=0x05C5 | 0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670
        | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED
        | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0EB1 | 0x0EB4..=0x0EBC | 0x0EC8..=0x0ECE
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C..=0x200D | 0x20D0..=0x20FF
        | 0x302A..=0x302F | 0x3099..=0x309A | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F
        | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
}

/// Go's `%q` (`strconv.Quote`) of a string.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_go_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of a single character (`'x'`).
pub(super) fn go_quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_go_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

fn push_go_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0C' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0B' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c == '\x7F' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
            let u = c as u32;
            if u <= 0xFFFF {
                out.push_str(&format!("\\u{u:04x}"));
            } else {
                out.push_str(&format!("\\U{u:08x}"));
            }
        }
        c => out.push(c),
    }
}

/// A whole-number argument converted as go-cty converts into a Go `int`, with its message.
pub(super) fn go_int_arg(args: &[Value], i: usize) -> Result<i64, FuncError> {
    let n = super::number_arg(args, i)?;
    n.to_i64().ok_or_else(|| {
        FuncError::arg(
            i,
            format!(
                "value must be a whole number, between {} and {}",
                i64::MIN,
                i64::MAX
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{message as err_text, n, run, s, strs};
    use terrane_types::{Type, Value};

    #[test]
    fn chomp_removes_every_trailing_newline_but_nothing_else() {
        assert_eq!(run("chomp", vec![s("hello\n\r\n\r")]).unwrap(), s("hello"));
        assert_eq!(run("chomp", vec![s("a\nb")]).unwrap(), s("a\nb"));
    }

    #[test]
    fn upper_and_lower_map_letters_one_to_one() {
        assert_eq!(run("upper", vec![s("héllo ß")]).unwrap(), s("HÉLLO ß"));
        assert_eq!(run("lower", vec![s("HÉLLO")]).unwrap(), s("héllo"));
    }

    #[test]
    fn numbers_are_converted_to_strings_for_string_parameters() {
        assert_eq!(run("upper", vec![n(12)]).unwrap(), s("12"));
    }

    #[test]
    fn title_capitalises_the_first_letter_of_each_word() {
        assert_eq!(
            run("title", vec![s("hello world-wide web_site")]).unwrap(),
            s("Hello World-Wide Web_site")
        );
    }

    #[test]
    fn indent_adds_spaces_after_each_newline_but_not_before_the_first_line() {
        assert_eq!(
            run("indent", vec![n(2), s("a\nb\nc")]).unwrap(),
            s("a\n  b\n  c")
        );
    }

    #[test]
    fn indent_rejects_fractional_space_counts() {
        let half = Value::Number(terrane_types::Number::parse("1.5").unwrap());
        let e = run("indent", vec![half, s("x")]).unwrap_err();
        assert!(err_text(e).starts_with("value must be a whole number"));
    }

    #[test]
    fn join_concatenates_all_lists_with_the_separator() {
        assert_eq!(
            run("join", vec![s(", "), strs(&["a", "b"]), strs(&["c"])]).unwrap(),
            s("a, b, c")
        );
        assert_eq!(run("join", vec![s("-"), strs(&[])]).unwrap(), s(""));
    }

    #[test]
    fn join_refuses_null_elements_naming_their_position() {
        let list = Value::List(vec![s("a"), Value::Null(Type::String)]);
        let e = run("join", vec![s(","), list.clone()]).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(1, "element 1 is null; cannot concatenate null values")
        );
        let e = run("join", vec![s(","), strs(&["x"]), list]).unwrap_err();
        assert_eq!(
            err_text(e),
            "element 1 of list 2 is null; cannot concatenate null values"
        );
    }

    #[test]
    fn join_needs_at_least_one_list() {
        assert_eq!(
            err_text(run("join", vec![s(",")]).unwrap_err()),
            "at least one list is required"
        );
    }

    #[test]
    fn join_with_an_unknown_element_is_unknown() {
        let list = Value::List(vec![s("a"), Value::Unknown(Type::String)]);
        assert_eq!(
            run("join", vec![s(","), list]).unwrap(),
            Value::Unknown(Type::String)
        );
    }

    #[test]
    fn replace_replaces_every_occurrence_of_a_substring() {
        assert_eq!(
            run("replace", vec![s("1 + 2 + 3"), s("+"), s("-")]).unwrap(),
            s("1 - 2 - 3")
        );
    }

    #[test]
    fn replace_treats_a_slash_wrapped_substring_as_a_regex_with_capture_references() {
        assert_eq!(
            run(
                "replace",
                vec![s("hello world"), s("/w(or)ld/"), s("there $1")]
            )
            .unwrap(),
            s("hello there or")
        );
        assert_eq!(
            run("replace", vec![s("a/b"), s("/"), s("_")]).unwrap(),
            s("a_b")
        );
    }

    #[test]
    fn replace_reports_invalid_regexes() {
        let e = run("replace", vec![s("x"), s("/(a/"), s("")]).unwrap_err();
        assert_eq!(err_text(e), "error parsing regexp: missing closing ): `(a`");
    }

    #[test]
    fn split_returns_a_list_and_keeps_empty_parts() {
        assert_eq!(
            run("split", vec![s(","), s("a,,b")]).unwrap(),
            strs(&["a", "", "b"])
        );
        assert_eq!(run("split", vec![s(","), s("")]).unwrap(), strs(&[""]));
        assert_eq!(
            run("split", vec![s(""), s("ab")]).unwrap(),
            strs(&["a", "b"])
        );
    }

    #[test]
    fn strrev_reverses_characters_keeping_combining_marks_attached() {
        assert_eq!(run("strrev", vec![s("hello")]).unwrap(), s("olleh"));
        assert_eq!(
            run("strrev", vec![s("ae\u{301}z")]).unwrap(),
            s("ze\u{301}a")
        );
        assert_eq!(run("strrev", vec![s("a😀b")]).unwrap(), s("b😀a"));
    }

    #[test]
    fn substr_counts_unicode_characters() {
        assert_eq!(
            run("substr", vec![s("hello world"), n(1), n(4)]).unwrap(),
            s("ello")
        );
        assert_eq!(run("substr", vec![s("🤔🤷"), n(0), n(1)]).unwrap(), s("🤔"));
        assert_eq!(
            run("substr", vec![s("héllo"), n(1), n(2)]).unwrap(),
            s("él")
        );
    }

    #[test]
    fn substr_with_a_negative_offset_counts_from_the_end() {
        assert_eq!(
            run("substr", vec![s("hello world"), n(-5), n(3)]).unwrap(),
            s("wor")
        );
        assert_eq!(
            run("substr", vec![s("hello"), n(-10), n(2)]).unwrap(),
            s("he")
        );
        // go-cty's quirk: a length of 0 after a negative offset takes the rest.
        assert_eq!(
            run("substr", vec![s("hello"), n(-3), n(0)]).unwrap(),
            s("llo")
        );
    }

    #[test]
    fn substr_with_length_minus_one_takes_the_rest() {
        assert_eq!(
            run("substr", vec![s("hello world"), n(6), n(-1)]).unwrap(),
            s("world")
        );
    }

    #[test]
    fn substr_beyond_the_end_is_empty() {
        assert_eq!(run("substr", vec![s("abc"), n(3), n(2)]).unwrap(), s(""));
        assert_eq!(run("substr", vec![s("abc"), n(10), n(2)]).unwrap(), s(""));
        assert_eq!(run("substr", vec![s("abc"), n(1), n(0)]).unwrap(), s(""));
        assert_eq!(run("substr", vec![s("abc"), n(1), n(10)]).unwrap(), s("bc"));
    }

    #[test]
    fn trim_functions_remove_what_they_promise() {
        assert_eq!(
            run("trim", vec![s("?!hello?!"), s("!?")]).unwrap(),
            s("hello")
        );
        assert_eq!(
            run("trimprefix", vec![s("helloworld"), s("hello")]).unwrap(),
            s("world")
        );
        assert_eq!(
            run("trimprefix", vec![s("helloworld"), s("x")]).unwrap(),
            s("helloworld")
        );
        assert_eq!(
            run("trimsuffix", vec![s("helloworld"), s("world")]).unwrap(),
            s("hello")
        );
        assert_eq!(
            run("trimspace", vec![s(" \t\n hello\u{a0}\n")]).unwrap(),
            s("hello")
        );
    }

    #[test]
    fn startswith_endswith_and_strcontains_answer_booleans() {
        assert_eq!(
            run("startswith", vec![s("hello"), s("he")]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            run("endswith", vec![s("hello"), s("he")]).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            run("strcontains", vec![s("hello"), s("ll")]).unwrap(),
            Value::Bool(true)
        );
    }

    #[test]
    fn startswith_an_empty_prefix_is_true_even_for_an_unknown_string() {
        assert_eq!(
            run("startswith", vec![Value::Unknown(Type::String), s("")]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            run("startswith", vec![Value::Unknown(Type::String), s("a")]).unwrap(),
            Value::Unknown(Type::Bool)
        );
    }

    #[test]
    fn sensitive_arguments_make_sensitive_results() {
        let got = run("upper", vec![s("secret").mark_sensitive()]).unwrap();
        assert_eq!(got, s("SECRET").mark_sensitive());
    }

    #[test]
    fn unknown_arguments_give_unknown_results() {
        assert_eq!(
            run("upper", vec![Value::Unknown(Type::String)]).unwrap(),
            Value::Unknown(Type::String)
        );
    }

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(
            super::go_quote("a\"b\\c\nd\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\x01é\""
        );
        assert_eq!(super::go_quote_rune('!'), "'!'");
        assert_eq!(super::go_quote_rune('\''), "'\\''");
    }
}
