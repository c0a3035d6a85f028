//! The providers compiled into this binary.

use std::sync::atomic::{AtomicBool, Ordering};
use terrane_sdk::Registry;

static NO_WAIT_FOR_INSTANCE_REFRESH: AtomicBool = AtomicBool::new(false);

/// `apply --no-wait-for-instance-refresh`: start Auto Scaling instance refreshes and return,
/// as Terraform's provider does.
pub fn no_wait_for_instance_refresh() {
    NO_WAIT_FOR_INSTANCE_REFRESH.store(true, Ordering::Relaxed);
}

/// Every built-in provider, by local name and source address.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    terrane_builtin::register_all(&mut r);
    #[cfg(feature = "aws")]
    {
        let mut aws = terrane_aws_core::AwsFactory::new(vec![
            std::sync::Arc::new(terrane_aws_ec2::Ec2Service),
            std::sync::Arc::new(terrane_aws_elbv2::Elbv2Service),
            std::sync::Arc::new(terrane_aws_autoscaling::AutoscalingService),
            std::sync::Arc::new(terrane_aws_iam::IamService),
            std::sync::Arc::new(terrane_aws_lambda::LambdaService),
            std::sync::Arc::new(terrane_aws_apigateway::ApiGatewayService),
        ]);
        if NO_WAIT_FOR_INSTANCE_REFRESH.load(Ordering::Relaxed) {
            aws = aws.with_settings(terrane_aws_core::Settings {
                wait_for_instance_refresh: false,
            });
        }
        r.register(std::sync::Arc::new(aws));
    }
    r
}
