//! `aws_launch_template`: instance settings that Auto Scaling groups and instances launch
//! from, as in Terraform's AWS provider. Changing the template's data (everything but its
//! name, the version pointers and tags) creates a new version in place
//! (CreateLaunchTemplateVersion) rather than replacing the template: the plan shows
//! `latest_version` as known after apply, and `default_version` too when
//! `update_default_version` is set (ModifyLaunchTemplate points the default at the new
//! version).
//!
//! Refresh costs ceil(N / 200) DescribeLaunchTemplates calls for N templates (AWS has no
//! template id filter: the names in the state are filtered on, and ids checked), plus one
//! DescribeLaunchTemplateVersions call per template whose latest version is not the one the
//! state records; the data of unchanged templates is kept from the state.

use crate::common::{self, Ec2, IDS_PER_CALL, arn, filter, id_of, in_order, string_set, to_tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    InstanceType, LaunchTemplate, LaunchTemplateBlockDeviceMappingRequest,
    LaunchTemplateEbsBlockDeviceRequest, LaunchTemplateHttpTokensState,
    LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    LaunchTemplateInstanceMetadataProtocolIpv6, LaunchTemplateInstanceMetadataTagsState,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplatesMonitoringRequest,
    RequestLaunchTemplateData, ResourceType, ResponseLaunchTemplateData, ShutdownBehavior,
    VolumeType,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::naming;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, boolean, conform, int_value, is_set, known, strings};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// Attributes that are not part of the template's data: changing them makes no new version.
const NOT_DATA: [&str; 9] = [
    "arn",
    "default_version",
    "id",
    "latest_version",
    "name",
    "name_prefix",
    "tags",
    "tags_all",
    "update_default_version",
];

fn s() -> Attribute {
    Attribute::optional(Type::String)
}

/// Terraform keeps these booleans as strings so that "unset" differs from false.
fn string_bool() -> Attribute {
    Attribute::optional(Type::String).describe("\"true\", \"false\", or unset.")
}

fn ebs_block() -> Block {
    Block::new()
        .attr("delete_on_termination", string_bool())
        .attr("encrypted", string_bool())
        .attr("iops", Attribute::optional_computed(Type::Number))
        .attr("kms_key_id", s())
        .attr("snapshot_id", s())
        .attr("throughput", Attribute::optional_computed(Type::Number))
        .attr(
            "volume_size",
            Attribute::optional_computed(Type::Number).describe("GiB."),
        )
        .attr(
            "volume_type",
            Attribute::optional_computed(Type::String).describe("gp3, gp2, io2, ..."),
        )
}

fn block_device_block() -> Block {
    Block::new()
        .attr("device_name", s().describe("e.g. /dev/xvda."))
        .attr("no_device", s())
        .attr("virtual_name", s())
        .block(
            "ebs",
            NestedBlock::new(Nesting::List, ebs_block()).items(0, 1),
        )
}

fn network_interface_block() -> Block {
    Block::new()
        .attr("associate_public_ip_address", string_bool())
        .attr("delete_on_termination", string_bool())
        .attr("description", s())
        .attr("device_index", Attribute::optional(Type::Number))
        .attr("network_interface_id", s())
        .attr("private_ip_address", s())
        .attr(
            "security_groups",
            Attribute::optional(Type::set(Type::String)).describe("Security group ids."),
        )
        .attr("subnet_id", s())
}

fn metadata_block() -> Block {
    Block::new()
        .attr(
            "http_endpoint",
            Attribute::optional_computed(Type::String).describe("enabled or disabled."),
        )
        .attr(
            "http_protocol_ipv6",
            Attribute::optional_computed(Type::String),
        )
        .attr(
            "http_put_response_hop_limit",
            Attribute::optional_computed(Type::Number),
        )
        .attr(
            "http_tokens",
            Attribute::optional_computed(Type::String).describe("optional, or required (IMDSv2)."),
        )
        .attr(
            "instance_metadata_tags",
            Attribute::optional_computed(Type::String),
        )
}

pub(crate) fn schema() -> Schema {
    let list = |b: Block| NestedBlock::new(Nesting::List, b);
    let one = |b: Block| NestedBlock::new(Nesting::List, b).items(0, 1);
    Schema::new(
        Block::new()
            .describe("Settings instances launch with, kept in numbered versions.")
            .attr("arn", Attribute::computed(Type::String))
            .attr(
                "default_version",
                Attribute::optional_computed(Type::Number)
                    .describe("The version launches use unless told otherwise."),
            )
            .attr(
                "description",
                s().describe("Description of the (new) version."),
            )
            .attr("disable_api_stop", Attribute::optional(Type::Bool))
            .attr("disable_api_termination", Attribute::optional(Type::Bool))
            .attr("ebs_optimized", string_bool())
            .attr("id", Attribute::computed(Type::String))
            .attr("image_id", s().describe("The AMI."))
            .attr("instance_initiated_shutdown_behavior", s())
            .attr("instance_type", s())
            .attr("kernel_id", s())
            .attr("key_name", s())
            .attr(
                "latest_version",
                Attribute::computed(Type::Number).describe("The newest version's number."),
            )
            .attr(
                "name",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("ram_disk_id", s())
            .attr(
                "security_group_names",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr(
                "update_default_version",
                Attribute::optional(Type::Bool).describe("Make each new version the default."),
            )
            .attr(
                "user_data",
                s().describe("Base64-encoded, e.g. base64encode(file(\"init.sh\"))."),
            )
            .attr(
                "vpc_security_group_ids",
                Attribute::optional(Type::set(Type::String)),
            )
            .block("block_device_mappings", list(block_device_block()))
            .block(
                "iam_instance_profile",
                one(Block::new().attr("arn", s()).attr("name", s())),
            )
            .block("metadata_options", one(metadata_block()))
            .block(
                "monitoring",
                one(Block::new().attr("enabled", Attribute::optional(Type::Bool))),
            )
            .block("network_interfaces", list(network_interface_block()))
            .block(
                "tag_specifications",
                list(
                    Block::new()
                        .attr("resource_type", s().describe("instance, volume, ..."))
                        .attr("tags", Attribute::optional(Type::map(Type::String))),
                ),
            ),
    )
}

/// Whether a value is what Terraform's SDK stores for "unset": "", 0, false, empty.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.is_zero(),
        Value::Bool(b) => !b,
        Value::List(items) | Value::Set(items) => items.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// Terraform's SDK treats an unset optional argument and its zero value alike: where the
/// plan says null and the prior state holds "", 0, false or [] (as states written by
/// Terraform, or read back from AWS, do), the prior value stands.
pub(crate) fn zero_equivalent(block: &Block, planned: &Value, prior: &Value) -> Value {
    let (Value::Object(p), Value::Object(old)) = (planned, prior) else {
        return planned.clone();
    };
    let mut out = p.clone();
    for (name, attr) in &block.attributes {
        if attr.computed || attr.required {
            continue;
        }
        if let (Some(Value::Null(_)), Some(o)) = (p.get(name), old.get(name))
            && is_zero(o)
        {
            out.insert(name.clone(), o.clone());
        }
    }
    for (name, nested) in &block.blocks {
        let (Some(Value::List(items)), Some(Value::List(old_items))) = (p.get(name), old.get(name))
        else {
            continue;
        };
        if nested.nesting != Nesting::List || items.len() != old_items.len() {
            continue;
        }
        let items = items
            .iter()
            .zip(old_items)
            .map(|(i, o)| zero_equivalent(&nested.block, i, o))
            .collect();
        out.insert(name.clone(), Value::List(items));
    }
    Value::Object(out)
}

/// Whether the template's data differs between the prior state and the plan (unknown
/// values count as changes).
pub(crate) fn data_changed(block: &Block, prior: &Value, planned: &Value) -> bool {
    block
        .attributes
        .keys()
        .chain(block.blocks.keys())
        .filter(|k| !NOT_DATA.contains(&k.as_str()))
        .any(|k| prior.get_attr(k) != planned.get_attr(k))
}

fn version_of(v: &Value, name: &str) -> Option<i64> {
    known(v, name)
        .and_then(Value::as_number)
        .and_then(terrane_types::Number::to_i64)
}

/// The plan, but for `tags_all`.
fn plan(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
) -> Result<PlannedChange, ProviderError> {
    naming::check_name_conflict(config)?;
    if is_set(config, "default_version") && boolean(config, "update_default_version") == Some(true)
    {
        return Err(arg_error(
            "update_default_version",
            "\"update_default_version\": conflicts with default_version",
        )
        .with_hint(
            "Either pin default_version, or let update_default_version follow the latest version.",
        ));
    }
    let mut change = plan_default(schema, prior, config);
    let prior = prior.filter(|_| change.requires_replace.is_empty());
    let Value::Object(m) = &mut change.planned else {
        return Ok(change);
    };
    // metadata_options is Optional+Computed in Terraform: left out, it is what AWS says.
    let unconfigured = config
        .get_attr("metadata_options")
        .and_then(Value::as_seq)
        .is_some_and(<[Value]>::is_empty);
    if unconfigured {
        let kept = match prior.and_then(|p| p.get_attr("metadata_options")) {
            Some(v) => v.clone(),
            None => Value::Unknown(Type::list(
                nested(&schema.block, "metadata_options").value_type(),
            )),
        };
        m.insert("metadata_options".into(), kept);
    }
    let Some(prior) = prior else {
        return Ok(change);
    };
    change.planned = zero_equivalent(&schema.block, &change.planned, prior);
    let follow_latest = boolean(config, "update_default_version") == Some(true);
    let Value::Object(m) = &mut change.planned else {
        return Ok(change);
    };
    if data_changed(&schema.block, prior, &Value::Object(m.clone())) {
        m.insert("latest_version".into(), Value::Unknown(Type::Number));
        if follow_latest {
            m.insert("default_version".into(), Value::Unknown(Type::Number));
        }
    } else if follow_latest
        && let Some(latest) = version_of(prior, "latest_version")
        && version_of(prior, "default_version") != Some(latest)
    {
        // Turning update_default_version on points the default at the latest version.
        m.insert("default_version".into(), int_value(latest));
    }
    Ok(change)
}

fn text(v: &Value, name: &str) -> Option<String> {
    read::string(v, name)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// "true"/"false" (or "1"/"0") arguments; unset and "" mean "not specified".
fn string_bool_arg(v: &Value, name: &str) -> Result<Option<bool>, ProviderError> {
    match read::string(v, name) {
        None | Some("") => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(arg_error(
            name,
            format!("{name} must be true or false, not {other:?}"),
        )),
    }
}

fn int_arg(v: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    match read::integer(v, name)? {
        None | Some(0) => Ok(None),
        Some(n) => i32::try_from(n)
            .map(Some)
            .map_err(|_| arg_error(name, format!("{name} is out of range: {n}"))),
    }
}

fn first<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    known(v, name)
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first)
}

fn items<'a>(v: &'a Value, name: &str) -> &'a [Value] {
    known(v, name).and_then(Value::as_seq).unwrap_or_default()
}

fn tag_list(v: &Value) -> Vec<aws_sdk_ec2::types::Tag> {
    to_tags(&tags::tags_of(v, "tags"))
}

/// The template data of a planned state, as Terraform's `expandRequestLaunchTemplateData`.
fn expand(p: &Value) -> Result<RequestLaunchTemplateData, ProviderError> {
    // UserData is always sent so that the data is never empty.
    let mut d = RequestLaunchTemplateData::builder()
        .user_data(read::string(p, "user_data").unwrap_or(""))
        .set_image_id(text(p, "image_id"))
        .set_instance_type(text(p, "instance_type").map(|t| InstanceType::from(t.as_str())))
        .set_key_name(text(p, "key_name"))
        .set_kernel_id(text(p, "kernel_id"))
        .set_ram_disk_id(text(p, "ram_disk_id"))
        .set_ebs_optimized(string_bool_arg(p, "ebs_optimized")?)
        .set_instance_initiated_shutdown_behavior(
            text(p, "instance_initiated_shutdown_behavior")
                .map(|b| ShutdownBehavior::from(b.as_str())),
        );
    if boolean(p, "disable_api_termination") == Some(true) {
        d = d.disable_api_termination(true);
    }
    if boolean(p, "disable_api_stop") == Some(true) {
        d = d.disable_api_stop(true);
    }
    let groups = strings(p, "vpc_security_group_ids");
    if !groups.is_empty() {
        d = d.set_security_group_ids(Some(groups));
    }
    let names = strings(p, "security_group_names");
    if !names.is_empty() {
        d = d.set_security_groups(Some(names));
    }
    if let Some(profile) = first(p, "iam_instance_profile") {
        d = d.iam_instance_profile(
            LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                .set_arn(text(profile, "arn"))
                .set_name(text(profile, "name"))
                .build(),
        );
    }
    if let Some(m) = first(p, "monitoring") {
        d = d.monitoring(
            LaunchTemplatesMonitoringRequest::builder()
                .enabled(boolean(m, "enabled").unwrap_or(false))
                .build(),
        );
    }
    if let Some(m) = first(p, "metadata_options") {
        let endpoint = text(m, "http_endpoint");
        let mut o = LaunchTemplateInstanceMetadataOptionsRequest::builder()
            .set_http_endpoint(
                endpoint
                    .as_deref()
                    .map(LaunchTemplateInstanceMetadataEndpointState::from),
            )
            .set_http_protocol_ipv6(
                text(m, "http_protocol_ipv6")
                    .map(|v| LaunchTemplateInstanceMetadataProtocolIpv6::from(v.as_str())),
            );
        // These are refused unless the endpoint is enabled.
        if endpoint.as_deref() != Some("disabled") {
            o = o
                .set_http_tokens(
                    text(m, "http_tokens").map(|v| LaunchTemplateHttpTokensState::from(v.as_str())),
                )
                .set_http_put_response_hop_limit(int_arg(m, "http_put_response_hop_limit")?)
                .set_instance_metadata_tags(
                    text(m, "instance_metadata_tags")
                        .map(|v| LaunchTemplateInstanceMetadataTagsState::from(v.as_str())),
                );
        }
        d = d.metadata_options(o.build());
    }
    for bdm in items(p, "block_device_mappings") {
        let mut b = LaunchTemplateBlockDeviceMappingRequest::builder()
            .set_device_name(text(bdm, "device_name"))
            .set_no_device(text(bdm, "no_device"))
            .set_virtual_name(text(bdm, "virtual_name"));
        if let Some(ebs) = first(bdm, "ebs") {
            b = b.ebs(
                LaunchTemplateEbsBlockDeviceRequest::builder()
                    .set_delete_on_termination(string_bool_arg(ebs, "delete_on_termination")?)
                    .set_encrypted(string_bool_arg(ebs, "encrypted")?)
                    .set_iops(int_arg(ebs, "iops")?)
                    .set_kms_key_id(text(ebs, "kms_key_id"))
                    .set_snapshot_id(text(ebs, "snapshot_id"))
                    .set_throughput(int_arg(ebs, "throughput")?)
                    .set_volume_size(int_arg(ebs, "volume_size")?)
                    .set_volume_type(text(ebs, "volume_type").map(|t| VolumeType::from(t.as_str())))
                    .build(),
            );
        }
        d = d.block_device_mappings(b.build());
    }
    for ni in items(p, "network_interfaces") {
        let device_index = match read::integer(ni, "device_index")? {
            None => None,
            Some(n) => Some(i32::try_from(n).map_err(|_| {
                arg_error(
                    "network_interfaces",
                    format!("device_index is out of range: {n}"),
                )
            })?),
        };
        let groups = strings(ni, "security_groups");
        d = d.network_interfaces(
            LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                .set_associate_public_ip_address(string_bool_arg(
                    ni,
                    "associate_public_ip_address",
                )?)
                .set_delete_on_termination(string_bool_arg(ni, "delete_on_termination")?)
                .set_description(text(ni, "description"))
                .set_device_index(device_index)
                .set_network_interface_id(text(ni, "network_interface_id"))
                .set_private_ip_address(text(ni, "private_ip_address"))
                .set_groups((!groups.is_empty()).then_some(groups))
                .set_subnet_id(text(ni, "subnet_id"))
                .build(),
        );
    }
    for spec in items(p, "tag_specifications") {
        d = d.tag_specifications(
            LaunchTemplateTagSpecificationRequest::builder()
                .set_resource_type(
                    text(spec, "resource_type").map(|t| ResourceType::from(t.as_str())),
                )
                .set_tags(Some(tag_list(spec)))
                .build(),
        );
    }
    Ok(d.build())
}

fn opt_str(s: Option<&str>) -> Value {
    common::string(s)
}

fn opt_int(n: Option<i32>) -> Value {
    common::int(n.map(i64::from))
}

fn opt_bool(b: Option<bool>) -> Value {
    common::boolean(b)
}

/// A boolean AWS reports, as Terraform's string-typed booleans keep it.
fn bool_string(b: Option<bool>) -> Value {
    opt_str(b.map(|b| if b { "true" } else { "false" }))
}

fn nested<'a>(block: &'a Block, name: &str) -> &'a Block {
    static EMPTY: std::sync::OnceLock<Block> = std::sync::OnceLock::new();
    block
        .blocks
        .get(name)
        .map(|b| &b.block)
        .unwrap_or_else(|| EMPTY.get_or_init(Block::new))
}

fn object<'a>(block: &Block, attrs: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    conform(block, Value::object(attrs))
}

/// The data attributes of a version, as Terraform's `flattenResponseLaunchTemplateData`.
fn flatten(
    block: &Block,
    description: Option<&str>,
    d: &ResponseLaunchTemplateData,
) -> BTreeMap<String, Value> {
    let bdm_block = nested(block, "block_device_mappings");
    let ebs_block = nested(bdm_block, "ebs");
    let block_devices = d
        .block_device_mappings()
        .iter()
        .map(|b| {
            let ebs: Vec<Value> = b
                .ebs()
                .map(|e| {
                    object(
                        ebs_block,
                        [
                            (
                                "delete_on_termination",
                                bool_string(e.delete_on_termination()),
                            ),
                            ("encrypted", bool_string(e.encrypted())),
                            ("iops", opt_int(e.iops())),
                            ("kms_key_id", opt_str(e.kms_key_id())),
                            ("snapshot_id", opt_str(e.snapshot_id())),
                            ("throughput", opt_int(e.throughput())),
                            ("volume_size", opt_int(e.volume_size())),
                            (
                                "volume_type",
                                opt_str(e.volume_type().map(VolumeType::as_str)),
                            ),
                        ],
                    )
                })
                .into_iter()
                .collect();
            object(
                bdm_block,
                [
                    ("device_name", opt_str(b.device_name())),
                    ("no_device", opt_str(b.no_device())),
                    ("virtual_name", opt_str(b.virtual_name())),
                    ("ebs", Value::List(ebs)),
                ],
            )
        })
        .collect();
    let profile = d
        .iam_instance_profile()
        .map(|p| {
            object(
                nested(block, "iam_instance_profile"),
                [("arn", opt_str(p.arn())), ("name", opt_str(p.name()))],
            )
        })
        .into_iter()
        .collect();
    let metadata = d
        .metadata_options()
        .map(|m| {
            object(
                nested(block, "metadata_options"),
                [
                    (
                        "http_endpoint",
                        opt_str(m.http_endpoint().map(|v| v.as_str())),
                    ),
                    (
                        "http_protocol_ipv6",
                        opt_str(m.http_protocol_ipv6().map(|v| v.as_str())),
                    ),
                    (
                        "http_put_response_hop_limit",
                        opt_int(m.http_put_response_hop_limit()),
                    ),
                    ("http_tokens", opt_str(m.http_tokens().map(|v| v.as_str()))),
                    (
                        "instance_metadata_tags",
                        opt_str(m.instance_metadata_tags().map(|v| v.as_str())),
                    ),
                ],
            )
        })
        .into_iter()
        .collect();
    let monitoring = d
        .monitoring()
        .map(|m| {
            object(
                nested(block, "monitoring"),
                [("enabled", opt_bool(m.enabled()))],
            )
        })
        .into_iter()
        .collect();
    let ni_block = nested(block, "network_interfaces");
    let interfaces = d
        .network_interfaces()
        .iter()
        .map(|n| {
            object(
                ni_block,
                [
                    (
                        "associate_public_ip_address",
                        bool_string(n.associate_public_ip_address()),
                    ),
                    (
                        "delete_on_termination",
                        bool_string(n.delete_on_termination()),
                    ),
                    ("description", opt_str(n.description())),
                    ("device_index", opt_int(n.device_index())),
                    ("network_interface_id", opt_str(n.network_interface_id())),
                    ("private_ip_address", opt_str(n.private_ip_address())),
                    ("security_groups", string_set(n.groups())),
                    ("subnet_id", opt_str(n.subnet_id())),
                ],
            )
        })
        .collect();
    let spec_block = nested(block, "tag_specifications");
    let specs = d
        .tag_specifications()
        .iter()
        // Tags of the template itself are not instance settings (an emulator echoes them).
        .filter(|t| t.resource_type() != Some(&ResourceType::LaunchTemplate))
        .map(|t| {
            let tags: BTreeMap<String, String> = t
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or("").to_owned())))
                .collect();
            object(
                spec_block,
                [
                    (
                        "resource_type",
                        opt_str(t.resource_type().map(ResourceType::as_str)),
                    ),
                    ("tags", tags::tags_value(&tags)),
                ],
            )
        })
        .collect();
    BTreeMap::from([
        ("description".to_owned(), opt_str(description)),
        ("image_id".into(), opt_str(d.image_id())),
        (
            "instance_type".into(),
            opt_str(d.instance_type().map(InstanceType::as_str)),
        ),
        ("key_name".into(), opt_str(d.key_name())),
        ("kernel_id".into(), opt_str(d.kernel_id())),
        ("ram_disk_id".into(), opt_str(d.ram_disk_id())),
        ("user_data".into(), opt_str(d.user_data())),
        ("ebs_optimized".into(), bool_string(d.ebs_optimized())),
        (
            "disable_api_termination".into(),
            opt_bool(d.disable_api_termination()),
        ),
        ("disable_api_stop".into(), opt_bool(d.disable_api_stop())),
        (
            "instance_initiated_shutdown_behavior".into(),
            opt_str(
                d.instance_initiated_shutdown_behavior()
                    .map(ShutdownBehavior::as_str),
            ),
        ),
        (
            "vpc_security_group_ids".into(),
            string_set(d.security_group_ids()),
        ),
        (
            "security_group_names".into(),
            string_set(d.security_groups()),
        ),
        ("block_device_mappings".into(), Value::List(block_devices)),
        ("iam_instance_profile".into(), Value::List(profile)),
        ("metadata_options".into(), Value::List(metadata)),
        ("monitoring".into(), Value::List(monitoring)),
        ("network_interfaces".into(), Value::List(interfaces)),
        ("tag_specifications".into(), Value::List(specs)),
    ])
}

/// Error codes meaning the template does not exist (AWS's, and the emulator's).
fn template_gone(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "InvalidLaunchTemplateId.NotFound"
                | "InvalidLaunchTemplateName.NotFoundException"
                | "InvalidLaunchTemplateId.Malformed"
        )
    )
}

pub(crate) struct LaunchTemplateResource {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl LaunchTemplateResource {
    pub(crate) fn new(ec2: Arc<Ec2>) -> LaunchTemplateResource {
        LaunchTemplateResource {
            ec2,
            schema: schema(),
        }
    }

    /// One template by id (None if it does not exist).
    async fn find(&self, id: &str) -> Result<Option<LaunchTemplate>, ProviderError> {
        let out = self
            .ec2
            .client
            .describe_launch_templates()
            .launch_template_ids(id)
            .send()
            .await;
        match out {
            Ok(o) => Ok(o
                .launch_templates()
                .iter()
                .find(|t| t.launch_template_id() == Some(id))
                .cloned()),
            Err(e) if template_gone(e.aws_code()) => Ok(None),
            Err(e) => Err(sdk_error(&format!("reading EC2 Launch Template ({id})"), e)),
        }
    }

    /// The data of one version.
    async fn version_data(
        &self,
        id: &str,
        version: i64,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let action = format!("reading EC2 Launch Template ({id}) Version ({version})");
        let out = self
            .ec2
            .client
            .describe_launch_template_versions()
            .launch_template_id(id)
            .versions(version.to_string())
            .send()
            .await
            .map_err(|e| sdk_error(&action, e))?;
        let v = out
            .launch_template_versions()
            .iter()
            .find(|v| v.version_number() == Some(version))
            .ok_or_else(|| ProviderError::new(action.clone()).with_detail("No such version."))?;
        let empty = ResponseLaunchTemplateData::builder().build();
        Ok(flatten(
            &self.schema.block,
            v.version_description(),
            v.launch_template_data().unwrap_or(&empty),
        ))
    }

    /// A template's state: its version data read again unless the prior state records the
    /// same latest version (or `fresh` asks for it).
    async fn state(
        &self,
        t: &LaunchTemplate,
        prior: Option<&Value>,
        fresh: bool,
    ) -> Result<Option<Value>, ProviderError> {
        let Some(id) = t.launch_template_id() else {
            return Ok(None);
        };
        let latest = t.latest_version_number().unwrap_or(1);
        let recorded = prior.and_then(|p| version_of(p, "latest_version"));
        let mut attrs = match prior {
            Some(p) if !fresh && recorded == Some(latest) => p
                .as_entries()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| !NOT_DATA.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            _ => self.version_data(id, latest).await?,
        };
        let account = self.ec2.aws.identity().await?.account_id;
        let name = t.launch_template_name().unwrap_or_default();
        let (tags_value, tags_all) = self.ec2.tag_values(t.tags(), prior);
        attrs.extend([
            ("id".to_owned(), Value::string(id)),
            (
                "arn".into(),
                Value::string(arn(&self.ec2.aws, &account, "launch-template", id)),
            ),
            ("name".into(), Value::string(name)),
            ("name_prefix".into(), Value::string(naming::prefix_of(name))),
            ("latest_version".into(), int_value(latest)),
            (
                "default_version".into(),
                int_value(t.default_version_number().unwrap_or(1)),
            ),
            (
                "update_default_version".into(),
                prior
                    .and_then(|p| p.get_attr("update_default_version"))
                    .cloned()
                    .unwrap_or(Value::Null(Type::Bool)),
            ),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        let state = conform(&self.schema.block, Value::Object(attrs));
        Ok(Some(match prior {
            Some(p) => zero_equivalent(&self.schema.block, &state, p),
            None => state,
        }))
    }

    async fn read_full(
        &self,
        id: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        match self.find(id).await? {
            Some(t) => self.state(&t, prior, true).await,
            None => Ok(None),
        }
    }

    async fn must_read(&self, id: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_full(id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading EC2 Launch Template ({id})"))
                .with_detail("The launch template disappeared right after it was changed.")
        })
    }
}

#[async_trait]
impl Resource for LaunchTemplateResource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let mut change = plan(&self.schema, prior, config)?;
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let c = &self.ec2.client;
        let name = naming::name_to_create(planned);
        let action = format!("creating EC2 Launch Template ({name})");
        let out = c
            .create_launch_template()
            .client_token(naming::unique_name("terrane-"))
            .launch_template_name(&name)
            .set_version_description(text(planned, "description"))
            .launch_template_data(expand(planned)?)
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::LaunchTemplate, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| sdk_error(&action, e))?;
        let id = out
            .launch_template()
            .and_then(LaunchTemplate::launch_template_id)
            .ok_or_else(|| ProviderError::new(action.clone()).with_detail("AWS returned no id."))?
            .to_owned();
        // New templates can take a moment to be visible to Describe calls.
        let template = wait::until(
            &format!("EC2 Launch Template ({id}) create"),
            Duration::from_secs(120),
            ctx,
            || async {
                Ok(match self.find(&id).await? {
                    Some(t) => Poll::Done(t),
                    None => Poll::Pending("not visible yet".into()),
                })
            },
        )
        .await?;
        self.state(&template, Some(planned), true)
            .await?
            .ok_or_else(|| ProviderError::new(action).with_detail("AWS returned no id."))
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating EC2 Launch Template").with_detail("The state has no id.")
        })?;
        let c = &self.ec2.client;
        let mut latest = version_of(prior, "latest_version");
        if data_changed(&self.schema.block, prior, planned) {
            // The whole data, as Terraform sends it: a new version based on another
            // (SourceVersion) would keep arguments the configuration no longer sets.
            let out = c
                .create_launch_template_version()
                .client_token(naming::unique_name("terrane-"))
                .launch_template_id(id)
                .set_version_description(text(planned, "description"))
                .launch_template_data(expand(planned)?)
                .send()
                .await
                .map_err(|e| {
                    sdk_error(&format!("creating EC2 Launch Template ({id}) Version"), e)
                })?;
            latest = out
                .launch_template_version()
                .and_then(|v| v.version_number())
                .or(latest);
        }
        let default = if boolean(planned, "update_default_version") == Some(true) {
            latest.filter(|l| Some(*l) != version_of(prior, "default_version"))
        } else {
            version_of(planned, "default_version")
                .filter(|d| Some(*d) != version_of(prior, "default_version"))
        };
        if let Some(default) = default {
            c.modify_launch_template()
                .launch_template_id(id)
                .default_version(default.to_string())
                .send()
                .await
                .map_err(|e| {
                    sdk_error(&format!("updating EC2 Launch Template ({id})"), e)
                        .with_attribute(AttrPath::attr("default_version"))
                })?;
        }
        self.ec2.update_tags(id, prior, planned).await?;
        self.must_read(id, planned).await
    }

    async fn delete(&self, prior: &Value, _: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        match self
            .ec2
            .client
            .delete_launch_template()
            .launch_template_id(id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if template_gone(e.aws_code()) => Ok(()),
            Err(e) => Err(sdk_error(
                &format!("deleting EC2 Launch Template ({id})"),
                e,
            )),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        // Names are unique per region and recorded in the state: filtering on them reads
        // many templates per call, and a template deleted and re-created under the same
        // name shows up with another id (so as gone).
        let mut by_name: BTreeMap<&str, &Value> = BTreeMap::new();
        let mut unnamed = Vec::new();
        for p in priors {
            match (id_of(p), read::string(p, "name").filter(|n| !n.is_empty())) {
                (Some(_), Some(name)) => {
                    by_name.insert(name, p);
                }
                (Some(_), None) => unnamed.push(p),
                (None, _) => {}
            }
        }
        let names: Vec<&str> = by_name.keys().copied().collect();
        let mut found = BTreeMap::new();
        for chunk in names.chunks(IDS_PER_CALL) {
            let mut pages = self
                .ec2
                .client
                .describe_launch_templates()
                .filters(filter("launch-template-name", chunk.iter().copied()))
                .max_results(200)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| sdk_error("reading EC2 Launch Templates", e))?;
                for t in page.launch_templates() {
                    let (Some(id), Some(name)) = (t.launch_template_id(), t.launch_template_name())
                    else {
                        continue;
                    };
                    let Some(prior) = by_name.get(name).copied() else {
                        continue;
                    };
                    if id_of(prior) != Some(id) {
                        continue;
                    }
                    if let Some(state) = self.state(t, Some(prior), false).await? {
                        found.insert(id.to_owned(), state);
                    }
                }
            }
        }
        for p in unnamed {
            if let Some(id) = id_of(p)
                && let Some(t) = self.find(id).await?
                && let Some(state) = self.state(&t, Some(p), false).await?
            {
                found.insert(id.to_owned(), state);
            }
        }
        Ok(in_order(priors, found))
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_full(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing EC2 Launch Template ({id})")).with_detail(
                format!("Cannot import non-existent remote object: no launch template {id}."),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(instance_type: &str, extra: &[(&str, Value)]) -> Value {
        let block = schema().block;
        let mut m: BTreeMap<String, Value> = block
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
            .collect();
        for k in block.blocks.keys() {
            m.insert(k.clone(), Value::List(Vec::new()));
        }
        m.insert("name".into(), Value::from("web"));
        m.insert("image_id".into(), Value::from("ami-1"));
        m.insert("instance_type".into(), Value::from(instance_type));
        for (k, v) in extra {
            m.insert((*k).to_owned(), v.clone());
        }
        Value::Object(m)
    }

    /// What an apply records: computed values filled, and what AWS reports for the rest.
    fn applied(config: &Value) -> Value {
        let planned = plan(&schema(), None, config).unwrap().planned;
        let mut m = planned.as_entries().unwrap().clone();
        m.insert("id".into(), Value::from("lt-1"));
        m.insert(
            "arn".into(),
            Value::from("arn:aws:ec2:us-east-1:1:launch-template/lt-1"),
        );
        m.insert("name_prefix".into(), Value::from(""));
        m.insert("latest_version".into(), Value::from(1));
        m.insert("default_version".into(), Value::from(1));
        m.insert("tags_all".into(), Value::Map(BTreeMap::new()));
        m.insert("metadata_options".into(), Value::List(Vec::new()));
        // AWS echoes the always-sent user data as "", and empty sets as empty.
        m.insert("user_data".into(), Value::from(""));
        m.insert("vpc_security_group_ids".into(), Value::set(Vec::new()));
        Value::Object(m)
    }

    #[test]
    fn an_unchanged_template_plans_no_change() {
        let c = config("t3.micro", &[]);
        let prior = applied(&c);
        let p = plan(&schema(), Some(&prior), &c).unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned, prior);
    }

    #[test]
    fn changed_data_is_a_new_version_in_place() {
        let follow = [("update_default_version", Value::Bool(true))];
        let prior = applied(&config("t3.micro", &follow));
        let p = plan(&schema(), Some(&prior), &config("t3.small", &follow)).unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(
            p.planned.get_attr("latest_version"),
            Some(&Value::Unknown(Type::Number))
        );
        assert_eq!(
            p.planned.get_attr("default_version"),
            Some(&Value::Unknown(Type::Number))
        );
        // Without update_default_version the default stays.
        let prior = applied(&config("t3.micro", &[]));
        let p = plan(&schema(), Some(&prior), &config("t3.small", &[])).unwrap();
        assert_eq!(p.planned.get_attr("default_version"), Some(&Value::from(1)));
        assert!(!p.planned.get_attr("latest_version").unwrap().is_known());
    }

    #[test]
    fn tags_and_version_pointers_are_not_template_data() {
        let block = schema().block;
        let prior = applied(&config("t3.micro", &[]));
        let mut retagged = prior.as_entries().unwrap().clone();
        retagged.insert("tags".into(), Value::map([("a", Value::from("b"))]));
        retagged.insert("default_version".into(), Value::from(2));
        assert!(!data_changed(&block, &prior, &Value::Object(retagged)));
        let mut redescribed = prior.as_entries().unwrap().clone();
        redescribed.insert("description".into(), Value::from("v2"));
        assert!(data_changed(&block, &prior, &Value::Object(redescribed)));
    }

    #[test]
    fn a_new_name_replaces_the_template() {
        let prior = applied(&config("t3.micro", &[]));
        let p = plan(
            &schema(),
            Some(&prior),
            &config("t3.micro", &[("name", Value::from("other"))]),
        )
        .unwrap();
        assert_eq!(p.requires_replace, vec![AttrPath::attr("name")]);
    }

    #[test]
    fn unset_arguments_equal_the_zero_values_terraform_stores() {
        let block = schema().block;
        let planned = Value::object([
            ("key_name", Value::Null(Type::String)),
            ("disable_api_stop", Value::Null(Type::Bool)),
            ("image_id", Value::Null(Type::String)),
        ]);
        let prior = Value::object([
            ("key_name", Value::from("")),
            ("disable_api_stop", Value::Bool(false)),
            ("image_id", Value::from("ami-1")),
        ]);
        let z = zero_equivalent(&block, &planned, &prior);
        assert_eq!(z.get_attr("key_name"), Some(&Value::from("")));
        assert_eq!(z.get_attr("disable_api_stop"), Some(&Value::Bool(false)));
        // A real value is a real change.
        assert_eq!(z.get_attr("image_id"), Some(&Value::Null(Type::String)));
    }

    #[test]
    fn update_default_version_conflicts_with_a_pinned_default() {
        let c = config(
            "t3.micro",
            &[
                ("update_default_version", Value::Bool(true)),
                ("default_version", Value::from(1)),
            ],
        );
        assert!(plan(&schema(), None, &c).is_err());
    }

    #[test]
    fn the_data_sent_follows_the_configuration() {
        let block = schema().block;
        let ebs = conform(
            nested(nested(&block, "block_device_mappings"), "ebs"),
            Value::object([
                ("volume_size", Value::from(20)),
                ("delete_on_termination", Value::from("true")),
            ]),
        );
        let bdm = conform(
            nested(&block, "block_device_mappings"),
            Value::object([
                ("device_name", Value::from("/dev/xvda")),
                ("ebs", Value::List(vec![ebs])),
            ]),
        );
        let c = config(
            "t3.micro",
            &[
                ("block_device_mappings", Value::List(vec![bdm])),
                ("user_data", Value::from("ZWNobyBoaQ==")),
            ],
        );
        let d = expand(&c).unwrap();
        assert_eq!(d.instance_type(), Some(&InstanceType::from("t3.micro")));
        assert_eq!(d.user_data(), Some("ZWNobyBoaQ=="));
        let ebs = d.block_device_mappings()[0].ebs().unwrap();
        assert_eq!(ebs.volume_size(), Some(20));
        assert_eq!(ebs.delete_on_termination(), Some(true));
        assert_eq!(ebs.encrypted(), None);
        assert!(string_bool_arg(&Value::object([("x", Value::from("maybe"))]), "x").is_err());
    }
}
