variable "names" {
  type = list(string)
}

resource "random_pet" "this" {
  for_each = var.names
  prefix   = each.value
}
