resource "random_pet" "server" {
  length = 2
  prefix = "web-${count.index}"
}
