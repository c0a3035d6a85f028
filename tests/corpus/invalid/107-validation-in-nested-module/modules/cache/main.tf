variable "node_count" {
  type = number

  validation {
    condition     = var.node_count > 0
    error_message = "At least one cache node is required."
  }
}
