//! Lambda resources of the aws provider, with Terraform's names and semantics:
//! `aws_lambda_function` (zip packages from a file or S3; code and configuration updated
//! separately and only when they changed; waits until the function is ready; retries while
//! IAM propagates a new role; plan-time warnings about the runtime and the handler),
//! `aws_lambda_permission` and `aws_lambda_alias`.

mod alias;
mod function;
mod package;
mod permission;

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

/// The service: registered with the aws provider by the binary.
pub struct LambdaService;

impl Service for LambdaService {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_lambda_function", function::schema()),
            ("aws_lambda_permission", permission::schema()),
            ("aws_lambda_alias", alias::schema()),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let lambda = Arc::new(Lambda::new(aws.clone()));
        Catalog::default()
            .resource(
                "aws_lambda_function",
                function::Function::new(lambda.clone()),
            )
            .resource(
                "aws_lambda_permission",
                permission::Permission::new(lambda.clone()),
            )
            .resource("aws_lambda_alias", alias::Alias::new(lambda))
    }
}

/// A configured Lambda client and the provider it belongs to.
pub(crate) struct Lambda {
    pub client: aws_sdk_lambda::Client,
    pub aws: Arc<Aws>,
}

impl Lambda {
    fn new(aws: Arc<Aws>) -> Lambda {
        let mut conf = aws_sdk_lambda::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("lambda") {
            conf = conf.endpoint_url(url);
        }
        Lambda {
            client: aws_sdk_lambda::Client::from_conf(conf.build()),
            aws,
        }
    }

    /// The ARN API Gateway invokes a function (or a version or alias) by.
    pub(crate) fn invoke_arn(&self, function_arn: &str) -> String {
        invoke_arn(self.aws.partition(), &self.aws.region, function_arn)
    }
}

fn invoke_arn(partition: &str, region: &str, function_arn: &str) -> String {
    format!(
        "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_invoke_arn_is_api_gateways_path_to_the_function() {
        assert_eq!(
            super::invoke_arn(
                "aws",
                "eu-west-3",
                "arn:aws:lambda:eu-west-3:123456789012:function:f"
            ),
            "arn:aws:apigateway:eu-west-3:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-3:123456789012:function:f/invocations"
        );
    }
}
