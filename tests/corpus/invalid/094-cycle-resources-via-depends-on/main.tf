resource "random_pet" "a" {
  length = 2
  prefix = random_pet.b.id
}

resource "random_pet" "b" {
  length     = 2
  depends_on = [random_pet.a]
}
