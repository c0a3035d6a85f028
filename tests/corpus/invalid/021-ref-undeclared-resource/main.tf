resource "random_pet" "server" {
  length = 2
}

output "name" {
  value = random_pet.sever.id
}
