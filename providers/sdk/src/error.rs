//! Errors providers return: what failed, why, and which argument it is about.

use terrane_types::AttrPath;

/// A failed provider operation. The engine turns it into a diagnostic pointing at the resource
/// block, or at the argument in `attribute` when set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{summary}")]
pub struct ProviderError {
    /// One line: "creating EC2 instance".
    pub summary: String,
    /// The remote service's own words, quoted: "InvalidAMIID.Malformed: The image ID 'None' is not valid".
    pub detail: String,
    /// The remote error code, when there is one (`InvalidAMIID.Malformed`).
    pub code: Option<String>,
    /// The argument the error is about.
    pub attribute: Option<AttrPath>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl ProviderError {
    pub fn new(summary: impl Into<String>) -> ProviderError {
        ProviderError {
            summary: summary.into(),
            detail: String::new(),
            code: None,
            attribute: None,
            hint: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> ProviderError {
        self.detail = detail.into();
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> ProviderError {
        self.code = Some(code.into());
        self
    }

    pub fn with_attribute(mut self, path: AttrPath) -> ProviderError {
        self.attribute = Some(path);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> ProviderError {
        self.hint = Some(hint.into());
        self
    }
}
