locals {
  zones  = ["a", "b"]
  banner = "zones: ${local.zones}"
}
