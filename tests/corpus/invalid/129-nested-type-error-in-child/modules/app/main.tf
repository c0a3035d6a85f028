variable "ports" {
  type = list(number)
}

locals {
  description = "ports: ${var.ports}"
}
