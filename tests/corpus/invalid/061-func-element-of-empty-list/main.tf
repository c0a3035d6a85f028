locals {
  zones = []
  first = element(local.zones, 0)
}
