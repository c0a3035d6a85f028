variable "region" {
  type = string
}

locals {
  name = "app"
}

resource "null_resource" "a" {
  triggers = {
    region = var.regoin
    name   = local.nam
  }
}
