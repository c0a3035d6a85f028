//! A small JSON parser that keeps the byte range of every value and property name, so that
//! diagnostics about `.tf.json` files can point at the exact place in the file.
//!
//! It stops at the first syntax error, as Terraform does, and reports it with Terraform's
//! wording. It never panics, whatever the input.

use std::ops::Range;

/// Objects and arrays nested deeper than this are rejected (it keeps recursion bounded).
pub(super) const MAX_DEPTH: usize = 128;

#[derive(Debug)]
pub(super) struct Value {
    pub kind: Kind,
    pub span: Range<usize>,
}

#[derive(Debug)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    /// The number's literal text is the value's span in the source.
    Number,
    String(Str),
    Array(Vec<Value>),
    Object(Vec<Property>),
}

/// A decoded string, and where its bytes came from.
#[derive(Debug)]
pub(super) struct Str {
    pub value: String,
    /// The source range between the quotes.
    pub content: Range<usize>,
    /// For strings with escape sequences: the source offset of each decoded byte, plus one
    /// final entry for the end of the content. `None` when decoded bytes map one to one.
    pub offsets: Option<Vec<usize>>,
}

impl Str {
    /// The source offset of a byte offset into the decoded value (clamped to the string).
    pub fn source_offset(&self, decoded: usize) -> usize {
        match &self.offsets {
            Some(map) => map
                .get(decoded)
                .or(map.last())
                .copied()
                .unwrap_or(self.content.end),
            None => (self.content.start + decoded).min(self.content.end),
        }
    }
}

#[derive(Debug)]
pub(super) struct Property {
    pub name: Str,
    /// The name's span, quotes included.
    pub name_span: Range<usize>,
    pub value: Value,
}

/// A syntax error, in Terraform's words.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub summary: &'static str,
    pub detail: String,
    pub at: Range<usize>,
    pub hint: Option<&'static str>,
}

fn err(summary: &'static str, detail: impl Into<String>, at: Range<usize>) -> SyntaxError {
    SyntaxError {
        summary,
        detail: detail.into(),
        at,
        hint: None,
    }
}

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a whole JSON document.
pub(super) fn parse(text: &str) -> Result<Value> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    // A byte order mark is tolerated: editors on Windows like to add one.
    if text.starts_with('\u{feff}') {
        p.pos = '\u{feff}'.len_utf8();
    }
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(err(
            "Extraneous data after value",
            "Extra characters appear after the JSON value.",
            p.char_at(p.pos),
        ));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The range of the (whole UTF-8) character at `at`, or an empty range at the end.
    fn char_at(&self, at: usize) -> Range<usize> {
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        at..at + len
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        self.skip_ws();
        let start = self.pos;
        let Some(b) = self.peek() else {
            return Err(err(
                "Missing value",
                "The JSON data ends prematurely.",
                start..start,
            ));
        };
        match b {
            b'{' | b'[' if depth >= MAX_DEPTH => Err(err(
                "Too deeply nested",
                format!("JSON objects and arrays may be nested at most {MAX_DEPTH} levels deep."),
                start..start + 1,
            )),
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let s = self.string()?;
                Ok(Value {
                    kind: Kind::String(s),
                    span: start..self.pos,
                })
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' => self.number(),
            b'a'..=b'z' | b'A'..=b'Z' => self.keyword(),
            b'}' => Err(err(
                "Missing JSON value",
                "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
                start..start + 1,
            )),
            b']' => Err(err(
                "Missing array element value",
                "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
                start..start + 1,
            )),
            _ => {
                let mut e = err(
                    "Invalid start of value",
                    "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
                    self.char_at(start),
                );
                if b == b'/' || b == b'#' {
                    e.hint = Some("JSON has no comments; use a property named \"//\" instead.");
                } else if b == b'\'' {
                    e.hint = Some("JSON strings are written between double quotes.");
                }
                Err(e)
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        let open = self.pos;
        self.pos += 1;
        let mut props = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value {
                kind: Kind::Object(props),
                span: open..self.pos,
            });
        }
        loop {
            self.skip_ws();
            let name_start = self.pos;
            let name = match self.peek() {
                Some(b'"') => self.string()?,
                None => return Err(unclosed_object(open)),
                Some(b'}') => {
                    return Err(err(
                        "Missing JSON value",
                        "A property name is expected after a comma.",
                        name_start..name_start + 1,
                    ));
                }
                Some(b) => {
                    let span =
                        if b.is_ascii_alphabetic() || b == b'_' {
                            // An unquoted name, as in native syntax: point at all of it.
                            let mut end = name_start;
                            while self.bytes.get(end).is_some_and(|c| {
                                c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-')
                            }) {
                                end += 1;
                            }
                            name_start..end
                        } else {
                            self.value(depth + 1)?.span
                        };
                    let mut e = err(
                        "Invalid object property name",
                        "A JSON object property name must be a string.",
                        span,
                    );
                    e.hint = Some("Put the property name between double quotes.");
                    return Err(e);
                }
            };
            let name_span = name_start..self.pos;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(b'=') => {
                    return Err(err(
                        "Missing property value colon",
                        "JSON uses a colon as its name/value delimiter, not an equals sign.",
                        self.pos..self.pos + 1,
                    ));
                }
                Some(b'}' | b',') => {
                    return Err(err(
                        "Missing object value",
                        "A JSON object attribute must have a value, introduced by a colon.",
                        self.pos..self.pos + 1,
                    ));
                }
                None => return Err(unclosed_object(open)),
                Some(_) => {
                    return Err(err(
                        "Missing property value colon",
                        "A colon must appear between an object property's name and its value.",
                        self.char_at(self.pos),
                    ));
                }
            }
            let value = self.value(depth + 1)?;
            props.push(Property {
                name,
                name_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        return Err(err(
                            "Trailing comma in object",
                            "JSON does not permit a trailing comma after the final property in an object.",
                            comma..comma + 1,
                        ));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value {
                        kind: Kind::Object(props),
                        span: open..self.pos,
                    });
                }
                Some(b']') => {
                    return Err(err(
                        "Mismatched braces",
                        "A JSON object must be closed with a brace, not a bracket.",
                        self.pos..self.pos + 1,
                    ));
                }
                None => return Err(unclosed_object(open)),
                Some(_) => {
                    return Err(err(
                        "Missing property separator comma",
                        "A comma must appear between each property definition in an object.",
                        self.char_at(self.pos),
                    ));
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value {
                kind: Kind::Array(items),
                span: open..self.pos,
            });
        }
        loop {
            self.skip_ws();
            if self.peek().is_none() {
                return Err(unclosed_array(open));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        return Err(err(
                            "Trailing comma in array",
                            "JSON does not permit a trailing comma after the final value in an array.",
                            comma..comma + 1,
                        ));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value {
                        kind: Kind::Array(items),
                        span: open..self.pos,
                    });
                }
                Some(b':') => {
                    return Err(err(
                        "Invalid array value",
                        "A colon is not used to introduce values in a JSON array.",
                        self.pos..self.pos + 1,
                    ));
                }
                Some(b'}') => {
                    return Err(err(
                        "Mismatched brackets",
                        "A JSON array must be closed with a bracket, not a brace.",
                        self.pos..self.pos + 1,
                    ));
                }
                None => return Err(unclosed_array(open)),
                Some(_) => {
                    return Err(err(
                        "Missing array separator comma",
                        "A comma must appear between each value in an array.",
                        self.char_at(self.pos),
                    ));
                }
            }
        }
    }

    /// A number: the token is scanned leniently, then checked against JSON's grammar.
    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let span = start..self.pos;
        let text = self.text.get(span.clone()).unwrap_or("");
        if let Err(problem) = check_number(text) {
            return Err(err(
                "Invalid JSON number",
                format!("There is a syntax error in the given JSON number: {problem}."),
                span,
            ));
        }
        Ok(Value {
            kind: Kind::Number,
            span,
        })
    }

    fn keyword(&mut self) -> Result<Value> {
        let start = self.pos;
        while let Some(b'a'..=b'z' | b'A'..=b'Z' | b'_') = self.peek() {
            self.pos += 1;
        }
        let span = start..self.pos;
        let word = self.text.get(span.clone()).unwrap_or("");
        let kind = match word {
            "true" => Kind::Bool(true),
            "false" => Kind::Bool(false),
            "null" => Kind::Null,
            "undefined" | "NaN" | "Infinity" => {
                return Err(err(
                    "Invalid JSON keyword",
                    format!("The JavaScript identifier {word:?} cannot be used in JSON."),
                    span,
                ));
            }
            _ => {
                let lower = word.to_ascii_lowercase();
                let mut detail = format!("{word:?} is not a valid JSON keyword.");
                if let Some(s) = ["true", "false", "null"].into_iter().find(|k| *k == lower) {
                    detail.push_str(&format!(" Did you mean {s:?}?"));
                }
                return Err(err("Invalid JSON keyword", detail, span));
            }
        };
        Ok(Value { kind, span })
    }

    /// A string starting at the current `"`; leaves the position after the closing quote.
    fn string(&mut self) -> Result<Str> {
        let open = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        let mut value = String::new();
        let mut offsets: Option<Vec<usize>> = None;
        let mut run_start = self.pos;
        loop {
            let Some(b) = self.peek() else {
                return Err(err(
                    "Invalid JSON string",
                    "This string has no closing quote before the end of the file.",
                    open..open + 1,
                ));
            };
            match b {
                b'"' | b'\\' => {
                    let run = self.text.get(run_start..self.pos).unwrap_or("");
                    if let Some(map) = &mut offsets {
                        map.extend(run_start..self.pos);
                    }
                    value.push_str(run);
                    if b == b'"' {
                        let content = content_start..self.pos;
                        self.pos += 1;
                        if let Some(map) = &mut offsets {
                            map.push(content.end);
                        }
                        return Ok(Str {
                            value,
                            content,
                            offsets,
                        });
                    }
                    let escape_start = self.pos;
                    let c = self.escape()?;
                    let map =
                        offsets.get_or_insert_with(|| (content_start..escape_start).collect());
                    map.extend(std::iter::repeat_n(escape_start, c.len_utf8()));
                    value.push(c);
                    run_start = self.pos;
                }
                0x00..=0x1f => {
                    let detail = if b == b'\n' || b == b'\r' {
                        "A JSON string cannot contain a line break: write it as \\n, or close the string with a quote."
                    } else {
                        "Control characters must be escaped in a JSON string (for example as \\t or \\u0000)."
                    };
                    return Err(err("Invalid JSON string", detail, self.pos..self.pos + 1));
                }
                _ => self.pos += 1,
            }
        }
    }

    /// An escape sequence at the current backslash. Lone UTF-16 surrogates become U+FFFD, as in
    /// Terraform (Go's JSON decoder).
    fn escape(&mut self) -> Result<char> {
        let start = self.pos;
        let Some(&b) = self.bytes.get(start + 1) else {
            return Err(err(
                "Invalid JSON string",
                "This string has no closing quote before the end of the file.",
                start..start + 1,
            ));
        };
        let simple = match b {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            self.pos += 2;
            return Ok(c);
        }
        if b != b'u' {
            let at = start..self.char_at(start + 1).end.max(start + 2);
            let shown = self.text.get(at.clone()).unwrap_or("\\");
            return Err(err(
                "Invalid JSON string",
                format!(
                    "{shown} is not a valid escape sequence. JSON strings allow \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t and \\uXXXX."
                ),
                at,
            ));
        }
        let unit = self.hex4(start)?;
        self.pos = start + 6;
        let second = self.pos;
        if (0xD800..0xDC00).contains(&unit)
            && self.bytes.get(second..second + 2) == Some(b"\\u")
            && let Ok(low) = self.hex4(second)
            && (0xDC00..0xE000).contains(&low)
        {
            self.pos = second + 6;
            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
        }
        Ok(char::from_u32(unit).unwrap_or('\u{fffd}'))
    }

    /// The four hex digits of the `\u` escape starting at `start`.
    fn hex4(&self, start: usize) -> Result<u32> {
        let digits = self.bytes.get(start + 2..start + 6);
        let parsed = digits
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        parsed.ok_or_else(|| {
            let end = (start + 2..(start + 6).min(self.bytes.len()))
                .find(|&i| !self.bytes.get(i).is_some_and(u8::is_ascii_hexdigit))
                .map_or((start + 6).min(self.bytes.len()), |i| self.char_at(i).end);
            err(
                "Invalid JSON string",
                "A \\u escape sequence must be followed by exactly four hexadecimal digits.",
                start..end.max(start + 2),
            )
        })
    }
}

fn unclosed_object(open: usize) -> SyntaxError {
    err(
        "Unclosed object",
        "No closing brace was found for this JSON object.",
        open..open + 1,
    )
}

fn unclosed_array(open: usize) -> SyntaxError {
    err(
        "Unclosed array",
        "No closing bracket was found for this JSON array.",
        open..open + 1,
    )
}

/// Checks a number token against JSON's grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
fn check_number(text: &str) -> std::result::Result<(), &'static str> {
    let b = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.first() == Some(&b'+') {
        return Err("a leading plus sign is not allowed");
    }
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => {
            i += 1;
            if b.get(i).is_some_and(u8::is_ascii_digit) {
                return Err("leading zeros are not allowed");
            }
        }
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        Some(b'.') => return Err("a digit is required before the decimal point"),
        _ => return Err("a digit is required"),
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return Err("a digit is required after the decimal point");
        }
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return Err("the exponent needs at least one digit");
        }
    }
    if i != b.len() {
        return Err("unexpected characters after the number");
    }
    Ok(())
}
