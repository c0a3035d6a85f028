//! The providers compiled into this binary.

use terrane_sdk::Registry;

/// Every built-in provider, by local name and source address.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    terrane_builtin::register_all(&mut r);
    #[cfg(feature = "aws")]
    r.register(std::sync::Arc::new(terrane_aws_core::AwsFactory::new(
        vec![std::sync::Arc::new(terrane_aws_ec2::Ec2Service)],
    )));
    r
}
