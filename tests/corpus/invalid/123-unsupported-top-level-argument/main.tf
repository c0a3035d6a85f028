region = "eu-west-1"

resource "random_pet" "server" {
  length = 2
}
