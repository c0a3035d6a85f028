resource "random_pet" "server" {
  for_each = toset(["alpha", "beta"])
  prefix   = each.val
}
