//! What the ELBv2 types share: the client, tags (DescribeTags batched by 20 ARNs), batched
//! reads with a per-ARN fallback, value helpers.

use aws_sdk_elasticloadbalancingv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_elasticloadbalancingv2::types::Tag;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use terrane_aws_core::{Aws, AwsErrorExt, sdk_error, tags};
use terrane_sdk::ProviderError;
use terrane_types::{Number, Type, Value};

/// How many ARNs one Describe call (and one DescribeTags call) takes.
pub(crate) const ARNS_PER_CALL: usize = 20;

/// A configured ELBv2 client and the provider it belongs to.
pub struct Elbv2 {
    pub client: aws_sdk_elasticloadbalancingv2::Client,
    pub aws: Arc<Aws>,
}

impl Elbv2 {
    pub fn new(aws: Arc<Aws>) -> Elbv2 {
        let mut conf = aws_sdk_elasticloadbalancingv2::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("elbv2") {
            conf = conf.endpoint_url(url);
        }
        Elbv2 {
            client: aws_sdk_elasticloadbalancingv2::Client::from_conf(conf.build()),
            aws,
        }
    }

    /// The tags to create an object with: default tags merged with its own (None if none).
    pub(crate) fn create_tags(&self, planned: &Value) -> Option<Vec<Tag>> {
        let all = tags::tags_all(&self.aws, &tags::tags_of(planned, "tags"));
        (!all.is_empty()).then(|| to_tags(&all))
    }

    /// `tags` and `tags_all` from what AWS returned (see `tags::state_values`).
    pub(crate) fn tag_values(
        &self,
        read: &BTreeMap<String, String>,
        prior: Option<&Value>,
    ) -> (Value, Value) {
        tags::state_values(&self.aws, read, prior)
    }

    /// Makes an object's tags what `planned` says (AddTags / RemoveTags as needed).
    pub(crate) async fn update_tags(
        &self,
        arn: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let old = tags::tags_all(&self.aws, &tags::tags_of(prior, "tags"));
        let new = tags::tags_all(&self.aws, &tags::tags_of(planned, "tags"));
        let (set, removed) = tags::tag_diff(&old, &new);
        if !removed.is_empty() {
            self.client
                .remove_tags()
                .resource_arns(arn)
                .set_tag_keys(Some(removed))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("removing tags from ELBv2 resource ({arn})"), e))?;
        }
        if !set.is_empty() {
            self.client
                .add_tags()
                .resource_arns(arn)
                .set_tags(Some(to_tags(&set)))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("tagging ELBv2 resource ({arn})"), e))?;
        }
        Ok(())
    }

    /// The tags of many objects, 20 ARNs per DescribeTags call. An ARN gone meanwhile fails
    /// its whole call: then each ARN of that call is asked alone, and the gone ones are left
    /// out.
    pub(crate) async fn describe_tags(
        &self,
        arns: &[String],
    ) -> Result<BTreeMap<String, BTreeMap<String, String>>, ProviderError> {
        in_chunks(arns, |chunk| self.tags_call(chunk)).await
    }

    /// What one batched Describe call answered (`items`, or the SDK's error), each object
    /// with its ARN and tags: None when an ARN of the call was not found, so that the caller
    /// ([`read_batched`]) asks for each ARN alone.
    pub(crate) async fn tagged<T, E, R>(
        &self,
        answer: Result<Vec<T>, SdkError<E, R>>,
        action: &str,
        arn_of: impl Fn(&T) -> Option<&str>,
    ) -> Result<Option<Vec<(T, String, BTreeMap<String, String>)>>, ProviderError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let items = match answer {
            Ok(items) => items,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error(action, e)),
        };
        let found: Vec<String> = items
            .iter()
            .filter_map(|i| arn_of(i).map(str::to_owned))
            .collect();
        let mut tags = self.describe_tags(&found).await?;
        Ok(Some(
            items
                .into_iter()
                .filter_map(|i| {
                    let arn = arn_of(&i)?.to_owned();
                    let t = tags.remove(&arn).unwrap_or_default();
                    Some((i, arn, t))
                })
                .collect(),
        ))
    }

    /// One DescribeTags call; None when an ARN was not found.
    async fn tags_call(
        &self,
        arns: Vec<String>,
    ) -> Result<Option<BTreeMap<String, BTreeMap<String, String>>>, ProviderError> {
        match self
            .client
            .describe_tags()
            .set_resource_arns(Some(arns))
            .send()
            .await
        {
            Ok(o) => Ok(Some(
                o.tag_descriptions()
                    .iter()
                    .filter_map(|d| {
                        let tags = d
                            .tags()
                            .iter()
                            .filter_map(|t| {
                                Some((t.key()?.to_owned(), t.value().unwrap_or("").to_owned()))
                            })
                            .collect();
                        Some((d.resource_arn()?.to_owned(), tags))
                    })
                    .collect(),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(sdk_error("listing tags of ELBv2 resources", e)),
        }
    }
}

pub(crate) fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// The `id` of a state object (the ARN for every ELBv2 type but attachments).
pub(crate) fn id_of(v: &Value) -> Option<&str> {
    v.get_attr("id").and_then(Value::as_str)
}

/// State objects by id.
pub(crate) fn priors_by_id(priors: &[Value]) -> BTreeMap<String, &Value> {
    priors
        .iter()
        .filter_map(|p| id_of(p).map(|id| (id.to_owned(), p)))
        .collect()
}

/// Calls `call` with up to 20 ids at a time; when a call answers None (an id of it was not
/// found and failed the whole call), asks for each id of that call alone, leaving out the
/// ones still not found.
async fn in_chunks<T, F, Fut>(
    ids: &[String],
    mut call: F,
) -> Result<BTreeMap<String, T>, ProviderError>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Option<BTreeMap<String, T>>, ProviderError>>,
{
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(ARNS_PER_CALL) {
        match call(chunk.to_vec()).await? {
            Some(f) => found.extend(f),
            None => {
                for id in chunk {
                    if let Some(f) = call(vec![id.clone()]).await? {
                        found.extend(f);
                    }
                }
            }
        }
    }
    Ok(found)
}

/// A batched refresh by ARN: `describe` reads up to 20 ARNs per call and answers None when
/// one missing ARN failed the whole call; only then is each ARN of that call read alone.
/// The answers come back in the order of `priors`, None for objects AWS no longer has.
pub(crate) async fn read_batched<F, Fut>(
    priors: &[Value],
    describe: F,
) -> Result<Vec<Option<Value>>, ProviderError>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Option<BTreeMap<String, Value>>, ProviderError>>,
{
    let ids: Vec<String> = priors
        .iter()
        .filter_map(|p| id_of(p).map(str::to_owned))
        .collect();
    let mut found = in_chunks(&ids, describe).await?;
    Ok(priors
        .iter()
        .map(|p| id_of(p).and_then(|id| found.remove(id)))
        .collect())
}

pub(crate) fn string(s: Option<&str>) -> Value {
    match s {
        Some(s) => Value::string(s),
        None => Value::Null(Type::String),
    }
}

pub(crate) fn int(n: Option<i64>) -> Value {
    match n {
        Some(n) => Value::Number(Number::from_i64(n)),
        None => Value::Null(Type::Number),
    }
}

/// A set of strings.
pub(crate) fn string_set(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::set(items.into_iter().map(|s| Value::string(s)).collect())
}

/// The part of an ARN after the first `/` of its resource: `app/NAME/ID` for a load
/// balancer (Terraform's `arn_suffix`).
pub(crate) fn suffix_after_kind(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    resource
        .split_once('/')
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or_default()
}

/// The resource part of an ARN: `targetgroup/NAME/ID` for a target group.
pub(crate) fn resource_of(arn: &str) -> String {
    arn.splitn(6, ':').nth(5).unwrap_or_default().to_owned()
}

/// A number attribute of a nested object as i32 (the API's integers).
pub(crate) fn i32_of(v: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    Ok(terrane_sdk::read::integer(v, name)?.and_then(|n| i32::try_from(n).ok()))
}

/// Whether the attribute differs between prior and planned.
pub(crate) fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    prior.get_attr(name).map(Value::unmarked) != planned.get_attr(name).map(Value::unmarked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_suffixes_are_what_cloudwatch_dimensions_use() {
        let lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(suffix_after_kind(lb), "app/web/50dc6c495c0c9188");
        let tg =
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067";
        assert_eq!(resource_of(tg), "targetgroup/web/73e2d6bc24d8a067");
        assert_eq!(suffix_after_kind("nonsense"), "");
    }

    fn prior(id: &str) -> Value {
        Value::object([("id", Value::from(id))])
    }

    /// A fake Describe: answers every ARN it is asked for unless the call includes a gone
    /// one, which fails the whole call (None), as ELBv2's *NotFound errors do.
    fn fake_describe(
        gone: &'static [&'static str],
        calls: &std::sync::Mutex<Vec<usize>>,
        arns: Vec<String>,
    ) -> Option<BTreeMap<String, Value>> {
        calls.lock().map(|mut c| c.push(arns.len())).ok();
        if arns.iter().any(|a| gone.contains(&a.as_str())) {
            return None;
        }
        Some(arns.into_iter().map(|a| (a.clone(), prior(&a))).collect())
    }

    #[tokio::test]
    async fn refresh_reads_20_arns_per_call_and_falls_back_to_one_by_one_only_for_a_failed_call() {
        let priors: Vec<Value> = (0..25).map(|i| prior(&format!("arn-{i}"))).collect();
        let calls = std::sync::Mutex::new(Vec::new());
        let got = read_batched(&priors, |arns| {
            let answer = fake_describe(&["arn-3"], &calls, arns);
            async move { Ok(answer) }
        })
        .await
        .unwrap();
        assert_eq!(got.len(), 25);
        assert!(got[3].is_none());
        assert_eq!(got[0], Some(prior("arn-0")));
        assert_eq!(got[24], Some(prior("arn-24")));
        assert_eq!(got.iter().filter(|v| v.is_some()).count(), 24);
        // One failed call of 20, then 20 single calls, then one call of the last 5.
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.len(), 22, "{calls:?}");
        assert_eq!(calls[0], 20);
        assert!(calls[1..21].iter().all(|n| *n == 1));
        assert_eq!(calls[21], 5);
    }

    #[tokio::test]
    async fn refresh_without_gone_objects_costs_one_call_per_20() {
        let priors: Vec<Value> = (0..40).map(|i| prior(&format!("arn-{i}"))).collect();
        let calls = std::sync::Mutex::new(Vec::new());
        let got = read_batched(&priors, |arns| {
            let answer = fake_describe(&[], &calls, arns);
            async move { Ok(answer) }
        })
        .await
        .unwrap();
        assert!(got.iter().all(Option::is_some));
        assert_eq!(calls.into_inner().unwrap(), [20, 20]);
    }
}
