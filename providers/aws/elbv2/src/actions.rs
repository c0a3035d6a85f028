//! Listener and listener rule actions (`default_action` / `action` blocks): forward to a
//! target group, a fixed response, or a redirect; their schema, Terraform's defaults, and
//! the conversions to and from the API's `Action`.

use crate::common::int;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, RedirectActionConfig,
    RedirectActionStatusCodeEnum,
};
use terrane_sdk::read::{self, with_defaults};
use terrane_sdk::{Attribute, Block, NestedBlock, Nesting, ProviderError};
use terrane_types::{AttrPath, PathStep, Type, Value};

/// The action types terrane supports (Terraform's names).
const TYPES: [&str; 3] = ["forward", "fixed-response", "redirect"];

/// The block of one action.
pub(crate) fn action_block() -> Block {
    Block::new()
        .describe("What the listener (or rule) does with a request.")
        .attr(
            "type",
            Attribute::required(Type::String).describe("forward, fixed-response or redirect."),
        )
        .attr(
            "target_group_arn",
            Attribute::optional(Type::String).describe("The target group to forward to."),
        )
        .attr(
            "order",
            Attribute::optional_computed(Type::Number)
                .describe("The order actions run in (default: their position)."),
        )
        .block(
            "fixed_response",
            NestedBlock::new(
                Nesting::List,
                Block::new()
                    .attr(
                        "content_type",
                        Attribute::required(Type::String)
                            .describe("text/plain, text/css, text/html, application/javascript or application/json."),
                    )
                    .attr("message_body", Attribute::optional(Type::String))
                    .attr(
                        "status_code",
                        Attribute::optional_computed(Type::String)
                            .describe("2XX, 4XX or 5XX."),
                    ),
            )
            .items(0, 1),
        )
        .block(
            "redirect",
            NestedBlock::new(
                Nesting::List,
                Block::new()
                    .attr("host", Attribute::optional(Type::String).describe("Default #{host}."))
                    .attr("path", Attribute::optional(Type::String).describe("Default /#{path}."))
                    .attr("port", Attribute::optional(Type::String).describe("Default #{port}."))
                    .attr(
                        "protocol",
                        Attribute::optional(Type::String).describe("HTTP, HTTPS or #{protocol} (the default)."),
                    )
                    .attr("query", Attribute::optional(Type::String).describe("Default #{query}."))
                    .attr(
                        "status_code",
                        Attribute::required(Type::String).describe("HTTP_301 or HTTP_302."),
                    ),
            )
            .items(0, 1),
        )
}

/// The actions of a configuration with Terraform's redirect defaults filled in.
pub(crate) fn with_action_defaults(actions: &Value) -> Value {
    let Value::List(items) = actions else {
        return actions.clone();
    };
    Value::List(
        items
            .iter()
            .map(|a| {
                let Some(Value::List(redirects)) = a.get_attr("redirect") else {
                    return a.clone();
                };
                let redirects = redirects
                    .iter()
                    .map(|r| {
                        with_defaults(
                            r,
                            &[
                                ("host", Value::string("#{host}")),
                                ("path", Value::string("/#{path}")),
                                ("port", Value::string("#{port}")),
                                ("protocol", Value::string("#{protocol}")),
                                ("query", Value::string("#{query}")),
                            ],
                        )
                    })
                    .collect();
                read::with_attrs(a, [("redirect", Value::List(redirects))])
            })
            .collect(),
    )
}

fn first<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    read::known(v, name)
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first)
}

/// The configured actions (attribute `name`) as API actions; errors point at the action.
pub(crate) fn expand_actions(planned: &Value, name: &str) -> Result<Vec<Action>, ProviderError> {
    let items = read::known(planned, name)
        .and_then(Value::as_seq)
        .unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(i, a)| expand_action(a, i, name))
        .collect()
}

/// Checks at plan time the configured actions that are wholly known (a forward to a target
/// group created in the same run is checked at apply).
pub(crate) fn check_actions(config: &Value, name: &str) -> Result<(), ProviderError> {
    let items = read::known(config, name)
        .and_then(Value::as_seq)
        .unwrap_or_default();
    for (i, a) in items.iter().enumerate() {
        if a.is_wholly_known() {
            expand_action(a, i, name)?;
        }
    }
    Ok(())
}

/// Action `i` of attribute `name` as the API's; errors point at the action's argument.
fn expand_action(a: &Value, i: usize, name: &str) -> Result<Action, ProviderError> {
    let at = |attr: &str| {
        AttrPath::attr(name)
            .then(PathStep::Index(i))
            .then(PathStep::Attr(attr.to_owned()))
    };
    // Which block of the resource is wrong, for the message: the CLI points at the
    // resource's top-level arguments only.
    let block = format!("{name}[{i}]");
    let kind = read::string(a, "type").unwrap_or_default();
    if !TYPES.contains(&kind) {
        return Err(
            ProviderError::new(format!("unsupported action type {kind:?}"))
                .with_detail(format!("In {block}."))
                .with_attribute(at("type"))
                .with_hint("terrane supports forward, fixed-response and redirect actions."),
        );
    }
    let order = read::integer(a, "order")?
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or(i as i32 + 1);
    let mut action = Action::builder()
        .r#type(ActionTypeEnum::from(kind))
        .order(order);
    match kind {
        "forward" => {
            let Some(tg) = read::string(a, "target_group_arn") else {
                return Err(
                    ProviderError::new("a forward action needs target_group_arn")
                        .with_detail(format!("{block} forwards, but to no target group."))
                        .with_attribute(at("target_group_arn")),
                );
            };
            action = action.target_group_arn(tg);
        }
        "fixed-response" => {
            let Some(f) = first(a, "fixed_response") else {
                return Err(ProviderError::new(
                    "a fixed-response action needs a fixed_response block",
                )
                .with_detail(format!("{block} has no fixed_response block."))
                .with_attribute(at("fixed_response")));
            };
            action = action.fixed_response_config(
                FixedResponseActionConfig::builder()
                    .set_content_type(read::string(f, "content_type").map(str::to_owned))
                    .set_message_body(read::string(f, "message_body").map(str::to_owned))
                    .set_status_code(read::string(f, "status_code").map(str::to_owned))
                    .build(),
            );
        }
        _ => {
            let Some(r) = first(a, "redirect") else {
                return Err(
                    ProviderError::new("a redirect action needs a redirect block")
                        .with_detail(format!("{block} has no redirect block."))
                        .with_attribute(at("redirect")),
                );
            };
            let s = |k: &str| read::string(r, k).map(str::to_owned);
            action = action.redirect_config(
                RedirectActionConfig::builder()
                    .set_host(s("host"))
                    .set_path(s("path"))
                    .set_port(s("port"))
                    .set_protocol(s("protocol"))
                    .set_query(s("query"))
                    .set_status_code(
                        read::string(r, "status_code").map(RedirectActionStatusCodeEnum::from),
                    )
                    .build(),
            );
        }
    }
    Ok(action.build())
}

fn string(s: Option<&str>) -> Value {
    match s {
        Some(s) => Value::string(s),
        None => Value::Null(Type::String),
    }
}

/// API actions as the blocks' value, in their order.
pub(crate) fn flatten_actions(actions: &[Action]) -> Value {
    let mut sorted: Vec<(usize, &Action)> = actions.iter().enumerate().collect();
    sorted.sort_by_key(|(i, a)| (a.order().unwrap_or(*i as i32 + 1), *i));
    Value::List(
        sorted
            .into_iter()
            .map(|(i, a)| {
                let kind = a.r#type().map(ActionTypeEnum::as_str);
                let target_group = a.target_group_arn().or_else(|| {
                    // A forward to one group may come back as a forward config only.
                    let groups = a.forward_config().map(|f| f.target_groups())?;
                    match groups {
                        [one] => one.target_group_arn(),
                        _ => None,
                    }
                });
                let fixed = a
                    .fixed_response_config()
                    .map(|f| {
                        vec![Value::object([
                            ("content_type", string(f.content_type())),
                            ("message_body", string(f.message_body())),
                            ("status_code", string(f.status_code())),
                        ])]
                    })
                    .unwrap_or_default();
                let redirect = a
                    .redirect_config()
                    .map(|r| {
                        vec![Value::object([
                            ("host", string(r.host())),
                            ("path", string(r.path())),
                            ("port", string(r.port())),
                            ("protocol", string(r.protocol())),
                            ("query", string(r.query())),
                            (
                                "status_code",
                                string(r.status_code().map(RedirectActionStatusCodeEnum::as_str)),
                            ),
                        ])]
                    })
                    .unwrap_or_default();
                Value::object([
                    ("type", string(kind)),
                    (
                        "target_group_arn",
                        string(target_group.filter(|_| kind == Some("forward"))),
                    ),
                    (
                        "order",
                        int(Some(i64::from(a.order().unwrap_or(i as i32 + 1)))),
                    ),
                    ("fixed_response", Value::List(fixed)),
                    ("redirect", Value::List(redirect)),
                ])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: &str, extra: Vec<(&str, Value)>) -> Value {
        let mut m = vec![
            ("type", Value::from(kind)),
            ("target_group_arn", Value::Null(Type::String)),
            ("order", Value::Null(Type::Number)),
            ("fixed_response", Value::List(vec![])),
            ("redirect", Value::List(vec![])),
        ];
        for (k, v) in extra {
            m.retain(|(name, _)| *name != k);
            m.push((k, v));
        }
        Value::object(m)
    }

    fn config(actions: Vec<Value>) -> Value {
        Value::object([(
            "default_action",
            with_action_defaults(&Value::List(actions)),
        )])
    }

    #[test]
    fn a_forward_action_expands_and_flattens_back_to_what_was_configured() {
        let c = config(vec![action(
            "forward",
            vec![("target_group_arn", Value::from("arn:tg"))],
        )]);
        let expanded = expand_actions(&c, "default_action").unwrap();
        assert_eq!(expanded[0].order(), Some(1));
        assert_eq!(expanded[0].target_group_arn(), Some("arn:tg"));
        let back = flatten_actions(&expanded);
        let want = read::with_attrs(
            &c.get_attr("default_action").unwrap().as_seq().unwrap()[0],
            [("order", Value::from(1))],
        );
        assert_eq!(back, Value::List(vec![want]));
    }

    #[test]
    fn a_redirect_gets_terraforms_placeholders_for_what_it_leaves_out() {
        let c = config(vec![action(
            "redirect",
            vec![(
                "redirect",
                Value::List(vec![Value::object([
                    ("protocol", Value::from("HTTPS")),
                    ("port", Value::from("443")),
                    ("status_code", Value::from("HTTP_301")),
                ])]),
            )],
        )]);
        let expanded = expand_actions(&c, "default_action").unwrap();
        let r = expanded[0].redirect_config().unwrap();
        assert_eq!(r.host(), Some("#{host}"));
        assert_eq!(r.path(), Some("/#{path}"));
        assert_eq!(r.query(), Some("#{query}"));
        assert_eq!(r.protocol(), Some("HTTPS"));
        assert_eq!(
            r.status_code(),
            Some(&RedirectActionStatusCodeEnum::Http301)
        );
        let back = flatten_actions(&expanded);
        let redirect = &back.as_seq().unwrap()[0]
            .get_attr("redirect")
            .unwrap()
            .as_seq()
            .unwrap()[0];
        assert_eq!(redirect.get_attr("port"), Some(&Value::from("443")));
        assert_eq!(redirect.get_attr("host"), Some(&Value::from("#{host}")));
    }

    #[test]
    fn a_fixed_response_round_trips_with_an_absent_body_as_null() {
        let c = config(vec![action(
            "fixed-response",
            vec![(
                "fixed_response",
                Value::List(vec![Value::object([
                    ("content_type", Value::from("text/plain")),
                    ("message_body", Value::Null(Type::String)),
                    ("status_code", Value::from("503")),
                ])]),
            )],
        )]);
        let expanded = expand_actions(&c, "default_action").unwrap();
        let f = expanded[0].fixed_response_config().unwrap();
        assert_eq!(f.status_code(), Some("503"));
        assert_eq!(f.message_body(), None);
        let back = flatten_actions(&expanded);
        let got = &back.as_seq().unwrap()[0];
        assert_eq!(
            got.get_attr("target_group_arn"),
            Some(&Value::Null(Type::String))
        );
        assert_eq!(
            got.get_attr("fixed_response"),
            c.get_attr("default_action").unwrap().as_seq().unwrap()[0].get_attr("fixed_response")
        );
    }

    #[test]
    fn a_forward_without_a_target_group_points_at_the_missing_argument() {
        let c = config(vec![
            action(
                "fixed-response",
                vec![(
                    "fixed_response",
                    Value::List(vec![Value::object([(
                        "content_type",
                        Value::from("text/plain"),
                    )])]),
                )],
            ),
            action("forward", vec![]),
        ]);
        let e = expand_actions(&c, "default_action").unwrap_err();
        assert_eq!(
            e.attribute.unwrap().to_string(),
            "default_action[1].target_group_arn"
        );
        let c = config(vec![action("authenticate-oidc", vec![])]);
        assert!(expand_actions(&c, "default_action").is_err());
    }

    #[test]
    fn plan_checks_known_actions_and_leaves_a_forward_to_a_group_not_yet_created_for_apply() {
        let unknown_group = action(
            "forward",
            vec![("target_group_arn", Value::Unknown(Type::String))],
        );
        let c = config(vec![unknown_group.clone()]);
        assert!(check_actions(&c, "default_action").is_ok());
        let c = config(vec![unknown_group, action("forward", vec![])]);
        let e = check_actions(&c, "default_action").unwrap_err();
        assert_eq!(
            e.attribute.unwrap().to_string(),
            "default_action[1].target_group_arn"
        );
    }

    #[test]
    fn actions_flatten_in_their_order() {
        let a = |order: i32, tg: &str| {
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .order(order)
                .target_group_arn(tg)
                .build()
        };
        let back = flatten_actions(&[a(2, "second"), a(1, "first")]);
        let tgs: Vec<_> = back
            .as_seq()
            .unwrap()
            .iter()
            .map(|v| {
                v.get_attr("target_group_arn")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(tgs, ["first", "second"]);
    }
}
