//! `data "aws_availability_zones"`: the region's zones (by state, `filter` blocks, with
//! exclusions), sorted by name as Terraform sorts them; `id` is the region.

use crate::common::{Ec2, config_filters, filter, filter_block, string_set};
use async_trait::async_trait;
use std::collections::BTreeSet;
use std::sync::Arc;
use terrane_aws_core::sdk_error;
use terrane_sdk::read::{self, conform};
use terrane_sdk::{Attribute, Block, DataSource, ProviderError, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("Looks up the region's availability zones.")
            .attr(
                "all_availability_zones",
                Attribute::optional(Type::Bool).describe(
                    "Include Local Zones and Wavelength Zones whatever their opt-in status.",
                ),
            )
            .attr(
                "state",
                Attribute::optional(Type::String)
                    .describe("available, information, impaired or unavailable."),
            )
            .attr(
                "exclude_names",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr(
                "exclude_zone_ids",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr("names", Attribute::computed(Type::list(Type::String)))
            .attr("zone_ids", Attribute::computed(Type::list(Type::String)))
            .attr("group_names", Attribute::computed(Type::set(Type::String)))
            .attr("id", Attribute::computed(Type::String))
            .block("filter", filter_block()),
    )
}

pub(crate) struct AvailabilityZonesData {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl AvailabilityZonesData {
    pub(crate) fn new(ec2: Arc<Ec2>) -> AvailabilityZonesData {
        AvailabilityZonesData {
            ec2,
            schema: schema(),
        }
    }
}

/// One zone: (name, zone id, group name).
type Zone = (String, String, Option<String>);

/// The zones kept, sorted by name: those not excluded by name or id.
fn select(
    mut zones: Vec<Zone>,
    exclude_names: &BTreeSet<String>,
    exclude_ids: &BTreeSet<String>,
) -> Vec<Zone> {
    zones.sort_by(|a, b| a.0.cmp(&b.0));
    zones
        .into_iter()
        .filter(|(name, id, _)| !exclude_names.contains(name) && !exclude_ids.contains(id))
        .collect()
}

#[async_trait]
impl DataSource for AvailabilityZonesData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let mut filters = Vec::new();
        if let Some(state) = read::string(config, "state") {
            filters.push(filter("state", [state]));
        }
        filters.extend(config_filters(config));
        let out = self
            .ec2
            .client
            .describe_availability_zones()
            .set_all_availability_zones(read::boolean(config, "all_availability_zones"))
            .set_filters((!filters.is_empty()).then_some(filters))
            .send()
            .await
            .map_err(|e| sdk_error("fetching Availability Zones", e))?;
        let zones: Vec<Zone> = out
            .availability_zones()
            .iter()
            .map(|z| {
                (
                    z.zone_name().unwrap_or_default().to_owned(),
                    z.zone_id().unwrap_or_default().to_owned(),
                    z.group_name().map(str::to_owned),
                )
            })
            .collect();
        let exclude_names: BTreeSet<String> =
            read::strings(config, "exclude_names").into_iter().collect();
        let exclude_ids: BTreeSet<String> = read::strings(config, "exclude_zone_ids")
            .into_iter()
            .collect();
        let zones = select(zones, &exclude_names, &exclude_ids);
        let mut result = config.as_entries().cloned().unwrap_or_default();
        result.insert("id".into(), Value::string(&self.ec2.aws.region));
        result.insert(
            "names".into(),
            Value::List(zones.iter().map(|z| Value::string(&z.0)).collect()),
        );
        result.insert(
            "zone_ids".into(),
            Value::List(zones.iter().map(|z| Value::string(&z.1)).collect()),
        );
        result.insert(
            "group_names".into(),
            string_set(zones.iter().filter_map(|z| z.2.clone())),
        );
        Ok(conform(&self.schema.block, Value::Object(result)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_sorted_by_name_and_exclusions_apply_to_names_and_ids() {
        let z = |n: &str, id: &str| (n.to_owned(), id.to_owned(), Some("us-east-1".to_owned()));
        let zones = vec![
            z("us-east-1c", "use1-az2"),
            z("us-east-1a", "use1-az6"),
            z("us-east-1b", "use1-az1"),
        ];
        let kept = select(
            zones,
            &BTreeSet::from(["us-east-1b".to_owned()]),
            &BTreeSet::from(["use1-az2".to_owned()]),
        );
        assert_eq!(kept, vec![z("us-east-1a", "use1-az6")]);
    }
}
