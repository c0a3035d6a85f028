//! Loads Terraform-language modules (.tf, .tf.json, .tfvars) into a spanned configuration tree.
