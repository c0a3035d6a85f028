resource "random_pet" "name" {
  id = "fixed"
}
