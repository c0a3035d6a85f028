//! What the EC2 types share: the client, tags, filters, batched Describe calls, waiting.

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::wait::Poll;
use terrane_aws_core::{Aws, AwsErrorExt, sdk_error, tags};
use terrane_sdk::ProviderError;
use terrane_types::{Number, Value};

/// How many ids one Describe call filters on (EC2 accepts up to 200 values per filter).
pub(crate) const IDS_PER_CALL: usize = 200;

/// A configured EC2 client and the provider it belongs to.
pub struct Ec2 {
    pub client: aws_sdk_ec2::Client,
    pub aws: Arc<Aws>,
}

impl Ec2 {
    pub fn new(aws: Arc<Aws>) -> Ec2 {
        let mut conf = aws_sdk_ec2::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("ec2") {
            conf = conf.endpoint_url(url);
        }
        Ec2 {
            client: aws_sdk_ec2::Client::from_conf(conf.build()),
            aws,
        }
    }

    /// The tags to create a resource with: default tags merged with its own.
    pub(crate) fn tag_spec(&self, kind: ResourceType, config: &Value) -> Option<TagSpecification> {
        let all = tags::tags_all(&self.aws, &tags::tags_of(config, "tags"));
        if all.is_empty() {
            return None;
        }
        Some(
            TagSpecification::builder()
                .resource_type(kind)
                .set_tags(Some(to_tags(&all)))
                .build(),
        )
    }

    /// `tags` and `tags_all` from what AWS returned: `tags` keeps the configured (prior)
    /// keys' view, without the provider's default tags unless the resource sets them itself.
    pub(crate) fn tag_values(&self, read: &[Tag], prior: Option<&Value>) -> (Value, Value) {
        let all = tags::kept(
            &self.aws,
            read.iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or("").to_owned()))),
        );
        let own = prior.map(|p| tags::tags_of(p, "tags")).unwrap_or_default();
        let visible: BTreeMap<String, String> = all
            .iter()
            .filter(|(k, v)| own.contains_key(*k) || self.aws.default_tags.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let tags_value = if visible.is_empty()
            && prior.is_none_or(|p| p.get_attr("tags").is_none_or(Value::is_null))
        {
            Value::Null(terrane_types::Type::map(terrane_types::Type::String))
        } else {
            tags::tags_value(&visible)
        };
        (tags_value, tags::tags_value(&all))
    }

    /// Makes a resource's tags what `planned` says (CreateTags / DeleteTags as needed).
    pub(crate) async fn update_tags(
        &self,
        id: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let old = tags::tags_all(&self.aws, &tags::tags_of(prior, "tags"));
        let new = tags::tags_all(&self.aws, &tags::tags_of(planned, "tags"));
        let (set, removed) = tags::tag_diff(&old, &new);
        if !removed.is_empty() {
            self.client
                .delete_tags()
                .resources(id)
                .set_tags(Some(
                    removed
                        .iter()
                        .map(|k| Tag::builder().key(k).build())
                        .collect(),
                ))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("removing tags from {id}"), e))?;
        }
        if !set.is_empty() {
            self.client
                .create_tags()
                .resources(id)
                .set_tags(Some(to_tags(&set)))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("tagging {id}"), e))?;
        }
        Ok(())
    }
}

pub(crate) fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

pub(crate) fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// The `filter { name = ... values = [...] }` blocks of a data source's configuration.
pub(crate) fn config_filters(config: &Value) -> Vec<Filter> {
    config
        .get_attr("filter")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let name = f.get_attr("name")?.as_str()?;
            let values = terrane_sdk::read::strings(f, "values");
            Some(filter(name, values))
        })
        .collect()
}

/// The schema of the data sources' `filter` blocks (Terraform's custom filters: any
/// Describe filter name, with its values).
pub(crate) fn filter_block() -> terrane_sdk::NestedBlock {
    use terrane_sdk::{Attribute, Block, NestedBlock, Nesting};
    use terrane_types::Type;
    NestedBlock::new(
        Nesting::Set,
        Block::new()
            .describe("A filter of the Describe call, e.g. name = \"vpc-id\".")
            .attr("name", Attribute::required(Type::String))
            .attr("values", Attribute::required(Type::set(Type::String))),
    )
}

/// `tag:KEY = VALUE` filters for the `tags` a data source's configuration sets.
pub(crate) fn tag_filters(config: &Value) -> Vec<Filter> {
    tags::tags_of(config, "tags")
        .into_iter()
        .map(|(k, v)| filter(&format!("tag:{k}"), [v]))
        .collect()
}

/// The `id` of a state object.
pub(crate) fn id_of(v: &Value) -> Option<&str> {
    v.get_attr("id").and_then(Value::as_str)
}

/// Splits state objects into chunks of ids for batched Describe calls; objects without an id
/// are gone already.
pub(crate) fn id_chunks(priors: &[Value]) -> Vec<Vec<String>> {
    let ids: Vec<String> = priors
        .iter()
        .filter_map(|p| id_of(p).map(str::to_owned))
        .collect();
    ids.chunks(IDS_PER_CALL).map(<[String]>::to_vec).collect()
}

/// State objects by id, for the batched reads that keep what Describe does not return.
pub(crate) fn priors_by_id(priors: &[Value]) -> BTreeMap<String, &Value> {
    priors
        .iter()
        .filter_map(|p| id_of(p).map(|id| (id.to_owned(), p)))
        .collect()
}

/// A batched refresh: `describe` reads up to [`IDS_PER_CALL`] ids per call; the answers
/// come back in the order of `priors`, None for objects AWS no longer has.
pub(crate) async fn read_in_chunks<F, Fut>(
    priors: &[Value],
    mut describe: F,
) -> Result<Vec<Option<Value>>, ProviderError>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<BTreeMap<String, Value>, ProviderError>>,
{
    let mut found = BTreeMap::new();
    for chunk in id_chunks(priors) {
        found.extend(describe(chunk).await?);
    }
    Ok(in_order(priors, found))
}

/// Deletes an object, retrying while AWS refuses because something still uses it (`in_use`
/// says which error codes mean that) until `timeout`; already gone counts as deleted.
/// `waiting` names the wait in progress lines, `busy` the status shown meanwhile, `action`
/// the call in errors.
pub(crate) async fn delete_when_unused<F, Fut, E, R>(
    waiting: &str,
    action: &str,
    timeout: std::time::Duration,
    ctx: &terrane_sdk::ApplyCtx,
    in_use: fn(Option<&str>) -> bool,
    busy: &str,
    mut delete: F,
) -> Result<(), ProviderError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    terrane_aws_core::wait::until(waiting, timeout, ctx, || {
        let attempt = delete();
        async move {
            match attempt.await {
                Ok(()) => Ok(Poll::Done(())),
                Err(e) if e.is_not_found() => Ok(Poll::Done(())),
                Err(e) if in_use(e.aws_code()) => Ok(Poll::Pending(busy.to_owned())),
                Err(e) => Err(sdk_error(action, e)),
            }
        }
    })
    .await
}

/// The usual "still in use" error of EC2 deletes.
pub(crate) fn dependency_violation(code: Option<&str>) -> bool {
    code == Some("DependencyViolation")
}

/// Puts batched read results back in the order of `priors` (None where AWS no longer has
/// the object).
pub(crate) fn in_order(priors: &[Value], mut found: BTreeMap<String, Value>) -> Vec<Option<Value>> {
    priors
        .iter()
        .map(|p| id_of(p).and_then(|id| found.remove(id)))
        .collect()
}

pub(crate) fn string(s: Option<&str>) -> Value {
    match s {
        Some(s) => Value::string(s),
        None => Value::Null(terrane_types::Type::String),
    }
}

/// A string AWS may leave out, as Terraform records it: empty when absent.
pub(crate) fn string_or_empty(s: Option<&str>) -> Value {
    Value::string(s.unwrap_or_default())
}

pub(crate) fn boolean(b: Option<bool>) -> Value {
    match b {
        Some(b) => Value::Bool(b),
        None => Value::Null(terrane_types::Type::Bool),
    }
}

pub(crate) fn int(n: Option<i64>) -> Value {
    match n {
        Some(n) => Value::Number(Number::from_i64(n)),
        None => Value::Null(terrane_types::Type::Number),
    }
}

/// A set of strings.
pub(crate) fn string_set(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::set(items.into_iter().map(|s| Value::string(s)).collect())
}

/// The prior value of an attribute, or null.
pub(crate) fn keep(prior: Option<&Value>, name: &str) -> Option<Value> {
    prior.and_then(|p| p.get_attr(name)).cloned()
}

/// `arn:PARTITION:ec2:REGION:ACCOUNT:KIND/ID`.
pub(crate) fn arn(aws: &Aws, owner: &str, kind: &str, id: &str) -> String {
    format!(
        "arn:{}:ec2:{}:{owner}:{kind}/{id}",
        aws.partition(),
        aws.region
    )
}
