variable "env" {
  type = string
}

locals {
  bucket = "logs-${var.env"
}
