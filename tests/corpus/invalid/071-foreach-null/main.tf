locals {
  names = null
}

resource "random_pet" "server" {
  for_each = local.names
  prefix   = each.key
}
