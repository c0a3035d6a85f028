resource "random_pet" "server" {
  length = 2
}

output "name" {
  value = self.id
}
