variable "instance_name" {
  type = string
}

resource "null_resource" "web" {
  triggers = {
    name = var.instance_nme
  }
}
