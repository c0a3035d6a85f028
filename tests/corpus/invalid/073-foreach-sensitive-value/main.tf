resource "random_pet" "server" {
  for_each = sensitive(toset(["alpha", "beta"]))
  prefix   = each.key
}
