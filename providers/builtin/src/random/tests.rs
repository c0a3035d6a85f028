use super::*;
use crate::rng::Rng;
use terrane_types::{AttrPath, Type};

/// A configuration object for `r`: every attribute null but those given.
pub(crate) fn cfg(r: &dyn Resource, set: &[(&str, Value)]) -> Value {
    let mut m: std::collections::BTreeMap<String, Value> = r
        .schema()
        .block
        .attributes
        .iter()
        .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
        .collect();
    for (k, v) in set {
        m.insert((*k).to_owned(), v.clone());
    }
    Value::Object(m)
}

async fn create(r: &dyn Resource, config: &Value) -> Value {
    let p = r.plan(None, config).await.unwrap();
    assert!(p.requires_replace.is_empty());
    let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
    assert!(s.is_wholly_known(), "{s}");
    s
}

fn keepers_map(entries: &[(&str, &str)]) -> Value {
    Value::map(entries.iter().map(|(k, v)| (*k, Value::from(*v))))
}

/// A resource and the arguments it needs.
type Case = (Box<dyn Resource>, Vec<(&'static str, Value)>);

fn all_random() -> Vec<Case> {
    vec![
        (
            Box::new(RandomId::new()),
            vec![("byte_length", int_value(8))],
        ),
        (
            Box::new(RandomInteger::new()),
            vec![("min", int_value(1)), ("max", int_value(6))],
        ),
        (Box::new(RandomPet::new()), vec![]),
        (
            Box::new(RandomShuffle::new()),
            vec![(
                "input",
                Value::List(vec!["a".into(), "b".into(), "c".into()]),
            )],
        ),
        (
            Box::new(RandomString::new(false)),
            vec![("length", int_value(16))],
        ),
        (
            Box::new(RandomString::new(true)),
            vec![("length", int_value(16))],
        ),
        (Box::new(RandomUuid::new()), vec![]),
    ]
}

#[test]
fn every_random_resource_has_replacing_keepers_and_computed_id() {
    for (r, _) in all_random() {
        let a = &r.schema().block.attributes;
        assert!(a["keepers"].optional && a["keepers"].force_new);
        assert_eq!(a["keepers"].ty, Type::map(Type::String));
        assert!(a["id"].computed && !a["id"].optional);
    }
}

#[test]
fn random_id_requires_a_replacing_byte_length() {
    let r = RandomId::new();
    let a = &r.schema().block.attributes;
    assert!(a["byte_length"].required && a["byte_length"].force_new);
    assert!(a["prefix"].optional && a["prefix"].force_new);
    for k in ["hex", "b64_url", "b64_std", "dec"] {
        assert!(a[k].computed, "{k}");
    }
}

#[test]
fn random_password_result_is_sensitive_and_random_string_result_is_not() {
    let p = RandomString::new(true);
    assert!(p.schema().block.attributes["result"].sensitive);
    assert_eq!(p.schema().version, 3);
    let s = RandomString::new(false);
    assert!(!s.schema().block.attributes["result"].sensitive);
    assert!(s.schema().block.attributes["length"].required);
    assert!(s.schema().block.attributes["special"].optional);
    assert!(s.schema().block.attributes["special"].computed);
}

#[tokio::test]
async fn every_random_resource_creates_fully_known_values() {
    for (r, set) in all_random() {
        create(r.as_ref(), &cfg(r.as_ref(), &set)).await;
    }
}

#[tokio::test]
async fn an_unchanged_configuration_plans_no_change() {
    for (r, set) in all_random() {
        let config = cfg(r.as_ref(), &set);
        let prior = create(r.as_ref(), &config).await;
        let p = r.plan(Some(&prior), &config).await.unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned, prior);
    }
}

#[tokio::test]
async fn changed_keepers_require_replacement() {
    for (r, mut set) in all_random() {
        set.push(("keepers", keepers_map(&[("v", "1")])));
        let prior = create(r.as_ref(), &cfg(r.as_ref(), &set)).await;
        set.pop();
        set.push(("keepers", keepers_map(&[("v", "2")])));
        let p = r.plan(Some(&prior), &cfg(r.as_ref(), &set)).await.unwrap();
        assert_eq!(p.requires_replace, vec![AttrPath::attr("keepers")]);
        assert_eq!(
            p.planned.get_attr("id"),
            Some(&Value::Unknown(Type::String))
        );
    }
}

#[tokio::test]
async fn a_keeper_added_with_a_null_value_updates_in_place() {
    let r = RandomPet::new();
    let prior = create(&r, &cfg(&r, &[("keepers", keepers_map(&[("a", "1")]))])).await;
    let keepers = Value::map([("a", Value::from("1")), ("b", Value::Null(Type::String))]);
    let p = r
        .plan(Some(&prior), &cfg(&r, &[("keepers", keepers.clone())]))
        .await
        .unwrap();
    assert!(p.requires_replace.is_empty());
    assert_eq!(p.planned.get_attr("id"), prior.get_attr("id"));
    assert_eq!(p.planned.get_attr("keepers"), Some(&keepers));
}

#[tokio::test]
async fn changing_a_force_new_argument_requires_replacement() {
    let r = RandomInteger::new();
    let prior = create(
        &r,
        &cfg(&r, &[("min", int_value(1)), ("max", int_value(6))]),
    )
    .await;
    let p = r
        .plan(
            Some(&prior),
            &cfg(&r, &[("min", int_value(1)), ("max", int_value(7))]),
        )
        .await
        .unwrap();
    assert_eq!(p.requires_replace, vec![AttrPath::attr("max")]);
}

#[tokio::test]
async fn random_integer_with_a_seed_is_deterministic_and_within_bounds() {
    let r = RandomInteger::new();
    let config = |seed: &str| {
        cfg(
            &r,
            &[
                ("min", int_value(-5)),
                ("max", int_value(5)),
                ("seed", Value::from(seed)),
            ],
        )
    };
    let a = create(&r, &config("alpha")).await;
    let b = create(&r, &config("alpha")).await;
    assert_eq!(a.get_attr("result"), b.get_attr("result"));
    let n = a
        .get_attr("result")
        .and_then(Value::as_number)
        .and_then(|n| n.to_i64());
    let n = n.unwrap();
    assert!((-5..=5).contains(&n));
    assert_eq!(a.get_attr("id"), Some(&Value::from(n.to_string())));
    let mut rng = Rng::from_seed("bounds");
    for _ in 0..200 {
        let v = integer_in(&mut rng, 3, 4);
        assert!(v == 3 || v == 4);
    }
    let extremes = integer_in(&mut rng, i64::MIN, i64::MAX);
    assert!((i64::MIN..=i64::MAX).contains(&extremes));
}

#[tokio::test]
async fn random_integer_rejects_max_below_min_naming_max() {
    let r = RandomInteger::new();
    let err = r
        .plan(
            None,
            &cfg(&r, &[("min", int_value(5)), ("max", int_value(1))]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.attribute, Some(AttrPath::attr("max")));
}

#[tokio::test]
async fn random_id_encodings_agree_and_carry_the_prefix() {
    let r = RandomId::new();
    let s = create(
        &r,
        &cfg(
            &r,
            &[("byte_length", int_value(4)), ("prefix", Value::from("p-"))],
        ),
    )
    .await;
    let get = |k: &str| s.get_attr(k).and_then(Value::as_str).unwrap().to_owned();
    let hex = get("hex");
    assert!(hex.starts_with("p-") && hex.len() == 2 + 8);
    let n = u64::from_str_radix(&hex[2..], 16).unwrap();
    assert_eq!(get("dec"), format!("p-{n}"));
    assert_eq!(get("b64_url"), format!("p-{}", get("id")));
    assert_eq!(decimal(&[1, 0]), "256");
    assert_eq!(decimal(&[0, 0]), "0");
    assert_eq!(
        decimal(&[0xff; 16]),
        "340282366920938463463374607431768211455"
    );
}

#[tokio::test]
async fn random_id_imports_an_id_with_a_prefix() {
    let s = RandomId::new().import("pre,AQI").await.unwrap();
    assert_eq!(s.get_attr("hex"), Some(&Value::from("pre0102")));
    assert_eq!(s.get_attr("byte_length"), Some(&int_value(2)));
    assert_eq!(s.get_attr("prefix"), Some(&Value::from("pre")));
}

#[tokio::test]
async fn random_pet_words_are_joined_by_the_separator() {
    let r = RandomPet::new();
    let s = create(
        &r,
        &cfg(
            &r,
            &[
                ("length", int_value(4)),
                ("separator", Value::from("_")),
                ("prefix", Value::from("dev")),
            ],
        ),
    )
    .await;
    let id = s.get_attr("id").and_then(Value::as_str).unwrap();
    let words: Vec<&str> = id.split('_').collect();
    assert_eq!(words.len(), 5, "{id}");
    assert_eq!(words[0], "dev");
    assert!(words::ADVERBS.contains(&words[1]) && words::ADVERBS.contains(&words[2]));
    assert!(words::ADJECTIVES.contains(&words[3]));
    assert!(words::NAMES.contains(&words[4]));
    // Defaults: two words and "-".
    let s = create(&r, &cfg(&r, &[])).await;
    assert_eq!(s.get_attr("length"), Some(&int_value(2)));
    assert_eq!(s.get_attr("separator"), Some(&Value::from("-")));
    let id = s.get_attr("id").and_then(Value::as_str).unwrap();
    assert_eq!(id.split('-').count(), 2, "{id}");
}

#[test]
fn pet_word_lists_are_long_lower_case_and_free_of_duplicates() {
    for list in [words::ADVERBS, words::ADJECTIVES, words::NAMES] {
        assert!(list.len() >= 200);
        let mut sorted = list.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), list.len());
        assert!(
            list.iter()
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }
}

#[tokio::test]
async fn random_string_honours_classes_and_minimums() {
    let r = RandomString::new(false);
    let s = create(
        &r,
        &cfg(
            &r,
            &[
                ("length", int_value(12)),
                ("special", Value::Bool(false)),
                ("upper", Value::Bool(false)),
                ("min_numeric", int_value(5)),
            ],
        ),
    )
    .await;
    let result = s.get_attr("result").and_then(Value::as_str).unwrap();
    assert_eq!(result.len(), 12);
    assert!(
        result
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    assert!(result.chars().filter(char::is_ascii_digit).count() >= 5);
    assert_eq!(s.get_attr("id"), s.get_attr("result"));
    assert_eq!(s.get_attr("numeric"), Some(&Value::Bool(true)));
    assert_eq!(s.get_attr("number"), Some(&Value::Bool(true)));
    let only = generate_for_test_special();
    assert!(only.chars().all(|c| c == '!' || c == '#'));
}

fn generate_for_test_special() -> String {
    string::generate_for_test(
        30,
        [(false, 0), (false, 0), (false, 0), (true, 0)],
        "!#",
        "s",
    )
    .unwrap()
}

#[tokio::test]
async fn random_password_has_id_none() {
    let r = RandomString::new(true);
    let s = create(&r, &cfg(&r, &[("length", int_value(20))])).await;
    assert_eq!(s.get_attr("id"), Some(&Value::from("none")));
    assert_eq!(
        s.get_attr("result").and_then(Value::as_str).map(str::len),
        Some(20)
    );
}

#[tokio::test]
async fn random_string_argument_mistakes_name_the_argument() {
    let r = RandomString::new(false);
    let short = r
        .plan(
            None,
            &cfg(&r, &[("length", int_value(3)), ("min_upper", int_value(4))]),
        )
        .await
        .unwrap_err();
    assert_eq!(short.attribute, Some(AttrPath::attr("length")));
    let none = r
        .plan(
            None,
            &cfg(
                &r,
                &[
                    ("length", int_value(3)),
                    ("special", Value::Bool(false)),
                    ("upper", Value::Bool(false)),
                    ("lower", Value::Bool(false)),
                    ("numeric", Value::Bool(false)),
                ],
            ),
        )
        .await
        .unwrap_err();
    assert!(none.summary.contains("at least one"), "{}", none.summary);
    let clash = r
        .plan(
            None,
            &cfg(
                &r,
                &[
                    ("length", int_value(3)),
                    ("number", Value::Bool(false)),
                    ("numeric", Value::Bool(true)),
                ],
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(clash.attribute, Some(AttrPath::attr("numeric")));
}

#[test]
fn old_random_string_states_gain_numeric_and_defaults() {
    let r = RandomString::new(false);
    let old = serde_json::json!({"length": 4, "result": "abcd", "number": false});
    let new = r.upgrade_state(1, old).unwrap();
    assert_eq!(new["numeric"], serde_json::json!(false));
    assert_eq!(new["min_upper"], serde_json::json!(0));
    assert_eq!(new["special"], serde_json::json!(true));
}

#[tokio::test]
async fn random_shuffle_with_a_seed_repeats_and_honours_result_count() {
    let r = RandomShuffle::new();
    let input = Value::List(["a", "b", "c", "d"].map(Value::from).to_vec());
    let config = cfg(
        &r,
        &[
            ("input", input),
            ("seed", Value::from("s")),
            ("result_count", int_value(6)),
        ],
    );
    let a = create(&r, &config).await;
    let b = create(&r, &config).await;
    assert_eq!(a.get_attr("result"), b.get_attr("result"));
    let result = a.get_attr("result").and_then(Value::as_seq).unwrap();
    assert_eq!(result.len(), 6);
    let first: std::collections::BTreeSet<_> = result[..4].iter().collect();
    assert_eq!(first.len(), 4, "the first four are a permutation");
}

#[tokio::test]
async fn random_uuid_is_a_version_4_uuid_and_imports() {
    let r = RandomUuid::new();
    let s = create(&r, &cfg(&r, &[])).await;
    let id = s.get_attr("result").and_then(Value::as_str).unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert_eq!(s.get_attr("id"), s.get_attr("result"));
    let imported = r.import(id).await.unwrap();
    assert_eq!(imported.get_attr("result"), s.get_attr("result"));
}

#[tokio::test]
async fn random_bytes_are_sensitive_and_any_keeper_change_replaces() {
    let r = RandomBytes::new();
    let a = &r.schema().block.attributes;
    assert!(a["base64"].sensitive && a["hex"].sensitive);
    assert!(a["length"].required && a["length"].force_new);
    let s = create(&r, &cfg(&r, &[("length", int_value(8))])).await;
    let hex = s.get_attr("hex").and_then(Value::as_str).unwrap();
    assert_eq!(hex.len(), 16);
    let with_null = Value::map([("a", Value::Null(Type::String))]);
    let p = r
        .plan(
            Some(&s),
            &cfg(&r, &[("length", int_value(8)), ("keepers", with_null)]),
        )
        .await
        .unwrap();
    assert_eq!(p.requires_replace, vec![AttrPath::attr("keepers")]);
    let bad = r
        .plan(None, &cfg(&r, &[("length", int_value(0))]))
        .await
        .unwrap_err();
    assert_eq!(bad.attribute, Some(AttrPath::attr("length")));
}
