resource "random_pet" "server" {
  length = 2
}

moved {
  from = random_pet.old
}
