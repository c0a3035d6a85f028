variable "env" {
  type = string

  validation {
    condition     = var.env == "prod" ? "yes" : "no"
    error_message = "Unknown environment."
  }
}
