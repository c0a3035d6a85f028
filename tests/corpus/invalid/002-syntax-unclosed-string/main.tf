resource "random_pet" "name" {
  prefix = "web
  length = 2"
}
