locals {
  names = toset(["alpha", null])
}

resource "random_pet" "server" {
  for_each = local.names
  prefix   = each.key
}
