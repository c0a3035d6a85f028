resource "random_pet" "server" {
  count  = null
  length = 2
}
