//! Rewrites Terraform-language files in the canonical layout, keeping comments.
