//! Conversion of values to type constraints, with Terraform's rules and messages.
