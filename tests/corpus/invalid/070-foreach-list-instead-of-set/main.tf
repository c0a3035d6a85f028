locals {
  names = ["alpha", "beta"]
}

resource "random_pet" "server" {
  for_each = local.names
  prefix   = each.key
}
