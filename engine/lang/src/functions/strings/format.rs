//! `format` and `formatlist`: go-cty's printf-like formatting, verb for verb.
//!
//! A verb is `%` [flags] [width] [`.` precision] [`[` index `]`] letter. Numbers are formatted
//! the way Go formats `*big.Float` and `*big.Int` values; strings are measured in Unicode
//! characters; everything else is shown as JSON.

use super::super::encoding::{json_encode, json_quote};
use super::super::{FuncCtx, FuncError, FuncResult, string_arg, to_bool_value, to_string_value};
use super::{go_quote, go_quote_rune, graphemes};
use terrane_types::{Number, Type, Value};

pub(super) fn format(args: &[Value], _: &FuncCtx) -> FuncResult {
    if args[0].is_null() {
        return Err(FuncError::arg(0, "argument must not be null"));
    }
    let fmt = string_arg(args, 0)?;
    format_values(&fmt, &args[1..]).map(Value::String)
}

pub(super) fn formatlist(args: &[Value], _: &FuncCtx) -> FuncResult {
    let unknown_result = Value::Unknown(Type::list(Type::String));
    if args[0].is_null() {
        return Err(FuncError::arg(0, "argument must not be null"));
    }
    if !args[0].is_known() {
        return Ok(unknown_result);
    }
    let fmt = string_arg(args, 0)?;
    let rest = &args[1..];
    if rest.is_empty() {
        return format_values(&fmt, rest).map(|s| Value::List(vec![Value::String(s)]));
    }

    // Sequences are iterated in step (they must agree in length); everything else is repeated.
    let mut len: Option<(usize, usize)> = None;
    for (i, arg) in rest.iter().enumerate() {
        if !arg.is_known() {
            return Ok(unknown_result);
        }
        if arg.is_null() {
            continue;
        }
        if let Some(items) = arg.as_seq() {
            match len {
                None => len = Some((items.len(), i)),
                Some((l, first)) if l != items.len() => {
                    return Err(FuncError::arg(
                        i + 1,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {}",
                            i + 1,
                            items.len(),
                            first + 1,
                            l
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let iterations = len.map_or(1, |(l, _)| l);
    let mut out = Vec::with_capacity(iterations);
    for iteration in 0..iterations {
        let call_args: Vec<Value> = rest
            .iter()
            .map(|arg| match arg.as_seq() {
                Some(items) if !arg.is_null() => {
                    items.get(iteration).cloned().unwrap_or_else(Value::null)
                }
                _ => arg.clone(),
            })
            .collect();
        if !call_args.iter().all(Value::is_wholly_known) {
            out.push(Value::Unknown(Type::String));
            continue;
        }
        let text = format_values(&fmt, &call_args).map_err(|e| {
            let message = match e {
                FuncError::Arg { message, .. } | FuncError::Call(message) => message,
            };
            FuncError::call(format!("error on format iteration {iteration}: {message}"))
        })?;
        out.push(Value::String(text));
    }
    Ok(Value::List(out))
}

/// Widths and precisions beyond this are refused (Go's `fmt` gives up at the same size).
const MAX_WIDTH: usize = 1_000_000;

#[derive(Default)]
struct Verb {
    raw: String,
    offset: usize,
    arg_num: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Formats `args` (the values after the format string) by `fmt`.
fn format_values(fmt: &str, args: &[Value]) -> Result<String, FuncError> {
    let bytes = fmt.as_bytes();
    let mut out = String::with_capacity(fmt.len());
    let mut p = 0;
    let mut next_arg = 1;
    let mut highest = 0;
    let eof = || {
        FuncError::call(format!(
            "invalid format string starting at offset {}",
            fmt.len()
        ))
    };
    let unexpected = |at: usize| {
        let c = fmt
            .get(at..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{FFFD}');
        FuncError::call(format!(
            "unrecognized format character {} at offset {at}",
            go_quote_rune(c)
        ))
    };
    while p < bytes.len() {
        if bytes[p] != b'%' {
            let next = fmt[p..].find('%').map_or(fmt.len(), |i| p + i);
            out.push_str(&fmt[p..next]);
            p = next;
            continue;
        }
        if bytes.get(p + 1) == Some(&b'%') {
            out.push('%');
            p += 2;
            continue;
        }
        let start = p;
        p += 1;
        let mut verb = Verb {
            arg_num: next_arg,
            offset: start,
            ..Verb::default()
        };
        loop {
            match bytes.get(p) {
                Some(b'0') => verb.zero = true,
                Some(b'#') => verb.sharp = true,
                Some(b'-') => verb.minus = true,
                Some(b'+') => verb.plus = true,
                Some(b' ') => verb.space = true,
                Some(_) => break,
                None => return Err(eof()),
            }
            p += 1;
        }
        if matches!(bytes.get(p), Some(b'1'..=b'9')) {
            verb.width = Some(read_digits(bytes, &mut p));
        }
        if bytes.get(p) == Some(&b'.') {
            p += 1;
            verb.prec = Some(read_digits(bytes, &mut p));
        }
        if bytes.get(p) == Some(&b'[') {
            p += 1;
            match bytes.get(p) {
                Some(b'1'..=b'9') => verb.arg_num = read_digits(bytes, &mut p),
                Some(_) => return Err(unexpected(p)),
                None => return Err(eof()),
            }
            match bytes.get(p) {
                Some(b']') => p += 1,
                Some(_) => return Err(unexpected(p)),
                None => return Err(eof()),
            }
        }
        match bytes.get(p) {
            Some(c) if c.is_ascii_alphabetic() => verb.mode = char::from(*c),
            Some(_) => return Err(unexpected(p)),
            None => return Err(eof()),
        }
        p += 1;
        verb.raw = fmt[start..p].to_owned();
        if verb.width.max(verb.prec).is_some_and(|n| n > MAX_WIDTH) {
            return Err(FuncError::call(format!(
                "width or precision of {} at {start} is too large",
                go_quote(&verb.raw)
            )));
        }
        highest = highest.max(verb.arg_num);
        append_verb(&verb, &mut out, args)?;
        next_arg = verb.arg_num + 1;
    }
    if highest < args.len() {
        return Err(FuncError::arg(
            highest + 1,
            if highest == 0 {
                "too many arguments; no verbs in format string".to_owned()
            } else {
                format!("too many arguments; only {highest} used by format string")
            },
        ));
    }
    Ok(out)
}

fn read_digits(bytes: &[u8], p: &mut usize) -> usize {
    let mut n: usize = 0;
    while let Some(d @ b'0'..=b'9') = bytes.get(*p) {
        n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
        *p += 1;
    }
    n
}

fn append_verb(verb: &Verb, out: &mut String, args: &[Value]) -> Result<(), FuncError> {
    let raw = go_quote(&verb.raw);
    let at = verb.offset;
    let Some(arg) = args.get(verb.arg_num - 1) else {
        return Err(FuncError::call(format!(
            "not enough arguments for {raw} at {at}: need index {} but have {} total",
            verb.arg_num,
            args.len()
        )));
    };
    let unsupported =
        |why: &str| FuncError::call(format!("unsupported value for {raw} at {at}: {why}"));
    if verb.mode != 'v' && arg.is_null() {
        return Err(unsupported("null value cannot be formatted"));
    }
    match verb.mode {
        'v' => {
            let text = match arg.unmarked() {
                Value::String(s) if !verb.sharp => s.clone(),
                Value::Number(n) if !verb.sharp => {
                    let mut text = String::new();
                    if n.is_negative() {
                        text.push('-');
                    }
                    text.push_str(&format_float(&Decimal::of(n), 'g', None));
                    text
                }
                v => json_encode(v).ok_or_else(|| unsupported("value is not known"))?,
            };
            out.push_str(&pad_width(verb, text));
        }
        't' => match to_bool_value(arg) {
            Some(b) => out.push_str(if b { "true" } else { "false" }),
            None => match arg.unmarked() {
                Value::String(s) if s.eq_ignore_ascii_case("true") => {
                    return Err(unsupported(
                        "a bool is required; to convert from string, use lowercase \"true\"",
                    ));
                }
                Value::String(s) if s.eq_ignore_ascii_case("false") => {
                    return Err(unsupported(
                        "a bool is required; to convert from string, use lowercase \"false\"",
                    ));
                }
                Value::String(_) => return Err(unsupported("a bool is required")),
                other => return Err(unsupported(&mismatch("bool", other))),
            },
        },
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = match arg.unmarked() {
                Value::Number(n) => n.clone(),
                Value::String(s) => {
                    Number::parse(s).ok_or_else(|| unsupported("a number is required"))?
                }
                other => return Err(unsupported(&mismatch("number", other))),
            };
            if matches!(verb.mode, 'b' | 'd' | 'o' | 'x' | 'X') {
                if !n.is_integer() {
                    return Err(unsupported("an integer is required"));
                }
                out.push_str(&format_integer(verb, &n));
            } else {
                out.push_str(&format_float_verb(verb, &n));
            }
        }
        's' | 'q' => {
            let mut text = to_string_value(arg)
                .ok_or_else(|| unsupported(&mismatch("string", arg.unmarked())))?;
            if let Some(prec) = verb.prec.filter(|p| *p > 0) {
                text = graphemes(&text).into_iter().take(prec).collect();
            }
            if verb.mode == 'q' {
                let mut quoted = String::with_capacity(text.len() + 2);
                json_quote(&text, &mut quoted);
                text = quoted;
            }
            out.push_str(&pad_width(verb, text));
        }
        mode => {
            return Err(FuncError::call(format!(
                "unsupported format verb {} in {raw} at offset {at}",
                go_quote_rune(mode)
            )));
        }
    }
    Ok(())
}

/// cty's conversion failure message: "number required, but have bool".
fn mismatch(want: &str, got: &Value) -> String {
    format!("{want} required, but have {}", got.ty().friendly_name())
}

/// go-cty's width padding for strings and `%v`: counted in characters, zeros or spaces, on the
/// left unless `-`.
fn pad_width(verb: &Verb, text: String) -> String {
    let Some(width) = verb.width else {
        return text;
    };
    let len = graphemes(&text).len();
    if len >= width {
        return text;
    }
    let pad = (if verb.zero { "0" } else { " " }).repeat(width - len);
    if verb.minus { text + &pad } else { pad + &text }
}

/// Go's `fmt` of a `*big.Int` for `%b %d %o %x %X` with flags, width and precision.
fn format_integer(verb: &Verb, n: &Number) -> String {
    let text = n.to_string();
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, text.as_str()),
    };
    let (base, prefix) = match verb.mode {
        'b' => (2, "0b"),
        'o' => (8, "0"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = decimal_to_base(magnitude, base);
    if verb.mode == 'X' {
        digits = digits.to_ascii_uppercase();
    }
    let sign = if negative {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let prefix = if verb.sharp { prefix } else { "" };
    let mut zeros = 0;
    if let Some(prec) = verb.prec {
        if digits.len() < prec {
            zeros = prec - digits.len();
        } else if digits == "0" && prec == 0 {
            return String::new();
        }
    }
    let (mut left, mut right) = (0, 0);
    let length = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(width) = verb.width.filter(|w| *w > length) {
        let d = width - length;
        if verb.minus {
            right = d;
        } else if verb.zero && verb.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// Converts a non-negative decimal integer spelled in digits to another base (lowercase).
fn decimal_to_base(decimal: &str, base: u32) -> String {
    if let Ok(v) = decimal.parse::<u128>() {
        return match base {
            2 => format!("{v:b}"),
            8 => format!("{v:o}"),
            16 => format!("{v:x}"),
            _ => v.to_string(),
        };
    }
    if base == 10 {
        return decimal.to_owned();
    }
    // Long division of the decimal digits, for integers beyond 128 bits.
    let mut digits: Vec<u32> = decimal.bytes().map(|b| u32::from(b - b'0')).collect();
    let mut out = Vec::new();
    while !(digits.is_empty() || digits.iter().all(|d| *d == 0)) {
        let mut rem = 0;
        let mut next = Vec::with_capacity(digits.len());
        for d in &digits {
            let cur = rem * 10 + d;
            let q = cur / base;
            rem = cur % base;
            if !(next.is_empty() && q == 0) {
                next.push(q);
            }
        }
        out.push(char::from_digit(rem, base).unwrap_or('0'));
        digits = next;
    }
    if out.is_empty() {
        return "0".into();
    }
    out.iter().rev().collect()
}

/// Go's `fmt` of a `*big.Float` for `%e %E %f %g %G` with flags, width and precision.
fn format_float_verb(verb: &Verb, n: &Number) -> String {
    let lower = verb.mode.to_ascii_lowercase();
    // Go's default precision is 6 for %e and %f, the shortest representation for %g.
    let prec = match (verb.prec, lower) {
        (None, 'e' | 'f') => Some(6),
        (p, _) => p,
    };
    let body = format_float(&Decimal::of(n), lower, prec);
    let body = if verb.mode.is_ascii_uppercase() {
        body.to_ascii_uppercase()
    } else {
        body
    };
    let sign = if n.is_negative() {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let zero = verb.zero && !verb.minus;
    let padding = verb
        .width
        .map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    if zero {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// A number's decimal digits without sign: the value is `0.mant × 10^exp`, as in Go's
/// `math/big` decimal conversion.
struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

impl Decimal {
    fn of(n: &Number) -> Decimal {
        let text = n.abs().to_string();
        let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let leading = all.iter().take_while(|b| **b == b'0').count();
        let mut mant = all[leading..].to_vec();
        while mant.last() == Some(&b'0') {
            mant.pop();
        }
        if mant.is_empty() {
            return Decimal { mant, exp: 0 };
        }
        let exp = int.len() as i64 - leading as i64;
        Decimal { mant, exp }
    }

    fn at(&self, i: i64) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.mant.get(i))
            .copied()
            .unwrap_or(b'0')
    }

    /// Rounds to `n` digits, half to even on exact ties (Go's `decimal.round`).
    fn round(&mut self, n: i64) {
        let Ok(n) = usize::try_from(n) else {
            return;
        };
        if n >= self.mant.len() {
            return;
        }
        let up = if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            n > 0 && (self.mant[n - 1] - b'0') % 2 == 1
        } else {
            self.mant[n] >= b'5'
        };
        if up {
            let mut i = n;
            while i > 0 && self.mant[i - 1] >= b'9' {
                i -= 1;
            }
            if i == 0 {
                self.mant = vec![b'1'];
                self.exp += 1;
            } else {
                self.mant[i - 1] += 1;
                self.mant.truncate(i);
            }
        } else {
            self.mant.truncate(n);
            while self.mant.last() == Some(&b'0') {
                self.mant.pop();
            }
            if self.mant.is_empty() {
                self.exp = 0;
            }
        }
    }
}

/// Go's `big.Float.Text(fmt, prec)` without the sign; `None` is the shortest representation.
fn format_float(d: &Decimal, fmt: char, prec: Option<usize>) -> String {
    let mut d = Decimal {
        mant: d.mant.clone(),
        exp: d.exp,
    };
    let len = d.mant.len() as i64;
    let shortest = prec.is_none();
    let mut prec = match prec {
        None => match fmt {
            'e' => len - 1,
            'f' => (len - d.exp).max(0),
            _ => len,
        },
        Some(p) => {
            let p = i64::try_from(p).unwrap_or(i64::MAX / 4);
            match fmt {
                'e' => {
                    d.round(1 + p);
                    p
                }
                'f' => {
                    d.round(d.exp + p);
                    p
                }
                _ => {
                    let p = p.max(1);
                    d.round(p);
                    p
                }
            }
        }
    };
    match fmt {
        'e' => fmt_e(&d, prec),
        'f' => fmt_f(&d, prec),
        _ => {
            let len = d.mant.len() as i64;
            let mut eprec = prec;
            if eprec > len && len >= d.exp {
                eprec = len;
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.exp - 1;
            if exp < -4 || exp >= eprec {
                if prec > len {
                    prec = len;
                }
                return fmt_e(&d, prec - 1);
            }
            if prec > d.exp {
                prec = len;
            }
            fmt_f(&d, (prec - d.exp).max(0))
        }
    }
}

fn fmt_e(d: &Decimal, prec: i64) -> String {
    let mut out = String::new();
    out.push(char::from(d.mant.first().copied().unwrap_or(b'0')));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(d.at(i)));
        }
    }
    out.push('e');
    let exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

fn fmt_f(d: &Decimal, prec: i64) -> String {
    let mut out = String::new();
    if d.exp > 0 {
        for i in 0..d.exp {
            out.push(char::from(d.at(i)));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            out.push(char::from(d.at(d.exp + i)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{num, run, s};
    use terrane_types::{Type, Value};

    fn fmt(f: &str, args: Vec<Value>) -> String {
        let mut all = vec![Value::string(f)];
        all.extend(args);
        match run("format", all) {
            Ok(Value::String(s)) => s,
            other => panic!("format({f:?}) gave {other:?}"),
        }
    }

    fn fmt_err(f: &str, args: Vec<Value>) -> String {
        let mut all = vec![Value::string(f)];
        all.extend(args);
        match run("format", all) {
            Err(FuncError::Arg { message, .. } | FuncError::Call(message)) => message,
            other => panic!("format({f:?}) gave {other:?}"),
        }
    }

    #[test]
    fn format_substitutes_strings_and_numbers() {
        assert_eq!(fmt("Hello, %s!", vec![s("Ander")]), "Hello, Ander!");
        assert_eq!(
            fmt("There are %d lights", vec![num("4")]),
            "There are 4 lights"
        );
        assert_eq!(fmt("100%%", vec![]), "100%");
    }

    #[test]
    fn format_pads_numbers_to_the_given_width() {
        assert_eq!(fmt("%5d|", vec![num("42")]), "   42|");
        assert_eq!(fmt("%-5d|", vec![num("42")]), "42   |");
        assert_eq!(fmt("%05d", vec![num("-42")]), "-0042");
        assert_eq!(fmt("%+d", vec![num("42")]), "+42");
    }

    #[test]
    fn format_renders_floats_like_go() {
        assert_eq!(fmt("%.2f", vec![num("3.14159")]), "3.14");
        assert_eq!(fmt("%f", vec![num("1.5")]), "1.500000");
        assert_eq!(fmt("%8.3f|", vec![num("-2.5")]), "  -2.500|");
        assert_eq!(fmt("%.0f", vec![num("2.5")]), "2");
        assert_eq!(fmt("%.2f", vec![num("0.009")]), "0.01");
        assert_eq!(fmt("%e", vec![num("1234.5678")]), "1.234568e+03");
        assert_eq!(fmt("%E", vec![num("0.000123")]), "1.230000E-04");
        assert_eq!(fmt("%g", vec![num("100000000")]), "1e+08");
        assert_eq!(fmt("%g", vec![num("0.5")]), "0.5");
        assert_eq!(fmt("%.3g", vec![num("3.14159")]), "3.14");
    }

    #[test]
    fn format_v_shows_numbers_in_shortest_form_and_collections_as_json() {
        assert_eq!(fmt("%v", vec![num("1.5")]), "1.5");
        assert_eq!(fmt("%v", vec![num("1000000")]), "1e+06");
        assert_eq!(fmt("%v", vec![Value::Bool(true)]), "true");
        assert_eq!(fmt("%v", vec![Value::null()]), "null");
        assert_eq!(
            fmt(
                "%v",
                vec![Value::object([("a", s("<b>")), ("n", num("1"))])]
            ),
            r#"{"a":"\u003cb\u003e","n":1}"#
        );
        assert_eq!(fmt("%#v", vec![s("x")]), "\"x\"");
    }

    #[test]
    fn format_handles_integer_bases() {
        assert_eq!(fmt("%x", vec![num("255")]), "ff");
        assert_eq!(fmt("%X", vec![num("255")]), "FF");
        assert_eq!(fmt("%#x", vec![num("255")]), "0xff");
        assert_eq!(fmt("%o", vec![num("8")]), "10");
        assert_eq!(fmt("%b", vec![num("5")]), "101");
        assert_eq!(
            fmt("%x", vec![num("1180591620717411303424")]),
            "400000000000000000"
        );
    }

    #[test]
    fn format_quotes_and_truncates_strings() {
        assert_eq!(fmt("%q", vec![s("a\"b")]), r#""a\"b""#);
        assert_eq!(fmt("%.3s", vec![s("héllo")]), "hél");
        assert_eq!(fmt("%6s|", vec![s("héllo")]), " héllo|");
        assert_eq!(fmt("%-6s|", vec![s("ab")]), "ab    |");
        assert_eq!(fmt("%s", vec![num("12")]), "12");
        assert_eq!(fmt("%t", vec![s("true")]), "true");
    }

    #[test]
    fn format_supports_explicit_argument_indexes() {
        assert_eq!(fmt("%[2]s %[1]s %s", vec![s("a"), s("b")]), "b a b");
    }

    #[test]
    fn format_reports_missing_arguments() {
        assert_eq!(
            fmt_err("%s %[3]s", vec![s("a")]),
            r#"not enough arguments for "%[3]s" at 3: need index 3 but have 1 total"#
        );
        assert_eq!(
            fmt_err("%s %s", vec![s("a")]),
            r#"not enough arguments for "%s" at 3: need index 2 but have 1 total"#
        );
    }

    #[test]
    fn format_reports_extra_arguments() {
        let mut args = vec![s("hello"), s("x")];
        let e = run("format", args.clone()).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(1, "too many arguments; no verbs in format string")
        );
        args[0] = s("%s");
        args.push(s("y"));
        let e = run("format", args).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(2, "too many arguments; only 1 used by format string")
        );
    }

    #[test]
    fn format_reports_impossible_conversions_and_bad_verbs() {
        assert_eq!(
            fmt_err("%d", vec![s("abc")]),
            r#"unsupported value for "%d" at 0: a number is required"#
        );
        assert_eq!(
            fmt_err("%d", vec![num("1.5")]),
            r#"unsupported value for "%d" at 0: an integer is required"#
        );
        assert_eq!(
            fmt_err("%s", vec![Value::Tuple(vec![])]),
            r#"unsupported value for "%s" at 0: string required, but have tuple"#
        );
        assert_eq!(
            fmt_err("%d", vec![Value::Bool(true)]),
            r#"unsupported value for "%d" at 0: number required, but have bool"#
        );
        assert_eq!(
            fmt_err("%s", vec![Value::null()]),
            r#"unsupported value for "%s" at 0: null value cannot be formatted"#
        );
        assert_eq!(
            fmt_err("%z", vec![s("a")]),
            r#"unsupported format verb 'z' in "%z" at offset 0"#
        );
        assert_eq!(
            fmt_err("%!", vec![]),
            "unrecognized format character '!' at offset 1"
        );
        assert_eq!(
            fmt_err("abc%", vec![]),
            "invalid format string starting at offset 4"
        );
    }

    #[test]
    fn format_agrees_with_go_ctys_own_examples() {
        assert_eq!(fmt("%4s|", vec![s("💃🏿")]), "   💃🏿|");
        assert_eq!(fmt("%-6q|", vec![s("💃🏿")]), "\"💃🏿\"   |");
        assert_eq!(fmt("%.5s", vec![s("日本語日本語")]), "日本語日本");
        assert_eq!(fmt("%6.2q", vec![s("hello")]), "  \"he\"");
        assert_eq!(fmt("% d", vec![num("10")]), " 10");
        assert_eq!(fmt("%+f", vec![num("-10")]), "-10.000000");
        assert_eq!(
            fmt("%f", vec![s("100000000000000000000000000000000000001")]),
            "100000000000000000000000000000000000001.000000"
        );
        assert_eq!(
            fmt("%.4f", vec![s("1.00000000000000000000000000000000000001")]),
            "1.0000"
        );
        assert_eq!(fmt("%.1f", vec![s("1.06")]), "1.1");
        assert_eq!(fmt("%G", vec![s("0.00000000000000000000001")]), "1E-23");
        assert_eq!(fmt("%g", vec![num("1000")]), "1000");
        assert_eq!(fmt("%%%v", vec![Value::Bool(false)]), "%false");
        assert_eq!(
            fmt_err("%[0]s", vec![s("a")]),
            "unrecognized format character '0' at offset 2"
        );
        assert_eq!(
            fmt_err("%☠ x", vec![s("a")]),
            "unrecognized format character '☠' at offset 1"
        );
        assert_eq!(
            fmt_err("This statement is %t", vec![Value::Null(Type::Bool)]),
            r#"unsupported value for "%t" at 18: null value cannot be formatted"#
        );
    }

    #[test]
    fn formatlist_treats_a_null_list_as_a_single_null() {
        let got = run(
            "formatlist",
            vec![s("%v"), Value::Null(Type::list(Type::String))],
        )
        .unwrap();
        assert_eq!(got, Value::List(vec![s("null")]));
        let got = run("formatlist", vec![s("%v"), Value::Tuple(vec![])]).unwrap();
        assert_eq!(got, Value::List(vec![]));
    }

    #[test]
    fn format_refuses_absurd_widths() {
        assert_eq!(
            fmt_err("%99999999999d", vec![num("1")]),
            r#"width or precision of "%99999999999d" at 0 is too large"#
        );
    }

    #[test]
    fn format_with_an_unknown_argument_is_unknown() {
        let got = run("format", vec![s("%s"), Value::Unknown(Type::String)]).unwrap();
        assert_eq!(got, Value::Unknown(Type::String));
    }

    #[test]
    fn format_with_a_sensitive_argument_is_sensitive() {
        let got = run("format", vec![s("<%s>"), s("pw").mark_sensitive()]).unwrap();
        assert_eq!(got, s("<pw>").mark_sensitive());
    }

    #[test]
    fn formatlist_broadcasts_lists_and_repeats_single_values() {
        let got = run(
            "formatlist",
            vec![
                s("%s, %s!"),
                s("Salutations"),
                Value::List(vec![s("Valentina"), s("Ander")]),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            Value::List(vec![s("Salutations, Valentina!"), s("Salutations, Ander!")])
        );
    }

    #[test]
    fn formatlist_requires_lists_of_the_same_length() {
        let e = run(
            "formatlist",
            vec![
                s("%s %s"),
                Value::List(vec![s("a"), s("b")]),
                Value::List(vec![s("c")]),
            ],
        )
        .unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(
                2,
                "argument 2 has length 1, which is inconsistent with argument 1 of length 2"
            )
        );
    }

    #[test]
    fn formatlist_marks_only_iterations_with_unknowns_as_unknown() {
        let got = run(
            "formatlist",
            vec![
                s("<%s>"),
                Value::List(vec![s("a"), Value::Unknown(Type::String)]),
            ],
        )
        .unwrap();
        assert_eq!(
            got,
            Value::List(vec![s("<a>"), Value::Unknown(Type::String)])
        );
    }

    #[test]
    fn formatlist_reports_the_failing_iteration() {
        let e = run(
            "formatlist",
            vec![s("%d"), Value::List(vec![num("1"), s("x")])],
        )
        .unwrap_err();
        assert_eq!(
            e,
            FuncError::call(
                r#"error on format iteration 1: unsupported value for "%d" at 0: a number is required"#
            )
        );
    }

    #[test]
    fn formatlist_without_lists_gives_a_single_element() {
        let got = run("formatlist", vec![s("%s"), s("x")]).unwrap();
        assert_eq!(got, Value::List(vec![s("x")]));
        let got = run("formatlist", vec![s("%s"), Value::List(vec![])]).unwrap();
        assert_eq!(got, Value::List(vec![]));
    }
}
