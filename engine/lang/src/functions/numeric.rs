//! Numeric functions: `abs`, `ceil`, `floor`, `log`, `max`, `min`, `parseint`, `pow`, `signum`.

use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret};
use crate::convert::{convert, friendly_name};
use crate::typeexpr::Constraint;
use terrane_types::{Number, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("abs", &["num"], Ret::Number, abs),
    FuncDef::new("ceil", &["num"], Ret::Number, ceil),
    FuncDef::new("floor", &["num"], Ret::Number, floor),
    FuncDef::new("log", &["num", "base"], Ret::Number, log),
    FuncDef::new("max", &[], Ret::Number, max).variadic("numbers"),
    FuncDef::new("min", &[], Ret::Number, min).variadic("numbers"),
    FuncDef::new("parseint", &["number", "base"], Ret::Number, parseint),
    FuncDef::new("pow", &["num", "power"], Ret::Number, pow),
    FuncDef::new("signum", &["num"], Ret::Number, signum),
];

/// Argument `i` converted to a number, with cty's messages ("a number is required").
fn num(args: &[Value], i: usize) -> Result<Number, FuncError> {
    let v = convert(args[i].clone(), &Constraint::Number)
        .map_err(|e| FuncError::arg(i, e.to_string()))?;
    v.as_number()
        .cloned()
        .ok_or_else(|| FuncError::arg(i, "a number is required"))
}

fn abs(args: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(Value::Number(num(args, 0)?.abs()))
}

fn ceil(args: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(Value::Number(num(args, 0)?.ceil()))
}

fn floor(args: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(Value::Number(num(args, 0)?.floor()))
}

/// A float result as a number: NaN is Terraform's "result is not a number"; infinities, which
/// Terraform can hold but terrane's numbers cannot, are refused too.
fn from_float(f: f64) -> FuncResult {
    if f.is_nan() {
        return Err(FuncError::call("result is not a number"));
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| FuncError::call("result is infinite, which cannot be represented"))
}

/// `log(num, base)`, computed through floating point as Terraform does
/// (`log(1000, 10)` is `2.9999999999999996` there too).
fn log(args: &[Value], _: &FuncCtx) -> FuncResult {
    let x = num(args, 0)?.to_f64();
    let base = num(args, 1)?.to_f64();
    from_float(x.ln() / base.ln())
}

/// `pow(num, power)`: exact for whole powers, through floating point otherwise.
fn pow(args: &[Value], _: &FuncCtx) -> FuncResult {
    let x = num(args, 0)?;
    let power = num(args, 1)?;
    match x.pow(&power) {
        Some(n) => Ok(Value::Number(n)),
        None => from_float(x.to_f64().powf(power.to_f64())),
    }
}

fn signum(args: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(Value::Number(num(args, 0)?.signum()))
}

fn max(args: &[Value], _: &FuncCtx) -> FuncResult {
    extreme(args, |candidate, best| candidate > best)
}

fn min(args: &[Value], _: &FuncCtx) -> FuncResult {
    extreme(args, |candidate, best| candidate < best)
}

fn extreme(args: &[Value], better: fn(&Number, &Number) -> bool) -> FuncResult {
    let mut best: Option<Number> = None;
    for i in 0..args.len() {
        let n = num(args, i)?;
        if best.as_ref().is_none_or(|b| better(&n, b)) {
            best = Some(n);
        }
    }
    best.map(Value::Number)
        .ok_or_else(|| FuncError::call("must pass at least one number"))
}

/// `parseint(number, base)`: Go's `big.Int.SetString` rules: an optional sign, then digits of
/// the base; letters are case-insensitive up to base 36, and above it `a`-`z` are 10-35 and
/// `A`-`Z` 36-61.
fn parseint(args: &[Value], _: &FuncCtx) -> FuncResult {
    let text = match &args[0] {
        Value::String(s) => s.clone(),
        other => {
            return Err(FuncError::arg(
                0,
                format!(
                    "first argument must be a string, not {}",
                    friendly_name(&other.ty())
                ),
            ));
        }
    };
    let base = num(args, 1)?;
    let base = base
        .to_i64()
        .filter(|b| (2..=62).contains(b))
        .ok_or_else(|| {
            FuncError::arg(1, "base must be a whole number between 2 and 62 inclusive")
        })?;
    parse_big_int(&text, base as u32)
        .map(Value::Number)
        .ok_or_else(|| FuncError::arg(0, format!("cannot parse {text:?} as a base {base} integer")))
}

fn parse_big_int(text: &str, base: u32) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let radix = Number::from_i64(i64::from(base));
    let mut acc = Number::zero();
    for c in digits.chars() {
        let d = digit_value(c, base)?;
        acc = acc.mul(&radix).add(&Number::from_i64(i64::from(d)));
    }
    Some(if negative { acc.neg() } else { acc })
}

fn digit_value(c: char, base: u32) -> Option<u32> {
    let d = match c {
        '0'..='9' => c as u32 - '0' as u32,
        'a'..='z' => c as u32 - 'a' as u32 + 10,
        'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
        'A'..='Z' => c as u32 - 'A' as u32 + 36,
        _ => return None,
    };
    (d < base).then_some(d)
}

#[cfg(test)]
mod tests {
    use crate::functions::testkit::{err, n, num as d, run};
    use terrane_types::{Type, Value};

    fn ok(name: &str, args: Vec<Value>) -> String {
        crate::functions::testkit::ok(name, args).to_string()
    }

    #[test]
    fn abs_drops_the_sign() {
        assert_eq!(ok("abs", vec![n(-12)]), "12");
        assert_eq!(ok("abs", vec![d("-12.4")]), "12.4");
        assert_eq!(ok("abs", vec![n(0)]), "0");
    }

    #[test]
    fn ceil_and_floor_round_to_whole_numbers() {
        assert_eq!(ok("ceil", vec![d("5.1")]), "6");
        assert_eq!(ok("ceil", vec![n(5)]), "5");
        assert_eq!(ok("floor", vec![d("4.9")]), "4");
        assert_eq!(ok("floor", vec![d("-4.1")]), "-5");
    }

    #[test]
    fn numeric_strings_are_accepted_and_others_refused() {
        assert_eq!(ok("abs", vec![Value::from("-3")]), "3");
        assert_eq!(err("abs", vec![Value::from("x")]), "a number is required");
        assert_eq!(
            err("abs", vec![Value::Bool(true)]),
            "number required, but have bool"
        );
    }

    #[test]
    fn log_is_computed_like_terraform() {
        assert_eq!(ok("log", vec![n(16), n(2)]), "4");
        assert_eq!(ok("log", vec![n(1000), n(10)]), "2.9999999999999996");
        assert_eq!(err("log", vec![n(-1), n(10)]), "result is not a number");
        assert_eq!(
            err("log", vec![n(0), n(10)]),
            "result is infinite, which cannot be represented"
        );
    }

    #[test]
    fn pow_raises_to_a_power() {
        assert_eq!(ok("pow", vec![n(3), n(2)]), "9");
        assert_eq!(ok("pow", vec![n(4), d("0.5")]), "2");
        assert_eq!(ok("pow", vec![n(2), n(-1)]), "0.5");
        assert_eq!(err("pow", vec![n(-8), d("0.5")]), "result is not a number");
    }

    #[test]
    fn max_and_min_pick_the_extremes() {
        assert_eq!(ok("max", vec![n(12), n(54), n(3)]), "54");
        assert_eq!(ok("min", vec![n(12), n(54), n(3)]), "3");
        assert_eq!(ok("max", vec![d("1.5"), Value::from("2")]), "2");
    }

    #[test]
    fn max_and_min_need_at_least_one_number() {
        assert_eq!(err("max", vec![]), "must pass at least one number");
        assert_eq!(err("min", vec![]), "must pass at least one number");
    }

    #[test]
    fn parseint_reads_any_base_from_2_to_62() {
        assert_eq!(ok("parseint", vec![Value::from("100"), n(10)]), "100");
        assert_eq!(ok("parseint", vec![Value::from("FF"), n(16)]), "255");
        assert_eq!(ok("parseint", vec![Value::from("ff"), n(16)]), "255");
        assert_eq!(ok("parseint", vec![Value::from("-10"), n(2)]), "-2");
        assert_eq!(ok("parseint", vec![Value::from("zA"), n(62)]), "2206");
        assert_eq!(
            ok(
                "parseint",
                vec![Value::from("ffffffffffffffffffffffff"), n(16)]
            ),
            "79228162514264337593543950335"
        );
    }

    #[test]
    fn parseint_refuses_bad_digits_bases_and_types() {
        assert_eq!(
            err("parseint", vec![Value::from("12"), n(2)]),
            "cannot parse \"12\" as a base 2 integer"
        );
        assert_eq!(
            err("parseint", vec![Value::from(""), n(10)]),
            "cannot parse \"\" as a base 10 integer"
        );
        assert_eq!(
            err("parseint", vec![Value::from("1"), n(63)]),
            "base must be a whole number between 2 and 62 inclusive"
        );
        assert_eq!(
            err("parseint", vec![n(1), n(10)]),
            "first argument must be a string, not number"
        );
    }

    #[test]
    fn signum_gives_the_sign() {
        assert_eq!(ok("signum", vec![n(-13)]), "-1");
        assert_eq!(ok("signum", vec![n(0)]), "0");
        assert_eq!(ok("signum", vec![n(344)]), "1");
    }

    #[test]
    fn unknown_arguments_give_unknown_numbers() {
        assert_eq!(
            run("abs", vec![Value::unknown()]).unwrap(),
            Value::Unknown(Type::Number)
        );
        assert_eq!(
            run("max", vec![n(1), Value::Unknown(Type::Number)]).unwrap(),
            Value::Unknown(Type::Number)
        );
    }

    #[test]
    fn sensitive_arguments_give_sensitive_results() {
        assert_eq!(
            run("abs", vec![n(-1).mark_sensitive()]).unwrap(),
            n(1).mark_sensitive()
        );
        assert_eq!(
            run("max", vec![n(1), n(2).mark_sensitive()]).unwrap(),
            n(2).mark_sensitive()
        );
    }

    #[test]
    fn null_arguments_are_refused() {
        assert_eq!(err("abs", vec![Value::null()]), "argument must not be null");
    }
}
