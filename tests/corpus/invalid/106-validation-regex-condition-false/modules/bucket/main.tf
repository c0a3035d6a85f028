variable "bucket_name" {
  type = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+$", var.bucket_name))
    error_message = "Bucket names may contain only lowercase letters, digits, dots and hyphens."
  }
}
