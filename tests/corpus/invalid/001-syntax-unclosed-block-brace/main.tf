variable "name" {
  type = string
}

resource "null_resource" "web" {
  triggers = {
    name = var.name
  }
