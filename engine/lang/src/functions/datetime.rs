//! Date and time functions: `timestamp`, `formatdate`, `timeadd` and `timecmp`.
//!
//! Timestamps are RFC 3339. Parsing reproduces Go's `time.Parse` with the RFC 3339 layout
//! (including which part of the input it blames) so that the error messages match Terraform's;
//! `formatdate` and `timeadd` are strict like go-cty, `timecmp` accepts what Go accepts.

use super::strings::go_quote;
use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret, string_arg};
use terrane_types::Value;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("formatdate", &["format", "time"], Ret::String, formatdate),
    FuncDef::new("timeadd", &["timestamp", "duration"], Ret::String, timeadd),
    FuncDef::new(
        "timecmp",
        &["timestamp_a", "timestamp_b"],
        Ret::Number,
        timecmp,
    ),
    FuncDef::new("timestamp", &[], Ret::String, timestamp),
];

/// Go's `time.ParseError`, as far as the messages need it.
struct ParseError {
    layout_elem: String,
    value_elem: String,
    message: String,
}

impl ParseError {
    fn new(layout_elem: &str, value_elem: &str, message: &str) -> ParseError {
        ParseError {
            layout_elem: layout_elem.into(),
            value_elem: value_elem.into(),
            message: message.into(),
        }
    }
}

struct Fields {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    offset: i32,
}

fn two_digits(s: &str, fixed: bool) -> Option<(u8, &str)> {
    let b = s.as_bytes();
    let d0 = b.first().filter(|c| c.is_ascii_digit())?;
    match b.get(1).filter(|c| c.is_ascii_digit()) {
        Some(d1) => Some(((d0 - b'0') * 10 + (d1 - b'0'), &s[2..])),
        None if fixed => None,
        None => Some((d0 - b'0', &s[1..])),
    }
}

fn days_in(month: u8, year: i32) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's `time.Parse(time.RFC3339, value)`, lenient where Go is lenient.
fn go_parse(value: &str) -> Result<Fields, ParseError> {
    let mut v = value;
    let skip = |v: &mut &str, prefix: &str| -> Result<(), ParseError> {
        match v.strip_prefix(prefix) {
            Some(rest) => {
                *v = rest;
                Ok(())
            }
            None => Err(ParseError::new(prefix, v, "")),
        }
    };
    let bad = |elem: &str, hold: &str| ParseError::new(elem, hold, "");
    let range = |elem: &str, rest: &str, what: &str| {
        ParseError::new(elem, rest, &format!(": {what} out of range"))
    };

    let hold = v;
    let year = match v.get(..4) {
        Some(y) if v.as_bytes()[0].is_ascii_digit() => {
            y.parse::<i32>().map_err(|_| bad("2006", hold))?
        }
        _ => return Err(bad("2006", hold)),
    };
    v = &v[4..];
    skip(&mut v, "-")?;
    let hold = v;
    let (month, rest) = two_digits(v, true).ok_or_else(|| bad("01", hold))?;
    v = rest;
    if !(1..=12).contains(&month) {
        return Err(range("01", v, "month"));
    }
    skip(&mut v, "-")?;
    let hold = v;
    let (day, rest) = two_digits(v, true).ok_or_else(|| bad("02", hold))?;
    v = rest;
    skip(&mut v, "T")?;
    let hold = v;
    let (hour, rest) = two_digits(v, false).ok_or_else(|| bad("15", hold))?;
    v = rest;
    if hour >= 24 {
        return Err(range("15", v, "hour"));
    }
    skip(&mut v, ":")?;
    let hold = v;
    let (minute, rest) = two_digits(v, true).ok_or_else(|| bad("04", hold))?;
    v = rest;
    if minute >= 60 {
        return Err(range("04", v, "minute"));
    }
    skip(&mut v, ":")?;
    let hold = v;
    let (second, rest) = two_digits(v, true).ok_or_else(|| bad("05", hold))?;
    v = rest;
    if second >= 60 {
        return Err(range("05", v, "second"));
    }
    let mut nanos = 0;
    let b = v.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'.' | b',') && b[1].is_ascii_digit() {
        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let digits = &v[1..n.min(10)];
        let scale = 10 - n.min(10);
        nanos = digits.parse::<u32>().unwrap_or(0) * 10u32.pow(u32::try_from(scale).unwrap_or(0));
        v = &v[n..];
    }
    let hold = v;
    let offset = if let Some(rest) = v.strip_prefix('Z') {
        v = rest;
        0
    } else {
        let b = v.as_bytes();
        if b.len() < 6 || b[3] != b':' {
            return Err(bad("Z07:00", hold));
        }
        let field = |r: std::ops::Range<usize>| {
            v.get(r)
                .and_then(|f| two_digits(f, true))
                .map(|(n, _)| n)
                .ok_or_else(|| bad("Z07:00", hold))
        };
        let (hr, mm) = (field(1..3)?, field(4..6)?);
        let sign = match b[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(bad("Z07:00", hold)),
        };
        v = v.get(6..).ok_or_else(|| bad("Z07:00", hold))?;
        if hr > 24 {
            return Err(range("Z07:00", v, "time zone offset hour"));
        }
        if mm > 60 {
            return Err(range("Z07:00", v, "time zone offset minute"));
        }
        sign * (i32::from(hr) * 3600 + i32::from(mm) * 60)
    };
    if !v.is_empty() {
        return Err(ParseError::new(
            "",
            v,
            &format!(": extra text: {}", go_quote(v)),
        ));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(ParseError::new("", v, ": day out of range"));
    }
    Ok(Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        offset,
    })
}

/// go-cty's strict RFC 3339 parse: what Go accepts beyond RFC 3339 is refused with a reason.
fn strict_parse(s: &str) -> Result<Fields, ParseError> {
    let fields = go_parse(s)?;
    let b = s.as_bytes();
    let num2 = |i: usize| -> u32 {
        let d = |j: usize| u32::from(b.get(j).copied().unwrap_or(b'0').wrapping_sub(b'0'));
        d(i) * 10 + d(i + 1)
    };
    if b.get(12) == Some(&b':') {
        return Err(ParseError::new(
            "15",
            s.get(11..12).unwrap_or(""),
            ": hour must have two digits",
        ));
    }
    if b.get(19) == Some(&b',') {
        return Err(ParseError::new(
            ".",
            ",",
            ": sub-second separator must be a period",
        ));
    }
    if b.last() != Some(&b'Z') && b.len() >= 6 {
        let zone = s.get(s.len() - 6..).unwrap_or("");
        if num2(b.len() - 5) >= 24 {
            return Err(ParseError::new(
                "Z07:00",
                zone,
                ": timezone hour out of range",
            ));
        }
        if num2(b.len() - 2) >= 60 {
            return Err(ParseError::new(
                "Z07:00",
                zone,
                ": timezone minute out of range",
            ));
        }
    }
    Ok(fields)
}

/// The message Terraform gives for a timestamp that does not parse. `cty_hints` adds go-cty's
/// extra explanations for hours and minutes (Terraform's own `timecmp` lacks them).
fn parse_error_message(e: &ParseError, cty_hints: bool) -> String {
    const PREFIX: &str = "not a valid RFC3339 timestamp";
    if e.layout_elem.is_empty() && e.value_elem.is_empty() && !e.message.is_empty() {
        return format!("{PREFIX}{}", e.message);
    }
    let what = match e.layout_elem.as_str() {
        "2006" => "year",
        "01" => "month",
        "02" => "day of month",
        "15" => "hour",
        "04" => "minute",
        "05" => "second",
        "Z07:00" => "UTC offset",
        "T" => return format!("{PREFIX}: missing required time introducer 'T'"),
        sep @ (":" | "-") => {
            return if e.value_elem.is_empty() {
                format!(
                    "{PREFIX}: end of string where {} is expected",
                    go_quote(sep)
                )
            } else {
                format!(
                    "{PREFIX}: found {} where {} is expected",
                    go_quote(&e.value_elem),
                    go_quote(sep)
                )
            };
        }
        _ => "timestamp segment",
    };
    if e.value_elem.is_empty() {
        return format!("{PREFIX}: end of string before {what}");
    }
    if cty_hints {
        if what == "hour" && e.value_elem.contains(':') {
            return format!("{PREFIX}: hour must be between 0 and 23 inclusive");
        }
        if what == "hour" && e.value_elem.len() != 2 {
            return format!("{PREFIX}: hour must have exactly two digits");
        }
        if what == "minute" && e.value_elem.len() != 2 {
            return format!("{PREFIX}: minute must have exactly two digits");
        }
    }
    format!("{PREFIX}: cannot use {} as {what}", go_quote(&e.value_elem))
}

fn to_datetime(f: &Fields) -> Result<OffsetDateTime, String> {
    let month = Month::try_from(f.month).map_err(|e| e.to_string())?;
    let date = Date::from_calendar_date(f.year, month, f.day).map_err(|e| e.to_string())?;
    let time =
        Time::from_hms_nano(f.hour, f.minute, f.second, f.nanos).map_err(|e| e.to_string())?;
    let offset = UtcOffset::from_whole_seconds(f.offset).map_err(|e| e.to_string())?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// A timestamp argument parsed strictly, as go-cty's functions do.
fn strict_timestamp(s: &str) -> Result<OffsetDateTime, String> {
    let fields = strict_parse(s).map_err(|e| parse_error_message(&e, true))?;
    to_datetime(&fields)
}

/// `2006-01-02T15:04:05Z07:00`, as Go formats it (no fractional seconds).
fn format_rfc3339(t: &OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset_text(t.offset(), true, true)
    )
}

/// An offset as `Z`/`+hh:mm` (`z_for_utc`) or `+hhmm` / `+hh:mm` (`colon`).
fn offset_text(offset: UtcOffset, z_for_utc: bool, colon: bool) -> String {
    if z_for_utc && offset.is_utc() {
        return "Z".into();
    }
    let total = offset.whole_seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let total = total.unsigned_abs();
    let (h, m) = (total / 3600, total / 60 % 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

fn timestamp(_: &[Value], _: &FuncCtx) -> FuncResult {
    let now = OffsetDateTime::now_utc();
    Ok(Value::String(format_rfc3339(&now)))
}

fn timecmp(args: &[Value], _: &FuncCtx) -> FuncResult {
    let parse = |i: usize| -> Result<OffsetDateTime, FuncError> {
        let s = string_arg(args, i)?;
        let fields = go_parse(&s).map_err(|e| FuncError::arg(i, parse_error_message(&e, false)))?;
        to_datetime(&fields).map_err(|e| FuncError::arg(i, e))
    };
    let (a, b) = (parse(0)?, parse(1)?);
    Ok(Value::from(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn timeadd(args: &[Value], _: &FuncCtx) -> FuncResult {
    let ts = string_arg(args, 0)?;
    let duration = string_arg(args, 1)?;
    let t = strict_timestamp(&ts).map_err(FuncError::call)?;
    let nanos = parse_duration(&duration).map_err(FuncError::call)?;
    let shifted = t
        .checked_add(time::Duration::nanoseconds(nanos))
        .filter(|r| (0..=9999).contains(&r.year()))
        .ok_or_else(|| FuncError::call("the resulting time is out of range"))?;
    Ok(Value::String(format_rfc3339(&shifted)))
}

/// The `time` package's quoting in duration errors: ASCII kept, anything else as `\x` bytes.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c.is_ascii() && c >= ' ' {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, in nanoseconds.
fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            let v: u128 = int_part.parse().map_err(|_| invalid())?;
            if v > LIMIT {
                return Err(invalid());
            }
            v
        };
        let mut frac_digits = "";
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac_digits = &rest[..n];
            s = &rest[n..];
            if int_part.is_empty() && frac_digits.is_empty() {
                return Err(invalid());
            }
        } else if int_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u128 = match unit_name {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(unit_name),
                    time_quote(orig)
                ));
            }
        };
        let mut v = whole
            .checked_mul(unit)
            .filter(|v| *v <= LIMIT)
            .ok_or_else(invalid)?;
        if !frac_digits.is_empty() {
            // Go keeps at most the digits that fit in 63 bits and scales through float64.
            let digits: String = frac_digits.chars().take(18).collect();
            let f: f64 = digits.parse().unwrap_or(0.0);
            let scale = 10f64.powi(i32::try_from(digits.len()).unwrap_or(18));
            v += (f * (unit as f64 / scale)) as u128;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok(0i64.wrapping_sub_unsigned(u64::try_from(total).unwrap_or(u64::MAX)));
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// go-cty's `formatdate` tokenizer: runs of one letter, quoted literals, and other text.
fn date_format_tokens(format: &str) -> Vec<&str> {
    let b = format.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                i += 1;
                loop {
                    match b.get(i) {
                        None => break,
                        Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
        } else if b[i].is_ascii_alphabetic() {
            let letter = b[i];
            while b.get(i) == Some(&letter) {
                i += 1;
            }
        } else {
            i += 1;
            while i < b.len() && !(b[i] == b'\'' || b[i].is_ascii_alphabetic()) {
                i += 1;
            }
        }
        if let Some(token) = format.get(start..i) {
            tokens.push(token);
        }
    }
    tokens
}

fn formatdate(args: &[Value], _: &FuncCtx) -> FuncResult {
    let format = string_arg(args, 0)?;
    let ts = string_arg(args, 1)?;
    let t = strict_timestamp(&ts).map_err(|e| FuncError::arg(1, e))?;
    let verb_error = |tok: &str, rule: &str| {
        FuncError::arg(
            0,
            format!("invalid date format verb {}: {rule}", go_quote(tok)),
        )
    };
    let mut out = String::new();
    for tok in date_format_tokens(&format) {
        let first = tok.as_bytes()[0];
        if first == b'\'' {
            if tok.len() == 1 || !tok.ends_with('\'') {
                return Err(FuncError::arg(0, "unterminated literal '"));
            }
            if tok.len() == 2 {
                out.push('\'');
            } else {
                out.push_str(&tok[1..tok.len() - 1].replace("''", "'"));
            }
            continue;
        }
        if !first.is_ascii_alphabetic() {
            out.push_str(tok);
            continue;
        }
        let n = tok.len();
        let hour12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        match (first, n) {
            (b'Y', 2) => out.push_str(&format!("{:02}", t.year().rem_euclid(100))),
            (b'Y', 4) => out.push_str(&format!("{:04}", t.year())),
            (b'Y', _) => {
                return Err(verb_error(tok, "year must either be \"YY\" or \"YYYY\""));
            }
            (b'M', 1) => out.push_str(&u8::from(t.month()).to_string()),
            (b'M', 2) => out.push_str(&format!("{:02}", u8::from(t.month()))),
            (b'M', 3) => out.push_str(&t.month().to_string()[..3]),
            (b'M', 4) => out.push_str(&t.month().to_string()),
            (b'M', _) => {
                return Err(verb_error(
                    tok,
                    "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"",
                ));
            }
            (b'D', 1) => out.push_str(&t.day().to_string()),
            (b'D', 2) => out.push_str(&format!("{:02}", t.day())),
            (b'D', _) => {
                return Err(verb_error(
                    tok,
                    "day of month must either be \"D\" or \"DD\"",
                ));
            }
            (b'E', 3) => out.push_str(&t.weekday().to_string()[..3]),
            (b'E', 4) => out.push_str(&t.weekday().to_string()),
            (b'E', _) => {
                return Err(verb_error(
                    tok,
                    "day of week must either be \"EEE\" or \"EEEE\"",
                ));
            }
            (b'h', 1) => out.push_str(&t.hour().to_string()),
            (b'h', 2) => out.push_str(&format!("{:02}", t.hour())),
            (b'h', _) => {
                return Err(verb_error(tok, "24-hour must either be \"h\" or \"hh\""));
            }
            (b'H', 1) => out.push_str(&hour12.to_string()),
            (b'H', 2) => out.push_str(&format!("{hour12:02}")),
            (b'H', _) => {
                return Err(verb_error(tok, "12-hour must either be \"H\" or \"HH\""));
            }
            (b'A' | b'a', 2) => {
                let pm = t.hour() >= 12;
                out.push_str(match (first == b'A', pm) {
                    (true, false) => "AM",
                    (true, true) => "PM",
                    (false, false) => "am",
                    (false, true) => "pm",
                });
            }
            (b'A' | b'a', _) => {
                let l = char::from(first);
                return Err(verb_error(tok, &format!("must be \"{l}{l}\"")));
            }
            (b'm', 1) => out.push_str(&t.minute().to_string()),
            (b'm', 2) => out.push_str(&format!("{:02}", t.minute())),
            (b'm', _) => {
                return Err(verb_error(tok, "minute must either be \"m\" or \"mm\""));
            }
            (b's', 1) => out.push_str(&t.second().to_string()),
            (b's', 2) => out.push_str(&format!("{:02}", t.second())),
            (b's', _) => {
                return Err(verb_error(tok, "second must either be \"s\" or \"ss\""));
            }
            (b'Z', 1) => out.push_str(&offset_text(t.offset(), true, true)),
            (b'Z', 3) if t.offset().is_utc() => out.push_str("UTC"),
            (b'Z', 3 | 4) => out.push_str(&offset_text(t.offset(), false, false)),
            (b'Z', 5) => out.push_str(&offset_text(t.offset(), false, true)),
            (b'Z', _) => {
                return Err(verb_error(tok, "timezone must be Z, ZZZZ, or ZZZZZ"));
            }
            _ => {
                return Err(FuncError::arg(
                    0,
                    format!("invalid date format verb {}", go_quote(tok)),
                ));
            }
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{message, run, s};
    use terrane_types::{Type, Value};

    fn fdate(format: &str, ts: &str) -> Result<Value, FuncError> {
        run("formatdate", vec![s(format), s(ts)])
    }

    #[test]
    fn timestamp_is_rfc3339_in_utc_without_fractions() {
        let Value::String(now) = run("timestamp", vec![]).unwrap() else {
            panic!("not a string")
        };
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z'));
        assert_eq!(&now[10..11], "T");
    }

    #[test]
    fn formatdate_renders_every_verb() {
        let ts = "2017-03-04T22:05:09+01:30";
        let f = |spec: &str| fdate(spec, ts).unwrap();
        assert_eq!(f("DD MMM YYYY hh:mm ZZZ"), s("04 Mar 2017 22:05 +0130"));
        assert_eq!(f("EEEE, MMMM D, YY"), s("Saturday, March 4, 17"));
        assert_eq!(f("EEE M/D h:m:s"), s("Sat 3/4 22:5:9"));
        assert_eq!(f("HH:mm AA / H aa"), s("10:05 PM / 10 pm"));
        assert_eq!(f("Z|ZZZZ|ZZZZZ"), s("+01:30|+0130|+01:30"));
        assert_eq!(
            fdate("Z ZZZ ZZZZZ", "2017-03-04T22:05:09Z").unwrap(),
            s("Z UTC +00:00")
        );
        assert_eq!(
            fdate("h 'o''clock' ''", "2017-03-04T09:05:09Z").unwrap(),
            s("9 o'clock '")
        );
        assert_eq!(
            fdate("YYYY-MM-DD", "2017-03-04T00:00:00Z").unwrap(),
            s("2017-03-04")
        );
    }

    #[test]
    fn formatdate_rejects_bad_verbs_and_unterminated_literals() {
        let e = |spec: &str| fdate(spec, "2017-03-04T22:05:09Z").unwrap_err();
        assert_eq!(
            e("YYY"),
            FuncError::arg(
                0,
                "invalid date format verb \"YYY\": year must either be \"YY\" or \"YYYY\""
            )
        );
        assert_eq!(
            message(e("MMMMM")),
            "invalid date format verb \"MMMMM\": month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""
        );
        assert_eq!(
            message(e("A")),
            "invalid date format verb \"A\": must be \"AA\""
        );
        assert_eq!(message(e("q")), "invalid date format verb \"q\"");
        assert_eq!(message(e("'abc")), "unterminated literal '");
    }

    #[test]
    fn formatdate_explains_invalid_timestamps() {
        let e = |ts: &str| fdate("YYYY", ts).unwrap_err();
        assert_eq!(
            e("2017-03-04"),
            FuncError::arg(
                1,
                "not a valid RFC3339 timestamp: missing required time introducer 'T'"
            )
        );
        assert_eq!(
            message(e("2017")),
            "not a valid RFC3339 timestamp: end of string where \"-\" is expected"
        );
        assert_eq!(
            message(e("2017/03/04T00:00:00Z")),
            "not a valid RFC3339 timestamp: found \"/03/04T00:00:00Z\" where \"-\" is expected"
        );
        assert_eq!(
            message(e("2017-03-04T25:00:00Z")),
            "not a valid RFC3339 timestamp: hour must be between 0 and 23 inclusive"
        );
        assert_eq!(
            message(e("2017-03-04T1:00:00Z")),
            "not a valid RFC3339 timestamp: hour must have exactly two digits"
        );
        assert_eq!(
            message(e("2017-02-30T00:00:00Z")),
            "not a valid RFC3339 timestamp: day out of range"
        );
        assert_eq!(
            message(e("2017-03-04T00:00:00")),
            "not a valid RFC3339 timestamp: end of string before UTC offset"
        );
        assert_eq!(
            message(e("2017-03-04T00:00:00Zjunk")),
            "not a valid RFC3339 timestamp: cannot use \"junk\" as timestamp segment"
        );
        assert_eq!(
            message(e("2017-03-04T00:00:00,5Z")),
            "not a valid RFC3339 timestamp: cannot use \",\" as timestamp segment"
        );
        assert_eq!(
            message(e("2017-13-04T00:00:00Z")),
            "not a valid RFC3339 timestamp: cannot use \"-04T00:00:00Z\" as month"
        );
    }

    #[test]
    fn formatdate_timestamp_errors_match_go_ctys_table() {
        let cases = [
            ("", "end of string before year"),
            ("2017-01-02", "missing required time introducer 'T'"),
            (
                "2017-12-02t00:00:00Z",
                "missing required time introducer 'T'",
            ),
            ("2017:01:02", "found \":01:02\" where \"-\" is expected"),
            ("2017-01-02T", "end of string before hour"),
            ("2017-01-02T00", "end of string where \":\" is expected"),
            (
                "2017-01-02T26:00:00Z",
                "hour must be between 0 and 23 inclusive",
            ),
            ("2017-02-31T00:00:00Z", "day out of range"),
            (
                "\"2017-12-02T00:00:00Z\"",
                "cannot use \"\\\"2017-12-02T00:00:00Z\\\"\" as year",
            ),
            (
                "2-12-02T00:00:00Z",
                "cannot use \"2-12-02T00:00:00Z\" as year",
            ),
            ("2000-01-01T01:1:34Z", "minute must have exactly two digits"),
            ("2000-01-01T01:01:1Z", "cannot use \"1Z\" as second"),
            (
                "2000-01-01T00:00:00+24:00",
                "cannot use \"+24:00\" as UTC offset",
            ),
            (
                "2000-01-01T00:00:00+00:60",
                "cannot use \"+00:60\" as UTC offset",
            ),
        ];
        for (ts, want) in cases {
            let got = message(fdate("YYYY", ts).unwrap_err());
            assert_eq!(
                got,
                format!("not a valid RFC3339 timestamp: {want}"),
                "for {ts:?}"
            );
        }
    }

    #[test]
    fn formatdate_produces_the_classic_layouts() {
        let ts = "2006-01-02T15:04:05Z";
        let f = |spec: &str| fdate(spec, ts).unwrap();
        assert_eq!(f("EEE, MMM D ''YY"), s("Mon, Jan 2 '06"));
        assert_eq!(f("H 'o''clock' AA"), s("3 o'clock PM"));
        assert_eq!(f("YYYY-MM-DD'T'hh:mm:ssZ"), s(ts));
        assert_eq!(
            f("EEEE, DD-MMM-YY hh:mm:ss ZZZ"),
            s("Monday, 02-Jan-06 15:04:05 UTC")
        );
        assert_eq!(f(""), s(""));
    }

    #[test]
    fn timeadd_adds_go_durations_keeping_the_offset() {
        let add = |ts: &str, d: &str| run("timeadd", vec![s(ts), s(d)]).unwrap();
        assert_eq!(
            add("2017-11-22T00:00:00Z", "10m"),
            s("2017-11-22T00:10:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "-1h30m"),
            s("2017-11-21T22:30:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00+05:00", "1.5h"),
            s("2017-11-22T01:30:00+05:00")
        );
        assert_eq!(
            add("2017-11-22T00:00:00Z", "8760h"),
            s("2018-11-22T00:00:00Z")
        );
        assert_eq!(
            add("2017-11-22T00:00:00.999Z", "1ms"),
            s("2017-11-22T00:00:01Z")
        );
    }

    #[test]
    fn timeadd_reports_bad_durations_like_go() {
        let e =
            |d: &str| message(run("timeadd", vec![s("2017-11-22T00:00:00Z"), s(d)]).unwrap_err());
        assert_eq!(e("1x"), "time: unknown unit \"x\" in duration \"1x\"");
        assert_eq!(e("10"), "time: missing unit in duration \"10\"");
        assert_eq!(e(""), "time: invalid duration \"\"");
        assert_eq!(e("h"), "time: invalid duration \"h\"");
    }

    #[test]
    fn timecmp_compares_instants_across_offsets() {
        let cmp = |a: &str, b: &str| run("timecmp", vec![s(a), s(b)]).unwrap();
        assert_eq!(
            cmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"),
            Value::from(0)
        );
        assert_eq!(
            cmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z"),
            Value::from(-1)
        );
        assert_eq!(
            cmp("2017-11-22T02:00:00+01:00", "2017-11-22T00:00:00Z"),
            Value::from(1)
        );
        assert_eq!(
            cmp("2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z"),
            Value::from(0)
        );
    }

    #[test]
    fn timecmp_points_at_the_invalid_timestamp() {
        let e = run("timecmp", vec![s("2017-11-22T00:00:00Z"), s("nope")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(
                1,
                "not a valid RFC3339 timestamp: cannot use \"nope\" as year"
            )
        );
    }

    #[test]
    fn unknown_timestamps_give_unknown_results() {
        assert_eq!(
            run("timeadd", vec![Value::Unknown(Type::String), s("1h")]).unwrap(),
            Value::Unknown(Type::String)
        );
    }
}
