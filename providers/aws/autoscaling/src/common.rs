//! What the Auto Scaling types share: the client, value helpers, the polling pace.

use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::Aws;
use terrane_types::{Number, Type, Value};

/// How many group names one DescribeAutoScalingGroups call takes (the API's limit).
pub(crate) const NAMES_PER_CALL: usize = 100;

/// A configured Auto Scaling client and the provider it belongs to.
pub struct Asg {
    pub client: aws_sdk_autoscaling::Client,
    pub aws: Arc<Aws>,
}

impl Asg {
    pub fn new(aws: Arc<Aws>) -> Asg {
        let mut conf = aws_sdk_autoscaling::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("autoscaling") {
            conf = conf.endpoint_url(url);
        }
        Asg {
            client: aws_sdk_autoscaling::Client::from_conf(conf.build()),
            aws,
        }
    }
}

/// How often to poll: like `terrane_aws_core::wait` (0.5 s growing to 5 s, or a fixed
/// `TERRANE_AWS_POLL_MS`), for the waits that report their own progress.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pace {
    pub first: Duration,
    pub cap: Duration,
}

impl Pace {
    pub(crate) fn from_env() -> Pace {
        let floor = std::env::var("TERRANE_AWS_POLL_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis);
        let first = floor.unwrap_or(Duration::from_millis(500));
        Pace {
            first,
            cap: floor.unwrap_or(Duration::from_secs(5)).max(first),
        }
    }

    #[cfg(test)]
    pub(crate) fn fixed(d: Duration) -> Pace {
        Pace { first: d, cap: d }
    }

    pub(crate) fn next(&self, interval: Duration) -> Duration {
        (interval * 3 / 2).min(self.cap)
    }
}

pub(crate) fn string(s: Option<&str>) -> Value {
    match s {
        Some(s) => Value::string(s),
        None => Value::Null(Type::String),
    }
}

pub(crate) fn int(n: Option<i32>) -> Value {
    match n {
        Some(n) => Value::Number(Number::from_i64(i64::from(n))),
        None => Value::Null(Type::Number),
    }
}

pub(crate) fn float(n: Option<f64>) -> Value {
    match n.and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::Null(Type::Number),
    }
}

pub(crate) fn boolean(b: Option<bool>) -> Value {
    match b {
        Some(b) => Value::Bool(b),
        None => Value::Null(Type::Bool),
    }
}

pub(crate) fn string_set(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::set(items.into_iter().map(|s| Value::string(s)).collect())
}

pub(crate) fn string_list(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::List(items.into_iter().map(|s| Value::string(s)).collect())
}

/// A whole-number attribute as an i32 (what the Auto Scaling API takes).
pub(crate) fn int32(v: &Value, name: &str) -> Result<Option<i32>, terrane_sdk::ProviderError> {
    match terrane_sdk::read::integer(v, name)? {
        None => Ok(None),
        Some(n) => i32::try_from(n).map(Some).map_err(|_| {
            terrane_sdk::read::arg_error(name, format!("{name} is out of range: {n}"))
        }),
    }
}

/// The first element of a list block (max 1), if present and known.
pub(crate) fn first_block<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    terrane_sdk::read::known(v, name)
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
        .filter(|b| b.is_known() && !b.is_null())
}
