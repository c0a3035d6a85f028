variable "port" {
  type = number

  validation {
    condition     = var.port <= 65535
    error_message = "The port must be at most 65535."
  }

  validation {
    condition     = var.port % 2 == 0
    error_message = "The port must be even."
  }

  validation {
    condition     = var.port > 1024
    error_message = "The port must be above 1024."
  }
}
