//! IAM resources of the aws provider, with Terraform's names and semantics: `aws_iam_role`,
//! `aws_iam_role_policy_attachment`, `aws_iam_role_policy`, `aws_iam_policy`, and the data
//! source `aws_iam_policy_document`, which renders statements as Terraform does.
//!
//! JSON policy arguments compare by meaning (`policy_json`): a document that says the same
//! as the state's, in another key order or layout, is no change, and a document AWS returns
//! reformatted (IAM returns them URL-encoded and re-serialised) is no drift.
//!
//! IAM has no batched reads: refresh costs one Get call per role or policy (and one List call
//! per role for attachments).

mod policy;
mod policy_document;
pub mod policy_json;
mod role;
mod role_policy;
mod role_policy_attachment;

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

/// The service: registered with the aws provider by the binary.
pub struct IamService;

impl Service for IamService {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_iam_role", role::schema()),
            (
                "aws_iam_role_policy_attachment",
                role_policy_attachment::schema(),
            ),
            ("aws_iam_role_policy", role_policy::schema()),
            ("aws_iam_policy", policy::schema()),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![("aws_iam_policy_document", policy_document::schema())]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let iam = Arc::new(Iam::new(aws.clone()));
        Catalog::default()
            .resource("aws_iam_role", role::Role::new(iam.clone()))
            .resource(
                "aws_iam_role_policy_attachment",
                role_policy_attachment::Attachment::new(iam.clone()),
            )
            .resource(
                "aws_iam_role_policy",
                role_policy::RolePolicy::new(iam.clone()),
            )
            .resource("aws_iam_policy", policy::Policy::new(iam))
            .data_source(
                "aws_iam_policy_document",
                policy_document::PolicyDocument::new(),
            )
    }
}

/// A configured IAM client and the provider it belongs to.
pub(crate) struct Iam {
    pub client: aws_sdk_iam::Client,
    pub aws: Arc<Aws>,
}

impl Iam {
    fn new(aws: Arc<Aws>) -> Iam {
        let mut conf = aws_sdk_iam::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("iam") {
            conf = conf.endpoint_url(url);
        }
        Iam {
            client: aws_sdk_iam::Client::from_conf(conf.build()),
            aws,
        }
    }
}

/// Tags as IAM takes them.
pub(crate) fn to_tags(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

/// Tags as IAM returns them.
pub(crate) fn from_tags(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// An IAM timestamp as Terraform stores it (RFC 3339).
pub(crate) fn timestamp(t: &aws_smithy_types::DateTime) -> String {
    t.fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// A policy AWS refused as malformed is about the argument that holds it.
pub(crate) fn at_policy(e: terrane_sdk::ProviderError, attr: &str) -> terrane_sdk::ProviderError {
    if e.code.as_deref() == Some("MalformedPolicyDocument") {
        e.with_attribute(terrane_types::AttrPath(vec![
            terrane_types::PathStep::Attr(attr.to_owned()),
        ]))
    } else {
        e
    }
}
