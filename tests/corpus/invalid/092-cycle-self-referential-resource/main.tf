resource "random_pet" "server" {
  length = 2
  prefix = random_pet.server.id
}
