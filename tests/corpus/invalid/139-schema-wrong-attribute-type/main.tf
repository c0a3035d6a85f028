resource "random_pet" "name" {
  length = "two"
}
