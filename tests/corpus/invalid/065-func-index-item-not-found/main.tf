locals {
  zones = ["a", "b"]
  pos   = index(local.zones, "c")
}
