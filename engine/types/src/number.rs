//! Terraform numbers: arbitrary-precision decimals, so `0.1 + 0.2` is `0.3` and integers beyond
//! 2^53 stay exact.

use bigdecimal::{BigDecimal, One, RoundingMode, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Digits kept by operations whose exact result may not terminate (division, roots, logarithms).
const INEXACT_PRECISION: u64 = 40;

#[derive(Clone, Debug, Default)]
pub struct Number(BigDecimal);

impl Number {
    pub fn zero() -> Self {
        Number(BigDecimal::zero())
    }

    pub fn from_i64(n: i64) -> Self {
        Number(BigDecimal::from(n))
    }

    pub fn from_u64(n: u64) -> Self {
        Number(BigDecimal::from(n))
    }

    /// Converts a float; `None` for NaN and infinities, which Terraform numbers cannot hold.
    pub fn from_f64(f: f64) -> Option<Self> {
        if !f.is_finite() {
            return None;
        }
        // Shortest text that round-trips, so 0.1 stays 0.1 rather than its binary expansion.
        BigDecimal::from_str(&format!("{f}")).ok().map(Number)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if t.is_empty() || t.starts_with('+') && t[1..].starts_with(['+', '-']) {
            return None;
        }
        let t = t.strip_prefix('+').unwrap_or(t);
        if !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        {
            return None;
        }
        BigDecimal::from_str(t).ok().map(|d| Number(d.normalized()))
    }

    pub fn as_bigdecimal(&self) -> &BigDecimal {
        &self.0
    }

    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }

    /// The value as an `i64` when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.is_integer() {
            self.0.to_i64()
        } else {
            None
        }
    }

    pub fn to_f64(&self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    pub fn add(&self, other: &Number) -> Number {
        Number(&self.0 + &other.0)
    }

    pub fn sub(&self, other: &Number) -> Number {
        Number(&self.0 - &other.0)
    }

    pub fn mul(&self, other: &Number) -> Number {
        Number(&self.0 * &other.0)
    }

    /// `None` when dividing by zero.
    pub fn div(&self, other: &Number) -> Option<Number> {
        if other.is_zero() {
            return None;
        }
        let q = (&self.0 / &other.0).with_prec(INEXACT_PRECISION);
        Some(Number(q.normalized()))
    }

    /// Remainder with the sign of the dividend (Go's and Terraform's `%`); `None` for `x % 0`.
    pub fn rem(&self, other: &Number) -> Option<Number> {
        if other.is_zero() {
            return None;
        }
        Some(Number((&self.0 % &other.0).normalized()))
    }

    pub fn neg(&self) -> Number {
        Number(-&self.0)
    }

    pub fn abs(&self) -> Number {
        Number(self.0.abs())
    }

    pub fn floor(&self) -> Number {
        Number(self.0.with_scale_round(0, RoundingMode::Floor).normalized())
    }

    pub fn ceil(&self) -> Number {
        Number(
            self.0
                .with_scale_round(0, RoundingMode::Ceiling)
                .normalized(),
        )
    }

    pub fn signum(&self) -> Number {
        Number::from_i64(if self.0.is_zero() {
            0
        } else if self.0.is_negative() {
            -1
        } else {
            1
        })
    }

    /// `self ^ exp`: exact for integer exponents, through `f64` otherwise.
    pub fn pow(&self, exp: &Number) -> Option<Number> {
        if let Some(e) = exp.to_i64().filter(|e| e.unsigned_abs() <= 4096) {
            let mut acc = BigDecimal::one();
            for _ in 0..e.unsigned_abs() {
                acc = (&acc * &self.0).with_prec(400);
            }
            if e < 0 {
                if acc.is_zero() {
                    return None;
                }
                acc = (BigDecimal::one() / acc).with_prec(INEXACT_PRECISION);
            }
            return Some(Number(acc.normalized()));
        }
        Number::from_f64(self.to_f64().powf(exp.to_f64()))
    }

    pub fn min<'a>(&'a self, other: &'a Number) -> &'a Number {
        if other < self { other } else { self }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_string().hash(state)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number::from_i64(n)
    }
}

impl From<usize> for Number {
    fn from(n: usize) -> Self {
        Number::from_u64(n as u64)
    }
}

/// Plain decimal notation without exponent or trailing zeros, as Terraform prints numbers.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.normalized();
        if n.is_zero() {
            return f.write_str("0");
        }
        let (digits, scale) = n.as_bigint_and_exponent();
        let negative = digits.is_negative();
        let digits = digits.abs().to_string();
        let mut out = String::with_capacity(digits.len() + 4);
        if negative {
            out.push('-');
        }
        if scale <= 0 {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (-scale) as usize));
        } else {
            let scale = scale as usize;
            if digits.len() > scale {
                let (int, frac) = digits.split_at(digits.len() - scale);
                out.push_str(int);
                out.push('.');
                out.push_str(frac);
            } else {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', scale - digits.len()));
                out.push_str(&digits);
            }
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn decimal_addition_is_exact() {
        assert_eq!(n("0.1").add(&n("0.2")).to_string(), "0.3");
    }

    #[test]
    fn integers_beyond_two_to_the_fifty_three_stay_exact() {
        assert_eq!(
            n("9007199254740993").add(&n("1")).to_string(),
            "9007199254740994"
        );
    }

    #[test]
    fn display_has_no_exponent_and_no_trailing_zeros() {
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("1.50").to_string(), "1.5");
        assert_eq!(n("-0.001").to_string(), "-0.001");
        assert_eq!(n("0").to_string(), "0");
    }

    #[test]
    fn division_by_zero_is_none_and_thirds_are_rounded() {
        assert!(n("1").div(&n("0")).is_none());
        assert!(
            n("1")
                .div(&n("3"))
                .unwrap()
                .to_string()
                .starts_with("0.3333333333")
        );
        assert_eq!(n("10").div(&n("4")).unwrap().to_string(), "2.5");
    }

    #[test]
    fn remainder_takes_the_sign_of_the_dividend() {
        assert_eq!(n("-7").rem(&n("3")).unwrap().to_string(), "-1");
        assert_eq!(n("7").rem(&n("-3")).unwrap().to_string(), "1");
    }

    #[test]
    fn floor_and_ceil_round_toward_the_right_infinity() {
        assert_eq!(n("-1.5").floor().to_string(), "-2");
        assert_eq!(n("-1.5").ceil().to_string(), "-1");
        assert_eq!(n("2.0001").ceil().to_string(), "3");
    }

    #[test]
    fn pow_is_exact_for_integer_exponents() {
        assert_eq!(
            n("2").pow(&n("64")).unwrap().to_string(),
            "18446744073709551616"
        );
        assert_eq!(n("2").pow(&n("-2")).unwrap().to_string(), "0.25");
        assert_eq!(n("4").pow(&n("0.5")).unwrap().to_string(), "2");
    }

    #[test]
    fn parse_rejects_non_numbers() {
        assert!(Number::parse("abc").is_none());
        assert!(Number::parse("").is_none());
        assert!(Number::parse("1_000").is_none());
        assert_eq!(n("+5").to_string(), "5");
    }
}
