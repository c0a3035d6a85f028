resource "random_pet" "server" {
  length = 2
  prefix = each.key
}
