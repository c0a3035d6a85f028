//! `data "aws_ami"`: one machine image, found by owners, `filter` blocks, executable users
//! and `name_regex` (applied to what AWS returns). More than one match is an error unless
//! `most_recent = true`, which takes the newest by creation date, as in Terraform.

use crate::common::{Ec2, config_filters, filter_block, string_or_empty};
use async_trait::async_trait;
use aws_sdk_ec2::types::{BlockDeviceMapping, Image};
use regex::Regex;
use std::sync::Arc;
use terrane_aws_core::{sdk_error, tags};
use terrane_sdk::read::{self, arg_error, conform};
use terrane_sdk::{Attribute, Block, DataSource, ProviderError, Schema};
use terrane_types::{Type, Value};

/// Computed string attributes, read as Terraform reads them (empty when AWS leaves them out).
const COMPUTED_STRINGS: &[&str] = &[
    "architecture",
    "arn",
    "boot_mode",
    "creation_date",
    "deprecation_time",
    "description",
    "hypervisor",
    "image_id",
    "image_location",
    "image_owner_alias",
    "image_type",
    "imds_support",
    "kernel_id",
    "last_launched_time",
    "name",
    "owner_id",
    "platform",
    "platform_details",
    "ramdisk_id",
    "root_device_name",
    "root_device_type",
    "root_snapshot_id",
    "sriov_net_support",
    "state",
    "tpm_support",
    "usage_operation",
    "virtualization_type",
];

fn mapping_type() -> Type {
    Type::Object(
        [
            ("device_name".to_owned(), Type::String),
            ("ebs".to_owned(), Type::map(Type::String)),
            ("no_device".to_owned(), Type::String),
            ("virtual_name".to_owned(), Type::String),
        ]
        .into(),
    )
}

fn product_code_type() -> Type {
    Type::Object(
        [
            ("product_code_id".to_owned(), Type::String),
            ("product_code_type".to_owned(), Type::String),
        ]
        .into(),
    )
}

pub(crate) fn schema() -> Schema {
    let block = COMPUTED_STRINGS.iter().fold(
        Block::new().describe("Looks up one machine image (AMI)."),
        |b, name| b.attr(name, Attribute::computed(Type::String)),
    );
    Schema::new(
        block
            .attr(
                "owners",
                Attribute::optional(Type::list(Type::String))
                    .describe("Account ids, self, or aliases such as amazon."),
            )
            .attr(
                "most_recent",
                Attribute::optional(Type::Bool)
                    .describe("Take the newest when several images match."),
            )
            .attr(
                "name_regex",
                Attribute::optional(Type::String)
                    .describe("A regular expression the image name must match."),
            )
            .attr(
                "executable_users",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr("include_deprecated", Attribute::optional(Type::Bool))
            .attr("ena_support", Attribute::computed(Type::Bool))
            .attr("public", Attribute::computed(Type::Bool))
            .attr(
                "block_device_mappings",
                Attribute::computed(Type::set(mapping_type())),
            )
            .attr(
                "product_codes",
                Attribute::computed(Type::set(product_code_type())),
            )
            .attr("state_reason", Attribute::computed(Type::map(Type::String)))
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String))
            .block("filter", filter_block()),
    )
}

pub(crate) struct AmiData {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl AmiData {
    pub(crate) fn new(ec2: Arc<Ec2>) -> AmiData {
        AmiData {
            ec2,
            schema: schema(),
        }
    }
}

/// Seconds since the epoch of an RFC 3339 creation date (unparseable: the earliest).
fn created_at(image: &Image) -> i128 {
    image
        .creation_date()
        .and_then(|d| {
            time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).ok()
        })
        .map_or(i128::MIN, |t| t.unix_timestamp_nanos())
}

/// The one image a query selects: those whose name matches `name_regex` (when given); an
/// error when none is left, or when several are and `most_recent` is not set; else the
/// newest (the first of equally new ones).
fn choose(
    images: Vec<Image>,
    name_regex: Option<&Regex>,
    most_recent: bool,
) -> Result<Image, ProviderError> {
    let mut images: Vec<Image> = match name_regex {
        Some(r) => images
            .into_iter()
            .filter(|i| i.name().is_some_and(|n| !n.is_empty() && r.is_match(n)))
            .collect(),
        None => images,
    };
    if images.is_empty() {
        return Err(ProviderError::new(
            "Your query returned no results. Please change your search criteria and try again.",
        ));
    }
    if images.len() > 1 && !most_recent {
        return Err(ProviderError::new(
            "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.",
        )
        .with_detail(format!("{} images match.", images.len())));
    }
    let mut best = 0;
    for (i, image) in images.iter().enumerate() {
        if created_at(image) > created_at(&images[best]) {
            best = i;
        }
    }
    Ok(images.swap_remove(best))
}

fn flag(b: Option<bool>) -> String {
    b.unwrap_or(false).to_string()
}

fn number(n: Option<i32>) -> String {
    n.unwrap_or(0).to_string()
}

fn mapping(m: &BlockDeviceMapping) -> Value {
    let ebs = match m.ebs() {
        Some(e) => Value::map([
            (
                "delete_on_termination",
                Value::string(flag(e.delete_on_termination())),
            ),
            ("encrypted", Value::string(flag(e.encrypted()))),
            ("iops", Value::string(number(e.iops()))),
            (
                "snapshot_id",
                Value::string(e.snapshot_id().unwrap_or_default()),
            ),
            ("throughput", Value::string(number(e.throughput()))),
            ("volume_size", Value::string(number(e.volume_size()))),
            (
                "volume_type",
                Value::string(e.volume_type().map(|t| t.as_str()).unwrap_or_default()),
            ),
        ]),
        None => Value::Null(Type::map(Type::String)),
    };
    Value::object([
        ("device_name", string_or_empty(m.device_name())),
        ("ebs", ebs),
        ("no_device", string_or_empty(m.no_device())),
        ("virtual_name", string_or_empty(m.virtual_name())),
    ])
}

/// The snapshot behind the root device, if it is an EBS volume.
fn root_snapshot(image: &Image) -> Option<&str> {
    let root = image.root_device_name()?;
    image
        .block_device_mappings()
        .iter()
        .filter(|m| m.device_name() == Some(root))
        .find_map(|m| m.ebs().and_then(|e| e.snapshot_id()))
}

#[async_trait]
impl DataSource for AmiData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let name_regex = match read::string(config, "name_regex") {
            Some(r) => Some(Regex::new(r).map_err(|e| {
                arg_error("name_regex", "name_regex is not a valid regular expression")
                    .with_detail(e.to_string())
            })?),
            None => None,
        };
        let owners = read::strings(config, "owners");
        if read::known(config, "owners").is_some() && owners.is_empty() {
            return Err(arg_error(
                "owners",
                "owners must list at least one account id, self, or alias such as amazon",
            ));
        }
        let users = read::strings(config, "executable_users");
        let filters = config_filters(config);
        let mut pages = self
            .ec2
            .client
            .describe_images()
            .include_deprecated(read::boolean(config, "include_deprecated").unwrap_or(false))
            .set_owners((!owners.is_empty()).then_some(owners))
            .set_executable_users((!users.is_empty()).then_some(users))
            .set_filters((!filters.is_empty()).then_some(filters))
            .into_paginator()
            .send();
        let mut images = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading EC2 AMIs", e))?;
            images.extend(page.images().iter().cloned());
        }
        let most_recent = read::boolean(config, "most_recent").unwrap_or(false);
        let image = choose(images, name_regex.as_ref(), most_recent)?;
        let id = image.image_id().unwrap_or_default().to_owned();
        let aws = &self.ec2.aws;
        let strings: [(&str, Option<&str>); 26] = [
            ("architecture", image.architecture().map(|a| a.as_str())),
            ("boot_mode", image.boot_mode().map(|b| b.as_str())),
            ("creation_date", image.creation_date()),
            ("deprecation_time", image.deprecation_time()),
            ("description", image.description()),
            ("hypervisor", image.hypervisor().map(|h| h.as_str())),
            ("image_id", Some(id.as_str())),
            ("image_location", image.image_location()),
            ("image_owner_alias", image.image_owner_alias()),
            ("image_type", image.image_type().map(|t| t.as_str())),
            ("imds_support", image.imds_support().map(|s| s.as_str())),
            ("kernel_id", image.kernel_id()),
            ("last_launched_time", image.last_launched_time()),
            ("name", image.name()),
            ("owner_id", image.owner_id()),
            ("platform", image.platform().map(|p| p.as_str())),
            ("platform_details", image.platform_details()),
            ("ramdisk_id", image.ramdisk_id()),
            ("root_device_name", image.root_device_name()),
            (
                "root_device_type",
                image.root_device_type().map(|t| t.as_str()),
            ),
            ("root_snapshot_id", root_snapshot(&image)),
            ("sriov_net_support", image.sriov_net_support()),
            ("state", image.state().map(|s| s.as_str())),
            ("tpm_support", image.tpm_support().map(|t| t.as_str())),
            ("usage_operation", image.usage_operation()),
            (
                "virtualization_type",
                image.virtualization_type().map(|v| v.as_str()),
            ),
        ];
        let mut out = config.as_entries().cloned().unwrap_or_default();
        for (k, v) in strings {
            out.insert(k.to_owned(), string_or_empty(v));
        }
        // Images belong to no account in their ARN (as Terraform builds it).
        out.insert(
            "arn".into(),
            Value::string(format!(
                "arn:{}:ec2:{}::image/{id}",
                aws.partition(),
                aws.region
            )),
        );
        out.insert("id".into(), Value::string(&id));
        out.insert(
            "ena_support".into(),
            Value::Bool(image.ena_support().unwrap_or(false)),
        );
        out.insert(
            "public".into(),
            Value::Bool(image.public().unwrap_or(false)),
        );
        out.insert(
            "block_device_mappings".into(),
            Value::set(image.block_device_mappings().iter().map(mapping).collect()),
        );
        out.insert(
            "product_codes".into(),
            Value::set(
                image
                    .product_codes()
                    .iter()
                    .map(|p| {
                        Value::object([
                            ("product_code_id", string_or_empty(p.product_code_id())),
                            (
                                "product_code_type",
                                string_or_empty(p.product_code_type().map(|t| t.as_str())),
                            ),
                        ])
                    })
                    .collect(),
            ),
        );
        let (code, message) = match image.state_reason() {
            Some(r) => (
                r.code().unwrap_or_default().to_owned(),
                r.message().unwrap_or_default().to_owned(),
            ),
            None => ("UNSET".to_owned(), "UNSET".to_owned()),
        };
        out.insert(
            "state_reason".into(),
            Value::map([
                ("code", Value::string(code)),
                ("message", Value::string(message)),
            ]),
        );
        let all_tags = tags::kept(
            aws,
            image
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or("").to_owned()))),
        );
        out.insert("tags".into(), tags::tags_value(&all_tags));
        Ok(conform(&self.schema.block, Value::Object(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, name: &str, created: &str) -> Image {
        Image::builder()
            .image_id(id)
            .name(name)
            .creation_date(created)
            .build()
    }

    fn images() -> Vec<Image> {
        vec![
            image("ami-1", "web-2024-01", "2024-01-10T10:00:00.000Z"),
            image("ami-2", "web-2024-03", "2024-03-10T10:00:00.000Z"),
            image("ami-3", "db-2024-05", "2024-05-10T10:00:00.000Z"),
            image("ami-4", "web-2024-02", "2024-02-10T10:00:00.000Z"),
        ]
    }

    #[test]
    fn most_recent_takes_the_newest_match_of_the_name_regex() {
        let r = Regex::new("^web-").unwrap();
        let chosen = choose(images(), Some(&r), true).unwrap();
        assert_eq!(chosen.image_id(), Some("ami-2"));
        let chosen = choose(images(), None, true).unwrap();
        assert_eq!(chosen.image_id(), Some("ami-3"));
    }

    #[test]
    fn several_matches_without_most_recent_are_an_error_and_none_is_too() {
        let r = Regex::new("^web-").unwrap();
        let e = choose(images(), Some(&r), false).unwrap_err();
        assert!(e.summary.contains("more than one result"), "{e:?}");
        assert!(e.summary.contains("`most_recent`"), "{e:?}");
        let r = Regex::new("^db-").unwrap();
        assert_eq!(
            choose(images(), Some(&r), false).unwrap().image_id(),
            Some("ami-3")
        );
        let r = Regex::new("^nothing").unwrap();
        let e = choose(images(), Some(&r), true).unwrap_err();
        assert!(
            e.summary.starts_with("Your query returned no results"),
            "{e:?}"
        );
    }

    #[test]
    fn equally_new_images_resolve_to_the_first() {
        let same = vec![
            image("ami-a", "x", "2024-01-01T00:00:00.000Z"),
            image("ami-b", "x", "2024-01-01T00:00:00.000Z"),
            image("ami-c", "x", "not a date"),
        ];
        assert_eq!(choose(same, None, true).unwrap().image_id(), Some("ami-a"));
    }
}
