variable "name" {
  type = string
}

resource "random_pet" "this" {
  prefix = var.nam
}
