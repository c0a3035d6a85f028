resource "random_pet" "server" {
  for_each = toset([1, 2, 3])
  prefix   = each.key
}
