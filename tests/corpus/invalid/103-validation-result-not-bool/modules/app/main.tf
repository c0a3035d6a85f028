variable "name" {
  type = string

  validation {
    condition     = length(var.name)
    error_message = "The name must not be empty."
  }
}
