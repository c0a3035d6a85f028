resource "random_pet" "server" {
  count  = 2
  prefix = "web-${count.idx}"
}
