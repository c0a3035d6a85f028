resource "random_pet" "name" {
  lenght = 2
}
