variable "name" {
  type = string

  validaton {
    condition     = length(var.name) > 0
    error_message = "The name must not be empty."
  }
}
