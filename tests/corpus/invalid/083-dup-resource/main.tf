resource "random_pet" "server" {
  length = 2
}

resource "random_pet" "server" {
  length = 3
}
