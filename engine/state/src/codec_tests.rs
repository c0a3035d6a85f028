use super::*;
use crate::parse_instance_addr;
use serde_json::json;

const FIXTURE: &[u8] = include_bytes!("../tests/fixtures/terraform-1.9.tfstate");

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn a_state_written_by_terraform_round_trips_byte_for_byte() {
    let state = State::from_json(FIXTURE).unwrap();
    assert_eq!(text(&state.to_json()), text(FIXTURE));
}

#[test]
fn a_new_serial_changes_only_the_serial_line() {
    let mut state = State::from_json(FIXTURE).unwrap();
    state.serial = 13;
    let expected = text(FIXTURE).replace("\"serial\": 12,", "\"serial\": 13,");
    assert_eq!(text(&state.to_json()), expected);
}

#[test]
fn unknown_fields_are_preserved_at_every_level() {
    let state = State::from_json(FIXTURE).unwrap();
    assert_eq!(
        state.extra.get("future_top_level"),
        Some(&json!({"note": "a field from a later version"}))
    );
    let b = parse_instance_addr("local_file.config[\"b\"]").unwrap();
    let inst = state.get(&b).unwrap();
    assert_eq!(
        inst.extra.get("future_instance_field"),
        Some(&json!({"kept": ["as", "written"]}))
    );
    let mut doc = br#"{"version": 4, "serial": 1, "lineage": "l", "resources": [
        {"mode": "managed", "type": "t", "name": "n", "provider": "p", "later": 1,
         "instances": [{"schema_version": 0, "attributes": {}, "identity_v9": [1]}]}],
        "outputs": {"o": {"value": 1, "type": "number", "ephemeral_v9": true}}}"#
        .to_vec();
    let state = State::from_json(&doc).unwrap();
    let again = State::from_json(&state.to_json()).unwrap();
    assert_eq!(again, state);
    let written: Value = serde_json::from_slice(&state.to_json()).unwrap();
    assert_eq!(written["resources"][0]["later"], json!(1));
    assert_eq!(
        written["resources"][0]["instances"][0]["identity_v9"],
        json!([1])
    );
    assert_eq!(written["outputs"]["o"]["ephemeral_v9"], json!(true));
    doc.clear();
}

#[test]
fn the_fixture_reads_into_addresses_objects_and_outputs() {
    let state = State::from_json(FIXTURE).unwrap();
    assert_eq!(state.serial, 12);
    assert_eq!(state.lineage, "5c0e7d3a-8f41-4b6e-9a2d-3e1f7c9b0a45");
    assert_eq!(state.terraform_version, "1.9.8");
    let addrs: Vec<String> = state.instances().map(|(a, _, _)| a.to_string()).collect();
    assert_eq!(
        addrs,
        [
            "data.local_file.motd",
            "local_file.config[\"a\"]",
            "local_file.config[\"b\"]",
            "null_resource.cluster[0]",
            "null_resource.cluster[1]",
            "null_resource.cluster[2]",
            "random_pet.name",
            "module.app[\"eu\"].random_id.suffix",
        ]
    );
    let tainted = parse_instance_addr("null_resource.cluster[2]").unwrap();
    assert!(state.get(&tainted).unwrap().is_tainted());
    let pet = parse_instance_addr("random_pet.name").unwrap();
    assert!(state.get(&pet).unwrap().create_before_destroy);
    let deposed: Vec<&str> = state.deposed(&pet).map(|(k, _)| k).collect();
    assert_eq!(deposed, ["8f3a2b1c"]);
    let config = parse_instance_addr("local_file.config[\"a\"]").unwrap();
    let a = state.get(&config).unwrap();
    assert_eq!(a.attributes["content"], json!("port = 8080 <a&b>\n"));
    assert_eq!(a.dependencies, ["random_pet.name"]);
    assert_eq!(
        state.resource(&config.resource).unwrap().provider,
        "provider[\"registry.terraform.io/hashicorp/local\"]"
    );
    let password = state.output("db_password").unwrap();
    assert!(password.sensitive);
    assert_eq!(password.value, json!("s3crét-<pass>&word"));
    assert_eq!(
        state.output("files").unwrap().type_,
        json!(["map", "string"])
    );
    assert!(state.check_results.is_array());
}

#[test]
fn version_3_is_refused_with_how_to_upgrade() {
    let err = State::from_json(br#"{"version": 3, "serial": 1, "modules": []}"#).unwrap_err();
    assert!(matches!(err, StateError::FormatTooOld { version: 3, .. }));
    let message = err.to_string();
    assert!(message.contains("version 3"), "{message}");
    assert!(message.contains("Terraform 0.12 or later"), "{message}");
}

#[test]
fn a_newer_version_is_refused() {
    let err = State::from_json(br#"{"version": 5}"#).unwrap_err();
    assert!(matches!(err, StateError::FormatTooNew { version: 5, .. }));
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn content_that_is_not_a_state_is_refused_clearly() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "not valid JSON"),
        (b"[1]", "not a JSON object"),
        (b"{}", "no \"version\""),
        (
            br#"{"version": 4, "serial": "one"}"#,
            "serial must be a whole number",
        ),
        (
            br#"{"version": 4, "resources": [{"mode": "weird", "type": "t", "name": "n"}]}"#,
            "resources[0]: mode \"weird\"",
        ),
    ];
    for (input, expected) in cases {
        let err = State::from_json(input).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn an_instance_listed_twice_is_refused() {
    let doc = br#"{"version": 4, "resources": [
        {"mode": "managed", "type": "t", "name": "n", "provider": "p",
         "instances": [{"index_key": 1, "schema_version": 0}, {"index_key": 1.0, "schema_version": 0}]}]}"#;
    let err = State::from_json(doc).unwrap_err().to_string();
    assert!(err.contains("t.n[1] appears more than once"), "{err}");
}

#[test]
fn identity_fields_of_terraform_1_12_and_each_of_0_12_round_trip() {
    let doc = r#"{
  "version": 4,
  "terraform_version": "1.12.0",
  "serial": 1,
  "lineage": "l",
  "outputs": {},
  "resources": [
    {
      "mode": "managed",
      "type": "aws_instance",
      "name": "web",
      "each": "list",
      "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
      "instances": [
        {
          "index_key": 0,
          "schema_version": 1,
          "attributes": {
            "id": "i-0123"
          },
          "sensitive_attributes": [],
          "identity_schema_version": 0,
          "identity": {
            "id": "i-0123"
          },
          "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ=="
        }
      ]
    }
  ],
  "check_results": null
}
"#;
    let state = State::from_json(doc.as_bytes()).unwrap();
    assert_eq!(text(&state.to_json()), doc);
}

#[test]
fn a_state_built_in_memory_is_written_in_terraforms_layout() {
    let mut state = State::new("lin");
    state.terraform_version = "1.9.0".into();
    let addr = parse_instance_addr("module.m[0].null_resource.n[\"k\"]").unwrap();
    state.set(
        &addr,
        "provider[\"registry.terraform.io/hashicorp/null\"]",
        InstanceState::new(json!({"id": "1"})),
    );
    let expected = r#"{
  "version": 4,
  "terraform_version": "1.9.0",
  "serial": 0,
  "lineage": "lin",
  "outputs": {},
  "resources": [
    {
      "module": "module.m[0]",
      "mode": "managed",
      "type": "null_resource",
      "name": "n",
      "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
      "instances": [
        {
          "index_key": "k",
          "schema_version": 0,
          "attributes": {
            "id": "1"
          },
          "sensitive_attributes": []
        }
      ]
    }
  ],
  "check_results": null
}
"#;
    assert_eq!(text(&state.to_json()), expected);
}

#[test]
fn go_escapes_are_written_for_html_characters_and_separators() {
    let mut state = State::new("l");
    state.set_output(
        "o",
        OutputState::new(
            json!("<a> & \u{2028}\u{2029} \u{1} \n é"),
            json!("string"),
            false,
        ),
    );
    let out = String::from_utf8(state.to_json()).unwrap();
    assert!(
        out.contains(r#""value": "\u003ca\u003e \u0026 \u2028\u2029 \u0001 \n é""#),
        "{out}"
    );
}

#[test]
fn no_input_makes_the_reader_panic() {
    // Prefixes, and the fixture with structural characters replaced (a sample of each:
    // the whole set takes seconds in a debug build).
    for end in (0..FIXTURE.len()).step_by(23) {
        let _ = State::from_json(&FIXTURE[..end]);
    }
    for (i, b) in FIXTURE.iter().enumerate().step_by(17) {
        if matches!(b, b'{' | b'[' | b'"' | b':' | b'0'..=b'9') {
            for replacement in [b'1', b'"', b'{', b'n'] {
                let mut mutated = FIXTURE.to_vec();
                mutated[i] = replacement;
                if let Ok(s) = State::from_json(&mutated) {
                    let _ = State::from_json(&s.to_json());
                }
            }
        }
    }
}
