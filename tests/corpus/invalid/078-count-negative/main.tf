resource "random_pet" "server" {
  count  = -1
  length = 2
}
