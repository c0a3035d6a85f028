//! `aws_internet_gateway`: a VPC's way to the internet. `vpc_id` attaches it (and a change
//! detaches it from the old VPC and attaches it to the new one, in place); deleting detaches
//! it first. Refresh reads up to 200 gateways per DescribeInternetGateways call.

use crate::common::{Ec2, arn, filter, id_of};
use crate::common::{delete_when_unused, dependency_violation};
use crate::common::{priors_by_id, read_in_chunks};
use async_trait::async_trait;
use aws_sdk_ec2::types::{InternetGateway as AwsGateway, ResourceType};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, conform};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// How long attaching, detaching and deleting may take (Terraform's 20 minutes).
const TIMEOUT: Duration = Duration::from_secs(1200);

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("An internet gateway, attached to a VPC.")
            .attr(
                "vpc_id",
                Attribute::optional_computed(Type::String)
                    .describe("The VPC to attach it to (empty: detached)."),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("owner_id", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct InternetGateway {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl InternetGateway {
    pub(crate) fn new(ec2: Arc<Ec2>) -> InternetGateway {
        InternetGateway {
            ec2,
            schema: schema(),
        }
    }

    fn flatten(&self, g: &AwsGateway, prior: Option<&Value>) -> Option<(String, Value)> {
        let id = g.internet_gateway_id()?;
        let owner = g.owner_id().unwrap_or_default();
        let (tags_value, tags_all) = self.ec2.tag_values(g.tags(), prior);
        let vpc = g
            .attachments()
            .first()
            .and_then(|a| a.vpc_id())
            .unwrap_or_default();
        let attrs = BTreeMap::from([
            ("id".to_owned(), Value::string(id)),
            (
                "arn".into(),
                Value::string(arn(&self.ec2.aws, owner, "internet-gateway", id)),
            ),
            ("owner_id".into(), Value::string(owner)),
            ("vpc_id".into(), Value::string(vpc)),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some((
            id.to_owned(),
            conform(&self.schema.block, Value::Object(attrs)),
        ))
    }

    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .ec2
            .client
            .describe_internet_gateways()
            .filters(filter("internet-gateway-id", ids))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading EC2 Internet Gateways", e))?;
            for g in page.internet_gateways() {
                let prior = g
                    .internet_gateway_id()
                    .and_then(|id| priors.get(id).copied());
                if let Some((id, v)) = self.flatten(g, prior) {
                    found.insert(id, v);
                }
            }
        }
        Ok(found)
    }

    async fn read_one(
        &self,
        id: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (id.to_owned(), p)).into_iter().collect();
        Ok(self
            .describe(vec![id.to_owned()], &priors)
            .await?
            .remove(id))
    }

    async fn must_read(&self, id: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_one(id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading EC2 Internet Gateway ({id})"))
                .with_detail("The internet gateway disappeared right after it was changed.")
        })
    }

    /// The state of the gateway's attachment to `vpc` ("available" once attached), or None.
    async fn attachment_state(&self, id: &str, vpc: &str) -> Result<Option<String>, ProviderError> {
        match self
            .ec2
            .client
            .describe_internet_gateways()
            .internet_gateway_ids(id)
            .send()
            .await
        {
            Ok(o) => Ok(o
                .internet_gateways()
                .first()
                .into_iter()
                .flat_map(|g| g.attachments())
                .find(|a| a.vpc_id() == Some(vpc))
                .map(|a| a.state().map_or("attaching", |s| s.as_str()).to_owned())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(sdk_error(
                &format!("reading EC2 Internet Gateway ({id})"),
                e,
            )),
        }
    }

    async fn attach(&self, id: &str, vpc: &str, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        // A new gateway may not be visible to AttachInternetGateway yet.
        wait::until(
            &format!("EC2 Internet Gateway ({id}) to attach to VPC ({vpc})"),
            TIMEOUT,
            ctx,
            || async {
                match c
                    .attach_internet_gateway()
                    .internet_gateway_id(id)
                    .vpc_id(vpc)
                    .send()
                    .await
                {
                    Ok(_) => Ok(Poll::Done(())),
                    Err(e) if e.aws_code() == Some("InvalidInternetGatewayID.NotFound") => {
                        Ok(Poll::Pending("gateway not visible yet".into()))
                    }
                    Err(e) => Err(sdk_error(
                        &format!("attaching EC2 Internet Gateway ({id}) to VPC ({vpc})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("vpc_id"))),
                }
            },
        )
        .await?;
        wait::until(
            &format!("EC2 Internet Gateway ({id}) to attach to VPC ({vpc})"),
            TIMEOUT,
            ctx,
            || async {
                Ok(match self.attachment_state(id, vpc).await?.as_deref() {
                    Some("available" | "attached") => Poll::Done(()),
                    Some(other) => Poll::Pending(other.to_owned()),
                    None => Poll::Pending("attaching".into()),
                })
            },
        )
        .await
    }

    async fn detach(&self, id: &str, vpc: &str, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        // Detaching fails while instances in the VPC still have public addresses.
        let detached = wait::until(
            &format!("EC2 Internet Gateway ({id}) to detach from VPC ({vpc})"),
            TIMEOUT,
            ctx,
            || async {
                match c
                    .detach_internet_gateway()
                    .internet_gateway_id(id)
                    .vpc_id(vpc)
                    .send()
                    .await
                {
                    Ok(_) => Ok(Poll::Done(true)),
                    Err(e) if e.aws_code() == Some("Gateway.NotAttached") || e.is_not_found() => {
                        Ok(Poll::Done(false))
                    }
                    Err(e) if e.aws_code() == Some("DependencyViolation") => Ok(Poll::Pending(
                        "the VPC still has mapped public addresses".into(),
                    )),
                    Err(e) => Err(sdk_error(
                        &format!("detaching EC2 Internet Gateway ({id}) from VPC ({vpc})"),
                        e,
                    )),
                }
            },
        )
        .await?;
        if !detached {
            return Ok(());
        }
        wait::until(
            &format!("EC2 Internet Gateway ({id}) to detach from VPC ({vpc})"),
            TIMEOUT,
            ctx,
            || async {
                Ok(match self.attachment_state(id, vpc).await? {
                    None => Poll::Done(()),
                    Some(s) if s == "detached" => Poll::Done(()),
                    Some(s) => Poll::Pending(s),
                })
            },
        )
        .await
    }
}

#[async_trait]
impl Resource for InternetGateway {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let mut change = plan_default(&self.schema, prior, config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let out = self
            .ec2
            .client
            .create_internet_gateway()
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::InternetGateway, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| sdk_error("creating EC2 Internet Gateway", e))?;
        let id = out
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or_else(|| {
                ProviderError::new("creating EC2 Internet Gateway")
                    .with_detail("AWS returned no internet gateway id.")
            })?
            .to_owned();
        if let Some(vpc) = read::string(planned, "vpc_id").filter(|v| !v.is_empty()) {
            self.attach(&id, vpc, ctx).await?;
        }
        self.must_read(&id, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating EC2 Internet Gateway").with_detail("The state has no id.")
        })?;
        let old = read::string(prior, "vpc_id").unwrap_or_default();
        if let Some(new) = read::string(planned, "vpc_id")
            && new != old
        {
            if !old.is_empty() {
                self.detach(id, old, ctx).await?;
            }
            if !new.is_empty() {
                self.attach(id, new, ctx).await?;
            }
        }
        self.ec2.update_tags(id, prior, planned).await?;
        self.must_read(id, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        if let Some(vpc) = read::string(prior, "vpc_id").filter(|v| !v.is_empty()) {
            self.detach(id, vpc, ctx).await?;
        }
        delete_when_unused(
            &format!("EC2 Internet Gateway ({id}) delete"),
            &format!("deleting EC2 Internet Gateway ({id})"),
            TIMEOUT,
            ctx,
            dependency_violation,
            "still in use",
            || async {
                self.ec2
                    .client
                    .delete_internet_gateway()
                    .internet_gateway_id(id)
                    .send()
                    .await
                    .map(|_| ())
            },
        )
        .await
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_in_chunks(priors, |ids| self.describe(ids, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing EC2 Internet Gateway ({id})")).with_detail(
                format!("Cannot import non-existent remote object: no internet gateway {id}."),
            )
        })
    }
}
