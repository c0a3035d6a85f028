resource "random_pet" "this" {
  length = 2
  prefix = "app" "web"
}
