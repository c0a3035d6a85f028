//! The `provider "aws"` block and what it configures: region, credentials (aws-config's
//! standard chain: environment, profiles, SSO, process, IMDS; or keys and an assumed role
//! from the block), endpoints, retries and default tags.

use crate::error::sdk_error;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_types::SdkConfig;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_sdk::read::{boolean, integer, known, string, strings};
use terrane_sdk::{Attribute, Block, NestedBlock, Nesting, ProviderError, Schema};
use terrane_types::{AttrPath, Type, Value};

/// Services whose endpoint the `endpoints` block may set, with the names Terraform accepts
/// for each (the first is ours).
const ENDPOINT_NAMES: &[&[&str]] = &[
    &["ec2"],
    &["autoscaling"],
    &["elbv2", "elb"],
    &["lambda"],
    &["apigateway"],
    &["iam"],
    &["sts"],
    &["s3"],
    &["cloudwatch"],
    &["logs", "cloudwatchlogs"],
];

/// The schema of the `provider "aws"` block: the arguments Terraform's AWS provider users
/// write most. Anything accepted here either works or fails with a clear error.
pub fn config_schema() -> Schema {
    let s = |d: &str| Attribute::optional(Type::String).describe(d);
    let b = |d: &str| Attribute::optional(Type::Bool).describe(d);
    let list = |d: &str| Attribute::optional(Type::list(Type::String)).describe(d);
    let mut endpoints = Block::new().describe("Custom endpoint URLs, by service.");
    for names in ENDPOINT_NAMES {
        for name in *names {
            endpoints = endpoints.attr(name, s("Endpoint URL for this service."));
        }
    }
    let block = Block::new()
        .attr(
            "region",
            s("The AWS region, e.g. us-east-1 (else AWS_REGION or the profile's)."),
        )
        .attr(
            "profile",
            s("A profile of the shared config and credentials files."),
        )
        .attr(
            "access_key",
            s("An access key id (prefer the environment or a profile)."),
        )
        .attr(
            "secret_key",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("The secret access key."),
        )
        .attr(
            "token",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("A session token."),
        )
        .attr("shared_config_files", list("Paths of shared config files."))
        .attr(
            "shared_credentials_files",
            list("Paths of shared credentials files."),
        )
        .attr(
            "max_retries",
            Attribute::optional(Type::Number)
                .describe("How many times a throttled or failed call is retried (default 10)."),
        )
        .attr("retry_mode", s("standard (the default) or adaptive."))
        .attr(
            "skip_credentials_validation",
            b("Do not check the credentials with STS."),
        )
        .attr("skip_region_validation", b("Accepted for compatibility."))
        .attr(
            "skip_requesting_account_id",
            b("Do not look the account id up."),
        )
        .attr(
            "skip_metadata_api_check",
            Attribute::optional(Type::Dynamic).describe("Accepted for compatibility."),
        )
        .attr(
            "allowed_account_ids",
            Attribute::optional(Type::set(Type::String))
                .describe("Refuse to run against other accounts."),
        )
        .attr(
            "forbidden_account_ids",
            Attribute::optional(Type::set(Type::String))
                .describe("Refuse to run against these accounts."),
        )
        .attr("s3_use_path_style", b("Accepted for compatibility."))
        .attr("insecure", b("Accepted for compatibility."))
        .block(
            "endpoints",
            NestedBlock::new(Nesting::List, endpoints).items(0, 1),
        )
        .block(
            "default_tags",
            NestedBlock::new(
                Nesting::List,
                Block::new().attr(
                    "tags",
                    Attribute::optional(Type::map(Type::String))
                        .describe("Tags every taggable resource gets."),
                ),
            )
            .items(0, 1),
        )
        .block(
            "ignore_tags",
            NestedBlock::new(
                Nesting::List,
                Block::new()
                    .attr("keys", Attribute::optional(Type::set(Type::String)))
                    .attr("key_prefixes", Attribute::optional(Type::set(Type::String))),
            )
            .items(0, 1),
        )
        .block(
            "assume_role",
            NestedBlock::new(
                Nesting::List,
                Block::new()
                    .attr("role_arn", s("The role to assume."))
                    .attr("session_name", s("The session name."))
                    .attr("external_id", s("The external id the role requires."))
                    .attr("duration", s("How long the session lasts, e.g. 1h.")),
            )
            .items(0, 1),
        );
    Schema::new(block)
}

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
}

/// A configured `aws` provider: the SDK configuration every service builds its client
/// from, and what resources need (region, default tags, the account).
pub struct Aws {
    pub sdk: SdkConfig,
    pub region: String,
    endpoints: BTreeMap<String, String>,
    /// `default_tags { tags = {...} }`.
    pub default_tags: BTreeMap<String, String>,
    /// `ignore_tags`: keys and key prefixes left alone in `tags_all`.
    pub ignore_tag_keys: Vec<String>,
    pub ignore_tag_prefixes: Vec<String>,
    identity: tokio::sync::OnceCell<Identity>,
    /// How terrane itself behaves (not part of the provider block).
    pub settings: Settings,
}

/// terrane's own behaviour around AWS operations, set by the command line or the
/// environment rather than the configuration (which stays portable to Terraform).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Wait for an Auto Scaling instance refresh that apply starts to finish (and fail the
    /// apply if it fails). Terraform's provider starts it and returns.
    pub wait_for_instance_refresh: bool,
}

impl Settings {
    /// The defaults, with `TERRANE_WAIT_FOR_INSTANCE_REFRESH=false` (or `0`, `no`) turning
    /// the waiting off.
    pub fn from_env() -> Settings {
        let off = std::env::var("TERRANE_WAIT_FOR_INSTANCE_REFRESH").is_ok_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "false" | "0" | "no" | "off"
            )
        });
        Settings {
            wait_for_instance_refresh: !off,
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings::from_env()
    }
}

impl std::fmt::Debug for Aws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aws")
            .field("region", &self.region)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

fn first_block<'a>(config: &'a Value, name: &str) -> Option<&'a Value> {
    known(config, name)
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
}

fn config_error(name: &str, summary: impl Into<String>) -> ProviderError {
    ProviderError::new(summary).with_attribute(AttrPath::attr(name))
}

impl Aws {
    /// Builds the configuration from the provider block (an object shaped by
    /// [`config_schema`]) and checks the credentials unless told not to.
    pub async fn configure(config: &Value, settings: Settings) -> Result<Aws, ProviderError> {
        // The SDK cannot resolve an endpoint from an empty URL (it panics): say so first.
        if let Some((name, _)) = std::env::vars_os().find(|(k, v)| {
            k.to_str()
                .is_some_and(|k| k.starts_with("AWS_ENDPOINT_URL"))
                && v.to_str().is_some_and(|v| v.trim().is_empty())
        }) {
            return Err(ProviderError::new(format!(
                "{} is set but empty",
                name.to_string_lossy()
            ))
            .with_hint("Unset it to use AWS's own endpoints, or set it to a URL such as http://127.0.0.1:5000 (the local emulator)."));
        }
        for (service, url) in first_block(config, "endpoints")
            .and_then(Value::as_entries)
            .into_iter()
            .flatten()
        {
            if url.as_str().is_some_and(|u| u.trim().is_empty()) {
                return Err(config_error(
                    "endpoints",
                    format!("endpoints.{service} is empty"),
                ));
            }
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = string(config, "region") {
            loader = loader.region(Region::new(region.to_owned()));
        }
        if let Some(profile) = string(config, "profile") {
            loader = loader.profile_name(profile);
        }
        let config_files = strings(config, "shared_config_files");
        let credential_files = strings(config, "shared_credentials_files");
        if !config_files.is_empty() || !credential_files.is_empty() {
            use aws_runtime::env_config::file::{
                EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
            };
            let mut files = ProfileFiles::builder();
            for f in &config_files {
                files = files.with_file(ProfileFileKind::Config, f);
            }
            for f in &credential_files {
                files = files.with_file(ProfileFileKind::Credentials, f);
            }
            loader = loader.profile_files(files.build());
        }
        match (string(config, "access_key"), string(config, "secret_key")) {
            (Some(key), Some(secret)) => {
                let creds = aws_credential_types::Credentials::new(
                    key,
                    secret,
                    string(config, "token").map(str::to_owned),
                    None,
                    "provider block",
                );
                loader = loader.credentials_provider(creds);
            }
            (Some(_), None) => {
                return Err(config_error(
                    "secret_key",
                    "access_key is set without secret_key",
                )
                .with_hint("Set both, or neither and let the environment or a profile provide credentials."));
            }
            (None, Some(_)) => {
                return Err(config_error(
                    "access_key",
                    "secret_key is set without access_key",
                ));
            }
            (None, None) => {}
        }
        let max_retries = integer(config, "max_retries")?.unwrap_or(10).clamp(0, 100) as u32;
        let mode = string(config, "retry_mode").unwrap_or("standard");
        let retry = match mode {
            "adaptive" => RetryConfig::adaptive(),
            "standard" => RetryConfig::standard(),
            other => {
                return Err(config_error(
                    "retry_mode",
                    format!("retry_mode must be \"standard\" or \"adaptive\", not {other:?}"),
                ));
            }
        };
        loader = loader.retry_config(
            retry
                .with_max_attempts(max_retries + 1)
                .with_initial_backoff(Duration::from_millis(100))
                .with_max_backoff(Duration::from_secs(5)),
        );
        let mut sdk = loader.load().await;
        let Some(region) = sdk.region().map(|r| r.as_ref().to_owned()) else {
            return Err(ProviderError::new("The AWS region is not set").with_hint(
                "Set `region` in the provider \"aws\" block, or AWS_REGION in the environment, or `region` in your AWS profile.",
            ));
        };
        if let Some(role) = first_block(config, "assume_role")
            && let Some(arn) = string(role, "role_arn")
        {
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(arn)
                .configure(&sdk)
                .session_name(string(role, "session_name").unwrap_or("terrane"));
            if let Some(id) = string(role, "external_id") {
                builder = builder.external_id(id);
            }
            if let Some(d) = string(role, "duration") {
                let secs = parse_duration(d).ok_or_else(|| {
                    config_error(
                        "assume_role",
                        format!(
                            "assume_role.duration {d:?} is not a duration such as \"1h\" or \"15m\""
                        ),
                    )
                })?;
                builder = builder.session_length(Duration::from_secs(secs));
            }
            let provider = builder.build().await;
            sdk = sdk
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build();
        }
        let mut endpoints = BTreeMap::new();
        if let Some(e) = first_block(config, "endpoints") {
            for names in ENDPOINT_NAMES {
                if let Some(url) = names.iter().find_map(|n| string(e, n)) {
                    endpoints.insert(names[0].to_owned(), url.to_owned());
                }
            }
        }
        let default_tags = first_block(config, "default_tags")
            .and_then(|d| known(d, "tags"))
            .and_then(Value::as_entries)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let ignore = first_block(config, "ignore_tags");
        let aws = Aws {
            sdk,
            region,
            endpoints,
            default_tags,
            ignore_tag_keys: ignore.map(|i| strings(i, "keys")).unwrap_or_default(),
            ignore_tag_prefixes: ignore
                .map(|i| strings(i, "key_prefixes"))
                .unwrap_or_default(),
            identity: tokio::sync::OnceCell::new(),
            settings,
        };
        let allowed = strings(config, "allowed_account_ids");
        let forbidden = strings(config, "forbidden_account_ids");
        let validate = boolean(config, "skip_credentials_validation") != Some(true);
        if validate || !allowed.is_empty() || !forbidden.is_empty() {
            let id = aws.identity().await?;
            if !allowed.is_empty() && !allowed.contains(&id.account_id) {
                return Err(config_error(
                    "allowed_account_ids",
                    format!("AWS account {} is not allowed", id.account_id),
                ));
            }
            if forbidden.contains(&id.account_id) {
                return Err(config_error(
                    "forbidden_account_ids",
                    format!("AWS account {} is forbidden", id.account_id),
                ));
            }
        }
        Ok(aws)
    }

    /// The endpoint URL the `endpoints` block sets for a service (`ec2`, `elbv2`, ...).
    /// Without one, the SDK uses AWS_ENDPOINT_URL(_SERVICE) or AWS's own.
    pub fn endpoint(&self, service: &str) -> Option<String> {
        self.endpoints.get(service).cloned()
    }

    /// The partition of the region: `aws`, `aws-cn`, `aws-us-gov`, ...
    pub fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    /// The partition's DNS suffix.
    pub fn dns_suffix(&self) -> &'static str {
        match self.partition() {
            "aws-cn" => "amazonaws.com.cn",
            _ => "amazonaws.com",
        }
    }

    /// The caller's identity (one STS call per provider instance, then cached).
    pub async fn identity(&self) -> Result<Identity, ProviderError> {
        self.identity
            .get_or_try_init(|| async {
                let mut conf = aws_sdk_sts::config::Builder::from(&self.sdk);
                if let Some(url) = self.endpoint("sts") {
                    conf = conf.endpoint_url(url);
                }
                let sts = aws_sdk_sts::Client::from_conf(conf.build());
                let out = sts.get_caller_identity().send().await.map_err(|e| {
                    sdk_error("validating the AWS credentials (STS GetCallerIdentity)", e)
                        .with_hint("terrane reads credentials as the AWS CLI does: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, SSO, or the instance's role. Set skip_credentials_validation = true in the provider block to skip this check.")
                })?;
                Ok(Identity {
                    account_id: out.account().unwrap_or_default().to_owned(),
                    arn: out.arn().unwrap_or_default().to_owned(),
                    user_id: out.user_id().unwrap_or_default().to_owned(),
                })
            })
            .await
            .cloned()
    }
}

/// The partition a region belongs to.
pub(crate) fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// "1h", "15m", "900s", "1h30m" → seconds.
fn parse_duration(text: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
    }
    digits.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partitions() {
        assert_eq!(partition_of("eu-west-3"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }

    #[test]
    fn role_session_durations_read_like_terraforms() {
        assert_eq!(parse_duration("1h"), Some(3600));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("900s"), Some(900));
        assert_eq!(parse_duration("15"), None);
        assert_eq!(parse_duration("1d"), None);
    }
}
