resource "random_pet" "a" {
  prefix = random_pet.b.id
}

resource "random_pet" "b" {
  prefix = random_pet.a.id
}
