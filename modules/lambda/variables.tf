variable "name" {
  description = "Name of the function (also the prefix of its IAM role)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "A Lambda function name is 1 to 64 letters, digits, hyphens or underscores."
  }
}

variable "src_dir" {
  description = "Directory holding the function's code; packaged as a zip on every plan."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime, e.g. \"nodejs20.x\" or \"python3.12\"."
  type        = string
}

variable "handler" {
  description = "Entry point, \"<file without extension>.<function>\", e.g. \"index.handler\"."
  type        = string
}

variable "memory_size" {
  description = "Memory in MB (128 to 10240); CPU grows with it."
  type        = number
  default     = 128
}

variable "timeout" {
  description = "Seconds an invocation may run (at most 900)."
  type        = number
  default     = 5
}

variable "environment" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}
