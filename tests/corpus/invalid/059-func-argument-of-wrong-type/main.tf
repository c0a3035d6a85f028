locals {
  zones = ["a", "b"]
  upper = upper(local.zones)
}
