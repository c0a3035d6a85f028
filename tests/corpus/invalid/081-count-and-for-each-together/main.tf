resource "random_pet" "server" {
  count    = 2
  for_each = toset(["a", "b"])
  length   = 2
}
