//! Encoding functions: `base64encode`, `base64decode`, `textencodebase64`, `textdecodebase64`,
//! `jsonencode`, `jsondecode`, `yamlencode`, `yamldecode`, `csvdecode` and `urlencode`.
//!
//! Output is byte-for-byte what Terraform produces: JSON as Go's `encoding/json` writes it
//! (compact, HTML-unsafe characters escaped), YAML as go-yaml's emitter writes it.

mod yaml;

use super::strings::go_quote;
use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret, string_arg};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use terrane_types::{Number, Type, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("base64decode", &["str"], Ret::String, base64decode)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("base64encode", &["str"], Ret::String, base64encode),
    FuncDef::new("csvdecode", &["str"], Ret::Dynamic, csvdecode),
    FuncDef::new("jsondecode", &["str"], Ret::Dynamic, jsondecode),
    FuncDef::new("jsonencode", &["val"], Ret::String, jsonencode).allow_null(),
    FuncDef::new(
        "textdecodebase64",
        &["source", "encoding"],
        Ret::String,
        textdecodebase64,
    ),
    FuncDef::new(
        "textencodebase64",
        &["string", "encoding"],
        Ret::String,
        textencodebase64,
    ),
    FuncDef::new("urlencode", &["str"], Ret::String, urlencode),
    FuncDef::new("yamldecode", &["src"], Ret::Dynamic, yaml::yamldecode),
    FuncDef::new("yamlencode", &["value"], Ret::String, yaml::yamlencode).allow_null(),
];

/// Go's `base64.StdEncoding` when decoding: padding required, stray bits tolerated.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Decodes as Go does, which also skips line breaks in the input.
fn go_base64_decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    if s.contains(['\r', '\n']) {
        let cleaned: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        GO_STD.decode(cleaned)
    } else {
        GO_STD.decode(s)
    }
}

fn base64encode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    Ok(Value::String(GO_STD.encode(s.as_bytes())))
}

fn base64decode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let sensitive = args[0].contains_sensitive();
    if !args[0].is_known() {
        return Ok(Value::Unknown(Type::String).with_mark(sensitive));
    }
    let s = string_arg(args, 0)?;
    let shown = if sensitive {
        "(sensitive value)".to_owned()
    } else {
        go_quote(&s)
    };
    let bytes = go_base64_decode(&s)
        .map_err(|_| FuncError::call(format!("failed to decode base64 data {shown}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        FuncError::call("the result of decoding the provided string is not valid UTF-8")
    })?;
    Ok(Value::String(text).with_mark(sensitive))
}

/// The text encodings `textencodebase64` and `textdecodebase64` know, by IANA name or alias.
#[derive(Clone, Copy, PartialEq)]
enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf16Bom,
    Latin1,
    Windows1252,
}

impl TextEncoding {
    fn lookup(name: &str) -> Option<TextEncoding> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "utf-8" | "csutf8" => TextEncoding::Utf8,
            "utf-16le" | "csutf16le" => TextEncoding::Utf16Le,
            "utf-16be" | "csutf16be" => TextEncoding::Utf16Be,
            "utf-16" | "csutf16" => TextEncoding::Utf16Bom,
            "iso-8859-1" | "iso_8859-1:1987" | "iso-ir-100" | "iso_8859-1" | "latin1" | "l1"
            | "ibm819" | "cp819" | "csisolatin1" => TextEncoding::Latin1,
            "windows-1252" | "cswindows1252" => TextEncoding::Windows1252,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Utf16Bom => "UTF-16",
            TextEncoding::Latin1 => "ISO-8859-1",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// The characters windows-1252 puts at 0x80..0xA0 (the C1 controls where it defines none).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn encoding_arg(args: &[Value]) -> Result<TextEncoding, FuncError> {
    let name = string_arg(args, 1)?;
    TextEncoding::lookup(&name).ok_or_else(|| {
        FuncError::arg(
            1,
            format!(
                "{} is not a supported IANA encoding name or alias in this Terraform version",
                go_quote(&name)
            ),
        )
    })
}

fn textencodebase64(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let enc = encoding_arg(args)?;
    let unrepresentable = || {
        FuncError::arg(
            0,
            format!(
                "the given string contains characters that cannot be represented in {}",
                enc.name()
            ),
        )
    };
    let bytes: Vec<u8> = match enc {
        TextEncoding::Utf8 => s.into_bytes(),
        TextEncoding::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        TextEncoding::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        TextEncoding::Utf16Bom => [0xFEFF_u16]
            .into_iter()
            .chain(s.encode_utf16())
            .flat_map(u16::to_be_bytes)
            .collect(),
        TextEncoding::Latin1 => s
            .chars()
            .map(|c| u8::try_from(u32::from(c)).map_err(|_| unrepresentable()))
            .collect::<Result<_, _>>()?,
        TextEncoding::Windows1252 => s
            .chars()
            .map(|c| {
                if let Some(i) = CP1252_HIGH.iter().position(|h| *h == c) {
                    return u8::try_from(0x80 + i).map_err(|_| unrepresentable());
                }
                match u32::from(c) {
                    u @ (0..=0x7F | 0xA0..=0xFF) => u8::try_from(u).map_err(|_| unrepresentable()),
                    _ => Err(unrepresentable()),
                }
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Value::String(GO_STD.encode(bytes)))
}

fn textdecodebase64(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let enc = encoding_arg(args)?;
    let bytes = go_base64_decode(&s).map_err(|e| match e {
        base64::DecodeError::InvalidByte(offset, _)
        | base64::DecodeError::InvalidLastSymbol(offset, _) => FuncError::arg(
            0,
            format!("the given value has an invalid base64 symbol at offset {offset}"),
        ),
        other => FuncError::arg(0, format!("invalid source string: {other}")),
    })?;
    let utf16 = |big_endian: bool, data: &[u8]| {
        let units: Vec<u16> = data
            .chunks(2)
            .map(|c| match (c, big_endian) {
                ([a, b], true) => u16::from_be_bytes([*a, *b]),
                ([a, b], false) => u16::from_le_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    let text = match enc {
        TextEncoding::Utf8 => String::from_utf8_lossy(&bytes).into_owned(),
        TextEncoding::Utf16Le => utf16(false, &bytes),
        TextEncoding::Utf16Be => utf16(true, &bytes),
        TextEncoding::Utf16Bom => match bytes.as_slice() {
            [0xFF, 0xFE, rest @ ..] => utf16(false, rest),
            [0xFE, 0xFF, rest @ ..] => utf16(true, rest),
            rest => utf16(true, rest),
        },
        TextEncoding::Latin1 => bytes.iter().map(|b| char::from(*b)).collect(),
        TextEncoding::Windows1252 => bytes
            .iter()
            .map(|b| match b {
                0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(*b),
            })
            .collect(),
    };
    if text.contains('\u{FFFD}') {
        return Err(FuncError::arg(
            0,
            format!(
                "the given string contains symbols that are not defined for {}",
                enc.name()
            ),
        ));
    }
    Ok(Value::String(text))
}

/// Go's `url.QueryEscape`.
fn urlencode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

fn jsonencode(args: &[Value], _: &FuncCtx) -> FuncResult {
    json_encode(&args[0])
        .map(Value::String)
        .ok_or_else(|| FuncError::arg(0, "value is not known"))
}

/// JSON text of a value as Terraform writes it; `None` if some part is unknown.
pub(super) fn json_encode(v: &Value) -> Option<String> {
    let mut out = String::new();
    write_json(v, &mut out)?;
    Some(out)
}

fn write_json(v: &Value, out: &mut String) -> Option<()> {
    match v {
        Value::Null(_) => out.push_str("null"),
        Value::Unknown(_) => return None,
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => json_quote(s, out),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Value::Map(items) | Value::Object(items) => {
            out.push('{');
            for (i, (k, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_quote(k, out);
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
        Value::Sensitive(inner) => write_json(inner, out)?,
    }
    Some(())
}

/// A JSON string literal as Go's `encoding/json` writes it, with `<`, `>` and `&` escaped.
pub(super) fn json_quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0C' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn jsondecode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let json: serde_json::Value =
        serde_json::from_str(&s).map_err(|e| FuncError::call(json_error(&s, &e)))?;
    Ok(Value::from_json(&json))
}

/// The message Go's JSON decoder gives for the problem serde_json found.
fn json_error(src: &str, e: &serde_json::Error) -> String {
    if src.trim().is_empty() {
        return "EOF".into();
    }
    if e.is_eof() {
        return "unexpected EOF".into();
    }
    let text = e.to_string();
    let detail = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(d, _)| d);
    let found = src
        .lines()
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.get(e.column().saturating_sub(1)..))
        .and_then(|rest| rest.chars().next());
    let invalid = |context: &str| match found {
        Some(c) => format!(
            "invalid character {} {context}",
            super::strings::go_quote_rune(c)
        ),
        None => detail.to_owned(),
    };
    match detail {
        "trailing characters" => "extraneous data after JSON object".into(),
        "expected value" | "expected ident" | "invalid number" => {
            invalid("looking for beginning of value")
        }
        "expected `:`" => invalid("after object key"),
        "expected `,` or `]`" => invalid("after array element"),
        "expected `,` or `}`" => invalid("after object key:value pair"),
        "key must be a string" => invalid("looking for beginning of object key string"),
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            invalid("in string literal")
        }
        other => other.to_owned(),
    }
}

/// `csvdecode`: RFC 4180 CSV whose first line names the columns, as a list of objects.
fn csvdecode(args: &[Value], _: &FuncCtx) -> FuncResult {
    let s = string_arg(args, 0)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(s.as_bytes());
    let mut records = reader.records();
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, csv::Position::line);
        FuncError::call(format!("CSV parse error on line {line}: {e}"))
    };
    let headers: Vec<String> = match records.next() {
        None => return Err(FuncError::call("missing header line")),
        Some(Err(e)) => return Err(csv_error(e)),
        Some(Ok(rec)) => rec.iter().map(str::to_owned).collect(),
    };
    for (i, name) in headers.iter().enumerate() {
        if headers[..i].contains(name) {
            return Err(FuncError::call(format!(
                "duplicate column name {}",
                go_quote(name)
            )));
        }
    }
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(csv_error)?;
        if rec.len() != headers.len() {
            let line = rec.position().map_or(0, csv::Position::line);
            return Err(FuncError::call(format!(
                "CSV parse error on line {line}: wrong number of fields"
            )));
        }
        rows.push(Value::object(
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.clone(), Value::string(v))),
        ));
    }
    Ok(Value::List(rows))
}

/// A number from YAML or CSV text, exactly.
fn parse_number(text: &str) -> Option<Number> {
    Number::parse(text)
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{message, num, run, s};
    use terrane_types::{Type, Value};

    #[test]
    fn base64_round_trips_text() {
        let enc = run("base64encode", vec![s("Hello World")]).unwrap();
        assert_eq!(enc, s("SGVsbG8gV29ybGQ="));
        assert_eq!(run("base64decode", vec![enc]).unwrap(), s("Hello World"));
    }

    #[test]
    fn base64decode_rejects_invalid_input_quoting_it() {
        let e = run("base64decode", vec![s("dGVzdA")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("failed to decode base64 data \"dGVzdA\"")
        );
    }

    #[test]
    fn base64decode_redacts_sensitive_input_in_errors_and_keeps_the_mark() {
        let e = run("base64decode", vec![s("!!").mark_sensitive()]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("failed to decode base64 data (sensitive value)")
        );
        let got = run("base64decode", vec![s("YQ==").mark_sensitive()]).unwrap();
        assert_eq!(got, s("a").mark_sensitive());
        let got = run(
            "base64decode",
            vec![Value::Unknown(Type::String).mark_sensitive()],
        )
        .unwrap();
        assert_eq!(got, Value::Unknown(Type::String).mark_sensitive());
    }

    #[test]
    fn base64decode_refuses_results_that_are_not_utf8() {
        let e = run("base64decode", vec![s("/w==")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("the result of decoding the provided string is not valid UTF-8")
        );
    }

    #[test]
    fn textencodebase64_encodes_in_the_named_encoding() {
        assert_eq!(
            run("textencodebase64", vec![s("Hello World"), s("UTF-16LE")]).unwrap(),
            s("SABlAGwAbABvACAAVwBvAHIAbABkAA==")
        );
        assert_eq!(
            run(
                "textdecodebase64",
                vec![s("SABlAGwAbABvACAAVwBvAHIAbABkAA=="), s("utf-16le")]
            )
            .unwrap(),
            s("Hello World")
        );
        assert_eq!(
            run("textencodebase64", vec![s("é€"), s("windows-1252")]).unwrap(),
            s("6YA=")
        );
    }

    #[test]
    fn text_encoding_errors_name_the_problem() {
        let e = run("textencodebase64", vec![s("x"), s("EBCDIC-X")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(
                1,
                "\"EBCDIC-X\" is not a supported IANA encoding name or alias in this Terraform version"
            )
        );
        let e = run("textencodebase64", vec![s("€"), s("latin1")]).unwrap_err();
        assert_eq!(
            message(e),
            "the given string contains characters that cannot be represented in ISO-8859-1"
        );
        let e = run("textdecodebase64", vec![s("a$b="), s("UTF-8")]).unwrap_err();
        assert_eq!(
            message(e),
            "the given value has an invalid base64 symbol at offset 1"
        );
        let e = run("textdecodebase64", vec![s("/w=="), s("UTF-8")]).unwrap_err();
        assert_eq!(
            message(e),
            "the given string contains symbols that are not defined for UTF-8"
        );
    }

    #[test]
    fn urlencode_escapes_like_go_query_escape() {
        assert_eq!(
            run("urlencode", vec![s("Hello World!/ü~")]).unwrap(),
            s("Hello+World%21%2F%C3%BC~")
        );
    }

    #[test]
    fn jsonencode_is_compact_sorted_and_escapes_html() {
        let v = Value::object([
            (
                "b",
                Value::List(vec![num("1"), num("2.5"), Value::Bool(true)]),
            ),
            ("a", s("<&>\n\u{1}")),
            ("c", Value::Null(Type::String)),
        ]);
        assert_eq!(
            run("jsonencode", vec![v]).unwrap(),
            s(r#"{"a":"\u003c\u0026\u003e\n\u0001","b":[1,2.5,true],"c":null}"#)
        );
    }

    #[test]
    fn jsonencode_of_null_is_null_and_big_numbers_stay_exact() {
        assert_eq!(run("jsonencode", vec![Value::null()]).unwrap(), s("null"));
        assert_eq!(
            run("jsonencode", vec![num("123456789012345678901234567890")]).unwrap(),
            s("123456789012345678901234567890")
        );
    }

    #[test]
    fn jsonencode_of_partly_unknown_values_is_unknown_and_sensitive_stays_sensitive() {
        let v = Value::List(vec![Value::Unknown(Type::String)]);
        assert_eq!(
            run("jsonencode", vec![v]).unwrap(),
            Value::Unknown(Type::String)
        );
        let v = Value::object([("p", s("x").mark_sensitive())]);
        assert_eq!(
            run("jsonencode", vec![v]).unwrap(),
            s(r#"{"p":"x"}"#).mark_sensitive()
        );
    }

    #[test]
    fn jsondecode_builds_objects_and_tuples() {
        let got = run(
            "jsondecode",
            vec![s(r#"{"hello": "world", "l": [1, true, null]}"#)],
        )
        .unwrap();
        assert_eq!(
            got,
            Value::object([
                ("hello", s("world")),
                (
                    "l",
                    Value::Tuple(vec![num("1"), Value::Bool(true), Value::null()])
                ),
            ])
        );
    }

    #[test]
    fn jsondecode_errors_read_like_go() {
        let e = |src: &str| message(run("jsondecode", vec![s(src)]).unwrap_err());
        assert_eq!(e(""), "EOF");
        assert_eq!(e("{"), "unexpected EOF");
        assert_eq!(
            e("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(e("[1 2]"), "invalid character '2' after array element");
        assert_eq!(e("{} x"), "extraneous data after JSON object");
    }

    #[test]
    fn csvdecode_uses_the_first_line_as_header() {
        let got = run("csvdecode", vec![s("a,b\n1,\"x,y\"\n3,4\n")]).unwrap();
        assert_eq!(
            got,
            Value::List(vec![
                Value::object([("a", s("1")), ("b", s("x,y"))]),
                Value::object([("a", s("3")), ("b", s("4"))]),
            ])
        );
        assert_eq!(
            run("csvdecode", vec![s("a,b\n")]).unwrap(),
            Value::List(vec![])
        );
    }

    #[test]
    fn csvdecode_rejects_ragged_rows_missing_headers_and_duplicate_columns() {
        let e = run("csvdecode", vec![s("a,b\n1,2\n3\n")]).unwrap_err();
        assert_eq!(
            message(e),
            "CSV parse error on line 3: wrong number of fields"
        );
        let e = run("csvdecode", vec![s("")]).unwrap_err();
        assert_eq!(message(e), "missing header line");
        let e = run("csvdecode", vec![s("a,a\n1,2\n")]).unwrap_err();
        assert_eq!(message(e), "duplicate column name \"a\"");
    }
}
