resource "random_pet" "this" {
  length = 2
}
