resource "random_pett" "name" {
  length = 2
}
