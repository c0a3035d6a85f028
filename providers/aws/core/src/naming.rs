//! Names AWS objects get when the configuration gives none, or only a prefix: Terraform's
//! `name` / `name_prefix` pair (`create.Name` and `create.NamePrefixFromName` in its AWS
//! provider). Generated names end in a 26-digit unique suffix: the UTC time to 1/10000 s
//! and an 8-digit counter, so names made later sort later.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use terrane_sdk::ProviderError;
use terrane_sdk::read::{arg_error, is_set, string};
use terrane_types::Value;

/// Length of the unique suffix of generated names.
pub const SUFFIX_LEN: usize = 26;

/// The prefix of names generated when neither `name` nor `name_prefix` is set.
pub const DEFAULT_PREFIX: &str = "terraform-";

/// `prefix` followed by a unique suffix.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{prefix}{}{:08}",
        timestamp(since.as_secs(), since.subsec_nanos()),
        n % 100_000_000
    )
}

/// `YYYYMMDDhhmmssffff` in UTC.
fn timestamp(secs: u64, nanos: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}{:04}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        nanos / 100_000
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The name to create an object with: `name` if set, else `name_prefix` (or "terraform-")
/// with a unique suffix.
pub fn name_to_create(planned: &Value) -> String {
    name_to_create_or(planned, DEFAULT_PREFIX)
}

/// [`name_to_create`] with another default prefix (load balancers: "tf-lb-").
pub fn name_to_create_or(planned: &Value, default_prefix: &str) -> String {
    if let Some(name) = string(planned, "name").filter(|n| !n.is_empty()) {
        return name.to_owned();
    }
    let prefix = string(planned, "name_prefix")
        .filter(|p| !p.is_empty())
        .unwrap_or(default_prefix);
    unique_name(prefix)
}

/// The prefix of a generated name ("" when the name was not generated), as Terraform records
/// it in `name_prefix`.
pub fn prefix_of(name: &str) -> String {
    if name.len() <= SUFFIX_LEN || !name.is_char_boundary(name.len() - SUFFIX_LEN) {
        return String::new();
    }
    let (prefix, suffix) = name.split_at(name.len() - SUFFIX_LEN);
    // Terraform's own counter is hexadecimal: accept names it generated too.
    let (time, counter) = suffix.split_at(SUFFIX_LEN - 8);
    if time.bytes().all(|b| b.is_ascii_digit()) && counter.bytes().all(|b| b.is_ascii_hexdigit()) {
        prefix.to_owned()
    } else {
        String::new()
    }
}

/// `name` and `name_prefix` conflict (Terraform's ConflictsWith).
pub fn check_name_conflict(config: &Value) -> Result<(), ProviderError> {
    if is_set(config, "name") && is_set(config, "name_prefix") {
        return Err(
            arg_error("name_prefix", "\"name_prefix\": conflicts with name")
                .with_hint("Set either name or name_prefix, not both."),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_times() {
        // 2024-02-29 13:45:07.1234 UTC
        assert_eq!(timestamp(1_709_214_307, 123_456_789), "202402291345071234");
        assert_eq!(timestamp(0, 0), "197001010000000000");
    }

    #[test]
    fn generated_names_carry_a_26_digit_suffix_that_prefix_of_strips() {
        let a = unique_name("web-");
        let b = unique_name("web-");
        assert_ne!(a, b);
        assert_eq!(a.len(), "web-".len() + SUFFIX_LEN);
        assert_eq!(prefix_of(&a), "web-");
        assert_eq!(prefix_of(&unique_name(DEFAULT_PREFIX)), "terraform-");
        assert_eq!(prefix_of("my-group"), "");
    }

    #[test]
    fn the_configured_name_wins_else_the_prefix() {
        let v = Value::object([("name", Value::from("exact"))]);
        assert_eq!(name_to_create(&v), "exact");
        let v = Value::object([("name_prefix", Value::from("pre-"))]);
        assert!(name_to_create(&v).starts_with("pre-"));
        let v = Value::object([("name", Value::Null(terrane_types::Type::String))]);
        assert!(name_to_create(&v).starts_with("terraform-"));
    }
}
