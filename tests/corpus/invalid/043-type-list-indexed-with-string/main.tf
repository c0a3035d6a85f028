locals {
  zones = ["a", "b"]
  first = local.zones["first"]
}
