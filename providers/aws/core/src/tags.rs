//! Tags: the `tags` argument, the provider's `default_tags`, and `tags_all`, the merge of
//! both that the resource really carries (as in Terraform's AWS provider).

use crate::Aws;
use std::collections::BTreeMap;
use std::future::Future;
use terrane_sdk::ProviderError;
use terrane_types::Value;

/// The `tags` of a configuration or state object (unset → empty).
pub fn tags_of(v: &Value, name: &str) -> BTreeMap<String, String> {
    v.get_attr(name)
        .map(Value::unmarked)
        .and_then(Value::as_entries)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.unmarked().as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// What the resource carries: default tags overridden by its own.
pub fn tags_all(aws: &Aws, tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut all = aws.default_tags.clone();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// The tags read from AWS, without those `ignore_tags` says to leave alone.
pub fn kept(
    aws: &Aws,
    read: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    read.into_iter()
        .filter(|(k, _)| {
            !k.starts_with("aws:")
                && !aws.ignore_tag_keys.contains(k)
                && !aws
                    .ignore_tag_prefixes
                    .iter()
                    .any(|p| k.starts_with(p.as_str()))
        })
        .collect()
}

/// A tag map as a value (null when empty and `null_if_empty`).
pub fn tags_value(tags: &BTreeMap<String, String>) -> Value {
    Value::map(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone()))),
    )
}

/// The planned `tags_all`: known when `tags` is, else unknown.
pub fn plan_tags_all(aws: &Aws, config: &Value) -> Value {
    match config.get_attr("tags") {
        Some(t) if !t.is_wholly_known() => {
            Value::Unknown(terrane_types::Type::map(terrane_types::Type::String))
        }
        _ => tags_value(&tags_all(aws, &tags_of(config, "tags"))),
    }
}

/// The tag changes that turn `old` into `new`: (to set, keys to remove).
pub fn tag_diff(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let set = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    (set, removed)
}

/// `tags` and `tags_all` from what AWS returned: `tags` keeps the configured (prior) keys'
/// view, without the provider's default tags unless the object sets them itself; null when
/// the object has none of its own and the prior had no `tags`.
pub fn state_values(
    aws: &Aws,
    read: &BTreeMap<String, String>,
    prior: Option<&Value>,
) -> (Value, Value) {
    let all = kept(aws, read.clone());
    let own = prior.map(|p| tags_of(p, "tags")).unwrap_or_default();
    let visible: BTreeMap<String, String> = all
        .iter()
        .filter(|(k, v)| own.contains_key(*k) || aws.default_tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let own_value = if visible.is_empty()
        && prior.is_none_or(|p| p.get_attr("tags").is_none_or(Value::is_null))
    {
        Value::Null(terrane_types::Type::map(terrane_types::Type::String))
    } else {
        tags_value(&visible)
    };
    (own_value, tags_value(&all))
}

/// Makes an object's tags (with the provider's default tags) go from what `prior` says to
/// what `planned` says: `remove` gets the keys to drop and `add` the tags to set, each
/// called only when there are some. The service's own calls do the work.
pub async fn update<R, A, FR, FA>(
    aws: &Aws,
    prior: &Value,
    planned: &Value,
    remove: R,
    add: A,
) -> Result<(), ProviderError>
where
    R: FnOnce(Vec<String>) -> FR,
    FR: Future<Output = Result<(), ProviderError>>,
    A: FnOnce(BTreeMap<String, String>) -> FA,
    FA: Future<Output = Result<(), ProviderError>>,
{
    let old = tags_all(aws, &tags_of(prior, "tags"));
    let new = tags_all(aws, &tags_of(planned, "tags"));
    let (set, removed) = tag_diff(&old, &new);
    if !removed.is_empty() {
        remove(removed).await?;
    }
    if !set.is_empty() {
        add(set).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_diff_sets_what_changed_and_removes_what_went() {
        let old = BTreeMap::from([("a".to_string(), "1".to_string()), ("b".into(), "2".into())]);
        let new = BTreeMap::from([("a".to_string(), "1".to_string()), ("c".into(), "3".into())]);
        let (set, removed) = tag_diff(&old, &new);
        assert_eq!(set, BTreeMap::from([("c".to_string(), "3".to_string())]));
        assert_eq!(removed, ["b"]);
    }
}
