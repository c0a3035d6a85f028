resource "random_pet" "server" {
  count  = 3
  length = 2
}

output "first" {
  value = random_pet.server.id
}
