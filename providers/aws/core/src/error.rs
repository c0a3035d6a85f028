//! AWS errors as provider errors: what terrane was doing, AWS's code and message quoted, and
//! a hint for the common ones.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use terrane_sdk::ProviderError;

/// Turns a failed SDK call into a provider error: "creating EC2 Instance" with detail
/// "InvalidAMIID.Malformed: The image ID 'None' is not valid".
pub fn sdk_error<E, R>(action: &str, err: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("Unknown").to_owned();
            let message = e.message().unwrap_or("(no message)").to_owned();
            let mut out = ProviderError::new(action)
                .with_detail(format!("{code}: {message}"))
                .with_code(code.clone());
            if let Some(hint) = hint_for(&code) {
                out = out.with_hint(hint);
            }
            out
        }
        SdkError::DispatchFailure(_)
            if DisplayErrorContext(&err)
                .to_string()
                .contains("no credentials found in chain") =>
        {
            ProviderError::new(action)
                .with_code("NoCredentialProviders")
                .with_detail("No valid credential sources found: terrane looked in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE), the shared config and credentials files, web identity, the ECS container and the instance metadata service.")
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => ProviderError::new(action)
            .with_detail(format!(
                "The AWS endpoint could not be reached: {}",
                DisplayErrorContext(&err)
            ))
            .with_hint("Check the network, the region, and any endpoints or AWS_ENDPOINT_URL set."),
        _ => ProviderError::new(action).with_detail(DisplayErrorContext(&err).to_string()),
    }
}

/// What users can do about common AWS errors.
fn hint_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "InvalidAMIID.Malformed" | "InvalidAMIID.NotFound" | "InvalidAMIID.Unavailable" => {
            "AMI ids differ by region and change over time: look one up with a data \"aws_ami\" block (owners, filters, most_recent) instead of writing it."
        }
        "UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException" => {
            "The credentials in use lack a permission this operation needs; the message names it."
        }
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "AuthFailure" | "ExpiredToken" => {
            "The credentials were refused: check AWS_ACCESS_KEY_ID / AWS_PROFILE, or refresh an expired session (aws sso login)."
        }
        "RequestLimitExceeded"
        | "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException" => {
            "AWS is throttling this account; terrane retried. Lower -parallelism or raise max_retries in the provider block."
        }
        _ => return None,
    })
}

/// The AWS error code of a failed call, if the service answered with one.
pub trait AwsErrorExt {
    fn aws_code(&self) -> Option<&str>;
    /// Whether the service said the thing does not exist (codes ending in NotFound, or
    /// `*.NotFound`, `NoSuch*`).
    fn is_not_found(&self) -> bool {
        self.aws_code().is_some_and(|c| {
            c.ends_with("NotFound")
                || c.ends_with(".NotFound")
                || c.starts_with("NoSuch")
                || c == "ResourceNotFoundException"
                || c == "NotFoundException"
        })
    }
}

impl<E: ProvideErrorMetadata, R> AwsErrorExt for SdkError<E, R> {
    fn aws_code(&self) -> Option<&str> {
        match self {
            SdkError::ServiceError(s) => s.err().code(),
            _ => None,
        }
    }
}
