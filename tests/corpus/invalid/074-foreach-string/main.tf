resource "random_pet" "server" {
  for_each = "alpha"
  prefix   = each.key
}
